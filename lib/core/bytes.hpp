#pragma once
// Arbitrary bytes (Kafka keys, values, headers) made safe to show or carry in
// JSON: base64, UTF-8 validity, cutting text without splitting a character.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace cdcctl {

// Standard base64 with padding (RFC 4648 §4).
std::string base64_encode(std::string_view bytes);
// nullopt when the text is not standard base64.
std::optional<std::string> base64_decode(std::string_view text);

// Valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool is_valid_utf8(std::string_view bytes);
// Valid UTF-8 without control characters other than tab, newline and
// carriage return: safe to print on a terminal.
bool is_printable_utf8(std::string_view bytes);

// At most max_bytes of text, cut back to a character boundary when the cut
// would fall inside a UTF-8 sequence.
std::string_view truncate_utf8(std::string_view text, std::size_t max_bytes);

}  // namespace cdcctl
