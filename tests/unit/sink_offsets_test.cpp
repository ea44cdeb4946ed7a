// Sink offsets by position, and the resnapshot plan: which topics a sink
// reads, how a lookup by time is interpreted, and what a resnapshot shows.
#include <doctest/doctest.h>

#include "core/error.hpp"
#include "ops/resnapshot.hpp"
#include "ops/sink_offsets.hpp"
#include "pg/slots.hpp"

using namespace cdcctl;
using namespace cdcctl::ops;
using nlohmann::json;

TEST_CASE("a sink's topics come from topics, or from topics.regex matched against whole names") {
  CHECK(sink_topics({{"topics", "orders, payments ,orders"}}, {}) == std::vector<std::string>{"orders", "payments"});
  CHECK(sink_topics({{"topics.regex", "orders|pay.*"}}, {"orders", "orders-dlq", "payments", "x"}) ==
        std::vector<std::string>{"orders", "payments"});
  CHECK_THROWS_AS(sink_topics({{"connector.class", "x"}}, {"orders"}), Error);
  try {
    sink_topics({{"topics.regex", "nothing.*"}}, {"orders"});
    FAIL("matched");
  } catch (const Error& error) {
    CHECK(error.code() == ExitCode::NotFound);
  }
}

TEST_CASE("a lookup by time: the broker's answer, the end when nothing is that new, a scan when the broker cannot tell") {
  const kafka::Watermarks marks{10, 20};
  CHECK(interpret_time_lookup(15, marks, std::nullopt, 0).offset == 15);
  CHECK(interpret_time_lookup(25, marks, std::nullopt, 0).offset == 20);  // clamped into the partition
  // No record that new: the end, once the last record confirms it.
  auto lookup = interpret_time_lookup(std::nullopt, marks, 1000, 2000);
  CHECK(lookup.offset == 20);
  CHECK_FALSE(lookup.needs_scan);
  // The broker says none, but the last record is newer: it cannot look up by time.
  lookup = interpret_time_lookup(std::nullopt, marks, 3000, 2000);
  CHECK_FALSE(lookup.offset);
  CHECK(lookup.needs_scan);
  // The last record could not be read (a transaction marker): scan to be sure.
  CHECK(interpret_time_lookup(std::nullopt, marks, std::nullopt, 2000).needs_scan);
  // An empty partition: its end.
  CHECK(interpret_time_lookup(std::nullopt, {5, 5}, std::nullopt, 2000).offset == 5);
}

TEST_CASE("resolved sink offsets become a PATCH body Connect accepts") {
  const auto body = sink_patch({{"orders", 0, 42, "by-time", ""}, {"orders", 1, 7, "latest", ""}});
  REQUIRE(body["offsets"].size() == 2);
  CHECK(body["offsets"][0] == json{{"partition", {{"kafka_topic", "orders"}, {"kafka_partition", 0}}},
                                   {"offset", {{"kafka_offset", 42}}}});
}

TEST_CASE("the slot's database is reached with the given conninfo, else the connector's, never its password") {
  const connect::Config config = {{"database.hostname", "db.internal"}, {"database.port", "5433"},
                                  {"database.dbname", "inv entory"},   {"database.user", "o'neil"},
                                  {"database.password", "s3cret"}};
  const auto derived = slot_conninfo(config, "");
  CHECK(derived == R"(host='db.internal' port='5433' dbname='inv entory' user='o\'neil')");
  CHECK(derived.find("s3cret") == std::string::npos);
  CHECK(slot_conninfo(config, "service=prod") == "service=prod");
  CHECK(pg::conninfo({{"host", "a\\b"}, {"port", ""}}) == R"(host='a\\b')");
}

TEST_CASE("a resnapshot plan resumes, and says what happens to the slot") {
  ResnapshotPlan plan;
  plan.change = {"inventory", "source", "PAUSED", json::array(), std::nullopt};
  plan.snapshot_mode = "initial";
  plan.slot_name = "debezium";
  auto steps = describe_resnapshot(plan);
  CHECK(steps.front().find("stop inventory (it is PAUSED)") != std::string::npos);
  CHECK(std::any_of(steps.begin(), steps.end(), [](auto& s) { return s.find("keep replication slot debezium") == 0; }));
  CHECK(steps[steps.size() - 2] == "resume it (it was PAUSED)");
  CHECK(steps.back().find("snapshot.mode=initial") != std::string::npos);

  plan.drop_slot = true;
  steps = describe_resnapshot(plan);
  CHECK(std::any_of(steps.begin(), steps.end(), [](auto& s) { return s.find("does not exist: nothing to drop") != std::string::npos; }));
  pg::ReplicationSlot slot;
  slot.name = "debezium";
  slot.plugin = "pgoutput";
  slot.database = "inventory";
  slot.retained_bytes = 3u << 20;
  plan.slot = slot;
  steps = describe_resnapshot(plan);
  CHECK(std::any_of(steps.begin(), steps.end(), [](auto& s) {
    return s == "drop replication slot debezium (pgoutput, database inventory, holding 3.0 MiB of WAL), once the connector has let go of it";
  }));
}

TEST_CASE("snapshot progress as read from the offsets after the resume") {
  ConnectorOffsets offsets;
  CHECK(describe_snapshot_progress(offsets) == "no offsets yet: the snapshot has not committed any");
  offsets.offsets = json::array({{{"partition", {{"server", "inventory"}}},
                                  {"offset", {{"lsn", 24023128}, {"snapshot", "INITIAL"}, {"last_snapshot_record", false}}}}});
  CHECK(describe_snapshot_progress(offsets) == "snapshot in progress (INITIAL)");
  offsets.offsets = json::array({{{"partition", {{"server", "inventory"}}}, {"offset", {{"lsn", 24023128}, {"txId", 5}}}}});
  CHECK(describe_snapshot_progress(offsets) == "snapshot completed; streaming from lsn 0/16E9058");
}
