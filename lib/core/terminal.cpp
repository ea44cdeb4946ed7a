#include "core/terminal.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>

namespace cdcctl {

TerminalInfo detect_terminal() {
  TerminalInfo info;
  info.stdout_is_tty = ::isatty(STDOUT_FILENO) == 1;
  info.stderr_is_tty = ::isatty(STDERR_FILENO) == 1;
  info.stdin_is_tty = ::isatty(STDIN_FILENO) == 1;
  if (info.stdout_is_tty) {
    winsize size{};
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) info.width = size.ws_col;
  }
  if (info.width == 0) {
    // COLUMNS lets a user size tables when piping into a pager.
    if (const char* columns = std::getenv("COLUMNS")) info.width = std::atoi(columns);
  }
  return info;
}

bool should_use_color(bool is_tty, bool no_color_flag, const std::optional<std::string>& no_color_env) {
  if (no_color_flag) return false;
  if (no_color_env && !no_color_env->empty()) return false;
  return is_tty;
}

}  // namespace cdcctl
