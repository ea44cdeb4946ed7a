#include "ops/health.hpp"

#include <algorithm>
#include <regex>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "core/config_file.hpp"
#include "core/error.hpp"
#include "core/prometheus.hpp"
#include "core/files.hpp"

namespace cdcctl::ops {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// ---------------------------------------------------------------------------
// State file

json time_or_null(const std::optional<WallClock::time_point>& time) {
  return time ? json(to_epoch_seconds(*time)) : json(nullptr);
}

std::optional<WallClock::time_point> read_time(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  return from_epoch_seconds(it->get<std::int64_t>());
}

UnitMemory parse_unit(const json& object) {
  UnitMemory unit;
  unit.failing_since = read_time(object, "failing_since");
  unit.unassigned_since = read_time(object, "unassigned_since");
  const json attempts = object.value("restarts", json::array());
  for (const auto& attempt : attempts) {
    unit.restarts.push_back(from_epoch_seconds(attempt.get<std::int64_t>()));
  }
  unit.restarts_total = object.value("restarts_total", std::int64_t{0});
  return unit;
}

json unit_to_json(const UnitMemory& unit) {
  json restarts = json::array();
  for (const auto& attempt : unit.restarts) restarts.push_back(to_epoch_seconds(attempt));
  return {{"failing_since", time_or_null(unit.failing_since)},
          {"unassigned_since", time_or_null(unit.unassigned_since)},
          {"restarts", restarts},
          {"restarts_total", unit.restarts_total}};
}

std::optional<CheckStatus> parse_check_status(const std::string& text) {
  for (auto status : {CheckStatus::Ok, CheckStatus::Warning, CheckStatus::Critical, CheckStatus::Unknown}) {
    if (check_status_name(status) == text) return status;
  }
  return std::nullopt;
}

}  // namespace

HealthState parse_health_state(const json& document, const std::string& origin) {
  HealthState state;
  try {
    if (!document.is_object() || document.value("version", 0) != 1) {
      throw Error::failed("cannot read health state " + origin, "not a cdcctl health state file (version 1)",
                          "remove it to start with an empty memory, or point --state-file elsewhere");
    }
    if (const auto it = document.find("notified_status"); it != document.end() && it->is_string()) {
      state.notified_status = parse_check_status(it->get<std::string>());
    }
    // value() returns a copy: keep each one alive while items() walks it.
    const json contexts = document.value("contexts", json::object());
    for (const auto& [context_name, context] : contexts.items()) {
      ContextMemory& memory = state.contexts[context_name];
      const json connectors = context.value("connectors", json::object());
      for (const auto& [name, connector] : connectors.items()) {
        ConnectorMemory& entry = memory.connectors[name];
        entry.connector = parse_unit(connector.value("connector", json::object()));
        const json tasks = connector.value("tasks", json::object());
        for (const auto& [id, task] : tasks.items()) {
          entry.tasks[std::stoi(id)] = parse_unit(task);
        }
      }
    }
  } catch (const json::exception& e) {
    throw Error::failed("cannot read health state " + origin, e.what(),
                        "remove it to start with an empty memory, or point --state-file elsewhere");
  } catch (const std::logic_error& e) {  // std::stoi on a bad task id
    throw Error::failed("cannot read health state " + origin, e.what(),
                        "remove it to start with an empty memory, or point --state-file elsewhere");
  }
  return state;
}

json to_json(const HealthState& state) {
  json contexts = json::object();
  for (const auto& [context_name, context] : state.contexts) {
    json connectors = json::object();
    for (const auto& [name, connector] : context.connectors) {
      json tasks = json::object();
      for (const auto& [id, task] : connector.tasks) tasks[std::to_string(id)] = unit_to_json(task);
      connectors[name] = {{"connector", unit_to_json(connector.connector)}, {"tasks", tasks}};
    }
    contexts[context_name] = {{"connectors", connectors}};
  }
  return {{"version", 1},
          {"notified_status",
           state.notified_status ? json(std::string(check_status_name(*state.notified_status))) : json(nullptr)},
          {"contexts", contexts}};
}

