// Debezium change events for the reference's example table (§2.8): key and
// value exactly as Debezium's JSON converter writes them, with and without
// schemas; deletes, unchanged TOAST values, tables without a key.
#include <doctest/doctest.h>

#include "cdc/debezium_event.hpp"
#include "core/bytes.hpp"

using namespace cdcctl;
using namespace cdcctl::cdc;
using nlohmann::json;

namespace {

// public.orders(id int PK, amount numeric(10,2) NOT NULL, created timestamp,
//               paid timestamptz, doc jsonb, tags text[], st mood)
TableDef orders() {
  TableDef table;
  table.schema = "public";
  table.table = "orders";
  table.columns = {{"id", {oid::kInt4}, false, true},
                   {"amount", {oid::kNumeric, ((10 << 16) | 2) + 4}, false, false},
                   {"created", {oid::kTimestamp}, true, false},
                   {"paid", {oid::kTimestamptz}, true, false},
                   {"doc", {oid::kJsonb}, true, false},
                   {"tags", {1009}, true, false},
                   {"st", {16500, -1, {"new", "paid"}, 0}, true, false}};
  return table;
}

EventOptions srv(bool schemas) {
  EventOptions options;
  options.topic_prefix = "srv";
  options.connector_version = "3.x.y.Final";
  options.key_schemas = options.value_schemas = schemas;
  return options;
}

Row created_row() {
  return {Cell::of("1"), Cell::of("12.34"), Cell::of("2024-06-10 06:13:20.123456"), Cell::of("2024-06-10 06:13:20.123456+00"),
          Cell::of(R"({"a": 1})"), Cell::of("{x}"), Cell::of("new")};
}

ChangeEvent created_event() {
  ChangeEvent event;
  event.op = 'c';
  event.after = created_row();
  event.source.ts_us = 1718000000123456;
  event.source.database = "app";
  event.source.last_commit_lsn = 24023119;
  event.source.lsn = 24023128;
  event.source.tx_id = 555;
  event.processed_ns = 1718000000200100300;
  return event;
}

}  // namespace

TEST_CASE("the reference's create event, without schemas, byte for byte") {
  const EventEncoder encoder(orders(), srv(false));
  CHECK(encoder.topic() == "srv.public.orders");
  CHECK(encoder.key(created_row()) == R"({"id":1})");
  CHECK(encoder.value(created_event()) ==
        R"({"before":null,"after":{"id":1,"amount":"BNI=","created":1718000000123456,"paid":"2024-06-10T06:13:20.123456Z",)"
        R"("doc":"{\"a\": 1}","tags":["x"],"st":"new"},"source":{"version":"3.x.y.Final","connector":"postgresql",)"
        R"("name":"srv","ts_ms":1718000000123,"snapshot":"false","db":"app","sequence":"[\"24023119\",\"24023128\"]",)"
        R"("ts_us":1718000000123456,"ts_ns":1718000000123456000,"schema":"public","table":"orders","txId":555,)"
        R"("lsn":24023128,"xmin":null,"origin":null,"origin_lsn":null},"transaction":null,"op":"c","ts_ms":1718000000200,"ts_us":1718000000200100,)"
        R"("ts_ns":1718000000200100300})");
}

