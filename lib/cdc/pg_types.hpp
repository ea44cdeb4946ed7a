#pragma once
// PostgreSQL column types as Debezium's PostgreSQL connector maps them to
// Kafka Connect (reference §2.7): the field schema of a column, and the JSON
// payload value of one pgoutput text value. Defaults are Debezium's:
// decimal.handling.mode=precise, time.precision.mode=adaptive,
// binary.handling.mode=bytes.
//
// The text forms read are those of a session with DateStyle ISO and
// TimeZone UTC, which the capture connection sets.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cdc/connect_schema.hpp"

namespace cdcctl::cdc {

enum class DecimalHandling { Precise, Double, String };
enum class TimePrecision { Adaptive, AdaptiveTimeMicroseconds, Connect };

struct TypeMappingOptions {
  DecimalHandling decimal = DecimalHandling::Precise;
  TimePrecision time = TimePrecision::Adaptive;
  int money_fraction_digits = 2;
  // The value was read by the snapshot's SELECT, not streamed. Debezium reads
  // a snapshot through JDBC (java.sql.Date) and a stream from pgoutput's text,
  // and the two disagree for dates without a day number in java.time: a BC
  // date loses its era through java.sql.Date, and infinity becomes a
  // different sentinel day. cdcctl writes what Debezium writes on each path.
  bool snapshot_read = false;
};

// Throws Error (usage) naming the accepted values.
DecimalHandling parse_decimal_handling(std::string_view text);
TimePrecision parse_time_precision(std::string_view text);

struct PgColumnType {
  std::uint32_t oid = 0;
  std::int32_t modifier = -1;         // atttypmod: length, precision/scale…
  std::vector<std::string> enum_labels{};  // for an enum type, in sort order
  std::uint32_t element_oid = 0;      // for an array type not in the built-in list
  // The type's name when it is not built in (an extension's type, whose OID
  // differs between databases): "hstore" maps to io.debezium.data.Json.
  std::string name{};
  bool domain = false;  // a domain over oid/modifier: Debezium gives it no default
};

// Built-in type OIDs cdcctl maps (pg_type.h).
namespace oid {
inline constexpr std::uint32_t kBool = 16, kBytea = 17, kName = 19, kInt8 = 20, kInt2 = 21, kInt4 = 23, kText = 25,
                               kOid = 26, kJson = 114, kXml = 142, kFloat4 = 700, kFloat8 = 701, kMoney = 790,
                               kInet = 869, kCidr = 650, kMacaddr = 829, kBpchar = 1042, kVarchar = 1043, kDate = 1082,
                               kTime = 1083, kTimestamp = 1114, kTimestamptz = 1184, kInterval = 1186, kTimetz = 1266,
                               kBit = 1560, kVarbit = 1562, kNumeric = 1700, kUuid = 2950, kJsonb = 3802,
                               kPoint = 600;
}  // namespace oid

// The element type of a built-in array type (_int4 → int4), or 0.
std::uint32_t array_element(std::uint32_t array_oid);

// The field schema of a column; unsupported types map to an optional string
// (their text form), as Debezium does for unknown types with include.unknown.datatypes.
ConnectSchema column_schema(const PgColumnType& type, bool optional, const TypeMappingOptions& options = {});

// The payload value of a column from its pgoutput text (nullopt: NULL).
// Throws Error (failed) when the text does not parse as the type.
OrderedJson column_value(const PgColumnType& type, const std::optional<std::string>& text,
                         const TypeMappingOptions& options = {});

// A timestamptz's io.debezium.time.ZonedTimestamp string (ISO 8601 in UTC,
// no JSON quotes): column_value's, without a JSON value, for the hot path.
std::string zoned_timestamp_value(const PgColumnType& type, const std::string& text);

// Helpers, exposed for tests.
// Java BigInteger.toByteArray() of an integer given in decimal: minimal
// big-endian two's complement ("0" → one zero byte).
std::string twos_complement_bytes(std::string_view decimal_integer);
// Splits a one-dimensional array literal ({1,"a b",NULL}) into its elements.
std::vector<std::optional<std::string>> parse_array_literal(std::string_view text);
// An hstore's text ("a"=>"1", "b"=>NULL) as the JSON object Debezium writes
// with hstore.handling.mode=json: its pairs in the iteration order of the
// Java HashMap the PostgreSQL JDBC driver parses it into, so the string is
// byte for byte Debezium's. Throws Error (failed) on malformed text.
std::string hstore_to_json(std::string_view text);
// The order in which a java.util.HashMap<String, …> filled with `keys` (in
// this order, no duplicates) iterates them: indexes into `keys`. Debezium
// writes maps (hstore values, a transaction's data collections) in it.
std::vector<std::size_t> java_hash_map_order(const std::vector<std::string>& keys);
// µs of a PostgreSQL interval in the postgres IntervalStyle, a month being
// 365.25/12 days as Debezium counts it.
std::int64_t interval_micros(std::string_view text);

}  // namespace cdcctl::cdc
