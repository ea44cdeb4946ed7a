#include "pg/lsn.hpp"

#include <cstdio>

#include "core/error.hpp"

namespace cdcctl::pg {

std::string format_lsn(Lsn lsn) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%X/%X", static_cast<unsigned>(lsn >> 32), static_cast<unsigned>(lsn & 0xFFFFFFFFu));
  return buffer;
}

Lsn parse_lsn(std::string_view text) {
  const auto slash = text.find('/');
  const auto hex = [&](std::string_view part, std::uint64_t& value) {
    if (part.empty() || part.size() > 8) return false;
    value = 0;
    for (const char c : part) {
      int digit = -1;
      if (c >= '0' && c <= '9') digit = c - '0';
      else if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
      else if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
      if (digit < 0) return false;
      value = value * 16 + static_cast<std::uint64_t>(digit);
    }
    return true;
  };
  std::uint64_t high = 0, low = 0;
  if (slash == std::string_view::npos || !hex(text.substr(0, slash), high) || !hex(text.substr(slash + 1), low)) {
    throw Error::usage("invalid LSN '" + std::string(text) + "'", "expected hex HIGH/LOW, e.g. 0/16B3778");
  }
  return (high << 32) | low;
}

}  // namespace cdcctl::pg
