#pragma once
// One exit-code table for every command. Health and check commands use the
// monitoring-plugin convention instead (CheckStatus), documented beside it.
#include <span>
#include <string_view>

namespace cdcctl {

enum class ExitCode : int {
  Ok = 0,
  Failed = 1,        // the operation ran and failed
  Usage = 2,         // bad flags, arguments or configuration
  Unreachable = 3,   // could not reach or authenticate to a service
  NotFound = 4,      // a named connector, slot, topic or context does not exist
  Interrupted = 130, // SIGINT (128 + 2), as shells report it
};

// Nagios/monitoring-plugin convention, used by health and check commands.
enum class CheckStatus : int { Ok = 0, Warning = 1, Critical = 2, Unknown = 3 };

struct ExitCodeInfo {
  int code;
  std::string_view name;
  std::string_view meaning;
};

std::span<const ExitCodeInfo> exit_code_table();
std::span<const ExitCodeInfo> check_status_table();
std::string_view check_status_name(CheckStatus status);
// The word for one finding of a checker (pg preflight, topics lint):
// OK | WARN | FAIL (UNKNOWN for Unknown).
std::string_view verdict_name(CheckStatus status);

// The worse of two check results: CRITICAL > WARNING > UNKNOWN > OK, as
// monitoring plugins aggregate.
CheckStatus worst(CheckStatus a, CheckStatus b);

}  // namespace cdcctl
