// Offsets as operators read them (Debezium PostgreSQL decoding) and the PATCH
// bodies `offsets set` accepts.
#include <doctest/doctest.h>

#include "core/error.hpp"
#include "ops/offsets.hpp"

using namespace cdcctl;
using namespace cdcctl::ops;
using nlohmann::json;

TEST_CASE("LSNs are printed the way PostgreSQL prints them") {
  CHECK(format_lsn(0) == "0/0");
  CHECK(format_lsn(24023128) == "0/16E9058");
  CHECK(format_lsn(0x16B374D848ull) == "16/B374D848");
}

TEST_CASE("Debezium PostgreSQL offsets decode: streaming, snapshot, and old shapes") {
  const auto streaming = decode_postgres_offset(
      {{"lsn_proc", 24023128}, {"lsn_commit", 24023128}, {"lsn", 24023128}, {"txId", 556}, {"ts_usec", 1559033904863000},
       {"messageType", "COMMIT"}});
  REQUIRE(streaming);
  CHECK(*streaming->lsn == 24023128);
  CHECK(*streaming->tx_id == 556);
  const json decoded = to_json(*streaming);
  CHECK(decoded["lsn"] == "0/16E9058");
  CHECK(decoded["committed_at"] == "2019-05-28T08:58:24.863000Z");
  CHECK(decoded["snapshot"].is_null());
  CHECK_FALSE(decoded.contains("snapshot_completed"));

  const auto old_snapshot = decode_postgres_offset(
      {{"last_snapshot_record", true}, {"lsn", "24023128"}, {"txId", 555}, {"snapshot", true}, {"snapshot_completed", true}});
  REQUIRE(old_snapshot);
  CHECK(old_snapshot->snapshot == "INITIAL");  // `true` from older Debezium versions
  CHECK(*old_snapshot->lsn == 24023128);       // numeric strings are accepted
  CHECK(describe_offset({{"server", "x"}}, {{"lsn", 24023128}, {"snapshot", "INITIAL"}, {"snapshot_completed", false}}) ==
        "lsn 0/16E9058 snapshot INITIAL in progress");

  CHECK_FALSE(decode_postgres_offset({{"position", 12}}));  // another connector's offset
  CHECK(describe_offset({{"file", "/x"}}, {{"position", 12}}) == "{\"position\":12}");
  CHECK(describe_offset({{"kafka_topic", "orders"}, {"kafka_partition", 3}}, {{"kafka_offset", 42}}) == "offset 42");
  CHECK(describe_partition({{"kafka_topic", "orders"}, {"kafka_partition", 3}}) == "orders-3");
  CHECK(describe_offset({{"server", "x"}}, nullptr) == "(none)");
}

TEST_CASE("offsets set accepts a PATCH body, a bare list, or offsets get output; extras are dropped") {
  const json entry = {{"partition", {{"server", "inventory"}}}, {"offset", {{"lsn", 1}}}};
  const json expected = {{"offsets", json::array({entry})}};
  CHECK(patch_body({{"offsets", json::array({entry})}}, "c", "f") == expected);
  CHECK(patch_body(json::array({entry}), "c", "f") == expected);
  const json listing = json::array({{{"name", "other"}, {"offsets", json::array()}},
                                    {{"name", "c"}, {"type", "source"}, {"offsets", json::array({entry})},
                                     {"decoded", json::array({{{"lsn", "0/1"}}})}}});
  CHECK(patch_body(listing, "c", "f") == expected);
  json with_extra = entry;
  with_extra["decoded"] = "x";
  CHECK(patch_body(json::array({with_extra}), "c", "f") == expected);

  CHECK_THROWS_AS(patch_body(listing, "missing", "f"), Error);
  CHECK_THROWS_AS(patch_body({{"offsets", json::array()}}, "c", "f"), Error);
  CHECK_THROWS_AS(patch_body({{"offsets", json::array({{{"offset", 1}}})}}, "c", "f"), Error);
  CHECK_THROWS_AS(patch_body(json("text"), "c", "f"), Error);
}

TEST_CASE("the plan says what happens and what the connector returns to") {
  OffsetChange change{"orders-sink", "sink", "PAUSED", json::array({json::object(), json::object()}), std::nullopt};
  auto steps = describe_plan(change, false);
  REQUIRE(steps.size() == 4);
  CHECK(steps[0] == "stop orders-sink (it is PAUSED) and wait until STOPPED with no tasks");
  CHECK(steps[1].find("remove all 2 offset(s) (for a sink: the committed offsets of consumer group connect-orders-sink)") !=
        std::string::npos);
  CHECK(steps[3] == "pause it, back to PAUSED as before");
  CHECK(describe_plan(change, true)[3] == "leave it STOPPED (--leave-stopped); it was PAUSED");
  change.state_before = "STOPPED";
  CHECK(describe_plan(change, false)[0] == "orders-sink is already STOPPED");
  CHECK(describe_plan(change, false)[3] == "leave it STOPPED, as it was");
}

TEST_CASE("a restore patch makes the live offsets equal the saved ones") {
  const json p0 = {{"kafka_topic", "orders"}, {"kafka_partition", 0}};
  const json p1 = {{"kafka_topic", "orders"}, {"kafka_partition", 1}};
  const json saved = json::array({{{"partition", p0}, {"offset", {{"kafka_offset", 10}}}}});
  const json live = json::array({{{"partition", p0}, {"offset", {{"kafka_offset", 99}}}},
                                 {{"partition", p1}, {"offset", {{"kafka_offset", 5}}}}});
  const auto patch = restore_patch(saved, live);
  REQUIRE(patch);
  CHECK((*patch)["offsets"] == json::array({{{"partition", p0}, {"offset", {{"kafka_offset", 10}}}},
                                            {{"partition", p1}, {"offset", nullptr}}}));
  CHECK_FALSE(restore_patch(json::array(), live));  // nothing saved: a reset does it
}

TEST_CASE("backups are recognised, and a connector of another kind is a mismatch") {
  OffsetsBackup backup{"2026-11-22T03:00:00Z", "3.9.0", {{"a", "source", "io.debezium.connector.postgresql.PostgresConnector", "RUNNING", json::array()}}};
  const auto back = parse_backup(to_json(backup), "f");
  REQUIRE(back.connectors.size() == 1);
  CHECK(back.connectors[0].connector_class == "io.debezium.connector.postgresql.PostgresConnector");
  CHECK_THROWS_AS(parse_backup(json{{"offsets", json::array()}}, "f"), Error);

  ConnectorOffsets live{"a", "source", "io.debezium.connector.mysql.MySqlConnector", "RUNNING", json::array()};
  CHECK(restore_mismatch(back.connectors[0], live) ==
        "its class was io.debezium.connector.postgresql.PostgresConnector when saved and is "
        "io.debezium.connector.mysql.MySqlConnector now");
  live.type = "sink";
  CHECK(restore_mismatch(back.connectors[0], live) == "it was a source connector when saved and is a sink connector now");
  live = back.connectors[0];
  CHECK(restore_mismatch(back.connectors[0], live).empty());
}
