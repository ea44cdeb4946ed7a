// cdcctl health: one request per cluster, a verdict a cron job can trust,
// failed-task recovery with memory between runs, Prometheus and notify glue.
#include <future>

#include "app.hpp"
#include "core/error.hpp"
#include "core/prometheus.hpp"
#include "core/files.hpp"
#include "core/secrets.hpp"
#include "core/subprocess.hpp"
#include "core/units.hpp"
#include "ops/connect_session.hpp"
#include "ops/health.hpp"

namespace cdcctl::app {

namespace {

struct HealthFlags {
  std::string regex;
  std::string type;
  bool all_contexts = false;
  std::string expect_running;
  bool restart_failed = false;
  int max_restarts = 3;
  std::string window = "1h";
  std::string restart_delay = "1m";
  std::string escalate_after = "10m";
  std::string state_file;
  bool no_state = false;
  std::string prometheus;
  std::string notify_command;
  bool notify_shell = false;
};

// The clusters to check: --all-contexts, --context a,b (or CDCCTL_CONTEXT),
// or the one the settings resolve to. nullopt stands for "the resolved one".
std::vector<std::optional<std::string>> contexts_to_check(const AppContext& context, const HealthFlags& flags) {
  if (flags.all_contexts) {
    if (!context.flags.context.empty()) throw Error::usage("--all-contexts and --context cannot be combined");
    const auto names = context.context_names();
    if (names.empty()) {
      throw Error::usage("no contexts to check", "the contexts file " + context.config_path().string() + " has none",
                         "create one with: cdcctl context set NAME --connect-url URL");
    }
    return {names.begin(), names.end()};
  }
  std::string given = context.flags.context;
  if (given.empty()) given = context.io.env("CDCCTL_CONTEXT").value_or("");
  const auto names = split_list(given);
  if (names.size() <= 1) return {std::nullopt};
  return {names.begin(), names.end()};
}

ops::HealthPolicy policy_from(const HealthFlags& flags) {
  ops::HealthPolicy policy;
  if (!flags.regex.empty()) policy.filter.regex = flags.regex;
  if (!flags.type.empty()) {
    if (flags.type != "source" && flags.type != "sink") throw Error::usage("--type must be source or sink");
    policy.filter.type = flags.type;
  }
  if (!flags.expect_running.empty()) policy.expect_running = flags.expect_running;
  policy.restart_failed = flags.restart_failed;
  if (flags.max_restarts < 1) throw Error::usage("--max-restarts must be at least 1");
  policy.max_restarts = flags.max_restarts;
  auto seconds = [](const std::string& text, const char* flag) {
    const auto value = std::chrono::duration_cast<std::chrono::seconds>(parse_duration(text));
    if (value.count() < 0) throw Error::usage(std::string(flag) + " must not be negative");
    return value;
  };
  policy.window = seconds(flags.window, "--window");
  policy.restart_delay = seconds(flags.restart_delay, "--restart-delay");
  policy.escalate_after = seconds(flags.escalate_after, "--escalate-after");
  if (policy.window.count() == 0) throw Error::usage("--window must be longer than 0s");
  return policy;
}

struct Fetched {
  Settings settings;
  std::vector<connect::ConnectorOverview> connectors{};
  std::string error{};
};

// Reads every connector with status and info in one request per cluster,
// all clusters at once so one slow cluster does not delay the others.
std::vector<Fetched> fetch_all(const AppContext& context, const std::vector<std::optional<std::string>>& names) {
  std::vector<Fetched> fetched;
  for (const auto& name : names) {
    fetched.push_back({name ? context.settings_for(*name) : context.settings()});
    if (fetched.back().settings.connect_urls().empty()) {
      throw Error::usage("no Kafka Connect URL for context " +
                             (fetched.back().settings.context_name.empty() ? std::string("(none)")
                                                                           : fetched.back().settings.context_name),
                         {}, "pass --connect-url or set connect-url in the context");
    }
  }
  // The logger is created on first use: do that here, not in two threads at once.
  const Logger& logger = context.logger();
  std::vector<std::future<void>> running;
  for (auto& entry : fetched) {
    running.push_back(std::async(std::launch::async, [&entry, &logger] {
      try {
        ops::ConnectSession session(entry.settings, logger);
        entry.connectors = session.client().connectors(true, true);
      } catch (const Error& error) {
        entry.error = error.detail();
      }
    }));
  }
  for (auto& future : running) future.get();
  return fetched;
}

std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ",") + item;
  return text;
}

