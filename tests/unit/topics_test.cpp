// topics create-*/lint over a fake admin: the requests, the idempotent
// check of an existing topic, classification of topic names, the lint rules,
// and reading a broker's API support from librdkafka's feature lines.
#include <doctest/doctest.h>

#include "core/error.hpp"
#include "kafka/admin.hpp"
#include "ops/topics.hpp"

using namespace cdcctl;
using namespace cdcctl::ops;
using cdcctl::kafka::ConfigValue;
using cdcctl::kafka::NewTopicRequest;
using cdcctl::kafka::TopicConfigs;
using cdcctl::kafka::TopicLayout;

namespace {

// A cluster held in memory: topics with layouts and explicit configs; the
// rest of each topic's configuration is Kafka's defaults.
class FakeAdmin final : public kafka::TopicAdmin {
 public:
  int brokers = 3;
  std::map<std::string, std::pair<TopicLayout, std::map<std::string, std::string>>> topics;
  std::vector<NewTopicRequest> created;
  std::vector<std::vector<std::string>> described;
  bool describe_supported = true;

  void add(const std::string& name, int partitions, int replication_factor,
           std::map<std::string, std::string> configs = {}) {
    topics[name] = {{name, partitions, replication_factor}, std::move(configs)};
  }

  std::string bootstrap_servers() const override { return "kafka:9092"; }
  int broker_count() override { return brokers; }
  std::vector<TopicLayout> list_topics() override {
    std::vector<TopicLayout> list;
    for (const auto& [name, topic] : topics) list.push_back(topic.first);
    return list;
  }
  std::map<std::string, TopicConfigs> describe_configs(const std::vector<std::string>& names) override {
    if (!describe_supported) throw Error::failed("Kafka at kafka:9092: broker does not support DescribeConfigs");
    described.push_back(names);
    const std::map<std::string, std::string> defaults{{"cleanup.policy", "delete"},
                                                      {"retention.ms", "604800000"},
                                                      {"retention.bytes", "-1"},
                                                      {"min.insync.replicas", "1"},
                                                      {"unclean.leader.election.enable", "false"},
                                                      {"segment.bytes", "1073741824"}};
    std::map<std::string, TopicConfigs> result;
    for (const auto& name : names) {
      const auto& explicit_configs = topics.at(name).second;
      for (const auto& [key, value] : defaults) {
        const auto set = explicit_configs.find(key);
        result[name][key] = set == explicit_configs.end() ? ConfigValue{value, true, "DEFAULT_CONFIG"}
                                                           : ConfigValue{set->second, false, "DYNAMIC_TOPIC_CONFIG"};
      }
    }
    return result;
  }
  void create_topic(const NewTopicRequest& request) override {
    created.push_back(request);
    add(request.name, request.partitions, request.replication_factor, request.configs);
  }
};

std::map<std::string, std::string> history_configs() {
  return {{"cleanup.policy", "delete"},
          {"retention.ms", "-1"},
          {"retention.bytes", "-1"},
          {"min.insync.replicas", "2"},
          {"unclean.leader.election.enable", "false"}};
}

std::optional<TopicFinding> find(const std::vector<TopicFinding>& findings, const std::string& topic,
                                 const std::string& check) {
  for (const auto& finding : findings) {
    if (finding.topic == topic && finding.check == check) return finding;
  }
  return std::nullopt;
}

std::vector<TopicFinding> all_findings(const LintReport& report) {
  std::vector<TopicFinding> findings;
  for (const auto& topic : report.topics) findings.insert(findings.end(), topic.findings.begin(), topic.findings.end());
  return findings;
}

}  // namespace

TEST_CASE("the schema-history topic request has exactly the settings Debezium needs") {
  const auto request = history_topic_request("schema-history.inventory", {});
  CHECK(request.name == "schema-history.inventory");
  CHECK(request.partitions == 1);
  CHECK(request.replication_factor == 3);
  CHECK(request.configs == history_configs());

  SUBCASE("min.insync.replicas follows the replication factor so the topic stays writable") {
    CHECK(history_topic_request("h", {.replication_factor = 1}).configs.at("min.insync.replicas") == "1");
    CHECK(history_topic_request("h", {.replication_factor = 2}).configs.at("min.insync.replicas") == "1");
    CHECK(history_topic_request("h", {.replication_factor = 5}).configs.at("min.insync.replicas") == "2");
    CHECK(history_topic_request("h", {.replication_factor = 5, .min_insync_replicas = 3}).configs.at("min.insync.replicas") == "3");
  }
  SUBCASE("impossible settings are usage errors") {
    CHECK_THROWS_WITH_AS(history_topic_request("h", {.replication_factor = 3, .min_insync_replicas = 4}),
                         doctest::Contains("invalid --min-insync-replicas 4"), Error);
    CHECK_THROWS_AS(history_topic_request("h", {.replication_factor = 0}), Error);
    CHECK_THROWS_WITH_AS(history_topic_request("bad name", {}), doctest::Contains("invalid topic name 'bad name'"), Error);
    CHECK_THROWS_AS(history_topic_request("..", {}), Error);
    CHECK_THROWS_AS(history_topic_request(std::string(250, 'a'), {}), Error);
  }
}

