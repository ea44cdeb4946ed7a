#pragma once
// Small text helpers shared by every module.
#include <cstddef>
#include <string>
#include <string_view>

namespace cdcctl {

// ASCII lower case, independent of the C locale: identifiers, units, keys and
// header names are compared this way; bytes above 0x7F pass through.
std::string ascii_lower(std::string_view text);

// `text` as a quoted JSON string, appended to `out`: UTF-8 kept as it is,
// '"' and '\\' escaped, control characters as \\b \\f \\n \\r \\t or \\u00XX.
// The hex digits' case is the only difference between JSON writers here:
// nlohmann writes lower case, Java's Jackson upper case.
enum class HexCase { Lower, Upper };
void append_json_quoted(std::string& out, std::string_view text, HexCase hex = HexCase::Lower);

// A string literal's characters, its length known when compiled: operator+=
// with a const char* measures it with strlen on every call, which the
// per-change encoders pay dozens of times.
template <std::size_t N>
void append_literal(std::string& out, const char (&text)[N]) {
  out.append(text, N - 1);
}

}  // namespace cdcctl
