#include "core/text.hpp"
#include "connect/lint.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <optional>

#include <regex.h>

// Where each rule's facts come from (versions matter: Debezium renamed many
// keys in 2.0 and dropped old snapshot modes in 3.3/3.6):
// - Kafka Connect: ConnectorConfig (tasks.max >= 1, errors.tolerance in
//   {none, all}, case-sensitive) and SinkConnectorConfig.validate (topics vs
//   topics.regex, DLQ topic not consumed by the sink; the DLQ keys exist only
//   for sinks).
// - Debezium: each connector's taskConfigs() (which refuse tasks.max > 1 and
//   which silently run one task), CommonConnectorConfig (topic.prefix required,
//   [A-Za-z0-9._-]), HistorizedRelationalDatabaseConnectorConfig and
//   KafkaSchemaHistory (history topic and bootstrap servers required with the
//   default Kafka history), PostgresConnectorConfig (plugin.name default
//   decoderbufs, wal2json removed in 2.0, slot name [a-z0-9_]{1,63},
//   publication.autocreate.mode default all_tables), the snapshot-mode enums
//   (DBZ-8171, debezium/dbz#1832) and JdbcSinkConnectorConfig
//   (validateInsertMode, validateDeleteEnabled).
// - Confluent JDBC sink: delete.enabled needs pk.mode=record_key; upsert
//   needs key columns.