// Traces and transport errors can quote URLs with credentials (JDBC URLs,
// user:pass@ workers): masked like everything else unless --show-secrets.
void mask_secrets_in(ops::ContextHealth& health) {
  auto mask_unit = [](ops::UnitHealth& unit) {
    unit.trace = mask_url_or_conninfo(unit.trace);
    unit.message = mask_url_or_conninfo(unit.message);
    unit.restart_error = mask_url_or_conninfo(unit.restart_error);
  };
  for (auto& connector : health.connectors) {
    mask_unit(connector.connector);
    for (auto& task : connector.tasks) mask_unit(task);
  }
}

std::string context_label(const Settings& settings) {
  return settings.context_name.empty() ? "default" : settings.context_name;
}

output::Document health_document(const ops::HealthReport& report, bool wide) {
  output::Document document;
  const bool several = report.contexts.size() > 1;
  document.table.columns = {{"CONTEXT"}, {"CONNECTOR"}, {"TASK", false, true, false}, {"STATE", false, false, false},
                            {"HEALTH", false, false, false}, {"SINCE", false, false, false},
                            {"RESTARTS", false, true, false}, {"WORKER", true}, {"DETAIL"}};
  if (!several) document.table.columns[0].wide_only = true;
  const auto now = report.checked_at;
  auto row = [&](const std::string& context_name, const std::string& connector, const ops::UnitHealth& unit) {
    const std::string status(check_status_name(unit.status));
    const std::string since = unit.failing_since ? format_duration(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                       std::chrono::floor<std::chrono::seconds>(now - *unit.failing_since)))
                                                 : "";
    std::string detail = unit.message;
    if (!unit.trace.empty()) detail += (detail.empty() ? "" : ": ") + unit.trace;
    document.table.rows.push_back({context_name, connector, unit.task ? std::to_string(*unit.task) : "-",
                                   {unit.state, output::state_color(unit.state)}, {status, output::state_color(status)},
                                   since, std::to_string(unit.restarts_in_window), unit.worker_id, detail});
  };
  for (const auto& context : report.contexts) {
    if (!context.reachable) {
      document.table.rows.push_back({context.name, "-", "-", "", {"UNKNOWN", output::state_color("UNKNOWN")}, "", "",
                                     context.url, context.error});
      continue;
    }
    for (const auto& connector : context.connectors) {
      if (wide || connector.connector.status != CheckStatus::Ok) row(context.name, connector.name, connector.connector);
      for (const auto& task : connector.tasks) {
        if (wide || task.status != CheckStatus::Ok) row(context.name, connector.name, task);
      }
      if (connector.status != CheckStatus::Ok) document.names.push_back(connector.name);
    }
  }
  document.data = ops::to_json(report);
  return document;
}

// Runs the user's hook with the report on stdin when the verdict changed.
// Returns false when the hook failed, so the next run tries again.
bool notify(const AppContext& context, const HealthFlags& flags, const ops::HealthReport& report,
            std::optional<CheckStatus> previous, std::chrono::milliseconds timeout) {
  const auto argv = flags.notify_shell ? shell_command(flags.notify_command)
                                       : split_command_line(flags.notify_command, "--notify-command");
  nlohmann::json document = ops::to_json(report);
  document["previous_status"] = previous ? nlohmann::json(std::string(check_status_name(*previous))) : nlohmann::json("OK");
  CommandOptions options;
  options.stdin_data = document.dump() + "\n";
  options.timeout = timeout;
  options.extra_env = {{"CDCCTL_HEALTH_STATUS", std::string(check_status_name(report.status))},
                       {"CDCCTL_HEALTH_PREVIOUS_STATUS", previous ? std::string(check_status_name(*previous)) : "OK"},
                       {"CDCCTL_HEALTH_SUMMARY", ops::summary_line(report)}};
  context.logger().verbose("verdict changed to " + std::string(check_status_name(report.status)) + ": running " +
                           argv.front());
  try {
    const auto result = run_command(argv, options);
    if (!result.ok()) {
      std::string output = result.output;
      while (!output.empty() && output.back() == '\n') output.pop_back();
      context.logger().warn("--notify-command " + result.describe() + (output.empty() ? "" : ": " + output) +
                            " (it will run again next time)");
      return false;
    }
  } catch (const Error& error) {
    context.logger().warn(error.summary() + ": " + error.why() + " (--notify-command)");
    return false;
  }
  return true;
}

