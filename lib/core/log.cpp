#include "core/log.hpp"

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "core/secrets.hpp"
#include "core/units.hpp"

namespace cdcctl {

Logger::Logger(std::ostream& out, Verbosity verbosity, bool color)
    : out_(&out), verbosity_(verbosity), color_(color) {}

void Logger::warn(std::string_view message) const {
  if (verbosity_ >= Verbosity::Normal) write("warn", "warning: ", "\033[33m", message);
}
void Logger::info(std::string_view message) const {
  if (verbosity_ >= Verbosity::Normal) write("info", "", "", message);
}
void Logger::verbose(std::string_view message) const {
  if (verbosity_ >= Verbosity::Verbose) write("verbose", "* ", "\033[2m", message);
}
void Logger::debug(std::string_view message) const {
  if (verbosity_ >= Verbosity::Debug) write("debug", "** ", "\033[2m", message);
}

namespace {

std::string utc_now_text() {
  return format_timestamp_ms(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

}  // namespace

void Logger::write(std::string_view level, std::string_view prefix, std::string_view color, std::string_view message) const {
  const std::string masked = mask_url_or_conninfo(message);
  if (format_ == LogFormat::Json) {
    nlohmann::ordered_json line;
    line["ts"] = utc_now_text();
    line["level"] = level;
    line["message"] = masked;
    const std::lock_guard lock(*mutex_);
    *out_ << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    out_->flush();
    return;
  }
  const std::lock_guard lock(*mutex_);
  if (timestamps_) *out_ << utc_now_text() << ' ';
  if (color_ && !color.empty()) {
    *out_ << color << prefix << masked << "\033[0m\n";
  } else {
    *out_ << prefix << masked << '\n';
  }
  out_->flush();
}

}  // namespace cdcctl
