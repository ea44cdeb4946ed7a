// `cdcctl run` golden events: what a Kafka consumer reads, byte for byte in
// meaning, for a table holding every PostgreSQL type the format reference
// (/work/shared/reference/debezium-postgres-pgoutput.md §2.7) maps, through
// every kind of change (§2.5): create, update, delete + tombstone, truncate,
// primary-key change, unchanged TOAST, and a table without a primary key.
// Run twice: with the JSON converter's schemas off (payload only) and on
// (the full Connect schema of key and value, §2.2–2.4, §2.6, §2.8).
//
// Every expectation is derived from the reference, not from cdcctl. Where
// the reference is silent, an assertion of what cdcctl emits says so in a
// comment. Where cdcctl contradicts the reference, the reference's assertion
// would be kept, commented out, under a `MISMATCH:` note (none is left).
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "kafka/topic_io.hpp"
#include "support/run_setup.hpp"
#include "support/embedded_kafka.hpp"
#include "support/pg_cluster.hpp"
#include "support/process.hpp"

using namespace cdcctl;
using namespace cdcctl::testsupport;
using namespace std::chrono_literals;
using OJ = nlohmann::ordered_json;  // keeps key order: field order is part of the format

namespace {

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// ---------------------------------------------------------------------------
// The table: one column per type §2.7 maps, the primary key, two NOT NULL
// columns (one with a DEFAULT, §2.2 "Column DEFAULTs that can be parsed become
// the schema's default"; one without, for §2.5's delete fallback ""), and a
// column comment (§2.2 "Column comments become the schema's doc").
// The enum's sort order differs from its creation order (ADD VALUE BEFORE),
// so `allowed` must follow enumsortorder (§2.7). Types §2.7 does not name
// (cidr, macaddr, geometric types, …) are left out.
// c_text, c_bytea and c_int_arr are stored out of line uncompressed
// (STORAGE EXTERNAL) so a large value is TOASTed and an UPDATE of another
// column sends it as unchanged-TOAST 'u' (§2.5).
constexpr const char* kSchemaSql = R"sql(
CREATE EXTENSION hstore;
CREATE EXTENSION citext;
CREATE TYPE mood AS ENUM ('sad', 'happy');
ALTER TYPE mood ADD VALUE 'ok' BEFORE 'happy';
CREATE TABLE golden (
  id integer PRIMARY KEY,
  c_smallint smallint,
  c_int integer NOT NULL DEFAULT 42,
  c_bigint bigint,
  c_oid oid,
  c_num numeric(20,4),
  c_num_var numeric,
  c_money money,
  c_real real,
  c_double double precision,
  c_bool boolean,
  c_bit1 bit(1),
  c_bits bit(10),
  c_varbit varbit(16),
  c_text text,
  c_text_nn text NOT NULL,
  c_varchar varchar(20),
  c_char char(5),
  c_citext citext,
  c_inet inet,
  c_range int4range,
  c_date date,
  c_time time,
  c_time3 time(3),
  c_timetz timetz,
  c_ts timestamp,
  c_ts3 timestamp(3),
  c_tstz timestamptz,
  c_tstz3 timestamptz(3),
  c_interval interval,
  c_uuid uuid,
  c_json json,
  c_jsonb jsonb,
  c_xml xml,
  c_hstore hstore,
  c_bytea bytea,
  c_text_arr text[],
  c_int_arr integer[],
  c_mood mood
);
COMMENT ON COLUMN golden.c_text IS 'free text';
ALTER TABLE golden ALTER COLUMN c_text SET STORAGE EXTERNAL,
                   ALTER COLUMN c_bytea SET STORAGE EXTERNAL,
                   ALTER COLUMN c_int_arr SET STORAGE EXTERNAL;
CREATE TABLE nokey (a integer, b text);
ALTER TABLE nokey REPLICA IDENTITY FULL;
)sql";

// Row 1: non-trivial values in every column. Negative numbers, fractional
// seconds, time-zone offsets (the session time zone is America/St_Johns,
// UTC-02:30 in summer, so nothing is accidentally UTC), unicode text.
constexpr const char* kInsertRow1 = R"sql(
INSERT INTO golden VALUES (
  1, -32768, -2147483648, 9223372036854775807, 4294967295,
  -12345678901234.5678, -0.000123, -1234.56, -1.25, 3.141592653589793,
  true, B'1', B'1011000011', B'1010000000001',
  'Grüße, 世界 🚀 "q" \ back', 'not null ✓', 'Ωmega', 'ab', 'MiXeD', '192.168.0.1/24', '(0,9]',
  '1969-07-20', '23:59:59.999999', '12:34:56.789', '10:11:12.345678+05:30',
  '2024-02-29 13:14:15.123456', '1969-12-31 23:59:59.999',
  '2024-06-10 08:13:20.123456+02', '1999-12-31 23:59:59.5-08',
  '1 year 2 mons -3 days 04:05:06.789',
  'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11',
  '{"b": [1, 2],  "a": "ü"}', '{"b": [1, 2], "a": "ü", "aa": null}',
  '<a x="1">ü</a>', 'k=>v', '\xdeadbeef00ff',
  ARRAY['a b', NULL, 'ü', '"q"', ''], '{1,NULL,-3}', 'ok')
)sql";

