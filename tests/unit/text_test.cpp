// JSON string quoting and UTF-8 validation: both run for every string of
// every captured event, so they take shortcuts (whole runs of plain
// characters, eight ASCII bytes at a time) that must not change a byte.
#include <doctest/doctest.h>

#include <string>

#include "core/bytes.hpp"
#include "core/text.hpp"

using namespace cdcctl;

namespace {

std::string quoted(std::string_view text, HexCase hex = HexCase::Lower) {
  std::string out = "prefix:";
  append_json_quoted(out, text, hex);
  return out;
}

}  // namespace

TEST_CASE("JSON quoting escapes exactly what JSON requires wherever it is in the string") {
  CHECK(quoted("") == R"(prefix:"")");
  CHECK(quoted("plain text") == R"(prefix:"plain text")");
  CHECK(quoted(R"("at start)") == R"(prefix:"\"at start")");
  CHECK(quoted(R"(in "the" middle)") == R"(prefix:"in \"the\" middle")");
  CHECK(quoted("at end\\") == R"(prefix:"at end\\")");
  CHECK(quoted("tab\there\nnewline\r\b\f") == R"(prefix:"tab\there\nnewline\r\b\f")");
  CHECK(quoted(std::string("nul\0and\x1f", 8)) == R"(prefix:"nul\u0000and\u001f")");
  CHECK(quoted("\x1b", HexCase::Upper) == R"(prefix:"\u001B")");
  CHECK(quoted("\x1b", HexCase::Lower) == R"(prefix:"\u001b")");
  CHECK(quoted("Zürich, 東京, 🎉 / <tag> '\x7f'") == "prefix:\"Zürich, 東京, 🎉 / <tag> '\x7f'\"");  // kept as is
  CHECK(quoted("\"\"\\\\") == R"(prefix:"\"\"\\\\")");  // nothing but escapes
}

TEST_CASE("UTF-8 validation finds a bad byte at any offset inside or after ASCII runs") {
  const std::string ascii(40, 'a');
  CHECK(is_valid_utf8(ascii));
  CHECK(is_valid_utf8(""));
  for (std::size_t at = 0; at < 24; ++at) {
    std::string bad = ascii;
    bad[at] = '\xff';
    CHECK_MESSAGE(!is_valid_utf8(bad), "0xff at offset ", at);
    std::string truncated = ascii.substr(0, at) + "\xe6\x9d";  // half of 東 at the end
    CHECK_MESSAGE(!is_valid_utf8(truncated), "a cut sequence after ", at, " ASCII bytes");
    std::string good = ascii.substr(0, at) + "東京" + ascii.substr(0, 9);
    CHECK_MESSAGE(is_valid_utf8(good), "multibyte characters after ", at, " ASCII bytes");
  }
  CHECK_FALSE(is_valid_utf8("abcdefg\xc0\xaf"));      // overlong, right after a run of seven
  CHECK_FALSE(is_valid_utf8("abcdefgh\xed\xa0\x80"));  // a surrogate, right after a run of eight
  CHECK(is_valid_utf8("abcdefgh\xf0\x9f\x8e\x89"));    // 🎉
}
