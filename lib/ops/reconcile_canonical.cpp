#include "core/text.hpp"
#include "ops/reconcile_canonical.hpp"

#include "core/units.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <stdexcept>

namespace cdcctl::ops {

namespace {


bool starts_with_any(const std::string& text, std::initializer_list<std::string_view> prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(), [&](std::string_view prefix) { return text.starts_with(prefix); });
}

bool is_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

struct Cursor {
  std::string_view text;
  std::size_t at = 0;
  bool number(std::size_t width, int& value) {
    if (at + width > text.size()) return false;
    const auto part = text.substr(at, width);
    if (!is_digits(part)) return false;
    value = std::stoi(std::string(part));
    at += width;
    return true;
  }
  bool eat(char c) {
    if (at < text.size() && text[at] == c) {
      ++at;
      return true;
    }
    return false;
  }
  std::string_view digits() {
    const auto start = at;
    while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at]))) ++at;
    return text.substr(start, at - start);
  }
  bool done() const { return at == text.size(); }
};

std::string two(int value) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "%02d", value);
  return buffer;
}

}  // namespace

std::string_view kind_name(ValueKind kind) {
  switch (kind) {
    case ValueKind::Integer: return "integer";
    case ValueKind::Decimal: return "decimal";
    case ValueKind::Float4: return "float4";
    case ValueKind::Float8: return "float8";
    case ValueKind::Boolean: return "boolean";
    case ValueKind::Text: return "text";
    case ValueKind::FixedText: return "fixed-text";
    case ValueKind::Binary: return "binary";
    case ValueKind::Uuid: return "uuid";
    case ValueKind::Date: return "date";
    case ValueKind::Time: return "time";
    case ValueKind::Timestamp: return "timestamp";
    case ValueKind::TimestampTz: return "timestamptz";
    case ValueKind::Other: return "other";
  }
  return "other";
}

ValueKind kind_of_type(std::string_view type_name) {
  const std::string type = ascii_lower(type_name);
  if (type.ends_with("[]") || type.starts_with("_")) return ValueKind::Other;  // arrays
  if (starts_with_any(type, {"smallint", "integer", "bigint", "int", "tinyint", "mediumint", "serial", "bigserial",
                             "smallserial", "int2", "int4", "int8", "oid"})) {
    if (type.starts_with("interval")) return ValueKind::Other;
    return ValueKind::Integer;
  }
  if (starts_with_any(type, {"numeric", "decimal", "money", "smallmoney", "number"})) return ValueKind::Decimal;
  if (starts_with_any(type, {"real", "float4"})) return ValueKind::Float4;
  if (starts_with_any(type, {"double", "float"})) return ValueKind::Float8;
  if (starts_with_any(type, {"bool", "bit"}) && type != "bit varying" && !type.starts_with("bit(")) return ValueKind::Boolean;
  if (starts_with_any(type, {"bytea", "blob", "binary", "varbinary", "image", "longblob", "mediumblob", "tinyblob"})) {
    return ValueKind::Binary;
  }
  if (starts_with_any(type, {"uuid", "uniqueidentifier"})) return ValueKind::Uuid;
  if (type == "date") return ValueKind::Date;
  if (starts_with_any(type, {"timestamp with time zone", "timestamptz", "datetimeoffset"})) return ValueKind::TimestampTz;
  if (starts_with_any(type, {"timestamp", "datetime", "smalldatetime"})) return ValueKind::Timestamp;
  if (starts_with_any(type, {"time with time zone", "timetz"})) return ValueKind::Other;
  if (type.starts_with("time")) return ValueKind::Time;
  if (!starts_with_any(type, {"character varying", "char varying", "nchar varying", "national character varying"}) &&
      (starts_with_any(type, {"character(", "char(", "nchar(", "bpchar", "national character("}) || type == "character" ||
       type == "char" || type == "nchar")) {
    return ValueKind::FixedText;
  }
  if (starts_with_any(type, {"text", "varchar", "character", "char", "nvarchar", "nchar", "ntext", "string", "clob",
                             "citext", "name", "bpchar", "tinytext", "mediumtext", "longtext", "json", "xml"})) {
    return ValueKind::Text;
  }
  return ValueKind::Other;
}

