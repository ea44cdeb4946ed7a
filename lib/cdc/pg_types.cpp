#include "cdc/pg_types.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>

#include "core/bytes.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "core/units.hpp"

namespace cdcctl::cdc {

namespace {

[[noreturn]] void unparsable(const std::string& text, const char* type) {
  throw Error::failed("cannot read '" + text + "' as " + type, "PostgreSQL sent a value cdcctl does not understand");
}

bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

ConnectSchema primitive(const std::string& type, bool optional) {
  ConnectSchema schema;
  schema.type = type;
  schema.optional = optional;
  return schema;
}

ConnectSchema named(const std::string& type, bool optional, const std::string& name) {
  auto schema = primitive(type, optional);
  schema.name = name;
  schema.version = 1;
  return schema;
}

int time_precision(std::int32_t modifier) { return modifier < 0 ? 6 : std::min<int>(modifier, 6); }

// numeric(p,s): atttypmod - 4 holds p in the high and s in the low 16 bits.
std::optional<std::pair<int, int>> numeric_precision_scale(std::int32_t modifier) {
  if (modifier < 4) return std::nullopt;
  const auto packed = modifier - 4;
  return std::pair{(packed >> 16) & 0xFFFF, packed & 0xFFFF};
}

ConnectSchema decimal_schema(bool optional, int scale, std::optional<int> precision) {
  auto schema = named("bytes", optional, "org.apache.kafka.connect.data.Decimal");
  schema.parameters.emplace_back("scale", std::to_string(scale));
  if (precision) schema.parameters.emplace_back("connect.decimal.precision", std::to_string(*precision));
  return schema;
}

// "-12.340" → sign, integer digits, fraction digits.
struct DecimalText {
  bool negative = false;
  std::string integer;
  std::string fraction;
};

DecimalText split_decimal(const std::string& text) {
  DecimalText out;
  std::size_t at = 0;
  if (at < text.size() && (text[at] == '-' || text[at] == '+')) out.negative = text[at++] == '-';
  while (at < text.size() && is_digit(text[at])) out.integer += text[at++];
  if (at < text.size() && text[at] == '.') {
    ++at;
    while (at < text.size() && is_digit(text[at])) out.fraction += text[at++];
  }
  if (at != text.size() || (out.integer.empty() && out.fraction.empty())) unparsable(text, "numeric");
  return out;
}

// The unscaled value at `scale` (digits past it are cut, as they cannot
// occur in a numeric(p,s) value), as a decimal integer string.
std::string unscaled(const DecimalText& value, int scale) {
  std::string fraction = value.fraction;
  fraction.resize(static_cast<std::size_t>(scale), '0');
  std::string digits = value.integer + fraction;
  digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size()));
  if (digits.empty()) return "0";
  return (value.negative ? "-" : "") + digits;
}

std::int64_t parse_int(const std::string& text, const char* type) {
  try {
    std::size_t used = 0;
    const auto value = std::stoll(text, &used);
    if (used != text.size()) unparsable(text, type);
    return value;
  } catch (const std::logic_error&) {
    unparsable(text, type);
  }
}

struct Clock {
  int hour = 0, minute = 0, second = 0;
  std::int64_t micros = 0;
};

// "HH:MM:SS[.ffffff]" from position `at`; advances it.
Clock parse_clock(const std::string& text, std::size_t& at, const char* type) {
  Clock clock;
  const auto two = [&](int& value) {
    if (at + 2 > text.size() || !is_digit(text[at]) || !is_digit(text[at + 1])) unparsable(text, type);
    value = (text[at] - '0') * 10 + (text[at + 1] - '0');
    at += 2;
  };
  two(clock.hour);
  if (at >= text.size() || text[at++] != ':') unparsable(text, type);
  two(clock.minute);
  if (at >= text.size() || text[at++] != ':') unparsable(text, type);
  two(clock.second);
  if (at < text.size() && text[at] == '.') {
    ++at;
    // Up to six digits are µs; fewer are padded ("5" is 500000 µs).
    int digits = 0;
    for (; at < text.size() && is_digit(text[at]); ++at, ++digits) {
      if (digits < 6) clock.micros = clock.micros * 10 + (text[at] - '0');
    }
    for (; digits < 6; ++digits) clock.micros *= 10;
  }
  return clock;
}

std::int64_t clock_micros(const Clock& clock) {
  return ((clock.hour * 60LL + clock.minute) * 60 + clock.second) * 1000000 + clock.micros;
}

// A point in time as whole seconds since the epoch and the µs past them:
// PostgreSQL's range (4713 BC to 294276 AD) does not fit in µs of an int64.
struct Instant {
  std::int64_t seconds = 0;
  std::int64_t micros = 0;  // 0 … 999999
};

