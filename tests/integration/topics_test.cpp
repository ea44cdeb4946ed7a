// cdcctl topics against the embedded Kafka, which speaks the real wire
// protocol but implements no admin API: every command that needs
// CreateTopics or DescribeConfigs must say so at once (not time out), dry
// runs must work without them, and nothing may be created by accident. The
// rules themselves are unit-tested with a fake admin (tests/unit/topics_test).
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "support/embedded_kafka.hpp"
#include "support/process.hpp"

using namespace cdcctl::testsupport;
using nlohmann::json;

namespace {

// Topic names as kcat (a peer client) lists them.
std::string kcat_topics(const std::string& bootstrap) {
  const auto listed = run_process({"kcat", "-b", bootstrap, "-L", "-J"});
  REQUIRE(listed.exit_code == 0);
  std::string names;
  for (const auto& topic : json::parse(listed.out)["topics"]) names += topic["topic"].get<std::string>() + "\n";
  return names;
}

}  // namespace

TEST_SUITE("topics") {
  TEST_CASE("against a broker without admin APIs: clear errors, dry runs, nothing created") {
    EmbeddedKafka kafka({"inventory.public.customers:3", "connect-offsets:25"});
    const auto bootstrap = kafka.bootstrap_servers();
    // A long timeout: were the admin request sent, the command would wait
    // for it and then report a timeout, not the missing API.
    const std::vector<std::string> common{"--bootstrap-servers", bootstrap, "--timeout", "60s"};
    auto cdcctl = [&](std::vector<std::string> args, RunOptions options = {}) {
      args.insert(args.end(), common.begin(), common.end());
      return run_cdcctl(args, std::move(options));
    };

    SUBCASE("create-history names the missing API and the kafka-topics command instead") {
      const auto result = cdcctl({"topics", "create-history", "schema-history.inventory", "--replication-factor", "1"});
      INFO(result.out, result.err);
      CHECK(result.exit_code == 1);
      CHECK(result.err.find("broker does not support CreateTopics") != std::string::npos);
      CHECK(result.err.find("did not answer in time") == std::string::npos);
      CHECK(result.err.find("kafka-topics.sh --bootstrap-server " + bootstrap +
                            " --create --topic schema-history.inventory --partitions 1 --replication-factor 1 "
                            "--config cleanup.policy=delete --config min.insync.replicas=1 --config retention.bytes=-1 "
                            "--config retention.ms=-1 --config unclean.leader.election.enable=false") != std::string::npos);
      CHECK(kcat_topics(bootstrap).find("schema-history.inventory") == std::string::npos);
    }
    SUBCASE("an existing topic needs DescribeConfigs to be checked") {
      const auto result = cdcctl({"topics", "create-dlq", "connect-offsets", "--replication-factor", "1"});
      INFO(result.out, result.err);
      CHECK(result.exit_code == 1);
      CHECK(result.err.find("broker does not support DescribeConfigs") != std::string::npos);
    }
    SUBCASE("the dry run prints the request and creates nothing") {
      const auto text = cdcctl({"topics", "create-history", "schema-history.inventory", "--replication-factor", "1", "--dry-run"});
      INFO(text.out, text.err);
      CHECK(text.exit_code == 0);
      CHECK(text.out.find("dry run: would create schema-history topic schema-history.inventory") != std::string::npos);
      CHECK(text.out.find("  retention.ms=-1\n") != std::string::npos);
      CHECK(text.out.find("  cleanup.policy=delete\n") != std::string::npos);
      CHECK(text.err.find("replication factor 1: fine for development, not for production") != std::string::npos);

      const auto structured = cdcctl({"topics", "create-heartbeat", "__debezium-heartbeat.inventory", "--replication-factor",
                                      "1", "--retention", "30m", "--dry-run", "-o", "json"});
      REQUIRE(structured.exit_code == 0);
      const auto document = json::parse(structured.out);
      CHECK(document["action"] == "would_create");
      CHECK(document["existing"].is_null());
      CHECK(document["request"]["configs"]["retention.ms"] == "1800000");
      CHECK(document["request"]["partitions"] == 1);
      CHECK(kcat_topics(bootstrap).find("__debezium-heartbeat") == std::string::npos);
    }
    SUBCASE("a replication factor the cluster cannot hold is refused before asking") {
      const auto result = cdcctl({"topics", "create-history", "schema-history.inventory"});
      CHECK(result.exit_code == 2);
      CHECK(result.err.find("replication factor 3 needs at least 3 brokers; Kafka at " + bootstrap + " has 1") !=
            std::string::npos);
      CHECK(result.err.find("hint: pass --replication-factor 1 for a development cluster") != std::string::npos);
    }
    SUBCASE("bad input is a usage error that touches nothing") {
      CHECK(cdcctl({"topics", "create-history", "bad name", "--dry-run"}).exit_code == 2);
      CHECK(cdcctl({"topics", "create-history", "h", "--replication-factor", "1", "--min-insync-replicas", "2"}).exit_code == 2);
      CHECK(cdcctl({"topics", "create-dlq", "d", "--retention", "soon"}).exit_code == 2);
    }
    SUBCASE("lint is UNKNOWN (3) with the missing API named, for cron") {
      const auto result = cdcctl({"topics", "lint", "--prefix", "inventory"});
      INFO(result.out, result.err);
      CHECK(result.exit_code == 3);
      CHECK(result.err.find("broker does not support DescribeConfigs") != std::string::npos);
      CHECK(cdcctl({"topics", "lint", "--connector-config", "/nonexistent.json"}).exit_code == 3);
    }
  }

  TEST_CASE("lint reports the topics a connector config names but the cluster lacks") {
    // Only unclassified topics exist, so no DescribeConfigs is needed.
    EmbeddedKafka kafka({"clickstream:2"});
    const std::string config = R"({"name": "erp-source", "config": {
        "connector.class": "io.debezium.connector.sqlserver.SqlServerConnector", "topic.prefix": "erp",
        "schema.history.internal.kafka.topic": "schemahistory.erp", "heartbeat.interval.ms": "5000"}})";
    RunOptions with_stdin;
    with_stdin.stdin_data = config;
    const auto result = run_cdcctl({"topics", "lint", "--connector-config", "-", "--bootstrap-servers",
                                    kafka.bootstrap_servers(), "-o", "json"},
                                   with_stdin);
    INFO(result.out, result.err);
    CHECK(result.exit_code == 1);
    const auto report = json::parse(result.out);
    CHECK(report["status"] == "WARN");
    CHECK(report["unclassified"] == 1);
    REQUIRE(report["findings"].size() == 2);
    CHECK(report["findings"][0]["topic"] == "__debezium-heartbeat.erp");
    CHECK(report["findings"][0]["fix"] == "cdcctl topics create-heartbeat __debezium-heartbeat.erp");
    CHECK(report["findings"][1]["topic"] == "schemahistory.erp");
    CHECK(report["findings"][1]["check"] == "exists");
    CHECK(report["findings"][1]["fix"] == "cdcctl topics create-history schemahistory.erp");
    CHECK(report["topics"][1]["named_by"] == "connector erp-source (standard input)");

    const auto text = run_cdcctl({"topics", "lint", "--connector-config", "-", "--bootstrap-servers",
                                  kafka.bootstrap_servers()},
                                 with_stdin);
    CHECK(text.exit_code == 1);
    CHECK(text.out.starts_with("WARN - 2 WARN, 2 topics checked on Kafka at " + kafka.bootstrap_servers()));
    CHECK(text.out.find("cdcctl topics create-history schemahistory.erp") != std::string::npos);
  }
}
