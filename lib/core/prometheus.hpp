#pragma once
// Prometheus text exposition format, as node_exporter's textfile collector
// reads it: every family declared (HELP, TYPE) before its samples, label
// values escaped. Checks build their textfile with this.
#include <filesystem>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace cdcctl {

class PrometheusText {
 public:
  using Labels = std::vector<std::pair<std::string, std::string>>;
  void family(const std::string& name, const std::string& type, const std::string& help);
  void sample(const std::string& name, const Labels& labels, double value);
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
};

// Writes a textfile atomically (a scrape never sees half a file), readable
// by everyone: node_exporter usually runs as another user.
void write_prometheus_textfile(const std::filesystem::path& path, const std::string& text);

}  // namespace cdcctl
