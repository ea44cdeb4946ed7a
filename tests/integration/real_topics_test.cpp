// The real tier: `cdcctl topics` against a real Apache Kafka broker (KRaft),
// which implements CreateTopics and DescribeConfigs. Every topic cdcctl
// creates is checked with an independent client (confluent-kafka's
// AdminClient, support/kafka_admin.py), and `topics lint` runs on the topics a
// real Kafka Connect worker and a real Debezium connector created themselves.
#include <doctest/doctest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/pg_cluster.hpp"
#include "support/process.hpp"
#include "support/real_cluster.hpp"
#include "support/real_connectors.hpp"

using namespace cdcctl::testsupport;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// One broker and one Connect worker for the whole binary.
RealCluster& cluster() {
  return shared_service([] { return std::make_unique<RealCluster>(RealClusterOptions{.name = "topics"}); });
}

RunResult cli(std::vector<std::string> args, RunOptions options = {}) {
  args.insert(args.end(), {"--bootstrap-servers", cluster().bootstrap_servers(), "--timeout", "30s"});
  return run_cdcctl(args, std::move(options));
}

const std::string kKafkaAdmin = std::string(CDCCTL_SOURCE_DIR) + "/tests/support/kafka_admin.py";

json describe(const std::vector<std::string>& topics) {
  std::vector<std::string> argv{kKafkaAdmin, cluster().bootstrap_servers(), "describe"};
  argv.insert(argv.end(), topics.begin(), topics.end());
  const auto result = run_process(argv);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  return json::parse(result.out);
}

// The settings set on the topic itself (not the broker's defaults), as
// confluent-kafka reads them.
std::map<std::string, std::string> topic_settings(const json& topic) {
  std::map<std::string, std::string> settings;
  for (const auto& [key, entry] : topic["configs"].items()) {
    if (!entry["default"].get<bool>()) settings[key] = entry["value"];
  }
  return settings;
}

void create_with_peer(const std::string& topic, int partitions, const std::vector<std::string>& settings) {
  std::vector<std::string> argv{kKafkaAdmin, cluster().bootstrap_servers(), "create", topic, std::to_string(partitions)};
  argv.insert(argv.end(), settings.begin(), settings.end());
  const auto result = run_process(argv);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
}

}  // namespace