ValueKind common_kind(ValueKind source, ValueKind target) {
  const auto vague = [](ValueKind kind) { return kind == ValueKind::Text || kind == ValueKind::Other; };
  if (vague(source) && !vague(target)) return target;
  if (vague(target) && !vague(source)) return source;
  // 4-byte floats on either side: compare at 4-byte precision.
  if ((source == ValueKind::Float4 && target == ValueKind::Float8) || (source == ValueKind::Float8 && target == ValueKind::Float4)) {
    return ValueKind::Float4;
  }
  // A timestamp with a zone and one without: the one without is taken as UTC.
  if ((source == ValueKind::Timestamp && target == ValueKind::TimestampTz) ||
      (source == ValueKind::TimestampTz && target == ValueKind::Timestamp)) {
    return ValueKind::TimestampTz;
  }
  return source;
}

std::string canonical_decimal(std::string_view text, bool keep_scale) {
  std::size_t at = 0;
  bool negative = false;
  if (at < text.size() && (text[at] == '+' || text[at] == '-')) negative = text[at++] == '-';
  std::string integer_part, fraction_part;
  while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at]))) integer_part += text[at++];
  if (at < text.size() && text[at] == '.') {
    ++at;
    while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at]))) fraction_part += text[at++];
  }
  if (integer_part.empty() && fraction_part.empty()) return std::string(text);
  long exponent = 0;
  if (at < text.size() && (text[at] == 'e' || text[at] == 'E')) {
    ++at;
    bool exponent_negative = false;
    if (at < text.size() && (text[at] == '+' || text[at] == '-')) exponent_negative = text[at++] == '-';
    const auto start = at;
    while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at]))) ++at;
    if (start == at || at - start > 6) return std::string(text);
    exponent = std::stol(std::string(text.substr(start, at - start)));
    if (exponent_negative) exponent = -exponent;
  }
  if (at != text.size()) return std::string(text);
  // Shift the decimal point by the exponent.
  std::string digits = integer_part + fraction_part;
  long point = static_cast<long>(integer_part.size()) + exponent;
  if (point < 0) {
    digits.insert(0, static_cast<std::size_t>(-point), '0');
    point = 0;
  }
  if (point > static_cast<long>(digits.size())) digits.append(static_cast<std::size_t>(point) - digits.size(), '0');
  std::string whole = digits.substr(0, static_cast<std::size_t>(point));
  std::string part = digits.substr(static_cast<std::size_t>(point));
  whole.erase(0, std::min(whole.find_first_not_of('0'), whole.size()));
  if (whole.empty()) whole = "0";
  if (!keep_scale) {
    while (!part.empty() && part.back() == '0') part.pop_back();
  }
  const bool zero = whole == "0" && part.find_first_not_of('0') == std::string::npos;
  std::string out = (negative && !zero) ? "-" : "";
  out += whole;
  if (!part.empty()) out += "." + part;
  return out;
}

namespace {

// Microseconds from fraction digits: the first six, rounded on the seventh
// as PostgreSQL rounds input finer than it stores (SQL Server's datetime2
// has seven digits).
std::int64_t micros_of(std::string_view digits) {
  std::string six(digits.substr(0, 6));
  six.resize(6, '0');
  std::int64_t micros = std::stoll(six);
  if (digits.size() > 6 && digits[6] >= '5') ++micros;
  return micros;
}

// Floors to `precision` fraction digits, then prints ".fff" without
// trailing zeros (empty for a whole second).
std::string fraction_text(std::int64_t micros, int precision) {
  static constexpr std::int64_t kUnit[] = {1000000, 100000, 10000, 1000, 100, 10, 1};
  micros -= micros % kUnit[std::clamp(precision, 0, 6)];
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%06lld", static_cast<long long>(micros));
  std::string out(buffer);
  while (!out.empty() && out.back() == '0') out.pop_back();
  return out.empty() ? out : "." + out;
}

}  // namespace