// "YYYY-MM-DD HH:MM:SS[.f][±HH[:MM]][ BC]" → the instant (UTC).
Instant timestamp_instant(const std::string& text, const char* type) {
  // Parsed in place, without a string per part: this runs for every
  // timestamp of every change.
  std::size_t at = 0;
  std::int64_t year_value = 0;
  for (; at < text.size() && is_digit(text[at]) && at < 9; ++at) year_value = year_value * 10 + (text[at] - '0');
  if (at < 4 || at + 6 > text.size() || text[at] != '-' || text[at + 3] != '-') unparsable(text, type);
  const auto two_digits = [&](std::size_t from) {
    if (!is_digit(text[from]) || !is_digit(text[from + 1])) unparsable(text, type);
    return (text[from] - '0') * 10 + (text[from + 1] - '0');
  };
  const int month = two_digits(at + 1);
  const int day = two_digits(at + 4);
  at += 6;
  Clock clock;
  if (at < text.size() && text[at] == ' ' && at + 1 < text.size() && is_digit(text[at + 1])) {
    ++at;
    clock = parse_clock(text, at, type);
  }
  std::int64_t offset_seconds = 0;
  if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    const int sign = text[at++] == '-' ? -1 : 1;
    int parts[3] = {0, 0, 0};
    for (int part = 0; part < 3 && at + 2 <= text.size() && is_digit(text[at]); ++part) {
      parts[part] = two_digits(at);
      at += 2;
      if (at < text.size() && text[at] == ':') ++at;
    }
    offset_seconds = sign * (parts[0] * 3600 + parts[1] * 60 + parts[2]);
  }
  std::int64_t year = year_value;
  if (text.compare(at, 3, " BC") == 0) {
    year = 1 - year_value;  // 1 BC is year 0
    at += 3;
  }
  if (at != text.size()) unparsable(text, type);
  const auto days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return {days * 86400 - offset_seconds + (clock.hour * 60LL + clock.minute) * 60 + clock.second, clock.micros};
}

// The civil date of a day number (days since 1970-01-01), proleptic Gregorian.
void civil_from_days(std::int64_t days, std::int64_t& year, unsigned& month, unsigned& day) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<std::uint64_t>(days - era * 146097);
  const auto yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const auto doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const auto mp = (5 * doy + 2) / 153;
  day = static_cast<unsigned>(doy - (153 * mp + 2) / 5 + 1);
  month = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
  year = static_cast<std::int64_t>(yoe) + era * 400 + (month <= 2 ? 1 : 0);
}

// java.time's ISO form of an instant in UTC, the fraction padded to
// `precision` digits: years past 9999 get a '+', years before 1 are
// astronomical (0 is 1 BC, then -0001).
std::string iso_instant(const Instant& instant, int precision) {
  std::int64_t days = instant.seconds / 86400;
  std::int64_t second_of_day = instant.seconds % 86400;
  if (second_of_day < 0) {
    second_of_day += 86400;
    --days;
  }
  std::int64_t year = 0;
  unsigned month = 0, day = 0;
  civil_from_days(days, year, month, day);
  char buffer[64];
  const char* sign = year > 9999 ? "+" : year < 0 ? "-" : "";
  std::snprintf(buffer, sizeof buffer, "%s%04lld-%02u-%02uT%02lld:%02lld:%02lld", sign,
                static_cast<long long>(year < 0 ? -year : year), month, day,
                static_cast<long long>(second_of_day / 3600), static_cast<long long>(second_of_day / 60 % 60),
                static_cast<long long>(second_of_day % 60));
  std::string out = buffer;
  if (precision > 0) {
    std::snprintf(buffer, sizeof buffer, ".%06lld", static_cast<long long>(instant.micros));
    out.append(buffer, static_cast<std::size_t>(1 + std::min(precision, 6)));
  }
  out += 'Z';
  return out;
}

// ISO 8601 in UTC with the fraction padded to `precision` digits.
std::string zoned_timestamp(std::int64_t micros, int precision) {
  const auto [utc, fraction] = utc_from_micros(micros);
  std::string out;
  out.reserve(32);
  const int year = utc.tm_year + 1900;
  if (year >= 0 && year <= 9999) {
    // Written digit by digit: printf is a large part of a change's cost.
    const auto put = [&](int value, int width) {
      char digits[8];
      for (int i = width - 1; i >= 0; --i, value /= 10) digits[i] = static_cast<char>('0' + value % 10);
      out.append(digits, static_cast<std::size_t>(width));
    };
    put(year, 4);
    out += '-';
    put(utc.tm_mon + 1, 2);
    out += '-';
    put(utc.tm_mday, 2);
    out += 'T';
    put(utc.tm_hour, 2);
    out += ':';
    put(utc.tm_min, 2);
    out += ':';
    put(utc.tm_sec, 2);
  } else {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d", year, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour,
                  utc.tm_min, utc.tm_sec);
    out = buffer;
  }
  if (precision > 0) {
    char digits[6];
    auto value = static_cast<long long>(fraction);
    for (int i = 5; i >= 0; --i, value /= 10) digits[i] = static_cast<char>('0' + value % 10);
    out += '.';
    out.append(digits, static_cast<std::size_t>(std::min(precision, 6)));
  }
  out += 'Z';
  return out;
}

std::string hex_to_bytes(const std::string& text) {
  if (!text.starts_with("\\x") || text.size() % 2 != 0) unparsable(text, "bytea");
  std::string out;
  out.reserve((text.size() - 2) / 2);
  for (std::size_t i = 2; i < text.size(); i += 2) {
    const auto nibble = [&](char c) {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      unparsable(text, "bytea");
    };
    out += static_cast<char>(nibble(text[i]) * 16 + nibble(text[i + 1]));
  }
  return out;
}