HealthState load_health_state(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return {};
  const std::string text = read_file(path);
  json document;
  try {
    document = json::parse(text);
  } catch (const json::parse_error& e) {
    throw Error::failed("cannot read health state " + path.string(), e.what(),
                        "remove it to start with an empty memory, or point --state-file elsewhere");
  }
  return parse_health_state(document, path.string());
}

void save_health_state(const fs::path& path, const HealthState& state) {
  write_file_atomically(path, to_json(state).dump(2) + "\n");
}

fs::path default_health_state_path(const EnvLookup& env) { return default_state_dir(env) / "health.json"; }

// ---------------------------------------------------------------------------
// Judging

namespace {

std::string short_duration(WallClock::duration duration) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(duration);
  return format_duration(std::chrono::duration_cast<std::chrono::milliseconds>(std::max(seconds, std::chrono::seconds(0))));
}

std::string unit_label(const std::optional<int>& task) {
  return task ? "task " + std::to_string(*task) : "connector";
}

// The restart policy for a FAILED unit: how long it has failed, how many
// attempts the window still holds, whether one is due now, or whether the
// run must escalate.
void judge_failed(UnitHealth& unit, UnitMemory& memory, const HealthPolicy& policy, WallClock::time_point now) {
  if (!memory.failing_since) memory.failing_since = now;
  unit.failing_since = memory.failing_since;
  const auto failing_for = now - *memory.failing_since;
  unit.restarts_in_window = static_cast<int>(memory.restarts.size());
  unit.restarts_total = memory.restarts_total;
  if (!policy.restart_failed) {
    unit.status = CheckStatus::Critical;
    unit.message = "FAILED" + (failing_for > WallClock::duration::zero() ? " for " + short_duration(failing_for) : std::string());
    return;
  }
  const int attempts = unit.restarts_in_window;
  const bool budget_left = attempts < policy.max_restarts;
  std::optional<WallClock::time_point> next;
  if (budget_left) {
    if (attempts == 0) {
      next = now;
    } else {
      // Exponential backoff: delay, 2×delay, 4×delay… after the 1st, 2nd, 3rd attempt.
      const auto factor = std::int64_t{1} << std::min(attempts - 1, 20);
      next = memory.restarts.back() + policy.restart_delay * factor;
    }
  }
  unit.restart_due = next && *next <= now;
  unit.next_restart_at = unit.restart_due ? std::nullopt : next;

  const std::string attempts_text = std::to_string(attempts) + (attempts == 1 ? " restart" : " restarts");
  if (failing_for >= policy.escalate_after && attempts > 0) {
    unit.status = CheckStatus::Critical;
    unit.escalated = true;
    unit.message = "still FAILED after " + short_duration(failing_for) + " and " + attempts_text;
  } else if (!budget_left) {
    unit.status = CheckStatus::Critical;
    unit.escalated = true;
    unit.message = "still FAILED after " + attempts_text + " within " +
                   short_duration(std::chrono::duration_cast<WallClock::duration>(policy.window)) +
                   " (the --max-restarts budget)";
  } else if (unit.restart_due) {
    unit.status = CheckStatus::Warning;
    unit.message = "FAILED; restarting (attempt " + std::to_string(attempts + 1) + " of " +
                   std::to_string(policy.max_restarts) + ")";
  } else {
    unit.status = CheckStatus::Warning;
    unit.message = "FAILED after " + attempts_text + "; next restart in " + short_duration(*next - now);
  }
}

void judge_unit(UnitHealth& unit, UnitMemory& memory, const HealthPolicy& policy, bool expect_running,
                WallClock::time_point now) {
  // Old attempts leave the window whatever the state, so the budget refills.
  std::erase_if(memory.restarts, [&](const auto& attempt) { return attempt <= now - policy.window; });
  if (unit.state != "FAILED") memory.failing_since.reset();
  if (unit.state != "UNASSIGNED") memory.unassigned_since.reset();
  unit.restarts_in_window = static_cast<int>(memory.restarts.size());
  unit.restarts_total = memory.restarts_total;

  if (unit.state == "FAILED") {
    judge_failed(unit, memory, policy, now);
  } else if (unit.state == "UNASSIGNED") {
    if (!memory.unassigned_since) memory.unassigned_since = now;
    const auto unassigned_for = now - *memory.unassigned_since;
    unit.status = unassigned_for >= policy.escalate_after ? CheckStatus::Critical : CheckStatus::Warning;
    unit.message = "UNASSIGNED" + (unassigned_for > WallClock::duration::zero() ? " for " + short_duration(unassigned_for)
                                                                               : std::string()) +
                   " (no worker runs it: a worker left or a rebalance is pending)";
  } else if (unit.state == "RESTARTING") {
    unit.status = CheckStatus::Warning;
    unit.message = "RESTARTING";
  } else if ((unit.state == "PAUSED" || unit.state == "STOPPED") && expect_running) {
    unit.status = CheckStatus::Warning;
    unit.message = unit.state + ", expected RUNNING";
  } else if (unit.state.empty()) {
    unit.status = CheckStatus::Warning;
    unit.message = "no status reported";
  }
}