std::string canonical_timestamp(std::string_view text, int precision) {
  Cursor c{text};
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!c.number(4, year) || !c.eat('-') || !c.number(2, month) || !c.eat('-') || !c.number(2, day)) return std::string(text);
  std::string_view digits;
  if (!c.done() && (text[c.at] == ' ' || text[c.at] == 'T') && c.at + 1 < text.size() &&
      std::isdigit(static_cast<unsigned char>(text[c.at + 1]))) {
    ++c.at;
    if (!c.number(2, hour) || !c.eat(':') || !c.number(2, minute)) return std::string(text);
    if (c.eat(':')) {
      if (!c.number(2, second)) return std::string(text);
      if (c.eat('.')) digits = c.digits();
    }
  }
  while (c.eat(' ')) {
  }  // SQL Server writes "… +02:00"
  int offset_minutes = 0;
  if (c.eat('Z')) {
  } else if (!c.done() && (text[c.at] == '+' || text[c.at] == '-')) {
    const bool negative = text[c.at++] == '-';
    int offset_hours = 0, offset_rest = 0;
    if (!c.number(2, offset_hours)) return std::string(text);
    if (c.eat(':')) {
      if (!c.number(2, offset_rest)) return std::string(text);
    } else {
      c.number(2, offset_rest);
    }
    offset_minutes = (offset_hours * 60 + offset_rest) * (negative ? -1 : 1);
  }
  if (!c.done()) return std::string(text);
  // Through microseconds since the epoch: the offset, the rounding of a
  // seventh digit and the precision all carry into seconds, days, years.
  const std::int64_t seconds = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
                               (hour * 60 + minute - offset_minutes) * 60 + second;
  const auto [utc, micros] = utc_from_micros(seconds * 1000000 + micros_of(digits));
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%s-%s %s:%s:%s", utc.tm_year + 1900, two(utc.tm_mon + 1).c_str(),
                two(utc.tm_mday).c_str(), two(utc.tm_hour).c_str(), two(utc.tm_min).c_str(), two(utc.tm_sec).c_str());
  return buffer + fraction_text(micros, precision);
}

std::string canonical_time(std::string_view text, int precision) {
  Cursor c{text};
  int hour = 0, minute = 0, second = 0;
  if (!c.number(2, hour) || !c.eat(':') || !c.number(2, minute)) return std::string(text);
  std::string_view digits;
  if (c.eat(':')) {
    if (!c.number(2, second)) return std::string(text);
    if (c.eat('.')) digits = c.digits();
  }
  if (!c.done()) return std::string(text);
  std::int64_t total = (hour * 3600 + minute * 60 + second) * std::int64_t{1000000} + micros_of(digits);
  const std::int64_t whole = total / 1000000;
  return two(static_cast<int>(whole / 3600)) + ":" + two(static_cast<int>(whole / 60 % 60)) + ":" +
         two(static_cast<int>(whole % 60)) + fraction_text(total % 1000000, precision);
}

std::optional<std::string> canonical_value(ValueKind kind, const std::optional<std::string>& raw,
                                           const CanonicalOptions& options) {
  if (!raw) return std::nullopt;
  const std::string& value = *raw;
  switch (kind) {
    case ValueKind::Integer:
    case ValueKind::Decimal: return canonical_decimal(value, kind == ValueKind::Decimal && options.exact_numerics);
    case ValueKind::Float4:
    case ValueKind::Float8: {
      double number = 0;
      const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
      if (error != std::errc() || end != value.data() + value.size()) {
        const auto word = ascii_lower(value);
        if (word == "nan") return "NaN";
        if (word == "inf" || word == "infinity") return "Infinity";
        if (word == "-inf" || word == "-infinity") return "-Infinity";
        return value;
      }
      if (std::isnan(number)) return "NaN";
      if (std::isinf(number)) return number > 0 ? "Infinity" : "-Infinity";
      char buffer[64];
      std::snprintf(buffer, sizeof buffer, "%.*g", kind == ValueKind::Float4 ? 6 : 15, number);
      return canonical_decimal(buffer);
    }
    case ValueKind::Boolean: {
      const auto word = ascii_lower(value);
      if (word == "1" || word == "t" || word == "true" || word == "y" || word == "yes") return "1";
      if (word == "0" || word == "f" || word == "false" || word == "n" || word == "no") return "0";
      return value;
    }
    case ValueKind::Uuid: return ascii_lower(value);
    case ValueKind::Binary: return ascii_lower(value.starts_with("\\x") ? value.substr(2) : value);
    case ValueKind::Date: return value.size() >= 10 && value[4] == '-' && value[7] == '-' ? value.substr(0, 10) : value;
    case ValueKind::Time: return canonical_time(value, options.timestamp_precision);
    case ValueKind::Timestamp:
    case ValueKind::TimestampTz: return canonical_timestamp(value, options.timestamp_precision);
    case ValueKind::FixedText: return value.substr(0, value.find_last_not_of(' ') + 1);
    case ValueKind::Text:
    case ValueKind::Other: return value;
  }
  return value;
}

