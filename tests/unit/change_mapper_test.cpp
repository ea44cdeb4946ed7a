// From pgoutput changes to Debezium records (reference §2.5): what each kind
// of change becomes, in which order, with which key, headers and tombstones.
#include <doctest/doctest.h>

#include "core/error.hpp"
#include "engine/change_mapper.hpp"

using namespace cdcctl;
using namespace cdcctl::engine;
using nlohmann::json;

namespace {

pg::ColumnValue text(const std::string& value) { return {pg::ColumnValueKind::Text, value}; }
pg::ColumnValue null() { return {pg::ColumnValueKind::Null, {}}; }
pg::ColumnValue toast() { return {pg::ColumnValueKind::UnchangedToast, {}}; }

// public.items(id int PK, name text NOT NULL, body text), replica identity as given.
pg::RelationMessage items(char identity = 'd') {
  pg::RelationMessage relation;
  relation.oid = 16400;
  relation.schema = "public";
  relation.name = "items";
  relation.replica_identity = identity;
  relation.columns = {{true, "id", 23, -1}, {identity == 'f', "name", 25, -1}, {identity == 'f', "body", 25, -1}};
  return relation;
}

ChangeMapper mapper(MapperOptions options = {}, bool with_facts = true) {
  options.events.topic_prefix = "srv";
  options.events.key_schemas = options.events.value_schemas = false;
  options.database = "shop";
  TableFactsLookup facts;
  if (with_facts) {
    facts = [](const std::string&, const std::string& table) {
      TableFacts found;
      if (table == "items") {
        found.primary_key = {"id"};
        found.not_null = {"id", "name"};
      }
      return found;
    };
  }
  return ChangeMapper(std::move(options), std::move(facts));
}

json value_of(const OutputRecord& record) { return json::parse(*record.value); }

}  // namespace

TEST_CASE("inserts, updates and deletes become c, u and d with tombstones") {
  auto m = mapper();
  m.relation(items());
  m.begin({0x500, 700000000000000LL, 901});
  auto records = m.change(pg::InsertMessage{16400, {text("1"), text("pen"), null()}}, 0x4F0, 1000);
  REQUIRE(records.size() == 1);
  CHECK(records[0].topic == "srv.public.items");
  CHECK(records[0].key == R"({"id":1})");
  auto value = value_of(records[0]);
  CHECK(value["op"] == "c");
  CHECK(value["before"].is_null());
  CHECK(value["after"] == json{{"id", 1}, {"name", "pen"}, {"body", nullptr}});
  CHECK(value["source"]["txId"] == 901);
  CHECK(value["source"]["ts_us"] == 700000000000000LL + 946684800000000LL);
  CHECK(value["source"]["lsn"] == 0x4F0);
  CHECK(value["source"]["sequence"] == R"([null,"1264"])");
  CHECK(value["source"]["db"] == "shop");
  m.commit({0, 0x500, 0x530, 700000000000000LL});
  CHECK(m.last_commit_lsn() == 0x530);

  m.begin({0x600, 700000000000001LL, 902});
  records = m.change(pg::UpdateMessage{16400, 0, std::nullopt, {text("1"), text("pencil"), toast()}}, 0x5F0, 2000);
  REQUIRE(records.size() == 1);
  value = value_of(records[0]);
  CHECK(value["op"] == "u");
  CHECK(value["before"].is_null());  // REPLICA IDENTITY DEFAULT sends no old row
  CHECK(value["after"]["body"] == cdc::kUnavailableValue);
  CHECK(value["source"]["sequence"] == R"(["1328","1520"])");

  records = m.change(pg::DeleteMessage{16400, 'K', {text("1"), null(), null()}}, 0x5F8, 3000);
  REQUIRE(records.size() == 2);
  value = value_of(records[0]);
  CHECK(value["op"] == "d");
  CHECK(value["after"].is_null());
  CHECK(value["before"]["id"] == 1);
  CHECK(records[1].key == R"({"id":1})");
  CHECK_FALSE(records[1].value.has_value());  // the tombstone

  MapperOptions quiet;
  quiet.tombstones_on_delete = false;
  auto no_tombstones = mapper(quiet);
  no_tombstones.relation(items());
  CHECK(no_tombstones.change(pg::DeleteMessage{16400, 'K', {text("1"), null(), null()}}, 1, 1).size() == 1);
}

