// The real tier: `cdcctl dlq` on a dead-letter queue that real Kafka Connect
// wrote for the real Debezium JDBC sink (errors.tolerance=all, context
// headers on), and an exactly-once replay on a real broker: a read_committed
// consumer (confluent-kafka, not cdcctl) must see every DLQ record exactly
// once on the original topic, also after a SIGKILL mid-replay and a rerun.
// The real broker hides aborted transactions, so no repeat is allowed here.
#include <doctest/doctest.h>

#include <signal.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "support/pg_cluster.hpp"
#include "support/process.hpp"
#include "support/real_cluster.hpp"
#include "support/real_connectors.hpp"

using namespace cdcctl::testsupport;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

RealCluster& cluster() {
  return shared_service([] { return std::make_unique<RealCluster>(RealClusterOptions{.name = "dlq"}); });
}

PgCluster& pg() {
  static PgCluster instance;
  return instance;
}

const std::string kKafkaAdmin = std::string(CDCCTL_SOURCE_DIR) + "/tests/support/kafka_admin.py";
constexpr int kGood = 20;
constexpr int kPoison = 3000;
constexpr const char* kGroup = "cdcctl-replay-dlq-orders";

RunResult cli(std::vector<std::string> args, RunOptions options = {}) {
  args.insert(args.end(), {"--bootstrap-servers", cluster().bootstrap_servers(), "--connect-url",
                           cluster().connect_url(), "--timeout", "30s"});
  return run_cdcctl(args, std::move(options));
}

// Every record of a topic, as an independent consumer reads it.
std::vector<json> consume(const std::string& topic, const std::string& isolation = "read_committed") {
  const auto result = run_process({kKafkaAdmin, cluster().bootstrap_servers(), "consume", topic, isolation});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  std::vector<json> records;
  std::istringstream lines(result.out);
  for (std::string line; std::getline(lines, line);) records.push_back(json::parse(line));
  return records;
}

std::int64_t committed(const std::string& group, const std::string& topic) {
  const auto result = run_process({kKafkaAdmin, cluster().bootstrap_servers(), "committed", group, topic});
  REQUIRE(result.exit_code == 0);
  const json positions = json::parse(result.out);
  std::int64_t total = 0;
  for (auto it = positions.begin(); it != positions.end(); ++it) {
    if (!it->is_null()) total += it->get<std::int64_t>();
  }
  return total;
}

std::string header(const json& record, const std::string& name) {
  for (const auto& pair : record["headers"]) {
    if (pair[0] == name) return pair[1].is_null() ? "" : pair[1].get<std::string>();
  }
  return "";
}

// The order topic the sink reads: JSON with schemas, as the JDBC sink needs
// (it builds its DDL from them); poison values that are not JSON at all.
void produce_orders() {
  const json key_schema{{"type", "struct"},
                        {"optional", false},
                        {"name", "orders.Key"},
                        {"fields", json::array({{{"field", "id"}, {"type", "int32"}, {"optional", false}}})}};
  const json value_schema{{"type", "struct"},
                          {"optional", false},
                          {"name", "orders.Value"},
                          {"fields", json::array({{{"field", "id"}, {"type", "int32"}, {"optional", false}},
                                                  {{"field", "item"}, {"type", "string"}, {"optional", true}}})}};
  std::string input;
  for (int i = 1; i <= kGood + kPoison; ++i) {
    const json key{{"schema", key_schema}, {"payload", {{"id", i}}}};
    const std::string value = i <= kGood ? json{{"schema", value_schema}, {"payload", {{"id", i}, {"item", "good"}}}}.dump()
                                         : "poison-" + std::to_string(i) + " is not JSON {";
    input += key.dump() + "\t" + value + "\n";
  }
  RunOptions options;
  options.stdin_data = input;
  const auto result = run_process({"kcat", "-b", cluster().bootstrap_servers(), "-P", "-t", "orders", "-K", "\t"}, options);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
}

// The sink, its DLQ filled by real Connect: set up once for the binary.
void sink_with_dlq() {
  static const bool ready = [] {
    const auto target = pg().create_database("warehouse");
    const auto created = run_process({kKafkaAdmin, cluster().bootstrap_servers(), "create", "orders", "1"});
    REQUIRE(created.exit_code == 0);
    produce_orders();
    json config = debezium_jdbc_sink("dlq-sink", "orders", {pg().port(), target});
    config["config"].update({{"errors.tolerance", "all"},
                             {"errors.deadletterqueue.topic.name", "dlq-orders"},
                             {"errors.deadletterqueue.topic.replication.factor", "1"},
                             {"errors.deadletterqueue.context.headers.enable", "true"}});
    REQUIRE(curl_json("POST", cluster().connect_url() + "/connectors", config.dump()).exit_code == 0);
    INFO(cluster().worker_log_tail(0));
    REQUIRE(eventually([&] {
      try {
        return pg().psql("SELECT count(*) FROM orders", target) == std::to_string(kGood);
      } catch (const std::exception&) {
        return false;
      }
    }));
    REQUIRE(eventually([] { return consume("dlq-orders").size() == static_cast<std::size_t>(kPoison); }));
    return true;
  }();
  REQUIRE(ready);
}

}  // namespace

