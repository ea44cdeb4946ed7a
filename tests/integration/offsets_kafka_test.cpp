// The offsets commands that need Kafka itself: the legacy reset through the
// offsets topic (tombstones on the right partitions, read back with kcat),
// sink offsets by position resolved in the embedded Kafka, and
// `connectors resnapshot`, with its replication slot in a real PostgreSQL.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "kafka/murmur2.hpp"
#include "kafka/topic_io.hpp"
#include "support/connect_double.hpp"
#include "support/embedded_kafka.hpp"
#include "support/pg_cluster.hpp"
#include "support/process.hpp"

using namespace cdcctl::testsupport;
using nlohmann::json;

namespace {

constexpr int kOffsetPartitions = 25;  // Connect's default offsets.storage.partitions

// A Debezium PostgreSQL offset with the given LSN.
std::string pg_offset(long long lsn) {
  return json{{"lsn", lsn}, {"txId", 556}, {"ts_usec", 1795312800123456}}.dump();
}

struct KeyedRecord {
  int partition;
  std::string key;
  std::string value;  // "NULL" for a tombstone
};

// Every record of the topic as kcat (a peer client) reads it.
std::vector<KeyedRecord> read_with_kcat(const std::string& bootstrap, const std::string& topic) {
  const auto result = run_process({"kcat", "-b", bootstrap, "-t", topic, "-C", "-e", "-q", "-Z", "-f", "%p\t%k\t%s\n"});
  REQUIRE(result.exit_code == 0);
  std::vector<KeyedRecord> records;
  std::istringstream lines(result.out);
  std::string line;
  while (std::getline(lines, line)) {
    const auto first = line.find('\t');
    const auto second = line.find('\t', first + 1);
    records.push_back({std::stoi(line.substr(0, first)), line.substr(first + 1, second - first - 1), line.substr(second + 1)});
  }
  return records;
}

// Writes keys as Connect's worker would (the murmur2 partitioner), or onto
// a given partition.
void write_offsets(const std::string& bootstrap, const std::vector<std::pair<std::string, std::string>>& records,
                   std::optional<int> partition = std::nullopt) {
  cdcctl::kafka::Producer producer({{"bootstrap.servers", bootstrap}});
  for (const auto& [key, value] : records) producer.produce("connect-offsets", partition, key, value);
  producer.flush(std::chrono::seconds(10));
}

// The latest value per (partition, key bytes) from kcat's view.
std::map<std::pair<int, std::string>, std::string> latest(const std::vector<KeyedRecord>& records) {
  std::map<std::pair<int, std::string>, std::string> state;
  for (const auto& record : records) state[{record.partition, record.key}] = record.value;
  return state;
}

struct Stack {
  EmbeddedKafka kafka{{"connect-offsets:25", "orders:3", "payments:2"}};
  ConnectDouble connect;
  RunResult run(std::vector<std::string> args, RunOptions options = {}) {
    args.insert(args.end(), {"--connect-url", connect.url(), "--bootstrap-servers", kafka.bootstrap_servers()});
    return run_cdcctl(args, std::move(options));
  }
  void create(const std::string& name, const json& config) {
    const auto created = curl_json("POST", connect.url() + "/connectors", json{{"name", name}, {"config", config}}.dump());
    INFO(created.out, created.err);
    REQUIRE(created.exit_code == 0);
  }
  json offsets(const std::string& name) {
    const auto result = run_process({"curl", "-sf", connect.url() + "/connectors/" + name + "/offsets"});
    REQUIRE(result.exit_code == 0);
    return json::parse(result.out)["offsets"];
  }
  std::string state(const std::string& name) { return connect.connector_state(name)["connector"]["state"]; }
  // A Debezium PostgreSQL connector on the double with one streaming offset.
  void debezium_source(const std::string& name, const std::string& slot) {
    create(name, {{"connector.class", "io.debezium.connector.postgresql.PostgresConnector"},
                  {"slot.name", slot},
                  {"tasks.max", "1"}});
    connect.set_offsets(name, json::array({{{"partition", {{"server", name}}}, {"offset", json::parse(pg_offset(24023128))}}}));
  }
};

// inventory's keys in every form Connect and other writers produce: compact,
// with whitespace, and with the partition's fields in another order; plus a
// connector whose name only starts the same, and one more connector.
const std::vector<std::pair<std::string, std::string>> kInventoryKeys = {
    {R"(["inventory",{"server":"inventory"}])", pg_offset(24023128)},
    {R"(["inventory", {"server": "inventory"}])", pg_offset(1000)},
    {R"(["inventory",{"server":"inventory","database":"inv"}])", pg_offset(2000)},
    {R"(["inventory",{"database":"inv","server":"inventory"}])", pg_offset(3000)},
};
const std::vector<std::pair<std::string, std::string>> kOtherKeys = {
    {R"(["inventory-2",{"server":"inventory"}])", pg_offset(4000)},
    {R"(["orders-source",{"server":"orders"}])", pg_offset(5000)},
};

void populate(const std::string& bootstrap) {
  write_offsets(bootstrap, kInventoryKeys);
  write_offsets(bootstrap, kOtherKeys);
  // An older value of a key, superseded by a later record of the same key.
  write_offsets(bootstrap, {{R"(["orders-source",{"server":"orders"}])", pg_offset(6000)}});
}

}  // namespace

