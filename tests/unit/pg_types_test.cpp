// Debezium's PostgreSQL type mapping (reference §2.7, example §2.8): each
// column's Connect schema exactly as the JsonConverter writes it, and each
// pgoutput text value as the payload Debezium would emit.
#include <doctest/doctest.h>

#include "cdc/pg_types.hpp"
#include "core/bytes.hpp"
#include "core/error.hpp"

using namespace cdcctl;
using namespace cdcctl::cdc;

namespace {

std::string schema_of(PgColumnType type, bool optional, const std::string& field, const TypeMappingOptions& options = {}) {
  return column_schema(type, optional, options).to_json(field).dump();
}
OrderedJson value_of(PgColumnType type, const std::string& text, const TypeMappingOptions& options = {}) {
  return column_value(type, text, options);
}
PgColumnType numeric(int precision, int scale) { return {oid::kNumeric, ((precision << 16) | scale) + 4, {}, 0}; }
std::string hex(const std::string& bytes) {
  std::string out;
  char buffer[4];
  for (const unsigned char c : bytes) {
    std::snprintf(buffer, sizeof buffer, "%02X", c);
    out += buffer;
  }
  return out;
}

}  // namespace

TEST_CASE("the reference's orders example: field schemas byte for byte") {
  CHECK(schema_of({oid::kInt4}, false, "id") == R"({"type":"int32","optional":false,"field":"id"})");
  CHECK(schema_of(numeric(10, 2), false, "amount") ==
        R"({"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,)"
        R"("parameters":{"scale":"2","connect.decimal.precision":"10"},"field":"amount"})");
  CHECK(schema_of({oid::kTimestamp}, true, "created") ==
        R"({"type":"int64","optional":true,"name":"io.debezium.time.MicroTimestamp","version":1,"field":"created"})");
  CHECK(schema_of({oid::kTimestamptz}, true, "paid") ==
        R"({"type":"string","optional":true,"name":"io.debezium.time.ZonedTimestamp","version":1,"field":"paid"})");
  CHECK(schema_of({oid::kJsonb}, true, "doc") ==
        R"({"type":"string","optional":true,"name":"io.debezium.data.Json","version":1,"field":"doc"})");
  CHECK(schema_of({1009}, true, "tags") == R"({"type":"array","items":{"type":"string","optional":true},"optional":true,"field":"tags"})");
  CHECK(schema_of({16500, -1, {"new", "paid"}, 0}, true, "st") ==
        R"({"type":"string","optional":true,"name":"io.debezium.data.Enum","version":1,"parameters":{"allowed":"new,paid"},"field":"st"})");

  CHECK(value_of({oid::kInt4}, "1") == 1);
  CHECK(value_of(numeric(10, 2), "12.34") == "BNI=");
  CHECK(value_of({oid::kTimestamp}, "2024-06-10 06:13:20.123456") == 1718000000123456LL);
  CHECK(value_of({oid::kTimestamptz}, "2024-06-10 06:13:20.123456+00") == "2024-06-10T06:13:20.123456Z");
  CHECK(value_of({oid::kJsonb}, R"({"a": 1})") == R"({"a": 1})");
  CHECK(value_of({1009}, "{x}") == OrderedJson::array({"x"}));
  CHECK(value_of({16500, -1, {"new", "paid"}, 0}, "new") == "new");
}

