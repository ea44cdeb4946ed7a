#include "core/exit_codes.hpp"

#include <array>

namespace cdcctl {

namespace {
constexpr std::array kExitCodes{
    ExitCodeInfo{0, "OK", "success"},
    ExitCodeInfo{1, "FAILED", "the operation ran and failed"},
    ExitCodeInfo{2, "USAGE", "bad flags, arguments or configuration"},
    ExitCodeInfo{3, "UNREACHABLE", "could not reach or authenticate to a service"},
    ExitCodeInfo{4, "NOT_FOUND", "a named object (connector, slot, topic, context) does not exist"},
    ExitCodeInfo{130, "INTERRUPTED", "interrupted (Ctrl-C / SIGINT)"},
};
constexpr std::array kCheckStatuses{
    ExitCodeInfo{0, "OK", "everything checked is healthy"},
    ExitCodeInfo{1, "WARNING", "degraded, or a threshold for warning was crossed"},
    ExitCodeInfo{2, "CRITICAL", "failed, or a threshold for critical was crossed"},
    ExitCodeInfo{3, "UNKNOWN", "the check could not run (service unreachable, bad input)"},
};
}  // namespace

std::span<const ExitCodeInfo> exit_code_table() { return kExitCodes; }
std::span<const ExitCodeInfo> check_status_table() { return kCheckStatuses; }

std::string_view check_status_name(CheckStatus status) {
  return kCheckStatuses[static_cast<std::size_t>(status)].name;
}

std::string_view verdict_name(CheckStatus status) {
  switch (status) {
    case CheckStatus::Ok: return "OK";
    case CheckStatus::Warning: return "WARN";
    case CheckStatus::Critical: return "FAIL";
    case CheckStatus::Unknown: break;
  }
  return "UNKNOWN";
}

CheckStatus worst(CheckStatus a, CheckStatus b) {
  auto rank = [](CheckStatus s) {
    switch (s) {
      case CheckStatus::Ok: return 0;
      case CheckStatus::Unknown: return 1;
      case CheckStatus::Warning: return 2;
      case CheckStatus::Critical: return 3;
    }
    return 0;
  };
  return rank(a) >= rank(b) ? a : b;
}

}  // namespace cdcctl
