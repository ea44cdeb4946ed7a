// The real tier: `cdcctl run` against the real Debezium PostgreSQL connector.
//
// One PostgreSQL database, captured at the same time by Debezium 3.6 on a
// real Kafka Connect worker and by `cdcctl run`, each connector with its own
// slot and topic prefix, both into one real Kafka broker, with the same
// connector config in several variants (schemas on and off, the decimal and
// time handling modes). Every topic, record by record and field by field —
// key and value schemas, payloads, partitions, headers, tombstones — and the
// offsets each writes to the offsets topic must be the same, but for the
// differences listed once in kAllowedDifferences with their reasons.
//
// A difference is reported with the path to the field and both values; the
// whole report and both sides' records are written under the cluster's log
// directory (engine-diff/) so a failure can be read in full.
//
// Then, on the same cluster: a connector moved from cdcctl run to Debezium
// and back (nothing lost or repeated, one slot); a value cdcctl cannot
// convert failing its connector alone; and the SIGKILL exactly-once test
// on the real broker, where no repeat at all is allowed.
#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "kafka/topic_io.hpp"
#include "pg/connection.hpp"
#include "pg/lsn.hpp"
#include "support/pg_cluster.hpp"
#include "support/process.hpp"
#include "support/real_cluster.hpp"
#include "support/real_connectors.hpp"
#include "support/run_chaos.hpp"
#include "support/run_setup.hpp"

using namespace cdcctl;
using namespace cdcctl::testsupport;
using namespace std::chrono_literals;
using nlohmann::json;
using OJ = nlohmann::ordered_json;  // field order is part of the format

namespace {

RealCluster& cluster() {
  return shared_service([] { return std::make_unique<RealCluster>(RealClusterOptions{.name = "engine"}); });
}

PgCluster& postgres() {
  static PgCluster instance;
  return instance;
}

// ---------------------------------------------------------------------------
// The database: a table per family of types, each type at ordinary and edge
// values, and the shapes of table that change what an event carries
// (composite key, no key, REPLICA IDENTITY FULL, generated and defaulted
// columns, domains, TOASTed values).

constexpr const char* kSchemaSql = R"sql(
CREATE EXTENSION hstore;
CREATE EXTENSION citext;
CREATE EXTENSION ltree;
CREATE TYPE mood AS ENUM ('sad', 'happy');
ALTER TYPE mood ADD VALUE 'ok' BEFORE 'happy';
CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
CREATE DOMAIN short_text AS varchar(10);
CREATE TABLE nums (
  id serial PRIMARY KEY,
  c_int2 smallint, c_int4 integer, c_int8 bigint, c_oid oid,
  c_sserial smallserial, c_bserial bigserial,
  c_num numeric(20,4), c_num0 numeric(10,0), c_numv numeric, c_money money,
  c_real real, c_double double precision,
  c_bool boolean NOT NULL DEFAULT true,
  c_posint posint
);
CREATE TABLE texts (
  region text, id bigint, PRIMARY KEY (region, id),
  c_text text, c_varchar varchar(20), c_varchar_u varchar, c_char char(5),
  c_citext citext, c_short short_text, c_bytea bytea, c_uuid uuid,
  c_json json, c_jsonb jsonb, c_xml xml, c_hstore hstore, c_mood mood, c_ltree ltree,
  c_bit1 bit(1), c_bit bit(10), c_varbit varbit(16), c_varbit_u varbit,
  c_inet inet, c_cidr cidr, c_macaddr macaddr, c_point point,
  c_gen integer GENERATED ALWAYS AS (length(c_text)) STORED,
  c_default_const text NOT NULL DEFAULT 'dflt',
  c_default_now timestamptz DEFAULT now()
);
COMMENT ON COLUMN texts.c_text IS 'free text';
ALTER TABLE texts ALTER COLUMN c_text SET STORAGE EXTERNAL, ALTER COLUMN c_bytea SET STORAGE EXTERNAL;
CREATE TABLE times (
  id int PRIMARY KEY,
  c_date date, c_time time, c_time0 time(0), c_time3 time(3), c_time6 time(6), c_timetz timetz,
  c_ts timestamp, c_ts0 timestamp(0), c_ts3 timestamp(3), c_ts6 timestamp(6),
  c_tstz timestamptz, c_tstz0 timestamptz(0), c_tstz3 timestamptz(3), c_interval interval
);
ALTER TABLE times REPLICA IDENTITY FULL;
CREATE TABLE arrays (
  id int PRIMARY KEY,
  a_int2 smallint[], a_int4 int[], a_int8 bigint[], a_text text[], a_varchar varchar[], a_char char(2)[],
  a_bool bool[], a_float4 real[], a_float8 float8[], a_numeric numeric[], a_num_s numeric(6,2)[],
  a_uuid uuid[], a_date date[], a_ts timestamp[], a_tstz timestamptz[], a_json json[], a_jsonb jsonb[],
  a_bytea bytea[], a_inet inet[], a_mood mood[]
);
CREATE TABLE nokey (a int, b text);
CREATE TABLE nokey_full (a int, b text);
ALTER TABLE nokey_full REPLICA IDENTITY FULL;
CREATE TABLE fence (id int PRIMARY KEY);
)sql";

