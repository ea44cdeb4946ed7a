#pragma once
// What the process is attached to: decides colour, progress bars, prompts and
// table width. Kept behind a struct so commands and tests can inject it.
#include <optional>
#include <string>

namespace cdcctl {

struct TerminalInfo {
  bool stdout_is_tty = false;
  bool stderr_is_tty = false;
  bool stdin_is_tty = false;
  int width = 0;  // columns of the terminal; 0 when stdout is not one
};

TerminalInfo detect_terminal();

// Colour only on a TTY, never with NO_COLOR set (any value, per no-color.org)
// or --no-color.
bool should_use_color(bool is_tty, bool no_color_flag, const std::optional<std::string>& no_color_env);

}  // namespace cdcctl
