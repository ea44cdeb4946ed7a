#pragma once
// The canonical text form reconcile compares and hashes, so that the same
// logical row hashes the same on PostgreSQL, SQLite, SQL Server… Every value
// becomes text: integers without leading zeros, numerics by value (1.10 is
// 1.1), floats at 15 significant digits (6 for 4-byte floats), booleans 0/1,
// binary as lower-case hex, UUIDs lower case, timestamps in UTC as
// "YYYY-MM-DD HH:MM:SS[.fff…]" truncated to the declared precision, trailing
// zeros dropped (PostgreSQL's ISO output). NULL stays distinct from the
// empty string.
//
// PostgreSQL computes the same form in SQL (postgres_canonical_expression),
// so its hashing never leaves the server; other engines send raw values and
// cdcctl canonicalises them (canonical_value).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cdcctl::ops {

// FixedText is char(n)/nchar(n): compared without its trailing padding, as
// PostgreSQL's bpchar::text drops it and SQL Server keeps it.
enum class ValueKind { Integer, Decimal, Float4, Float8, Boolean, Text, FixedText, Binary, Uuid, Date, Time, Timestamp, TimestampTz, Other };

std::string_view kind_name(ValueKind kind);
// From a catalog type name of any engine: "int4", "numeric(10,2)",
// "timestamp with time zone", "NVARCHAR(20)", "DATETIME2", "uniqueidentifier"…
ValueKind kind_of_type(std::string_view type_name);
// When one side only knows "text" (SQLite stores timestamps as TEXT), the
// more specific kind of the other side decides how both are read.
ValueKind common_kind(ValueKind source, ValueKind target);

struct CanonicalOptions {
  int timestamp_precision = 6;  // fractional digits kept: 0, 3 or 6
  bool exact_numerics = false;  // keep the scale: 1.10 differs from 1.1
};

std::optional<std::string> canonical_value(ValueKind kind, const std::optional<std::string>& raw, const CanonicalOptions& options);

// "1.10" → "1.1", "-0.0" → "0", "1.5e3" → "1500", "+007" → "7"; text that is
// not a number is returned unchanged (so it shows up as a difference).
std::string canonical_decimal(std::string_view text, bool keep_scale = false);
// "2024-05-01T10:00:00.1234567+02:00" → "2024-05-01 08:00:00.123457" (precision 6:
// a seventh digit rounds, as PostgreSQL rounds it on input; coarser precisions truncate),
// "2024-05-01 10:00:00.500" → "2024-05-01 10:00:00.5".
std::string canonical_timestamp(std::string_view text, int precision);
std::string canonical_time(std::string_view text, int precision);

// SQL for the canonical text of `quoted_column` of PostgreSQL type kind.
std::string postgres_canonical_expression(const std::string& quoted_column, ValueKind kind, const CanonicalOptions& options);

// Row text: each value as "<bytes>:<value>", NULL as "-1:", so no two
// different rows share a text. PostgreSQL builds the same string in SQL.
void append_row_value(std::string& row_text, const std::optional<std::string>& value);
// The first 8 bytes of the MD5 of the row text as a big-endian signed
// integer, as PostgreSQL's ('x'||left(md5(t),16))::bit(64)::bigint.
std::int64_t row_hash(std::string_view row_text);

// count(*) and the sum of row hashes of a set of rows: equal sets have equal
// aggregates whatever the order the rows were read in.
struct Aggregate {
  std::uint64_t count = 0;
  __int128 hash_sum = 0;
  void add(std::int64_t hash) {
    ++count;
    hash_sum += hash;
  }
  bool operator==(const Aggregate&) const = default;
};
std::string to_string(__int128 value);
__int128 parse_int128(std::string_view text);  // as PostgreSQL prints a numeric sum

}  // namespace cdcctl::ops