// The rows of every table, ids from base + 1: inserted once before the
// connectors start (read by both snapshots) and once after (streamed).
std::string rows_sql(int base) {
  const auto id = [base](int n) { return std::to_string(base + n); };
  std::string sql;
  sql += "INSERT INTO nums (id, c_int2, c_int4, c_int8, c_oid, c_num, c_num0, c_numv, c_money, c_real, c_double, c_bool, c_posint) VALUES "
         "(" + id(1) + ", -32768, -2147483648, -9223372036854775808, 0, -9999999999999999.9999, -9999999999, -0.000123, "
         "-92233720368547758.08, -3.4028235e38, -1.7976931348623157e308, false, 1),"
         "(" + id(2) + ", 32767, 2147483647, 9223372036854775807, 4294967295, 9999999999999999.9999, 9999999999, "
         "123456789012345678901234567890.123456789, 92233720368547758.07, 3.4028235e38, 1.7976931348623157e308, true, 2147483647),"
         "(" + id(3) + ", 0, 0, 0, 1, 0, 0, 0, 0, 'NaN', 'NaN', true, NULL),"
         "(" + id(4) + ", NULL, NULL, NULL, NULL, 'NaN', NULL, 'NaN', NULL, 'Infinity', 'Infinity', true, NULL),"
         "(" + id(5) + ", 1, -1, 1, 2, 0.0001, 1, 'Infinity', 0.01, '-Infinity', '-Infinity', false, 7),"
         "(" + id(6) + ", -1, 1, -1, 3, -0.0001, -1, '-Infinity', -0.01, 1.4e-45, 4.9e-324, true, 42),"
         "(" + id(7) + ", NULL, NULL, NULL, NULL, 12.5, 100, 1000, 1234.5, -0.0, 0.1, true, NULL);";
  sql += "INSERT INTO texts (region, id, c_text, c_varchar, c_varchar_u, c_char, c_citext, c_short, c_bytea, c_uuid, c_json, "
         "c_jsonb, c_xml, c_hstore, c_mood, c_ltree, c_bit1, c_bit, c_varbit, c_varbit_u, c_inet, c_cidr, c_macaddr, c_point, "
         "c_default_now) VALUES "
         "('eu', " + id(1) + ", 'Grüße, 世界 🚀 \"q\" \\ back', 'Ωmega', repeat('v', 300), 'ab', 'MiXeD', 'short', "
         "'\\xdeadbeef00ff', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '{\"b\": [1, 2],  \"a\": \"ü\"}', "
         "'{\"b\": [1, 2], \"a\": \"ü\", \"n\": null}', '<a x=\"1\">ü</a>', 'k=>v, \"a b\"=>NULL, z=>\"\"', 'ok', "
         "'Top.Science.Astronomy', B'1', B'1011000011', B'1010000000001', B'10', '2001:db8::1/64', '10.0.0.0/8', "
         "'08:00:2b:01:02:03', '(1.5,-2.25)', '2024-06-10 08:00:00+00'),"
         "('eu', " + id(2) + ", '', '', '', '', '', '', '\\x', '00000000-0000-0000-0000-000000000000', '{}', '[]', '', '', "
         "'sad', '', B'0', B'0000000000', B'', B'', '0.0.0.0', '::/0', '00:00:00:00:00:00', '(0,0)', '1970-01-01 00:00:00+00'),"
         "('us', " + id(1) + ", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
         "NULL, NULL, NULL, NULL, NULL, NULL, NULL);";
  sql += "INSERT INTO texts (region, id, c_text, c_bytea, c_varbit_u) VALUES ('toast', " + id(1) +
         ", repeat('x', 10000), decode(repeat('ab', 4000), 'hex'), repeat('1', 100)::varbit);";
  sql += "INSERT INTO times VALUES "
         "(" + id(1) + ", '2024-02-29', '00:00:00', '23:59:59', '12:34:56.789', '23:59:59.999999', '10:11:12.345678+05:30', "
         "'2024-02-29 13:14:15.123456', '1999-12-31 23:59:59', '1969-12-31 23:59:59.999', '2038-01-19 03:14:08.000001', "
         "'2024-06-10 08:13:20.123456+02', '1970-01-01 00:00:00+00', '1999-12-31 23:59:59.5-08', "
         "'1 year 2 mons -3 days 04:05:06.789'),"
         "(" + id(2) + ", 'infinity', '24:00:00', '00:00:01', '00:00:00.001', '00:00:00.000001', '00:00:00+00', "
         "'infinity', '-infinity', 'infinity', '-infinity', 'infinity', '-infinity', 'infinity', '-178000000 years'),"
         "(" + id(3) + ", '10000-01-01', '12:00:00', '12:00:00', '12:00:00', '12:00:00', '23:59:59.999999-12', "
         "'10000-01-01 00:00:00', '0001-01-01 00:00:00 BC', '294276-12-31 23:59:59.999', '4713-01-01 00:00:00 BC', "
         "'10000-01-01 00:00:00+00', '0001-01-01 00:00:00+00 BC', '294276-12-31 23:59:59.999+00', '178000000 years'),"
         "(" + id(4) + ", '4713-01-01 BC', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
         "'-1 days -00:00:00.000001'),"
         "(" + id(5) + ", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),"
         "(" + id(6) + ", '-infinity', NULL, NULL, NULL, NULL, NULL, '-infinity', 'infinity', '-infinity', 'infinity', "
         "'-infinity', 'infinity', '-infinity', NULL);";
  sql += "INSERT INTO arrays VALUES "
         "(" + id(1) + ", '{-32768,32767,NULL}', '{1,NULL,-3}', '{-9223372036854775808,9223372036854775807}', "
         "'{\"a b\",NULL,\"ü\",\"\\\"q\\\"\",\"\"}', '{x,y}', '{ab,c}', '{t,f,NULL}', '{1.5,NaN,Infinity}', "
         "'{-Infinity,2.5}', '{1.10,NaN,NULL,-0.000123}', '{1.10,-2.5}', '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,NULL}', "
         "'{2024-01-01,infinity}', '{\"2024-01-01 10:00:00.5\"}', '{\"2024-01-01 10:00:00+02\"}', "
         "ARRAY['{\"a\": 1}'::json, NULL], ARRAY['{\"a\": 1}'::jsonb], ARRAY['\\x00ff'::bytea, '\\x'], "
         "'{10.0.0.1,::1/128}', '{sad,ok}'),"
         "(" + id(2) + ", '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', "
         "'{}', '{}', '{}', '{}'),"
         "(" + id(3) + ", '{NULL}', '{NULL}', '{NULL}', '{NULL}', '{NULL}', '{NULL}', '{NULL}', '{NULL}', '{NULL}', "
         "'{NULL}', '{NULL}', '{NULL}', '{NULL}', '{NULL}', '{NULL}', '{NULL}', '{NULL}', '{NULL}', '{NULL}', '{NULL}'),"
         "(" + id(4) + ", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
         "NULL, NULL, NULL, NULL);";
  sql += "INSERT INTO nokey VALUES (" + id(1) + ", 'no key'), (NULL, NULL);";
  sql += "INSERT INTO nokey_full VALUES (" + id(1) + ", 'full'), (" + id(2) + ", NULL);";
  return sql;
}