TEST_CASE("DLQ and heartbeat requests: delete, 30 days and 1 hour unless told otherwise") {
  const auto dlq = dlq_topic_request("dlq-orders", {});
  CHECK(dlq.partitions == 1);
  CHECK(dlq.configs.at("cleanup.policy") == "delete");
  CHECK(dlq.configs.at("retention.ms") == "2592000000");
  const auto custom = dlq_topic_request("dlq-orders", {.partitions = 3, .retention = std::chrono::hours(24 * 14)});
  CHECK(custom.partitions == 3);
  CHECK(custom.configs.at("retention.ms") == "1209600000");

  const auto heartbeat = heartbeat_topic_request("__debezium-heartbeat.inventory", {});
  CHECK(heartbeat.partitions == 1);
  CHECK(heartbeat.configs.at("cleanup.policy") == "delete");
  CHECK(heartbeat.configs.at("retention.ms") == "3600000");
  CHECK_THROWS_AS(dlq_topic_request("d", {.partitions = 0}), Error);
}

TEST_CASE("create-history creates a missing topic, and never twice") {
  FakeAdmin admin;
  const auto request = history_topic_request("schema-history.inventory", {});

  SUBCASE("dry run: the request, nothing created") {
    const auto result = ensure_topic(admin, TopicRole::SchemaHistory, request, true);
    CHECK(result.action == EnsureAction::WouldCreate);
    CHECK(admin.created.empty());
    const auto json = to_json(result, admin.bootstrap_servers());
    CHECK(json["action"] == "would_create");
    CHECK(json["request"]["configs"]["retention.ms"] == "-1");
    CHECK(json["kafka_topics_command"].get<std::string>().find("--config cleanup.policy=delete") != std::string::npos);
  }
  SUBCASE("created, then found as required") {
    CHECK(ensure_topic(admin, TopicRole::SchemaHistory, request, false).action == EnsureAction::Created);
    REQUIRE(admin.created.size() == 1);
    CHECK(admin.created[0].configs == request.configs);
    const auto again = ensure_topic(admin, TopicRole::SchemaHistory, request, false);
    CHECK(again.action == EnsureAction::AsRequired);
    CHECK(again.deviations.empty());
    CHECK(admin.created.size() == 1);
  }
  SUBCASE("a replication factor above the broker count is refused before asking Kafka") {
    admin.brokers = 1;
    CHECK_THROWS_WITH_AS(ensure_topic(admin, TopicRole::SchemaHistory, request, false),
                         "replication factor 3 needs at least 3 brokers; Kafka at kafka:9092 has 1", Error);
    CHECK(admin.created.empty());
  }
}

TEST_CASE("create-history on an existing, wrongly made topic reports every deviation and changes nothing") {
  FakeAdmin admin;
  admin.add("schema-history.inventory", 3, 1, {{"cleanup.policy", "compact"}, {"retention.ms", "604800000"}});
  const auto result =
      ensure_topic(admin, TopicRole::SchemaHistory, history_topic_request("schema-history.inventory", {}), false);
  CHECK(result.action == EnsureAction::Deviates);
  CHECK(admin.created.empty());
  const auto& deviations = result.deviations;
  const auto policy = find(deviations, "schema-history.inventory", "cleanup.policy");
  REQUIRE(policy);
  CHECK(policy->status == CheckStatus::Critical);
  CHECK(policy->actual == "compact");
  CHECK(policy->fix ==
        "kafka-configs.sh --bootstrap-server kafka:9092 --alter --entity-type topics --entity-name "
        "schema-history.inventory --add-config cleanup.policy=delete");
  const auto retention = find(deviations, "schema-history.inventory", "retention.ms");
  REQUIRE(retention);
  CHECK(retention->status == CheckStatus::Critical);
  CHECK(retention->actual == "604800000 (7d)");
  CHECK(find(deviations, "schema-history.inventory", "partitions")->status == CheckStatus::Critical);
  CHECK(find(deviations, "schema-history.inventory", "replication.factor")->status == CheckStatus::Warning);
  CHECK_FALSE(find(deviations, "schema-history.inventory", "retention.bytes"));  // the default -1 is right
  CHECK(deviations.size() == 4);
  const auto json = to_json(result, admin.bootstrap_servers());
  CHECK(json["existing"]["configs"]["cleanup.policy"]["value"] == "compact");
  CHECK(json["existing"]["configs"]["retention.bytes"]["default"] == true);
  CHECK(json["deviations"].size() == 4);
}

