// `cdcctl offsets get|reset|set` against the Connect double: decoded output,
// the stop → change → verify → restore flow seen in the requests the worker
// received, and what is left behind when a step fails.
#include <doctest/doctest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "support/connect_double.hpp"
#include "support/process.hpp"

using namespace cdcctl::testsupport;
using nlohmann::json;

namespace {

// A Debezium PostgreSQL streaming offset (reference §3): lsn 0x16E9A58 = 24025688.
const json kPgOffset = {{"lsn_proc", 24025688}, {"lsn_commit", 24025688}, {"lsn", 24025688},
                        {"txId", 556},         {"ts_usec", 1795312800123456}, {"messageType", "COMMIT"}};

struct Cluster {
  explicit Cluster(std::string version = "3.9.0") : connect(options(std::move(version))) {}
  static ConnectDoubleOptions options(std::string version) {
    ConnectDoubleOptions o;
    o.version = std::move(version);
    return o;
  }
  ConnectDouble connect;

  RunResult run(std::vector<std::string> args, RunOptions options = {}) {
    args.insert(args.end(), {"--connect-url", connect.url()});
    return run_cdcctl(args, std::move(options));
  }
  void create(const std::string& name, const json& config) {
    REQUIRE(curl_json("POST", connect.url() + "/connectors", json{{"name", name}, {"config", config}}.dump()).exit_code == 0);
  }
  void source(const std::string& name) {
    create(name, {{"connector.class", "FileStreamSource"}, {"topic", "t"}, {"tasks.max", "1"}});
    connect.set_offsets(name, json::array({{{"partition", {{"server", "inventory"}}}, {"offset", kPgOffset}}}));
  }
  void sink(const std::string& name) {
    create(name, {{"connector.class", "FileStreamSink"}, {"topics", "orders"}, {"tasks.max", "1"}});
    connect.set_offsets(name, json::array({{{"partition", {{"kafka_topic", "orders"}, {"kafka_partition", 0}}},
                                            {"offset", {{"kafka_offset", 100}}}},
                                           {{"partition", {{"kafka_topic", "orders"}, {"kafka_partition", 1}}},
                                            {"offset", {{"kafka_offset", 7}}}}}));
  }
  void put(const std::string& path) { REQUIRE(run_process({"curl", "-sf", "-X", "PUT", connect.url() + path}).exit_code == 0); }
  std::string state(const std::string& name) { return connect.connector_state(name)["connector"]["state"]; }
  json offsets(const std::string& name) {
    const auto result = run_process({"curl", "-sf", connect.url() + "/connectors/" + name + "/offsets"});
    REQUIRE(result.exit_code == 0);
    return json::parse(result.out)["offsets"];
  }
  std::vector<std::string> writes() { return connect.write_log(); }
};

}  // namespace

TEST_CASE("offsets get: Debezium PostgreSQL offsets decoded, sink offsets per topic-partition") {
  Cluster cluster;
  cluster.source("inventory-source");
  cluster.sink("orders-sink");
  auto result = cluster.run({"offsets", "get", "--all"});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  auto line_with = [&](const std::string& needle) {
    const auto at = result.out.find(needle);
    REQUIRE(at != std::string::npos);
    const auto start = result.out.rfind('\n', at) + 1;
    return result.out.substr(start, result.out.find('\n', at) - start);
  };
  CHECK(line_with("{\"server\":\"inventory\"}").find("lsn 0/16E9A58 txId 556 at 2026-11-22T02:00:00.123456Z COMMIT") !=
        std::string::npos);
  CHECK(line_with("orders-0").find("offset 100") != std::string::npos);
  CHECK(line_with("orders-1").find("offset 7") != std::string::npos);

  result = cluster.run({"offsets", "get", "inventory-source", "-o", "json"});
  const json data = json::parse(result.out);
  REQUIRE(data.size() == 1);
  CHECK(data[0]["type"] == "source");
  CHECK(data[0]["offsets"][0]["offset"] == kPgOffset);
  CHECK(data[0]["decoded"][0]["lsn"] == "0/16E9A58");
  CHECK(data[0]["decoded"][0]["lsn_decimal"] == 24025688);
  CHECK(data[0]["decoded"][0]["tx_id"] == 556);
  CHECK(data[0]["decoded"][0]["committed_at"] == "2026-11-22T02:00:00.123456Z");

  CHECK(cluster.run({"offsets", "get", "nope"}).exit_code == 4);
}