UnitHealth unit_from(const std::optional<int>& task, const std::string& state, const std::string& worker_id,
                     const std::string& trace) {
  UnitHealth unit;
  unit.task = task;
  unit.state = state;
  unit.worker_id = worker_id;
  unit.trace = first_line(trace);
  return unit;
}

}  // namespace

CheckStatus connector_status(const ConnectorHealth& connector) {
  CheckStatus status = connector.connector.status;
  for (const auto& task : connector.tasks) status = worst(status, task.status);
  return status;
}

std::vector<ConnectorHealth> assess(const std::vector<connect::ConnectorOverview>& all, const HealthPolicy& policy,
                                    ContextMemory& memory, WallClock::time_point now) {
  // Forget connectors that were deleted; keep the memory of filtered-out ones.
  std::set<std::string> existing;
  for (const auto& overview : all) existing.insert(overview.name);
  std::erase_if(memory.connectors, [&](const auto& entry) { return !existing.contains(entry.first); });

  std::optional<std::regex> expect;
  if (policy.expect_running) expect = compile_regex(*policy.expect_running);

  std::vector<ConnectorHealth> result;
  for (const auto& overview : filter_connectors(all, policy.filter)) {
    const ConnectorSummary summary = summarize(overview);
    ConnectorHealth health;
    health.name = summary.name;
    health.type = summary.type;
    health.connector_class = summary.connector_class;
    health.state = summary.state;
    health.worker_id = summary.worker_id;
    const bool expect_running = expect && std::regex_match(summary.name, *expect);

    ConnectorMemory& remembered = memory.connectors[summary.name];
    const std::string trace = overview.status ? overview.status->trace : std::string();
    health.connector = unit_from(std::nullopt, summary.state, summary.worker_id, trace);
    judge_unit(health.connector, remembered.connector, policy, expect_running, now);

    std::set<int> task_ids;
    for (const auto& task : summary.tasks) {
      task_ids.insert(task.id);
      UnitHealth unit = unit_from(task.id, task.state, task.worker_id, task.trace);
      // A paused connector's tasks say the same thing again: report it once.
      judge_unit(unit, remembered.tasks[task.id], policy, expect_running && summary.state == "RUNNING", now);
      health.tasks.push_back(std::move(unit));
    }
    std::erase_if(remembered.tasks, [&](const auto& entry) { return !task_ids.contains(entry.first); });
    health.status = connector_status(health);
    std::erase_if(remembered.tasks, [](const auto& entry) { return entry.second.empty(); });
    if (remembered.connector.empty() && remembered.tasks.empty()) memory.connectors.erase(summary.name);
    result.push_back(std::move(health));
  }
  return result;
}

// ---------------------------------------------------------------------------
// Restarting

namespace {

void record_restart(UnitHealth& unit, UnitMemory& memory, const HealthPolicy& policy, WallClock::time_point now) {
  memory.restarts.push_back(now);
  ++memory.restarts_total;
  unit.restarted = true;
  unit.restarts_in_window = static_cast<int>(memory.restarts.size());
  unit.restarts_total = memory.restarts_total;
  if (!unit.escalated) {
    unit.message = "FAILED; restarted (attempt " + std::to_string(unit.restarts_in_window) + " of " +
                   std::to_string(policy.max_restarts) + ")";
  }
}

void record_restart_error(UnitHealth& unit, const std::string& error) {
  unit.restart_error = error;
  unit.status = CheckStatus::Critical;
  unit.message = "FAILED; restart failed: " + error;
}


}  // namespace