// A bit string ("1011") as Debezium's Bits: the number it spells, as
// little-endian bytes, ceil(length/8) of them.
std::string bits_bytes(const std::string& text) {
  std::string out((text.size() + 7) / 8, '\0');
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[text.size() - 1 - i] == '1') out[i / 8] = static_cast<char>(out[i / 8] | (1 << (i % 8)));
    else if (text[text.size() - 1 - i] != '0') unparsable(text, "bit");
  }
  // java.util.BitSet.toByteArray(), which Debezium writes: no high zero bytes
  // (all zeros are no bytes at all).
  while (!out.empty() && out.back() == '\0') out.pop_back();
  return out;
}

// A point "(x,y)" as io.debezium.data.geometry.Point: the coordinates, and
// the same point as OGC well-known binary (little-endian, type 1) without
// an SRID.
OrderedJson point_value(const std::string& text) {
  double x = 0, y = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "(%lf,%lf%c", &x, &y, &tail) != 3 || tail != ')') unparsable(text, "point");
  std::string wkb = {'\x01', '\x01', '\0', '\0', '\0'};
  for (const double coordinate : {x, y}) {
    std::uint64_t bits = 0;
    std::memcpy(&bits, &coordinate, sizeof bits);
    for (int i = 0; i < 8; ++i) wkb += static_cast<char>((bits >> (8 * i)) & 0xFF);
  }
  OrderedJson out = OrderedJson::object();
  out["x"] = x;
  out["y"] = y;
  out["wkb"] = base64_encode(wkb);
  out["srid"] = nullptr;
  return out;
}

// The double a JSON reader gets from Jackson's text of a Java float:
// Float.toString, the shortest decimal that reads back as the float but
// with at least two significant digits (1.4E-45, where the shortest is 1e-45).
double java_float_value(float value) {
  char text[64];
  auto result = std::to_chars(text, text + sizeof text, value, std::chars_format::scientific);
  const std::string_view shortest(text, static_cast<std::size_t>(result.ptr - text));
  const auto exponent = shortest.find('e');
  const auto mantissa = shortest.substr(0, exponent);
  const auto digits = std::count_if(mantissa.begin(), mantissa.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (digits < 2) result = std::to_chars(text, text + sizeof text, value, std::chars_format::scientific, 1);
  return std::strtod(std::string(text, result.ptr).c_str(), nullptr);
}

// A date as io.debezium.time.Date / Connect's Date: days since 1970-01-01.
// Streamed, Debezium parses the text with java.time (BC dates are proleptic,
// 1 BC being year 0) and maps infinity to its sentinel LocalDates
// -5877611-06-21 and -06-22. Read by a snapshot, it goes through
// java.sql.Date: the era is dropped (4713-01-01 BC reads as 4713-01-01) and
// infinity is PGStatement.DATE_POSITIVE/NEGATIVE_INFINITY milliseconds,
// floored to days and narrowed to 32 bits.
std::int64_t date_days(const std::string& text, bool snapshot_read) {
  if (text == "infinity" || text == "-infinity") {
    const bool positive = text == "infinity";
    if (!snapshot_read) return days_from_civil(-5877611, 6, positive ? 21 : 22);
    // +infinity: 9223372036825200000 ms floored to days, narrowed to 32
    // bits. -infinity goes through the Julian calendar fields of a date
    // 292 million years BC; the day Debezium 3.6 writes for it.
    if (!positive) return -625821272;
    const std::int64_t days = 9223372036825200000LL / 86400000;
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(static_cast<std::uint64_t>(days)));
  }
  std::size_t at = 0;
  std::int64_t year = 0;
  for (; at < text.size() && is_digit(text[at]) && at < 9; ++at) year = year * 10 + (text[at] - '0');
  if (at < 4 || at + 6 > text.size() || text[at] != '-' || text[at + 3] != '-' || !is_digit(text[at + 1]) ||
      !is_digit(text[at + 2]) || !is_digit(text[at + 4]) || !is_digit(text[at + 5])) {
    unparsable(text, "date");
  }
  const unsigned month = static_cast<unsigned>((text[at + 1] - '0') * 10 + (text[at + 2] - '0'));
  const unsigned day = static_cast<unsigned>((text[at + 4] - '0') * 10 + (text[at + 5] - '0'));
  at += 6;
  if (text.compare(at, std::string::npos, " BC") == 0) {
    if (!snapshot_read) year = 1 - year;
  } else if (at != text.size()) {
    unparsable(text, "date");
  }
  return days_from_civil(year, month, day);
}

bool is_array_type(const PgColumnType& type) { return array_element(type.oid) != 0 || type.element_oid != 0; }
PgColumnType element_type(const PgColumnType& type) {
  PgColumnType element;
  element.oid = type.element_oid ? type.element_oid : array_element(type.oid);
  element.modifier = type.modifier;
  element.enum_labels = type.enum_labels;
  return element;
}

}  // namespace