TEST_CASE("an existing DLQ is checked against the retention asked for") {
  FakeAdmin admin;
  admin.add("dlq-orders", 1, 3, {{"retention.ms", "1209600000"}, {"min.insync.replicas", "2"}});
  const auto default_request = dlq_topic_request("dlq-orders", {});
  const auto result = ensure_topic(admin, TopicRole::DeadLetterQueue, default_request, false);
  CHECK(result.action == EnsureAction::Deviates);
  CHECK(find(result.deviations, "dlq-orders", "retention.ms")->status == CheckStatus::Warning);
  const auto asked = dlq_topic_request("dlq-orders", {.retention = std::chrono::hours(24 * 14)});
  CHECK(ensure_topic(admin, TopicRole::DeadLetterQueue, asked, false).action == EnsureAction::AsRequired);
  const auto wider = dlq_topic_request("dlq-orders", {.partitions = 3, .retention = std::chrono::hours(24 * 14)});
  const auto result_wider = ensure_topic(admin, TopicRole::DeadLetterQueue, wider, false);
  CHECK(result_wider.action == EnsureAction::Deviates);
  const auto partitions = find(result_wider.deviations, "dlq-orders", "partitions");
  REQUIRE(partitions);
  CHECK(partitions->actual == "1");
  CHECK(partitions->fix == "kafka-topics.sh --bootstrap-server kafka:9092 --alter --topic dlq-orders --partitions 3");
}

TEST_CASE("topic names are classified by connector configs, prefixes and names") {
  LintScope scope;
  scope.prefixes = {"inventory"};
  scope.named["schemahistory.inventory"] = TopicRole::SchemaHistory;
  CHECK(classify_topic("inventory.public.customers", scope) == TopicRole::CdcData);
  CHECK(classify_topic("inventory.transaction", scope) == TopicRole::TransactionMetadata);
  CHECK(classify_topic("inventory.public", scope) == TopicRole::Other);
  CHECK(classify_topic("inventory.a.b.c", scope) == TopicRole::Other);
  CHECK(classify_topic("other.public.customers", scope) == TopicRole::Other);
  CHECK(classify_topic("schemahistory.inventory", scope) == TopicRole::SchemaHistory);
  CHECK(classify_topic("__debezium-heartbeat.inventory", scope) == TopicRole::Heartbeat);
  CHECK(classify_topic("__consumer_offsets", scope) == TopicRole::Other);
  CHECK(classify_topic("connect-offsets", scope) == TopicRole::ConnectOffsets);
  CHECK(classify_topic("my_connect_configs", scope) == TopicRole::ConnectConfigs);
  CHECK(classify_topic("connect-cluster-status", scope) == TopicRole::ConnectStatus);
  CHECK(classify_topic("offsets", scope) == TopicRole::Other);
  CHECK(classify_topic("schema-changes.inventory", scope) == TopicRole::SchemaHistory);
  CHECK(classify_topic("dbhistory.fulfillment", scope) == TopicRole::SchemaHistory);
  CHECK(classify_topic("dlq-jdbc-sink", scope) == TopicRole::DeadLetterQueue);
  CHECK(classify_topic("orders.dead-letter", scope) == TopicRole::DeadLetterQueue);
  CHECK(classify_topic("handler.events", scope) == TopicRole::Other);  // "dlq" only as a whole word
}

