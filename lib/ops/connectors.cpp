#include "ops/connectors.hpp"

#include <algorithm>
#include <map>
#include <regex>
#include <thread>

#include "core/error.hpp"
#include "core/interrupt.hpp"

namespace cdcctl::ops {

namespace {

std::string upper(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

std::regex compile_regex(const std::string& pattern) {
  try {
    return std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& error) {
    throw Error::usage("invalid regular expression '" + pattern + "'", error.what());
  }
}

std::vector<connect::ConnectorOverview> filter_connectors(const std::vector<connect::ConnectorOverview>& all,
                                                          const ConnectorFilter& filter) {
  std::optional<std::regex> regex;
  if (filter.regex) regex = compile_regex(*filter.regex);
  const auto state = filter.state ? std::optional<std::string>(upper(*filter.state)) : std::nullopt;
  std::vector<connect::ConnectorOverview> kept;
  for (const auto& overview : all) {
    if (regex && !std::regex_match(overview.name, *regex)) continue;
    const auto summary = summarize(overview);
    if (filter.type && summary.type != *filter.type) continue;
    if (state) {
      const bool task_in_state = std::any_of(summary.tasks.begin(), summary.tasks.end(),
                                             [&](const auto& task) { return task.state == *state; });
      if (summary.state != *state && !task_in_state) continue;
    }
    kept.push_back(overview);
  }
  std::sort(kept.begin(), kept.end(), [](auto& a, auto& b) { return a.name < b.name; });
  return kept;
}

std::vector<std::string> select_names(std::vector<std::string> existing, const Selection& selection,
                                      const std::string& list_hint) {
  const int ways = (selection.names.empty() ? 0 : 1) + (selection.regex ? 1 : 0) + (selection.all ? 1 : 0);
  if (ways == 0) throw Error::usage("no connectors named", {}, "name them, or use -e REGEX or --all");
  if (ways > 1) throw Error::usage("choose connectors one way", "names, -e REGEX and --all cannot be combined");
  std::sort(existing.begin(), existing.end());
  if (selection.all) return existing;
  if (selection.regex) {
    const auto regex = compile_regex(*selection.regex);
    std::vector<std::string> matched;
    std::copy_if(existing.begin(), existing.end(), std::back_inserter(matched),
                 [&](const auto& name) { return std::regex_match(name, regex); });
    if (matched.empty()) {
      throw Error::not_found("no connector matches '" + *selection.regex + "'", {},
                             "the pattern must match whole names; " + list_hint);
    }
    return matched;
  }
  std::vector<std::string> missing;
  for (const auto& name : selection.names) {
    if (!std::binary_search(existing.begin(), existing.end(), name)) missing.push_back(name);
  }
  if (!missing.empty()) {
    std::string list;
    for (const auto& name : missing) list += (list.empty() ? "" : ", ") + name;
    throw Error::not_found(std::string(missing.size() == 1 ? "connector " : "connectors ") + list + " not found", {},
                           list_hint);
  }
  return selection.names;
}

std::vector<std::string> select_connectors(connect::Client& client, const Selection& selection) {
  if (!selection.names.empty() || selection.regex || selection.all) {
    return select_names(client.connector_names(), selection, "list connectors with: cdcctl connectors list");
  }
  return select_names({}, selection, {});  // the usage error, without a request
}

ConnectorSummary summarize(const connect::ConnectorOverview& overview) {
  ConnectorSummary summary;
  summary.name = overview.name;
  if (overview.info) {
    summary.type = overview.info->type;
    if (auto it = overview.info->config.find("connector.class"); it != overview.info->config.end()) {
      summary.connector_class = it->second;
    }
    summary.total_tasks = static_cast<int>(overview.info->tasks.size());
  }
  if (overview.status) {
    if (summary.type.empty()) summary.type = overview.status->type;
    summary.state = overview.status->state;
    summary.worker_id = overview.status->worker_id;
    summary.tasks = overview.status->tasks;
    summary.running_tasks = overview.status->running_tasks();
    summary.failed_tasks = overview.status->failed_task_ids();
    summary.total_tasks = std::max(summary.total_tasks, static_cast<int>(overview.status->tasks.size()));
  }
  return summary;
}

nlohmann::json to_json(const ConnectorSummary& summary) {
  nlohmann::json tasks = nlohmann::json::array();
  for (const auto& task : summary.tasks) {
    nlohmann::json entry = {{"id", task.id}, {"state", task.state}, {"worker_id", task.worker_id}};
    if (!task.trace.empty()) entry["trace"] = first_line(task.trace);
    tasks.push_back(entry);
  }
  return {{"name", summary.name},
          {"type", summary.type},
          {"state", summary.state},
          {"class", summary.connector_class},
          {"worker_id", summary.worker_id},
          {"tasks", {{"running", summary.running_tasks}, {"total", summary.total_tasks}}},
          {"failed_tasks", summary.failed_tasks},
          {"task_states", tasks}};
}

std::string first_line(const std::string& trace) {
  auto line = trace.substr(0, trace.find('\n'));
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

std::string_view target_name(Target target) {
  switch (target) {
    case Target::Running: return "RUNNING";
    case Target::Paused: return "PAUSED";
    case Target::Stopped: return "STOPPED";
    case Target::Gone: return "deleted";
  }
  return "";
}

bool reached(const connect::ConnectorStatus& status, Target target) {
  auto all_tasks = [&](const char* state) {
    return std::all_of(status.tasks.begin(), status.tasks.end(), [&](const auto& task) { return task.state == state; });
  };
  switch (target) {
    case Target::Running: return status.state == "RUNNING" && !status.tasks.empty() && all_tasks("RUNNING");
    case Target::Paused: return status.state == "PAUSED" && all_tasks("PAUSED");
    case Target::Stopped: return status.state == "STOPPED" && status.tasks.empty();
    case Target::Gone: return false;
  }
  return false;
}

namespace {

// What a connector shows now, for the "did not reach" message.
std::string describe_state(const connect::ConnectorStatus& status) {
  std::string text = "connector " + status.state;
  if (!status.trace.empty()) text += " (" + first_line(status.trace) + ")";
  for (const auto& task : status.tasks) {
    if (task.state == "RUNNING") continue;
    text += ", task " + std::to_string(task.id) + " " + task.state;
    if (!task.trace.empty()) text += " (" + first_line(task.trace) + ")";
  }
  if (status.tasks.empty() && status.state == "RUNNING") text += ", no tasks yet";
  return text;
}

bool failed(const connect::ConnectorStatus& status) {
  return status.state == "FAILED" ||
         std::any_of(status.tasks.begin(), status.tasks.end(), [](const auto& task) { return task.state == "FAILED"; });
}

}  // namespace

WaitResult wait_for(connect::Client& client, const std::vector<std::string>& names, Target target,
                    std::chrono::milliseconds timeout, std::chrono::milliseconds poll_interval,
                    std::chrono::milliseconds failed_grace) {
  const auto started = std::chrono::steady_clock::now();
  const auto deadline = started + timeout;
  std::vector<std::string> pending = names;
  std::map<std::string, std::string> last_seen;
  // Deleted connectors: when each left GET /connectors.
  std::map<std::string, std::chrono::steady_clock::time_point> gone_since;
  constexpr auto kStoppingGrace = std::chrono::seconds(30);
  WaitResult result;
  while (true) {
    std::vector<std::string> still;
    // One GET /connectors per round, whatever the number of names.
    const auto existing = target == Target::Gone ? client.connector_names() : std::vector<std::string>{};
    for (const auto& name : pending) {
      if (target == Target::Gone) {
        if (std::find(existing.begin(), existing.end(), name) != existing.end()) {
          last_seen[name] = "still exists";
          still.push_back(name);
          continue;
        }
        // Kafka Connect drops a deleted connector from GET /connectors at once,
        // but stops its instance and tasks afterwards: until they have stopped
        // its status is still served (a Debezium task still holds its slot).
        // Gone means no status either, within a grace: a status whose worker
        // died writes no tombstone and would be served on.
        const auto now = std::chrono::steady_clock::now();
        const auto first = gone_since.try_emplace(name, now).first->second;
        try {
          const auto status = client.status(name);
          if (now - first >= kStoppingGrace) {
            result.reached.push_back(name);
            continue;
          }
          last_seen[name] = "deleted, but its " + describe_state(status) + " is still stopping";
          still.push_back(name);
        } catch (const Error& error) {
          if (error.code() != ExitCode::NotFound) throw;
          result.reached.push_back(name);
        }
        continue;
      }
      try {
        const auto status = client.status(name);
        if (reached(status, target)) {
          result.reached.push_back(name);
          continue;
        }
        last_seen[name] = describe_state(status);
        if ((target == Target::Running || target == Target::Paused) && failed(status) &&
            std::chrono::steady_clock::now() - started >= std::min(failed_grace, timeout)) {
          result.not_reached.emplace_back(name, last_seen[name]);
          continue;
        }
      } catch (const Error& error) {
        // Right after a create or restart the status can briefly be missing.
        if (error.code() != ExitCode::NotFound) throw;
        last_seen[name] = "no status yet";
      }
      still.push_back(name);
    }
    pending = std::move(still);
    if (pending.empty()) break;
    if (std::chrono::steady_clock::now() + poll_interval > deadline) {
      for (const auto& name : pending) result.not_reached.emplace_back(name, last_seen[name] + " (timed out)");
      break;
    }
    if (!sleep_unless_interrupted(poll_interval)) {
      for (const auto& name : pending) result.not_reached.emplace_back(name, last_seen[name] + " (interrupted)");
      result.interrupted = true;
      break;
    }
  }
  return result;
}

}  // namespace cdcctl::ops