// What §2.7 says each row-1 value becomes (derivations beside each line):
constexpr const char* kRow1 = R"json({
  "id": 1,
  "c_smallint": -32768,
  "c_int": -2147483648,
  "c_bigint": 9223372036854775807,
  "c_oid": 4294967295,
  "c_num": "/klktFnPDLI=",
  "c_num_var": {"scale": 6, "value": "hQ=="},
  "c_money": "/h3A",
  "c_real": -1.25,
  "c_double": 3.141592653589793,
  "c_bool": true,
  "c_bit1": true,
  "c_bits": "wwI=",
  "c_varbit": "ARQ=",
  "c_text": "Grüße, 世界 🚀 \"q\" \\ back",
  "c_text_nn": "not null ✓",
  "c_varchar": "Ωmega",
  "c_char": "ab   ",
  "c_citext": "MiXeD",
  "c_inet": "192.168.0.1/24",
  "c_range": "[1,10)",
  "c_date": -165,
  "c_time": 86399999999,
  "c_time3": 45296789,
  "c_timetz": "04:41:12.345678Z",
  "c_ts": 1709212455123456,
  "c_ts3": -1,
  "c_tstz": "2024-06-10T06:13:20.123456Z",
  "c_tstz3": "2000-01-01T07:59:59.500Z",
  "c_interval": 36572706789000,
  "c_uuid": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
  "c_json": "{\"b\": [1, 2],  \"a\": \"ü\"}",
  "c_jsonb": "{\"a\": \"ü\", \"b\": [1, 2], \"aa\": null}",
  "c_xml": "<a x=\"1\">ü</a>",
  "c_hstore": "{\"k\":\"v\"}",
  "c_bytea": "3q2+7wD/",
  "c_text_arr": ["a b", null, "ü", "\"q\"", ""],
  "c_int_arr": [1, null, -3],
  "c_mood": "ok"
})json";
// c_num: numeric(20,4) -12345678901234.5678 → unscaled -123456789012345678
//   = 0xFE4964B459CF0CB2 (minimal two's complement, §2.6) → "/klktFnPDLI="
// c_num_var: unconstrained -0.000123 → VariableScaleDecimal {scale 6, value -123 = 0x85 → "hQ=="}
// c_money: -1234.56, money.fraction.digits 2 → -123456 = 0xFE1DC0 → "/h3A"
// c_bit1: bit(1) → boolean. c_bits: bit(10) 1011000011 = 0x02C3, little-endian C3 02 → "wwI="
// c_varbit: varbit(16) 1010000000001 = 0x1401, little-endian 01 14 → "ARQ="
// c_char: char(5) keeps its padding (bpchar → string)
// c_range: '(0,9]' is canonicalised by PostgreSQL to '[1,10)' (ranges → string)
// c_date: 1969-07-20 → -165 days; c_time: time(6) → MicroTime µs; c_time3: time(3) → Time ms
// c_timetz: 10:11:12.345678+05:30 → ZonedTime in UTC
// c_ts: 2024-02-29T13:14:15.123456 as UTC → 1709212455123456 µs; c_ts3: timestamp(3) → Timestamp ms, -1
// c_tstz: 08:13:20.123456+02 → 06:13:20.123456Z (6 digits); c_tstz3: timestamptz(3) padded to 3 digits
// c_interval: (14 × 365.25/12 − 3) days + 04:05:06.789 = 423.125 d × 86400e6 + 14706789000 µs
// c_uuid: PostgreSQL prints it lower case; c_jsonb: PostgreSQL's own normalised text
// c_hstore: hstore.handling.mode=json → io.debezium.data.Json, one pair so no ordering question
// c_bytea: DE AD BE EF 00 FF → "3q2+7wD/"

// Row 2: only the NOT NULL columns set; every nullable column NULL.
constexpr const char* kInsertRow2 = "INSERT INTO golden (id, c_int, c_text_nn) VALUES (2, 7, 'two')";

// The UPDATE of row 1: a zero in numeric(20,4), a whole number in an
// unconstrained numeric (scale 0), the smallest money, a negative interval,
// and a timestamptz with no fraction (still padded to 6 digits, §2.7).
constexpr const char* kUpdateRow1 =
    "UPDATE golden SET c_text = 'updated', c_num = 0, c_num_var = 1000, c_money = 0.01, "
    "c_interval = '-3 days -04:05:06.25', c_tstz = '2000-01-01 00:00:00+00' WHERE id = 1";

OJ row1_updated(int id) {
  OJ row = OJ::parse(kRow1);
  row["id"] = id;
  row["c_text"] = "updated";
  row["c_num"] = "AA==";                                  // unscaled 0 → one zero byte
  row["c_num_var"] = OJ::parse(R"({"scale":0,"value":"A+g="})");  // 1000 = 0x03E8
  row["c_money"] = "AQ==";                                 // 0.01 → unscaled 1
  row["c_interval"] = -273906250000LL;                     // -(3 × 86400 + 14706.25) s
  row["c_tstz"] = "2000-01-01T00:00:00.000000Z";
  return row;
}

OJ all_null_except(OJ row) {
  OJ out = OJ::parse(kRow1);
  for (auto& [name, value] : out.items()) value = row.contains(name) ? row[name] : OJ(nullptr);
  return out;
}

// The TOAST row and what its INSERT carries in full.
constexpr const char* kInsertToastRow =
    "INSERT INTO golden (id, c_int, c_text_nn, c_text, c_bytea, c_int_arr) VALUES "
    "(3, 3, 'toast', repeat('x', 5000), decode(repeat('ab', 3000), 'hex'), ARRAY(SELECT generate_series(1, 1000)))";

std::string base64(const std::string& bytes) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += {alphabet[v >> 18], alphabet[(v >> 12) & 63], alphabet[(v >> 6) & 63], alphabet[v & 63]};
  }
  if (i + 1 == bytes.size()) {
    const unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    out += {alphabet[v >> 18], alphabet[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == bytes.size()) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += {alphabet[v >> 18], alphabet[(v >> 12) & 63], alphabet[(v >> 6) & 63], '='};
  }
  return out;
}

OJ toast_row_inserted() {
  OJ ints = OJ::array();
  for (int i = 1; i <= 1000; ++i) ints.push_back(i);
  return all_null_except({{"id", 3},
                          {"c_int", 3},
                          {"c_text_nn", "toast"},
                          {"c_text", std::string(5000, 'x')},
                          {"c_bytea", base64(std::string(3000, '\xab'))},
                          {"c_int_arr", ints}});
}