TEST_CASE("a primary-key change is a delete, a tombstone and a create, with Debezium's headers") {
  auto m = mapper();
  m.relation(items());
  m.begin({0x700, 1, 903});
  const auto records =
      m.change(pg::UpdateMessage{16400, 'K', pg::TupleData{text("1"), null(), null()}, {text("2"), text("pen"), null()}}, 0x6F0, 1);
  REQUIRE(records.size() == 3);
  CHECK(value_of(records[0])["op"] == "d");
  CHECK(records[0].key == R"({"id":1})");
  // The key header, then Debezium 3.x's context headers.
  REQUIRE(records[0].headers.size() == 5);
  CHECK(records[0].headers[0] == std::pair<std::string, std::string>{"__debezium.newkey", R"({"id":2})"});
  CHECK(records[0].headers[1] == std::pair<std::string, std::string>{"__debezium.context.connectorLogicalName", "srv"});
  CHECK(records[0].headers[2] == std::pair<std::string, std::string>{"__debezium.context.taskId", "0"});
  CHECK(records[0].headers[3] == std::pair<std::string, std::string>{"__debezium.context.connectorName", "postgresql"});
  CHECK(records[0].headers[4].first == "__debezium.context.runId");
  CHECK(records[0].headers[4].second.size() == 36);  // a UUID
  CHECK(records[1].headers == records[0].headers);   // the tombstone carries the delete's headers
  CHECK(records[1].key == R"({"id":1})");
  CHECK_FALSE(records[1].value.has_value());
  CHECK(value_of(records[2])["op"] == "c");
  CHECK(records[2].key == R"({"id":2})");
  REQUIRE(records[2].headers.size() == 5);
  CHECK(records[2].headers[0] == std::pair<std::string, std::string>{"__debezium.oldkey", R"({"id":1})"});
  CHECK(records[2].headers[4] == records[0].headers[4]);  // one run id per run
}

TEST_CASE("REPLICA IDENTITY FULL: the old row, TOAST values taken from it; no key without a primary key") {
  auto m = mapper();
  m.relation(items('f'));
  m.begin({0x800, 1, 904});
  auto records = m.change(
      pg::UpdateMessage{16400, 'O', pg::TupleData{text("1"), text("pen"), text("long body")}, {text("1"), text("pencil"), toast()}},
      0x7F0, 1);
  REQUIRE(records.size() == 1);
  auto value = value_of(records[0]);
  CHECK(value["op"] == "u");
  CHECK(value["before"]["name"] == "pen");
  CHECK(value["after"]["body"] == "long body");
  CHECK(records[0].key == R"({"id":1})");  // the primary key from the catalog, not every FULL column

  auto keyless = mapper({}, /*with_facts=*/false);
  keyless.relation(items('f'));
  records = keyless.change(pg::InsertMessage{16400, {text("1"), text("pen"), null()}}, 1, 1);
  CHECK_FALSE(records[0].key.has_value());  // FULL flags every column: that is no key

  auto by_identity = mapper({}, false);
  by_identity.relation(items('d'));
  CHECK(by_identity.change(pg::InsertMessage{16400, {text("7"), text("x"), null()}}, 1, 1)[0].key == R"({"id":7})");
}

TEST_CASE("truncates are skipped by default, as Debezium's skipped.operations=t does; unknown relations are an error") {
  auto m = mapper();
  m.relation(items());
  CHECK(m.change(pg::TruncateMessage{false, false, {16400}}, 1, 1).empty());
  MapperOptions all;
  all.skipped_operations.clear();
  auto with_truncates = mapper(all);
  with_truncates.relation(items());
  const auto records = with_truncates.change(pg::TruncateMessage{false, false, {16400}}, 1, 1);
  REQUIRE(records.size() == 1);
  CHECK_FALSE(records[0].key.has_value());
  CHECK(value_of(records[0])["op"] == "t");
  CHECK(value_of(records[0])["before"].is_null());
  MapperOptions no_updates;
  no_updates.skipped_operations = {'u'};
  auto skipping = mapper(no_updates);
  skipping.relation(items());
  CHECK(skipping.change(pg::UpdateMessage{16400, 0, std::nullopt, {text("1"), text("a"), null()}}, 1, 1).empty());
  CHECK_THROWS_WITH_AS(m.change(pg::InsertMessage{999, {}}, 1, 1), doctest::Contains("before describing it"), Error);
}

