#pragma once
// A progress bar on stderr, drawn only when stderr is a terminal so logs and
// pipes never fill with carriage returns.
#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

namespace cdcctl::output {

class ProgressBar {
 public:
  // total = 0 means unknown: a counter is shown instead of a bar.
  ProgressBar(std::ostream& out, bool enabled, std::string label, std::uint64_t total, int width = 80);
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  ~ProgressBar();

  void update(std::uint64_t done);
  // A new label and total, e.g. the next table, or a total learnt on the way.
  void reset(std::string label, std::uint64_t total) {
    label_ = std::move(label);
    total_ = total;
  }
  void finish();
  bool enabled() const { return enabled_; }
  // The line as it would be drawn; exposed for tests.
  std::string line(std::uint64_t done) const;

 private:
  std::ostream* out_;
  bool enabled_;
  std::string label_;
  std::uint64_t total_;
  int width_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace cdcctl::output
