#pragma once
// Connector health for people and cron: judge every connector and task of a
// Connect cluster, restart exactly the failed ones with a memory between runs
// (attempts, backoff, escalation), and say it as a table, JSON, a one-line
// summary for a pager, and a Prometheus textfile.
//
// The judging is a pure function of the statuses, the policy, the memory and
// the clock, so the escalation rules are unit-tested with a controlled clock;
// only restart_due() talks to Connect.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "connect/client.hpp"
#include "connect/models.hpp"
#include "core/environment.hpp"
#include "core/exit_codes.hpp"
#include "core/log.hpp"
#include "core/units.hpp"
#include "ops/connectors.hpp"

namespace cdcctl::ops {

struct HealthPolicy {
  ConnectorFilter filter{};                     // which connectors are checked (regex, type)
  std::optional<std::string> expect_running{};  // names (regex) that must not be PAUSED or STOPPED
  bool restart_failed = false;
  int max_restarts = 3;                                    // per unit, within `window`
  std::chrono::seconds window{std::chrono::hours(1)};
  std::chrono::seconds restart_delay{std::chrono::minutes(1)};  // wait after the 1st attempt; doubles after each
  std::chrono::seconds escalate_after{std::chrono::minutes(10)};
};

// ---------------------------------------------------------------------------
// Memory between runs (the state file)

// One unit: a connector instance or one of its tasks.
struct UnitMemory {
  std::optional<WallClock::time_point> failing_since{};     // first seen FAILED in this episode
  std::optional<WallClock::time_point> unassigned_since{};  // first seen UNASSIGNED
  std::vector<WallClock::time_point> restarts{};            // attempts still inside the window
  std::int64_t restarts_total = 0;                          // ever, for the Prometheus counter
  bool empty() const { return !failing_since && !unassigned_since && restarts.empty() && restarts_total == 0; }
};

struct ConnectorMemory {
  UnitMemory connector{};
  std::map<int, UnitMemory> tasks{};
};

struct ContextMemory {
  std::map<std::string, ConnectorMemory> connectors{};
};

struct HealthState {
  std::map<std::string, ContextMemory> contexts{};
  // The verdict last delivered to --notify-command; only runs that notify
  // change it, so a person running `cdcctl health` by hand cannot swallow
  // the notification a cron job owes.
  std::optional<CheckStatus> notified_status{};
};

HealthState parse_health_state(const nlohmann::json& document, const std::string& origin);
nlohmann::json to_json(const HealthState& state);
// A missing file is an empty state; a malformed one is an error naming it
// (a run must not silently forget its restart budget).
HealthState load_health_state(const std::filesystem::path& path);
void save_health_state(const std::filesystem::path& path, const HealthState& state);
// $XDG_STATE_HOME/cdcctl/health.json, else ~/.local/state/cdcctl/health.json.
std::filesystem::path default_health_state_path(const EnvLookup& env);

// ---------------------------------------------------------------------------
// The verdict

struct UnitHealth {
  std::optional<int> task{};  // nullopt: the connector instance
  std::string state{};
  std::string worker_id{};
  std::string trace{};        // first line of the stack trace
  CheckStatus status = CheckStatus::Ok;
  std::string message{};      // what is wrong and what cdcctl did about it
  std::optional<WallClock::time_point> failing_since{};
  int restarts_in_window = 0;
  std::int64_t restarts_total = 0;
  bool restart_due = false;   // the policy allows a restart in this run
  bool restarted = false;     // and restart_due() made it
  std::string restart_error{};
  std::optional<WallClock::time_point> next_restart_at{};
  bool escalated = false;     // CRITICAL because restarts did not help
};

struct ConnectorHealth {
  std::string name{};
  std::string type{};
  std::string connector_class{};
  std::string state{};
  std::string worker_id{};
  CheckStatus status = CheckStatus::Ok;
  UnitHealth connector{};
  std::vector<UnitHealth> tasks{};
};

struct ContextHealth {
  std::string name{};
  std::string url{};
  bool reachable = true;
  std::string error{};  // why the cluster could not be checked
  CheckStatus status = CheckStatus::Ok;
  std::vector<ConnectorHealth> connectors{};
};

struct HealthReport {
  CheckStatus status = CheckStatus::Ok;
  WallClock::time_point checked_at{};
  std::vector<ContextHealth> contexts{};
};

// Judges the connectors that pass the policy's filter and updates `memory`:
// failure and unassignment start times, the restart window (old attempts
// drop out), and forgets connectors that no longer exist. Marks units whose
// restart is due; no request is made here.
std::vector<ConnectorHealth> assess(const std::vector<connect::ConnectorOverview>& all, const HealthPolicy& policy,
                                    ContextMemory& memory, WallClock::time_point now);

// Makes the due restarts: one KIP-745 restart?includeTasks=true&onlyFailed=true
// per connector when every failed unit of it is due and the worker supports
// it, otherwise one call per unit (task restart, plain connector restart).
// Each success is recorded in `memory`; a failed call makes the unit CRITICAL
// with the error.
void restart_due(connect::Client& client, std::vector<ConnectorHealth>& connectors, ContextMemory& memory,
                 const HealthPolicy& policy, WallClock::time_point now, const Logger* logger = nullptr);

// Worst of the connectors (contexts: UNKNOWN when unreachable).
CheckStatus connector_status(const ConnectorHealth& connector);
void finish(ContextHealth& context);
void finish(HealthReport& report);

// "CRITICAL - 2 of 500 connectors need attention: prod/orders task 1 FAILED …"
// The first line a monitoring system or pager shows.
std::string summary_line(const HealthReport& report);

nlohmann::json to_json(const HealthReport& report);

// node_exporter textfile-collector format: per-state gauges for connectors and
// tasks, health status, restart counters, failing-since and check timestamps.
std::string prometheus_textfile(const HealthReport& report);

// A problem as one line: "prod/orders task 1 FAILED for 12m: …".
struct HealthProblem {
  std::string context{};
  std::string connector{};
  std::optional<int> task{};
  const UnitHealth* unit = nullptr;
};
std::vector<HealthProblem> problems(const HealthReport& report);

}  // namespace cdcctl::ops