TEST_SUITE("real topics") {
  TEST_CASE("create-history, create-dlq and create-heartbeat create exactly the reference topics, idempotently") {
    struct Expected {
      std::string command, topic;
      int partitions;
      std::map<std::string, std::string> settings;
    };
    const std::vector<Expected> expected{
        {"create-history", "schema-history.inventory", 1,
         {{"cleanup.policy", "delete"},
          {"min.insync.replicas", "1"},
          {"retention.bytes", "-1"},
          {"retention.ms", "-1"},
          {"unclean.leader.election.enable", "false"}}},
        {"create-dlq", "dlq-inventory-sink", 1,
         {{"cleanup.policy", "delete"}, {"min.insync.replicas", "1"}, {"retention.ms", "2592000000"}}},
        {"create-heartbeat", "__debezium-heartbeat.inventory", 1,
         {{"cleanup.policy", "delete"}, {"min.insync.replicas", "1"}, {"retention.ms", "3600000"}}},
    };
    for (const auto& want : expected) {
      CAPTURE(want.command);
      const auto created = cli({"topics", want.command, want.topic, "--replication-factor", "1"});
      INFO(created.out, created.err);
      CHECK(created.exit_code == 0);
      CHECK(created.out.starts_with("created "));

      const auto seen = describe({want.topic})[want.topic];
      REQUIRE(seen.is_object());
      CHECK(seen["partitions"] == want.partitions);
      CHECK(seen["replication_factor"] == 1);
      CHECK(topic_settings(seen) == want.settings);

      // Again: nothing to do, said so, exit 0, and the topic unchanged.
      const auto again = cli({"topics", want.command, want.topic, "--replication-factor", "1", "-o", "json"});
      INFO(again.out, again.err);
      CHECK(again.exit_code == 0);
      CHECK(json::parse(again.out)["action"] == "as_required");
      CHECK(topic_settings(describe({want.topic})[want.topic]) == want.settings);
    }
  }

  TEST_CASE("a DLQ with more partitions and a retention of a week") {
    const auto created = cli({"topics", "create-dlq", "dlq-orders", "--replication-factor", "1", "--partitions", "3",
                                 "--retention", "7d"});
    INFO(created.out, created.err);
    CHECK(created.exit_code == 0);
    const auto seen = describe({"dlq-orders"})["dlq-orders"];
    CHECK(seen["partitions"] == 3);
    CHECK(topic_settings(seen)["retention.ms"] == "604800000");
  }

  TEST_CASE("an existing topic made wrongly: every deviation reported, exit 1, nothing altered") {
    create_with_peer("schema-history.legacy", 3, {"cleanup.policy=compact", "retention.ms=604800000"});
    const auto before = topic_settings(describe({"schema-history.legacy"})["schema-history.legacy"]);

    const auto result = cli({"topics", "create-history", "schema-history.legacy", "--replication-factor", "1"});
    INFO(result.out, result.err);
    CHECK(result.exit_code == 1);
    const auto text = result.out + result.err;
    CHECK(text.find("already exists but is not as a schema-history topic must be") != std::string::npos);
    CHECK(text.find("kafka-configs.sh --bootstrap-server " + cluster().bootstrap_servers() +
                    " --alter --entity-type topics --entity-name schema-history.legacy --add-config "
                    "cleanup.policy=delete") != std::string::npos);

    const auto report = json::parse(
        cli({"topics", "create-history", "schema-history.legacy", "--replication-factor", "1", "-o", "json"}).out);
    CHECK(report["action"] == "deviates");
    std::map<std::string, std::pair<std::string, std::string>> deviations;  // check → (actual, expected)
    for (const auto& finding : report["deviations"]) {
      deviations[finding["check"]] = {finding.value("actual", ""), finding.value("expected", "")};
    }
    // retention.bytes (-1) and unclean.leader.election.enable (false) are at
    // the broker's defaults, which are what a history topic needs: no deviation.
    CHECK(deviations.size() == 3);
    CHECK(deviations["partitions"] == std::pair<std::string, std::string>{"3", "1"});
    CHECK(deviations["cleanup.policy"] == std::pair<std::string, std::string>{"compact", "delete"});
    CHECK(deviations["retention.ms"] == std::pair<std::string, std::string>{"604800000 (7d)", "-1 (forever)"});
    CHECK(report["existing"]["partitions"] == 3);
    CHECK(report["existing"]["configs"]["cleanup.policy"]["value"] == "compact");

    CHECK(topic_settings(describe({"schema-history.legacy"})["schema-history.legacy"]) == before);
  }

  TEST_CASE("a replication factor above the broker count is refused before anything is sent") {
    // The default replication factor 3 on this one-broker cluster.
    const auto result = cli({"topics", "create-heartbeat", "__debezium-heartbeat.three"});
    INFO(result.out, result.err);
    CHECK(result.exit_code != 0);
    CHECK(result.err.find("replication factor 3") != std::string::npos);
    CHECK(describe({"__debezium-heartbeat.three"})["__debezium-heartbeat.three"].is_null());
  }

  TEST_CASE("the dry run sends no CreateTopics") {
    const auto result = cli({"topics", "create-history", "schema-history.dry", "--replication-factor", "1", "--dry-run"});
    INFO(result.out, result.err);
    CHECK(result.exit_code == 0);
    CHECK(result.out.find("kafka-topics.sh --bootstrap-server " + cluster().bootstrap_servers() +
                          " --create --topic schema-history.dry") != std::string::npos);
    CHECK(describe({"schema-history.dry"})["schema-history.dry"].is_null());
  }

  TEST_CASE("lint on the topics real Kafka Connect and a real Debezium connector created") {
    PgCluster pg;
    const auto database = pg.create_database("lint");
    pg.psql("CREATE TABLE customers (id int PRIMARY KEY, name text); INSERT INTO customers VALUES (1, 'ada');",
            database);
    auto connector = debezium_postgres_source("lint-source", "lint", {pg.port(), database});
    connector["config"]["slot.drop.on.stop"] = "true";
    connector["config"]["heartbeat.interval.ms"] = "1000";
    REQUIRE(curl_json("POST", cluster().connect_url() + "/connectors", connector.dump()).exit_code == 0);
    // Debezium creates the data topic with its first record (the snapshot of
    // row 1), and the heartbeat topic with its first heartbeat.
    json topics;
    eventually([&] {
      topics = describe({"lint.public.customers", "__debezium-heartbeat.lint"});
      return !topics["lint.public.customers"].is_null() && !topics["__debezium-heartbeat.lint"].is_null();
    });
    INFO(cluster().worker_log_tail(0));
    REQUIRE(!topics["lint.public.customers"].is_null());
    REQUIRE(!topics["__debezium-heartbeat.lint"].is_null());

    RunOptions with_config;
    with_config.stdin_data = connector.dump();
    const auto result = cli({"topics", "lint", "--connector-config", "-", "--replication-factor", "1", "-o", "json"},
                               with_config);
    INFO(result.out, result.err);
    REQUIRE((result.exit_code == 0 || result.exit_code == 1 || result.exit_code == 2));
    const auto report = json::parse(result.out);
    std::map<std::string, std::string> roles;
    for (const auto& topic : report["topics"]) roles[topic["name"]] = topic["role"];
    CHECK(roles["_connect-configs"] == "connect-configs");
    CHECK(roles["_connect-offsets"] == "connect-offsets");
    CHECK(roles["_connect-status"] == "connect-status");
    CHECK(roles["lint.public.customers"] == "cdc-data");
    CHECK(roles["__debezium-heartbeat.lint"] == "heartbeat");
    // What real Connect makes of its own internal topics passes the rules
    // Connect itself enforces (compact, one config partition).
    for (const auto& finding : report["findings"]) {
      CAPTURE(finding.dump());
      if (finding["topic"].get<std::string>().starts_with("_connect-")) CHECK(finding["status"] != "FAIL");
    }
    // Debezium's data topic was auto-created with the broker's delete policy:
    // lint says compact is wanted (WARN), with the kafka-configs fix.
    bool data_warned = false;
    for (const auto& finding : report["findings"]) {
      if (finding["topic"] == "lint.public.customers" && finding["check"] == "cleanup.policy") {
        data_warned = finding["status"] == "WARN";
      }
    }
    CHECK(data_warned);
    // The only FAILs are the wrongly made history topic of the case above.
    for (const auto& finding : report["findings"]) {
      if (finding["status"] == "FAIL") CHECK(finding["topic"] == "schema-history.legacy");
    }
    CHECK(report["status"] == "FAIL");
    CHECK(result.exit_code == 2);

    REQUIRE(curl_json("DELETE", cluster().connect_url() + "/connectors/lint-source", "").exit_code == 0);
  }
}