// What happens after both connectors stream: every kind of change.
std::vector<std::string> streaming_workload() {
  return {
      rows_sql(100),
      // Updates, one per statement: values to other edges, NULLs to values.
      "UPDATE nums SET c_num = 0, c_numv = 1000, c_money = 0.01, c_real = 'NaN', c_posint = 5 WHERE id = 101",
      "UPDATE times SET c_tstz = '2000-01-01 00:00:00+00', c_interval = '-3 days -04:05:06.25' WHERE id = 101",
      "UPDATE arrays SET a_int4 = '{7}', a_text = '{}' WHERE id = 101",
      // A primary-key change: delete + tombstone + create, with the old/new key headers.
      "UPDATE texts SET region = 'ap' WHERE region = 'eu' AND id = 101",
      // Unchanged TOAST values in an update of another column.
      "UPDATE texts SET c_varchar = 'toasted' WHERE region = 'toast' AND id = 101",
      // Several changes in one transaction with a transactional logical message.
      "BEGIN; INSERT INTO nokey VALUES (201, 'in tx'); UPDATE nokey_full SET b = 'changed' WHERE a = 101; "
      "SELECT pg_logical_emit_message(true, 'audit', 'in a transaction'); "
      "DELETE FROM nums WHERE id = 102; COMMIT",
      // A non-transactional message, with bytes that are not text.
      "SELECT pg_logical_emit_message(false, 'audit-raw', '\\x00ff10'::bytea)",
      // Deletes under DEFAULT (key only) and FULL (whole old row) identity.
      "DELETE FROM texts WHERE region = 'us' AND id = 101",
      "DELETE FROM times WHERE id = 103",
      "DELETE FROM nokey_full WHERE a = 102",
      "TRUNCATE nokey_full",
      "INSERT INTO fence VALUES (1)",
  };
}

// ---------------------------------------------------------------------------
// The variants: each runs as one Debezium connector (prefix d<x>) and one
// cdcctl connector (prefix c<x>) with the same config.

struct Variant {
  std::string id;
  json config;
};

const std::vector<Variant>& variants() {
  static const std::vector<Variant> all = {
      // Schemas on, Debezium's defaults, with heartbeats and transaction metadata.
      {"a", {{"heartbeat.interval.ms", "1000"}, {"provide.transaction.metadata", "true"}}},
      // The JSON converter without its schema wrapper.
      {"b",
       {{"key.converter", "org.apache.kafka.connect.json.JsonConverter"},
        {"value.converter", "org.apache.kafka.connect.json.JsonConverter"},
        {"key.converter.schemas.enable", "false"},
        {"value.converter.schemas.enable", "false"}}},
      {"c", {{"decimal.handling.mode", "string"}, {"time.precision.mode", "connect"}}},
      {"d", {{"decimal.handling.mode", "double"}, {"time.precision.mode", "adaptive_time_microseconds"}}},
  };
  return all;
}

json connector_config(const std::string& prefix, const Variant& variant, const std::string& database) {
  auto config = debezium_postgres_source(prefix, prefix, {postgres().port(), database});
  config["config"]["skipped.operations"] = "none";
  config["config"]["hstore.handling.mode"] = "json";
  for (const auto& [key, value] : variant.config.items()) config["config"][key] = value;
  return config;
}

// ---------------------------------------------------------------------------
// The allowed differences, all of them, each with its reason. A path is a
// field of the payload ("" names the payload itself); `snapshot_only` ones
// are allowed only in records of the snapshot.

struct AllowedDifference {
  std::string field;
  bool snapshot_only;
  const char* reason;
};

const std::vector<AllowedDifference> kAllowedDifferences = {
    {"ts_ms", false, "when the connector processed the event: wall clock of each process"},
    {"ts_us", false, "the same in microseconds"},
    {"ts_ns", false, "the same in nanoseconds"},
    {"source.ts_ms", true, "a snapshot record's source time is when that connector read the row"},
    {"source.ts_us", true, "the same in microseconds"},
    {"source.ts_ns", true, "the same in nanoseconds"},
    {"source.lsn", true, "each connector snapshots at its own slot's consistent point"},
    {"source.txId", true, "each connector's snapshot runs in its own transaction"},
    {"source.sequence", true, "made of the consistent point's LSN"},
};

// Debezium counts a transactional logical decoding message, in a
// transaction's END record, under an object named by its identity hash,
// which differs from run to run and places it anywhere in the HashMap's
// order. Such entries are compared by their count only, apart from the
// tables' entries (whose names and order must match).
constexpr const char* kMessageCollection =
    "io.debezium.connector.postgresql.LogicalDecodingMessageMonitor$LogicalDecodingMessageId@";

// Debezium's __debezium.context.runId header is a random id per start of
// the task: present on both sides, its value differs.
constexpr const char* kRunIdHeader = "__debezium.context.runId";

// Where in the last transaction each stored its offset. Kafka Connect
// stores the source offset of the last record Debezium sent (its INSERT:
// messageType, lsn_proc and lsn_commit name that change); cdcctl stores the
// transaction's COMMIT in the Kafka transaction that carried its events.
// Both resume after the same transaction; the key, the members, their
// order and types, txId and ts_usec must match.
const std::vector<const char*> kOffsetPositionFields = {"lsn", "lsn_proc", "lsn_commit", "messageType"};

// The payload of a record value (the "payload" member when the JSON
// converter wrote a schema, else the value itself).
OJ* payload_of(OJ& value) {
  if (value.is_object() && value.contains("schema") && value.contains("payload")) return &value["payload"];
  return &value;
}

