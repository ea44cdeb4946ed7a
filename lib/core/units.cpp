#include "core/units.hpp"

#include <ctime>

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "core/error.hpp"

namespace cdcctl {

namespace {

// Reads a non-negative decimal number at the front of text, advancing it.
bool take_number(std::string_view& text, double& value) {
  std::size_t end = 0;
  while (end < text.size() && (std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '.')) ++end;
  if (end == 0) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + end, value);
  if (ec != std::errc{} || ptr != text.data() + end) return false;
  text.remove_prefix(end);
  return true;
}

std::string_view take_unit(std::string_view& text) {
  std::size_t end = 0;
  while (end < text.size() && std::isalpha(static_cast<unsigned char>(text[end]))) ++end;
  auto unit = text.substr(0, end);
  text.remove_prefix(end);
  return unit;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::chrono::milliseconds parse_duration(std::string_view text) {
  auto bad = [&] {
    return Error::usage("invalid duration '" + std::string(text) + "'", {},
                        "use a number with a unit: 250ms, 30s, 10m, 2h, 1d, or combined like 1h30m");
  };
  std::string_view rest = text;
  if (rest.empty()) throw bad();
  double total_ms = 0;
  while (!rest.empty()) {
    double value = 0;
    if (!take_number(rest, value)) throw bad();
    auto unit = lower(take_unit(rest));
    double scale = 0;
    if (unit == "ms") scale = 1;
    else if (unit == "s" || unit == "sec") scale = 1000;
    else if (unit == "m" || unit == "min") scale = 60'000;
    else if (unit == "h") scale = 3'600'000;
    else if (unit == "d") scale = 86'400'000;
    else if (unit.empty() && total_ms == 0 && rest.empty()) scale = 1000;  // bare number: seconds
    else throw bad();
    total_ms += value * scale;
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(total_ms)));
}

std::uint64_t parse_size(std::string_view text) {
  auto bad = [&] {
    return Error::usage("invalid size '" + std::string(text) + "'", {},
                        "use a number with a unit: 512MB, 1GB, 1.5GiB, 100kB (bare numbers are bytes)");
  };
  std::string_view rest = text;
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  double value = 0;
  if (!take_number(rest, value)) throw bad();
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  auto unit = lower(take_unit(rest));
  if (!rest.empty()) throw bad();
  // Operators mean powers of 1024 whether they write MB or MiB (as PostgreSQL's
  // own settings do), so both spellings scale the same.
  double scale = 0;
  if (unit.empty() || unit == "b") scale = 1;
  else if (unit == "k" || unit == "kb" || unit == "kib") scale = 1024.0;
  else if (unit == "m" || unit == "mb" || unit == "mib") scale = 1024.0 * 1024;
  else if (unit == "g" || unit == "gb" || unit == "gib") scale = 1024.0 * 1024 * 1024;
  else if (unit == "t" || unit == "tb" || unit == "tib") scale = 1024.0 * 1024 * 1024 * 1024;
  else throw bad();
  return static_cast<std::uint64_t>(std::llround(value * scale));
}

std::string format_duration(std::chrono::milliseconds duration) {
  auto ms = duration.count();
  if (ms < 0) return "-" + format_duration(std::chrono::milliseconds(-ms));
  if (ms < 1000) return ms == 0 ? "0s" : fmt::format("{}ms", ms);
  auto seconds = ms / 1000;
  const std::array<std::pair<std::int64_t, const char*>, 4> parts{
      {{86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}}};
  std::string out;
  int shown = 0;
  for (auto [size, unit] : parts) {
    if (seconds >= size && shown < 2) {
      out += fmt::format("{}{}", seconds / size, unit);
      seconds %= size;
      ++shown;
    } else if (shown > 0) {
      ++shown;  // only the two most significant units are worth reading
    }
  }
  return out;
}

std::string format_bytes(std::uint64_t bytes) {
  constexpr std::array units{"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  if (bytes < 1024) return fmt::format("{} B", bytes);
  double value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (value >= 1024 && unit + 1 < units.size()) {
    value /= 1024;
    ++unit;
  }
  return fmt::format("{:.1f} {}", value, units[unit]);
}

namespace {

std::string format_utc(std::time_t seconds, const char* pattern) {
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, pattern, &utc);
  return text;
}

}  // namespace

std::string format_timestamp(WallClock::time_point time) {
  return format_utc(WallClock::to_time_t(time), "%Y-%m-%dT%H:%M:%SZ");
}

std::string format_timestamp_usec(std::int64_t usec) {
  return fmt::format("{}.{:06d}Z", format_utc(static_cast<std::time_t>(usec / 1'000'000), "%Y-%m-%dT%H:%M:%S"),
                     usec % 1'000'000);
}

std::int64_t to_epoch_seconds(WallClock::time_point time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

WallClock::time_point from_epoch_seconds(std::int64_t seconds) {
  return WallClock::time_point(std::chrono::seconds(seconds));
}

}  // namespace cdcctl
