#include "core/prometheus.hpp"

#include <fmt/format.h>

#include "core/files.hpp"

namespace cdcctl {

namespace {

std::string label_value(const std::string& value) {
  std::string escaped;
  for (const char c : value) {
    if (c == '\\') escaped += "\\\\";
    else if (c == '"') escaped += "\\\"";
    else if (c == '\n') escaped += "\\n";
    else escaped += c;
  }
  return escaped;
}

}  // namespace

void PrometheusText::family(const std::string& name, const std::string& type, const std::string& help) {
  out_ << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
}

void PrometheusText::sample(const std::string& name, const Labels& labels, double value) {
  out_ << name;
  if (!labels.empty()) {
    out_ << '{';
    for (std::size_t i = 0; i < labels.size(); ++i) {
      out_ << (i ? "," : "") << labels[i].first << "=\"" << label_value(labels[i].second) << '"';
    }
    out_ << '}';
  }
  out_ << ' ' << fmt::format("{}", value) << '\n';
}

void write_prometheus_textfile(const std::filesystem::path& path, const std::string& text) {
  using std::filesystem::perms;
  write_file_atomically(path, text, perms::owner_read | perms::owner_write | perms::group_read | perms::others_read);
}

}  // namespace cdcctl
