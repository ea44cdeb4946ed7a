#pragma once
// Debezium's and Kafka Connect's topics: creating the schema-history, DLQ
// and heartbeat topics exactly as they must be, and linting every topic of a
// cluster against the settings its role needs. Everything here works through
// kafka::TopicAdmin, so the rules are tested with a fake admin.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/exit_codes.hpp"
#include "kafka/admin.hpp"
#include "ops/connector_files.hpp"

namespace cdcctl::ops {

enum class TopicRole {
  CdcData,              // <prefix>.<schema>.<table>
  SchemaHistory,        // schema.history.internal.kafka.topic
  DeadLetterQueue,      // errors.deadletterqueue.topic.name
  Heartbeat,            // __debezium-heartbeat.<prefix>
  TransactionMetadata,  // <prefix>.transaction
  ConnectOffsets,       // offset.storage.topic
  ConnectConfigs,       // config.storage.topic
  ConnectStatus,        // status.storage.topic
  Other,
};
std::string_view role_name(TopicRole role);  // cdc-data, schema-history, dlq, heartbeat, …

// What a topic of a role must satisfy. The create commands build one from
// their flags; lint uses the defaults below.
struct TopicExpectations {
  int replication_factor = 3;                    // at least
  int min_insync_replicas = 2;                   // at least (never above the topic's RF)
  std::int64_t dlq_min_retention_ms = 30LL * 24 * 3600 * 1000;  // DLQ keeps records at least this long
  std::int64_t heartbeat_max_retention_ms = 3600LL * 1000;      // heartbeats expire within this
};

// min.insync.replicas that fits a replication factor: 2 from RF 3 up, so
// acks=all survives one broker loss; 1 below that, where 2 would make the
// topic unwritable with one broker down (RF 2) or at all (RF 1).
int default_min_insync_replicas(int replication_factor);

struct CreateTopicOptions {
  int replication_factor = 3;
  std::optional<int> min_insync_replicas{};  // default_min_insync_replicas(rf) when unset
  int partitions = 1;                        // DLQ only; history is always 1, heartbeat 1
  std::optional<std::chrono::milliseconds> retention{};  // DLQ (30 d) and heartbeat (1 h) only
};

// The CreateTopics requests of the three topic kinds. Error (usage) for a
// replication factor below 1, min.insync.replicas above it, and the like.
kafka::NewTopicRequest history_topic_request(const std::string& name, const CreateTopicOptions& options);
kafka::NewTopicRequest dlq_topic_request(const std::string& name, const CreateTopicOptions& options);
kafka::NewTopicRequest heartbeat_topic_request(const std::string& name, const CreateTopicOptions& options);
// The expectations a created topic of the role is later checked against.
TopicExpectations expectations_for(TopicRole role, const kafka::NewTopicRequest& request);

struct TopicFinding {
  std::string topic{};
  TopicRole role = TopicRole::Other;
  std::string check{};    // cleanup.policy, retention.ms, partitions, replication.factor, …
  CheckStatus status = CheckStatus::Ok;  // Ok, Warning (WARN), Critical (FAIL)
  std::string actual{};
  std::string expected{};
  std::string why{};
  std::string fix{};      // a kafka-configs / kafka-topics / cdcctl command, empty when none
};

// The rules of a role over one existing topic; no finding means it is as
// required. bootstrap goes into the fix commands.
std::vector<TopicFinding> check_topic(TopicRole role, const kafka::TopicLayout& layout, const kafka::TopicConfigs& configs,
                                      const TopicExpectations& expectations, const std::string& bootstrap);

// `kafka-configs.sh --bootstrap-server B --alter --entity-type topics
// --entity-name T --add-config k=v` (a list value bracketed as it needs).
std::string kafka_configs_command(const std::string& bootstrap, const std::string& topic, const std::string& key,
                                  const std::string& value);

// ---------------------------------------------------------------------------
// topics create-*

enum class EnsureAction { Created, WouldCreate, AsRequired, Deviates };
std::string_view action_name(EnsureAction action);  // created, would_create, as_required, deviates

struct EnsureTopicResult {
  EnsureAction action = EnsureAction::AsRequired;
  TopicRole role = TopicRole::Other;
  kafka::NewTopicRequest request{};
  std::optional<kafka::TopicLayout> existing{};
  kafka::TopicConfigs configs{};          // the existing topic's, when it exists
  std::vector<TopicFinding> deviations{};  // non-OK findings on the existing topic
  int brokers = 0;
};

// Creates the topic unless it exists; an existing topic is described and
// every deviation from the request reported (nothing is altered). Checks the
// replication factor against the brokers before asking. dry_run never
// creates.
EnsureTopicResult ensure_topic(kafka::TopicAdmin& admin, TopicRole role, const kafka::NewTopicRequest& request,
                               bool dry_run);
nlohmann::json to_json(const EnsureTopicResult& result, const std::string& bootstrap);

// ---------------------------------------------------------------------------
// topics lint

// Which topics belong to which role: topic prefixes and exact names from
// connector configs and flags. Names alone classify Connect's internal
// topics, heartbeat topics (which also reveal their prefix), and topics
// named like schema history or dead-letter queues.
struct LintScope {
  std::vector<std::string> prefixes{};
  std::map<std::string, TopicRole> named{};        // exact topic → role (from connector configs)
  std::map<std::string, std::string> named_by{};   // exact topic → "connector NAME (file)"
  std::vector<std::string> heartbeat_prefixes{"__debezium-heartbeat"};
  std::vector<std::string> transaction_topics{"transaction"};  // topic.transaction suffixes

  void add_prefix(const std::string& prefix);  // once, and never an empty one
};

// Adds what one connector config says about its topics (topic.prefix or the
// 1.x database.server.name, the schema-history topic, the DLQ, heartbeat and
// transaction topics).
void add_connector_to_scope(LintScope& scope, const ConnectorDefinition& connector);

TopicRole classify_topic(const std::string& topic, const LintScope& scope);

struct LintedTopic {
  std::string name{};
  TopicRole role = TopicRole::Other;
  bool exists = true;
  kafka::TopicLayout layout{};
  kafka::TopicConfigs configs{};  // the settings the rules read
  std::string named_by{};
  std::vector<TopicFinding> findings{};
};

struct LintReport {
  std::string bootstrap{};
  int brokers = 0;
  std::vector<LintedTopic> topics{};  // classified topics, by name
  int unclassified = 0;
};

LintReport lint_topics(kafka::TopicAdmin& admin, const LintScope& scope, const TopicExpectations& expectations);
CheckStatus worst(const LintReport& report);
std::string lint_summary(const LintReport& report);  // "2 FAIL, 1 WARN in 14 topics checked …"
nlohmann::json to_json(const LintReport& report);

}  // namespace cdcctl::ops
