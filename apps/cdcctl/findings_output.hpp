#pragma once
// The "why it matters, and the fix" block that checkers (pg preflight, topics
// create-*/lint) print under their findings table.
#include <ostream>
#include <string>
#include <vector>

#include "core/exit_codes.hpp"

namespace cdcctl::app {

struct WhyAndFix {
  CheckStatus status = CheckStatus::Ok;
  std::string subject{};
  std::string why{};
  std::string fix{};  // printed on its own line when not empty
};

// Prints nothing when every item is OK.
inline void print_why_and_fix(std::ostream& out, const std::vector<WhyAndFix>& items) {
  bool header = false;
  for (const auto& item : items) {
    if (item.status == CheckStatus::Ok) continue;
    if (!header) out << "\nwhy it matters, and the fix:\n";
    header = true;
    out << "  " << verdict_name(item.status) << " " << item.subject << ": " << item.why << "\n";
    if (!item.fix.empty()) out << "      " << item.fix << "\n";
  }
}

}  // namespace cdcctl::app