DecimalHandling parse_decimal_handling(std::string_view text) {
  if (text == "precise") return DecimalHandling::Precise;
  if (text == "double") return DecimalHandling::Double;
  if (text == "string") return DecimalHandling::String;
  throw Error::usage("invalid decimal.handling.mode '" + std::string(text) + "'", "expected precise, double or string");
}

TimePrecision parse_time_precision(std::string_view text) {
  if (text == "adaptive") return TimePrecision::Adaptive;
  if (text == "adaptive_time_microseconds") return TimePrecision::AdaptiveTimeMicroseconds;
  if (text == "connect") return TimePrecision::Connect;
  throw Error::usage("invalid time.precision.mode '" + std::string(text) + "'",
                     "expected adaptive, adaptive_time_microseconds or connect");
}

std::uint32_t array_element(std::uint32_t array_oid) {
  static const std::map<std::uint32_t, std::uint32_t> elements = {
      {1000, oid::kBool},      {1001, oid::kBytea},    {1003, oid::kName},     {1005, oid::kInt2},
      {1007, oid::kInt4},      {1016, oid::kInt8},     {1009, oid::kText},     {1015, oid::kVarchar},
      {1014, oid::kBpchar},    {1021, oid::kFloat4},   {1022, oid::kFloat8},   {1231, oid::kNumeric},
      {1182, oid::kDate},      {1183, oid::kTime},     {1115, oid::kTimestamp}, {1185, oid::kTimestamptz},
      {1187, oid::kInterval},  {2951, oid::kUuid},     {199, oid::kJson},      {3807, oid::kJsonb},
      {1028, oid::kOid},       {143, oid::kXml},       {791, oid::kMoney},     {1041, oid::kInet},
  };
  const auto found = elements.find(array_oid);
  return found == elements.end() ? 0 : found->second;
}

ConnectSchema column_schema(const PgColumnType& type, bool optional, const TypeMappingOptions& options) {
  if (is_array_type(type)) {
    auto schema = primitive("array", optional);
    // Debezium makes an enum array's elements required (and the whole value
    // null when one is NULL); every other element type's optional.
    schema.items.push_back(column_schema(element_type(type), type.enum_labels.empty(), options));
    return schema;
  }
  if (type.name == "hstore") return named("string", optional, "io.debezium.data.Json");
  if (type.name == "ltree") return named("string", optional, "io.debezium.data.Ltree");
  if (!type.enum_labels.empty()) {
    auto schema = named("string", optional, "io.debezium.data.Enum");
    std::string allowed;
    for (const auto& label : type.enum_labels) allowed += (allowed.empty() ? "" : ",") + label;
    schema.parameters.emplace_back("allowed", allowed);
    return schema;
  }
  const bool connect_time = options.time == TimePrecision::Connect;
  switch (type.oid) {
    case oid::kBool: return primitive("boolean", optional);
    case oid::kInt2: return primitive("int16", optional);
    case oid::kInt4: return primitive("int32", optional);
    case oid::kInt8:
    case oid::kOid: return primitive("int64", optional);
    case oid::kFloat4: return primitive("float", optional);  // the JsonConverter's names for FLOAT32/FLOAT64
    case oid::kFloat8: return primitive("double", optional);
    case oid::kNumeric:
    case oid::kMoney: {
      if (options.decimal == DecimalHandling::Double) return primitive("double", optional);
      if (options.decimal == DecimalHandling::String) return primitive("string", optional);
      if (type.oid == oid::kMoney) return decimal_schema(optional, options.money_fraction_digits, std::nullopt);
      if (const auto ps = numeric_precision_scale(type.modifier)) return decimal_schema(optional, ps->second, ps->first);
      auto schema = named("struct", optional, "io.debezium.data.VariableScaleDecimal");
      schema.doc = "Variable scaled decimal";
      schema.fields.emplace_back("scale", primitive("int32", false));
      schema.fields.emplace_back("value", primitive("bytes", false));
      return schema;
    }
    case oid::kDate:
      return connect_time ? named("int32", optional, "org.apache.kafka.connect.data.Date")
                          : named("int32", optional, "io.debezium.time.Date");
    case oid::kTime:
      if (connect_time) return named("int32", optional, "org.apache.kafka.connect.data.Time");
      if (options.time == TimePrecision::Adaptive && time_precision(type.modifier) <= 3) {
        return named("int32", optional, "io.debezium.time.Time");
      }
      return named("int64", optional, "io.debezium.time.MicroTime");
    case oid::kTimestamp:
      if (connect_time) return named("int64", optional, "org.apache.kafka.connect.data.Timestamp");
      return time_precision(type.modifier) <= 3 ? named("int64", optional, "io.debezium.time.Timestamp")
                                                : named("int64", optional, "io.debezium.time.MicroTimestamp");
    case oid::kTimestamptz: return named("string", optional, "io.debezium.time.ZonedTimestamp");
    case oid::kTimetz: return named("string", optional, "io.debezium.time.ZonedTime");
    case oid::kInterval: return named("int64", optional, "io.debezium.time.MicroDuration");
    case oid::kUuid: return named("string", optional, "io.debezium.data.Uuid");
    case oid::kPoint: {
      auto schema = named("struct", optional, "io.debezium.data.geometry.Point");
      schema.doc = "Geometry (POINT)";
      schema.fields.emplace_back("x", primitive("double", false));
      schema.fields.emplace_back("y", primitive("double", false));
      schema.fields.emplace_back("wkb", primitive("bytes", true));
      schema.fields.emplace_back("srid", primitive("int32", true));
      return schema;
    }
    case oid::kJson:
    case oid::kJsonb: return named("string", optional, "io.debezium.data.Json");
    case oid::kXml: return named("string", optional, "io.debezium.data.Xml");
    case oid::kBytea: return primitive("bytes", optional);
    case oid::kBit:
    case oid::kVarbit: {
      if (type.oid == oid::kBit && type.modifier == 1) return primitive("boolean", optional);
      auto schema = named("bytes", optional, "io.debezium.data.Bits");
      // An unbounded varbit has Integer.MAX_VALUE bits to Debezium.
      schema.parameters.emplace_back("length", type.modifier < 0 ? (type.oid == oid::kBit ? "1" : "2147483647")
                                                                 : std::to_string(std::max(type.modifier, 1)));
      return schema;
    }
    default: return primitive("string", optional);
  }
}