void restart_due(connect::Client& client, std::vector<ConnectorHealth>& connectors, ContextMemory& memory,
                 const HealthPolicy& policy, WallClock::time_point now, const Logger* logger) {
  if (!policy.restart_failed) return;
  std::optional<bool> kip745;
  for (auto& connector : connectors) {
    std::vector<UnitHealth*> failed;
    if (connector.connector.state == "FAILED") failed.push_back(&connector.connector);
    for (auto& task : connector.tasks) {
      if (task.state == "FAILED") failed.push_back(&task);
    }
    const auto due_count = std::count_if(failed.begin(), failed.end(), [](auto* unit) { return unit->restart_due; });
    if (due_count == 0) continue;
    ConnectorMemory& remembered = memory.connectors[connector.name];
    auto memory_of = [&](const UnitHealth& unit) -> UnitMemory& {
      return unit.task ? remembered.tasks[*unit.task] : remembered.connector;
    };

    if (!kip745) {
      try {
        kip745 = connect::supports(client.version(), connect::Feature::RestartOnlyFailed);
      } catch (const Error&) {
        kip745 = false;
      }
    }
    if (*kip745 && due_count == static_cast<long>(failed.size())) {
      // Every failed unit is due: one call restarts exactly those, nothing healthy.
      if (logger) logger->verbose("restarting the failed parts of " + connector.name + " (onlyFailed)");
      try {
        client.restart(connector.name, true, true);
        for (auto* unit : failed) record_restart(*unit, memory_of(*unit), policy, now);
      } catch (const Error& error) {
        for (auto* unit : failed) record_restart_error(*unit, error.detail());
      }
    } else {
      for (auto* unit : failed) {
        if (!unit->restart_due) continue;
        if (logger) logger->verbose("restarting " + connector.name + " " + unit_label(unit->task));
        try {
          if (unit->task) client.restart_task(connector.name, *unit->task);
          else client.restart(connector.name, false, false);
          record_restart(*unit, memory_of(*unit), policy, now);
        } catch (const Error& error) {
          record_restart_error(*unit, error.detail());
        }
      }
    }
    connector.status = connector_status(connector);
  }
}

void finish(ContextHealth& context) {
  if (!context.reachable) {
    context.status = CheckStatus::Unknown;
    return;
  }
  context.status = CheckStatus::Ok;
  for (const auto& connector : context.connectors) context.status = worst(context.status, connector.status);
}

void finish(HealthReport& report) {
  report.status = CheckStatus::Ok;
  for (auto& context : report.contexts) {
    finish(context);
    report.status = worst(report.status, context.status);
  }
}

std::vector<HealthProblem> problems(const HealthReport& report) {
  std::vector<HealthProblem> found;
  for (const auto& context : report.contexts) {
    for (const auto& connector : context.connectors) {
      if (connector.connector.status != CheckStatus::Ok) {
        found.push_back({context.name, connector.name, std::nullopt, &connector.connector});
      }
      for (const auto& task : connector.tasks) {
        if (task.status != CheckStatus::Ok) found.push_back({context.name, connector.name, task.task, &task});
      }
    }
  }
  // Critical first, so a pager's one line carries the worst news.
  std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    auto rank = [](CheckStatus s) { return s == CheckStatus::Critical ? 0 : s == CheckStatus::Warning ? 1 : 2; };
    return rank(a.unit->status) < rank(b.unit->status);
  });
  return found;
}

namespace {

std::string problem_text(const HealthProblem& problem, bool with_context) {
  std::string text = (with_context ? problem.context + "/" : std::string()) + problem.connector;
  if (problem.task) text += " task " + std::to_string(*problem.task);
  text += " " + problem.unit->message;
  if (!problem.unit->trace.empty()) text += ": " + problem.unit->trace;
  return text;
}

}  // namespace