TEST_CASE("a connector config names its prefix, history, DLQ and heartbeat topics") {
  const auto definitions = parse_connector_definitions(R"([
    {"name": "inventory-source", "config": {
      "connector.class": "io.debezium.connector.mysql.MySqlConnector", "topic.prefix": "inventory",
      "schema.history.internal.kafka.topic": "schemahistory.inventory", "heartbeat.interval.ms": "10000",
      "topic.heartbeat.prefix": "hb"}},
    {"name": "legacy", "config": {"connector.class": "io.debezium.connector.sqlserver.SqlServerConnector",
      "database.server.name": "erp", "database.history.kafka.topic": "erp-history"}},
    {"name": "sink", "config": {"connector.class": "io.debezium.connector.jdbc.JdbcSinkConnector",
      "errors.deadletterqueue.topic.name": "dlq-sink"}}
  ])", "connectors.json");
  LintScope scope;
  for (const auto& definition : definitions) add_connector_to_scope(scope, definition);
  CHECK(scope.prefixes == std::vector<std::string>{"inventory", "erp"});
  CHECK(scope.named.at("schemahistory.inventory") == TopicRole::SchemaHistory);
  CHECK(scope.named.at("erp-history") == TopicRole::SchemaHistory);
  CHECK(scope.named.at("dlq-sink") == TopicRole::DeadLetterQueue);
  CHECK(scope.named.at("hb.inventory") == TopicRole::Heartbeat);
  CHECK_FALSE(scope.named.contains("__debezium-heartbeat.erp"));  // no heartbeat.interval.ms
  CHECK(scope.named_by.at("dlq-sink") == "connector sink (connectors.json[2])");
  CHECK(classify_topic("hb.inventory", scope) == TopicRole::Heartbeat);
}

TEST_CASE("lint: every role's rules over a cluster") {
  FakeAdmin admin;
  // As required.
  admin.add("inventory.public.customers", 3, 3, {{"cleanup.policy", "compact"}, {"min.insync.replicas", "2"}});
  admin.add("schemahistory.inventory", 1, 3, history_configs());
  admin.add("connect-offsets", 25, 3, {{"cleanup.policy", "compact"}, {"min.insync.replicas", "2"}});
  // Wrong.
  admin.add("inventory.public.orders", 3, 3, {{"min.insync.replicas", "2"}});  // delete: WARN
  admin.add("connect-configs", 3, 3, {{"cleanup.policy", "compact,delete"}, {"min.insync.replicas", "2"}});
  admin.add("connect-status", 5, 2, {{"cleanup.policy", "compact"}, {"min.insync.replicas", "3"}});
  admin.add("__debezium-heartbeat.fulfillment", 1, 3, {{"retention.ms", "-1"}, {"min.insync.replicas", "2"}});
  admin.add("fulfillment.public.shipments", 1, 3, {{"cleanup.policy", "compact"}});  // min.insync 1 < 2
  admin.add("dlq-jdbc-sink", 1, 3, {{"cleanup.policy", "compact"}, {"min.insync.replicas", "2"},
                                    {"unclean.leader.election.enable", "true"}});
  admin.add("clickstream", 12, 1);  // not classified

  LintScope scope;
  scope.prefixes = {"inventory"};
  scope.named["schemahistory.erp"] = TopicRole::SchemaHistory;
  scope.named_by["schemahistory.erp"] = "connector erp (erp.json)";
  const auto report = lint_topics(admin, scope, {});
  const auto findings = all_findings(report);

  CHECK(report.unclassified == 1);
  CHECK(report.brokers == 3);
  REQUIRE(admin.described.size() == 1);  // one DescribeConfigs for all classified topics
  CHECK(admin.described[0].size() == 9);

  CHECK_FALSE(find(findings, "inventory.public.customers", "cleanup.policy"));
  CHECK_FALSE(find(findings, "schemahistory.inventory", "cleanup.policy"));
  CHECK(find(findings, "inventory.public.orders", "cleanup.policy")->status == CheckStatus::Warning);
  CHECK(find(findings, "connect-configs", "cleanup.policy")->status == CheckStatus::Critical);
  CHECK(find(findings, "connect-configs", "cleanup.policy")->fix.ends_with("--add-config cleanup.policy=compact"));
  CHECK(find(findings, "connect-configs", "partitions")->status == CheckStatus::Critical);
  CHECK_FALSE(find(findings, "connect-offsets", "partitions"));
  CHECK(find(findings, "connect-status", "replication.factor")->status == CheckStatus::Warning);
  const auto min_insync = find(findings, "connect-status", "min.insync.replicas");
  REQUIRE(min_insync);
  CHECK(min_insync->status == CheckStatus::Critical);
  CHECK(min_insync->fix.ends_with("--add-config min.insync.replicas=1"));
  // A heartbeat topic reveals its connector's prefix, so its data topics are checked too.
  CHECK(find(findings, "__debezium-heartbeat.fulfillment", "retention.ms")->actual == "-1 (forever)");
  CHECK(find(findings, "__debezium-heartbeat.fulfillment", "retention.ms")->fix.ends_with("retention.ms=3600000"));
  CHECK(find(findings, "fulfillment.public.shipments", "min.insync.replicas")->status == CheckStatus::Warning);
  CHECK(find(findings, "dlq-jdbc-sink", "cleanup.policy")->status == CheckStatus::Warning);
  CHECK(find(findings, "dlq-jdbc-sink", "unclean.leader.election.enable")->status == CheckStatus::Warning);
  CHECK(find(findings, "dlq-jdbc-sink", "retention.ms")->status == CheckStatus::Warning);  // 7 days < 30

  const auto missing = find(findings, "schemahistory.erp", "exists");
  REQUIRE(missing);
  CHECK(missing->status == CheckStatus::Warning);
  CHECK(missing->fix == "cdcctl topics create-history schemahistory.erp");

  CHECK(worst(report) == CheckStatus::Critical);
  const auto summary = lint_summary(report);
  CHECK(summary.starts_with("FAIL - 3 FAIL, "));
  CHECK(summary.find("10 topics checked on Kafka at kafka:9092 (3 brokers); 1 other topic not classified") !=
        std::string::npos);

  const auto json = to_json(report);
  CHECK(json["status"] == "FAIL");
  CHECK(json["exit_code"] == 2);
  CHECK(json["findings"].size() == findings.size());
  const auto& topics = json["topics"];
  const auto erp = std::find_if(topics.begin(), topics.end(), [](const auto& t) { return t["name"] == "schemahistory.erp"; });
  REQUIRE(erp != topics.end());
  CHECK((*erp)["exists"] == false);
  CHECK((*erp)["named_by"] == "connector erp (erp.json)");
}

