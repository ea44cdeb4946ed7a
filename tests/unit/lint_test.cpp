#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <initializer_list>
#include <optional>
#include <sstream>
#include <utility>

#include <nlohmann/json.hpp>

#include "connect/lint.hpp"

using namespace cdcctl::connect;

namespace {

using Config = std::map<std::string, std::string>;

Config with(Config config, std::initializer_list<std::pair<const std::string, std::string>> changes) {
  for (const auto& [key, value] : changes) config[key] = value;
  return config;
}

Config without(Config config, std::initializer_list<std::string> keys) {
  for (const auto& key : keys) config.erase(key);
  return config;
}

std::string describe(const std::vector<LintFinding>& findings) {
  std::string out;
  for (const auto& finding : findings) {
    out += std::string(severity_name(finding.severity)) + " " + finding.rule + " [" + finding.key + "] " +
           finding.message + "\n";
  }
  return out;
}

// Asserts that `config` yields exactly one finding of `rule`, with the given
// severity and key, and returns it for further checks.
LintFinding expect_finding(const Config& config, std::string_view rule, LintSeverity severity, std::string_view key) {
  auto findings = lint_connector_config(config);
  INFO(describe(findings));
  auto count = std::count_if(findings.begin(), findings.end(), [&](const auto& f) { return f.rule == rule; });
  CHECK(count == 1);
  auto found = std::find_if(findings.begin(), findings.end(), [&](const auto& f) { return f.rule == rule; });
  REQUIRE(found != findings.end());
  CHECK(found->severity == severity);
  CHECK(found->key == key);
  CHECK_FALSE(found->message.empty());
  return *found;
}

void expect_no_finding(const Config& config, std::string_view rule) {
  auto findings = lint_connector_config(config);
  INFO(describe(findings));
  CHECK(std::none_of(findings.begin(), findings.end(), [&](const auto& f) { return f.rule == rule; }));
}

void expect_clean(const Config& config) {
  auto findings = lint_connector_config(config);
  INFO(describe(findings));
  CHECK(findings.empty());
}

// Configs that pass every rule; each test breaks one thing.
Config postgres() {
  return {{"name", "pg"},
          {"connector.class", "io.debezium.connector.postgresql.PostgresConnector"},
          {"tasks.max", "1"},
          {"database.hostname", "db"},
          {"database.dbname", "shop"},
          {"database.user", "debezium"},
          {"plugin.name", "pgoutput"},
          {"slot.name", "shop_slot"},
          {"publication.autocreate.mode", "filtered"},
          {"topic.prefix", "shop"},
          {"heartbeat.interval.ms", "10000"}};
}

Config historized(std::string connector_class, std::string topic) {
  return {{"name", "src"},
          {"connector.class", std::move(connector_class)},
          {"tasks.max", "1"},
          {"database.hostname", "db"},
          {"topic.prefix", "shop"},
          {"schema.history.internal.kafka.bootstrap.servers", "kafka:9092"},
          {"schema.history.internal.kafka.topic", std::move(topic)}};
}

Config mysql() {
  return with(historized("io.debezium.connector.mysql.MySqlConnector", "history.mysql"),
              {{"database.server.id", "184054"}});
}

Config sqlserver() {
  return with(historized("io.debezium.connector.sqlserver.SqlServerConnector", "history.mssql"),
              {{"database.names", "shop"}});
}

Config oracle() { return historized("io.debezium.connector.oracle.OracleConnector", "history.oracle"); }

Config db2() { return historized("io.debezium.connector.db2.Db2Connector", "history.db2"); }

Config mongodb() {
  return {{"name", "mongo"},
          {"connector.class", "io.debezium.connector.mongodb.MongoDbConnector"},
          {"tasks.max", "1"},
          {"mongodb.connection.string", "mongodb://mongo:27017/?replicaSet=rs0"},
          {"topic.prefix", "shop"}};
}

Config debezium_jdbc_sink() {
  return {{"name", "sink"},
          {"connector.class", "io.debezium.connector.jdbc.JdbcSinkConnector"},
          {"tasks.max", "2"},
          {"topics", "shop.public.orders,shop.public.customers"},
          {"connection.url", "jdbc:postgresql://db/replica"},
          {"insert.mode", "upsert"},
          {"primary.key.mode", "record_key"},
          {"delete.enabled", "true"}};
}

Config confluent_jdbc_sink() {
  return {{"name", "sink"},
          {"connector.class", "io.confluent.connect.jdbc.JdbcSinkConnector"},
          {"topics", "orders"},
          {"connection.url", "jdbc:postgresql://db/replica"},
          {"insert.mode", "upsert"},
          {"pk.mode", "record_key"},
          {"delete.enabled", "true"}};
}

Config sink_with_dlq() {
  return with(debezium_jdbc_sink(), {{"errors.tolerance", "all"},
                                     {"errors.deadletterqueue.topic.name", "dlq.sink"},
                                     {"errors.deadletterqueue.context.headers.enable", "true"}});
}

}  // namespace

