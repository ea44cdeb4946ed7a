#include "core/text.hpp"

namespace cdcctl {

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

void append_json_quoted(std::string& out, std::string_view text, HexCase hex) {
  const char* digits = hex == HexCase::Lower ? "0123456789abcdef" : "0123456789ABCDEF";
  out += '"';
  // Runs of characters that need no escape (nearly all of them) are appended
  // whole: this is on the capture's hot path, once per string of every event.
  std::size_t unwritten = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (static_cast<unsigned char>(c) >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + unwritten, i - unwritten);
    unwritten = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:  // the other control characters
        out += "\\u00";
        out += digits[(c >> 4) & 0xF];
        out += digits[c & 0xF];
    }
  }
  out.append(text.data() + unwritten, text.size() - unwritten);
  out += '"';
}

}  // namespace cdcctl
