#pragma once
// Small text helpers shared by every module.
#include <string>
#include <string_view>

namespace cdcctl {

// ASCII lower case, independent of the C locale: identifiers, units, keys and
// header names are compared this way; bytes above 0x7F pass through.
std::string ascii_lower(std::string_view text);

}  // namespace cdcctl
