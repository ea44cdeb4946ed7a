// connect-double: the Kafka Connect REST double as a stand-alone process, for shell
// experiments and tests that drive cdcctl from the outside.
//
//   connect-double [--port N] [--version V] [--host H]
//                  [--basic-auth USER:PASSWORD] [--bearer-token TOKEN]
//                  [--state-file FILE] [--pid-file FILE]
//
// Prints its base URL as the only line on stdout, then serves until stopped (see
// support/launcher.hpp: SIGINT/SIGTERM, or end of file on stdin when stdin is a pipe,
// socket or terminal; started in the background with stdin from /dev/null it runs until
// a signal).
//
// --state-file keeps the connectors (config, target state, offsets) in FILE across runs,
// so a script can "restart the worker": kill it and start it again with the same --port
// and --state-file. --pid-file writes the process id to FILE once the port serves (before
// the URL is printed) and removes it on a clean exit after the port is closed, so a
// script knows whom to signal and when the port is free again.
//
// Faults are injected through the /__double/* control endpoints (all answer 204, or an
// {"error_code", "message"} body; see connect_double.hpp for the meaning of each):
//   POST   /__double/conflict?n=N               POST /__double/html-error?n=N[&status=S]
//   POST   /__double/truncate?n=N               POST /__double/delay?ms=N
//   POST   /__double/rebalance?n=N              POST /__double/active-topic?connector=C&topic=T
//   POST   /__double/fail-task?connector=C&task=N[&sticky=true]      (body: the trace)
//   POST   /__double/fail-connector?connector=C[&sticky=true]        (body: the trace)
//   POST   /__double/heal?connector=C           POST /__double/unassign-task?connector=C&task=N
//   POST   /__double/delay-restarts?ms=N        PUT  /__double/offsets?connector=C (body: JSON array)
//   GET    /__double/requests                   DELETE /__double/requests

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "support/connect_double.hpp"
#include "support/launcher.hpp"

namespace {

using cdcctl::testsupport::ConnectDouble;
using cdcctl::testsupport::ConnectDoubleOptions;

constexpr std::string_view kUsage =
    "usage: connect-double [--port N] [--version V] [--host H] [--basic-auth USER:PASSWORD] "
    "[--bearer-token TOKEN] [--state-file FILE] [--pid-file FILE]\n";

struct LauncherOptions {
  ConnectDoubleOptions connect;
  std::string pid_file;
};

std::optional<LauncherOptions> parse_arguments(const std::vector<std::string>& args) {
  LauncherOptions launcher;
  ConnectDoubleOptions& options = launcher.connect;
  options.control_endpoints = true;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    if (flag == "--help" || flag == "-h" || i + 1 >= args.size()) return std::nullopt;
    const std::string& value = args[++i];
    if (flag == "--port") {
      try {
        std::size_t used = 0;
        options.port = std::stoi(value, &used);
        if (used != value.size() || options.port < 0 || options.port > 65535) return std::nullopt;
      } catch (const std::exception&) {
        return std::nullopt;
      }
    } else if (flag == "--version") {
      options.version = value;
    } else if (flag == "--host") {
      options.host = value;
    } else if (flag == "--basic-auth") {
      const auto colon = value.find(':');
      if (colon == std::string::npos) return std::nullopt;
      options.basic_auth_user = value.substr(0, colon);
      options.basic_auth_password = value.substr(colon + 1);
    } else if (flag == "--bearer-token") {
      options.bearer_token = value;
    } else if (flag == "--state-file" && !value.empty()) {
      options.state_file = value;
    } else if (flag == "--pid-file" && !value.empty()) {
      launcher.pid_file = value;
    } else {
      return std::nullopt;
    }
  }
  return launcher;
}

// The pid file of this process: written atomically (temp file + rename, so a script
// polling for it never reads a partial number) and removed on destruction, unless a
// successor has already put its own pid there.
class PidFile {
 public:
  explicit PidFile(std::string path) : path_(std::move(path)), pid_(std::to_string(::getpid())) {
    const std::string temp = path_ + ".tmp." + pid_;
    {
      std::ofstream out(temp, std::ios::trunc);
      out << pid_ << '\n';
      out.close();
      if (!out) throw std::runtime_error("cannot write pid file " + temp + ": " + std::strerror(errno));
    }
    std::filesystem::rename(temp, path_);  // throws filesystem_error with the reason
  }
  ~PidFile() {
    std::ifstream in(path_);
    std::string content;
    std::getline(in, content);
    in.close();
    std::error_code ignored;  // nothing sensible to do about a failure on the way out
    if (content == pid_) std::filesystem::remove(path_, ignored);
  }
  PidFile(const PidFile&) = delete;
  PidFile& operator=(const PidFile&) = delete;

 private:
  std::string path_;
  std::string pid_;
};

}  // namespace

int main(int argc, char** argv) {
  const auto options = parse_arguments(std::vector<std::string>(argv + 1, argv + argc));
  if (!options) {
    std::cerr << kUsage;
    return 2;
  }

  try {
    const cdcctl::testsupport::ShutdownSignals shutdown;  // before the server's threads exist
    // Declared before the double so that it is removed only after the port has closed:
    // a script waiting for the file to vanish can then bind the port at once.
    std::optional<PidFile> pid_file;
    ConnectDouble connect(options->connect);
    if (!options->pid_file.empty()) pid_file.emplace(options->pid_file);
    std::cout << connect.url() << std::endl;  // flushes: the parent waits for this line
    shutdown.wait();
  } catch (const std::exception& e) {
    std::cerr << "connect-double: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