ExitCode health(AppContext& context, const HealthFlags& flags) {
  const ops::HealthPolicy policy = policy_from(flags);
  const auto names = contexts_to_check(context, flags);
  const bool use_state = !flags.no_state;
  if (!use_state && (flags.restart_failed || !flags.notify_command.empty())) {
    throw Error::usage("--no-state cannot be combined with --restart-failed or --notify-command",
                       "both need the memory of earlier runs");
  }
  if (!flags.notify_command.empty() && !flags.notify_shell) split_command_line(flags.notify_command, "--notify-command");
  const auto state_path = flags.state_file.empty() ? ops::default_health_state_path(context.io.env)
                                                   : std::filesystem::path(flags.state_file);
  // Bounds the lock wait and the hook; the first context's --timeout stands for all.
  const auto timeout = (names.front() ? context.settings_for(*names.front()) : context.settings()).timeout();

  // The lock covers read → assess → restart → write, so overlapping runs
  // take turns and the second sees the first one's restarts.
  std::optional<FileLock> lock;
  ops::HealthState state;
  if (use_state) {
    lock.emplace(state_path.string() + ".lock", timeout);
    state = ops::load_health_state(state_path);
  }

  const auto fetched = fetch_all(context, names);
  ops::HealthReport report;
  report.checked_at = WallClock::now();
  for (const auto& entry : fetched) {
    ops::ContextHealth health;
    health.name = context_label(entry.settings);
    const auto urls = entry.settings.connect_urls();
    health.url = mask_url_or_conninfo(urls.empty() ? std::string() : urls.front());
    if (!entry.error.empty()) {
      health.reachable = false;
      health.error = mask_url_or_conninfo(entry.error);
    } else {
      // Without a context name the cluster is known by its URLs, so two cron
      // jobs watching different clusters never share (and erase) memory.
      const std::string key = entry.settings.context_name.empty() ? "connect-url=" + join(urls) : health.name;
      ops::ContextMemory& memory = state.contexts[key];
      health.connectors = ops::assess(entry.connectors, policy, memory, report.checked_at);
      if (policy.restart_failed) {
        ops::ConnectSession session(entry.settings, context.logger());
        ops::restart_due(session.client(), health.connectors, memory, policy, report.checked_at, &context.logger());
      }
      if (memory.connectors.empty()) state.contexts.erase(key);
    }
    if (!context.flags.show_secrets) mask_secrets_in(health);
    report.contexts.push_back(std::move(health));
  }
  ops::finish(report);

  // Saved before the hook runs: the restarts just made are on record even if
  // the hook hangs or cdcctl is killed meanwhile.
  if (use_state) ops::save_health_state(state_path, state);
  if (!flags.notify_command.empty()) {
    const auto previous = state.notified_status.value_or(CheckStatus::Ok);
    if (previous != report.status && notify(context, flags, report, state.notified_status, timeout)) {
      state.notified_status = report.status;
      if (use_state) ops::save_health_state(state_path, state);
    }
  }
  if (!flags.prometheus.empty()) write_prometheus_textfile(flags.prometheus, ops::prometheus_textfile(report));

  const auto format = context.format();
  if (format == output::Format::Table || format == output::Format::Wide) {
    *context.io.out << ops::summary_line(report) << "\n";
    auto document = health_document(report, format == output::Format::Wide);
    if (!document.table.rows.empty()) output::render(document, format, context.table_options(), *context.io.out);
  } else {
    output::render(health_document(report, false), format, context.table_options(), *context.io.out);
  }
  return static_cast<ExitCode>(static_cast<int>(report.status));
}

}  // namespace