// §2.5: an unchanged TOAST value with no old tuple is the placeholder — its
// bytes for binary columns, a one-element list for arrays.
OJ toast_row_updated() {
  OJ row = toast_row_inserted();
  row["c_int"] = 4;
  row["c_text"] = "__debezium_unavailable_value";
  row["c_bytea"] = base64("__debezium_unavailable_value");  // "X19kZWJleml1bV91bmF2YWlsYWJsZV92YWx1ZQ=="
  row["c_int_arr"] = OJ::array({"__debezium_unavailable_value"});
  return row;
}

// §2.5: a DELETE under DEFAULT replica identity carries the key columns and
// nulls; a NOT NULL column gets its column default (c_int DEFAULT 42) or the
// type's fallback ("" for c_text_nn). §2.6 writes a null with a default as
// the default anyway.
OJ key_only_before(int id) { return all_null_except({{"id", id}, {"c_int", 42}, {"c_text_nn", ""}}); }

// ---------------------------------------------------------------------------
// The schemas the reference gives, in the JSON converter's key order (§2.6:
// type, fields/items, optional, name, version, doc, parameters, default, field).

// One line per column of `golden`, in table order (§2.7, §2.2, §2.8).
constexpr const char* kGoldenValueFields = R"json([
  {"type":"int32","optional":false,"field":"id"},
  {"type":"int16","optional":true,"field":"c_smallint"},
  {"type":"int32","optional":false,"default":42,"field":"c_int"},
  {"type":"int64","optional":true,"field":"c_bigint"},
  {"type":"int64","optional":true,"field":"c_oid"},
  {"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"4","connect.decimal.precision":"20"},"field":"c_num"},
  {"type":"struct","fields":[{"type":"int32","optional":false,"field":"scale"},{"type":"bytes","optional":false,"field":"value"}],"optional":true,"name":"io.debezium.data.VariableScaleDecimal","version":1,"doc":"Variable scaled decimal","field":"c_num_var"},
  {"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"},"field":"c_money"},
  {"type":"float","optional":true,"field":"c_real"},
  {"type":"double","optional":true,"field":"c_double"},
  {"type":"boolean","optional":true,"field":"c_bool"},
  {"type":"boolean","optional":true,"field":"c_bit1"},
  {"type":"bytes","optional":true,"name":"io.debezium.data.Bits","version":1,"parameters":{"length":"10"},"field":"c_bits"},
  {"type":"bytes","optional":true,"name":"io.debezium.data.Bits","version":1,"parameters":{"length":"16"},"field":"c_varbit"},
  {"type":"string","optional":true,"doc":"free text","field":"c_text"},
  {"type":"string","optional":false,"field":"c_text_nn"},
  {"type":"string","optional":true,"field":"c_varchar"},
  {"type":"string","optional":true,"field":"c_char"},
  {"type":"string","optional":true,"field":"c_citext"},
  {"type":"string","optional":true,"field":"c_inet"},
  {"type":"string","optional":true,"field":"c_range"},
  {"type":"int32","optional":true,"name":"io.debezium.time.Date","version":1,"field":"c_date"},
  {"type":"int64","optional":true,"name":"io.debezium.time.MicroTime","version":1,"field":"c_time"},
  {"type":"int32","optional":true,"name":"io.debezium.time.Time","version":1,"field":"c_time3"},
  {"type":"string","optional":true,"name":"io.debezium.time.ZonedTime","version":1,"field":"c_timetz"},
  {"type":"int64","optional":true,"name":"io.debezium.time.MicroTimestamp","version":1,"field":"c_ts"},
  {"type":"int64","optional":true,"name":"io.debezium.time.Timestamp","version":1,"field":"c_ts3"},
  {"type":"string","optional":true,"name":"io.debezium.time.ZonedTimestamp","version":1,"field":"c_tstz"},
  {"type":"string","optional":true,"name":"io.debezium.time.ZonedTimestamp","version":1,"field":"c_tstz3"},
  {"type":"int64","optional":true,"name":"io.debezium.time.MicroDuration","version":1,"field":"c_interval"},
  {"type":"string","optional":true,"name":"io.debezium.data.Uuid","version":1,"field":"c_uuid"},
  {"type":"string","optional":true,"name":"io.debezium.data.Json","version":1,"field":"c_json"},
  {"type":"string","optional":true,"name":"io.debezium.data.Json","version":1,"field":"c_jsonb"},
  {"type":"string","optional":true,"name":"io.debezium.data.Xml","version":1,"field":"c_xml"},
  {"type":"string","optional":true,"name":"io.debezium.data.Json","version":1,"field":"c_hstore"},
  {"type":"bytes","optional":true,"field":"c_bytea"},
  {"type":"array","items":{"type":"string","optional":true},"optional":true,"field":"c_text_arr"},
  {"type":"array","items":{"type":"int32","optional":true},"optional":true,"field":"c_int_arr"},
  {"type":"string","optional":true,"name":"io.debezium.data.Enum","version":1,"parameters":{"allowed":"sad,ok,happy"},"field":"c_mood"}
])json";
// c_money: the reference gives "bytes Decimal, scale = money.fraction.digits (2)"
// and no precision, so the parameters hold the scale only.

constexpr const char* kNokeyValueFields = R"json([
  {"type":"int32","optional":true,"field":"a"},
  {"type":"string","optional":true,"field":"b"}
])json";

// §2.4, in field order; no origin/origin_lsn (3.5+ only) since the connector
// version this engine reports is below 3.5 (checked below).
constexpr const char* kSourceSchema = R"json({"type":"struct","fields":[
  {"type":"string","optional":false,"field":"version"},
  {"type":"string","optional":false,"field":"connector"},
  {"type":"string","optional":false,"field":"name"},
  {"type":"int64","optional":false,"field":"ts_ms"},
  {"type":"string","optional":true,"name":"io.debezium.data.Enum","version":1,"parameters":{"allowed":"true,first,first_in_data_collection,last_in_data_collection,last,false,incremental"},"default":"false","field":"snapshot"},
  {"type":"string","optional":false,"field":"db"},
  {"type":"string","optional":true,"field":"sequence"},
  {"type":"int64","optional":true,"field":"ts_us"},
  {"type":"int64","optional":true,"field":"ts_ns"},
  {"type":"string","optional":false,"field":"schema"},
  {"type":"string","optional":false,"field":"table"},
  {"type":"int64","optional":true,"field":"txId"},
  {"type":"int64","optional":true,"field":"lsn"},
  {"type":"int64","optional":true,"field":"xmin"},
  {"type":"string","optional":true,"field":"origin"},
  {"type":"int64","optional":true,"field":"origin_lsn"}
 ],"optional":false,"name":"io.debezium.connector.postgresql.Source","version":1,"field":"source"})json";