TEST_SUITE("real dlq") {
  TEST_CASE("stats, inspect and lag decode the DLQ records real Connect wrote") {
    sink_with_dlq();
    const auto stats = cli({"dlq", "stats", "dlq-orders", "-o", "json"});
    INFO(stats.out, stats.err);
    REQUIRE(stats.exit_code == 0);
    const auto report = json::parse(stats.out);
    CHECK(report["scanned"] == kPoison);
    REQUIRE(report["groups"].size() == 1);
    const auto& group = report["groups"][0];
    CHECK(group["count"] == kPoison);
    CHECK(group["exception_class"] == "org.apache.kafka.connect.errors.DataException");
    CHECK(group["connector"] == "dlq-sink");
    CHECK(group["original_topic"] == "orders");
    CHECK(group["stage"] == "VALUE_CONVERTER");

    const auto inspect = cli({"dlq", "inspect", "dlq-orders", "--last", "1"});
    INFO(inspect.out, inspect.err);
    CHECK(inspect.exit_code == 0);
    CHECK(inspect.out.find("original   orders 0@" + std::to_string(kGood + kPoison - 1)) != std::string::npos);
    CHECK(inspect.out.find("connector  dlq-sink, task 0, stage VALUE_CONVERTER") != std::string::npos);
    CHECK(inspect.out.find("org.apache.kafka.connect.errors.DataException") != std::string::npos);
    CHECK(inspect.out.find("poison-" + std::to_string(kGood + kPoison) + " is not JSON {") != std::string::npos);

    const auto lag = cli({"dlq", "lag", "dlq-orders", "--group", kGroup, "--warn", "1", "--crit", "100000"});
    INFO(lag.out, lag.err);
    CHECK(lag.exit_code == 1);
    CHECK(lag.out.starts_with("WARNING - " + std::to_string(kPoison) + " records in dlq-orders"));
  }

  TEST_CASE("replay exactly once on a real broker, across a SIGKILL and a rerun") {
    sink_with_dlq();
    // The sink would send the replayed poison straight back: stop it first.
    REQUIRE(cli({"connectors", "stop", "dlq-sink", "--wait"}).exit_code == 0);
    const auto orders_before = consume("orders").size();

    std::int64_t at_kill = 0;
    {
      BackgroundProcess first({CDCCTL_BINARY, "dlq", "replay", "dlq-orders", "--yes", "--rate", "300/s", "--batch",
                               "100", "--bootstrap-servers", cluster().bootstrap_servers()});
      CHECK(first.first_line().starts_with("replaying dlq-orders from the position of group " + std::string(kGroup)));
      for (int i = 0; i < 600 && at_kill < 300; ++i) {
        std::this_thread::sleep_for(50ms);
        at_kill = committed(kGroup, "dlq-orders");
      }
      ::kill(first.pid(), SIGKILL);
      first.stop();
    }
    at_kill = committed(kGroup, "dlq-orders");
    INFO("group position at the kill: ", at_kill);
    REQUIRE(at_kill >= 300);
    REQUIRE(at_kill < kPoison);

    const auto second = cli({"dlq", "replay", "dlq-orders", "--yes"});
    INFO(second.out, second.err);
    REQUIRE(second.exit_code == 0);
    CHECK(second.out.find("replayed " + std::to_string(kPoison - at_kill) + " record(s)") != std::string::npos);
    // The group's position went with the transactions: at the end of the DLQ.
    CHECK(committed(kGroup, "dlq-orders") == kPoison);
    CHECK(cli({"dlq", "lag", "dlq-orders", "--group", kGroup, "--warn", "1"}).exit_code == 0);

    // A read_committed consumer sees each DLQ record once on the original topic,
    // intact, with the replay's headers and without Connect's error headers.
    std::map<std::string, int> deliveries;  // cdcctl.replay.source → count
    int intact = 0;
    const auto orders = consume("orders");
    for (const auto& record : orders) {
      const auto source = header(record, "cdcctl.replay.source");
      if (source.empty()) continue;
      ++deliveries[source];
      const auto offset = std::stoi(source.substr(source.rfind('/') + 1));
      const bool same = record["value"] == "poison-" + std::to_string(kGood + 1 + offset) + " is not JSON {" &&
                        header(record, "cdcctl.replay.count") == "1" &&
                        header(record, "__connect.errors.exception.class.name").empty();
      intact += same ? 1 : 0;
    }
    CHECK(orders.size() == orders_before + kPoison);
    CHECK(deliveries.size() == static_cast<std::size_t>(kPoison));
    CHECK(intact == kPoison);
    int repeated = 0;
    for (const auto& [source, count] : deliveries) repeated += count > 1 ? 1 : 0;
    CHECK(repeated == 0);
    // What the kill left in the log is there, aborted: a read_uncommitted
    // consumer sees it (informational; how much depends on when the kill came).
    MESSAGE("records of aborted transactions visible to read_uncommitted: ",
            consume("orders", "read_uncommitted").size() - orders.size());

    // A third run has nothing to do.
    const auto third = cli({"dlq", "replay", "dlq-orders", "--yes"});
    CHECK(third.exit_code == 0);
    CHECK(third.out.find("nothing to replay") != std::string::npos);
    CHECK(consume("orders").size() == orders.size());
  }
}
