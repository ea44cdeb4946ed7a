#pragma once
// Local checks for Kafka Connect connector configs, run without a cluster so
// a config can be judged before it is applied (and in CI). They catch what
// Connect or the connector would reject, what they accept but fails later (a
// task that throws at start, a slot name PostgreSQL refuses), and what runs
// but silently loses data (errors tolerated with nowhere to put them). The
// rules know Debezium 2.x/3.x key names and the Debezium and Confluent JDBC
// sinks; other connectors get the generic Connect checks (tasks.max, errors.*,
// dead-letter queue, topics).
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace cdcctl::connect {

// Error: the connector will be rejected, fail at start, or not do what the
// key asks. Warning: it runs, but something is risky or silently ignored.
enum class LintSeverity { Error, Warning };

struct LintFinding {
  LintSeverity severity = LintSeverity::Warning;
  std::string rule{};     // stable id, kebab-case, e.g. "postgres-plugin-name"
  std::string key{};      // the config key concerned ("" when about the whole config)
  std::string message{};  // one sentence: what is wrong and what to do, for an on-call engineer
};

// config: the flat Kafka Connect config map (includes "connector.class", "name", ...).
// Findings come errors first, then warnings, each group in rule order.
// Values that are config-provider placeholders ("${file:...}") are taken as
// unknown and never flagged.
std::vector<LintFinding> lint_connector_config(const std::map<std::string, std::string>& config);

std::string_view severity_name(LintSeverity severity);  // "error" / "warning"

}  // namespace cdcctl::connect