TEST_CASE("decimals: two's complement bytes as Java's BigInteger writes them") {
  CHECK(hex(twos_complement_bytes("0")) == "00");
  CHECK(hex(twos_complement_bytes("1234")) == "04D2");
  CHECK(hex(twos_complement_bytes("128")) == "0080");
  CHECK(hex(twos_complement_bytes("255")) == "00FF");
  CHECK(hex(twos_complement_bytes("-1")) == "FF");
  CHECK(hex(twos_complement_bytes("-128")) == "80");
  CHECK(hex(twos_complement_bytes("-129")) == "FF7F");
  CHECK(hex(twos_complement_bytes("-256")) == "FF00");
  CHECK(hex(twos_complement_bytes("123456789012345678901234567890")) == "018EE90FF6C373E0EE4E3F0AD2");

  CHECK(value_of(numeric(10, 2), "-12.34") == base64_encode(twos_complement_bytes("-1234")));
  CHECK(value_of(numeric(5, 0), "0") == "AA==");
  // numeric without a scale: Debezium's VariableScaleDecimal struct.
  CHECK(schema_of({oid::kNumeric}, true, "n") ==
        R"({"type":"struct","fields":[{"type":"int32","optional":false,"field":"scale"},)"
        R"({"type":"bytes","optional":false,"field":"value"}],"optional":true,)"
        R"("name":"io.debezium.data.VariableScaleDecimal","version":1,"doc":"Variable scaled decimal","field":"n"})");
  CHECK(value_of({oid::kNumeric}, "1.50") == OrderedJson{{"scale", 2}, {"value", "AJY="}});
  // money: a Decimal of scale 2, whatever the currency sign and grouping.
  CHECK(value_of({oid::kMoney}, "$1,234.56") == base64_encode(twos_complement_bytes("123456")));
  CHECK(value_of({oid::kMoney}, "-$1.00") == base64_encode(twos_complement_bytes("-100")));
  // The other decimal.handling.modes.
  TypeMappingOptions as_double;
  as_double.decimal = DecimalHandling::Double;
  CHECK(schema_of(numeric(10, 2), true, "a", as_double) == R"({"type":"double","optional":true,"field":"a"})");
  CHECK(value_of(numeric(10, 2), "12.34", as_double) == 12.34);
  TypeMappingOptions as_string;
  as_string.decimal = DecimalHandling::String;
  CHECK(value_of(numeric(10, 2), "12.34", as_string) == "12.34");
  CHECK(value_of(numeric(10, 2), "NaN").is_null());
  CHECK_THROWS_AS(parse_decimal_handling("exact"), Error);
}

TEST_CASE("times by time.precision.mode adaptive, and their special values") {
  CHECK(value_of({oid::kDate}, "2024-06-10") == 19884);
  CHECK(value_of({oid::kDate}, "1969-12-31") == -1);
  CHECK(schema_of({oid::kTime, 3}, true, "t") == R"({"type":"int32","optional":true,"name":"io.debezium.time.Time","version":1,"field":"t"})");
  CHECK(value_of({oid::kTime, 3}, "12:34:56.789") == 45296789);
  CHECK(schema_of({oid::kTime}, true, "t") == R"({"type":"int64","optional":true,"name":"io.debezium.time.MicroTime","version":1,"field":"t"})");
  CHECK(value_of({oid::kTime}, "12:34:56.789123") == 45296789123LL);
  CHECK(schema_of({oid::kTimestamp, 3}, true, "ts") ==
        R"({"type":"int64","optional":true,"name":"io.debezium.time.Timestamp","version":1,"field":"ts"})");
  CHECK(value_of({oid::kTimestamp, 3}, "2024-06-10 06:13:20.123") == 1718000000123LL);
  CHECK(value_of({oid::kTimestamp}, "infinity") == 9223372036825200000LL);
  CHECK(value_of({oid::kTimestamp}, "-infinity") == -9223372036832400000LL);
  CHECK(value_of({oid::kTimestamp}, "0001-01-01 00:00:00 BC") == -62167219200000000LL);
  // ZonedTimestamp: UTC, the fraction padded to the column's precision.
  CHECK(value_of({oid::kTimestamptz}, "2024-06-10 08:13:20.5+02") == "2024-06-10T06:13:20.500000Z");
  CHECK(value_of({oid::kTimestamptz, 3}, "2024-06-10 06:13:20.123456+00") == "2024-06-10T06:13:20.123Z");
  CHECK(value_of({oid::kTimestamptz, 0}, "2024-06-10 06:13:20+00") == "2024-06-10T06:13:20Z");
  CHECK(value_of({oid::kTimestamptz}, "infinity") == "infinity");
  // java.time's ISO_OFFSET_TIME: no fraction when it is zero.
  CHECK(value_of({oid::kTimetz}, "10:15:30+02") == "08:15:30Z");
  // MicroDuration: a month is 365.25/12 days.
  CHECK(value_of({oid::kInterval}, "1 day 01:00:00") == 90000000000LL);
  CHECK(value_of({oid::kInterval}, "1 mon") == 2629800000000LL);
  CHECK(value_of({oid::kInterval}, "-00:00:01.5") == -1500000);
  CHECK(value_of({oid::kInterval}, "1 year -2 days") == 31384800000000LL);
  TypeMappingOptions connect;
  connect.time = TimePrecision::Connect;
  CHECK(schema_of({oid::kTimestamp}, true, "ts", connect) ==
        R"({"type":"int64","optional":true,"name":"org.apache.kafka.connect.data.Timestamp","version":1,"field":"ts"})");
  CHECK(value_of({oid::kTimestamp}, "2024-06-10 06:13:20.123456", connect) == 1718000000123LL);
}

