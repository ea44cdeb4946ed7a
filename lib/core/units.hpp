#pragma once
// Durations ("90s", "2h", "1h30m", "250ms") and sizes ("512MB", "1.5GiB") as
// operators type them in flags, and their human-readable forms.
#include <chrono>
#include <ctime>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cdcctl {

// Throws Error (usage) with the offending text and the accepted forms.
std::chrono::milliseconds parse_duration(std::string_view text);
std::uint64_t parse_size(std::string_view text);

// "1h30m", "45s", "250ms", "0s".
std::string format_duration(std::chrono::milliseconds duration);
// Binary units with one decimal: "0 B", "512 B", "1.5 KiB", "10.0 GiB".
std::string format_bytes(std::uint64_t bytes);

using WallClock = std::chrono::system_clock;

// RFC 3339 in UTC with seconds: "2026-11-22T03:04:05Z".
std::string format_timestamp(WallClock::time_point time);
// The same with microseconds, from µs since the epoch (Debezium's ts_usec):
// "2026-11-22T02:00:00.123456Z".
std::string format_timestamp_usec(std::int64_t usec);
// The same with milliseconds, from ms since the epoch (Kafka record time):
// "2026-11-22T02:00:00.123Z".
std::string format_timestamp_ms(std::int64_t ms);
// Days since 1970-01-01 of a proleptic Gregorian date (negative before).
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day);
// Microseconds since the epoch as a UTC calendar time and the microseconds
// within its second (always 0…999999, also before 1970).
struct UtcMicros {
  std::tm time{};
  std::int64_t micros = 0;
};
UtcMicros utc_from_micros(std::int64_t micros_since_epoch);
// Whole seconds since the Unix epoch, and back: the form state files keep.
std::int64_t to_epoch_seconds(WallClock::time_point time);
WallClock::time_point from_epoch_seconds(std::int64_t seconds);

// A point in time as operators give it, in milliseconds since the epoch:
// RFC 3339 with a zone ("2026-11-22T10:00:00Z", "…T10:00:00.5+01:00", a space
// instead of the T), a date ("2026-11-22", midnight UTC), or milliseconds
// since the epoch ("1795323388170"). A time without a zone is refused rather
// than guessed: an offset reset an hour off loses or repeats an hour of data.
std::int64_t parse_timestamp_ms(std::string_view text);

// "a, b,,c " → {"a", "b", "c"}: a comma-separated list as flags and connector
// configs give it, items trimmed of blanks, empty items dropped.
std::vector<std::string> split_list(std::string_view text);

}  // namespace cdcctl
