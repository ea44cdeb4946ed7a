#include "support/launcher.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace cdcctl::testsupport {

namespace {

// A background job in a non-interactive shell gets /dev/null on stdin, whose
// immediate end-of-file must not stop the service: only a pipe, socket or
// terminal is a parent's lifeline.
bool stdin_is_lifeline() {
  struct stat info {};
  if (::fstat(STDIN_FILENO, &info) != 0) return false;
  return S_ISFIFO(info.st_mode) || S_ISSOCK(info.st_mode) || ::isatty(STDIN_FILENO) == 1;
}

}  // namespace

ShutdownSignals::ShutdownSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  if (::sigprocmask(SIG_BLOCK, &signals, nullptr) != 0) {
    throw std::runtime_error(std::string("sigprocmask: ") + std::strerror(errno));
  }
  signal_fd_ = ::signalfd(-1, &signals, SFD_CLOEXEC);
  if (signal_fd_ < 0) throw std::runtime_error(std::string("signalfd: ") + std::strerror(errno));
  ::signal(SIGPIPE, SIG_IGN);
}

ShutdownSignals::~ShutdownSignals() {
  if (signal_fd_ >= 0) ::close(signal_fd_);
}

void ShutdownSignals::wait() const {
  std::vector<pollfd> fds = {{signal_fd_, POLLIN, 0}};
  if (stdin_is_lifeline()) fds.push_back({STDIN_FILENO, POLLIN, 0});
  while (true) {
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[0].revents != 0) return;
    if (fds.size() > 1 && fds[1].revents != 0) {
      char buffer[4096];
      const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
      if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) return;
    }
  }
}

}  // namespace cdcctl::testsupport