TEST_CASE("the reference's create event with schemas: key, row, envelope and source schemas") {
  const EventEncoder encoder(orders(), srv(true));
  CHECK(encoder.key(created_row()) ==
        R"({"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],"optional":false,)"
        R"("name":"srv.public.orders.Key"},"payload":{"id":1}})");
  // Parsed keeping key order, so each dump below checks the converter's order too.
  const auto value = nlohmann::ordered_json::parse(encoder.value(created_event()));
  const auto& schema = value["schema"];
  CHECK(schema["name"] == "srv.public.orders.Envelope");
  CHECK(schema["version"] == 2);
  CHECK(schema["optional"] == false);
  const auto before = schema["fields"][0].dump();
  CHECK(before ==
        R"({"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},)"
        R"({"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2","connect.decimal.precision":"10"},"field":"amount"},)"
        R"({"type":"int64","optional":true,"name":"io.debezium.time.MicroTimestamp","version":1,"field":"created"},)"
        R"({"type":"string","optional":true,"name":"io.debezium.time.ZonedTimestamp","version":1,"field":"paid"},)"
        R"({"type":"string","optional":true,"name":"io.debezium.data.Json","version":1,"field":"doc"},)"
        R"({"type":"array","items":{"type":"string","optional":true},"optional":true,"field":"tags"},)"
        R"({"type":"string","optional":true,"name":"io.debezium.data.Enum","version":1,"parameters":{"allowed":"new,paid"},"field":"st"}],)"
        R"("optional":true,"name":"srv.public.orders.Value","field":"before"})");
  std::vector<std::string> envelope_fields, source_fields;
  for (const auto& field : schema["fields"]) envelope_fields.push_back(field["field"]);
  CHECK(envelope_fields == std::vector<std::string>{"before", "after", "source", "transaction", "op", "ts_ms", "ts_us", "ts_ns"});
  CHECK(schema["fields"][1]["field"] == "after");
  CHECK(schema["fields"][1]["name"] == "srv.public.orders.Value");
  const auto& source = schema["fields"][2];
  CHECK(source["name"] == "io.debezium.connector.postgresql.Source");
  CHECK(source["version"] == 1);
  for (const auto& field : source["fields"]) source_fields.push_back(field["field"]);
  CHECK(source_fields == std::vector<std::string>{"version", "connector", "name", "ts_ms", "snapshot", "db", "sequence", "ts_us",
                                                  "ts_ns", "schema", "table", "txId", "lsn", "xmin", "origin",
                                                  "origin_lsn"});
  CHECK(source["fields"][4].dump() ==
        R"({"type":"string","optional":true,"name":"io.debezium.data.Enum","version":1,)"
        R"("parameters":{"allowed":"true,first,first_in_data_collection,last_in_data_collection,last,false,incremental"},)"
        R"("default":"false","field":"snapshot"})");
  CHECK(schema["fields"][3].dump() ==
        R"({"type":"struct","fields":[{"type":"string","optional":false,"field":"id"},)"
        R"({"type":"int64","optional":false,"field":"total_order"},{"type":"int64","optional":false,"field":"data_collection_order"}],)"
        R"("optional":true,"name":"event.block","version":1,"field":"transaction"})");
  CHECK(value["payload"]["after"]["amount"] == "BNI=");
  CHECK(value["payload"]["source"]["sequence"] == R"(["24023119","24023128"])");
}

TEST_CASE("deletes, transactions, unchanged TOAST values, tables without a key, topic names") {
  const EventEncoder encoder(orders(), srv(false));
  ChangeEvent deleted = created_event();
  deleted.op = 'd';
  deleted.before = Row{Cell::of("1"), Cell::null(), Cell::null(), Cell::null(), Cell::null(), Cell::null(), Cell::null()};
  deleted.after.reset();
  deleted.source.last_commit_lsn.reset();
  deleted.transaction = TransactionBlock{"555:24023128", 3, 1};
  const auto value = json::parse(encoder.value(deleted));
  CHECK(value["op"] == "d");
  CHECK(value["after"].is_null());
  CHECK(value["before"]["id"] == 1);
  // amount is NOT NULL: Debezium writes the type's zero (an unscaled 0) where the old row has no value.
  CHECK(value["before"]["amount"] == "AA==");
  CHECK(value["before"]["created"].is_null());  // nullable: null
  CHECK(value["source"]["sequence"] == R"([null,"24023128"])");
  CHECK(value["transaction"] == json{{"id", "555:24023128"}, {"total_order", 3}, {"data_collection_order", 1}});

  ChangeEvent updated = created_event();
  updated.op = 'u';
  (*updated.after)[4] = Cell::unavailable();
  (*updated.after)[5] = Cell::unavailable();
  const auto toast = json::parse(encoder.value(updated));
  CHECK(toast["after"]["doc"] == kUnavailableValue);
  CHECK(toast["after"]["tags"] == json::array({kUnavailableValue}));

  TableDef blobs;
  blobs.schema = "public";
  blobs.table = "blobs";
  blobs.columns = {{"data", {oid::kBytea}, true, false}};
  const EventEncoder no_key(blobs, srv(true));
  CHECK_FALSE(no_key.has_key());
  CHECK_FALSE(no_key.key({Cell::of("\\x00")}).has_value());
  ChangeEvent blob;
  blob.after = Row{Cell::unavailable()};
  CHECK(json::parse(no_key.value(blob))["payload"]["after"]["data"] == base64_encode(kUnavailableValue));

  CHECK(topic_name("srv", "my schema", "Ordérs") == "srv.my_schema.Ord_rs");
  CHECK(topic_name("srv", "public", "a-b_c.d") == "srv.public.a-b_c.d");
}

