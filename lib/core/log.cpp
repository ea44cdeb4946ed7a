#include "core/log.hpp"

#include <string>

#include "core/secrets.hpp"

namespace cdcctl {

Logger::Logger(std::ostream& out, Verbosity verbosity, bool color)
    : out_(&out), verbosity_(verbosity), color_(color) {}

void Logger::warn(std::string_view message) const {
  if (verbosity_ >= Verbosity::Normal) write("warning: ", "\033[33m", message);
}
void Logger::info(std::string_view message) const {
  if (verbosity_ >= Verbosity::Normal) write("", "", message);
}
void Logger::verbose(std::string_view message) const {
  if (verbosity_ >= Verbosity::Verbose) write("* ", "\033[2m", message);
}
void Logger::debug(std::string_view message) const {
  if (verbosity_ >= Verbosity::Debug) write("** ", "\033[2m", message);
}

void Logger::write(std::string_view prefix, std::string_view color, std::string_view message) const {
  const std::string masked = mask_url_or_conninfo(message);
  const std::lock_guard lock(*mutex_);
  if (color_ && !color.empty()) {
    *out_ << color << prefix << masked << "\033[0m\n";
  } else {
    *out_ << prefix << masked << '\n';
  }
  out_->flush();
}

}  // namespace cdcctl