TEST_CASE("murmur2 partitions as the peer producer does: kcat's murmur2_random partitioner agrees on every key") {
  EmbeddedKafka kafka({"connect-offsets:25"});
  std::string input;
  for (const auto& [key, value] : kInventoryKeys) input += key + "|" + value + "\n";
  for (const auto& [key, value] : kOtherKeys) input += key + "|" + value + "\n";
  RunOptions options;
  options.stdin_data = input;
  REQUIRE(run_process({"kcat", "-b", kafka.bootstrap_servers(), "-t", "connect-offsets", "-P", "-K", "|", "-X",
                       "topic.partitioner=murmur2_random"},
                      options)
              .exit_code == 0);
  const auto records = read_with_kcat(kafka.bootstrap_servers(), "connect-offsets");
  REQUIRE(records.size() == kInventoryKeys.size() + kOtherKeys.size());
  std::set<int> used;
  for (const auto& record : records) {
    CAPTURE(record.key);
    CHECK(record.partition == cdcctl::kafka::default_partition(record.key, kOffsetPartitions));
    used.insert(record.partition);
  }
  CHECK(used.size() > 1);  // the keys really are spread, so the check means something
}

TEST_CASE("offsets get --via-topic reads the offsets topic as a worker does") {
  Stack stack;
  populate(stack.kafka.bootstrap_servers());
  auto result = stack.run({"offsets", "get", "--via-topic", "--all", "-o", "json"});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  const auto all = json::parse(result.out);
  REQUIRE(all.size() == 3);
  CHECK(all[0]["name"] == "inventory");
  CHECK(all[0]["offsets"].size() == 4);  // four distinct key byte strings
  CHECK(all[0]["via_topic"]["records"].size() == 4);
  CHECK(all[2]["name"] == "orders-source");
  REQUIRE(all[2]["offsets"].size() == 1);
  CHECK(all[2]["offsets"][0]["offset"]["lsn"] == 6000);  // the later record wins
  for (const auto& record : all[0]["via_topic"]["records"]) {
    CHECK(record["topic_partition"] == record["expected_partition"]);
  }

  result = stack.run({"offsets", "get", "--via-topic", "inventory"});
  REQUIRE(result.exit_code == 0);
  CHECK(result.out.find("lsn 0/16E9058 txId 556") != std::string::npos);
  CHECK(result.out.find("connect-offsets-") != std::string::npos);

  result = stack.run({"offsets", "get", "--via-topic", "inventroy"});
  CHECK(result.exit_code == 4);
  CHECK(result.err.find("inventroy") != std::string::npos);
}

