#pragma once
// Rolling restarts, the two runbook procedures:
//
//  - connectors: restart each connector with its tasks, one at a time, and
//    wait until it is RUNNING again before the next;
//  - workers: pause the connectors, let them drain, restart each Connect
//    worker with the operator's own command, wait until it answers and the
//    cluster is whole again (every worker up, nothing UNASSIGNED), then
//    resume and check everything runs.
//
// Both are abort-safe: on Ctrl-C or a failed step the connectors this run
// paused are resumed (unless asked to leave them paused), and a journal of
// what is done lets a later run resume instead of starting over.
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "connect/client.hpp"
#include "core/environment.hpp"
#include "core/subprocess.hpp"
#include "core/units.hpp"

namespace cdcctl::ops {

// One line of progress: printed for people, a JSON object per line for -o json.
struct RollingEvent {
  WallClock::time_point time{};
  std::string step{};    // "pause", "drain", "restart-worker", "wait-worker", "resume", …
  std::string target{};  // connector name or worker URL, empty for the whole run
  std::string status{};  // start | ok | failed | skipped | info
  std::string detail{};
};
nlohmann::json to_json(const RollingEvent& event);
std::string to_text(const RollingEvent& event);
using EventSink = std::function<void(const RollingEvent&)>;

// What a run has done, so an interrupted run can be resumed. Kept in a
// state file beside the health state, written after every step.
struct RollingJournal {
  std::string mode{};                           // "connectors" | "workers"
  std::string started_at{};
  std::vector<std::string> paused{};            // connectors this run paused and owes a resume
  std::vector<std::string> done{};              // connectors restarted / worker URLs restarted
  std::vector<std::string> planned{};           // connector mode: the connectors, in order
  bool empty() const { return mode.empty(); }
};
RollingJournal parse_journal(const nlohmann::json& document, const std::string& origin);
nlohmann::json to_json(const RollingJournal& journal);
std::optional<RollingJournal> load_journal(const std::filesystem::path& path);
void save_journal(const std::filesystem::path& path, const RollingJournal& journal);
// $XDG_STATE_HOME/cdcctl/rolling-restart-<mode>-<context>.json
std::filesystem::path default_journal_path(const EnvLookup& env, const std::string& mode, const std::string& context_name);

struct RollingOutcome {
  bool ok = false;
  bool interrupted = false;
  std::string error{};                     // the step that failed and why
  std::string hint{};                      // what to do about it, when known
  std::vector<std::string> left_paused{};  // connectors still paused because of this run
  std::vector<std::pair<std::string, std::string>> not_running{};  // name, last state/trace
};

// ---------------------------------------------------------------------------
// Connector mode

struct ConnectorRollOptions {
  std::vector<std::string> connectors{};          // in order
  std::chrono::milliseconds wait_timeout{std::chrono::minutes(5)};  // per connector
  std::chrono::milliseconds poll_interval{std::chrono::milliseconds(500)};
};

RollingOutcome roll_connectors(connect::Client& client, const ConnectorRollOptions& options, RollingJournal& journal,
                               const std::function<void(const RollingJournal&)>& save, const EventSink& emit);

// ---------------------------------------------------------------------------
// Worker mode

struct WorkerTarget {
  std::string url{};
  std::vector<std::string> restart_argv{};  // placeholders already expanded
};

// How to reach one worker alone (GET /), for the wait after its restart.
using WorkerProbe = std::function<std::optional<connect::ServerInfo>(const std::string& url)>;
using CommandRunner = std::function<CommandResult(const std::vector<std::string>& argv)>;

struct WorkerRollOptions {
  std::vector<std::string> connectors{};  // to pause during the restarts
  std::vector<WorkerTarget> workers{};
  std::chrono::milliseconds drain{std::chrono::seconds(30)};
  std::chrono::milliseconds worker_timeout{std::chrono::minutes(5)};  // per worker, until the cluster is whole
  std::chrono::milliseconds connector_timeout{std::chrono::minutes(2)};  // pause / resume waits
  std::chrono::milliseconds poll_interval{std::chrono::seconds(1)};
  bool leave_paused = false;
};

// The expanded argv for each worker: {url}, {host}, {port}, {index} (1-based).
std::vector<WorkerTarget> worker_targets(const std::vector<std::string>& urls, const std::vector<std::string>& command,
                                         const std::string& origin);

// The steps a worker roll will take, for --dry-run.
std::vector<std::string> worker_plan(const WorkerRollOptions& options, const RollingJournal& journal);

RollingOutcome roll_workers(connect::Client& cluster, const WorkerProbe& probe, const CommandRunner& run,
                            const WorkerRollOptions& options, RollingJournal& journal,
                            const std::function<void(const RollingJournal&)>& save, const EventSink& emit);

}  // namespace cdcctl::ops