namespace cdcctl::connect {

namespace {

using Config = std::map<std::string, std::string>;

enum class Family {
  Unknown,
  Postgres,
  SqlServer,
  MySql,
  MariaDb,
  Oracle,
  Db2,
  MongoDb,
  DebeziumJdbcSink,
  ConfluentJdbcSink,
  JdbcSinkOfUnknownVendor,  // the alias "JdbcSinkConnector" with no vendor-specific keys
  ConfluentJdbcSource,
  MongoDbSink,
};

struct KnownClass {
  std::string_view name;
  Family family;
};

constexpr std::array known_classes{
    KnownClass{"io.debezium.connector.postgresql.PostgresConnector", Family::Postgres},
    KnownClass{"io.debezium.connector.sqlserver.SqlServerConnector", Family::SqlServer},
    KnownClass{"io.debezium.connector.mysql.MySqlConnector", Family::MySql},
    KnownClass{"io.debezium.connector.mariadb.MariaDbConnector", Family::MariaDb},
    KnownClass{"io.debezium.connector.oracle.OracleConnector", Family::Oracle},
    KnownClass{"io.debezium.connector.db2.Db2Connector", Family::Db2},
    KnownClass{"io.debezium.connector.mongodb.MongoDbConnector", Family::MongoDb},
    KnownClass{"io.debezium.connector.mongodb.MongoDbSinkConnector", Family::MongoDbSink},
    KnownClass{"io.debezium.connector.jdbc.JdbcSinkConnector", Family::DebeziumJdbcSink},
    KnownClass{"io.confluent.connect.jdbc.JdbcSinkConnector", Family::ConfluentJdbcSink},
    KnownClass{"io.confluent.connect.jdbc.JdbcSourceConnector", Family::ConfluentJdbcSource},
};

std::string_view trim(std::string_view text) {
  const auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

std::string_view simple_class_name(std::string_view class_name) {
  const auto dot = class_name.rfind('.');
  return dot == std::string_view::npos ? class_name : class_name.substr(dot + 1);
}

// Connect accepts a plugin's full class name, its simple name, and the simple
// name without the "Connector" suffix ("PostgresConnector", "Postgres").
bool names_class(std::string_view given, std::string_view full_name) {
  if (given == full_name) return true;
  auto simple = simple_class_name(full_name);
  if (given == simple) return true;
  constexpr std::string_view suffix = "Connector";
  return simple.ends_with(suffix) && given == simple.substr(0, simple.size() - suffix.size());
}

// Values such as "${file:/etc/secrets.properties:slot}" are resolved by the
// worker; the linter cannot know them, so it never judges them.
bool is_placeholder(std::string_view value) { return value.find("${") != std::string_view::npos; }

// The trimmed value of key, or nothing when the key is absent or blank:
// Connect and Debezium treat a blank value like a missing one for every key
// checked here.
std::optional<std::string_view> value_of(const Config& config, const std::string& key) {
  auto found = config.find(key);
  if (found == config.end()) return std::nullopt;
  auto value = trim(found->second);
  if (value.empty()) return std::nullopt;
  return value;
}

bool has(const Config& config, const std::string& key) { return value_of(config, key).has_value(); }

std::optional<long long> parse_integer(std::string_view text) {
  long long number = 0;
  const auto* end = text.data() + text.size();
  auto [stop, error] = std::from_chars(text.data(), end, number);
  if (error != std::errc{} || stop != end) return std::nullopt;
  return number;
}

// Connect's LIST type: comma-separated, whitespace around items ignored.
std::vector<std::string_view> split_list(std::string_view text) {
  std::vector<std::string_view> items;
  while (true) {
    auto comma = text.find(',');
    auto item = trim(text.substr(0, comma));
    if (!item.empty()) items.push_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return items;
}

// "JdbcSinkConnector" names both the Debezium and the Confluent sink; the two
// use different key names, which tells them apart.
Family jdbc_sink_vendor_from_keys(const Config& config) {
  for (const char* key : {"primary.key.mode", "primary.key.fields", "schema.evolution", "collection.name.format"}) {
    if (config.contains(key)) return Family::DebeziumJdbcSink;
  }
  for (const char* key : {"pk.mode", "pk.fields", "auto.create", "auto.evolve"}) {
    if (config.contains(key)) return Family::ConfluentJdbcSink;
  }
  return Family::JdbcSinkOfUnknownVendor;
}

Family family_of(std::string_view connector_class, const Config& config) {
  std::vector<Family> matches;
  for (const auto& known : known_classes) {
    if (names_class(connector_class, known.name)) matches.push_back(known.family);
  }
  if (matches.empty()) return Family::Unknown;
  if (matches.size() == 1) return matches.front();
  return jdbc_sink_vendor_from_keys(config);
}

bool is_debezium_source(Family family) {
  switch (family) {
    case Family::Postgres:
    case Family::SqlServer:
    case Family::MySql:
    case Family::MariaDb:
    case Family::Oracle:
    case Family::Db2:
    case Family::MongoDb:
      return true;
    default:
      return false;
  }
}

bool is_binlog_connector(Family family) { return family == Family::MySql || family == Family::MariaDb; }

// Connectors that replay DDL from a schema history on restart (PostgreSQL and
// MongoDB read table structure from the stream itself and keep none).
bool keeps_schema_history(Family family) {
  switch (family) {
    case Family::SqlServer:
    case Family::MySql:
    case Family::MariaDb:
    case Family::Oracle:
    case Family::Db2:
      return true;
    default:
      return false;
  }
}

bool is_known_sink(Family family) {
  switch (family) {
    case Family::DebeziumJdbcSink:
    case Family::ConfluentJdbcSink:
    case Family::JdbcSinkOfUnknownVendor:
    case Family::MongoDbSink:
      return true;
    default:
      return false;
  }
}

std::string display_name(Family family) {
  switch (family) {
    case Family::Postgres: return "PostgreSQL";
    case Family::SqlServer: return "SQL Server";
    case Family::MySql: return "MySQL";
    case Family::MariaDb: return "MariaDB";
    case Family::Oracle: return "Oracle";
    case Family::Db2: return "Db2";
    case Family::MongoDb: return "MongoDB";
    case Family::DebeziumJdbcSink: return "Debezium JDBC sink";
    case Family::ConfluentJdbcSink: return "Confluent JDBC sink";
    case Family::JdbcSinkOfUnknownVendor: return "JDBC sink";
    case Family::ConfluentJdbcSource: return "Confluent JDBC source";
    case Family::MongoDbSink: return "MongoDB sink";
    case Family::Unknown: break;
  }
  return "this";
}

// What every rule needs to know about the config under test.
struct Subject {
  const Config& config;
  Family family = Family::Unknown;
  bool is_sink = false;
  // tasks.max as Connect will read it; nothing when it is invalid or a placeholder.
  std::optional<long long> tasks_max{};

  std::optional<std::string_view> value(const std::string& key) const { return value_of(config, key); }
  // A value the linter may judge: present and not a config-provider placeholder.
  std::optional<std::string_view> known_value(const std::string& key) const {
    auto found = value(key);
    if (found && is_placeholder(*found)) return std::nullopt;
    return found;
  }
  bool has(const std::string& key) const { return value(key).has_value(); }
  // Debezium parses its enum options case-insensitively.
  std::optional<std::string> enum_value(const std::string& key) const {
    auto found = known_value(key);
    if (!found) return std::nullopt;
    return ascii_lower(*found);
  }
  bool is_true(const std::string& key) const { return enum_value(key) == "true"; }
};

class Findings {
 public:
  void error(std::string rule, std::string key, std::string message) {
    add(LintSeverity::Error, std::move(rule), std::move(key), std::move(message));
  }
  void warning(std::string rule, std::string key, std::string message) {
    add(LintSeverity::Warning, std::move(rule), std::move(key), std::move(message));
  }
  std::vector<LintFinding> take() && {
    std::stable_partition(list_.begin(), list_.end(),
                          [](const LintFinding& finding) { return finding.severity == LintSeverity::Error; });
    return std::move(list_);
  }

 private:
  void add(LintSeverity severity, std::string rule, std::string key, std::string message) {
    list_.push_back(LintFinding{
        .severity = severity, .rule = std::move(rule), .key = std::move(key), .message = std::move(message)});
  }
  std::vector<LintFinding> list_;
};

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

// ---- generic Kafka Connect rules -------------------------------------------

void check_connector_class(const Subject& subject, Findings& findings) {
  if (subject.has("connector.class")) return;
  findings.error("connector-class-missing", "connector.class",
                 "connector.class is not set, so Connect cannot tell which plugin to run; set it to the plugin's "
                 "class name, e.g. io.debezium.connector.postgresql.PostgresConnector.");
}

void check_tasks_max_value(const Subject& subject, Findings& findings) {
  auto tasks = subject.known_value("tasks.max");
  if (!tasks) return;
  auto number = parse_integer(*tasks);
  if (number && *number >= 1) return;
  findings.error("tasks-max-invalid", "tasks.max",
                 "tasks.max=" + std::string(*tasks) + " is not a whole number of at least 1, so Connect rejects the "
                 "config; set tasks.max=1 unless the connector can split its work.");
}

void check_sink_topics(const Subject& subject, Findings& findings) {
  const bool has_topics = subject.has("topics");
  const bool has_regex = subject.has("topics.regex");
  if (has_topics && has_regex) {
    findings.error("sink-topics-conflict", "topics.regex",
                   "topics and topics.regex are both set and Connect rejects a sink with both; keep only one of them.");
  }
  if (!has_topics && !has_regex && is_known_sink(subject.family)) {
    findings.error("sink-topics-missing", "topics",
                   "The " + display_name(subject.family) + " connector is a sink but neither topics nor topics.regex "
                   "is set, so Connect rejects it; list the topics to consume in topics.");
  }
}

// A compiled POSIX extended regular expression, freed on scope exit. POSIX
// rather than <regex>: GCC 12's std::regex trips -Wmaybe-uninitialized in
// optimised and sanitizer builds, and the project builds with -Werror.
class PosixRegex {
 public:
  explicit PosixRegex(const std::string& pattern)
      : compiled_ok_(regcomp(&compiled_, pattern.c_str(), REG_EXTENDED | REG_NOSUB) == 0) {}
  ~PosixRegex() {
    if (compiled_ok_) regfree(&compiled_);
  }
  PosixRegex(const PosixRegex&) = delete;
  PosixRegex& operator=(const PosixRegex&) = delete;

  bool compiled() const { return compiled_ok_; }
  bool matches(const std::string& text) const { return regexec(&compiled_, text.c_str(), 0, nullptr, 0) == 0; }

 private:
  regex_t compiled_{};
  bool compiled_ok_ = false;
};

// Whether Java's Pattern.matches(topics_regex, topic) holds, which is how
// Connect tests a topic against topics.regex; nothing when the pattern uses
// Java syntax POSIX lacks (\d, \w, \s, \p{..}, lookarounds, lazy or
// possessive quantifiers), which is then left for Connect to judge.
std::optional<bool> java_regex_matches(std::string_view pattern, std::string_view topic) {
  for (std::size_t i = 0; i + 1 < pattern.size(); ++i) {
    const char next = pattern[i + 1];
    if (pattern[i] == '\\' && std::isalnum(static_cast<unsigned char>(next))) return std::nullopt;
    if (pattern[i] == '(' && next == '?') return std::nullopt;
    if ((pattern[i] == '*' || pattern[i] == '+' || pattern[i] == '?' || pattern[i] == '}') &&
        (next == '?' || next == '+')) {
      return std::nullopt;
    }
  }
  PosixRegex regex("^(" + std::string(pattern) + ")$");
  if (!regex.compiled()) return std::nullopt;
  return regex.matches(std::string(topic));
}

bool dlq_is_consumed_by_sink(const Subject& subject, std::string_view dlq_topic) {
  if (auto topics = subject.value("topics")) {
    auto list = split_list(*topics);
    if (std::find(list.begin(), list.end(), dlq_topic) != list.end()) return true;
  }
  if (auto pattern = subject.known_value("topics.regex")) {
    return java_regex_matches(*pattern, dlq_topic).value_or(false);
  }
  return false;
}

void check_error_handling(const Subject& subject, Findings& findings) {
  auto tolerance = subject.value("errors.tolerance");
  const bool tolerance_unknown = tolerance && is_placeholder(*tolerance);
  if (tolerance && !tolerance_unknown && *tolerance != "none" && *tolerance != "all") {
    findings.error("errors-tolerance-value", "errors.tolerance",
                   "errors.tolerance=" + std::string(*tolerance) + " is rejected by Connect, which accepts only "
                   "'none' or 'all' (lower-case); use one of those.");
  }
  const bool tolerates_all = tolerance == "all";
  const bool tolerates_none = !tolerance || *tolerance == "none";  // none is Connect's default
  auto dlq = subject.value("errors.deadletterqueue.topic.name");

  if (!subject.is_sink) {
    if (dlq) {
      findings.error("dlq-on-source", "errors.deadletterqueue.topic.name",
                     "errors.deadletterqueue.topic.name is honoured only by sink connectors, so on this source "
                     "nothing will ever reach " + quoted(*dlq) + "; remove it and rely on errors.log.enable=true "
                     "to see failed records.");
    }
    return;
  }

  if (tolerates_all && !dlq) {
    findings.warning("sink-tolerance-without-dlq", "errors.tolerance",
                     "errors.tolerance=all without errors.deadletterqueue.topic.name makes this sink skip records "
                     "that fail and keep them nowhere; set a dead-letter queue topic (with "
                     "errors.deadletterqueue.context.headers.enable=true) so they can be inspected and replayed.");
  }
  if (!dlq || is_placeholder(*dlq)) return;
  if (dlq_is_consumed_by_sink(subject, *dlq)) {
    findings.error("dlq-in-topics", "errors.deadletterqueue.topic.name",
                   "The dead-letter queue topic " + quoted(*dlq) + " is also consumed by this sink (topics or "
                   "topics.regex), which Connect rejects because failed records would loop; give the DLQ a name "
                   "outside the consumed topics.");
  }
  if (tolerates_none) {
    findings.warning("dlq-without-tolerance", "errors.tolerance",
                     "A dead-letter queue is set but errors.tolerance is " +
                         std::string(tolerance ? "none" : "not set (none)") +
                         ", so the task still stops at the first failed record; set errors.tolerance=all to send "
                         "failures to " + quoted(*dlq) + " and carry on.");
  }
  auto headers = subject.value("errors.deadletterqueue.context.headers.enable");
  if (!(headers && (is_placeholder(*headers) || ascii_lower(*headers) == "true"))) {
    findings.warning("dlq-context-headers", "errors.deadletterqueue.context.headers.enable",
                     "Records in the dead-letter queue will carry no __connect.errors.* headers, so their original "
                     "topic, partition, offset and exception are lost; set "
                     "errors.deadletterqueue.context.headers.enable=true.");
  }
}

// ---- rules for Debezium source connectors ----------------------------------

void check_task_count(const Subject& subject, Findings& findings) {
  if (!subject.tasks_max || *subject.tasks_max <= 1) return;
  const auto tasks = std::to_string(*subject.tasks_max);
  const auto name = display_name(subject.family);
  switch (subject.family) {
    case Family::MySql:
    case Family::MariaDb:
    case Family::Oracle:
    case Family::Db2:
      findings.error("single-task-connector", "tasks.max",
                     "The " + name + " connector reads one change log in one task and fails to start with tasks.max=" +
                         tasks + " (\"Only a single connector task may be started\"); set tasks.max=1.");
      return;
    case Family::Postgres:
      findings.warning("single-task-connector", "tasks.max",
                       "The PostgreSQL connector always runs a single task (one replication slot), so tasks.max=" +
                           tasks + " is ignored; set tasks.max=1 so the config says what runs.");
      return;
    case Family::MongoDb:
      findings.warning("single-task-connector", "tasks.max",
                       "Since Debezium 2.6 the MongoDB connector always runs a single task, so tasks.max=" + tasks +
                           " is ignored; set tasks.max=1 so the config says what runs.");
      return;
    case Family::SqlServer: {
      auto databases = subject.value("database.names");
      if (!databases) {
        findings.error("sqlserver-tasks-max", "tasks.max",
                       "The SQL Server connector refuses tasks.max=" + tasks + " when database.names is not set "
                       "(single-partition mode); list the databases in database.names or set tasks.max=1.");
        return;
      }
      if (is_placeholder(*databases)) return;
      const auto count = static_cast<long long>(split_list(*databases).size());
      if (count < *subject.tasks_max) {
        findings.warning("sqlserver-tasks-max", "tasks.max",
                         "The SQL Server connector runs at most one task per database, so with " +
                             std::to_string(count) + " database(s) in database.names only " + std::to_string(count) +
                             " of the " + tasks + " tasks will run; set tasks.max=" + std::to_string(count) + ".");
      }
      return;
    }
    default:
      return;
  }
}

constexpr std::string_view topic_name_characters =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";

void check_topic_prefix(const Subject& subject, Findings& findings) {
  auto prefix = subject.value("topic.prefix");
  if (!prefix) {
    if (subject.has("database.server.name")) {
      findings.error("topic-prefix-missing", "topic.prefix",
                     "topic.prefix is not set and database.server.name, its Debezium 1.x name, is ignored since 2.0; "
                     "rename database.server.name to topic.prefix (same value, same topic names).");
    } else {
      findings.error("topic-prefix-missing", "topic.prefix",
                     "topic.prefix is not set, so Debezium refuses to start; set it to a name unique to this "
                     "connector, as it prefixes every topic the connector writes.");
    }
    return;
  }
  if (is_placeholder(*prefix)) return;
  if (prefix->find_first_not_of(topic_name_characters) != std::string_view::npos) {
    findings.error("topic-prefix-invalid", "topic.prefix",
                   "topic.prefix=" + quoted(*prefix) + " contains characters Debezium rejects; use only letters, "
                   "digits, '.', '_' and '-'.");
  }
}

constexpr std::string_view kafka_schema_history_class = "io.debezium.storage.kafka.history.KafkaSchemaHistory";

// Other history stores (file, JDBC, S3, Redis, ...) have their own keys.
bool uses_kafka_schema_history(const Subject& subject) {
  auto history = subject.value("schema.history.internal");
  return !history || *history == kafka_schema_history_class;
}

void check_schema_history(const Subject& subject, Findings& findings) {
  if (!keeps_schema_history(subject.family) || !uses_kafka_schema_history(subject)) return;
  struct Required {
    const char* rule;
    std::string key;
    std::string legacy_key;
    const char* purpose;
  };
  const std::array required{
      Required{"schema-history-topic", "schema.history.internal.kafka.topic", "database.history.kafka.topic",
               "a topic of this connector's own, where it records the DDL it needs to decode changes after a restart"},
      Required{"schema-history-bootstrap-servers", "schema.history.internal.kafka.bootstrap.servers",
               "database.history.kafka.bootstrap.servers",
               "the brokers of the Kafka cluster holding the schema history topic (usually Connect's own)"},
  };
  for (const auto& item : required) {
    if (subject.has(item.key)) continue;
    if (subject.has(item.legacy_key)) {
      findings.error(item.rule, item.key,
                     item.key + " is not set and " + item.legacy_key + ", its Debezium 1.x name, is ignored since 2.0; "
                     "rename the key, or the " + display_name(subject.family) + " connector will not start.");
    } else {
      findings.error(item.rule, item.key,
                     item.key + " is not set, so the " + display_name(subject.family) +
                         " connector will not start; set it to " + item.purpose + ".");
    }
  }
}

void check_legacy_keys(const Subject& subject, Findings& findings) {
  constexpr std::string_view legacy_history = "database.history";
  for (const auto& [key, value] : subject.config) {
    std::string replacement;
    if (key == "database.server.name") {
      replacement = "topic.prefix";
    } else if (key.starts_with(legacy_history) &&
               (key.size() == legacy_history.size() || key[legacy_history.size()] == '.')) {
      replacement = "schema.history.internal" + key.substr(legacy_history.size());
    } else {
      continue;
    }
    const bool replacement_set = subject.has(replacement);
    // A missing topic.prefix or history topic is already an error that names the old key.
    const bool reported_as_missing =
        !replacement_set && (replacement == "topic.prefix" ||
                             (keeps_schema_history(subject.family) && uses_kafka_schema_history(subject) &&
                              (replacement == "schema.history.internal.kafka.topic" ||
                               replacement == "schema.history.internal.kafka.bootstrap.servers")));
    if (reported_as_missing) continue;
    std::string advice;
    if (replacement == "topic.prefix" || keeps_schema_history(subject.family)) {
      advice = replacement_set ? "remove it, " + replacement + " is already set" : "rename it to " + replacement;
      // The history class itself was renamed along with its key.
      if (!replacement_set && replacement == "schema.history.internal") {
        advice += " with a 2.x class such as " + std::string(kafka_schema_history_class);
      }
    } else {
      advice = "remove it, the " + display_name(subject.family) + " connector keeps no schema history";
    }
    findings.warning("legacy-key-name", key,
                     key + " is a Debezium 1.x key name that Debezium 2.0 and later ignore; " + advice + ".");
  }
}

void check_snapshot_mode(const Subject& subject, Findings& findings) {
  auto mode = subject.enum_value("snapshot.mode");
  if (!mode) return;
  const auto name = display_name(subject.family);
  if (*mode == "never") {
    if (is_binlog_connector(subject.family)) {
      findings.error("snapshot-mode-removed", "snapshot.mode",
                     "snapshot.mode=never was removed from the " + name + " connector in Debezium 3.6; use "
                     "snapshot.mode=no_data to stream from the current binlog position, or configuration_based "
                     "with snapshot data and schema off to read the binlog from its start as 'never' did.");
    } else if (subject.family == Family::Postgres || subject.family == Family::MongoDb) {
      findings.error("snapshot-mode-removed", "snapshot.mode",
                     "snapshot.mode=never was deprecated in Debezium 2.6 and removed in 3.3; use "
                     "snapshot.mode=no_data, which behaves the same.");
    } else {
      findings.error("snapshot-mode-removed", "snapshot.mode",
                     "snapshot.mode=never is not a mode of the " + name + " connector; use snapshot.mode=no_data "
                     "to skip the data snapshot.");
    }
    return;
  }
  // Debezium 2.6 renamed these modes; 3.3 dropped the old names (Db2, released
  // separately, still takes schema_only).
  const bool dropped_schema_only = is_binlog_connector(subject.family) || subject.family == Family::Oracle ||
                                   subject.family == Family::SqlServer;
  const bool dropped_schema_only_recovery = is_binlog_connector(subject.family) || subject.family == Family::Oracle;
  if (*mode == "schema_only" && dropped_schema_only) {
    findings.error("snapshot-mode-removed", "snapshot.mode",
                   "snapshot.mode=schema_only was renamed no_data in Debezium 2.6 and the old name was removed in "
                   "3.3; use snapshot.mode=no_data.");
  } else if (*mode == "schema_only_recovery" && dropped_schema_only_recovery) {
    findings.error("snapshot-mode-removed", "snapshot.mode",
                   "snapshot.mode=schema_only_recovery was renamed recovery in Debezium 2.6 and the old name was "
                   "removed in 3.3; use snapshot.mode=recovery.");
  }
}

void check_sqlserver_database_names(const Subject& subject, Findings& findings) {
  if (subject.has("database.names")) return;
  std::string hint = subject.has("database.dbname") ? " (database.dbname is the Debezium 1.x key)" : "";
  findings.error("sqlserver-database-names", "database.names",
                 "database.names is not set, so the SQL Server connector will not start; list the databases to "
                 "capture in it, comma-separated" + hint + ".");
}

void check_mysql_server_id(const Subject& subject, Findings& findings) {
  auto server_id = subject.value("database.server.id");
  const auto name = display_name(subject.family);
  if (!server_id) {
    findings.error("mysql-server-id", "database.server.id",
                   "database.server.id is not set, so the " + name + " connector will not start; choose a positive "
                   "number that no other replica or binlog client of this server uses.");
    return;
  }
  if (is_placeholder(*server_id)) return;
  auto number = parse_integer(*server_id);
  if (!number || *number <= 0) {
    findings.error("mysql-server-id", "database.server.id",
                   "database.server.id=" + std::string(*server_id) + " is not a positive whole number; choose one "
                   "that no other replica or binlog client of this server uses.");
  }
}

// PostgreSQL's rule for replication slot names, which Debezium checks too.
bool is_valid_slot_name(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::string valid_slot_name_like(std::string_view name) {
  std::string out;
  for (char c : name) {
    char low = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.push_back((low >= 'a' && low <= 'z') || (low >= '0' && low <= '9') ? low : '_');
    if (out.size() == 63) break;
  }
  return out;
}

void check_postgres(const Subject& subject, Findings& findings) {
  auto plugin = subject.known_value("plugin.name");
  const bool uses_pgoutput = plugin && ascii_lower(*plugin) == "pgoutput";
  if (!subject.has("plugin.name")) {
    findings.error("postgres-plugin-name", "plugin.name",
                   "plugin.name is not set, so Debezium uses decoderbufs, a server extension PostgreSQL does not "
                   "ship and most managed services do not offer; set plugin.name=pgoutput.");
  } else if (plugin && ascii_lower(*plugin) == "decoderbufs") {
    findings.warning("postgres-plugin-name", "plugin.name",
                     "plugin.name=decoderbufs works only where the decoderbufs extension is installed on the server; "
                     "prefer plugin.name=pgoutput, which is built into PostgreSQL 10 and later.");
  } else if (plugin && !uses_pgoutput) {
    findings.error("postgres-plugin-name", "plugin.name",
                   "plugin.name=" + std::string(*plugin) + " is not accepted by Debezium 2.0 and later (wal2json "
                   "support was removed); set plugin.name=pgoutput.");
  }

  auto slot = subject.known_value("slot.name");
  if (!subject.has("slot.name")) {
    findings.warning("postgres-default-slot", "slot.name",
                     "slot.name is not set, so the slot is called 'debezium', and a second connector left on the "
                     "default would share it and each would lose changes the other consumed; name the slot after "
                     "this connector.");
  } else if (slot && !is_valid_slot_name(*slot)) {
    findings.error("postgres-slot-name", "slot.name",
                   "slot.name=" + quoted(*slot) + " is not a valid replication slot name (only lower-case letters, "
                   "digits and underscores, at most 63 characters); rename it, e.g. to " +
                       quoted(valid_slot_name_like(*slot)) + ".");
  }

  auto autocreate = subject.enum_value("publication.autocreate.mode");
  if (uses_pgoutput && (!subject.has("publication.autocreate.mode") || autocreate == "all_tables")) {
    findings.warning("postgres-publication-all-tables", "publication.autocreate.mode",
                     "publication.autocreate.mode is all_tables (the default), so if the publication does not exist "
                     "the connector runs CREATE PUBLICATION ... FOR ALL TABLES, which needs superuser rights and "
                     "publishes every table; set publication.autocreate.mode=filtered.");
  }

  auto heartbeat = subject.value("heartbeat.interval.ms");
  if (!(heartbeat && is_placeholder(*heartbeat))) {
    auto interval = heartbeat ? parse_integer(*heartbeat) : std::optional<long long>{0};
    if (!interval || *interval <= 0) {
      findings.warning("postgres-heartbeat", "heartbeat.interval.ms",
                       "Heartbeats are off (heartbeat.interval.ms is unset or not positive), so while the captured "
                       "tables are quiet the connector confirms no WAL position and the slot keeps WAL on the server "
                       "without bound; set heartbeat.interval.ms, e.g. 10000.");
    }
  }
}

// ---- rules for JDBC sinks --------------------------------------------------

void check_debezium_jdbc_sink(const Subject& subject, Findings& findings) {
  if (subject.value("primary.key.mode") && !subject.known_value("primary.key.mode")) return;
  const auto key_mode = subject.enum_value("primary.key.mode").value_or("none");
  if (subject.enum_value("insert.mode") == "upsert" && key_mode == "none") {
    findings.error("jdbc-sink-upsert-without-key", "primary.key.mode",
                   "insert.mode=upsert needs key columns to detect existing rows but primary.key.mode is " +
                       std::string(subject.has("primary.key.mode") ? "none" : "not set") +
                       "; set primary.key.mode=record_key to key rows by the Kafka record key.");
  }
  if (!subject.is_true("delete.enabled")) return;
  if (key_mode == "record_key") return;
  if (key_mode == "record_value" || key_mode == "record_header") {
    findings.warning("jdbc-sink-delete-without-key", "primary.key.mode",
                     "delete.enabled=true with primary.key.mode=" + key_mode + " is accepted only from Debezium 3.7 "
                     "and ignores tombstones; use primary.key.mode=record_key so deletes and tombstones both "
                     "remove rows.");
    return;
  }
  findings.error("jdbc-sink-delete-without-key", "primary.key.mode",
                 "delete.enabled=true needs rows keyed by the record, but primary.key.mode is " +
                     (subject.has("primary.key.mode") ? key_mode : std::string("not set (none)")) +
                     ", which the sink rejects; set primary.key.mode=record_key.");
}

void check_confluent_jdbc_sink(const Subject& subject, Findings& findings) {
  if (subject.value("pk.mode") && !subject.known_value("pk.mode")) return;
  const auto key_mode = subject.enum_value("pk.mode").value_or("none");
  if (subject.enum_value("insert.mode") == "upsert" && key_mode == "none") {
    findings.error("jdbc-sink-upsert-without-key", "pk.mode",
                   "insert.mode=upsert needs key columns but pk.mode is " +
                       std::string(subject.has("pk.mode") ? "none" : "not set") +
                       ", so every write fails; set pk.mode=record_key (or record_value with pk.fields).");
  }
  if (subject.is_true("delete.enabled") && key_mode != "record_key") {
    findings.error("jdbc-sink-delete-without-key", "pk.mode",
                   "delete.enabled=true is accepted only with pk.mode=record_key, but pk.mode is " +
                       (subject.has("pk.mode") ? key_mode : std::string("not set (none)")) +
                       "; set pk.mode=record_key.");
  }
}

}  // namespace

std::string_view severity_name(LintSeverity severity) {
  switch (severity) {
    case LintSeverity::Error: return "error";
    case LintSeverity::Warning: return "warning";
  }
  return "unknown";
}

std::vector<LintFinding> lint_connector_config(const std::map<std::string, std::string>& config) {
  Subject subject{.config = config};
  subject.family = family_of(value_of(config, "connector.class").value_or(""), config);
  // Connect itself decides by the plugin's type; without the plugin at hand
  // the topics keys (mandatory for sinks) and the known classes are the tell.
  auto connector_class = value_of(config, "connector.class").value_or("");
  subject.is_sink = has(config, "topics") || has(config, "topics.regex") || is_known_sink(subject.family) ||
                    simple_class_name(connector_class).ends_with("SinkConnector");
  if (auto tasks = subject.known_value("tasks.max")) {
    auto number = parse_integer(*tasks);
    if (number && *number >= 1) subject.tasks_max = number;
  } else if (!subject.has("tasks.max")) {
    subject.tasks_max = 1;  // Connect's default
  }

  Findings findings;
  check_connector_class(subject, findings);
  check_tasks_max_value(subject, findings);
  check_sink_topics(subject, findings);
  check_error_handling(subject, findings);

  if (is_debezium_source(subject.family)) {
    check_task_count(subject, findings);
    check_topic_prefix(subject, findings);
    check_schema_history(subject, findings);
    check_legacy_keys(subject, findings);
    check_snapshot_mode(subject, findings);
  }
  switch (subject.family) {
    case Family::Postgres: check_postgres(subject, findings); break;
    case Family::SqlServer: check_sqlserver_database_names(subject, findings); break;
    case Family::MySql:
    case Family::MariaDb: check_mysql_server_id(subject, findings); break;
    case Family::DebeziumJdbcSink: check_debezium_jdbc_sink(subject, findings); break;
    case Family::ConfluentJdbcSink: check_confluent_jdbc_sink(subject, findings); break;
    default: break;
  }
  return std::move(findings).take();
}

}  // namespace cdcctl::connect
