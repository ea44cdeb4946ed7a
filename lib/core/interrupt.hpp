#pragma once
// Ctrl-C for commands that must clean up before they exit. A command that
// pauses or stops connectors installs an InterruptGuard; the first SIGINT,
// SIGTERM or SIGHUP only sets a flag that its wait loops check, so it can
// undo what it did (resume the connectors) and exit 130. A second signal
// ends the process at once, as users expect from pressing Ctrl-C twice.
#include <chrono>

namespace cdcctl {

class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();  // restores the previous handlers
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
};

bool interrupt_requested();
// Sets or clears the flag by hand: for tests, and for lib/ code that treats
// a failed step like an interruption.
void request_interrupt();
void clear_interrupt();

// Sleeps for `duration` in short slices; returns false as soon as an
// interrupt is requested (true when the full time passed).
bool sleep_unless_interrupted(std::chrono::milliseconds duration);

}  // namespace cdcctl