TEST_CASE("lint: the reference configs are clean") {
  for (const auto& config : {postgres(), mysql(), sqlserver(), oracle(), db2(), mongodb(), debezium_jdbc_sink(),
                             confluent_jdbc_sink(), sink_with_dlq()}) {
    CAPTURE(config.at("connector.class"));
    expect_clean(config);
  }
}

TEST_CASE("lint: severity names") {
  CHECK(severity_name(LintSeverity::Error) == "error");
  CHECK(severity_name(LintSeverity::Warning) == "warning");
}

TEST_CASE("lint: postgres-plugin-name") {
  auto missing = expect_finding(without(postgres(), {"plugin.name"}), "postgres-plugin-name", LintSeverity::Error,
                                "plugin.name");
  CHECK(missing.message.find("decoderbufs") != std::string::npos);
  CHECK(missing.message.find("pgoutput") != std::string::npos);
  expect_finding(with(postgres(), {{"plugin.name", "wal2json"}}), "postgres-plugin-name", LintSeverity::Error,
                 "plugin.name");
  expect_finding(with(postgres(), {{"plugin.name", "decoderbufs"}}), "postgres-plugin-name", LintSeverity::Warning,
                 "plugin.name");
  expect_no_finding(postgres(), "postgres-plugin-name");
  expect_no_finding(with(postgres(), {{"plugin.name", "PGOUTPUT"}}), "postgres-plugin-name");
}

TEST_CASE("lint: postgres-slot-name") {
  auto upper = expect_finding(with(postgres(), {{"slot.name", "Shop-Slot"}}), "postgres-slot-name",
                              LintSeverity::Error, "slot.name");
  CHECK(upper.message.find("'shop_slot'") != std::string::npos);  // suggests a valid name
  expect_finding(with(postgres(), {{"slot.name", std::string(64, 'a')}}), "postgres-slot-name", LintSeverity::Error,
                 "slot.name");
  expect_no_finding(with(postgres(), {{"slot.name", std::string(63, 'a')}}), "postgres-slot-name");
  expect_no_finding(with(postgres(), {{"slot.name", "orders_2024"}}), "postgres-slot-name");
}

TEST_CASE("lint: postgres-default-slot") {
  expect_finding(without(postgres(), {"slot.name"}), "postgres-default-slot", LintSeverity::Warning, "slot.name");
  expect_no_finding(postgres(), "postgres-default-slot");
}

TEST_CASE("lint: postgres-publication-all-tables") {
  expect_finding(without(postgres(), {"publication.autocreate.mode"}), "postgres-publication-all-tables",
                 LintSeverity::Warning, "publication.autocreate.mode");
  expect_finding(with(postgres(), {{"publication.autocreate.mode", "all_tables"}}), "postgres-publication-all-tables",
                 LintSeverity::Warning, "publication.autocreate.mode");
  expect_no_finding(postgres(), "postgres-publication-all-tables");
  expect_no_finding(with(postgres(), {{"publication.autocreate.mode", "disabled"}}),
                    "postgres-publication-all-tables");
}