namespace {

// A server whose TimeZone is UTC writes timestamptz as
// "YYYY-MM-DD HH:MM:SS[.f…]+00", which is already the ZonedTimestamp's
// fields: rewritten in place, without the parse into microseconds and back
// (most of what a change with a timestamptz column costs). nullopt for any
// other form (another offset, BC, infinity), which takes the general path.
std::optional<std::string> utc_text_as_zoned_timestamp(std::string_view text, int precision) {
  constexpr std::size_t kSeconds = 19;  // "YYYY-MM-DD HH:MM:SS"
  if (text.size() < kSeconds + 3 || text.substr(text.size() - 3) != "+00") return std::nullopt;
  const auto digit = [&](std::size_t at) { return text[at] >= '0' && text[at] <= '9'; };
  for (const std::size_t at : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18}) {
    if (!digit(at)) return std::nullopt;
  }
  if (text[4] != '-' || text[7] != '-' || text[10] != ' ' || text[13] != ':' || text[16] != ':') return std::nullopt;
  // Ranges only: PostgreSQL writes real dates (no February 30th, no second 60).
  const auto two = [&](std::size_t at) { return (text[at] - '0') * 10 + (text[at + 1] - '0'); };
  if (two(5) < 1 || two(5) > 12 || two(8) < 1 || two(8) > 31 || two(11) > 23 || two(14) > 59 || two(17) > 59) {
    return std::nullopt;
  }
  const std::size_t offset = text.size() - 3;
  std::string_view fraction;
  if (offset > kSeconds) {
    if (text[kSeconds] != '.') return std::nullopt;
    fraction = text.substr(kSeconds + 1, offset - kSeconds - 1);
    if (fraction.empty() || fraction.size() > 6) return std::nullopt;
    for (std::size_t at = kSeconds + 1; at < offset; ++at) {
      if (!digit(at)) return std::nullopt;
    }
  }
  std::string out;
  out.reserve(32);
  out.append(text.data(), 10);
  out += 'T';
  out.append(text.data() + 11, 8);
  if (precision > 0) {
    // The text drops trailing zeros; the ZonedTimestamp has the column's precision.
    char digits[6] = {'0', '0', '0', '0', '0', '0'};
    fraction.copy(digits, fraction.size());
    out += '.';
    out.append(digits, static_cast<std::size_t>(std::min(precision, 6)));
  }
  out += 'Z';
  return out;
}

}  // namespace

std::string zoned_timestamp_value(const PgColumnType& type, const std::string& text) {
  if (text == "infinity" || text == "-infinity") return text;
  const int precision = time_precision(type.modifier);
  if (auto rewritten = utc_text_as_zoned_timestamp(text, precision)) return std::move(*rewritten);
  const auto instant = timestamp_instant(text, "timestamptz");
  // The fast formatter covers years 1 to 9999; java.time's signs the rest.
  if (instant.seconds < -62135596800LL || instant.seconds >= 253402300800LL) return iso_instant(instant, precision);
  return zoned_timestamp(instant.seconds * 1000000 + instant.micros, precision);
}