// §2.3: event.block v1 with id string, total_order int64, data_collection_order
// int64. The reference does not say whether the three members are optional;
// cdcctl makes them required, as Debezium's TransactionStructMaker does
// (Schema.STRING_SCHEMA / INT64_SCHEMA) — asserted as plausible.
constexpr const char* kTransactionSchema = R"json({"type":"struct","fields":[
  {"type":"string","optional":false,"field":"id"},
  {"type":"int64","optional":false,"field":"total_order"},
  {"type":"int64","optional":false,"field":"data_collection_order"}
 ],"optional":true,"name":"event.block","version":1,"field":"transaction"})json";

// The Envelope (§2.2, §2.3, §2.8).
OJ envelope_schema(const std::string& topic, const OJ& value_fields) {
  OJ row = OJ::object();
  row["type"] = "struct";
  row["fields"] = value_fields;
  row["optional"] = true;
  row["name"] = topic + ".Value";
  OJ before = row;
  before["field"] = "before";
  OJ after = row;
  after["field"] = "after";
  OJ envelope = OJ::object();
  envelope["type"] = "struct";
  envelope["fields"] = OJ::array({before, after, OJ::parse(kSourceSchema), OJ::parse(kTransactionSchema),
                                  OJ::parse(R"({"type":"string","optional":false,"field":"op"})"),
                                  OJ::parse(R"({"type":"int64","optional":true,"field":"ts_ms"})"),
                                  OJ::parse(R"({"type":"int64","optional":true,"field":"ts_us"})"),
                                  OJ::parse(R"({"type":"int64","optional":true,"field":"ts_ns"})")});
  envelope["optional"] = false;
  envelope["name"] = topic + ".Envelope";
  envelope["version"] = 2;
  return envelope;
}

// §2.2 / §2.8: the key is a required struct of the primary key, no version.
const OJ kGoldenKeySchema = OJ::parse(
    R"({"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],"optional":false,"name":"srv.public.golden.Key"})");

// ---------------------------------------------------------------------------
// Checks, field by field so a failure names the field.

std::vector<std::string> names_of(const OJ& object) {
  std::vector<std::string> names;
  if (object.is_object()) {
    for (const auto& item : object.items()) names.push_back(item.key());
  }
  return names;
}

// Same members in the same order, and each member's value equal. Members in
// `skip` are left to the caller (each has a MISMATCH note where it is skipped).
void check_struct(const OJ& actual, const OJ& expected, const std::string& what,
                  const std::vector<std::string>& skip = {}) {
  INFO(what);
  REQUIRE(actual.is_object());
  CHECK(names_of(actual) == names_of(expected));
  for (const auto& item : expected.items()) {
    if (std::find(skip.begin(), skip.end(), item.key()) != skip.end()) continue;
    INFO(what << "." << item.key());
    CHECK(actual.contains(item.key()));
    CHECK(actual.value(item.key(), OJ()).dump() == item.value().dump());
  }
}

// A record on a topic, its key and value parsed.
struct Event {
  std::optional<OJ> key;    // nullopt: a null Kafka key
  std::optional<OJ> value;  // nullopt: a tombstone
  std::vector<kafka::Header> headers;
};

std::vector<Event> events_of(const std::vector<kafka::Record>& records) {
  std::vector<Event> out;
  for (const auto& record : records) {
    Event event;
    if (record.key) event.key = OJ::parse(*record.key);
    if (record.value) event.value = OJ::parse(*record.value);
    event.headers = record.headers;
    out.push_back(std::move(event));
  }
  return out;
}

const std::vector<std::string> kContextHeaders = {"__debezium.context.connectorLogicalName", "__debezium.context.taskId",
                                                  "__debezium.context.connectorName", "__debezium.context.runId"};

std::vector<std::string> header_names(const Event& event) {
  std::vector<std::string> names;
  for (const auto& [name, value] : event.headers) names.push_back(name);
  return names;
}

std::optional<std::string> header(const Event& event, const std::string& name) {
  for (const auto& [key, value] : event.headers) {
    if (key == name) return value.value_or("null");
  }
  return std::nullopt;
}

// The key struct a key-change header holds, bare or wrapped by a converter.
std::string key_struct_in(const std::optional<std::string>& header_value) {
  if (!header_value) return "<absent>";
  const auto parsed = OJ::parse(*header_value, nullptr, false);
  if (parsed.is_discarded()) return "<not JSON> " + *header_value;
  if (parsed.is_object() && parsed.contains("schema") && parsed.contains("payload")) return parsed["payload"].dump();
  return parsed.dump();
}

// One SQL transaction of the test: its xid and the wall-clock window around it.
struct Step {
  std::int64_t xid = 0;
  std::int64_t from_us = 0;
  std::int64_t to_us = 0;
};

Step run_step(const RunSetup& setup, const std::string& sql) {
  Step step;
  step.from_us = now_us();
  const auto out = setup.pg.psql("BEGIN; " + sql + "; SELECT pg_current_xact_id(); COMMIT", setup.db);
  step.to_us = now_us();
  step.xid = std::stoll(out.substr(out.find_last_of('\n') + 1));
  return step;
}

struct Golden {
  bool schemas = false;
  std::string db;
  std::int64_t read_us = 0;  // when the topics were read: the latest an event can have been processed
};

// The key as the converter writes it (§2.6): {"schema","payload"} or the payload.
OJ key_of(const Golden& golden, const OJ& payload) {
  if (!golden.schemas) return payload;
  OJ key = OJ::object();
  key["schema"] = kGoldenKeySchema;
  key["payload"] = payload;
  return key;
}