TEST_CASE("offsets reset --via-topic tombstones exactly that connector's keys, on the partitions they are in") {
  Stack stack;
  const auto bootstrap = stack.kafka.bootstrap_servers();
  populate(bootstrap);
  // One key written by something that ignored the partitioner.
  const std::string stray = R"(["inventory",{"server":"stray"}])";
  const int stray_partition = (cdcctl::kafka::default_partition(stray, kOffsetPartitions) + 1) % kOffsetPartitions;
  write_offsets(bootstrap, {{stray, pg_offset(7000)}}, stray_partition);
  const auto before = latest(read_with_kcat(bootstrap, "connect-offsets"));

  // The connector is gone from Connect (deleted), so the reset is allowed.
  auto result = stack.run({"offsets", "reset", "inventory", "--via-topic", "--dry-run"});
  INFO(result.out);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(result.out.find("5 key(s)") != std::string::npos);
  CHECK(result.out.find("is not on Kafka Connect") != std::string::npos);
  CHECK(result.out.find("murmur2 says partition " + std::to_string(stray_partition == 0 ? 4 : stray_partition - 1)) !=
        std::string::npos);
  CHECK(latest(read_with_kcat(bootstrap, "connect-offsets")) == before);  // a dry run writes nothing

  result = stack.run({"offsets", "reset", "inventory", "--via-topic", "--yes", "-o", "json"});
  REQUIRE(result.exit_code == 0);
  const auto report = json::parse(result.out);
  CHECK(report["ok"] == true);
  CHECK(report["tombstones"].size() == 5);
  CHECK(report["remaining"].empty());

  // Read back with a peer client: a null for every inventory key, on the
  // partition of its record; every other key exactly as before.
  const auto records = read_with_kcat(bootstrap, "connect-offsets");
  const auto after = latest(records);
  std::size_t tombstones = 0;
  for (const auto& [slot, value] : before) {
    CAPTURE(slot.second);
    const bool inventory = slot.second.starts_with("[\"inventory\",");
    if (inventory) {
      CHECK(after.at(slot) == "NULL");
      ++tombstones;
    } else {
      CHECK(after.at(slot) == value);
    }
  }
  CHECK(tombstones == 5);
  CHECK(records.size() == 8 + 5);  // 8 written before, one tombstone per inventory key, nothing else
  CHECK(after.at({stray_partition, stray}) == "NULL");

  // Nothing left for inventory: a second reset finds nothing (exit 4).
  result = stack.run({"offsets", "reset", "inventory", "--via-topic", "--yes"});
  CHECK(result.exit_code == 4);
  CHECK(result.err.find("inventory-2") != std::string::npos);  // the hint names who has offsets
}

TEST_CASE("offsets reset --via-topic refuses while the connector exists or Connect cannot be asked") {
  Stack stack;
  populate(stack.kafka.bootstrap_servers());
  const auto before = read_with_kcat(stack.kafka.bootstrap_servers(), "connect-offsets").size();
  stack.create("inventory", {{"connector.class", "io.debezium.connector.postgresql.PostgresConnector"}, {"tasks.max", "1"}});

  auto result = stack.run({"offsets", "reset", "inventory", "--via-topic", "--yes", "--i-have-stopped-the-workers"});
  CHECK(result.exit_code == 1);
  CHECK(result.err.find("still exists on Kafka Connect") != std::string::npos);
  CHECK(result.err.find("hint: on Connect 3.6+ use cdcctl offsets reset inventory") != std::string::npos);

  // Connect down: only with the operator's word.
  result = run_cdcctl({"offsets", "reset", "inventory", "--via-topic", "--yes", "--connect-url", "http://127.0.0.1:9",
                       "--timeout", "2s", "--bootstrap-servers", stack.kafka.bootstrap_servers()});
  CHECK(result.exit_code == 1);
  CHECK(result.err.find("Kafka Connect does not answer") != std::string::npos);
  CHECK(result.err.find("--i-have-stopped-the-workers") != std::string::npos);
  CHECK(read_with_kcat(stack.kafka.bootstrap_servers(), "connect-offsets").size() == before);

  result = run_cdcctl({"offsets", "reset", "inventory", "--via-topic", "--yes", "--i-have-stopped-the-workers",
                       "--connect-url", "http://127.0.0.1:9", "--timeout", "2s", "--bootstrap-servers",
                       stack.kafka.bootstrap_servers()});
  INFO(result.err);
  CHECK(result.exit_code == 0);
  CHECK(read_with_kcat(stack.kafka.bootstrap_servers(), "connect-offsets").size() == before + 4);
}