TEST_CASE("lint: postgres-heartbeat") {
  expect_finding(without(postgres(), {"heartbeat.interval.ms"}), "postgres-heartbeat", LintSeverity::Warning,
                 "heartbeat.interval.ms");
  expect_finding(with(postgres(), {{"heartbeat.interval.ms", "0"}}), "postgres-heartbeat", LintSeverity::Warning,
                 "heartbeat.interval.ms");
  expect_no_finding(postgres(), "postgres-heartbeat");
}

TEST_CASE("lint: single-task-connector") {
  SUBCASE("connectors that refuse a second task") {
    const auto mariadb = with(mysql(), {{"connector.class", "io.debezium.connector.mariadb.MariaDbConnector"}});
    for (const auto& config : {mysql(), oracle(), db2(), mariadb}) {
      CAPTURE(config.at("connector.class"));
      expect_finding(with(config, {{"tasks.max", "2"}}), "single-task-connector", LintSeverity::Error, "tasks.max");
      expect_no_finding(config, "single-task-connector");
    }
  }
  SUBCASE("connectors that ignore tasks.max") {
    for (const auto& config : {postgres(), mongodb()}) {
      CAPTURE(config.at("connector.class"));
      expect_finding(with(config, {{"tasks.max", "4"}}), "single-task-connector", LintSeverity::Warning, "tasks.max");
      expect_no_finding(config, "single-task-connector");
    }
  }
  SUBCASE("sinks may run many tasks") {
    expect_no_finding(with(debezium_jdbc_sink(), {{"tasks.max", "8"}}), "single-task-connector");
  }
}

TEST_CASE("lint: sqlserver-tasks-max") {
  expect_finding(with(without(sqlserver(), {"database.names"}), {{"tasks.max", "2"}}), "sqlserver-tasks-max",
                 LintSeverity::Error, "tasks.max");
  auto too_many = expect_finding(with(sqlserver(), {{"tasks.max", "3"}, {"database.names", "a, b"}}),
                                 "sqlserver-tasks-max", LintSeverity::Warning, "tasks.max");
  CHECK(too_many.message.find("tasks.max=2") != std::string::npos);
  expect_no_finding(with(sqlserver(), {{"tasks.max", "2"}, {"database.names", "a,b"}}), "sqlserver-tasks-max");
  expect_no_finding(sqlserver(), "sqlserver-tasks-max");
}

TEST_CASE("lint: sqlserver-database-names") {
  auto legacy = expect_finding(with(without(sqlserver(), {"database.names"}), {{"database.dbname", "shop"}}),
                               "sqlserver-database-names", LintSeverity::Error, "database.names");
  CHECK(legacy.message.find("database.dbname") != std::string::npos);
  expect_no_finding(sqlserver(), "sqlserver-database-names");
}

TEST_CASE("lint: mysql-server-id") {
  expect_finding(without(mysql(), {"database.server.id"}), "mysql-server-id", LintSeverity::Error,
                 "database.server.id");
  expect_finding(with(mysql(), {{"database.server.id", "0"}}), "mysql-server-id", LintSeverity::Error,
                 "database.server.id");
  expect_finding(with(mysql(), {{"database.server.id", "abc"}}), "mysql-server-id", LintSeverity::Error,
                 "database.server.id");
  expect_no_finding(mysql(), "mysql-server-id");
  expect_no_finding(postgres(), "mysql-server-id");
}