void mask_allowed(OJ& value) {
  auto* payload = payload_of(value);
  if (!payload->is_object()) return;
  bool snapshot = false;
  if (payload->contains("source") && (*payload)["source"].is_object()) {
    const auto& flag = (*payload)["source"].value("snapshot", OJ());
    snapshot = flag.is_string() && flag.get<std::string>() != "false";
  }
  if (payload->contains("data_collections") && (*payload)["data_collections"].is_array()) {
    OJ tables = OJ::array();
    int messages = 0;
    for (const auto& entry : (*payload)["data_collections"]) {
      if (entry.value("data_collection", "").starts_with(kMessageCollection)) messages += entry.value("event_count", 0);
      else tables.push_back(entry);
    }
    (*payload)["data_collections"] = tables;
    (*payload)["message_events_in_data_collections"] = messages;
  }
  for (const auto& allowed : kAllowedDifferences) {
    if (allowed.snapshot_only && !snapshot) continue;
    OJ* at = payload;
    std::string rest = allowed.field;
    while (at && at->is_object()) {
      const auto dot = rest.find('.');
      const auto name = rest.substr(0, dot);
      if (!at->contains(name)) {
        at = nullptr;
        break;
      }
      if (dot == std::string::npos) {
        if (!(*at)[name].is_null()) (*at)[name] = "<allowed: " + allowed.field + ">";
        at = nullptr;
        break;
      }
      at = &(*at)[name];
      rest = rest.substr(dot + 1);
    }
  }
}

// Replaces the topic prefix (and the connector name, the same string) in
// every string, so the two sides' names compare.
void unprefix(OJ& value, const std::string& prefix) {
  if (value.is_string()) {
    auto text = value.get<std::string>();
    if (text == prefix) {
      value = "PREFIX";
    } else if (text.starts_with(prefix + ".")) {
      value = "PREFIX" + text.substr(prefix.size());
    } else if (text.starts_with(prefix + "_slot")) {
      value = "PREFIX" + text.substr(prefix.size());
    }
  } else if (value.is_structured()) {
    for (auto& item : value) unprefix(item, prefix);
  }
}

OJ parse_or_string(const std::optional<std::string>& text) {
  if (!text) return OJ();  // null: a null key or a tombstone
  auto parsed = OJ::parse(*text, nullptr, false);
  return parsed.is_discarded() ? OJ("<not JSON> " + *text) : parsed;
}

// A record as compared: partition, key, value, headers.
OJ comparable(const kafka::Record& record, const std::string& prefix) {
  OJ out = OJ::object();
  out["partition"] = record.partition;
  out["key"] = parse_or_string(record.key);
  out["value"] = parse_or_string(record.value);
  if (record.value) mask_allowed(out["value"]);
  OJ headers = OJ::array();
  for (const auto& [name, value] : record.headers) {
    // Connect's SimpleHeaderConverter writes strings as they are, numbers
    // and structs as JSON.
    OJ parsed = value ? OJ::parse(*value, nullptr, false) : OJ();
    if (parsed.is_discarded()) parsed = *value;
    if (name == kRunIdHeader) parsed = "<allowed: a random id per run>";
    headers.push_back(OJ::array({name, parsed}));
  }
  out["headers"] = headers;
  unprefix(out, prefix);
  return out;
}

// Every difference between two JSON values, as "path: cdcctl … | Debezium …".
// Object members are compared in order too: the JSON converter's field order
// is part of what consumers see.
void diff(const OJ& ours, const OJ& theirs, const std::string& path, std::vector<std::string>& out) {
  if (ours.type() != theirs.type() || !ours.is_structured()) {
    if (ours != theirs) out.push_back(path + ": cdcctl " + ours.dump() + " | Debezium " + theirs.dump());
    return;
  }
  if (ours.is_array()) {
    if (ours.size() != theirs.size()) {
      out.push_back(path + ": cdcctl has " + std::to_string(ours.size()) + " elements, Debezium " +
                    std::to_string(theirs.size()) + ": cdcctl " + ours.dump() + " | Debezium " + theirs.dump());
      return;
    }
    for (std::size_t i = 0; i < ours.size(); ++i) diff(ours[i], theirs[i], path + "[" + std::to_string(i) + "]", out);
    return;
  }
  std::vector<std::string> our_names, their_names;
  for (const auto& item : ours.items()) our_names.push_back(item.key());
  for (const auto& item : theirs.items()) their_names.push_back(item.key());
  if (our_names != their_names) {
    std::string a, b;
    for (const auto& name : our_names) a += name + " ";
    for (const auto& name : their_names) b += name + " ";
    out.push_back(path + ": members cdcctl [" + a + "] | Debezium [" + b + "]");
  }
  for (const auto& item : theirs.items()) {
    if (ours.contains(item.key())) diff(ours[item.key()], item.value(), path + "." + item.key(), out);
  }
}

// Every record of a topic in partition and offset order (none when the
// topic does not exist yet).
std::vector<kafka::Record> read_topic(const std::string& topic) {
  kafka::Consumer consumer({{"bootstrap.servers", cluster().bootstrap_servers()}});
  std::vector<kafka::Record> records;
  const auto names = consumer.topic_names(15s);
  if (std::find(names.begin(), names.end(), topic) == names.end()) return records;
  consumer.read(topic, consumer.whole_topic(topic, 15s), [&](const kafka::Record& record) {
    records.push_back(record);
    return true;
  }, 15s);
  std::stable_sort(records.begin(), records.end(),
                   [](const auto& a, const auto& b) { return std::tie(a.partition, a.offset) < std::tie(b.partition, b.offset); });
  return records;
}

std::vector<std::string> topics_with_prefix(const std::string& prefix) {
  kafka::Consumer consumer({{"bootstrap.servers", cluster().bootstrap_servers()}});
  std::vector<std::string> out;
  for (const auto& topic : consumer.topic_names(15s)) {
    if (topic.starts_with(prefix + ".")) out.push_back("PREFIX" + topic.substr(prefix.size()));
    if (topic == "__debezium-heartbeat." + prefix) out.push_back("__debezium-heartbeat.PREFIX");
  }
  return out;
}

std::string with_prefix(const std::string& topic, const std::string& prefix) {
  const auto at = topic.find("PREFIX");
  return topic.substr(0, at) + prefix + topic.substr(at + 6);
}

// The last offset each connector stored, by connector name.
std::map<std::string, std::pair<OJ, OJ>> stored_offsets() {
  std::map<std::string, std::pair<OJ, OJ>> out;
  for (const auto& record : read_topic("_connect-offsets")) {
    auto key = parse_or_string(record.key);
    if (!key.is_array() || key.empty() || !key[0].is_string()) continue;
    out[key[0].get<std::string>()] = {key, parse_or_string(record.value)};
  }
  return out;
}

