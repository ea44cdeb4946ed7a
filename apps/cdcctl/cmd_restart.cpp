// cdcctl restart rolling connectors|workers: the runbook's rolling restarts,
// one step at a time, resumable, and safe to interrupt.
#include <filesystem>
#include <iostream>

#include "app.hpp"
#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/secrets.hpp"
#include "core/subprocess.hpp"
#include "core/units.hpp"
#include "ops/connect_session.hpp"
#include "ops/rolling_restart.hpp"
#include "selection_flags.hpp"

namespace cdcctl::app {

namespace {

struct RollingFlags {
  SelectionFlags selection;
  bool dry_run = false;
  bool yes = false;
  bool resume = false;
  bool fresh = false;
  // connectors
  std::string wait_timeout = "5m";
  // workers
  std::string drain = "30s";
  std::string worker_timeout = "5m";
  std::string connector_timeout = "2m";
  std::string poll_interval = "1s";
  bool leave_paused = false;
};

std::chrono::milliseconds positive(const std::string& text, const char* flag, bool allow_zero = false) {
  const auto value = parse_duration(text);
  if (value.count() < 0 || (!allow_zero && value.count() == 0)) {
    throw Error::usage(std::string(flag) + " must be " + (allow_zero ? "zero or more" : "longer than zero"));
  }
  return value;
}

// Prints each step as it happens: a line for people, a JSON object per line
// with -o json, flushed at once so a log or a watching script sees it live.
ops::EventSink event_printer(AppContext& context) {
  const bool json_lines = context.format() == output::Format::Json;
  return [&context, json_lines](const ops::RollingEvent& event) {
    auto& out = *context.io.out;
    if (json_lines) {
      out << mask_url_or_conninfo(ops::to_json(event).dump()) << std::endl;
    } else {
      const std::string stamp = format_timestamp(event.time).substr(11, 8);
      out << stamp << "  " << mask_url_or_conninfo(ops::to_text(event)) << std::endl;
    }
  };
}

void check_format(AppContext& context) {
  const auto format = context.format();
  if (format != output::Format::Table && format != output::Format::Wide && format != output::Format::Json) {
    throw Error::usage("restart rolling prints progress as text or JSON lines", "-o " + context.flags.output + " is not supported",
                       "use -o json for one JSON object per step");
  }
}

// The journal of an earlier run decides what this run may do: continue it
// (--resume), start over but still resume what it paused (--fresh), or stop
// and say so, since the operator may not know connectors are left paused.
ops::RollingJournal open_journal(const std::filesystem::path& path, const std::string& mode, const RollingFlags& flags) {
  if (flags.resume && flags.fresh) throw Error::usage("--resume and --fresh cannot be combined");
  auto existing = ops::load_journal(path);
  if (existing && existing->mode != mode) {
    throw Error::usage("an unfinished rolling restart of " + existing->mode + " (started " + existing->started_at +
                           ") is recorded in " + path.string(),
                       {}, "finish it with: cdcctl restart rolling " + existing->mode + " --resume");
  }
  if (flags.resume) {
    if (!existing) throw Error::usage("nothing to resume", "no unfinished rolling restart is recorded in " + path.string());
    return *existing;
  }
  if (existing && !flags.fresh) {
    std::string why = "started " + existing->started_at + ", " + std::to_string(existing->done.size()) + " step(s) done";
    if (!existing->paused.empty()) why += ", " + std::to_string(existing->paused.size()) + " connector(s) left paused";
    throw Error::usage("an earlier rolling restart did not finish", why,
                       "continue it with --resume, or start over with --fresh (connectors it paused are still resumed)");
  }
  ops::RollingJournal journal;
  journal.mode = mode;
  journal.started_at = format_timestamp(WallClock::now());
  if (existing) journal.paused = existing->paused;
  return journal;
}

ExitCode finish_run(AppContext& context, const std::string& mode, const ops::RollingOutcome& outcome,
                    const std::filesystem::path& journal_path, const ops::EventSink& emit) {
  if (outcome.ok) {
    std::error_code ec;
    std::filesystem::remove(journal_path, ec);
    emit({WallClock::now(), "done", "", "ok", ""});
    return ExitCode::Ok;
  }
  std::string detail = outcome.error;
  if (!outcome.left_paused.empty()) {
    detail += "; still paused: ";
    for (std::size_t i = 0; i < outcome.left_paused.size(); ++i) detail += (i ? ", " : "") + outcome.left_paused[i];
  }
  emit({WallClock::now(), "done", "", outcome.interrupted ? "interrupted" : "failed", detail});
  std::string hint = "continue with: cdcctl restart rolling " + mode + " --resume (progress is kept in " +
                     journal_path.string() + ")";
  if (!outcome.hint.empty()) hint = outcome.hint + "; then " + hint;
  if (outcome.interrupted) {
    context.logger().warn("interrupted; " + hint);
    return ExitCode::Interrupted;
  }
  throw Error::failed("rolling restart stopped", detail, hint);
}

ExitCode roll_connectors(AppContext& context, const RollingFlags& flags) {
  check_format(context);
  const auto wait_timeout = positive(flags.wait_timeout, "--wait-timeout");
  const auto poll = positive(flags.poll_interval, "--poll-interval");
  const auto settings = context.settings();
  ops::ConnectSession session(settings, context.logger());
  auto& client = session.client();
  const auto journal_path = ops::default_journal_path(context.io.env, "connectors", settings.context_name);
  auto journal = open_journal(journal_path, "connectors", flags);
  std::vector<std::string> names;
  if (flags.selection.given()) names = ops::select_connectors(client, flags.selection.selection());
  else if (flags.resume) names = journal.planned;
  else throw Error::usage("no connectors named", {}, "name them, or use -e REGEX or --all");
  journal.planned = names;

  if (flags.dry_run) {
    std::size_t index = 0;
    for (const auto& name : names) {
      ++index;
      *context.io.out << index << ". " << name
                      << (std::find(journal.done.begin(), journal.done.end(), name) != journal.done.end()
                              ? ": skip, done by the interrupted run"
                              : ": restart with its tasks, wait until RUNNING (up to " + flags.wait_timeout + ")")
                      << "\n";
    }
    return ExitCode::Ok;
  }
  if (!context.confirm("restart " + std::to_string(names.size()) + " connector(s) one at a time", flags.yes)) {
    return ExitCode::Failed;
  }
  const InterruptGuard interrupts;
  const auto emit = event_printer(context);
  const auto outcome = ops::roll_connectors(
      client, {.connectors = names, .wait_timeout = wait_timeout, .poll_interval = poll}, journal,
      [&](const ops::RollingJournal& j) { ops::save_journal(journal_path, j); }, emit);
  return finish_run(context, "connectors", outcome, journal_path, emit);
}

ExitCode roll_workers(AppContext& context, const RollingFlags& flags) {
  check_format(context);
  const auto settings = context.settings();
  const auto urls = settings.worker_urls();
  if (urls.empty()) {
    throw Error::usage("no Kafka Connect workers to restart", {}, "pass --workers URL,URL (or --connect-url), or set workers in the context");
  }
  const auto command_line = settings.get("worker-restart-command");
  if (!command_line || command_line->empty()) {
    throw Error::usage("no command to restart a worker with", {},
                       "pass --worker-restart-command, e.g. 'ssh {host} sudo systemctl restart kafka-connect', or "
                       "set worker-restart-command in the context");
  }
  ops::WorkerRollOptions options;
  options.workers = ops::worker_targets(urls, split_command_line(*command_line, "--worker-restart-command"),
                                        "--worker-restart-command");
  options.drain = positive(flags.drain, "--drain", true);
  options.worker_timeout = positive(flags.worker_timeout, "--worker-timeout");
  options.connector_timeout = positive(flags.connector_timeout, "--connector-timeout");
  options.poll_interval = positive(flags.poll_interval, "--poll-interval");
  options.leave_paused = flags.leave_paused;

  ops::ConnectSession session(settings, context.logger());
  auto& cluster = session.client();
  const auto journal_path = ops::default_journal_path(context.io.env, "workers", settings.context_name);
  auto journal = open_journal(journal_path, "workers", flags);
  ops::Selection selection = flags.selection.selection();
  if (!flags.selection.given()) selection.all = true;  // default: every connector
  options.connectors = ops::select_connectors(cluster, selection);

  if (flags.dry_run) {
    std::size_t index = 0;
    for (const auto& step : ops::worker_plan(options, journal)) *context.io.out << ++index << ". " << mask_url_or_conninfo(step) << "\n";
    return ExitCode::Ok;
  }
  if (!context.confirm("restart " + std::to_string(options.workers.size()) + " Connect worker(s) one at a time, pausing " +
                           std::to_string(options.connectors.size()) + " connector(s)",
                       flags.yes)) {
    return ExitCode::Failed;
  }

  // Each worker alone, with a short timeout: a restarting worker refuses
  // connections and the wait loop asks again.
  http::Client probe_http(ops::http_options(settings, context.logger()));
  const ops::WorkerProbe probe = [&](const std::string& url) -> std::optional<connect::ServerInfo> {
    try {
      connect::Client worker(probe_http, {url}, {.timeout = std::chrono::seconds(2)});
      return worker.server_info();
    } catch (const Error&) {
      return std::nullopt;
    }
  };
  const auto restart_timeout = options.worker_timeout;
  const ops::CommandRunner run = [&](const std::vector<std::string>& argv) {
    CommandOptions command_options;
    command_options.timeout = restart_timeout;
    return run_command(argv, command_options);
  };
  const InterruptGuard interrupts;
  const auto emit = event_printer(context);
  const auto outcome = ops::roll_workers(
      cluster, probe, run, options, journal, [&](const ops::RollingJournal& j) { ops::save_journal(journal_path, j); },
      emit);
  return finish_run(context, "workers", outcome, journal_path, emit);
}

void add_common(CLI::App* command, RollingFlags& flags) {
  command->add_flag("--dry-run", flags.dry_run, "print the steps and change nothing");
  command->add_flag("-y,--yes", flags.yes, "do not ask for confirmation (required when not on a terminal)");
  command->add_flag("--resume", flags.resume, "continue an interrupted rolling restart, skipping what it finished");
  command->add_flag("--fresh", flags.fresh, "forget an interrupted run's progress and start over");
  command->add_option("--poll-interval", flags.poll_interval, "how often to check progress (default 1s)")
      ->type_name("DURATION");
}

}  // namespace

void add_restart_commands(CLI::App& app, AppContext& context) {
  auto* group = app.add_subcommand("restart", "Rolling restarts of connectors or Kafka Connect workers");
  group->require_subcommand(1);
  auto* rolling = group->add_subcommand("rolling", "Restart connectors or workers one at a time, resumably");
  rolling->require_subcommand(1);

  auto connector_flags = std::make_shared<RollingFlags>();
  auto* connectors = rolling->add_subcommand("connectors", "Restart each connector with its tasks, one at a time");
  add_selection(connectors, context, connector_flags->selection);
  add_common(connectors, *connector_flags);
  connectors->add_option("--wait-timeout", connector_flags->wait_timeout,
                         "how long to wait for each connector to be RUNNING again (default 5m)")
      ->type_name("DURATION");
  context.document(connectors,
                   "Restarts the selected connectors one at a time (POST /connectors/NAME/restart?includeTasks=true) "
                   "and waits until each one and all its tasks are RUNNING before the next. A connector that does "
                   "not come back (a task FAILED, or --wait-timeout passes) stops the run with its trace. Paused "
                   "and stopped connectors are left as they are.\n"
                   "\n"
                   "Progress is recorded in $XDG_STATE_HOME/cdcctl/rolling-restart-MODE-CONTEXT.json after each "
                   "connector; after Ctrl-C (exit 130) or a failure, --resume continues with the next one.",
                   {"cdcctl restart rolling connectors --all --yes", "cdcctl restart rolling connectors -e 'inventory-.*' --dry-run",
                    "cdcctl restart rolling connectors --resume --yes"});
  connectors->callback([&context, connector_flags] {
    context.action = [&context, connector_flags] { return roll_connectors(context, *connector_flags); };
  });

  auto worker_flags = std::make_shared<RollingFlags>();
  auto* workers = rolling->add_subcommand("workers", "Pause connectors, restart each Connect worker in turn, resume");
  add_selection(workers, context, worker_flags->selection);
  add_common(workers, *worker_flags);
  workers->add_option("--drain", worker_flags->drain, "wait after pausing, before the first restart (default 30s)")
      ->type_name("DURATION");
  workers->add_option("--worker-timeout", worker_flags->worker_timeout,
                      "per worker: how long the restart command and the cluster's recovery may take (default 5m)")
      ->type_name("DURATION");
  workers->add_option("--connector-timeout", worker_flags->connector_timeout,
                      "how long pausing and resuming the connectors may take (default 2m)")
      ->type_name("DURATION");
  workers->add_flag("--leave-paused", worker_flags->leave_paused,
                    "do not resume the connectors at the end, nor after a failure or Ctrl-C");
  context.document(
      workers,
      "The rolling restart of a Kafka Connect cluster's workers. Steps: pause the selected connectors (default: "
      "all) that are RUNNING and wait until PAUSED; wait --drain; then for each worker of the workers list "
      "(--workers, else --connect-url): run --worker-restart-command with {url}, {host}, {port} and {index} "
      "replaced (split into words, no shell: write sh -c '…' yourself if you need one), wait until that worker "
      "answers GET /, every listed worker answers with the same Kafka cluster id, and no connector or task is "
      "UNASSIGNED; then the next worker. Finally resume the connectors paused by this run and check they are "
      "RUNNING.\n"
      "\n"
      "A worker that leaves keeps its tasks UNASSIGNED for scheduled.rebalance.max.delay.ms (default 5 minutes); "
      "--worker-timeout must be longer than that, or the run stops.\n"
      "\n"
      "Abort-safe: after Ctrl-C (exit 130) or a failed step, the connectors this run paused are resumed unless "
      "--leave-paused (a second Ctrl-C exits at once and leaves them paused). Progress is recorded after each "
      "step in $XDG_STATE_HOME/cdcctl/rolling-restart-MODE-CONTEXT.json: --resume skips the workers already restarted; "
      "a new run refuses to start while a journal exists, unless --resume or --fresh.",
      {"cdcctl restart rolling workers --worker-restart-command 'ssh {host} sudo systemctl restart kafka-connect' --dry-run",
       "cdcctl restart rolling workers --workers http://c1:8083,http://c2:8083 --drain 1m --yes -o json",
       "cdcctl restart rolling workers --resume --yes"});
  workers->callback([&context, worker_flags] {
    context.action = [&context, worker_flags] { return roll_workers(context, *worker_flags); };
  });
  context.document(group, "Rolling restarts: see cdcctl restart rolling connectors and cdcctl restart rolling workers.");
  context.document(rolling, "Restart connectors or workers one at a time, resumably and abort-safely.");
}

}  // namespace cdcctl::app