// The source block (§2.4) and the envelope's processing times (§2.3).
void check_source_and_times(const Golden& golden, const OJ& payload, const std::string& table, const Step& step,
                            const std::string& what) {
  INFO(what);
  const auto& source = payload["source"];
  CHECK(names_of(source) == std::vector<std::string>{"version", "connector", "name", "ts_ms", "snapshot", "db", "sequence",
                                                     "ts_us", "ts_ns", "schema", "table", "txId", "lsn", "xmin",
                                                     "origin", "origin_lsn"});
  const auto version = source.value("version", std::string());
  CHECK_MESSAGE(std::regex_match(version, std::regex(R"(3\.\d+\.\d+\.Final)")), version);
  // The version must agree with the Source schema emitted beside it. §2.3:
  // the Source schema has "version":1 only since 3.1; §2.4: origin and
  // origin_lsn exist from 3.5. cdcctl writes Debezium 3.6's shape, which
  // real_engine_test compares with the real connector.
  CHECK_MESSAGE(std::regex_match(version, std::regex(R"(3\.([5-9]|\d\d)\.\d+\.Final)")), version);
  CHECK(source["connector"] == "postgresql");
  CHECK(source["name"] == "srv");
  CHECK(source["snapshot"] == "false");  // streaming: unset, the default "false" shows
  CHECK(source["db"] == golden.db);
  CHECK(source["schema"] == "public");
  CHECK(source["table"] == table);
  CHECK(source["txId"] == step.xid);
  CHECK(source["xmin"].is_null());  // xmin.fetch.interval.ms defaults to 0
  // ts_ms is the commit time, inside the window of the statement's transaction.
  REQUIRE(source["ts_us"].is_number_integer());
  const auto ts_us = source["ts_us"].get<std::int64_t>();
  CHECK(ts_us >= step.from_us);
  CHECK(ts_us <= step.to_us);
  CHECK(source["ts_ms"] == ts_us / 1000);
  CHECK(source["ts_ns"] == ts_us * 1000);
  // sequence: a JSON array in a string, ["<last commit LSN>","<this LSN>"], decimal.
  REQUIRE(source["lsn"].is_number_integer());
  const auto lsn = source["lsn"].get<std::uint64_t>();
  REQUIRE(source["sequence"].is_string());
  const auto sequence = OJ::parse(source["sequence"].get<std::string>());
  REQUIRE(sequence.is_array());
  REQUIRE(sequence.size() == 2);
  CHECK(sequence[1] == std::to_string(lsn));
  // The last commit LSN is the previous commit's end, which is where the
  // next WAL record — often this very change — starts: equal is fine.
  if (!sequence[0].is_null()) {
    REQUIRE(sequence[0].is_string());
    CHECK(std::stoull(sequence[0].get<std::string>()) <= lsn);
  }
  // The envelope's ts_* are the connector's processing time: after the commit,
  // before the test read the topic, one instant in three units.
  CHECK(payload["transaction"].is_null());  // provide.transaction.metadata=false
  REQUIRE(payload["ts_us"].is_number_integer());
  const auto processed_us = payload["ts_us"].get<std::int64_t>();
  CHECK(processed_us >= ts_us);
  CHECK(processed_us <= golden.read_us);
  CHECK(payload["ts_ms"] == processed_us / 1000);
  CHECK(payload["ts_ns"].get<std::int64_t>() / 1000 == processed_us);
}

std::uint64_t lsn_of(const OJ& payload) { return payload["source"]["lsn"].get<std::uint64_t>(); }
std::optional<std::uint64_t> last_commit_of(const OJ& payload) {
  const auto sequence = OJ::parse(payload["source"]["sequence"].get<std::string>());
  if (sequence[0].is_null()) return std::nullopt;
  return std::stoull(sequence[0].get<std::string>());
}

// A change event's value: the payload (and the schema when schemas are on).
OJ payload_of(const Golden& golden, const Event& event, const OJ& expected_schema, const std::string& what) {
  INFO(what);
  REQUIRE(event.value.has_value());
  const OJ& value = *event.value;
  if (!golden.schemas) {
    CHECK(names_of(value) == std::vector<std::string>{"before", "after", "source", "transaction", "op", "ts_ms", "ts_us", "ts_ns"});
    return value;
  }
  CHECK(names_of(value) == std::vector<std::string>{"schema", "payload"});
  // Every event of a table carries the same value schema: the first event's,
  // which check_value_schema compares with the reference part by part.
  CHECK(value["schema"].dump() == expected_schema.dump());
  return value["payload"];
}

// The value schema of a table, part by part (§2.2–2.4, §2.7, §2.8).
void check_value_schema(const OJ& actual, const OJ& expected, const std::string& what,
                        const std::vector<std::string>& skip_columns = {}) {
  INFO(what);
  REQUIRE(actual.is_object());
  CHECK(names_of(actual) == names_of(expected));
  CHECK(actual["type"] == "struct");
  CHECK(actual["optional"] == expected["optional"]);
  CHECK(actual["name"] == expected["name"]);
  CHECK(actual["version"] == expected["version"]);
  REQUIRE(actual["fields"].is_array());
  REQUIRE(actual["fields"].size() == expected["fields"].size());
  for (std::size_t i = 0; i < expected["fields"].size(); ++i) {
    const auto& want = expected["fields"][i];
    const auto& got = actual["fields"][i];
    INFO("envelope member " << want["field"].get<std::string>());
    if (want["field"] == "before" || want["field"] == "after") {
      CHECK(names_of(got) == names_of(want));
      CHECK(got["type"] == "struct");
      CHECK(got["optional"] == true);
      CHECK(got["name"] == want["name"]);
      CHECK(got["field"] == want["field"]);
      REQUIRE(got["fields"].is_array());
      REQUIRE(got["fields"].size() == want["fields"].size());
      for (std::size_t c = 0; c < want["fields"].size(); ++c) {
        const auto column = want["fields"][c]["field"].get<std::string>();
        if (std::find(skip_columns.begin(), skip_columns.end(), column) != skip_columns.end()) continue;
        INFO("column " << column);
        CHECK(got["fields"][c].dump() == want["fields"][c].dump());
      }
    } else {
      CHECK(got.dump() == want.dump());
    }
  }
}

