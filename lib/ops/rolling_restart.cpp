#include "ops/rolling_restart.hpp"

#include <algorithm>
#include <typeinfo>
#include <set>

#include "core/config_file.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "core/interrupt.hpp"
#include "ops/connectors.hpp"

namespace cdcctl::ops {

namespace fs = std::filesystem;
using nlohmann::json;

// ---------------------------------------------------------------------------
// Events and journal

json to_json(const RollingEvent& event) {
  return {{"time", format_timestamp(event.time)},
          {"step", event.step},
          {"target", event.target.empty() ? json(nullptr) : json(event.target)},
          {"status", event.status},
          {"detail", event.detail}};
}

std::string to_text(const RollingEvent& event) {
  std::string text = event.step;
  if (!event.target.empty()) text += " " + event.target;
  text += ": " + event.status;
  if (!event.detail.empty()) text += " (" + event.detail + ")";
  return text;
}

RollingJournal parse_journal(const json& document, const std::string& origin) {
  try {
    RollingJournal journal;
    journal.mode = document.at("mode").get<std::string>();
    journal.started_at = document.value("started_at", "");
    journal.paused = document.value("paused", std::vector<std::string>{});
    journal.done = document.value("done", std::vector<std::string>{});
    journal.planned = document.value("planned", std::vector<std::string>{});
    if (journal.mode != "connectors" && journal.mode != "workers") throw Error::failed("unknown mode " + journal.mode);
    return journal;
  } catch (const json::exception& e) {
    throw Error::failed("cannot read rolling-restart journal " + origin, e.what(),
                        "remove it, after checking no connector was left paused");
  }
}

json to_json(const RollingJournal& journal) {
  return {{"mode", journal.mode}, {"started_at", journal.started_at}, {"paused", journal.paused}, {"done", journal.done},
          {"planned", journal.planned}};
}

std::optional<RollingJournal> load_journal(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::nullopt;
  try {
    return parse_journal(json::parse(read_file(path)), path.string());
  } catch (const json::parse_error& e) {
    throw Error::failed("cannot read rolling-restart journal " + path.string(), e.what(),
                        "remove it, after checking no connector was left paused");
  }
}

void save_journal(const fs::path& path, const RollingJournal& journal) {
  write_file_atomically(path, to_json(journal).dump(2) + "\n");
}

fs::path default_journal_path(const EnvLookup& env, const std::string& mode, const std::string& context_name) {
  const fs::path dir = default_state_dir(env);
  std::string safe;
  for (const char c : context_name.empty() ? std::string("default") : context_name) {
    safe.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_');
  }
  return dir / ("rolling-restart-" + mode + "-" + safe + ".json");
}

namespace {

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

class Run {
 public:
  Run(RollingJournal& journal, const std::function<void(const RollingJournal&)>& save, const EventSink& emit)
      : journal_(journal), save_(save), emit_(emit) {}

  void event(const std::string& step, const std::string& target, const std::string& status,
             const std::string& detail = {}) {
    emit_({WallClock::now(), step, target, status, detail});
  }
  void save() { save_(journal_); }
  RollingJournal& journal() { return journal_; }

