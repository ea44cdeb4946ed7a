#pragma once
// Diagnostics on stderr. -q shows only errors, -v adds what cdcctl is doing
// (requests, retries), -vv adds detail. Every line goes through secret masking.
#include <memory>
#include <mutex>
#include <ostream>
#include <string_view>

namespace cdcctl {

enum class Verbosity { Quiet = 0, Normal = 1, Verbose = 2, Debug = 3 };

// Text for people; JSON lines ({"ts","level","message"}) for log collectors
// of long-running commands such as `cdcctl run --log-format json`.
enum class LogFormat { Text, Json };

class Logger {
 public:
  Logger(std::ostream& out, Verbosity verbosity, bool color);

  void warn(std::string_view message) const;
  void info(std::string_view message) const;   // shown at Normal and above
  void verbose(std::string_view message) const;
  void debug(std::string_view message) const;

  Verbosity verbosity() const { return verbosity_; }
  void set_format(LogFormat format) { format_ = format; }
  // Text lines start with an ISO-8601 UTC time (for services writing to a file or journal).
  void set_timestamps(bool on) { timestamps_ = on; }

 private:
  void write(std::string_view level, std::string_view prefix, std::string_view color, std::string_view message) const;

  std::ostream* out_;
  Verbosity verbosity_;
  bool color_;
  LogFormat format_ = LogFormat::Text;
  bool timestamps_ = false;
  // librdkafka and parallel checks log from their own threads.
  std::unique_ptr<std::mutex> mutex_ = std::make_unique<std::mutex>();
};

}  // namespace cdcctl