std::string postgres_canonical_expression(const std::string& column, ValueKind kind, const CanonicalOptions& options) {
  // Text output of dates, times and timestamps relies on DateStyle ISO, which
  // every reconcile session sets; it is also far cheaper than to_char.
  const std::string unit = options.timestamp_precision >= 6   ? ""
                           : options.timestamp_precision >= 3 ? "milliseconds"
                                                              : "second";
  switch (kind) {
    case ValueKind::Integer: return column + "::text";
    case ValueKind::Decimal:
      return options.exact_numerics ? column + "::numeric::text" : "trim_scale(" + column + "::numeric)::text";
    case ValueKind::Float4: return "trim_scale(" + column + "::float4::numeric)::text";
    case ValueKind::Float8: return "trim_scale(" + column + "::numeric)::text";
    case ValueKind::Boolean: return column + "::int::text";
    case ValueKind::Binary: return "encode(" + column + ", 'hex')";
    case ValueKind::Uuid: return "lower(" + column + "::text)";
    case ValueKind::Date: return column + "::date::text";
    case ValueKind::Time:
      return unit.empty() ? column + "::time::text" : "date_trunc('" + unit + "', " + column + "::interval)::time::text";
    case ValueKind::Timestamp:
    case ValueKind::TimestampTz: {
      const std::string utc = kind == ValueKind::TimestampTz ? "(" + column + " AT TIME ZONE 'UTC')" : column + "::timestamp";
      return unit.empty() ? utc + "::text" : "date_trunc('" + unit + "', " + utc + ")::text";
    }
    case ValueKind::FixedText:  // bpchar::text drops the padding
    case ValueKind::Text:
    case ValueKind::Other: return column + "::text";
  }
  return column + "::text";
}

void append_row_value(std::string& row_text, const std::optional<std::string>& value) {
  if (!value) {
    row_text += "-1:";
    return;
  }
  row_text += std::to_string(value->size());
  row_text += ':';
  row_text += *value;
}

std::int64_t row_hash(std::string_view row_text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  // Fetched once: implicit fetching on every call costs more than the hash.
  static EVP_MD* md5 = EVP_MD_fetch(nullptr, "MD5", nullptr);
  if (!md5 || !EVP_Digest(row_text.data(), row_text.size(), digest, &length, md5, nullptr)) {
    throw std::runtime_error("MD5 is not available from OpenSSL");
  }
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | digest[i];
  return static_cast<std::int64_t>(value);
}

std::string to_string(__int128 value) {
  if (value == 0) return "0";
  const bool negative = value < 0;
  unsigned __int128 magnitude = negative ? static_cast<unsigned __int128>(-(value + 1)) + 1 : static_cast<unsigned __int128>(value);
  std::string out;
  while (magnitude > 0) {
    out += static_cast<char>('0' + static_cast<int>(magnitude % 10));
    magnitude /= 10;
  }
  if (negative) out += '-';
  std::reverse(out.begin(), out.end());
  return out;
}

__int128 parse_int128(std::string_view text) {
  bool negative = false;
  std::size_t at = 0;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) negative = text[at++] == '-';
  if (at == text.size()) throw std::invalid_argument("not a number: " + std::string(text));
  __int128 value = 0;
  for (; at < text.size(); ++at) {
    if (!std::isdigit(static_cast<unsigned char>(text[at]))) throw std::invalid_argument("not a number: " + std::string(text));
    value = value * 10 + (text[at] - '0');
  }
  return negative ? -value : value;
}

}  // namespace cdcctl::ops