TEST_CASE("lint: topic-prefix-missing") {
  for (const auto& config : {postgres(), mysql(), sqlserver(), oracle(), db2(), mongodb()}) {
    CAPTURE(config.at("connector.class"));
    expect_finding(without(config, {"topic.prefix"}), "topic-prefix-missing", LintSeverity::Error, "topic.prefix");
    expect_no_finding(config, "topic-prefix-missing");
  }
  auto renamed = expect_finding(with(without(postgres(), {"topic.prefix"}), {{"database.server.name", "shop"}}),
                                "topic-prefix-missing", LintSeverity::Error, "topic.prefix");
  CHECK(renamed.message.find("database.server.name") != std::string::npos);
  expect_no_finding(debezium_jdbc_sink(), "topic-prefix-missing");
}

TEST_CASE("lint: topic-prefix-invalid") {
  expect_finding(with(postgres(), {{"topic.prefix", "shop/eu"}}), "topic-prefix-invalid", LintSeverity::Error,
                 "topic.prefix");
  expect_no_finding(with(postgres(), {{"topic.prefix", "shop.eu-1_a"}}), "topic-prefix-invalid");
}

TEST_CASE("lint: schema-history-topic and schema-history-bootstrap-servers") {
  for (const auto& config : {mysql(), sqlserver(), oracle(), db2()}) {
    CAPTURE(config.at("connector.class"));
    expect_finding(without(config, {"schema.history.internal.kafka.topic"}), "schema-history-topic",
                   LintSeverity::Error, "schema.history.internal.kafka.topic");
    expect_finding(without(config, {"schema.history.internal.kafka.bootstrap.servers"}),
                   "schema-history-bootstrap-servers", LintSeverity::Error,
                   "schema.history.internal.kafka.bootstrap.servers");
    expect_no_finding(config, "schema-history-topic");
    expect_no_finding(config, "schema-history-bootstrap-servers");
  }
  SUBCASE("the 1.x key name is named in the error") {
    auto legacy = expect_finding(with(without(mysql(), {"schema.history.internal.kafka.topic"}),
                                      {{"database.history.kafka.topic", "history.mysql"}}),
                                 "schema-history-topic", LintSeverity::Error, "schema.history.internal.kafka.topic");
    CHECK(legacy.message.find("database.history.kafka.topic") != std::string::npos);
  }
  SUBCASE("PostgreSQL and MongoDB keep no schema history") {
    expect_no_finding(postgres(), "schema-history-topic");
    expect_no_finding(mongodb(), "schema-history-topic");
  }
  SUBCASE("another history store has its own keys") {
    auto file_history = with(without(mysql(), {"schema.history.internal.kafka.topic",
                                               "schema.history.internal.kafka.bootstrap.servers"}),
                             {{"schema.history.internal", "io.debezium.storage.file.history.FileSchemaHistory"},
                              {"schema.history.internal.file.filename", "/var/lib/connect/history.dat"}});
    expect_clean(file_history);
  }
}

TEST_CASE("lint: legacy-key-name") {
  auto leftover = expect_finding(with(mysql(), {{"database.history.kafka.topic", "old"}}), "legacy-key-name",
                                 LintSeverity::Warning, "database.history.kafka.topic");
  CHECK(leftover.message.find("remove") != std::string::npos);
  const std::string old_producer_key = "database.history.producer.security.protocol";
  auto renamed = expect_finding(with(mysql(), {{old_producer_key, "SSL"}}), "legacy-key-name", LintSeverity::Warning,
                                old_producer_key);
  CHECK(renamed.message.find("schema.history.internal.producer.security.protocol") != std::string::npos);
  auto history_class = expect_finding(
      with(mysql(), {{"database.history", "io.debezium.relational.history.KafkaDatabaseHistory"}}), "legacy-key-name",
      LintSeverity::Warning, "database.history");
  CHECK(history_class.message.find("io.debezium.storage.kafka.history.KafkaSchemaHistory") != std::string::npos);
  expect_finding(with(postgres(), {{"database.server.name", "shop"}}), "legacy-key-name", LintSeverity::Warning,
                 "database.server.name");
  // Reported once, as the missing key, when the new name is absent.
  expect_no_finding(with(without(postgres(), {"topic.prefix"}), {{"database.server.name", "shop"}}),
                    "legacy-key-name");
  expect_no_finding(mysql(), "legacy-key-name");
}