std::string summary_line(const HealthReport& report) {
  std::size_t total = 0;
  std::size_t troubled = 0;
  std::vector<std::string> unreachable;
  for (const auto& context : report.contexts) {
    if (!context.reachable) unreachable.push_back(context.name + ": " + context.error);
    total += context.connectors.size();
    troubled += static_cast<std::size_t>(std::count_if(context.connectors.begin(), context.connectors.end(),
                                                       [](const auto& c) { return c.status != CheckStatus::Ok; }));
  }
  std::string line = std::string(check_status_name(report.status)) + " - ";
  const auto found = problems(report);
  if (troubled == 0 && unreachable.empty()) {
    return line + std::to_string(total) + (total == 1 ? " connector" : " connectors") + " healthy";
  }
  std::vector<std::string> parts;
  for (const auto& reason : unreachable) parts.push_back("cannot check " + reason);
  const bool with_context = report.contexts.size() > 1;
  constexpr std::size_t kShown = 3;
  for (std::size_t i = 0; i < found.size() && i < kShown; ++i) parts.push_back(problem_text(found[i], with_context));
  if (troubled > 0) {
    line += std::to_string(troubled) + " of " + std::to_string(total) + " connectors need attention: ";
  }
  for (std::size_t i = 0; i < parts.size(); ++i) line += (i ? "; " : "") + parts[i];
  if (found.size() > kShown) line += "; and " + std::to_string(found.size() - kShown) + " more";
  return line;
}

// ---------------------------------------------------------------------------
// JSON

namespace {

json iso_or_null(const std::optional<WallClock::time_point>& time) {
  return time ? json(format_timestamp(*time)) : json(nullptr);
}

json unit_json(const UnitHealth& unit) {
  json entry = json::object();
  if (unit.task) entry["id"] = *unit.task;
  entry.update({{"state", unit.state},
                {"worker_id", unit.worker_id},
                {"status", check_status_name(unit.status)},
                {"message", unit.message},
                {"trace", unit.trace.empty() ? json(nullptr) : json(unit.trace)},
                {"failing_since", iso_or_null(unit.failing_since)},
                {"restarts_attempted", unit.restarts_in_window},
                {"restarts_total", unit.restarts_total},
                {"restarted", unit.restarted},
                {"restart_error", unit.restart_error.empty() ? json(nullptr) : json(unit.restart_error)},
                {"next_restart_at", iso_or_null(unit.next_restart_at)},
                {"escalated", unit.escalated}});
  return entry;
}

}  // namespace

json to_json(const HealthReport& report) {
  json contexts = json::array();
  for (const auto& context : report.contexts) {
    json connectors = json::array();
    for (const auto& connector : context.connectors) {
      json tasks = json::array();
      for (const auto& task : connector.tasks) tasks.push_back(unit_json(task));
      connectors.push_back({{"name", connector.name},
                            {"type", connector.type},
                            {"class", connector.connector_class},
                            {"state", connector.state},
                            {"worker_id", connector.worker_id},
                            {"status", check_status_name(connector.status)},
                            {"connector", unit_json(connector.connector)},
                            {"tasks", tasks}});
    }
    contexts.push_back({{"context", context.name},
                        {"url", context.url},
                        {"reachable", context.reachable},
                        {"error", context.error.empty() ? json(nullptr) : json(context.error)},
                        {"status", check_status_name(context.status)},
                        {"connectors", connectors}});
  }
  json problem_list = json::array();
  for (const auto& problem : problems(report)) {
    problem_list.push_back({{"context", problem.context},
                            {"connector", problem.connector},
                            {"task", problem.task ? json(*problem.task) : json(nullptr)},
                            {"state", problem.unit->state},
                            {"status", check_status_name(problem.unit->status)},
                            {"message", problem.unit->message},
                            {"trace", problem.unit->trace.empty() ? json(nullptr) : json(problem.unit->trace)}});
  }
  return {{"status", check_status_name(report.status)},
          {"exit_code", static_cast<int>(report.status)},
          {"summary", summary_line(report)},
          {"checked_at", format_timestamp(report.checked_at)},
          {"problems", problem_list},
          {"contexts", contexts}};
}

// ---------------------------------------------------------------------------
// Prometheus textfile

namespace {

constexpr const char* kConnectorStates[] = {"RUNNING", "PAUSED", "STOPPED", "FAILED", "UNASSIGNED", "RESTARTING"};
constexpr const char* kTaskStates[] = {"RUNNING", "PAUSED", "FAILED", "UNASSIGNED", "RESTARTING"};

}  // namespace