std::string slot_lsn(const std::string& database, const std::string& slot) {
  return postgres().psql("SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '" + slot + "'", database);
}

// `cdcctl run` on the real broker with these connector configs, offsets in
// Connect's offsets topic (so either side finds the other's), its stderr in
// DIR/run.log.
std::unique_ptr<BackgroundProcess> start_cdcctl(const TempDir& dir, const std::vector<json>& connectors,
                                                const std::map<std::string, std::string>& env = {}) {
  std::ofstream(dir.path() + "/worker.properties") << "bootstrap.servers=" << cluster().bootstrap_servers() << "\n"
                                                   << "offset.storage.topic=_connect-offsets\n"
                                                   << "state.dir=" << dir.path() << "/state\n";
  std::vector<std::string> argv = {"sh", "-c", "echo started; exec \"$0\" \"$@\" 2>>" + dir.path() + "/run.log",
                                   CDCCTL_BINARY, "run", dir.path() + "/worker.properties"};
  for (const auto& connector : connectors) {
    const auto path = dir.path() + "/" + connector["name"].get<std::string>() + ".json";
    std::ofstream(path) << connector.dump(2);
    argv.push_back(path);
  }
  RunOptions options;
  options.env["HOME"] = dir.path();
  options.unset_env = {"CDCCTL_*", "PG*", "NO_COLOR"};
  for (const auto& [name, value] : env) options.env[name] = value;
  return std::make_unique<BackgroundProcess>(argv, options);
}

std::string read_log(const TempDir& dir) {
  std::ifstream in(dir.path() + "/run.log");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_text(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << text;
}

}  // namespace

TEST_CASE("cdcctl run and Debezium 3.6 capture the same database into the same records and offsets") {
  auto& kafka = cluster();
  const auto database = postgres().create_database("differential");
  postgres().psql(kSchemaSql, database);
  postgres().psql(rows_sql(0), database);

  // cdcctl: one worker process with every variant's connector.
  TempDir dir("cdcctl-engine");
  std::vector<json> ours;
  for (const auto& variant : variants()) ours.push_back(connector_config("c" + variant.id, variant, database));
  auto worker_process = start_cdcctl(dir, ours);
  auto& worker = *worker_process;
  const auto run_log = [&] { return read_log(dir); };

  // Debezium: one connector per variant on the real Connect worker.
  for (const auto& variant : variants()) {
    const auto created = curl_json("POST", kafka.connect_url() + "/connectors",
                                   connector_config("d" + variant.id, variant, database).dump());
    REQUIRE_MESSAGE(created.exit_code == 0, created.out, created.err);
  }

  // Every slot exists (each snapshot is then fixed at its consistent point)
  // and every connector has finished its snapshot, before anything streams.
  const auto streaming = [&](const std::string& prefix) {
    return !slot_lsn(database, prefix + "_slot").empty() && !read_topic(prefix + ".public.nokey_full").empty();
  };
  // Debezium's side must get there; cdcctl's is checked, and the comparison
  // below runs either way so that it shows every difference at once.
  for (const auto& variant : variants()) {
    INFO("connector d", variant.id, "\nConnect log:\n", kafka.worker_log_tail(0, 60));
    REQUIRE(eventually([&] { return streaming("d" + variant.id); }, 180s));
  }
  for (const auto& variant : variants()) {
    INFO("connector c", variant.id, "\ncdcctl log:\n", run_log());
    CHECK(eventually([&] { return streaming("c" + variant.id); }, 30s));
  }
  // Debezium's snapshot events are sent before it starts streaming; the
  // stream starts from the slot either way, so nothing is missed here.
  for (const auto& statement : streaming_workload()) postgres().psql(statement, database);

  for (const auto& variant : variants()) {
    INFO("connector d", variant.id, "\nConnect log:\n", kafka.worker_log_tail(0, 60));
    REQUIRE(eventually([&] { return !read_topic("d" + variant.id + ".public.fence").empty(); }, 180s));
  }
  for (const auto& variant : variants()) {
    INFO("connector c", variant.id, "\ncdcctl log:\n", run_log());
    CHECK(eventually([&] { return !read_topic("c" + variant.id + ".public.fence").empty(); }, 30s));
  }

  const auto report_dir = kafka.log_dir() + "/engine-diff";
  std::filesystem::remove_all(report_dir);
  std::vector<std::string> differences;
  const auto differ = [&](const std::string& where, const std::string& what) { differences.push_back(where + ": " + what); };

  for (const auto& variant : variants()) {
    const auto ours = "c" + variant.id, theirs = "d" + variant.id;
    // Topic names (heartbeats come and go with time: both must have the topic).
    const auto our_topics = topics_with_prefix(ours), their_topics = topics_with_prefix(theirs);
    {
      std::string a, b;
      for (const auto& t : our_topics) a += t + " ";
      for (const auto& t : their_topics) b += t + " ";
      if (our_topics != their_topics) differ(ours + " topics", "cdcctl [" + a + "] | Debezium [" + b + "]");
    }
    for (const auto& topic : their_topics) {
      auto our_records = read_topic(with_prefix(topic, ours));
      auto their_records = read_topic(with_prefix(topic, theirs));
      std::string dump_ours, dump_theirs;
      for (const auto& r : our_records) dump_ours += comparable(r, ours).dump() + "\n";
      for (const auto& r : their_records) dump_theirs += comparable(r, theirs).dump() + "\n";
      write_text(report_dir + "/" + variant.id + "/" + topic + ".cdcctl.jsonl", dump_ours);
      write_text(report_dir + "/" + variant.id + "/" + topic + ".debezium.jsonl", dump_theirs);
      if (topic.starts_with("__debezium-heartbeat.")) {
        // How many depends on time; each record's shape must match.
        if (our_records.empty() || their_records.empty()) {
          differ(variant.id + " " + topic, "cdcctl " + std::to_string(our_records.size()) + " heartbeats | Debezium " +
                                               std::to_string(their_records.size()));
          continue;
        }
        our_records.resize(1);
        their_records.resize(1);
      }
      if (our_records.size() != their_records.size()) {
        differ(variant.id + " " + topic, "cdcctl " + std::to_string(our_records.size()) + " records | Debezium " +
                                             std::to_string(their_records.size()));
      }
      for (std::size_t i = 0; i < std::min(our_records.size(), their_records.size()); ++i) {
        std::vector<std::string> found;
        diff(comparable(our_records[i], ours), comparable(their_records[i], theirs), "", found);
        for (const auto& one : found) differ(variant.id + " " + topic + " #" + std::to_string(i), one);
      }
    }
  }

  // The offsets: once both have stored the last transaction, they must be
  // the same, field by field, but for where in that transaction each one
  // stored it (kOffsetPositionFields).
  for (const auto& variant : variants()) {
    const auto ours = "c" + variant.id, theirs = "d" + variant.id;
    std::vector<std::string> found;
    eventually([&] {
      found.clear();
      auto offsets = stored_offsets();
      if (!offsets.count(ours) || !offsets.count(theirs)) {
        found.push_back("cdcctl stored " + std::to_string(offsets.count(ours)) + " offsets, Debezium " +
                        std::to_string(offsets.count(theirs)));
        return false;
      }
      auto a = OJ::array({offsets[ours].first, offsets[ours].second});
      auto b = OJ::array({offsets[theirs].first, offsets[theirs].second});
      for (auto* side : {&a, &b}) {
        for (const auto* field : kOffsetPositionFields) {
          auto& value = (*side)[1];
          if (value.is_object() && value.contains(field)) {
            value[field] = "<allowed: a " + std::string(value[field].type_name()) + ">";
          }
        }
      }
      unprefix(a, ours);
      unprefix(b, theirs);
      write_text(report_dir + "/" + variant.id + "/offsets.json", "cdcctl   " + a.dump() + "\nDebezium " + b.dump() + "\n");
      diff(a, b, "", found);
      return found.empty();
    }, 30s);
    for (const auto& one : found) differ(variant.id + " offsets", one);
  }

  std::string report;
  for (const auto& one : differences) report += one + "\n";
  write_text(report_dir + "/differences.txt", report);
  INFO("full report and both sides' records: ", report_dir);
  INFO(report.substr(0, 20000));
  CHECK(differences.empty());

  for (const auto& variant : variants()) curl_json("DELETE", kafka.connect_url() + "/connectors/d" + variant.id, "");
  CHECK(worker.stop() == 0);
  // Eight slots would hold WAL back for the cases after this one.
  eventually([&] {
    postgres().psql("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
              "WHERE database = current_database() AND NOT active",
              database);
    return postgres().psql("SELECT count(*) FROM pg_replication_slots WHERE database = current_database()", database) == "0";
  }, 60s);
}