 private:
  RollingJournal& journal_;
  const std::function<void(const RollingJournal&)>& save_;
  const EventSink& emit_;
};


// Any failure as one line: Connect errors with their reason, others (a body
// of an unexpected shape) with what the library said.
std::string describe(const std::exception& error) {
  if (const auto* known = dynamic_cast<const Error*>(&error)) return known->detail();
  return std::string("unexpected answer: ") + error.what();
}

// How long a restart may take to show in the status before we assume it
// already happened.
constexpr std::chrono::milliseconds kRestartVisibleWithin{5000};

}  // namespace

// ---------------------------------------------------------------------------
// Connector mode

RollingOutcome roll_connectors(connect::Client& client, const ConnectorRollOptions& options, RollingJournal& journal,
                               const std::function<void(const RollingJournal&)>& save, const EventSink& emit) {
  Run run(journal, save, emit);
  RollingOutcome outcome;
  const auto total = options.connectors.size();
  std::size_t index = 0;
  for (const auto& name : options.connectors) {
    ++index;
    const std::string position = std::to_string(index) + "/" + std::to_string(total);
    if (contains(journal.done, name)) {
      run.event("restart", name, "skipped", position + ", done by the earlier run");
      continue;
    }
    if (interrupt_requested()) {
      outcome.interrupted = true;
      outcome.error = "interrupted before " + name;
      return outcome;
    }
    try {
      const auto status = client.status(name);
      if (status.state == "PAUSED" || status.state == "STOPPED") {
        run.event("restart", name, "skipped", position + ", " + status.state + ": left as it is");
        journal.done.push_back(name);
        run.save();
        continue;
      }
      run.event("restart", name, "start", position);
      client.restart(name, true, false);
      // Connect answers 202 and restarts afterwards: see the restart begin
      // (anything not RUNNING) before waiting for RUNNING, or the old status
      // would pass for the new one. A restart too quick to see ends the look.
      const auto look_until = std::chrono::steady_clock::now() + std::min(options.wait_timeout, kRestartVisibleWithin);
      while (std::chrono::steady_clock::now() < look_until && reached(client.status(name), Target::Running)) {
        if (!sleep_unless_interrupted(options.poll_interval)) break;
      }
    } catch (const std::exception& error) {
      const std::string why = describe(error);
      run.event("restart", name, "failed", why);
      outcome.error = "restart " + name + ": " + why;
      return outcome;
    }
    WaitResult waited;
    try {
      waited = wait_for(client, {name}, Target::Running, options.wait_timeout, options.poll_interval);
    } catch (const std::exception& error) {
      run.event("wait-running", name, "failed", describe(error));
      outcome.error = "cannot tell whether " + name + " is RUNNING again: " + describe(error);
      return outcome;
    }
    if (waited.interrupted) {
      run.event("wait-running", name, "failed", "interrupted");
      outcome.interrupted = true;
      outcome.error = "interrupted while waiting for " + name;
      return outcome;
    }
    if (!waited.not_reached.empty()) {
      run.event("wait-running", name, "failed", waited.not_reached.front().second);
      outcome.not_running = waited.not_reached;
      outcome.error = name + " did not come back RUNNING: " + waited.not_reached.front().second;
      return outcome;
    }
    run.event("wait-running", name, "ok", "RUNNING");
    journal.done.push_back(name);
    run.save();
  }
  outcome.ok = true;
  return outcome;
}

// ---------------------------------------------------------------------------
// Worker mode

std::vector<WorkerTarget> worker_targets(const std::vector<std::string>& urls, const std::vector<std::string>& command,
                                         const std::string& origin) {
  std::vector<WorkerTarget> targets;
  for (std::size_t i = 0; i < urls.size(); ++i) {
    const std::string& url = urls[i];
    const auto scheme_end = url.find("://");
    const std::string authority = url.substr(scheme_end == std::string::npos ? 0 : scheme_end + 3);
    std::string host_port = authority.substr(0, authority.find('/'));
    if (const auto at = host_port.rfind('@'); at != std::string::npos) host_port = host_port.substr(at + 1);
    std::string host = host_port;
    std::string port;
    if (host_port.starts_with('[')) {  // [ipv6]:port
      const auto close = host_port.find(']');
      host = host_port.substr(1, close - 1);
      if (close + 1 < host_port.size() && host_port[close + 1] == ':') port = host_port.substr(close + 2);
    } else if (const auto colon = host_port.rfind(':'); colon != std::string::npos) {
      host = host_port.substr(0, colon);
      port = host_port.substr(colon + 1);
    }
    if (port.empty()) port = url.starts_with("https://") ? "443" : "80";
    targets.push_back({url, expand_placeholders(command,
                                                {{"url", url}, {"host", host}, {"port", port}, {"index", std::to_string(i + 1)}},
                                                origin)});
  }
  return targets;
}

namespace {

std::string quote_argv(const std::vector<std::string>& argv) {
  std::string text;
  for (const auto& arg : argv) {
    const bool plain = !arg.empty() && arg.find_first_of(" \t\n'\"\\$`;&|<>(){}*?") == std::string::npos;
    std::string quoted = plain ? arg : "'" + arg + "'";
    if (!plain) {
      // ' inside single quotes: close, escaped quote, reopen.
      quoted = "'";
      for (const char c : arg) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
      quoted += "'";
    }
    text += (text.empty() ? "" : " ") + quoted;
  }
  return text;
}

}  // namespace

namespace {
std::string rebalance_note(std::chrono::milliseconds worker_timeout);
}  // namespace

std::vector<std::string> worker_plan(const WorkerRollOptions& options, const RollingJournal& journal) {
  std::vector<std::string> steps;
  if (!journal.paused.empty()) {
    steps.push_back("keep paused the " + std::to_string(journal.paused.size()) + " connector(s) the earlier run paused");
  }
  steps.push_back("pause " + std::to_string(options.connectors.size()) + " connector(s) that are RUNNING and wait until PAUSED");
  steps.push_back("wait " + format_duration(options.drain) + " for in-flight work to drain");
  std::size_t index = 0;
  for (const auto& worker : options.workers) {
    ++index;
    const std::string prefix = "worker " + std::to_string(index) + "/" + std::to_string(options.workers.size()) + " " + worker.url;
    if (contains(journal.done, worker.url)) {
      steps.push_back(prefix + ": skip, restarted by the earlier run");
      continue;
    }
    steps.push_back(prefix + ": run " + quote_argv(worker.restart_argv));
    steps.push_back(prefix + ": wait until it answers GET /, every worker answers, and no task is UNASSIGNED (up to " +
                    format_duration(options.worker_timeout) + ")");
  }
  steps.push_back(options.leave_paused ? "leave the connectors paused (--leave-paused)"
                                       : "resume the connectors paused above and check they are RUNNING");
  steps.push_back("note: " + rebalance_note(options.worker_timeout));
  return steps;
}

namespace {

// Connect's scheduled.rebalance.max.delay.ms default: how long the tasks of a
// worker that left stay UNASSIGNED, waiting for it to come back.
constexpr std::chrono::minutes kDefaultRebalanceDelay{5};

std::string rebalance_note(std::chrono::milliseconds worker_timeout) {
  return "a restarted worker's tasks can stay UNASSIGNED for scheduled.rebalance.max.delay.ms (default 5m) if it "
         "rejoins late; --worker-timeout is " + format_duration(worker_timeout);
}

// Is the cluster whole: every worker answers with the same Kafka cluster id,
// and no connector or task is UNASSIGNED? Returns what is missing, or empty.
std::string cluster_gap(connect::Client& cluster, const WorkerProbe& probe, const std::vector<WorkerTarget>& workers) {
  std::optional<std::string> cluster_id;
  for (const auto& worker : workers) {
    const auto info = probe(worker.url);
    if (!info) return worker.url + " does not answer";
    if (cluster_id && info->kafka_cluster_id != *cluster_id) {
      return worker.url + " belongs to Kafka cluster " + info->kafka_cluster_id + ", not " + *cluster_id;
    }
    cluster_id = info->kafka_cluster_id;
  }
  std::vector<std::string> unassigned;
  for (const auto& overview : cluster.connectors(true, false)) {
    if (!overview.status) continue;
    if (overview.status->state == "UNASSIGNED") unassigned.push_back(overview.name);
    for (const auto& task : overview.status->tasks) {
      if (task.state == "UNASSIGNED") unassigned.push_back(overview.name + "-" + std::to_string(task.id));
    }
  }
  if (!unassigned.empty()) {
    std::string list;
    for (std::size_t i = 0; i < unassigned.size() && i < 5; ++i) list += (i ? ", " : "") + unassigned[i];
    if (unassigned.size() > 5) list += ", …";
    return std::to_string(unassigned.size()) + " UNASSIGNED: " + list;
  }
  return {};
}

}  // namespace

RollingOutcome roll_workers(connect::Client& cluster, const WorkerProbe& probe, const CommandRunner& run_command,
                            const WorkerRollOptions& options, RollingJournal& journal,
                            const std::function<void(const RollingJournal&)>& save, const EventSink& emit) {
  Run run(journal, save, emit);
  RollingOutcome outcome;

  // Whatever happens below, the connectors this run paused are resumed
  // before returning, unless the operator asked to leave them paused.
  auto finish = [&](bool success) {
    const bool was_interrupted = interrupt_requested();
    if (options.leave_paused) {
      outcome.left_paused = journal.paused;
      if (!journal.paused.empty()) run.event("resume", "", "skipped", "--leave-paused: " + std::to_string(journal.paused.size()) + " connector(s) stay paused");
      if (success) journal.paused.clear();
      return;
    }
    // The resume must happen even after Ctrl-C: clear the flag for it.
    clear_interrupt();
    std::vector<std::string> resumed;
    for (const auto& name : journal.paused) {
      try {
        cluster.resume(name);
        resumed.push_back(name);
        run.event("resume", name, "ok");
      } catch (const Error& error) {
        outcome.left_paused.push_back(name);
        run.event("resume", name, "failed", error.detail());
      }
    }
    journal.paused = outcome.left_paused;
    run.save();
    if (!resumed.empty()) {
      const auto waited = wait_for(cluster, resumed, Target::Running, options.connector_timeout, options.poll_interval);
      for (const auto& [name, state] : waited.not_reached) run.event("wait-running", name, "failed", state);
      if (!waited.reached.empty()) {
        run.event("wait-running", "", "ok", std::to_string(waited.reached.size()) + " connector(s) RUNNING");
      }
      outcome.not_running = waited.not_reached;
    }
    if (was_interrupted) request_interrupt();
  };

  try {
    // 1. Pause what is RUNNING; remember it before pausing, so a crash in
    //    between still leaves a record of what to resume.
    std::vector<std::string> to_pause;
    for (const auto& name : options.connectors) {
      if (contains(journal.paused, name)) continue;
      const auto status = cluster.status(name);
      if (status.state == "RUNNING") to_pause.push_back(name);
      else run.event("pause", name, "skipped", status.state + ": left as it is");
    }
    for (const auto& name : to_pause) {
      journal.paused.push_back(name);
      run.save();
      cluster.pause(name);
      run.event("pause", name, "ok");
    }
    if (!journal.paused.empty()) {
      const auto waited = wait_for(cluster, journal.paused, Target::Paused, options.connector_timeout, options.poll_interval);
      if (waited.interrupted) throw Error::failed("interrupted");
      for (const auto& [name, last_seen] : waited.not_reached) {
        // A FAILED task stays FAILED through a pause; the connector is paused all the same.
        const auto status = cluster.status(name);
        const bool paused_but_failed =
            status.state == "PAUSED" && std::all_of(status.tasks.begin(), status.tasks.end(), [](const auto& task) {
              return task.state == "PAUSED" || task.state == "FAILED";
            });
        if (!paused_but_failed) throw Error::failed("connectors did not pause", name + ": " + last_seen);
        run.event("wait-paused", name, "info", "PAUSED; its FAILED tasks stay FAILED");
      }
      run.event("wait-paused", "", "ok", std::to_string(journal.paused.size()) + " connector(s) PAUSED");
    }

    if (options.worker_timeout <= kDefaultRebalanceDelay) {
      run.event("note", "", "info", rebalance_note(options.worker_timeout));
    }

    // 2. Drain.
    run.event("drain", "", "start", format_duration(options.drain));
    if (!sleep_unless_interrupted(options.drain)) throw Error::failed("interrupted");
    run.event("drain", "", "ok");

    // 3. One worker at a time.
    std::size_t index = 0;
    for (const auto& worker : options.workers) {
      ++index;
      const std::string position = std::to_string(index) + "/" + std::to_string(options.workers.size());
      if (contains(journal.done, worker.url)) {
        run.event("restart-worker", worker.url, "skipped", position + ", done by the earlier run");
        continue;
      }
      if (interrupt_requested()) throw Error::failed("interrupted");
      run.event("restart-worker", worker.url, "start", position + ": " + quote_argv(worker.restart_argv));
      const auto result = run_command(worker.restart_argv);
      if (!result.ok()) {
        std::string output = result.output;
        while (!output.empty() && output.back() == '\n') output.pop_back();
        if (const auto cut = output.rfind('\n'); cut != std::string::npos) output = output.substr(cut + 1);
        run.event("restart-worker", worker.url, "failed", result.describe() + (output.empty() ? "" : ": " + output));
        throw Error::failed("the restart command for " + worker.url + " failed",
                            result.describe() + (output.empty() ? "" : ": " + output));
      }
      run.event("restart-worker", worker.url, "ok");

      const auto deadline = std::chrono::steady_clock::now() + options.worker_timeout;
      std::string gap;
      while (true) {
        try {
          gap = probe(worker.url) ? cluster_gap(cluster, probe, options.workers) : worker.url + " does not answer yet";
        } catch (const Error& error) {
          gap = error.detail();
        }
        if (gap.empty()) break;
        if (std::chrono::steady_clock::now() + options.poll_interval > deadline) {
          run.event("wait-worker", worker.url, "failed", gap);
          throw Error::failed("the cluster did not recover after restarting " + worker.url + " within " +
                                  format_duration(options.worker_timeout),
                              gap,
                              "tasks stay UNASSIGNED for scheduled.rebalance.max.delay.ms (default 5m) after a worker "
                              "leaves; raise --worker-timeout above it, or lower it on the workers");
        }
        if (!sleep_unless_interrupted(options.poll_interval)) throw Error::failed("interrupted");
      }
      run.event("wait-worker", worker.url, "ok", "cluster whole: every worker answers, nothing UNASSIGNED");
      journal.done.push_back(worker.url);
      run.save();
    }
  } catch (const std::exception& error) {
    // Whatever went wrong, what this run paused is resumed below.
    outcome.interrupted = interrupt_requested();
    outcome.error = outcome.interrupted ? "stopped by a signal" : describe(error);
    if (const auto* known = dynamic_cast<const Error*>(&error); known && !outcome.interrupted) outcome.hint = known->hint();
    finish(false);
    return outcome;
  }

  finish(true);
  outcome.ok = outcome.left_paused.empty() && outcome.not_running.empty();
  if (!outcome.ok && outcome.error.empty()) {
    outcome.error = outcome.not_running.empty() ? "some connectors could not be resumed"
                                                : "some connectors are not RUNNING after the restart";
  }
  if (options.leave_paused) outcome.ok = true;
  return outcome;
}

}  // namespace cdcctl::ops