TEST_CASE("lint: snapshot-mode-removed") {
  for (const auto& config : {postgres(), mongodb(), mysql(), sqlserver(), oracle()}) {
    CAPTURE(config.at("connector.class"));
    auto never = expect_finding(with(config, {{"snapshot.mode", "never"}}), "snapshot-mode-removed",
                                LintSeverity::Error, "snapshot.mode");
    CHECK(never.message.find("no_data") != std::string::npos);
    expect_no_finding(with(config, {{"snapshot.mode", "no_data"}}), "snapshot-mode-removed");
    expect_no_finding(with(config, {{"snapshot.mode", "initial"}}), "snapshot-mode-removed");
  }
  expect_finding(with(mysql(), {{"snapshot.mode", "SCHEMA_ONLY"}}), "snapshot-mode-removed", LintSeverity::Error,
                 "snapshot.mode");
  auto recovery = expect_finding(with(oracle(), {{"snapshot.mode", "schema_only_recovery"}}), "snapshot-mode-removed",
                                 LintSeverity::Error, "snapshot.mode");
  CHECK(recovery.message.find("snapshot.mode=recovery") != std::string::npos);
  expect_no_finding(with(oracle(), {{"snapshot.mode", "recovery"}}), "snapshot-mode-removed");
  // Db2 still accepts schema_only.
  expect_no_finding(with(db2(), {{"snapshot.mode", "schema_only"}}), "snapshot-mode-removed");
}

TEST_CASE("lint: errors-tolerance-value") {
  expect_finding(with(postgres(), {{"errors.tolerance", "ALL"}}), "errors-tolerance-value", LintSeverity::Error,
                 "errors.tolerance");
  expect_finding(with(sink_with_dlq(), {{"errors.tolerance", "skip"}}), "errors-tolerance-value", LintSeverity::Error,
                 "errors.tolerance");
  expect_no_finding(with(postgres(), {{"errors.tolerance", "none"}}), "errors-tolerance-value");
  expect_no_finding(sink_with_dlq(), "errors-tolerance-value");
}

TEST_CASE("lint: sink-tolerance-without-dlq") {
  auto dropped = expect_finding(with(debezium_jdbc_sink(), {{"errors.tolerance", "all"}}), "sink-tolerance-without-dlq",
                                LintSeverity::Warning, "errors.tolerance");
  CHECK(dropped.message.find("errors.deadletterqueue.topic.name") != std::string::npos);
  expect_no_finding(sink_with_dlq(), "sink-tolerance-without-dlq");
  // A source has no DLQ to offer; tolerating errors there is not this rule's concern.
  expect_no_finding(with(postgres(), {{"errors.tolerance", "all"}}), "sink-tolerance-without-dlq");
}

TEST_CASE("lint: dlq-on-source") {
  expect_finding(with(postgres(), {{"errors.deadletterqueue.topic.name", "dlq.pg"}}), "dlq-on-source",
                 LintSeverity::Error, "errors.deadletterqueue.topic.name");
  auto unknown_source = Config{{"connector.class", "com.example.FancySourceConnector"},
                               {"errors.deadletterqueue.topic.name", "dlq"}};
  expect_finding(unknown_source, "dlq-on-source", LintSeverity::Error, "errors.deadletterqueue.topic.name");
  expect_no_finding(sink_with_dlq(), "dlq-on-source");
  // An unknown connector with topics is a sink.
  expect_no_finding(with(unknown_source, {{"topics", "a"}}), "dlq-on-source");
  expect_no_finding(Config{{"connector.class", "com.example.BlobSinkConnector"}, {"topics", "a"},
                           {"errors.deadletterqueue.topic.name", "dlq"}},
                    "dlq-on-source");
}