TEST_CASE("timestamptz from a UTC server is rewritten in place exactly as the general path formats it") {
  // The same instant written with +00 (the fast path) and +05:30 (parsed and
  // formatted): every fraction length, every precision, both ends of the range.
  const struct {
    const char* utc;
    const char* shifted;
  } instants[] = {{"2026-11-22 20:47:41", "2026-11-23 02:17:41"},
                  {"1970-01-01 00:00:00", "1970-01-01 05:30:00"},
                  {"0001-01-01 00:00:00", "0001-01-01 05:30:00"},
                  {"9999-12-31 18:29:59", "9999-12-31 23:59:59"},
                  {"2024-02-29 23:59:59", "2024-03-01 05:29:59"}};
  const char* fractions[] = {"", ".5", ".05", ".123", ".1234", ".60123", ".000001", ".999999"};
  for (const auto& instant : instants) {
    for (const char* fraction : fractions) {
      for (const int precision : {-1, 0, 1, 2, 3, 4, 5, 6}) {
        const PgColumnType type{oid::kTimestamptz, precision};
        const auto fast = value_of(type, std::string(instant.utc) + fraction + "+00");
        const auto general = value_of(type, std::string(instant.shifted) + fraction + "+05:30");
        CHECK_MESSAGE(fast == general, instant.utc, fraction, " precision ", precision);
      }
    }
  }
  CHECK(value_of({oid::kTimestamptz}, "2026-11-22 20:47:41.6012+00") == "2026-11-22T20:47:41.601200Z");
  // Forms the rewrite must leave to the general path.
  CHECK(value_of({oid::kTimestamptz}, "0044-03-15 12:00:00+00 BC") ==
        value_of({oid::kTimestamptz}, "0044-03-15 17:30:00+05:30 BC"));
  CHECK(value_of({oid::kTimestamptz}, "12026-11-22 20:47:41+00") == value_of({oid::kTimestamptz}, "12026-11-23 02:17:41+05:30"));
}

TEST_CASE("other types: booleans, floats, bytes, uuid, bits, arrays; bad text is an error") {
  CHECK(value_of({oid::kBool}, "t") == true);
  CHECK(value_of({oid::kBool}, "f") == false);
  CHECK(schema_of({oid::kInt2}, false, "s") == R"({"type":"int16","optional":false,"field":"s"})");
  CHECK(value_of({oid::kInt8}, "-9223372036854775808") == std::numeric_limits<std::int64_t>::min());
  CHECK(value_of({oid::kFloat8}, "1.5") == 1.5);
  CHECK(value_of({oid::kFloat4}, "NaN") == "NaN");
  CHECK(schema_of({oid::kBytea}, true, "b") == R"({"type":"bytes","optional":true,"field":"b"})");
  CHECK(value_of({oid::kBytea}, "\\x0a0b") == "Cgs=");
  CHECK(schema_of({oid::kUuid}, true, "u") == R"({"type":"string","optional":true,"name":"io.debezium.data.Uuid","version":1,"field":"u"})");
  CHECK(value_of({oid::kBit, 1}, "1") == true);
  CHECK(schema_of({oid::kBit, 10}, true, "bits") ==
        R"({"type":"bytes","optional":true,"name":"io.debezium.data.Bits","version":1,"parameters":{"length":"10"},"field":"bits"})");
  CHECK(value_of({oid::kBit, 10}, "1000000001") == base64_encode(std::string("\x01\x02", 2)));
  CHECK(value_of({oid::kText}, "plain") == "plain");
  CHECK(value_of({1007}, "{1,NULL,3}") == OrderedJson::array({1, nullptr, 3}));
  CHECK(value_of({1009}, R"({"a b",NULL,"c\"d","NULL",""})") == OrderedJson::array({"a b", nullptr, "c\"d", "NULL", ""}));
  CHECK(value_of({1231, ((10 << 16) | 2) + 4}, "{1.00,2.50}") == OrderedJson::array({"ZA==", "APo="}));
  CHECK(value_of({1009}, "{}") == OrderedJson::array());
  CHECK(column_value({oid::kInt4}, std::nullopt).is_null());
  CHECK_THROWS_WITH_AS(value_of({oid::kInt4}, "12x"), doctest::Contains("cannot read '12x'"), Error);
  CHECK_THROWS_AS(value_of({oid::kBool}, "yes"), Error);
  CHECK_THROWS_AS(value_of({1007}, "{{1,2},{3,4}}"), Error);
  CHECK_THROWS_AS(value_of({oid::kTimestamp}, "June 10"), Error);
}

