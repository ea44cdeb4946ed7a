#include "output/progress.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace cdcctl::output {

ProgressBar::ProgressBar(std::ostream& out, bool enabled, std::string label, std::uint64_t total, int width)
    : out_(&out), enabled_(enabled), label_(std::move(label)), total_(total), width_(std::max(width, 40)) {}

ProgressBar::~ProgressBar() { finish(); }

std::string ProgressBar::line(std::uint64_t done) const {
  if (total_ == 0) return fmt::format("{} {}", label_, done);
  const std::uint64_t clamped = std::min(done, total_);
  const double fraction = static_cast<double>(clamped) / static_cast<double>(total_);
  const std::string counts = fmt::format(" {}/{} {:3.0f}%", clamped, total_, fraction * 100);
  const int bar_width = std::max(10, width_ - static_cast<int>(label_.size() + counts.size()) - 3);
  const int filled = static_cast<int>(fraction * bar_width);
  return fmt::format("{} [{}{}]{}", label_, std::string(static_cast<std::size_t>(filled), '#'),
                     std::string(static_cast<std::size_t>(bar_width - filled), '.'), counts);
}

void ProgressBar::update(std::uint64_t done) {
  if (!enabled_) return;
  // Redraw at most ten times a second: drawing is slower than the work it reports.
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100) && done < total_) return;
  last_draw_ = now;
  *out_ << '\r' << line(done) << "\033[K" << std::flush;
  drawn_ = true;
}

void ProgressBar::finish() {
  if (enabled_ && drawn_) {
    *out_ << "\r\033[K" << std::flush;
    drawn_ = false;
  }
}

}  // namespace cdcctl::output
