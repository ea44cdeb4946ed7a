#include "ops/topics.hpp"

#include <algorithm>
#include <regex>
#include <set>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/units.hpp"

namespace cdcctl::ops {

using nlohmann::json;

std::string_view role_name(TopicRole role) {
  switch (role) {
    case TopicRole::CdcData: return "cdc-data";
    case TopicRole::SchemaHistory: return "schema-history";
    case TopicRole::DeadLetterQueue: return "dlq";
    case TopicRole::Heartbeat: return "heartbeat";
    case TopicRole::TransactionMetadata: return "transaction";
    case TopicRole::ConnectOffsets: return "connect-offsets";
    case TopicRole::ConnectConfigs: return "connect-configs";
    case TopicRole::ConnectStatus: return "connect-status";
    case TopicRole::Other: break;
  }
  return "other";
}

int default_min_insync_replicas(int replication_factor) { return replication_factor >= 3 ? 2 : 1; }

namespace {

constexpr std::int64_t kDlqRetentionMs = 30LL * 24 * 3600 * 1000;
constexpr std::int64_t kHeartbeatRetentionMs = 3600LL * 1000;

// Kafka's own rule for topic names (kafka.common.Topic): legal characters,
// at most 249 of them, and not "." or "..".
void check_topic_name(const std::string& name) {
  static const std::regex legal("[A-Za-z0-9._-]+");
  if (name.empty() || name.size() > 249 || name == "." || name == ".." || !std::regex_match(name, legal)) {
    throw Error::usage("invalid topic name '" + name + "'",
                       "Kafka topic names are 1 to 249 characters of letters, digits, '.', '_' and '-'");
  }
}

kafka::NewTopicRequest base_request(const std::string& name, const CreateTopicOptions& options, int partitions) {
  check_topic_name(name);
  if (options.replication_factor < 1 || options.replication_factor > 32767) {
    throw Error::usage("invalid --replication-factor " + std::to_string(options.replication_factor),
                       "it must be at least 1");
  }
  const int min_insync = options.min_insync_replicas.value_or(default_min_insync_replicas(options.replication_factor));
  if (min_insync < 1 || min_insync > options.replication_factor) {
    throw Error::usage("invalid --min-insync-replicas " + std::to_string(min_insync),
                       "it must be between 1 and the replication factor (" +
                           std::to_string(options.replication_factor) + "), or every acks=all write would fail");
  }
  if (partitions < 1) throw Error::usage("invalid --partitions " + std::to_string(partitions), "it must be at least 1");
  if (options.retention && options.retention->count() <= 0) {
    throw Error::usage("invalid --retention " + format_duration(*options.retention), "it must be positive");
  }
  return {.name = name,
          .partitions = partitions,
          .replication_factor = options.replication_factor,
          .configs = {{"min.insync.replicas", std::to_string(min_insync)}}};
}

std::optional<std::string> config_value(const kafka::TopicConfigs& configs, const std::string& key) {
  const auto found = configs.find(key);
  if (found == configs.end()) return std::nullopt;
  return found->second.value;
}

std::optional<std::int64_t> config_number(const kafka::TopicConfigs& configs, const std::string& key) {
  const auto value = config_value(configs, key);
  if (!value) return std::nullopt;
  try {
    std::size_t used = 0;
    const auto number = std::stoll(*value, &used);
    if (used != value->size()) return std::nullopt;
    return number;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::set<std::string> policy_set(const std::string& value) {
  std::set<std::string> policies;
  for (auto& part : split_list(value)) policies.insert(part);
  return policies;
}

std::string retention_text(std::int64_t ms) {
  if (ms < 0) return "-1 (forever)";
  return std::to_string(ms) + " (" + format_duration(std::chrono::milliseconds(ms)) + ")";
}

std::string reassign_fix(const std::string& bootstrap, int replication_factor) {
  return "kafka-reassign-partitions.sh --bootstrap-server " + bootstrap +
         " --execute --reassignment-json-file add-replicas.json  (list " + std::to_string(replication_factor) +
         " brokers as replicas of every partition)";
}

// Collects the findings of one topic.
class TopicRules {
 public:
  TopicRules(TopicRole role, const kafka::TopicLayout& layout, const kafka::TopicConfigs& configs,
             const std::string& bootstrap)
      : role_(role), layout_(layout), configs_(configs), bootstrap_(bootstrap) {}

  void add(std::string check, CheckStatus status, std::string actual, std::string expected, std::string why,
           std::string fix) {
    findings_.push_back({.topic = layout_.name,
                         .role = role_,
                         .check = std::move(check),
                         .status = status,
                         .actual = std::move(actual),
                         .expected = std::move(expected),
                         .why = std::move(why),
                         .fix = std::move(fix)});
  }
  std::string alter(const std::string& key, const std::string& value) const {
    return kafka_configs_command(bootstrap_, layout_.name, key, value);
  }
  std::optional<std::string> value(const std::string& key) const { return config_value(configs_, key); }
  std::optional<std::int64_t> number(const std::string& key) const { return config_number(configs_, key); }
  std::optional<std::set<std::string>> policy() const {
    const auto text = value("cleanup.policy");
    if (!text) return std::nullopt;
    return policy_set(*text);
  }
  const kafka::TopicLayout& layout() const { return layout_; }
  std::vector<TopicFinding> take() { return std::move(findings_); }

 private:
  TopicRole role_;
  const kafka::TopicLayout& layout_;
  const kafka::TopicConfigs& configs_;
  const std::string& bootstrap_;
  std::vector<TopicFinding> findings_;
};

void check_replication(TopicRules& rules, TopicRole role, const TopicExpectations& expected, const std::string& bootstrap) {
  const int replication = rules.layout().replication_factor;
  if (replication > 0 && replication < expected.replication_factor) {
    rules.add("replication.factor", CheckStatus::Warning, std::to_string(replication),
              ">= " + std::to_string(expected.replication_factor),
              replication == 1 ? "a single copy: losing one broker's disk loses the topic's records"
                               : "fewer copies than required: a broker failure can make the topic unavailable",
              reassign_fix(bootstrap, expected.replication_factor));
  }
  if (const auto min_insync = rules.number("min.insync.replicas")) {
    // As many as required, but never more than the topic's replicas allow
    // while one broker is down.
    const int wanted = std::min(expected.min_insync_replicas, replication > 1 ? replication - 1 : 1);
    if (replication > 0 && *min_insync > replication) {
      rules.add("min.insync.replicas", CheckStatus::Critical, std::to_string(*min_insync),
                "<= " + std::to_string(replication) + " (the replication factor)",
                "more in-sync replicas required than the topic has: every acks=all write fails with NOT_ENOUGH_REPLICAS",
                rules.alter("min.insync.replicas", std::to_string(default_min_insync_replicas(replication))));
    } else if (*min_insync < wanted) {
      rules.add("min.insync.replicas", CheckStatus::Warning, std::to_string(*min_insync), ">= " + std::to_string(wanted),
                "an acks=all write is acknowledged once " + std::to_string(*min_insync) +
                    " replica has it, so losing that broker can lose acknowledged records",
                rules.alter("min.insync.replicas", std::to_string(wanted)));
    }
  }
  if (rules.value("unclean.leader.election.enable") == "true") {
    const bool history = role == TopicRole::SchemaHistory;
    rules.add("unclean.leader.election.enable", history ? CheckStatus::Critical : CheckStatus::Warning, "true", "false",
              history ? "an out-of-sync replica may become leader and drop history records the connector cannot do without"
                      : "an out-of-sync replica may become leader and silently drop acknowledged records",
              rules.alter("unclean.leader.election.enable", "false"));
  }
}

void check_history(TopicRules& rules) {
  const auto& layout = rules.layout();
  if (layout.partitions != 1) {
    rules.add("partitions", CheckStatus::Critical, std::to_string(layout.partitions), "1",
              "the history is replayed in order; over several partitions DDL is read out of order",
              "partitions cannot be reduced: create a one-partition topic (cdcctl topics create-history NAME), point "
              "schema.history.internal.kafka.topic at it and rebuild the history (snapshot.mode=recovery)");
  }
  if (const auto policy = rules.policy(); policy && policy->contains("compact")) {
    rules.add("cleanup.policy", CheckStatus::Critical, *rules.value("cleanup.policy"), "delete",
              "compaction drops history records (and a compacted topic refuses records without a key), so the "
              "connector cannot rebuild its schema on restart",
              rules.alter("cleanup.policy", "delete"));
  }
  if (const auto retention = rules.number("retention.ms"); retention && *retention != -1) {
    rules.add("retention.ms", CheckStatus::Critical, retention_text(*retention), "-1 (forever)",
              "history older than this is deleted; on restart the connector cannot rebuild the schema of its tables",
              rules.alter("retention.ms", "-1"));
  }
  if (const auto bytes = rules.number("retention.bytes"); bytes && *bytes != -1) {
    rules.add("retention.bytes", CheckStatus::Critical, std::to_string(*bytes), "-1 (unlimited)",
              "history is deleted once the partition passes this size; the connector then cannot rebuild its schema",
              rules.alter("retention.bytes", "-1"));
  }
}

void check_connect_internal(TopicRules& rules, TopicRole role) {
  const auto policy = rules.policy();
  if (policy && *policy != std::set<std::string>{"compact"}) {
    rules.add("cleanup.policy", CheckStatus::Critical, *rules.value("cleanup.policy"), "compact",
              "Kafka Connect refuses to start unless its internal topics are compact only; with deletion, connector "
              "offsets, configs or status expire",
              rules.alter("cleanup.policy", "compact"));
  }
  if (role == TopicRole::ConnectConfigs && rules.layout().partitions != 1) {
    rules.add("partitions", CheckStatus::Critical, std::to_string(rules.layout().partitions), "1",
              "Kafka Connect requires a single partition for its config topic and refuses to start otherwise",
              "partitions cannot be reduced: create a one-partition compacted topic, set config.storage.topic to it and "
              "submit the connector configs again");
  }
}

}  // namespace

kafka::NewTopicRequest history_topic_request(const std::string& name, const CreateTopicOptions& options) {
  auto request = base_request(name, options, 1);
  request.configs.insert({{"cleanup.policy", "delete"},
                          {"retention.ms", "-1"},
                          {"retention.bytes", "-1"},
                          {"unclean.leader.election.enable", "false"}});
  return request;
}

kafka::NewTopicRequest dlq_topic_request(const std::string& name, const CreateTopicOptions& options) {
  auto request = base_request(name, options, options.partitions);
  const auto retention = options.retention.value_or(std::chrono::milliseconds(kDlqRetentionMs));
  request.configs.insert({{"cleanup.policy", "delete"}, {"retention.ms", std::to_string(retention.count())}});
  return request;
}

kafka::NewTopicRequest heartbeat_topic_request(const std::string& name, const CreateTopicOptions& options) {
  auto request = base_request(name, options, 1);
  const auto retention = options.retention.value_or(std::chrono::milliseconds(kHeartbeatRetentionMs));
  request.configs.insert({{"cleanup.policy", "delete"}, {"retention.ms", std::to_string(retention.count())}});
  return request;
}

TopicExpectations expectations_for(TopicRole role, const kafka::NewTopicRequest& request) {
  TopicExpectations expectations;
  expectations.replication_factor = request.replication_factor;
  if (const auto found = request.configs.find("min.insync.replicas"); found != request.configs.end()) {
    expectations.min_insync_replicas = std::stoi(found->second);
  }
  if (const auto found = request.configs.find("retention.ms"); found != request.configs.end()) {
    if (role == TopicRole::DeadLetterQueue) expectations.dlq_min_retention_ms = std::stoll(found->second);
    if (role == TopicRole::Heartbeat) expectations.heartbeat_max_retention_ms = std::stoll(found->second);
  }
  return expectations;
}

std::string kafka_configs_command(const std::string& bootstrap, const std::string& topic, const std::string& key,
                                  const std::string& value) {
  // kafka-configs reads "a,b" as two settings; a list value is bracketed.
  const auto shown = value.find(',') == std::string::npos ? value : "[" + value + "]";
  return "kafka-configs.sh --bootstrap-server " + bootstrap + " --alter --entity-type topics --entity-name " + topic +
         " --add-config " + key + "=" + shown;
}

std::vector<TopicFinding> check_topic(TopicRole role, const kafka::TopicLayout& layout, const kafka::TopicConfigs& configs,
                                      const TopicExpectations& expectations, const std::string& bootstrap) {
  TopicRules rules(role, layout, configs, bootstrap);
  switch (role) {
    case TopicRole::CdcData:
      if (const auto policy = rules.policy(); policy && !policy->contains("compact")) {
        rules.add("cleanup.policy", CheckStatus::Warning, *rules.value("cleanup.policy"), "compact",
                  "a change topic holds the table's state: with deletion only, rows not changed within retention.ms "
                  "vanish and a new consumer cannot rebuild the table; compaction keeps the latest event per key",
                  rules.alter("cleanup.policy", "compact"));
      }
      break;
    case TopicRole::SchemaHistory: check_history(rules); break;
    case TopicRole::DeadLetterQueue:
      if (const auto policy = rules.policy(); policy && policy->contains("compact")) {
        rules.add("cleanup.policy", CheckStatus::Warning, *rules.value("cleanup.policy"), "delete",
                  "compaction throws away failed records that share a key before anyone replays them",
                  rules.alter("cleanup.policy", "delete"));
      }
      if (const auto retention = rules.number("retention.ms");
          retention && *retention >= 0 && *retention < expectations.dlq_min_retention_ms) {
        rules.add("retention.ms", CheckStatus::Warning, retention_text(*retention),
                  ">= " + retention_text(expectations.dlq_min_retention_ms),
                  "failed records expire before anyone inspects or replays them",
                  rules.alter("retention.ms", std::to_string(expectations.dlq_min_retention_ms)));
      }
      break;
    case TopicRole::Heartbeat:
      if (const auto policy = rules.policy(); policy && *policy != std::set<std::string>{"delete"}) {
        rules.add("cleanup.policy", CheckStatus::Warning, *rules.value("cleanup.policy"), "delete",
                  "heartbeats are liveness markers only; they should simply expire", rules.alter("cleanup.policy", "delete"));
      }
      if (const auto retention = rules.number("retention.ms");
          retention && (*retention < 0 || *retention > expectations.heartbeat_max_retention_ms)) {
        rules.add("retention.ms", CheckStatus::Warning, retention_text(*retention),
                  "<= " + retention_text(expectations.heartbeat_max_retention_ms),
                  "one heartbeat per interval per connector piles up when kept longer",
                  rules.alter("retention.ms", std::to_string(expectations.heartbeat_max_retention_ms)));
      }
      break;
    case TopicRole::ConnectOffsets:
    case TopicRole::ConnectConfigs:
    case TopicRole::ConnectStatus: check_connect_internal(rules, role); break;
    case TopicRole::TransactionMetadata: break;
    case TopicRole::Other: return {};
  }
  check_replication(rules, role, expectations, bootstrap);
  return rules.take();
}

// ---------------------------------------------------------------------------
// topics create-*

std::string_view action_name(EnsureAction action) {
  switch (action) {
    case EnsureAction::Created: return "created";
    case EnsureAction::WouldCreate: return "would_create";
    case EnsureAction::AsRequired: return "as_required";
    case EnsureAction::Deviates: return "deviates";
  }
  return "unknown";
}

namespace {

// The settings the rules read, for showing next to the findings.
kafka::TopicConfigs relevant_configs(const kafka::TopicConfigs& configs) {
  static const std::set<std::string> keys{"cleanup.policy", "retention.ms", "retention.bytes", "min.insync.replicas",
                                          "unclean.leader.election.enable"};
  kafka::TopicConfigs relevant;
  for (const auto& [key, value] : configs) {
    if (keys.contains(key)) relevant.emplace(key, value);
  }
  return relevant;
}

json finding_json(const TopicFinding& finding) {
  return {{"topic", finding.topic},        {"role", role_name(finding.role)}, {"check", finding.check},
          {"status", verdict_name(finding.status)}, {"actual", finding.actual}, {"expected", finding.expected},
          {"why", finding.why},            {"fix", finding.fix}};
}

json configs_json(const kafka::TopicConfigs& configs) {
  json object = json::object();
  for (const auto& [key, value] : configs) object[key] = {{"value", value.value}, {"default", value.is_default}};
  return object;
}

}  // namespace

EnsureTopicResult ensure_topic(kafka::TopicAdmin& admin, TopicRole role, const kafka::NewTopicRequest& request,
                               bool dry_run) {
  EnsureTopicResult result{.role = role, .request = request};
  const auto topics = admin.list_topics();
  result.brokers = admin.broker_count();
  const auto found = std::find_if(topics.begin(), topics.end(), [&](const auto& t) { return t.name == request.name; });
  if (found != topics.end()) {
    result.existing = *found;
    auto described = admin.describe_configs({request.name});
    result.configs = relevant_configs(described[request.name]);
    for (auto& finding : check_topic(role, *found, described[request.name], expectations_for(role, request),
                                     admin.bootstrap_servers())) {
      if (finding.status != CheckStatus::Ok) result.deviations.push_back(std::move(finding));
    }
    // The history rules require one partition already; other kinds are
    // compared with what was asked for.
    if (role != TopicRole::SchemaHistory && found->partitions != request.partitions) {
      result.deviations.push_back({.topic = request.name,
                                   .role = role,
                                   .check = "partitions",
                                   .status = CheckStatus::Warning,
                                   .actual = std::to_string(found->partitions),
                                   .expected = std::to_string(request.partitions),
                                   .why = "not the partition count asked for",
                                   .fix = found->partitions < request.partitions
                                              ? "kafka-topics.sh --bootstrap-server " + admin.bootstrap_servers() +
                                                    " --alter --topic " + request.name + " --partitions " +
                                                    std::to_string(request.partitions)
                                              : "partitions cannot be reduced; keep it, or create a new topic"});
    }
    result.action = result.deviations.empty() ? EnsureAction::AsRequired : EnsureAction::Deviates;
    return result;
  }
  if (request.replication_factor > result.brokers) {
    throw Error::usage(fmt::format("replication factor {} needs at least {} brokers; Kafka at {} has {}",
                                   request.replication_factor, request.replication_factor, admin.bootstrap_servers(),
                                   result.brokers),
                       {}, "pass --replication-factor " + std::to_string(std::max(result.brokers, 1)) +
                               " for a development cluster (not for production)");
  }
  if (dry_run) {
    result.action = EnsureAction::WouldCreate;
    return result;
  }
  admin.create_topic(request);
  result.action = EnsureAction::Created;
  return result;
}

json to_json(const EnsureTopicResult& result, const std::string& bootstrap) {
  json deviations = json::array();
  for (const auto& finding : result.deviations) deviations.push_back(finding_json(finding));
  json document{{"topic", result.request.name},
                {"role", role_name(result.role)},
                {"action", action_name(result.action)},
                {"request",
                 {{"name", result.request.name},
                  {"partitions", result.request.partitions},
                  {"replication_factor", result.request.replication_factor},
                  {"configs", result.request.configs}}},
                {"kafka_topics_command", kafka::kafka_topics_create_command(bootstrap, result.request)},
                {"deviations", deviations}};
  if (result.existing) {
    document["existing"] = {{"partitions", result.existing->partitions},
                            {"replication_factor", result.existing->replication_factor},
                            {"configs", configs_json(result.configs)}};
  } else {
    document["existing"] = nullptr;
  }
  return document;
}

// ---------------------------------------------------------------------------
// topics lint

namespace {

void add_unique(std::vector<std::string>& list, const std::string& value) {
  if (!value.empty() && std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

std::vector<std::string> tokens(const std::string& name) {
  std::vector<std::string> parts;
  std::string current;
  for (const char c : name) {
    if (c == '.' || c == '-' || c == '_') {
      parts.push_back(current);
      current.clear();
    } else {
      current.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  parts.push_back(current);
  return parts;
}

// connect-offsets, my_connect_offsets, docker-connect-configs,
// connect-cluster-status (Strimzi): a "connect" word and a last word naming
// the internal topic.
std::optional<TopicRole> connect_internal_role(const std::string& topic) {
  const auto words = tokens(topic);
  if (words.size() < 2 || std::find(words.begin(), words.end() - 1, "connect") == words.end() - 1) return std::nullopt;
  if (words.back() == "offsets") return TopicRole::ConnectOffsets;
  if (words.back() == "configs") return TopicRole::ConnectConfigs;
  if (words.back() == "status") return TopicRole::ConnectStatus;
  return std::nullopt;
}

bool looks_like_history(const std::string& topic) {
  static const std::regex pattern(R"((schema[-_.]?history|db[-_.]?history|schema[-_.]?changes))", std::regex::icase);
  return std::regex_search(topic, pattern);
}

bool looks_like_dlq(const std::string& topic) {
  const auto words = tokens(topic);
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (words[i] == "dlq" || words[i] == "deadletter" || words[i] == "deadletterqueue") return true;
    if (words[i] == "dead" && i + 1 < words.size() && words[i + 1] == "letter") return true;
  }
  return false;
}

std::string create_command_for(TopicRole role, const std::string& topic) {
  switch (role) {
    case TopicRole::SchemaHistory: return "cdcctl topics create-history " + topic;
    case TopicRole::DeadLetterQueue: return "cdcctl topics create-dlq " + topic;
    case TopicRole::Heartbeat: return "cdcctl topics create-heartbeat " + topic;
    default: return {};
  }
}

}  // namespace

void LintScope::add_prefix(const std::string& prefix) { add_unique(prefixes, prefix); }

void add_connector_to_scope(LintScope& scope, const ConnectorDefinition& connector) {
  const auto get = [&](const std::string& key) {
    const auto found = connector.config.find(key);
    return found == connector.config.end() ? std::string() : found->second;
  };
  const auto by = "connector " + connector.name + " (" + connector.origin + ")";
  const auto name_topic = [&](const std::string& topic, TopicRole role) {
    if (topic.empty()) return;
    scope.named[topic] = role;
    scope.named_by[topic] = by;
  };
  auto prefix = get("topic.prefix");
  if (prefix.empty()) prefix = get("database.server.name");  // Debezium 1.x
  scope.add_prefix(prefix);

  auto history = get("schema.history.internal.kafka.topic");
  if (history.empty()) history = get("database.history.kafka.topic");  // Debezium 1.x
  name_topic(history, TopicRole::SchemaHistory);
  name_topic(get("errors.deadletterqueue.topic.name"), TopicRole::DeadLetterQueue);

  auto heartbeat_prefix = get("topic.heartbeat.prefix");
  if (heartbeat_prefix.empty()) heartbeat_prefix = "__debezium-heartbeat";
  add_unique(scope.heartbeat_prefixes, heartbeat_prefix);
  const auto interval = get("heartbeat.interval.ms");
  if (!prefix.empty() && !interval.empty() && interval != "0") {
    name_topic(heartbeat_prefix + "." + prefix, TopicRole::Heartbeat);
  }
  auto transaction = get("topic.transaction");
  if (transaction.empty()) transaction = "transaction";
  add_unique(scope.transaction_topics, transaction);
}

TopicRole classify_topic(const std::string& topic, const LintScope& scope) {
  if (const auto found = scope.named.find(topic); found != scope.named.end()) return found->second;
  for (const auto& heartbeat : scope.heartbeat_prefixes) {
    if (topic.size() > heartbeat.size() + 1 && topic.starts_with(heartbeat + ".")) return TopicRole::Heartbeat;
  }
  for (const auto& prefix : scope.prefixes) {
    if (!topic.starts_with(prefix + ".")) continue;
    const auto rest = topic.substr(prefix.size() + 1);
    if (std::find(scope.transaction_topics.begin(), scope.transaction_topics.end(), rest) !=
        scope.transaction_topics.end()) {
      return TopicRole::TransactionMetadata;
    }
    const auto dot = rest.find('.');
    if (dot != std::string::npos && dot > 0 && dot + 1 < rest.size() && rest.find('.', dot + 1) == std::string::npos) {
      return TopicRole::CdcData;
    }
  }
  if (topic.starts_with("__")) return TopicRole::Other;  // Kafka's own (__consumer_offsets, …)
  if (const auto role = connect_internal_role(topic)) return *role;
  if (looks_like_history(topic)) return TopicRole::SchemaHistory;
  if (looks_like_dlq(topic)) return TopicRole::DeadLetterQueue;
  return TopicRole::Other;
}

LintReport lint_topics(kafka::TopicAdmin& admin, const LintScope& scope, const TopicExpectations& expectations) {
  LintReport report;
  report.bootstrap = admin.bootstrap_servers();
  const auto topics = admin.list_topics();
  report.brokers = admin.broker_count();

  // A heartbeat topic names its connector's prefix: __debezium-heartbeat.P.
  LintScope effective = scope;
  for (const auto& topic : topics) {
    for (const auto& heartbeat : scope.heartbeat_prefixes) {
      if (topic.name.size() > heartbeat.size() + 1 && topic.name.starts_with(heartbeat + ".")) {
        effective.add_prefix(topic.name.substr(heartbeat.size() + 1));
      }
    }
  }

  std::vector<std::string> names;
  for (const auto& topic : topics) {
    const auto role = classify_topic(topic.name, effective);
    if (role == TopicRole::Other) {
      ++report.unclassified;
      continue;
    }
    LintedTopic linted{.name = topic.name, .role = role, .layout = topic};
    if (const auto by = scope.named_by.find(topic.name); by != scope.named_by.end()) linted.named_by = by->second;
    report.topics.push_back(std::move(linted));
    names.push_back(topic.name);
  }

  // One DescribeConfigs request per batch of topics, not one per topic.
  constexpr std::size_t kBatch = 200;
  std::map<std::string, kafka::TopicConfigs> configs;
  for (std::size_t i = 0; i < names.size(); i += kBatch) {
    const std::vector<std::string> batch(names.begin() + static_cast<std::ptrdiff_t>(i),
                                         names.begin() + static_cast<std::ptrdiff_t>(std::min(names.size(), i + kBatch)));
    configs.merge(admin.describe_configs(batch));
  }
  for (auto& linted : report.topics) {
    const auto& topic_configs = configs[linted.name];
    linted.configs = relevant_configs(topic_configs);
    linted.findings = check_topic(linted.role, linted.layout, topic_configs, expectations, report.bootstrap);
  }

  // Topics a connector config names but the cluster lacks.
  for (const auto& [topic, role] : scope.named) {
    const bool exists = std::any_of(topics.begin(), topics.end(), [&](const auto& t) { return t.name == topic; });
    if (exists || role == TopicRole::TransactionMetadata) continue;
    LintedTopic missing{.name = topic, .role = role, .exists = false, .layout = {.name = topic}};
    missing.named_by = scope.named_by.count(topic) ? scope.named_by.at(topic) : std::string();
    const auto why = role == TopicRole::SchemaHistory
                         ? "the connector would create it itself, without the settings a history topic needs"
                         : "Kafka Connect or the broker would create it on first use with the broker's defaults";
    missing.findings.push_back({.topic = topic,
                                .role = role,
                                .check = "exists",
                                .status = CheckStatus::Warning,
                                .actual = "missing",
                                .expected = "exists",
                                .why = why,
                                .fix = create_command_for(role, topic)});
    report.topics.push_back(std::move(missing));
  }
  std::sort(report.topics.begin(), report.topics.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return report;
}

CheckStatus worst(const LintReport& report) {
  CheckStatus status = CheckStatus::Ok;
  for (const auto& topic : report.topics) {
    for (const auto& finding : topic.findings) status = std::max(status, finding.status);
  }
  return status;
}

std::string lint_summary(const LintReport& report) {
  int failures = 0;
  int warnings = 0;
  for (const auto& topic : report.topics) {
    for (const auto& finding : topic.findings) {
      if (finding.status == CheckStatus::Critical) ++failures;
      if (finding.status == CheckStatus::Warning) ++warnings;
    }
  }
  const auto status = worst(report);
  std::string text(verdict_name(status));
  text += " - ";
  if (failures) text += fmt::format("{} FAIL, ", failures);
  if (warnings) text += fmt::format("{} WARN, ", warnings);
  if (!failures && !warnings) text += "all as required, ";
  text += fmt::format("{} topic{} checked on Kafka at {} ({} broker{})", report.topics.size(),
                      report.topics.size() == 1 ? "" : "s", report.bootstrap, report.brokers,
                      report.brokers == 1 ? "" : "s");
  if (report.unclassified) text += fmt::format("; {} other topic{} not classified", report.unclassified,
                                               report.unclassified == 1 ? "" : "s");
  return text;
}

json to_json(const LintReport& report) {
  json topics = json::array();
  json flat = json::array();
  for (const auto& topic : report.topics) {
    json findings = json::array();
    for (const auto& finding : topic.findings) {
      findings.push_back(finding_json(finding));
      flat.push_back(finding_json(finding));
    }
    json entry{{"name", topic.name},
               {"role", role_name(topic.role)},
               {"exists", topic.exists},
               {"named_by", topic.named_by.empty() ? json(nullptr) : json(topic.named_by)},
               {"findings", findings}};
    if (topic.exists) {
      entry["partitions"] = topic.layout.partitions;
      entry["replication_factor"] = topic.layout.replication_factor;
      entry["configs"] = configs_json(topic.configs);
    }
    topics.push_back(std::move(entry));
  }
  const auto status = worst(report);
  return {{"status", verdict_name(status)},
          {"exit_code", static_cast<int>(status)},
          {"summary", lint_summary(report)},
          {"bootstrap_servers", report.bootstrap},
          {"brokers", report.brokers},
          {"unclassified", report.unclassified},
          {"findings", flat},
          {"topics", topics}};
}

}  // namespace cdcctl::ops