TEST_CASE("hstore as Debezium's JSON string, its pairs in Java HashMap order") {
  PgColumnType hstore;
  hstore.oid = 16500;  // an extension's type: known by name, not OID
  hstore.name = "hstore";
  CHECK(schema_of(hstore, true, "h") == R"({"type":"string","optional":true,"name":"io.debezium.data.Json","version":1,"field":"h"})");
  CHECK(value_of(hstore, R"("k"=>"v")") == R"({"k":"v"})");
  CHECK(value_of(hstore, "") == "{}");
  // Quotes and backslashes come escaped in hstore's text; NULL is unquoted.
  CHECK(hstore_to_json(R"("a \"q\""=>"back\\slash", "n"=>NULL)") == R"({"a \"q\"":"back\\slash","n":null})");
  // Control characters as Jackson writes them: short escapes, else \u00XX upper-case.
  CHECK(hstore_to_json("\"t\"=>\"a\tb\x1f\"") == "{\"t\":\"a\\tb\\u001F\"}");
  // The expected orders were printed by a java.util.HashMap filled in the same order
  // (OpenJDK 17): bucket by bucket after the table grew to 32, collisions
  // ("Aa"/"BB") in insertion order, a surrogate pair hashed as two UTF-16 units.
  CHECK(hstore_to_json(R"("b"=>"v", "a"=>"v")") == R"({"a":"v","b":"v"})");
  CHECK(hstore_to_json("\"a\"=>\"v\", \"b\"=>\"v\", \"c\"=>\"v\", \"k1\"=>\"v\", \"k2\"=>\"v\", \"x\"=>NULL, \"y\"=>\"v\", "
                       "\"z\"=>\"v\", \"Aa\"=>\"v\", \"BB\"=>\"v\", \"key\"=>\"v\", \"apple\"=>\"v\", \"value\"=>\"v\", "
                       "\"banana\"=>\"v\", \"cherry\"=>\"v\", \"k10\"=>\"v\", \"zz\"=>\"v\", \"\xC3\xA9t\xC3\xA9\"=>\"v\", "
                       "\"\xF0\x9F\x98\x80\"=>\"v\"") ==
        "{\"Aa\":\"v\",\"BB\":\"v\",\"banana\":\"v\",\"zz\":\"v\",\"a\":\"v\",\"cherry\":\"v\",\"b\":\"v\",\"c\":\"v\","
        "\"k1\":\"v\",\"k2\":\"v\",\"k10\":\"v\",\"apple\":\"v\",\"x\":null,\"\xF0\x9F\x98\x80\":\"v\",\"y\":\"v\","
        "\"z\":\"v\",\"value\":\"v\",\"\xC3\xA9t\xC3\xA9\":\"v\",\"key\":\"v\"}");
  CHECK_THROWS_WITH_AS(hstore_to_json(R"("a"=>"1" "b"=>"2")"), doctest::Contains("as hstore"), Error);
  CHECK_THROWS_WITH_AS(hstore_to_json(R"("a"=>)"), doctest::Contains("as hstore"), Error);
  CHECK_THROWS_WITH_AS(hstore_to_json(R"("a=>"1")"), doctest::Contains("as hstore"), Error);
}