OrderedJson column_value(const PgColumnType& type, const std::optional<std::string>& text, const TypeMappingOptions& options) {
  if (!text) return nullptr;
  const std::string& value = *text;
  if (is_array_type(type)) {
    const auto element = element_type(type);
    // Debezium reads an array through the JDBC driver's java.sql.Array, so
    // its dates take the snapshot's (java.sql.Date) path when streamed too.
    auto element_options = options;
    element_options.snapshot_read = true;
    OrderedJson out = OrderedJson::array();
    for (const auto& item : parse_array_literal(value)) {
      // Where Debezium cannot convert an element (a NULL of a required enum,
      // a numeric NaN or infinity, which has no BigDecimal) it writes the
      // whole array as null.
      if (!item && !type.enum_labels.empty()) return nullptr;
      if (item && element.oid == oid::kNumeric && (*item == "NaN" || *item == "Infinity" || *item == "-Infinity")) {
        return nullptr;
      }
      out.push_back(column_value(element, item, element_options));
    }
    return out;
  }
  if (!type.enum_labels.empty()) return value;
  if (type.name == "hstore") return hstore_to_json(value);
  const bool connect_time = options.time == TimePrecision::Connect;
  switch (type.oid) {
    case oid::kBool:
      if (value == "t") return true;
      if (value == "f") return false;
      unparsable(value, "boolean");
    case oid::kInt2:
    case oid::kInt4:
    case oid::kInt8:
    case oid::kOid: return parse_int(value, "an integer");
    case oid::kFloat4:
    case oid::kFloat8: {
      if (value == "NaN" || value == "Infinity" || value == "-Infinity") return value;  // Jackson writes them as strings
      // strtod, not stod: a subnormal (4.9e-324) sets ERANGE but is a value.
      char* end = nullptr;
      const double number = std::strtod(value.c_str(), &end);
      if (value.empty() || end != value.c_str() + value.size() || std::isinf(number)) unparsable(value, "a float");
      if (type.oid == oid::kFloat4) return java_float_value(static_cast<float>(number));
      return number;
    }
    case oid::kNumeric:
    case oid::kMoney: {
      std::string number = value;
      if (type.oid == oid::kMoney) {
        // "$1,234.56", "-$1.00", "($1.00)": keep the sign, digits and the point.
        const bool negative = value.find('-') != std::string::npos || value.find('(') != std::string::npos;
        number = negative ? "-" : "";
        for (const char c : value) {
          if (is_digit(c) || c == '.') number += c;
        }
      }
      if (options.decimal == DecimalHandling::String) {
        // Debezium's SpecialValueDecimal names the values BigDecimal lacks.
        if (number == "NaN") return "NAN";
        if (number == "Infinity") return "POSITIVE_INFINITY";
        if (number == "-Infinity") return "NEGATIVE_INFINITY";
        return number;
      }
      // NaN and ±Infinity have no BigDecimal: Debezium writes them as the
      // double's name in double mode and null in precise mode.
      if (number == "NaN" || number == "Infinity" || number == "-Infinity") {
        return options.decimal == DecimalHandling::Double ? OrderedJson(number) : OrderedJson(nullptr);
      }
      if (options.decimal == DecimalHandling::Double) {
        try {
          return std::stod(number);
        } catch (const std::logic_error&) {
          unparsable(value, "numeric");
        }
      }
      const auto parts = split_decimal(number);
      if (type.oid == oid::kMoney) return base64_encode(twos_complement_bytes(unscaled(parts, options.money_fraction_digits)));
      if (const auto ps = numeric_precision_scale(type.modifier)) {
        return base64_encode(twos_complement_bytes(unscaled(parts, ps->second)));
      }
      const int scale = static_cast<int>(parts.fraction.size());
      OrderedJson out = OrderedJson::object();
      out["scale"] = scale;
      out["value"] = base64_encode(twos_complement_bytes(unscaled(parts, scale)));
      return out;
    }
    case oid::kDate: return date_days(value, options.snapshot_read);
    case oid::kTime: {
      std::size_t at = 0;
      const auto micros = clock_micros(parse_clock(value, at, "time"));
      if (at != value.size()) unparsable(value, "time");
      const bool millis = connect_time || (options.time == TimePrecision::Adaptive && time_precision(type.modifier) <= 3);
      return millis ? micros / 1000 : micros;
    }
    case oid::kTimestamp: {
      const bool millis = connect_time || time_precision(type.modifier) <= 3;
      if (value == "infinity") return millis ? 9223372036825200000LL / 1000 : 9223372036825200000LL;
      if (value == "-infinity") return millis ? -9223372036832400000LL / 1000 : -9223372036832400000LL;
      const auto instant = timestamp_instant(value, "timestamp");
      // Milliseconds from the parts: µs of the far years overflow an int64.
      return millis ? instant.seconds * 1000 + instant.micros / 1000 : instant.seconds * 1000000 + instant.micros;
    }
    case oid::kTimestamptz: return zoned_timestamp_value(type, value);
    case oid::kTimetz: {
      std::size_t at = 0;
      auto micros = clock_micros(parse_clock(value, at, "timetz"));
      if (at < value.size() && (value[at] == '+' || value[at] == '-')) {
        const int sign = value[at] == '-' ? -1 : 1;
        const int hours = std::stoi(value.substr(at + 1, 2));
        const int minutes = value.size() >= at + 6 ? std::stoi(value.substr(at + 4, 2)) : 0;
        micros -= sign * (hours * 3600LL + minutes * 60LL) * 1000000;
      }
      micros = ((micros % 86400000000LL) + 86400000000LL) % 86400000000LL;
      // java.time's ISO_OFFSET_TIME: the fraction with as many digits as it
      // needs (none when zero), whatever the column's precision.
      auto text = zoned_timestamp(micros, 6).substr(11);  // HH:MM:SS.ffffffZ
      while (text.size() > 10 && text[text.size() - 2] == '0') text.erase(text.size() - 2, 1);
      if (text[text.size() - 2] == '.') text.erase(text.size() - 2, 1);
      return text;
    }
    case oid::kInterval: return interval_micros(value);
    case oid::kBytea: return base64_encode(hex_to_bytes(value));
    case oid::kPoint: return point_value(value);
    case oid::kBit:
    case oid::kVarbit:
      if (type.oid == oid::kBit && type.modifier == 1) return value == "1";
      return base64_encode(bits_bytes(value));
    default: return value;
  }
}