namespace {

// A workload whose every change names itself: each upsert writes a new
// counter value into v, each delete removes a row whose v is known. Kept as
// the expected events per key, in commit order ("c:N", "u:N", "d:N", with
// N the row's v after, or before a delete).
struct Workload {
  int counter = 0;
  std::map<int, std::optional<int>> rows;  // key → current v (nullopt: absent)
  std::map<int, std::vector<std::string>> expected;

  // `transactions` transactions of 1 to 3 changes each, in one psql call.
  std::string next(int transactions) {
    std::string sql;
    for (int t = 0; t < transactions; ++t) {
      sql += "BEGIN;";
      for (int c = 0; c <= t % 3; ++c) {
        const int value = ++counter;
        const int key = value * 7 % 40 + 1;
        if (value % 9 == 0 && rows[key]) {
          sql += "DELETE FROM orders WHERE id = " + std::to_string(key) + ";";
          expected[key].push_back("d:" + std::to_string(*rows[key]));
          rows[key].reset();
        } else {
          sql += "INSERT INTO orders VALUES (" + std::to_string(key) + ", " + std::to_string(value) +
                 ") ON CONFLICT (id) DO UPDATE SET v = excluded.v;";
          expected[key].push_back(std::string(rows[key] ? "u:" : "c:") + std::to_string(value));
          rows[key] = value;
        }
      }
      sql += "COMMIT;";
    }
    return sql;
  }
};

// What the topic holds per key, in the same notation (tombstones skipped).
std::map<int, std::vector<std::string>> events_per_key(const std::vector<kafka::Record>& records) {
  std::map<int, std::vector<std::string>> out;
  for (const auto& record : records) {
    if (!record.value) continue;
    const auto value = json::parse(*record.value);
    const auto& payload = value.contains("payload") ? value["payload"] : value;
    const std::string op = payload["op"];
    const auto& row = op == "d" ? payload["before"] : payload["after"];
    out[row["id"].get<int>()].push_back(op + ":" + std::to_string(row["v"].get<int>()));
  }
  return out;
}

std::string connector_state(const std::string& name) {
  const auto status = run_process({"curl", "-s", cluster().connect_url() + "/connectors/" + name + "/status"});
  const auto parsed = json::parse(status.out, nullptr, false);
  if (parsed.is_discarded() || !parsed.contains("tasks") || parsed["tasks"].empty()) return "";
  return parsed["tasks"][0].value("state", "");
}

}  // namespace

