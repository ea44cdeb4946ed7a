// connect-double: the Kafka Connect REST double as a stand-alone process, for shell
// experiments and tests that drive cdcctl from the outside.
//
//   connect-double [--port N] [--version V] [--host H]
//                  [--basic-auth USER:PASSWORD] [--bearer-token TOKEN]
//
// Prints its base URL as the only line on stdout, then serves until SIGTERM/SIGINT or
// until stdin reaches end-of-file, so a parent holding the write end of a pipe can stop it
// by closing that end (or by dying). Faults are injected through the /__double/* control
// endpoints; see connect_double.hpp for their meaning.

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/connect_double.hpp"

namespace {

using cdcctl::testsupport::ConnectDouble;
using cdcctl::testsupport::ConnectDoubleOptions;

constexpr std::string_view kUsage =
    "usage: connect-double [--port N] [--version V] [--host H] [--basic-auth USER:PASSWORD] "
    "[--bearer-token TOKEN]\n";

std::optional<ConnectDoubleOptions> parse_arguments(const std::vector<std::string>& args) {
  ConnectDoubleOptions options;
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
    } else {
      return std::nullopt;
    }
  }
  return options;
}

// Only a pipe, socket or terminal on stdin is a parent's lifeline. A background job in a
// non-interactive shell gets /dev/null, whose immediate EOF must not stop the double.
bool stdin_is_lifeline() {
  struct stat info {};
  if (fstat(STDIN_FILENO, &info) != 0) return false;
  return S_ISFIFO(info.st_mode) || S_ISSOCK(info.st_mode) || isatty(STDIN_FILENO) == 1;
}

// Blocks until SIGINT/SIGTERM arrives or (if watched) stdin reaches end-of-file.
void wait_for_shutdown(int signal_fd, bool watch_stdin) {
  std::vector<pollfd> fds = {{signal_fd, POLLIN, 0}};
  if (watch_stdin) fds.push_back({STDIN_FILENO, POLLIN, 0});
  while (true) {
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[0].revents != 0) return;
    if (fds.size() > 1 && fds[1].revents != 0) {
      char buffer[4096];
      const ssize_t n = read(STDIN_FILENO, buffer, sizeof buffer);
      if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) return;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  const auto options = parse_arguments(std::vector<std::string>(argv + 1, argv + argc));
  if (!options) {
    std::cerr << kUsage;
    return 2;
  }

  // Block the shutdown signals before any thread exists so that every thread inherits the
  // mask and the signals are only ever consumed through the signalfd below.
  sigset_t shutdown_signals;
  sigemptyset(&shutdown_signals);
  sigaddset(&shutdown_signals, SIGINT);
  sigaddset(&shutdown_signals, SIGTERM);
  if (sigprocmask(SIG_BLOCK, &shutdown_signals, nullptr) != 0) {
    std::perror("connect-double: sigprocmask");
    return 1;
  }
  const int signal_fd = signalfd(-1, &shutdown_signals, SFD_CLOEXEC);
  if (signal_fd < 0) {
    std::perror("connect-double: signalfd");
    return 1;
  }
  // A reader that went away must not kill the server mid-write.
  signal(SIGPIPE, SIG_IGN);

  try {
    ConnectDouble connect(*options);
    std::cout << connect.url() << std::endl;  // flushes: the parent waits for this line
    wait_for_shutdown(signal_fd, stdin_is_lifeline());
  } catch (const std::exception& e) {
    std::cerr << "connect-double: " << e.what() << "\n";
    close(signal_fd);
    return 1;
  }
  close(signal_fd);
  return 0;
}