TEST_CASE("lint: dlq-in-topics") {
  expect_finding(with(sink_with_dlq(), {{"topics", "shop.public.orders, dlq.sink"}}), "dlq-in-topics",
                 LintSeverity::Error, "errors.deadletterqueue.topic.name");
  expect_finding(with(without(sink_with_dlq(), {"topics"}), {{"topics.regex", "dlq\\..*"}}), "dlq-in-topics",
                 LintSeverity::Error, "errors.deadletterqueue.topic.name");
  expect_no_finding(with(without(sink_with_dlq(), {"topics"}), {{"topics.regex", "shop\\.public\\..*"}}),
                    "dlq-in-topics");
  expect_finding(with(without(sink_with_dlq(), {"topics"}), {{"topics.regex", "shop[.].*|dlq[.]sink"}}),
                 "dlq-in-topics", LintSeverity::Error, "errors.deadletterqueue.topic.name");
  expect_no_finding(sink_with_dlq(), "dlq-in-topics");
  // The whole topic name must match, as with Java's Pattern.matches().
  expect_no_finding(with(without(sink_with_dlq(), {"topics"}), {{"topics.regex", "dlq"}}), "dlq-in-topics");
  // Java-only syntax is left for Connect to judge rather than guessed at.
  expect_no_finding(with(without(sink_with_dlq(), {"topics"}), {{"topics.regex", "\\w+\\.sink"}}), "dlq-in-topics");
  expect_no_finding(with(without(sink_with_dlq(), {"topics"}), {{"topics.regex", "dlq(?=\\.).*"}}), "dlq-in-topics");
}

TEST_CASE("lint: dlq-without-tolerance") {
  expect_finding(without(sink_with_dlq(), {"errors.tolerance"}), "dlq-without-tolerance", LintSeverity::Warning,
                 "errors.tolerance");
  expect_finding(with(sink_with_dlq(), {{"errors.tolerance", "none"}}), "dlq-without-tolerance", LintSeverity::Warning,
                 "errors.tolerance");
  expect_no_finding(sink_with_dlq(), "dlq-without-tolerance");
}

TEST_CASE("lint: dlq-context-headers") {
  expect_finding(without(sink_with_dlq(), {"errors.deadletterqueue.context.headers.enable"}), "dlq-context-headers",
                 LintSeverity::Warning, "errors.deadletterqueue.context.headers.enable");
  expect_finding(with(sink_with_dlq(), {{"errors.deadletterqueue.context.headers.enable", "false"}}),
                 "dlq-context-headers", LintSeverity::Warning, "errors.deadletterqueue.context.headers.enable");
  expect_no_finding(sink_with_dlq(), "dlq-context-headers");
  expect_no_finding(debezium_jdbc_sink(), "dlq-context-headers");  // no DLQ, nothing to annotate
}

TEST_CASE("lint: sink-topics-conflict and sink-topics-missing") {
  expect_finding(with(debezium_jdbc_sink(), {{"topics.regex", "shop\\..*"}}), "sink-topics-conflict",
                 LintSeverity::Error, "topics.regex");
  expect_finding(without(debezium_jdbc_sink(), {"topics"}), "sink-topics-missing", LintSeverity::Error, "topics");
  expect_no_finding(with(without(debezium_jdbc_sink(), {"topics"}), {{"topics.regex", "shop\\..*"}}),
                    "sink-topics-missing");
  expect_no_finding(debezium_jdbc_sink(), "sink-topics-conflict");
}

TEST_CASE("lint: tasks-max-invalid") {
  expect_finding(with(postgres(), {{"tasks.max", "0"}}), "tasks-max-invalid", LintSeverity::Error, "tasks.max");
  expect_finding(with(debezium_jdbc_sink(), {{"tasks.max", "two"}}), "tasks-max-invalid", LintSeverity::Error,
                 "tasks.max");
  expect_no_finding(with(debezium_jdbc_sink(), {{"tasks.max", " 3 "}}), "tasks-max-invalid");
  expect_no_finding(without(postgres(), {"tasks.max"}), "tasks-max-invalid");  // Connect defaults to 1
}