TEST_CASE("lint: a one-broker development cluster passes with --replication-factor 1") {
  FakeAdmin admin;
  admin.brokers = 1;
  admin.add("dev.public.customers", 1, 1, {{"cleanup.policy", "compact"}});
  admin.add("connect-offsets", 25, 1, {{"cleanup.policy", "compact"}});
  LintScope scope;
  scope.prefixes = {"dev"};
  CHECK(worst(lint_topics(admin, scope, {})) == CheckStatus::Warning);  // RF 1 < 3
  const auto relaxed = lint_topics(admin, scope, {.replication_factor = 1, .min_insync_replicas = 1});
  CHECK(worst(relaxed) == CheckStatus::Ok);
  CHECK(lint_summary(relaxed).starts_with("OK - all as required, 2 topics checked"));
}

TEST_CASE("lint propagates a broker without DescribeConfigs") {
  FakeAdmin admin;
  admin.describe_supported = false;
  admin.add("connect-offsets", 25, 3);
  CHECK_THROWS_WITH_AS(lint_topics(admin, {}, {}), "Kafka at kafka:9092: broker does not support DescribeConfigs", Error);
}

TEST_CASE("kafka-configs commands bracket list values") {
  CHECK(kafka_configs_command("k:9092", "t", "cleanup.policy", "compact,delete") ==
        "kafka-configs.sh --bootstrap-server k:9092 --alter --entity-type topics --entity-name t --add-config "
        "cleanup.policy=[compact,delete]");
}

TEST_CASE("a broker's API support is read from librdkafka's feature lines") {
  const std::vector<std::string> mock{
      "127.0.0.1:46601/bootstrap: Broker API support:",
      "127.0.0.1:46601/bootstrap:   ApiKey Produce (0) Versions 0..7",
      "127.0.0.1:46601/bootstrap:   ApiKey Metadata (3) Versions 0..2",
      "127.0.0.1:46601/bootstrap:   ApiKey TxnOffsetCommit (28) Versions 0..2",
      "127.0.0.1:46601/bootstrap:  Feature MsgVer1: Produce (2..2) supported by broker"};
  const auto support = kafka::parse_api_support(mock);
  REQUIRE(support);
  CHECK(*support == std::set<int>{0, 3, 28});
  CHECK_FALSE(support->contains(static_cast<int>(kafka::ApiKey::CreateTopics)));
  auto real = mock;
  real.push_back("kafka:9092/1:   ApiKey CreateTopics (19) Versions 0..7");
  real.push_back("kafka:9092/1:   ApiKey DescribeConfigs (32) Versions 0..4");
  CHECK(kafka::parse_api_support(real)->contains(32));
  CHECK_FALSE(kafka::parse_api_support({"Enabling feature MsgVer2"}));  // unknown: the call is tried
}

TEST_CASE("kafka-topics command for a request") {
  const auto command = kafka::kafka_topics_create_command("k:9092", heartbeat_topic_request("hb.x", {.replication_factor = 1}));
  CHECK(command ==
        "kafka-topics.sh --bootstrap-server k:9092 --create --topic hb.x --partitions 1 --replication-factor 1 "
        "--config cleanup.policy=delete --config min.insync.replicas=1 --config retention.ms=3600000");
}
