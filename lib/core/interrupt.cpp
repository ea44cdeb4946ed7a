#include "core/interrupt.hpp"

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <thread>

namespace cdcctl {

namespace {

std::atomic<int> g_signals_seen{0};
constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};
struct sigaction g_previous[3];

extern "C" void on_interrupt(int signal_number) {
  if (g_signals_seen.fetch_add(1) >= 1) {
    // Second signal: give up cleaning up and die the way the signal says.
    ::signal(signal_number, SIG_DFL);
    ::raise(signal_number);
  }
}

}  // namespace

InterruptGuard::InterruptGuard() {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: a blocking poll returns and the loop sees the flag
  for (int i = 0; i < 3; ++i) ::sigaction(kSignals[i], &action, &g_previous[i]);
}

InterruptGuard::~InterruptGuard() {
  for (int i = 0; i < 3; ++i) ::sigaction(kSignals[i], &g_previous[i], nullptr);
}

bool interrupt_requested() { return g_signals_seen.load() > 0; }
void request_interrupt() { g_signals_seen.store(std::max(1, g_signals_seen.load())); }
void clear_interrupt() { g_signals_seen.store(0); }

bool sleep_unless_interrupted(std::chrono::milliseconds duration) {
  const auto deadline = std::chrono::steady_clock::now() + duration;
  while (!interrupt_requested()) {
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) return true;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(50)));
  }
  return false;
}

}  // namespace cdcctl
