#pragma once
// Log sequence numbers: PostgreSQL's WAL positions, a 64-bit byte offset
// written as two hex halves.
#include <cstdint>
#include <string>
#include <string_view>

namespace cdcctl::pg {

using Lsn = std::uint64_t;
// "16/B374D848" (hex, high/low 32 bits), as PostgreSQL prints an LSN.
std::string format_lsn(Lsn lsn);
// Throws Error (usage) for text that is not an LSN.
Lsn parse_lsn(std::string_view text);

}  // namespace cdcctl::pg
