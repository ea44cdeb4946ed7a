#pragma once
// Operations over many connectors: choosing them (names, a regex, all),
// summarising their state for tables and JSON, and waiting until they reach
// a state. Commands call these; they never print.
#include <chrono>
#include <functional>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "connect/client.hpp"

namespace cdcctl::ops {

// ECMAScript regex; an invalid pattern is a usage error quoting it.
std::regex compile_regex(const std::string& pattern);

struct ConnectorFilter {
  std::optional<std::string> regex{};  // matched against the whole name (ECMAScript)
  std::optional<std::string> state{};  // connector or any task in this state (RUNNING, FAILED, …)
  std::optional<std::string> type{};   // source | sink
};

// Connectors of the cluster that pass the filter, sorted by name.
std::vector<connect::ConnectorOverview> filter_connectors(const std::vector<connect::ConnectorOverview>& all,
                                                          const ConnectorFilter& filter);

struct Selection {
  std::vector<std::string> names{};
  std::optional<std::string> regex{};
  bool all = false;
};

// Resolves names / -e REGEX / --all against the cluster. Exactly one way
// must be used; explicit names must exist (Error not found otherwise, naming
// every missing one); a regex matching nothing is an error too, so a typo in
// a CI script does not pass silently.
std::vector<std::string> select_connectors(connect::Client& client, const Selection& selection);
// The same rules over a list of names from elsewhere (e.g. the offsets
// topic); list_hint says how to see the names.
std::vector<std::string> select_names(std::vector<std::string> existing, const Selection& selection,
                                      const std::string& list_hint);

// One row of `connectors list` and its JSON shape.
struct ConnectorSummary {
  std::string name{};
  std::string type{};
  std::string state{};
  std::string connector_class{};
  std::string worker_id{};
  int running_tasks = 0;
  int total_tasks = 0;
  std::vector<int> failed_tasks{};
  std::vector<connect::TaskState> tasks{};
};

ConnectorSummary summarize(const connect::ConnectorOverview& overview);
nlohmann::json to_json(const ConnectorSummary& summary);

// The first line of a Java stack trace: "org.apache.kafka…Exception: message".
std::string first_line(const std::string& trace);

enum class Target { Running, Paused, Stopped, Gone };
std::string_view target_name(Target target);

// True when the status shows the target reached: RUNNING means the connector
// and every task RUNNING (and at least one task); PAUSED means connector and
// tasks PAUSED; STOPPED means connector STOPPED with no tasks.
bool reached(const connect::ConnectorStatus& status, Target target);

struct WaitResult {
  std::vector<std::string> reached{};
  // Connectors that did not get there, with what they showed last (first
  // line of any trace) — the text a CI log needs.
  std::vector<std::pair<std::string, std::string>> not_reached{};
  bool interrupted = false;  // an InterruptGuard saw Ctrl-C: the wait stopped early
};

// Polls each connector's status until all reach the target or the timeout
// passes. A connector or task still FAILED after `failed_grace` ends a wait
// for RUNNING or PAUSED for that connector (it will not get there by itself);
// the grace covers Connect answering a restart before the restart happens.
WaitResult wait_for(connect::Client& client, const std::vector<std::string>& names, Target target,
                    std::chrono::milliseconds timeout, std::chrono::milliseconds poll_interval = std::chrono::milliseconds(500),
                    std::chrono::milliseconds failed_grace = std::chrono::seconds(5));

}  // namespace cdcctl::ops
