#pragma once
// Diagnostics on stderr. -q shows only errors, -v adds what cdcctl is doing
// (requests, retries), -vv adds detail. Every line goes through secret masking.
#include <memory>
#include <mutex>
#include <ostream>
#include <string_view>

namespace cdcctl {

enum class Verbosity { Quiet = 0, Normal = 1, Verbose = 2, Debug = 3 };

class Logger {
 public:
  Logger(std::ostream& out, Verbosity verbosity, bool color);

  void warn(std::string_view message) const;
  void info(std::string_view message) const;   // shown at Normal and above
  void verbose(std::string_view message) const;
  void debug(std::string_view message) const;

  Verbosity verbosity() const { return verbosity_; }

 private:
  void write(std::string_view prefix, std::string_view color, std::string_view message) const;

  std::ostream* out_;
  Verbosity verbosity_;
  bool color_;
  // librdkafka and parallel checks log from their own threads.
  std::unique_ptr<std::mutex> mutex_ = std::make_unique<std::mutex>();
};

}  // namespace cdcctl