std::string twos_complement_bytes(std::string_view decimal_integer) {
  bool negative = false;
  std::string digits(decimal_integer);
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
    negative = digits[0] == '-';
    digits.erase(0, 1);
  }
  // Magnitude, big-endian, by repeated division of the decimal string by 256.
  std::string magnitude;
  while (!(digits.empty() || digits.find_first_not_of('0') == std::string::npos)) {
    std::string quotient;
    int remainder = 0;
    for (const char c : digits) {
      const int current = remainder * 10 + (c - '0');
      if (!quotient.empty() || current / 256 > 0) quotient += static_cast<char>('0' + current / 256);
      remainder = current % 256;
    }
    magnitude.insert(magnitude.begin(), static_cast<char>(remainder));
    digits = quotient;
  }
  if (magnitude.empty()) return std::string(1, '\0');
  std::string bytes = magnitude;
  if (!negative) {
    if (static_cast<unsigned char>(bytes[0]) & 0x80) bytes.insert(bytes.begin(), '\0');
    return bytes;
  }
  // Two's complement: invert and add one, with room for the sign bit.
  bytes.insert(bytes.begin(), '\0');
  for (auto& byte : bytes) byte = static_cast<char>(~static_cast<unsigned char>(byte));
  for (std::size_t i = bytes.size(); i-- > 0;) {
    const auto incremented = static_cast<unsigned char>(static_cast<unsigned char>(bytes[i]) + 1);
    bytes[i] = static_cast<char>(incremented);
    if (incremented != 0) break;
  }
  // Minimal: drop leading 0xFF bytes whose next byte keeps the sign.
  while (bytes.size() > 1 && static_cast<unsigned char>(bytes[0]) == 0xFF && (static_cast<unsigned char>(bytes[1]) & 0x80)) {
    bytes.erase(bytes.begin());
  }
  return bytes;
}

std::vector<std::optional<std::string>> parse_array_literal(std::string_view text) {
  // A lower bound decoration ("[0:1]={…}") is skipped.
  if (!text.empty() && text[0] == '[') {
    const auto equals = text.find('=');
    if (equals == std::string_view::npos) unparsable(std::string(text), "an array");
    text = text.substr(equals + 1);
  }
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') unparsable(std::string(text), "an array");
  std::vector<std::optional<std::string>> out;
  const auto body = text.substr(1, text.size() - 2);
  if (body.empty()) return out;
  std::size_t at = 0;
  for (;;) {
    std::string element;
    bool quoted = false;
    if (at < body.size() && body[at] == '{') {
      throw Error::failed("multi-dimensional arrays are not supported", std::string(text));
    }
    if (at < body.size() && body[at] == '"') {
      quoted = true;
      ++at;
      while (at < body.size() && body[at] != '"') {
        if (body[at] == '\\' && at + 1 < body.size()) ++at;
        element += body[at++];
      }
      if (at >= body.size()) unparsable(std::string(text), "an array");
      ++at;
    } else {
      while (at < body.size() && body[at] != ',') element += body[at++];
    }
    if (!quoted && element == "NULL") out.push_back(std::nullopt);
    else out.push_back(std::move(element));
    if (at >= body.size()) break;
    if (body[at] != ',') unparsable(std::string(text), "an array");
    ++at;
  }
  return out;
}

namespace {

// One quoted hstore token starting at `at` (a '"'), its escapes undone.
std::string hstore_token(std::string_view text, std::size_t& at) {
  std::string token;
  for (++at; at < text.size() && text[at] != '"'; ++at) {
    if (text[at] == '\\' && at + 1 < text.size()) ++at;
    token += text[at];
  }
  if (at >= text.size()) unparsable(std::string(text), "hstore");
  ++at;  // the closing quote
  return token;
}

void skip_blanks(std::string_view text, std::size_t& at) {
  while (at < text.size() && std::isspace(static_cast<unsigned char>(text[at]))) ++at;
}

// java.lang.String.hashCode() of UTF-8 text: over UTF-16 code units.
std::int32_t java_string_hash(std::string_view utf8) {
  std::uint32_t hash = 0;
  const auto add = [&](std::uint32_t unit) { hash = hash * 31 + unit; };
  for (std::size_t i = 0; i < utf8.size();) {
    const auto lead = static_cast<unsigned char>(utf8[i]);
    const int length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 1;
    std::uint32_t point = length == 1 ? lead : lead & (0xFF >> (length + 1));
    for (int k = 1; k < length && i + k < utf8.size(); ++k) point = (point << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
    i += length;
    if (point >= 0x10000) {
      point -= 0x10000;
      add(0xD800 + (point >> 10));
      add(0xDC00 + (point & 0x3FF));
    } else {
      add(point);
    }
  }
  return static_cast<std::int32_t>(hash);
}

}  // namespace

std::vector<std::size_t> java_hash_map_order(const std::vector<std::string>& keys) {
  // java.util.HashMap iterates its table bucket by bucket, each bucket in
  // insertion order (a resize keeps that order). The table starts at 16 and
  // doubles while it is more than 3/4 full; a key's bucket is its
  // String.hashCode() with the high half folded into the low.
  std::size_t buckets = 16;
  while (keys.size() > buckets * 3 / 4) buckets *= 2;
  std::vector<std::size_t> order(keys.size());
  std::vector<std::size_t> bucket(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const auto h = static_cast<std::uint32_t>(java_string_hash(keys[i]));
    bucket[i] = (h ^ (h >> 16)) & (buckets - 1);
    order[i] = i;
  }
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return bucket[a] < bucket[b]; });
  return order;
}