TEST_CASE("column defaults as Debezium reads them: constants, placeholders for computed ones, none for types it cannot map") {
  const PgColumnType int4{oid::kInt4}, text{oid::kText}, boolean{oid::kBool}, tstz{oid::kTimestamptz}, uuid{oid::kUuid};
  CHECK(default_value_text("42", int4) == std::optional<std::string>("42"));
  CHECK(default_value_text("1.50", PgColumnType{oid::kNumeric}) == std::optional<std::string>("1.50"));
  CHECK(default_value_text("true", boolean) == std::optional<std::string>("t"));
  CHECK(default_value_text("'new'::text", text) == std::optional<std::string>("new"));
  // Debezium takes the first quoted literal up to the next quote.
  CHECK(default_value_text("'it''s'::character varying", text) == std::optional<std::string>("it"));
  CHECK(default_value_text("'a'::text || 'b'::text", text) == std::optional<std::string>("a"));
  CHECK(default_value_text("'-5'::integer", int4) == std::optional<std::string>("-5"));
  // A computed default gets the type's placeholder (a stable schema).
  CHECK(default_value_text("now()", tstz) == std::optional<std::string>("1970-01-01"));
  CHECK(default_value_text("CURRENT_TIMESTAMP", tstz) == std::optional<std::string>("1970-01-01"));
  CHECK(default_value_text("nextval('t_id_seq'::regclass)", int4) == std::optional<std::string>("0"));
  CHECK(default_value_text("gen_random_uuid()", uuid) == std::optional<std::string>("00000000-0000-0000-0000-000000000000"));
  CHECK(default_value_text("NULL::integer", int4) == std::nullopt);
  // No mapper: bytea, a domain, an array.
  CHECK(default_value_text("'\\x00'::bytea", PgColumnType{oid::kBytea}) == std::nullopt);
  PgColumnType domain{oid::kInt4};
  domain.domain = true;
  CHECK(default_value_text("1", domain) == std::nullopt);
  CHECK(default_value_text("'{}'::integer[]", PgColumnType{1007}) == std::nullopt);
  PgColumnType mood{oid::kText};
  mood.enum_labels = {"sad", "ok"};
  CHECK(default_value_text("'ok'::mood", mood) == std::optional<std::string>("ok"));

  TableDef table{"public", "t", {}};
  ColumnDef id{"id", {23, -1, {}}, false, true};
  ColumnDef qty{"qty", {23, -1, {}}, false, false, std::string("42")};
  ColumnDef at{"at", {1184, -1, {}}, false, false, std::string("now()")};
  table.columns = {id, qty, at};
  EventOptions options;
  options.topic_prefix = "srv";
  const EventEncoder encoder(table, options);
  const auto schema = encoder.value_schema().to_json();
  CHECK(schema["fields"][0]["fields"][1].dump() == R"({"type":"int32","optional":false,"default":42,"field":"qty"})");
  // now() is not evaluated: the epoch stands for it, as in Debezium.
  CHECK(schema["fields"][0]["fields"][2]["default"] == "1970-01-01T00:00:00.000000Z");
  // A delete's old row under REPLICA IDENTITY DEFAULT: the default, else the type's zero.
  ChangeEvent deleted;
  deleted.op = 'd';
  deleted.before = Row{Cell::of("7"), Cell::null(), Cell::null()};
  const auto value = json::parse(encoder.value(deleted));
  CHECK(value["payload"]["before"] == json{{"id", 7}, {"qty", 42}, {"at", "1970-01-01T00:00:00.000000Z"}});
  CHECK(encoder.key_payload(*deleted.before) == std::optional<std::string>(R"({"id":7})"));
  CHECK(encoder.key(*deleted.before)->starts_with(R"({"schema":)"));
}

TEST_CASE("ts_ms, ts_us and ts_ns of one instant agree for small, zero and negative times") {
  const EventEncoder encoder(orders(), srv(false));
  const auto times = [&](std::int64_t source_us, std::int64_t processed_ns) {
    auto event = created_event();
    event.source.ts_us = source_us;
    event.processed_ns = processed_ns;
    const auto value = nlohmann::json::parse(encoder.value(event));
    return std::vector<std::int64_t>{value["source"]["ts_ms"], value["source"]["ts_us"], value["source"]["ts_ns"],
                                     value["ts_ms"], value["ts_us"], value["ts_ns"]};
  };
  CHECK(times(1718000000123456, 1718000000200100300) ==
        std::vector<std::int64_t>{1718000000123, 1718000000123456, 1718000000123456000, 1718000000200, 1718000000200100,
                                  1718000000200100300});
  CHECK(times(999, 999) == std::vector<std::int64_t>{0, 999, 999000, 0, 0, 999});
  CHECK(times(1000, 1000000) == std::vector<std::int64_t>{1, 1000, 1000000, 1, 1000, 1000000});
  CHECK(times(0, 0) == std::vector<std::int64_t>{0, 0, 0, 0, 0, 0});
  // Before 1970 integer division rounds toward zero, as Java's does.
  CHECK(times(-1500, -1500000) == std::vector<std::int64_t>{-1, -1500, -1500000, -1, -1500, -1500000});
}
