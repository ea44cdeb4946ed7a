#include "core/text.hpp"
#include "core/units.hpp"

#include <ctime>

#include <algorithm>
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
    auto unit = ascii_lower(take_unit(rest));
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
  auto unit = ascii_lower(take_unit(rest));
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

std::string format_timestamp_ms(std::int64_t ms) {
  const auto seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;  // floor, for times before 1970
  return fmt::format("{}.{:03d}Z", format_utc(static_cast<std::time_t>(seconds), "%Y-%m-%dT%H:%M:%S"), ms - seconds * 1000);
}

std::int64_t to_epoch_seconds(WallClock::time_point time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

WallClock::time_point from_epoch_seconds(std::int64_t seconds) {
  return WallClock::time_point(std::chrono::seconds(seconds));
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
// days_from_civil algorithm).
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
  year -= month <= 2;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}


std::int64_t parse_timestamp_ms(std::string_view text) {
  auto refuse = [&](const std::string& why) -> Error {
    return Error::usage("cannot read the time '" + std::string(text) + "'", why,
                        "use RFC 3339 with a zone (2026-11-22T10:00:00Z, 2026-11-22T11:00:00+01:00), a date "
                        "(2026-11-22, midnight UTC) or milliseconds since the epoch");
  };
  if (text.empty()) throw refuse("it is empty");
  if (std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    std::int64_t ms = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
    if (ec != std::errc() || end != text.data() + text.size()) throw refuse("the number is too large");
    return ms;
  }
  std::size_t at = 0;
  auto number = [&](std::size_t digits, const char* what) -> int {
    if (at + digits > text.size()) throw refuse(std::string("the ") + what + " is missing");
    int value = 0;
    for (std::size_t i = 0; i < digits; ++i) {
      const char c = text[at + i];
      if (!std::isdigit(static_cast<unsigned char>(c))) throw refuse(std::string("the ") + what + " is not a number");
      value = value * 10 + (c - '0');
    }
    at += digits;
    return value;
  };
  auto expect = [&](char wanted, const char* where) {
    if (at >= text.size() || text[at] != wanted) throw refuse(std::string("expected '") + wanted + "' " + where);
    ++at;
  };
  const int year = number(4, "year");
  expect('-', "after the year");
  const int month = number(2, "month");
  expect('-', "after the month");
  const int day = number(2, "day");
  if (month < 1 || month > 12 || day < 1 || day > 31) throw refuse("no such date");
  std::int64_t ms = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400000LL;
  if (at == text.size()) return ms;
  if (text[at] != 'T' && text[at] != 't' && text[at] != ' ') throw refuse("expected 'T' between the date and the time");
  ++at;
  const int hour = number(2, "hour");
  expect(':', "after the hour");
  const int minute = number(2, "minute");
  int second = 0;
  if (at < text.size() && text[at] == ':') {
    ++at;
    second = number(2, "second");
  }
  if (hour > 23 || minute > 59 || second > 60) throw refuse("no such time of day");
  ms += (hour * 3600LL + minute * 60LL + second) * 1000LL;
  if (at < text.size() && (text[at] == '.' || text[at] == ',')) {
    ++at;
    std::int64_t scale = 100;
    const std::size_t first = at;
    while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at]))) {
      ms += (text[at] - '0') * scale;  // digits past milliseconds are dropped
      scale /= 10;
      ++at;
    }
    if (at == first) throw refuse("the fraction of a second has no digits");
  }
  if (at == text.size()) throw refuse("it has no zone: add Z for UTC or an offset such as +01:00");
  if (text[at] == 'Z' || text[at] == 'z') {
    ++at;
  } else if (text[at] == '+' || text[at] == '-') {
    const int sign = text[at] == '-' ? -1 : 1;
    ++at;
    const int offset_hours = number(2, "zone hour");
    if (at < text.size() && text[at] == ':') ++at;
    const int offset_minutes = number(2, "zone minute");
    if (offset_hours > 23 || offset_minutes > 59) throw refuse("no such zone offset");
    ms -= sign * (offset_hours * 3600LL + offset_minutes * 60LL) * 1000LL;
  } else {
    throw refuse("expected Z or an offset such as +01:00 after the time");
  }
  if (at != text.size()) throw refuse("unexpected text after the zone");
  return ms;
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    std::string_view item = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.front()))) item.remove_prefix(1);
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.back()))) item.remove_suffix(1);
    if (!item.empty()) items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return items;
}

UtcMicros utc_from_micros(std::int64_t micros_since_epoch) {
  std::int64_t seconds = micros_since_epoch / 1000000;
  UtcMicros out;
  out.micros = micros_since_epoch % 1000000;
  if (out.micros < 0) {
    out.micros += 1000000;
    --seconds;
  }
  // The civil date by arithmetic (H. Hinnant's days-to-civil), not
  // gmtime_r, which takes glibc's time-zone lock on every call.
  std::int64_t days = seconds / 86400;
  std::int64_t second_of_day = seconds % 86400;
  if (second_of_day < 0) {
    second_of_day += 86400;
    --days;
  }
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const std::int64_t day_of_era = days - era * 146097;
  const std::int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const std::int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const std::int64_t month_index = (5 * day_of_year + 2) / 153;  // March = 0
  const std::int64_t day = day_of_year - (153 * month_index + 2) / 5 + 1;
  const std::int64_t month = month_index < 10 ? month_index + 3 : month_index - 9;
  const std::int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
  out.time = {};
  out.time.tm_year = static_cast<int>(year - 1900);
  out.time.tm_mon = static_cast<int>(month - 1);
  out.time.tm_mday = static_cast<int>(day);
  out.time.tm_hour = static_cast<int>(second_of_day / 3600);
  out.time.tm_min = static_cast<int>(second_of_day / 60 % 60);
  out.time.tm_sec = static_cast<int>(second_of_day % 60);
  // Days since Sunday and since 1 January, as gmtime fills them.
  out.time.tm_wday = static_cast<int>(((seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400) % 7 + 11) % 7);
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  static constexpr int kDaysBeforeMonth[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  out.time.tm_yday = kDaysBeforeMonth[month - 1] + static_cast<int>(day) - 1 + (leap && month > 2 ? 1 : 0);
  return out;
}

}  // namespace cdcctl