TEST_CASE("offsets reset of a RUNNING connector: stop, DELETE, verify, resume; never the 400 for PAUSED") {
  Cluster cluster;
  cluster.source("inventory-source");
  cluster.connect.clear_request_log();
  const auto result = cluster.run({"offsets", "reset", "inventory-source", "--yes"});
  INFO(result.out);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(cluster.writes() == std::vector<std::string>{"PUT /connectors/inventory-source/stop",
                                                     "DELETE /connectors/inventory-source/offsets",
                                                     "PUT /connectors/inventory-source/resume"});
  CHECK(cluster.offsets("inventory-source").empty());
  CHECK(cluster.state("inventory-source") == "RUNNING");
  CHECK(result.out.find("1. stop inventory-source (it is RUNNING) and wait until STOPPED with no tasks") != std::string::npos);
  CHECK(result.out.find("lsn 0/16E9A58") != std::string::npos);  // the offsets it is about to remove
}

TEST_CASE("offsets reset of a PAUSED connector goes through STOPPED and comes back PAUSED") {
  Cluster cluster;
  cluster.sink("orders-sink");
  cluster.put("/connectors/orders-sink/pause");
  cluster.connect.clear_request_log();
  const auto result = cluster.run({"offsets", "reset", "orders-sink", "--yes", "-o", "json"});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(cluster.writes() == std::vector<std::string>{"PUT /connectors/orders-sink/stop", "DELETE /connectors/orders-sink/offsets",
                                                     "PUT /connectors/orders-sink/pause"});
  CHECK(cluster.state("orders-sink") == "PAUSED");
  const json report = json::parse(result.out);
  CHECK(report["ok"] == true);
  CHECK(report["state_before"] == "PAUSED");
  CHECK(report["state_after"] == "PAUSED");
  CHECK(report["offsets_before"].size() == 2);
  CHECK(report["offsets_after"].empty());
}

TEST_CASE("offsets reset: --dry-run and no --yes change nothing; a sink plan names the consumer group") {
  Cluster cluster;
  cluster.sink("orders-sink");
  cluster.connect.clear_request_log();
  auto result = cluster.run({"offsets", "reset", "orders-sink", "--dry-run"});
  CHECK(result.exit_code == 0);
  CHECK(result.out.find("consumer group connect-orders-sink") != std::string::npos);
  result = cluster.run({"offsets", "reset", "orders-sink"});
  CHECK(result.exit_code == 2);
  CHECK(cluster.writes().empty());
  CHECK(cluster.offsets("orders-sink").size() == 2);
}

TEST_CASE("offsets reset: a failed DELETE leaves it STOPPED and says how to finish") {
  Cluster cluster;
  cluster.source("inventory-source");
  cluster.connect.fail_offset_writes(1);
  auto result = cluster.run({"offsets", "reset", "inventory-source", "--yes"});
  CHECK(result.exit_code == 1);
  CHECK(result.err.find("doesn't support external modification of offsets") != std::string::npos);
  CHECK(result.err.find("inventory-source is left STOPPED") != std::string::npos);
  CHECK(result.err.find("to finish by hand: cdcctl offsets reset inventory-source --yes --leave-stopped; then cdcctl "
                        "connectors resume inventory-source") != std::string::npos);
  CHECK(cluster.state("inventory-source") == "STOPPED");
  CHECK(cluster.offsets("inventory-source").size() == 1);

  // Following the hint finishes the job.
  REQUIRE(cluster.run({"offsets", "reset", "inventory-source", "--yes", "--leave-stopped"}).exit_code == 0);
  REQUIRE(cluster.run({"connectors", "resume", "inventory-source"}).exit_code == 0);
  CHECK(cluster.offsets("inventory-source").empty());
  CHECK(cluster.state("inventory-source") == "RUNNING");
}