TEST_CASE("scripts/real-cluster.sh: up prints the addresses cdcctl then reaches, up again reuses, down stops") {
  TempDir state("cdcctl-real-script");
  const std::string script = std::string(CDCCTL_SOURCE_DIR) + "/scripts/real-cluster.sh";
  // The build the tests run from (…/apps/cdcctl/cdcctl → …), so nothing is rebuilt.
  const auto build = std::filesystem::path(CDCCTL_BINARY).parent_path().parent_path().parent_path().string();
  RunOptions options;
  options.env = {{"CDCCTL_REAL_CLUSTER_DIR", state.path() + "/cluster"}, {"CDCCTL_BUILD_DIR", build}};
  options.timeout = std::chrono::seconds(400);

  const auto up = run_process({script, "up"}, options);
  INFO(up.out, up.err);
  REQUIRE(up.exit_code == 0);
  CHECK(up.out.starts_with("bootstrap servers: 127.0.0.1:"));
  const auto url_at = up.out.find("connect url:       ");
  REQUIRE(url_at != std::string::npos);
  const auto url_start = url_at + std::string("connect url:       ").size();
  const auto url = up.out.substr(url_start, up.out.find('\n', url_start) - url_start);
  CHECK(up.out.find("export CDCCTL_CONNECT_URL=" + url + "\n") != std::string::npos);
  CHECK(up.out.find("export CDCCTL_WORKER_RESTART_COMMAND='sh ") != std::string::npos);

  const auto info = run_cdcctl({"cluster", "info", "--connect-url", url, "-o", "json"});
  CHECK(info.exit_code == 0);
  CHECK(json::parse(info.out)["version"] == "4.3.2");

  const auto again = run_process({script, "up"}, options);
  CHECK(again.exit_code == 0);
  CHECK(again.err.find("already running") != std::string::npos);
  CHECK(again.out.find("connect url:       " + url) != std::string::npos);

  const auto down = run_process({script, "down"}, options);
  INFO(down.err);
  CHECK(down.exit_code == 0);
  CHECK(down.out == "real-cluster: stopped\n");
  CHECK_FALSE(std::filesystem::exists(state.path() + "/cluster"));
  CHECK(run_cdcctl({"cluster", "info", "--connect-url", url, "--timeout", "2s"}).exit_code != 0);
  CHECK(run_process({script, "env"}, options).exit_code == 1);
}