std::string hstore_to_json(std::string_view text) {
  struct Pair {
    std::string key;
    std::optional<std::string> value;
  };
  std::vector<Pair> pairs;
  std::size_t at = 0;
  skip_blanks(text, at);
  while (at < text.size()) {
    if (!pairs.empty()) {
      if (text[at] != ',') unparsable(std::string(text), "hstore");
      ++at;
      skip_blanks(text, at);
    }
    if (at >= text.size() || text[at] != '"') unparsable(std::string(text), "hstore");
    auto key = hstore_token(text, at);
    skip_blanks(text, at);
    if (text.substr(at, 2) != "=>") unparsable(std::string(text), "hstore");
    at += 2;
    skip_blanks(text, at);
    std::optional<std::string> value;
    if (at < text.size() && text[at] == '"') {
      value = hstore_token(text, at);
    } else if (text.substr(at, 4) == "NULL") {
      at += 4;
    } else {
      unparsable(std::string(text), "hstore");
    }
    skip_blanks(text, at);
    pairs.push_back({std::move(key), std::move(value)});
  }
  std::vector<std::string> keys;
  for (const auto& pair : pairs) keys.push_back(pair.key);
  std::string out = "{";
  for (const auto index : java_hash_map_order(keys)) {
    const auto& pair = pairs[index];
    if (out.size() > 1) out += ',';
    append_json_quoted(out, pair.key, HexCase::Upper);  // as Jackson writes it
    out += ':';
    if (pair.value) {
      append_json_quoted(out, *pair.value, HexCase::Upper);
    } else {
      out += "null";
    }
  }
  out += '}';
  return out;
}

std::int64_t interval_micros(std::string_view text) {
  // postgres IntervalStyle: "1 year 2 mons -3 days 04:05:06.789", "-00:00:01".
  long double days = 0;
  long double micros = 0;
  std::size_t at = 0;
  const std::string input(text);
  while (at < input.size()) {
    while (at < input.size() && input[at] == ' ') ++at;
    if (at >= input.size()) break;
    const auto start = at;
    if (input[at] == '-' || input[at] == '+') ++at;
    while (at < input.size() && is_digit(input[at])) ++at;
    if (at < input.size() && input[at] == ':') {
      // The clock part, with its own sign.
      std::size_t clock_at = start;
      const int sign = input[clock_at] == '-' ? -1 : 1;
      if (input[clock_at] == '-' || input[clock_at] == '+') ++clock_at;
      std::string hours;
      while (clock_at < input.size() && is_digit(input[clock_at])) hours += input[clock_at++];
      ++clock_at;  // ':'
      if (clock_at + 2 > input.size()) unparsable(input, "interval");
      const int minutes = std::stoi(input.substr(clock_at, 2));
      clock_at += 3;
      std::string seconds;
      while (clock_at < input.size() && (is_digit(input[clock_at]) || input[clock_at] == '.')) seconds += input[clock_at++];
      if (hours.empty() || seconds.empty()) unparsable(input, "interval");
      micros += sign * ((std::stoll(hours) * 3600.0L + minutes * 60.0L) * 1e6L + std::stold(seconds) * 1e6L);
      at = clock_at;
      continue;
    }
    const auto number = std::stold(input.substr(start, at - start));
    while (at < input.size() && input[at] == ' ') ++at;
    std::string unit;
    while (at < input.size() && std::isalpha(static_cast<unsigned char>(input[at]))) unit += input[at++];
    if (unit.starts_with("year")) days += number * 365.25L;
    else if (unit.starts_with("mon")) days += number * 365.25L / 12;
    else if (unit.starts_with("day")) days += number;
    else unparsable(input, "interval");
  }
  // Debezium computes in double and narrows as Java does: out of range
  // saturates at Long.MIN_VALUE / MAX_VALUE.
  const long double total = days * 86400e6L + micros;
  if (total >= 9223372036854775807.0L) return std::numeric_limits<std::int64_t>::max();
  if (total <= -9223372036854775808.0L) return std::numeric_limits<std::int64_t>::min();
  return static_cast<std::int64_t>(total);
}

}  // namespace cdcctl::cdc