TEST_CASE("logical decoding messages go to <prefix>.message keyed by prefix, content as base64 bytes") {
  MapperOptions options;
  options.transaction_metadata = true;
  auto m = mapper(options);
  m.relation(items());
  // Transactional: the transaction's time and txId; counted in its END record.
  m.begin({0x900, 700000000000000LL, 905});
  const auto in_transaction = m.message({true, 0x8F0, "outbox", std::string("a\0b", 3)}, 0x8F0, 1'700'000'000'123'456'789LL);
  REQUIRE(in_transaction.size() == 1);
  CHECK(in_transaction[0].topic == "srv.message");
  CHECK(*in_transaction[0].key == R"({"prefix":"outbox"})");
  const auto value = value_of(in_transaction[0]);
  CHECK(value.dump() ==
        json::parse(R"({"op":"m","ts_ms":1700000000123,"source":{"version":"3.6.1.Final","connector":"postgresql",)"
                    R"("name":"srv","ts_ms":1646684800000,"snapshot":"false","db":"shop","sequence":"[null,\"2288\"]",)"
                    R"("ts_us":1646684800000000,"ts_ns":1646684800000000000,"schema":"","table":"","txId":905,"lsn":2288,)"
                    R"("xmin":null,"origin":null,"origin_lsn":null},"transaction":{"id":"905:2288","total_order":1,"data_collection_order":1},)"
                    R"("message":{"prefix":"outbox","content":"YQBi"}})")
            .dump());
  const auto end = m.commit({0, 0x900, 0x930, 700000000000000LL});
  REQUIRE(end.size() == 1);
  CHECK(value_of(end[0])["event_count"] == 1);
  // Named as Debezium's message id object prints itself (class@identity hash).
  REQUIRE(value_of(end[0])["data_collections"].size() == 1);
  CHECK(value_of(end[0])["data_collections"][0]["data_collection"].get<std::string>().starts_with(
      "io.debezium.connector.postgresql.LogicalDecodingMessageMonitor$LogicalDecodingMessageId@"));
  CHECK(value_of(end[0])["data_collections"][0]["event_count"] == 1);

  // Non-transactional: as Debezium, a transaction of its own: the last
  // commit's time, no txId, and its own LSN as the last committed one.
  const auto standalone = m.message({false, 0xA00, "audit", "x"}, 0xA00, 1'700'000'000'500'000'000LL);
  REQUIRE(standalone.size() == 1);
  const auto source = value_of(standalone[0])["source"];
  CHECK(source["ts_ms"] == pg::unix_micros(700000000000000LL) / 1000);
  CHECK(source["txId"].is_null());
  CHECK(source["sequence"] == R"(["2560","2560"])");
  CHECK(value_of(standalone[0])["transaction"].is_null());

  // message.prefix.include/exclude.list
  MapperOptions filtered;
  filtered.include_message = [](const std::string& prefix) { return prefix == "outbox"; };
  auto f = mapper(filtered);
  CHECK(f.message({false, 0xB00, "audit", "x"}, 0xB00, 1).empty());
  CHECK(f.message({false, 0xB00, "outbox", "x"}, 0xB00, 1).size() == 1);
}

TEST_CASE("a logical message with schemas on: Debezium's MessageKey and MessageValue schemas") {
  MapperOptions options;
  options.events.topic_prefix = "srv";
  options.database = "shop";
  ChangeMapper m(options, {});
  const auto records = m.message({false, 0xA00, "p", ""}, 0xA00, 1);
  REQUIRE(records.size() == 1);
  CHECK(json::parse(*records[0].key).dump() ==
        json::parse(R"({"schema":{"type":"struct","fields":[{"type":"string","optional":true,"field":"prefix"}],)"
                    R"("optional":false,"name":"io.debezium.connector.postgresql.MessageKey","version":1},"payload":{"prefix":"p"}})")
            .dump());
  const auto value = nlohmann::ordered_json::parse(*records[0].value);
  const auto& schema = value["schema"];
  CHECK(schema["name"] == "io.debezium.connector.postgresql.MessageValue");
  CHECK(schema["version"] == 1);
  CHECK(schema["optional"] == false);
  REQUIRE(schema["fields"].size() == 5);
  CHECK(schema["fields"][0].dump() == R"({"type":"string","optional":false,"field":"op"})");
  CHECK(schema["fields"][1].dump() == R"({"type":"int64","optional":true,"field":"ts_ms"})");
  CHECK(schema["fields"][2]["name"] == "io.debezium.connector.postgresql.Source");
  CHECK(schema["fields"][3]["name"] == "event.block");  // the transaction block, since Debezium 3.0
  CHECK(schema["fields"][3]["optional"] == true);
  CHECK(value["payload"]["transaction"].is_null());
  CHECK(schema["fields"][4].dump() ==
        R"({"type":"struct","fields":[{"type":"string","optional":true,"field":"prefix"},{"type":"bytes","optional":true,"field":"content"}],)"
        R"("optional":false,"name":"io.debezium.connector.postgresql.Message","version":1,"field":"message"})");
  CHECK(value["payload"]["message"].dump() == R"({"prefix":"p","content":""})");
}
