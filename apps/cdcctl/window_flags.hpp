#pragma once
// The flags that choose which records of a topic to read (dlq inspect/stats,
// events inspect/tail): --partition, --last, --from-offset, --since, --until.
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "core/error.hpp"
#include "core/units.hpp"
#include "ops/dlq.hpp"

namespace cdcctl::app {

struct WindowFlags {
  std::optional<std::int32_t> partition;
  std::optional<std::int64_t> last;
  std::optional<std::int64_t> from_offset;
  std::string since;
  std::string until;
};

// "2h" (that long ago) or a point in time (RFC 3339, a date, epoch ms).
inline std::int64_t time_bound(const std::string& text, const char* flag) {
  try {
    const auto ago = parse_duration(text);
    return std::chrono::duration_cast<std::chrono::milliseconds>(WallClock::now().time_since_epoch() - ago).count();
  } catch (const Error&) {
  }
  try {
    return parse_timestamp_ms(text);
  } catch (const Error&) {
    throw Error::usage(std::string("invalid ") + flag + " '" + text + "'",
                       "expected a duration ago (2h, 30m) or a time (2026-11-22T10:00:00Z, 2026-11-22)");
  }
}

inline ops::TopicWindow window_from(const WindowFlags& flags) {
  ops::TopicWindow window{.last = flags.last, .from_offset = flags.from_offset, .partition = flags.partition};
  if (!flags.since.empty()) window.since_ms = time_bound(flags.since, "--since");
  if (!flags.until.empty()) window.until_ms = time_bound(flags.until, "--until");
  return window;
}

// last_help: empty when the command has no --last.
inline void add_window_flags(CLI::App& command, WindowFlags& flags, const std::string& last_help) {
  command.add_option("--partition", flags.partition, "only this partition")->type_name("N");
  if (!last_help.empty()) command.add_option("--last", flags.last, last_help)->type_name("N");
  command.add_option("--from-offset", flags.from_offset, "read each partition from this offset on")->type_name("OFFSET");
  command.add_option("--since", flags.since, "records from this long ago (2h) or this time on (RFC 3339, date, epoch ms)")
      ->type_name("WHEN");
  command.add_option("--until", flags.until, "records before this long ago or this time")->type_name("WHEN");
}

}  // namespace cdcctl::app