void add_health_command(CLI::App& app, AppContext& context) {
  auto* command = app.add_subcommand("health", "Check every connector and task; restart failed ones; exit 0/1/2/3 for monitoring");
  auto flags = std::make_shared<HealthFlags>();
  command->add_option("-e,--regex", flags->regex, "only connectors whose whole name matches")->type_name("REGEX");
  auto* type_option = command->add_option("--type", flags->type, "only source or sink connectors")->type_name("TYPE");
  context.completions[type_option] = {.choices = {"source", "sink"}};
  command->add_flag("--all-contexts", flags->all_contexts, "check the cluster of every context in the contexts file");
  command->add_option("--expect-running", flags->expect_running,
                      "connectors (whole-name regex) that are a WARNING when PAUSED or STOPPED")
      ->type_name("REGEX");
  command->add_flag("--restart-failed", flags->restart_failed,
                    "restart exactly the failed connectors and tasks, with backoff and escalation");
  command->add_option("--max-restarts", flags->max_restarts, "restarts per connector or task within --window (default 3)")
      ->type_name("N");
  command->add_option("--window", flags->window, "period the --max-restarts budget covers (default 1h)")
      ->type_name("DURATION");
  command->add_option("--restart-delay", flags->restart_delay,
                      "wait after the first restart before the next; doubles after each (default 1m)")
      ->type_name("DURATION");
  command->add_option("--escalate-after", flags->escalate_after,
                      "still FAILED (or UNASSIGNED) this long after first seen: CRITICAL (default 10m)")
      ->type_name("DURATION");
  auto* state_option = command->add_option("--state-file", flags->state_file,
                                            "memory between runs (default $XDG_STATE_HOME/cdcctl/health.json)")
                           ->type_name("FILE");
  context.completions[state_option] = {.files = true};
  command->add_flag("--no-state", flags->no_state, "neither read nor write the state file (a read-only look)");
  auto* prometheus_option =
      command->add_option("--prometheus", flags->prometheus, "also write a node_exporter textfile with the metrics")
          ->type_name("FILE");
  context.completions[prometheus_option] = {.files = true};
  command->add_option("--notify-command", flags->notify_command,
                      "run this command with the JSON report on stdin when the verdict changes")
      ->type_name("COMMAND");
  command->add_flag("--notify-shell", flags->notify_shell, "run --notify-command through /bin/sh -c");
  context.document(
      command,
      "Reads every connector with its status in one request per Kafka Connect cluster (GET "
      "/connectors?expand=status&expand=info) and judges each connector instance and task:\n"
      "\n"
      "FAILED is CRITICAL. UNASSIGNED and RESTARTING are WARNING; UNASSIGNED becomes CRITICAL after "
      "--escalate-after. PAUSED or STOPPED is a WARNING for connectors matching --expect-running and fine "
      "otherwise. A cluster that cannot be reached is UNKNOWN.\n"
      "\n"
      "With --restart-failed, failed units are restarted: one KIP-745 restart?includeTasks=true&onlyFailed=true "
      "per connector (Connect 3.0+), or one task restart per failed task on older workers, never a healthy task. "
      "Attempts are remembered in the state file, so successive cron runs back off (--restart-delay, doubling) "
      "and stop after --max-restarts within --window. While restarts are in progress the verdict is WARNING; a "
      "unit still FAILED after --escalate-after, or when the budget is spent, is CRITICAL with a message meant "
      "for the pager. Runs that overlap take turns on a lock beside the state file.\n"
      "\n"
      "The first line of output is the verdict and a summary, as monitoring plugins print it; the table lists "
      "what needs attention (-o wide lists everything). -o json gives the documented report. --prometheus "
      "writes a textfile for node_exporter atomically. --notify-command runs a program (split into words "
      "without a shell unless --notify-shell) with the JSON report on stdin and CDCCTL_HEALTH_STATUS, "
      "CDCCTL_HEALTH_PREVIOUS_STATUS and CDCCTL_HEALTH_SUMMARY in its environment, whenever the verdict differs "
      "from the last one delivered; a failed notification is retried on the next run.\n"
      "\n"
      "Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (a cluster unreachable, or any error, bad flags "
      "included).",
      {"cdcctl health", "cdcctl health --context prod,staging --expect-running 'prod-.*'",
       "cdcctl health --all-contexts --restart-failed --prometheus /var/lib/node_exporter/cdcctl.prom -q",
       "cdcctl health --restart-failed --notify-command 'curl -s -X POST -d @- https://hooks.example/cdc'"});
  command->callback([&context, flags] {
    context.error_exit_code = static_cast<int>(CheckStatus::Unknown);
    context.action = [&context, flags] { return health(context, *flags); };
  });
}

}  // namespace cdcctl::app