TEST_CASE("lint: connector-class-missing") {
  expect_finding(without(postgres(), {"connector.class"}), "connector-class-missing", LintSeverity::Error,
                 "connector.class");
  expect_no_finding(postgres(), "connector-class-missing");
}

TEST_CASE("lint: jdbc-sink-upsert-without-key") {
  expect_finding(without(debezium_jdbc_sink(), {"primary.key.mode", "delete.enabled"}), "jdbc-sink-upsert-without-key",
                 LintSeverity::Error, "primary.key.mode");
  expect_finding(with(debezium_jdbc_sink(), {{"primary.key.mode", "none"}, {"delete.enabled", "false"}}),
                 "jdbc-sink-upsert-without-key", LintSeverity::Error, "primary.key.mode");
  expect_finding(without(confluent_jdbc_sink(), {"pk.mode", "delete.enabled"}), "jdbc-sink-upsert-without-key",
                 LintSeverity::Error, "pk.mode");
  expect_no_finding(debezium_jdbc_sink(), "jdbc-sink-upsert-without-key");
  expect_no_finding(with(debezium_jdbc_sink(), {{"primary.key.mode", "kafka"}, {"delete.enabled", "false"}}),
                    "jdbc-sink-upsert-without-key");
  expect_no_finding(with(without(debezium_jdbc_sink(), {"primary.key.mode", "delete.enabled"}),
                         {{"insert.mode", "insert"}}),
                    "jdbc-sink-upsert-without-key");
  expect_no_finding(confluent_jdbc_sink(), "jdbc-sink-upsert-without-key");
}

TEST_CASE("lint: jdbc-sink-delete-without-key") {
  expect_finding(with(debezium_jdbc_sink(), {{"primary.key.mode", "kafka"}}), "jdbc-sink-delete-without-key",
                 LintSeverity::Error, "primary.key.mode");
  expect_finding(with(debezium_jdbc_sink(), {{"insert.mode", "insert"}, {"primary.key.mode", "none"}}),
                 "jdbc-sink-delete-without-key", LintSeverity::Error, "primary.key.mode");
  expect_finding(with(debezium_jdbc_sink(), {{"primary.key.mode", "record_value"}}), "jdbc-sink-delete-without-key",
                 LintSeverity::Warning, "primary.key.mode");
  expect_finding(with(confluent_jdbc_sink(), {{"pk.mode", "record_value"}}), "jdbc-sink-delete-without-key",
                 LintSeverity::Error, "pk.mode");
  expect_no_finding(debezium_jdbc_sink(), "jdbc-sink-delete-without-key");
  expect_no_finding(confluent_jdbc_sink(), "jdbc-sink-delete-without-key");
  expect_no_finding(with(debezium_jdbc_sink(), {{"delete.enabled", "false"}, {"primary.key.mode", "kafka"}}),
                    "jdbc-sink-delete-without-key");
}

TEST_CASE("lint: connector classes are recognised by alias") {
  for (const std::string alias : {"PostgresConnector", "Postgres"}) {
    CAPTURE(alias);
    expect_finding(with(without(postgres(), {"plugin.name"}), {{"connector.class", alias}}), "postgres-plugin-name",
                   LintSeverity::Error, "plugin.name");
  }
  expect_finding(with(mysql(), {{"connector.class", "MySqlConnector"}, {"tasks.max", "2"}}), "single-task-connector",
                 LintSeverity::Error, "tasks.max");
  SUBCASE("JdbcSinkConnector names two plugins; their keys tell them apart") {
    expect_finding(with(confluent_jdbc_sink(), {{"connector.class", "JdbcSinkConnector"}, {"pk.mode", "kafka"}}),
                   "jdbc-sink-delete-without-key", LintSeverity::Error, "pk.mode");
    expect_finding(with(debezium_jdbc_sink(), {{"connector.class", "JdbcSink"}, {"primary.key.mode", "kafka"}}),
                   "jdbc-sink-delete-without-key", LintSeverity::Error, "primary.key.mode");
  }
  SUBCASE("unknown connectors get only the generic rules") {
    expect_clean(Config{{"connector.class", "org.apache.kafka.connect.file.FileStreamSourceConnector"},
                        {"file", "/tmp/in.txt"},
                        {"topic", "lines"},
                        {"snapshot.mode", "never"}});
  }
}