std::string prometheus_textfile(const HealthReport& report) {
  PrometheusText m;
  m.family("cdcctl_health_status", "gauge", "Verdict of the last cdcctl health run: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.");
  m.sample("cdcctl_health_status", {}, static_cast<int>(report.status));
  m.family("cdcctl_health_last_check_timestamp_seconds", "gauge", "When the last cdcctl health run checked, Unix time.");
  m.sample("cdcctl_health_last_check_timestamp_seconds", {}, static_cast<double>(to_epoch_seconds(report.checked_at)));

  m.family("cdcctl_connect_up", "gauge", "1 when the Kafka Connect cluster answered, 0 when it could not be checked.");
  for (const auto& context : report.contexts) m.sample("cdcctl_connect_up", {{"context", context.name}}, context.reachable ? 1 : 0);
  m.family("cdcctl_connect_status", "gauge", "Health of each context: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.");
  for (const auto& context : report.contexts) {
    m.sample("cdcctl_connect_status", {{"context", context.name}}, static_cast<int>(context.status));
  }
  m.family("cdcctl_connect_connectors", "gauge", "Connectors checked.");
  for (const auto& context : report.contexts) {
    m.sample("cdcctl_connect_connectors", {{"context", context.name}}, static_cast<double>(context.connectors.size()));
  }

  m.family("cdcctl_connect_connector_state", "gauge", "1 for the state the connector instance is in, 0 for the others.");
  for (const auto& context : report.contexts) {
    for (const auto& connector : context.connectors) {
      for (const char* state : kConnectorStates) {
        m.sample("cdcctl_connect_connector_state",
                 {{"context", context.name}, {"connector", connector.name}, {"type", connector.type}, {"state", state}},
                 connector.state == state ? 1 : 0);
      }
    }
  }
  m.family("cdcctl_connect_task_state", "gauge", "1 for the state the task is in, 0 for the others.");
  for (const auto& context : report.contexts) {
    for (const auto& connector : context.connectors) {
      for (const auto& task : connector.tasks) {
        for (const char* state : kTaskStates) {
          m.sample("cdcctl_connect_task_state",
                   {{"context", context.name}, {"connector", connector.name}, {"task", std::to_string(*task.task)},
                    {"state", state}},
                   task.state == state ? 1 : 0);
        }
      }
    }
  }
  m.family("cdcctl_connect_connector_status", "gauge", "Health of each connector: 0 OK, 1 WARNING, 2 CRITICAL.");
  for (const auto& context : report.contexts) {
    for (const auto& connector : context.connectors) {
      m.sample("cdcctl_connect_connector_status", {{"context", context.name}, {"connector", connector.name}},
               static_cast<int>(connector.status));
    }
  }

  // Each family's samples must follow its TYPE line, so one pass per family.
  auto each_unit = [&report](const auto& visit) {
    for (const auto& context : report.contexts) {
      for (const auto& connector : context.connectors) {
        std::vector<const UnitHealth*> units{&connector.connector};
        for (const auto& task : connector.tasks) units.push_back(&task);
        for (const UnitHealth* unit : units) {
          visit(*unit, std::vector<std::pair<std::string, std::string>>{
                           {"context", context.name},
                           {"connector", connector.name},
                           {"task", unit->task ? std::to_string(*unit->task) : "connector"}});
        }
      }
    }
  };
  m.family("cdcctl_connect_restarts_total", "counter",
           "Restarts cdcctl health made, per connector instance (task=\"connector\") and task.");
  each_unit([&](const UnitHealth& unit, const auto& labels) {
    if (unit.restarts_total > 0) m.sample("cdcctl_connect_restarts_total", labels, static_cast<double>(unit.restarts_total));
  });
  m.family("cdcctl_connect_failing_since_timestamp_seconds", "gauge",
           "When cdcctl health first saw a connector instance or task FAILED, Unix time (only while it is).");
  each_unit([&](const UnitHealth& unit, const auto& labels) {
    if (unit.failing_since) {
      m.sample("cdcctl_connect_failing_since_timestamp_seconds", labels,
               static_cast<double>(to_epoch_seconds(*unit.failing_since)));
    }
  });
  return m.text();
}

}  // namespace cdcctl::ops