TEST_CASE("offsets set for a sink: --to-timestamp, --to-earliest and --to-latest resolved in Kafka") {
  Stack stack;
  const auto bootstrap = stack.kafka.bootstrap_servers();
  {
    // orders: partition p holds records stamped 1000·(i+1) s for i = 0..4 (+p ms).
    cdcctl::kafka::Producer producer({{"bootstrap.servers", bootstrap}});
    for (int partition = 0; partition < 3; ++partition) {
      for (int i = 0; i < 5; ++i) {
        producer.produce("orders", partition, "k", "v", {}, 1795300000000 + (i + 1) * 1000000LL + partition);
      }
    }
    producer.produce("payments", 0, "k", "v", {}, 1795300000000);
    producer.flush(std::chrono::seconds(10));
  }
  stack.create("orders-sink", {{"connector.class", "io.confluent.connect.jdbc.JdbcSinkConnector"},
                               {"topics", "orders"},
                               {"tasks.max", "1"}});
  auto kafka_offset = [&](const json& offsets, int partition) {
    for (const auto& entry : offsets) {
      if (entry["partition"]["kafka_topic"] == "orders" && entry["partition"]["kafka_partition"] == partition) {
        return entry["offset"]["kafka_offset"].get<long long>();
      }
    }
    return -1LL;
  };

  // 2026-11-21T23:00:00.001Z = the second record of partition 0 plus 1 ms:
  // partition 0 goes to its third record, partitions 1 and 2 (stamped +1 and
  // +2 ms) to their second.
  auto result = stack.run({"offsets", "set", "orders-sink", "--to-timestamp", "2026-11-21T23:00:00.001Z", "--yes"});
  INFO(result.out);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(result.out.find("orders-0 → 2 (by-time") != std::string::npos);
  auto offsets = stack.offsets("orders-sink");
  REQUIRE(offsets.size() == 3);
  CHECK(kafka_offset(offsets, 0) == 2);
  CHECK(kafka_offset(offsets, 1) == 1);
  CHECK(kafka_offset(offsets, 2) == 1);
  CHECK(stack.state("orders-sink") == "RUNNING");

  // After the last record: the end of each partition.
  result = stack.run({"offsets", "set", "orders-sink", "--to-timestamp", "2030-01-01", "--yes"});
  REQUIRE(result.exit_code == 0);
  offsets = stack.offsets("orders-sink");
  for (int partition = 0; partition < 3; ++partition) CHECK(kafka_offset(offsets, partition) == 5);

  result = stack.run({"offsets", "set", "orders-sink", "--to-earliest", "--topic", "orders", "--partition", "2", "--yes"});
  REQUIRE(result.exit_code == 0);
  offsets = stack.offsets("orders-sink");
  CHECK(kafka_offset(offsets, 2) == 0);
  CHECK(kafka_offset(offsets, 1) == 5);  // untouched

  // A regex subscription: every matching topic.
  stack.create("all-sink", {{"connector.class", "io.confluent.connect.jdbc.JdbcSinkConnector"},
                            {"topics.regex", "orders|payments"},
                            {"tasks.max", "1"}});
  result = stack.run({"offsets", "set", "all-sink", "--to-latest", "--yes", "-o", "json"});
  REQUIRE(result.exit_code == 0);
  offsets = stack.offsets("all-sink");
  CHECK(offsets.size() == 5);  // orders 3 + payments 2

  // Refusals: a time without a zone, a position for a source connector, two ways at once.
  result = stack.run({"offsets", "set", "orders-sink", "--to-timestamp", "2026-11-22T08:00:00", "--yes"});
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("no zone") != std::string::npos);
  stack.create("src", {{"connector.class", "io.debezium.connector.postgresql.PostgresConnector"}, {"tasks.max", "1"}});
  result = stack.run({"offsets", "set", "src", "--to-earliest", "--yes"});
  CHECK(result.exit_code == 2);
  result = stack.run({"offsets", "set", "orders-sink", "--to-earliest", "--to-latest", "--yes"});
  CHECK(result.exit_code == 2);
  result = stack.run({"offsets", "set", "orders-sink", "--to-earliest", "--topic", "nope", "--yes"});
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("does not read topic nope") != std::string::npos);
}