TEST_CASE("lint: config-provider placeholders are not judged") {
  const std::string secret = "${file:/etc/kafka-connect/secrets.properties:value}";
  expect_clean(with(postgres(), {{"slot.name", secret}, {"tasks.max", secret}, {"topic.prefix", secret},
                                 {"heartbeat.interval.ms", secret}, {"plugin.name", "pgoutput"}}));
  expect_clean(with(mysql(), {{"database.server.id", secret}}));
  expect_clean(with(sink_with_dlq(), {{"errors.tolerance", secret}, {"primary.key.mode", secret}}));
}

TEST_CASE("lint: errors come before warnings and every message is one finished sentence") {
  auto findings = lint_connector_config({{"connector.class", "io.debezium.connector.postgresql.PostgresConnector"},
                                         {"tasks.max", "3"},
                                         {"snapshot.mode", "never"},
                                         {"errors.deadletterqueue.topic.name", "dlq"}});
  INFO(describe(findings));
  REQUIRE(findings.size() >= 5);
  auto first_warning = std::find_if(findings.begin(), findings.end(),
                                    [](const auto& f) { return f.severity == LintSeverity::Warning; });
  CHECK(std::all_of(first_warning, findings.end(), [](const auto& f) { return f.severity == LintSeverity::Warning; }));
  for (const auto& finding : findings) {
    CAPTURE(finding.rule);
    CHECK(finding.rule.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos);
    REQUIRE_FALSE(finding.message.empty());
    CHECK(finding.message.back() == '.');
    CHECK(finding.message.find('\n') == std::string::npos);
  }
}

TEST_CASE("lint: the example connector configs parse and pass") {
  for (const std::string example : {"postgres", "sqlserver", "mysql", "oracle", "mongodb", "jdbc-sink"}) {
    CAPTURE(example);
    const std::string path = CDCCTL_SOURCE_DIR "/examples/connectors/" + example + ".json";
    std::ifstream file(path);
    REQUIRE_MESSAGE(file.good(), "cannot open " << path);
    std::stringstream text;
    text << file.rdbuf();

    nlohmann::json document;
    REQUIRE_NOTHROW(document = nlohmann::json::parse(text.str(), nullptr, true, /*ignore_comments=*/true));
    REQUIRE(document.is_object());
    REQUIRE(document.contains("name"));
    CHECK(document["name"].is_string());
    REQUIRE(document.contains("config"));
    REQUIRE(document["config"].is_object());

    Config config;
    for (const auto& [key, value] : document["config"].items()) {
      CAPTURE(key);
      CHECK(value.is_string());
      if (value.is_string()) config[key] = value.get<std::string>();
    }
    // Credentials come from config providers, never literals.
    for (const auto& [key, value] : config) {
      std::string lower_key = key;
      std::transform(lower_key.begin(), lower_key.end(), lower_key.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (lower_key.find("password") != std::string::npos) {
        CAPTURE(key);
        CHECK(value.starts_with("${file:"));
      }
    }

    auto findings = lint_connector_config(config);
    INFO(describe(findings));
    CHECK(std::none_of(findings.begin(), findings.end(),
                       [](const auto& f) { return f.severity == LintSeverity::Error; }));
    CHECK(findings.empty());  // the templates avoid warnings too
  }
}