// A column's schema node inside the envelope's `before` and `after` structs.
std::vector<OJ> column_schemas(const OJ& envelope, const std::string& column) {
  std::vector<OJ> out;
  for (const auto& member : envelope["fields"]) {
    if (member["field"] != "before" && member["field"] != "after") continue;
    for (const auto& node : member["fields"]) {
      if (node["field"] == column) out.push_back(node);
    }
  }
  return out;
}

// The whole scenario, once per converter setting.
void golden_events(bool schemas) {
  RunSetup setup(schemas ? "golden_schemas" : "golden", {"srv.public.golden:1", "srv.public.nokey:1", "connect-offsets:25"},
                 kSchemaSql);
  // A database time zone far from UTC, with a half-hour offset: unless the
  // engine sets its own, timestamptz text from the walsender is in this zone,
  // and must still come out in UTC.
  setup.pg.psql("ALTER DATABASE " + setup.db + " SET timezone TO 'America/St_Johns'");
  setup.write_connector("golden", {{"skipped.operations", "none"},  // truncates too (§2.1: default "t" skips them)
                         {"snapshot.mode", "initial"},    // both tables are empty: nothing to read
                         {"include.schema.comments", "true"},  // Debezium writes column comments only when asked
                         {"key.converter.schemas.enable", schemas ? "true" : "false"},
                         {"value.converter.schemas.enable", schemas ? "true" : "false"}});
  auto worker = setup.start();
  REQUIRE_MESSAGE(wait_until([&] { return setup.status().value("state", "") == "RUNNING"; }, 60s), setup.log());

  const Step insert1 = run_step(setup, kInsertRow1);
  const Step insert2 = run_step(setup, kInsertRow2);
  const Step update1 = run_step(setup, kUpdateRow1);
  const Step delete2 = run_step(setup, "DELETE FROM golden WHERE id = 2");
  const Step key_change = run_step(setup, "UPDATE golden SET id = 10 WHERE id = 1");
  const Step insert3 = run_step(setup, kInsertToastRow);
  // Confirm the TOAST row really is stored out of line (else the test proves nothing).
  const auto toast_table = setup.pg.psql("SELECT reltoastrelid::regclass FROM pg_class WHERE oid = 'golden'::regclass", setup.db);
  CHECK(setup.pg.psql("SELECT count(DISTINCT chunk_id) FROM " + toast_table, setup.db) == "3");
  const Step update3 = run_step(setup, "UPDATE golden SET c_int = 4 WHERE id = 3");
  const Step truncate = run_step(setup, "TRUNCATE golden");
  const Step nokey_insert = run_step(setup, "INSERT INTO nokey VALUES (1, 'x')");
  const Step nokey_update = run_step(setup, "UPDATE nokey SET b = 'y' WHERE a = 1");
  const Step nokey_delete = run_step(setup, "DELETE FROM nokey WHERE a = 1");

  constexpr std::size_t kGoldenRecords = 11;  // c c u d ⊥ d ⊥ c c u t
  constexpr std::size_t kNokeyRecords = 4;    // c u d ⊥
  REQUIRE_MESSAGE(wait_until([&] { return setup.read("srv.public.nokey").size() >= kNokeyRecords; }, 60s), setup.log());
  std::this_thread::sleep_for(500ms);  // anything extra would show up now
  Golden golden{schemas, setup.db, now_us()};
  const auto golden_records = setup.read("srv.public.golden");
  const auto nokey_records = setup.read("srv.public.nokey");
  REQUIRE(golden_records.size() == kGoldenRecords);
  REQUIRE(nokey_records.size() == kNokeyRecords);
  const auto events = events_of(golden_records);

  const OJ golden_schema = envelope_schema("srv.public.golden", OJ::parse(kGoldenValueFields));  // the reference's
  const OJ nokey_schema = envelope_schema("srv.public.nokey", OJ::parse(kNokeyValueFields));
  OJ golden_seen_schema;  // the first event's, which every later event must repeat
  if (schemas) {
    REQUIRE(events[0].value.has_value());
    golden_seen_schema = (*events[0].value)["schema"];
    CHECK(golden_seen_schema.dump() == golden_schema.dump());
    check_value_schema(golden_seen_schema, golden_schema, "golden value schema",
                       {"c_int", "c_real", "c_double", "c_text", "c_hstore"});  // checked one by one below
    for (const auto& node : column_schemas(golden_seen_schema, "c_int")) {
      // §2.2 "Column DEFAULTs that can be parsed become the schema's default".
      CHECK(node.dump() == R"({"type":"int32","optional":false,"default":42,"field":"c_int"})");
    }
    for (const auto& [column, type] : {std::pair{"c_real", "float"}, std::pair{"c_double", "double"}}) {
      for (const auto& node : column_schemas(golden_seen_schema, column)) {
        INFO(column);
        // §2.7: real / double precision are Connect's float / double, which the
        // JsonConverter names "float" and "double" (JsonSchema.FLOAT_TYPE_NAME / DOUBLE_TYPE_NAME).
        CHECK(node["type"] == type);
        CHECK(node.dump() == column_schemas(golden_schema, column)[0].dump());
      }
    }
    for (const auto& node : column_schemas(golden_seen_schema, "c_text")) {
      // §2.2 "Column comments become the schema's doc": COMMENT ON COLUMN
      // golden.c_text IS 'free text' → "doc":"free text".
      CHECK(node.dump() == R"({"type":"string","optional":true,"doc":"free text","field":"c_text"})");
    }
    for (const auto& node : column_schemas(golden_seen_schema, "c_hstore")) {
      // §2.7 maps hstore (hstore.handling.mode=json) to a string named io.debezium.data.Json.
      CHECK(node.dump() == R"({"type":"string","optional":true,"name":"io.debezium.data.Json","version":1,"field":"c_hstore"})");
    }
    REQUIRE(events[0].key.has_value());
    CHECK((*events[0].key)["schema"].dump() == kGoldenKeySchema.dump());
  }

  // Plain events carry Debezium 3.x's context headers only (the reference
  // names headers only for key changes; the real connector adds these to
  // every record of a table's topic, real_engine_test).
  for (const std::size_t i : {0U, 1U, 2U, 3U, 8U, 9U, 10U}) CHECK(header_names(events[i]) == kContextHeaders);

  // 0: INSERT of row 1 (§2.5 op c, before null).
  {
    const auto& event = events[0];
    REQUIRE(event.key.has_value());
    CHECK(event.key->dump() == key_of(golden, {{"id", 1}}).dump());
    const auto payload = payload_of(golden, event, golden_seen_schema, "insert 1");
    CHECK(payload["op"] == "c");
    CHECK(payload["before"].is_null());
    check_struct(payload["after"], OJ::parse(kRow1), "insert 1 after");
    // §2.7 maps hstore (hstore.handling.mode=json) to io.debezium.data.Json,
    // a JSON object in a string: 'k=>v' → "{\"k\":\"v\"}".
    CHECK(payload["after"]["c_hstore"] == R"({"k":"v"})");
    check_source_and_times(golden, payload, "golden", insert1, "insert 1");
  }
  // 1: INSERT of row 2, every nullable column NULL.
  {
    const auto& event = events[1];
    REQUIRE(event.key.has_value());
    CHECK(event.key->dump() == key_of(golden, {{"id", 2}}).dump());
    const auto payload = payload_of(golden, event, golden_seen_schema, "insert 2");
    CHECK(payload["op"] == "c");
    CHECK(payload["before"].is_null());
    check_struct(payload["after"], all_null_except({{"id", 2}, {"c_int", 7}, {"c_text_nn", "two"}}), "insert 2 after");
    check_source_and_times(golden, payload, "golden", insert2, "insert 2");
  }
  // 2: UPDATE of row 1 under DEFAULT identity: op u, before null (§2.5).
  {
    const auto& event = events[2];
    REQUIRE(event.key.has_value());
    CHECK(event.key->dump() == key_of(golden, {{"id", 1}}).dump());
    const auto payload = payload_of(golden, event, golden_seen_schema, "update 1");
    CHECK(payload["op"] == "u");
    CHECK(payload["before"].is_null());
    check_struct(payload["after"], row1_updated(1), "update 1 after");
    // §2.7 maps hstore (hstore.handling.mode=json) to io.debezium.data.Json,
    // a JSON object in a string: 'k=>v' → "{\"k\":\"v\"}".
    CHECK(payload["after"]["c_hstore"] == R"({"k":"v"})");
    check_source_and_times(golden, payload, "golden", update1, "update 1");
  }
  // 3, 4: DELETE of row 2: op d, after null, before = key + defaults/fallbacks; then a tombstone.
  {
    const auto& event = events[3];
    REQUIRE(event.key.has_value());
    CHECK(event.key->dump() == key_of(golden, {{"id", 2}}).dump());
    const auto payload = payload_of(golden, event, golden_seen_schema, "delete 2");
    CHECK(payload["op"] == "d");
    CHECK(payload["after"].is_null());
    check_struct(payload["before"], key_only_before(2), "delete 2 before", {"c_int", "c_text_nn"});
    // §2.5: under DEFAULT identity a NOT NULL column cannot be null, so Debezium
    // fills it with the column default or a type fallback (0, "", …).
    CHECK(payload["before"]["c_int"] == 42);
    CHECK(payload["before"]["c_text_nn"] == "");
    check_source_and_times(golden, payload, "golden", delete2, "delete 2");
    const auto& tombstone = events[4];
    CHECK_FALSE(tombstone.value.has_value());
    REQUIRE(tombstone.key.has_value());
    CHECK(tombstone.key->dump() == key_of(golden, {{"id", 2}}).dump());
  }
  // 5, 6, 7: the primary-key change 1 → 10 (§2.5): d for the old key with
  // header __debezium.newkey, a tombstone, c for the new key with
  // __debezium.oldkey. All three in one transaction.
  {
    const auto& deleted = events[5];
    REQUIRE(deleted.key.has_value());
    CHECK(deleted.key->dump() == key_of(golden, {{"id", 1}}).dump());
    const auto payload = payload_of(golden, deleted, golden_seen_schema, "key change d");
    CHECK(payload["op"] == "d");
    CHECK(payload["after"].is_null());
    check_struct(payload["before"], key_only_before(1), "key change d before", {"c_int", "c_text_nn"});
    // §2.5: under DEFAULT identity a NOT NULL column cannot be null, so Debezium
    // fills it with the column default or a type fallback (0, "", …).
    CHECK(payload["before"]["c_int"] == 42);
    CHECK(payload["before"]["c_text_nn"] == "");
    check_source_and_times(golden, payload, "golden", key_change, "key change d");
    // The reference names the headers but not their encoding. Asserted: the
    // header holds the new key's struct {"id":10}, bare or in a converter's
    // {"schema","payload"} wrapper.
    // Kafka Connect's default header converter writes a key struct as its
    // bare JSON, whatever the key converter's schemas setting.
    CHECK(header(deleted, "__debezium.newkey").value_or("<absent>") == R"({"id":10})");
    CHECK(key_struct_in(header(deleted, "__debezium.newkey")) == R"({"id":10})");
    if (!schemas) CHECK(header(deleted, "__debezium.newkey").value_or("<absent>") == R"({"id":10})");
    CHECK_FALSE(header(deleted, "__debezium.oldkey").has_value());

    const auto& tombstone = events[6];
    CHECK_FALSE(tombstone.value.has_value());
    REQUIRE(tombstone.key.has_value());
    CHECK(tombstone.key->dump() == key_of(golden, {{"id", 1}}).dump());

    const auto& created = events[7];
    REQUIRE(created.key.has_value());
    CHECK(created.key->dump() == key_of(golden, {{"id", 10}}).dump());
    const auto created_payload = payload_of(golden, created, golden_seen_schema, "key change c");
    CHECK(created_payload["op"] == "c");
    CHECK(created_payload["before"].is_null());
    check_struct(created_payload["after"], row1_updated(10), "key change c after");
    // §2.7 maps hstore (hstore.handling.mode=json) to io.debezium.data.Json,
    // a JSON object in a string: 'k=>v' → "{\"k\":\"v\"}".
    CHECK(created_payload["after"]["c_hstore"] == R"({"k":"v"})");
    check_source_and_times(golden, created_payload, "golden", key_change, "key change c");
    CHECK(header(created, "__debezium.oldkey").value_or("<absent>") == R"({"id":1})");
    CHECK(key_struct_in(header(created, "__debezium.oldkey")) == R"({"id":1})");
    if (!schemas) CHECK(header(created, "__debezium.oldkey").value_or("<absent>") == R"({"id":1})");
    CHECK_FALSE(header(created, "__debezium.newkey").has_value());
    CHECK(lsn_of(created_payload) >= lsn_of(payload));
  }
  // 8: INSERT of the TOAST row: the large values in full.
  {
    const auto& event = events[8];
    REQUIRE(event.key.has_value());
    CHECK(event.key->dump() == key_of(golden, {{"id", 3}}).dump());
    const auto payload = payload_of(golden, event, golden_seen_schema, "insert 3");
    CHECK(payload["op"] == "c");
    CHECK(payload["before"].is_null());
    check_struct(payload["after"], toast_row_inserted(), "insert 3 after");
    check_source_and_times(golden, payload, "golden", insert3, "insert 3");
  }
  // 9: UPDATE of another column of the TOAST row: the placeholders (§2.5).
  {
    const auto& event = events[9];
    REQUIRE(event.key.has_value());
    CHECK(event.key->dump() == key_of(golden, {{"id", 3}}).dump());
    const auto payload = payload_of(golden, event, golden_seen_schema, "update 3");
    CHECK(payload["op"] == "u");
    CHECK(payload["before"].is_null());
    check_struct(payload["after"], toast_row_updated(), "update 3 after");
    check_source_and_times(golden, payload, "golden", update3, "update 3");
  }
  // 10: TRUNCATE: one event, key null, op t, no before/after (§2.5). The
  // value keeps the table's envelope schema, so before/after show as null (§2.6).
  {
    const auto& event = events[10];
    CHECK_FALSE(event.key.has_value());
    const auto payload = payload_of(golden, event, golden_seen_schema, "truncate");
    CHECK(payload["op"] == "t");
    CHECK(payload["before"].is_null());
    CHECK(payload["after"].is_null());
    check_source_and_times(golden, payload, "golden", truncate, "truncate");
  }
  // Across the topic: LSNs grow with commit order (the two events of one
  // key change share their Update message's LSN); the "last commit LSN" of a
  // transaction's events is at or after every change of earlier transactions.
  {
    std::vector<OJ> payloads;
    for (const auto& event : events) {
      if (event.value) payloads.push_back(golden.schemas ? (*event.value)["payload"] : *event.value);
    }
    for (std::size_t i = 1; i < payloads.size(); ++i) {
      INFO("event " << i);
      const bool same_transaction = payloads[i]["source"]["txId"] == payloads[i - 1]["source"]["txId"];
      if (same_transaction) {
        CHECK(lsn_of(payloads[i]) >= lsn_of(payloads[i - 1]));
      } else {
        CHECK(lsn_of(payloads[i]) > lsn_of(payloads[i - 1]));
        const auto last_commit = last_commit_of(payloads[i]);
        REQUIRE(last_commit.has_value());
        CHECK(*last_commit >= lsn_of(payloads[i - 1]));
      }
    }
  }

  // The table without a primary key (REPLICA IDENTITY FULL): null Kafka keys
  // throughout (§2.2), before is the full old row (§2.5), and the delete's
  // tombstone has a null key too (§2.5: a tombstone follows every d).
  {
    const auto nokey = events_of(nokey_records);
    if (schemas) {
      REQUIRE(nokey[0].value.has_value());
      check_value_schema((*nokey[0].value)["schema"], nokey_schema, "nokey value schema");
    }
    for (const auto& event : nokey) CHECK_FALSE(event.key.has_value());
    for (const auto& event : nokey) CHECK(header_names(event) == kContextHeaders);
    const OJ x = OJ::parse(R"({"a":1,"b":"x"})");
    const OJ y = OJ::parse(R"({"a":1,"b":"y"})");

    auto payload = payload_of(golden, nokey[0], nokey_schema, "nokey insert");
    CHECK(payload["op"] == "c");
    CHECK(payload["before"].is_null());
    check_struct(payload["after"], x, "nokey insert after");
    check_source_and_times(golden, payload, "nokey", nokey_insert, "nokey insert");

    payload = payload_of(golden, nokey[1], nokey_schema, "nokey update");
    CHECK(payload["op"] == "u");
    check_struct(payload["before"], x, "nokey update before");
    check_struct(payload["after"], y, "nokey update after");
    check_source_and_times(golden, payload, "nokey", nokey_update, "nokey update");

    payload = payload_of(golden, nokey[2], nokey_schema, "nokey delete");
    CHECK(payload["op"] == "d");
    check_struct(payload["before"], y, "nokey delete before");
    CHECK(payload["after"].is_null());
    check_source_and_times(golden, payload, "nokey", nokey_delete, "nokey delete");

    CHECK_FALSE(nokey[3].value.has_value());
  }

  CHECK(worker->stop() == 0);
}

}  // namespace

TEST_CASE("cdcctl run golden events: every mapped type and every kind of change, schemas off (payload only)") {
  golden_events(false);
}

TEST_CASE("cdcctl run golden events: every mapped type and every kind of change, schemas on (key and value schemas)") {
  golden_events(true);
}