TEST_CASE("offsets set: sink shorthand and a source round trip through offsets get -o json") {
  Cluster cluster;
  cluster.sink("orders-sink");
  cluster.source("inventory-source");

  auto result = cluster.run({"offsets", "set", "orders-sink", "--topic", "orders", "--partition", "1", "--offset", "42", "--yes"});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  json after = cluster.offsets("orders-sink");
  const auto p1 = std::find_if(after.begin(), after.end(), [](const json& e) { return e["partition"]["kafka_partition"] == 1; });
  REQUIRE(p1 != after.end());
  CHECK((*p1)["offset"]["kafka_offset"] == 42);
  CHECK(after.size() == 2);  // partition 0 kept
  CHECK(cluster.state("orders-sink") == "RUNNING");

  // Save, reset, restore from the saved document: the offsets come back exactly.
  const auto saved = cluster.run({"offsets", "get", "inventory-source", "-o", "json"});
  REQUIRE(cluster.run({"offsets", "reset", "inventory-source", "--yes"}).exit_code == 0);
  CHECK(cluster.offsets("inventory-source").empty());
  RunOptions from_stdin;
  from_stdin.stdin_data = saved.out;
  result = cluster.run({"offsets", "set", "inventory-source", "-f", "-", "--yes"}, from_stdin);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(cluster.offsets("inventory-source")[0]["offset"] == kPgOffset);

  // Wrong shapes are refused before anything is stopped.
  cluster.connect.clear_request_log();
  CHECK(cluster.run({"offsets", "set", "orders-sink", "--partition", "0", "--offset", "1", "--yes"}).exit_code == 2);
  CHECK(cluster.run({"offsets", "set", "inventory-source", "--partition", "0", "--offset", "{}", "--yes"}).exit_code == 2);
  CHECK(cluster.writes().empty());
}

TEST_CASE("offsets commands say which Connect version they need") {
  Cluster cluster("3.5.1");
  cluster.source("inventory-source");
  const auto result = cluster.run({"offsets", "reset", "inventory-source", "--yes"});
  CHECK(result.exit_code != 0);
  CHECK(result.err.find("3.6") != std::string::npos);
  CHECK(cluster.state("inventory-source") == "RUNNING");
}

TEST_CASE("offsets backup → reset → restore puts every offset back; another connector under the same name is refused") {
  Cluster cluster;
  cluster.source("inventory-source");
  cluster.sink("orders-sink");
  cluster.put("/connectors/orders-sink/pause");
  TempDir dir("cdcctl-offsets");
  const std::string file = dir.path() + "/backup.json";

  auto result = cluster.run({"offsets", "backup", "-f", file});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(result.out == "saved 3 offset(s) of 2 connector(s) to " + file + "\n");
  const json before_source = cluster.offsets("inventory-source");
  const json before_sink = cluster.offsets("orders-sink");

  // Damage: reset one, move another partition on and add a third.
  REQUIRE(cluster.run({"offsets", "reset", "inventory-source", "--yes"}).exit_code == 0);
  REQUIRE(cluster.run({"offsets", "set", "orders-sink", "--topic", "orders", "--partition", "0", "--offset", "999", "--yes"}).exit_code == 0);
  REQUIRE(cluster.run({"offsets", "set", "orders-sink", "--topic", "orders", "--partition", "2", "--offset", "5", "--yes"}).exit_code == 0);

  cluster.connect.clear_request_log();
  result = cluster.run({"offsets", "restore", "-f", file, "--dry-run"});
  CHECK(result.exit_code == 0);
  CHECK(cluster.writes().empty());

  result = cluster.run({"offsets", "restore", "-f", file, "--yes"});
  INFO(result.out);
  REQUIRE(result.exit_code == 0);
  CHECK(cluster.offsets("inventory-source") == before_source);
  json after_sink = cluster.offsets("orders-sink");
  CHECK(after_sink.size() == 2);  // partition 2 removed again
  for (const auto& entry : before_sink) CHECK(std::find(after_sink.begin(), after_sink.end(), entry) != after_sink.end());
  CHECK(cluster.state("inventory-source") == "RUNNING");
  CHECK(cluster.state("orders-sink") == "PAUSED");

  // The name now belongs to a sink: refused before anything is stopped, unless --force.
  REQUIRE(run_process({"curl", "-sf", "-X", "DELETE", cluster.connect.url() + "/connectors/inventory-source"}).exit_code == 0);
  cluster.create("inventory-source", {{"connector.class", "FileStreamSink"}, {"topics", "x"}});
  cluster.connect.clear_request_log();
  result = cluster.run({"offsets", "restore", "-f", file, "inventory-source", "--yes"});
  CHECK(result.exit_code == 1);
  CHECK(result.err.find("inventory-source: it was a source connector when saved and is a sink connector now") != std::string::npos);
  CHECK(cluster.writes().empty());
  CHECK(cluster.run({"offsets", "restore", "-f", file, "nope", "--yes"}).exit_code == 4);
}