TEST_CASE("a connector moves from cdcctl run to Debezium on Kafka Connect and back: every change once, in order, one slot") {
  auto& kafka = cluster();
  const auto database = postgres().create_database("move");
  postgres().psql("CREATE TABLE orders (id int PRIMARY KEY, v int NOT NULL); ALTER TABLE orders REPLICA IDENTITY FULL;"
            "INSERT INTO orders SELECT g, -g FROM generate_series(1, 40) g;",
            database);
  Workload workload;
  for (int key = 1; key <= 40; ++key) {
    workload.rows[key] = -key;
    workload.expected[key].push_back("r:" + std::to_string(-key));
  }
  // One connector config for both engines: the JSON a user would PUT to Connect.
  auto config = debezium_postgres_source("mv", "mv", {postgres().port(), database});
  config["config"]["table.include.list"] = "public.orders";
  const std::string topic = "mv.public.orders";
  std::size_t applied = 40;  // changes so far (the snapshot's rows)
  const auto caught_up = [&](std::size_t count) {
    return eventually([&] {
      std::size_t events = 0;
      for (const auto& record : read_topic(topic)) events += record.value ? 1 : 0;
      return events >= count;
    }, 120s);
  };
  const auto apply = [&](int transactions) {
    const auto before = workload.counter;
    postgres().psql(workload.next(transactions), database);
    applied += static_cast<std::size_t>(workload.counter - before);
  };
  const auto slots = [&] {
    return postgres().psql("SELECT slot_name FROM pg_replication_slots WHERE database = current_database() ORDER BY 1", database);
  };

  // 1. cdcctl run snapshots and streams, then stops cleanly.
  TempDir first("cdcctl-move-1");
  {
    auto worker = start_cdcctl(first, {config});
    INFO(read_log(first));
    REQUIRE(caught_up(applied));  // the snapshot: the slot exists, changes from here are streamed
    apply(60);
    REQUIRE(caught_up(applied));
    CHECK(worker->stop() == 0);
  }
  const auto slot_before = postgres().psql("SELECT catalog_xmin FROM pg_replication_slots WHERE slot_name = 'mv_slot'", database);
  CHECK(slots() == "mv_slot");

  // 2. Changes while nothing captures; then the same JSON on Connect:
  //    Debezium resumes from cdcctl's offset in _connect-offsets.
  apply(40);
  REQUIRE(curl_json("POST", kafka.connect_url() + "/connectors", config.dump()).exit_code == 0);
  {
    INFO(kafka.worker_log_tail(0, 80));
    REQUIRE(eventually([&] { return connector_state("mv") == "RUNNING"; }, 120s));
    REQUIRE(caught_up(applied));
  }
  apply(40);
  REQUIRE(caught_up(applied));
  // Stopped (KIP-875), so its last offset is flushed, then removed.
  REQUIRE(curl_json("PUT", kafka.connect_url() + "/connectors/mv/stop", "").exit_code == 0);
  REQUIRE(eventually([&] {
    const auto status = run_process({"curl", "-s", kafka.connect_url() + "/connectors/mv/status"});
    return status.out.find("\"STOPPED\"") != std::string::npos;
  }, 60s));
  REQUIRE(curl_json("DELETE", kafka.connect_url() + "/connectors/mv", "").exit_code == 0);
  CHECK(slots() == "mv_slot");  // Debezium used the slot cdcctl made

  // 3. Changes while nothing captures; cdcctl run takes over from Debezium's offset.
  apply(40);
  TempDir second("cdcctl-move-2");
  {
    auto worker = start_cdcctl(second, {config});
    INFO(read_log(second));
    REQUIRE(caught_up(applied));
    apply(40);
    REQUIRE(caught_up(applied));
    CHECK(worker->stop() == 0);
    const auto log = read_log(second);
    CHECK(log.find("snapshot of") == std::string::npos);  // resumed, not snapshotted again
  }
  CHECK(slots() == "mv_slot");

  // Every change exactly once, in commit order per key, across the three runs.
  const auto records = read_topic(topic);
  const auto actual = events_per_key(records);
  std::size_t events = 0;
  for (const auto& record : records) events += record.value ? 1 : 0;
  CHECK(events == applied);
  for (const auto& [key, expected] : workload.expected) {
    INFO("key ", key);
    const auto found = actual.find(key);
    REQUIRE(found != actual.end());
    CHECK(found->second == expected);
  }
  CHECK_FALSE(slot_before.empty());
}

TEST_CASE("a value cdcctl cannot convert fails its connector alone, with where and what; errors.tolerance=all skips it") {
  auto& kafka = cluster();
  (void)kafka;
  const auto database = postgres().create_database("poison");
  postgres().psql("CREATE TABLE items (id int PRIMARY KEY, name text)", database);
  // Three connectors of one worker on the same table. No PostgreSQL value is
  // known that cdcctl cannot convert (the differential test above covers the
  // edges), so the worker's test hook makes 'poison' in items.name one, for
  // "bad" and "tolerant"; "good" reads it as text.
  const auto source = [&](const std::string& name) {
    auto config = debezium_postgres_source(name, name, {postgres().port(), database});
    config["config"]["table.include.list"] = "public.items";
    return config;
  };
  auto tolerant = source("tolerant");
  tolerant["config"]["errors.tolerance"] = "all";
  tolerant["config"]["errors.log.enable"] = "true";
  tolerant["config"]["errors.log.include.messages"] = "true";
  TempDir dir("cdcctl-poison");
  auto worker = start_cdcctl(
      dir, {source("good"), source("bad"), tolerant},
      {{"CDCCTL_TEST_UNCONVERTIBLE", "bad/public.items.name/poison;tolerant/public.items.name/poison"}});
  const auto names = [&](const std::string& prefix) {
    std::vector<std::string> out;
    for (const auto& record : read_topic(prefix + ".public.items")) {
      if (record.value) out.push_back(json::parse(*record.value)["payload"]["after"]["name"]);
    }
    return out;
  };
  const auto slot_active = [&](const std::string& name) {
    return postgres().psql("SELECT active FROM pg_replication_slots WHERE slot_name = '" + name + "_slot'", database) == "t";
  };
  INFO(read_log(dir));
  REQUIRE(eventually([&] { return slot_active("good") && slot_active("bad") && slot_active("tolerant"); }, 60s));
  postgres().psql("INSERT INTO items VALUES (1, 'a')", database);
  postgres().psql("INSERT INTO items VALUES (2, 'poison')", database);
  postgres().psql("INSERT INTO items VALUES (3, 'b')", database);
  const auto poison_lsn = postgres().psql("SELECT pg_current_wal_lsn()", database);

  REQUIRE(eventually([&] { return names("good") == std::vector<std::string>{"a", "poison", "b"}; }, 60s));
  REQUIRE(eventually([&] { return names("tolerant") == std::vector<std::string>{"a", "b"}; }, 60s));
  // The failed connector's status: FAILED, with the table, column, LSN and value.
  const auto status = [&] {
    return run_cdcctl({"run", "--status", dir.path() + "/worker.properties", dir.path() + "/good.json", dir.path() + "/bad.json",
                       dir.path() + "/tolerant.json", "-o", "json"},
                      RunOptions{.env = {{"HOME", dir.path()}}});
  };
  REQUIRE_MESSAGE(eventually([&] { return status().out.find("FAILED") != std::string::npos; }, 60s), status().err);
  const auto shown = status();
  INFO(shown.out, shown.err);
  CHECK(shown.exit_code == 1);  // not every connector runs
  const auto states = json::parse(shown.out);
  std::map<std::string, json> by_name;
  for (const auto& connector : states) by_name[connector["connector"].get<std::string>()] = connector;
  CHECK(by_name["good"]["state"] == "RUNNING");
  CHECK(by_name["tolerant"]["state"] == "RUNNING");
  CHECK(by_name["bad"]["state"] == "FAILED");
  const std::string error = by_name["bad"].value("error", "");
  CHECK(error.find("table public.items") != std::string::npos);
  CHECK(error.find("column name") != std::string::npos);
  CHECK(error.find("at LSN 0/") != std::string::npos);
  CHECK(error.find("value 'poison'") != std::string::npos);
  // Nothing from the bad value on ('a' too when it shared the bad value's
  // Kafka transaction, which was aborted: a restart sends it again).
  const auto bad = names("bad");
  CHECK((bad.empty() || bad == std::vector<std::string>{"a"}));
  // The tolerant connector said what it skipped (errors.log.enable), value included.
  const auto log = read_log(dir);
  CHECK(log.find("tolerant: skipped an event (errors.tolerance=all): cannot convert a value: table public.items, column name") !=
        std::string::npos);
  CHECK(log.find("value 'poison'") != std::string::npos);

  // The others keep flowing.
  postgres().psql("INSERT INTO items VALUES (4, 'c')", database);
  CHECK(eventually([&] { return names("good").size() == 4 && names("tolerant").size() == 3; }, 60s));
  CHECK(worker->stop() == 1);  // a connector failed
  CHECK_FALSE(poison_lsn.empty());
}