TEST_CASE("connectors resnapshot: stop, reset, resume, and say whether the snapshot runs") {
  Stack stack;
  stack.debezium_source("inventory", "inventory_slot");
  auto result = stack.run({"connectors", "resnapshot", "inventory", "--dry-run"});
  REQUIRE(result.exit_code == 0);
  CHECK(result.out.find("keep replication slot inventory_slot") != std::string::npos);
  CHECK(stack.offsets("inventory").size() == 1);

  stack.connect.clear_request_log();
  result = stack.run({"connectors", "resnapshot", "inventory", "--yes"});
  INFO(result.out);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(stack.offsets("inventory").empty());
  CHECK(stack.state("inventory") == "RUNNING");
  CHECK(result.out.find("no offsets yet") != std::string::npos);
  CHECK(stack.connect.write_log() == std::vector<std::string>{"PUT /connectors/inventory/stop", "DELETE /connectors/inventory/offsets",
                                           "PUT /connectors/inventory/resume"});

  // A PAUSED connector is resumed: the point is a snapshot.
  REQUIRE(run_process({"curl", "-sf", "-X", "PUT", stack.connect.url() + "/connectors/inventory/pause"}).exit_code == 0);
  result = stack.run({"connectors", "resnapshot", "inventory", "--yes"});
  REQUIRE(result.exit_code == 0);
  CHECK(stack.state("inventory") == "RUNNING");

  // Refusals before anything is touched.
  stack.create("never", {{"connector.class", "io.debezium.connector.postgresql.PostgresConnector"},
                         {"snapshot.mode", "no_data"},
                         {"tasks.max", "1"}});
  result = stack.run({"connectors", "resnapshot", "never", "--yes"});
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("snapshot.mode=no_data") != std::string::npos);
  stack.create("file", {{"connector.class", "FileStreamSource"}, {"topic", "t"}, {"tasks.max", "1"}});
  result = stack.run({"connectors", "resnapshot", "file", "--drop-slot", "--yes"});
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("--drop-slot is for Debezium PostgreSQL connectors") != std::string::npos);
  result = stack.run({"connectors", "resnapshot", "missing", "--yes"});
  CHECK(result.exit_code == 4);
  CHECK(stack.state("never") == "RUNNING");
}

TEST_CASE("connectors resnapshot --drop-slot drops an idle slot and refuses one still in use") {
  PgCluster pg;
  pg.psql("CREATE PUBLICATION inventory_pub FOR ALL TABLES");
  pg.psql("SELECT pg_create_logical_replication_slot('inventory_slot', 'pgoutput')");
  Stack stack;
  stack.debezium_source("inventory", "inventory_slot");
  auto slot_count = [&] { return pg.psql("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'inventory_slot'"); };

  auto result = stack.run({"connectors", "resnapshot", "inventory", "--drop-slot", "--dry-run", "--pg", pg.conninfo()});
  INFO(result.out);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(result.out.find("drop replication slot inventory_slot (pgoutput, database postgres") != std::string::npos);
  CHECK(slot_count() == "1");

  // In use by another reader: the connector is left STOPPED with its offsets
  // reset, and the error names the pid and what to run.
  BackgroundProcess reader({"sh", "-c",
                            "echo started; exec " + pg.bin_dir() + "/pg_recvlogical -d '" + pg.uri() +
                                "' --slot inventory_slot --start -o proto_version=1 -o publication_names=inventory_pub -f /dev/null"});
  for (int i = 0; i < 100 && pg.psql("SELECT active FROM pg_replication_slots WHERE slot_name = 'inventory_slot'") != "t"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  REQUIRE(pg.psql("SELECT active FROM pg_replication_slots WHERE slot_name = 'inventory_slot'") == "t");
  const auto pid = pg.psql("SELECT active_pid FROM pg_replication_slots WHERE slot_name = 'inventory_slot'");
  result = stack.run({"connectors", "resnapshot", "inventory", "--drop-slot", "--yes", "--wait-timeout", "2s", "--pg",
                      pg.conninfo()});
  CHECK(result.exit_code == 1);
  CHECK(result.err.find("slot inventory_slot is still active") != std::string::npos);
  CHECK(result.err.find("pid " + pid) != std::string::npos);
  CHECK(result.err.find("left STOPPED") != std::string::npos);
  CHECK(result.err.find("pg_drop_replication_slot('inventory_slot')") != std::string::npos);
  CHECK(stack.state("inventory") == "STOPPED");
  CHECK(slot_count() == "1");
  reader.stop();

  // Idle: dropped, then the connector is resumed.
  for (int i = 0; i < 50 && pg.psql("SELECT active FROM pg_replication_slots WHERE slot_name = 'inventory_slot'") == "t"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  result = stack.run({"connectors", "resnapshot", "inventory", "--drop-slot", "--yes", "--pg", pg.conninfo()});
  REQUIRE(result.exit_code == 0);
  CHECK(result.out.find("drop-slot: ok (dropped inventory_slot") != std::string::npos);
  CHECK(slot_count() == "0");
  CHECK(stack.state("inventory") == "RUNNING");
  CHECK(stack.offsets("inventory").empty());
}