TEST_CASE("exactly once on a real broker across SIGKILLs: a read_committed consumer sees every change once, none repeated") {
  // The chaos test of run_test on real Kafka, which hides a killed worker's
  // aborted Kafka transaction: no allowance for what was in flight.
  RunSetup setup("eo_real", {"srv.public.t:32", "connect-offsets:25", "__debezium-heartbeat.srv:1"},
                 "CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL, pad text)", cluster().bootstrap_servers());
  check_exactly_once_across_sigkills(setup, /*broker_hides_aborted=*/true);
}

namespace {

// A `cdcctl run` connector on the real broker capturing table t of its own
// database into NAME.public.t, and single-row inserts committed one after
// another in the background until stopped.
struct InsertStream {
  explicit InsertStream(const std::string& name)
      : name(name),
        setup(name, {name + ".public.t:4", "connect-offsets:25"}, "CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL)",
              cluster().bootstrap_servers()) {
    setup.write_connector(name, {{"key.converter.schemas.enable", "false"}, {"value.converter.schemas.enable", "false"},
                                 {"slot.name", name}, {"topic.prefix", name}});
  }

  void start_inserting() {
    inserts = std::jthread([this](std::stop_token stopped) {
      auto conn = pg::Connection::open(setup.pg.conninfo(setup.db), 10s);
      for (int id = 1; !stopped.stop_requested() && id <= 100000; ++id) {
        conn.exec_simple("INSERT INTO t VALUES (" + std::to_string(id) + ", 0)");
        written = id;
        if (id % 100 == 0) std::this_thread::sleep_for(20ms);
      }
    });
  }

  // Stops inserting, waits until the running worker has confirmed every
  // insert, and checks the topic holds each row once.
  void stop_and_check_each_row_once(BackgroundProcess& worker) {
    inserts.request_stop();
    inserts.join();
    const auto rows = written.load();
    const auto end_lsn = pg::parse_lsn(setup.pg.psql("SELECT pg_current_wal_lsn()", setup.db));
    INFO(setup.log());
    REQUIRE(wait_until([&] { return pg::parse_lsn(setup.confirmed_flush_lsn(name)) >= end_lsn; }, 180s));
    CHECK(worker.stop() == 0);
    std::map<std::string, int> copies;
    for (const auto& change : changes_in(setup, name + ".public.t")) ++copies[change.key];
    CHECK(copies.size() == static_cast<std::size_t>(rows));
    int repeated = 0;
    for (const auto& [key, count] : copies) repeated += count > 1 ? 1 : 0;
    CHECK(repeated == 0);
  }

  std::string name;
  RunSetup setup;
  std::atomic<int> written{0};
  std::jthread inserts;
};

}  // namespace

TEST_CASE("a second worker with the same connector fences the first: it stops, the second goes on, nothing lost or repeated") {
  InsertStream stream("fenced");
  auto& setup = stream.setup;
  auto first = setup.start();
  REQUIRE_MESSAGE(wait_until([&] { return setup.status().value("state", "") == "RUNNING"; }, 60s), setup.log());
  stream.start_inserting();
  REQUIRE(wait_until([&] { return stream.written >= 300; }, 60s));
  // The same connector started again elsewhere: its producer's
  // init_transactions (same transactional.id) fences the first one's.
  auto second = setup.start();
  const auto first_exit = first->wait_exit(60s);
  INFO(setup.log());
  REQUIRE(first_exit.has_value());  // the fenced worker stops by itself
  CHECK(*first_exit == 1);
  CHECK(setup.log().find("fenced") != std::string::npos);
  REQUIRE(wait_until([&] { return stream.written >= 3000; }, 120s));
  // The second worker took the slot once the first let it go.
  stream.stop_and_check_each_row_once(*second);
}

TEST_CASE("the broker stopped and started again mid-stream: the worker waits, resumes, and loses or repeats nothing") {
  auto& kafka = cluster();
  InsertStream stream("outage");
  auto& setup = stream.setup;
  auto worker = setup.start();
  REQUIRE_MESSAGE(wait_until([&] { return setup.status().value("state", "") == "RUNNING"; }, 60s), setup.log());
  stream.start_inserting();
  REQUIRE(wait_until([&] { return stream.written >= 500; }, 60s));
  kafka.stop_broker();
  std::this_thread::sleep_for(10s);  // PostgreSQL goes on committing while Kafka is away
  kafka.start_broker_again();
  REQUIRE(wait_until([&] { return stream.written >= 4000; }, 120s));
  // It waited for the broker instead of failing (stops with 0), every row once.
  stream.stop_and_check_each_row_once(*worker);
}
