// cdcctl connectors …: list, describe, config, tasks, and the lifecycle
// verbs (pause, resume, stop, restart, restart-task, delete) with --wait.
#include <nlohmann/json.hpp>

#include "app.hpp"
#include "core/error.hpp"
#include "core/secrets.hpp"
#include "core/units.hpp"
#include "ops/connect_session.hpp"
#include "ops/connectors.hpp"

namespace cdcctl::app {

namespace {

const output::ValueCompletion kConnectorNames{.dynamic_args = "connectors list -o name"};

struct SelectionFlags {
  std::vector<std::string> names;
  std::string regex;
  bool all = false;
  ops::Selection selection() const {
    return {names, regex.empty() ? std::nullopt : std::optional<std::string>(regex), all};
  }
};

struct WaitFlags {
  bool wait = false;
  std::string timeout = "2m";
};

void add_selection(CLI::App* command, AppContext& context, SelectionFlags& flags, bool allow_all = true) {
  auto* names = command->add_option("names", flags.names, "connector names");
  context.completions[names] = kConnectorNames;
  command->add_option("-e,--regex", flags.regex, "every connector whose whole name matches this regular expression")
      ->type_name("REGEX");
  if (allow_all) command->add_flag("--all", flags.all, "every connector of the cluster");
}

void add_wait(CLI::App* command, WaitFlags& flags, std::string_view what) {
  command->add_flag("--wait", flags.wait, "wait until " + std::string(what) + "; exit 1 naming any that did not");
  command->add_option("--wait-timeout", flags.timeout, "how long --wait waits (default 2m)")->type_name("DURATION");
}

// Waits when asked; throws Error (failed) naming every connector that did
// not reach the target, with what it showed last.
void wait_if_asked(AppContext& context, connect::Client& client, const WaitFlags& flags,
                   const std::vector<std::string>& names, ops::Target target) {
  if (!flags.wait || names.empty()) return;
  const auto timeout = parse_duration(flags.timeout);
  const auto result = ops::wait_for(client, names, target, timeout);
  for (const auto& name : result.reached) {
    if (!context.flags.quiet) context.logger().info(name + ": " + std::string(ops::target_name(target)));
  }
  if (result.not_reached.empty()) return;
  std::string why;
  for (const auto& [name, state] : result.not_reached) why += (why.empty() ? "" : "; ") + name + ": " + state;
  throw Error::failed(std::to_string(result.not_reached.size()) + " of " + std::to_string(names.size()) +
                          " connector" + (names.size() == 1 ? "" : "s") + " did not reach " +
                          std::string(ops::target_name(target)) + " within " + flags.timeout,
                      why, "see the whole trace with: cdcctl connectors describe NAME --trace");
}

// One line per connector acted on: "orders: paused" (JSON: name + result).
void report(AppContext& context, const std::vector<std::pair<std::string, std::string>>& results) {
  output::Document document;
  document.table.columns = {{"NAME"}, {"RESULT"}};
  document.data = nlohmann::json::array();
  for (const auto& [name, result] : results) {
    document.table.rows.push_back({name, result});
    document.data.push_back({{"name", name}, {"result", result}});
    document.names.push_back(name);
  }
  if (context.format() == output::Format::Table || context.format() == output::Format::Wide) {
    if (context.flags.quiet) return;
    for (const auto& [name, result] : results) *context.io.out << name << ": " << result << "\n";
    return;
  }
  output::render(document, context.format(), context.table_options(), *context.io.out);
}

std::string joined_ids(const std::vector<int>& ids) {
  std::string text;
  for (int id : ids) text += (text.empty() ? "" : ",") + std::to_string(id);
  return text;
}

ExitCode list(AppContext& context, const ops::ConnectorFilter& filter) {
  ops::ConnectSession session(context.settings(), context.logger());
  const auto overviews = ops::filter_connectors(session.client().connectors(true, true), filter);
  output::Document document;
  document.table.columns = {{"NAME"},         {"TYPE", false, false, false}, {"STATE", false, false, false},
                            {"TASKS", false, true, false}, {"FAILED TASKS"}, {"CLASS"}, {"WORKER", true}};
  document.data = nlohmann::json::array();
  for (const auto& overview : overviews) {
    const auto summary = ops::summarize(overview);
    const bool failing = !summary.failed_tasks.empty();
    document.table.rows.push_back(
        {summary.name, summary.type, {summary.state, output::state_color(summary.state)},
         {std::to_string(summary.running_tasks) + "/" + std::to_string(summary.total_tasks),
          failing ? output::Color::Red : output::Color::None},
         {joined_ids(summary.failed_tasks), output::Color::Red}, summary.connector_class, summary.worker_id});
    document.data.push_back(ops::to_json(summary));
    document.names.push_back(summary.name);
  }
  output::render(document, context.format(), context.table_options(), *context.io.out);
  return ExitCode::Ok;
}

nlohmann::json describe_one(connect::Client& client, const std::string& name, bool full_trace, bool show_secrets) {
  const auto info = client.connector(name);
  const auto status = client.status(name);
  std::vector<std::string> topics;
  try {
    topics = client.topics(name);
  } catch (const Error&) {
    // Topic tracking may be disabled on the worker: describe still works.
  }
  auto trace = [&](const std::string& text) -> nlohmann::json {
    if (text.empty()) return nullptr;
    return full_trace ? text : ops::first_line(text);
  };
  nlohmann::json tasks = nlohmann::json::array();
  for (const auto& task : status.tasks) {
    tasks.push_back({{"id", task.id}, {"state", task.state}, {"worker_id", task.worker_id}, {"trace", trace(task.trace)}});
  }
  auto config = connect::config_to_json(info.config);
  return {{"name", name},
          {"type", info.type},
          {"class", info.config.contains("connector.class") ? info.config.at("connector.class") : ""},
          {"state", status.state},
          {"worker_id", status.worker_id},
          {"trace", trace(status.trace)},
          {"tasks", tasks},
          {"topics", topics},
          {"config", show_secrets ? config : mask_secrets(config)}};
}

ExitCode describe(AppContext& context, const std::vector<std::string>& names, bool full_trace) {
  ops::ConnectSession session(context.settings(), context.logger());
  auto& client = session.client();
  nlohmann::json all = nlohmann::json::array();
  for (const auto& name : names) all.push_back(describe_one(client, name, full_trace, context.flags.show_secrets));
  const auto format = context.format();
  if (format == output::Format::Json || format == output::Format::Yaml) {
    output::render({.data = all}, format, context.table_options(), *context.io.out);
    return ExitCode::Ok;
  }
  if (format == output::Format::Name) {
    for (const auto& item : all) *context.io.out << item["name"].get<std::string>() << "\n";
    return ExitCode::Ok;
  }
  auto& out = *context.io.out;
  const auto options = context.table_options();
  bool first = true;
  for (const auto& item : all) {
    if (!first) out << "\n";
    first = false;
    const auto state = item["state"].get<std::string>();
    out << "Name:     " << item["name"].get<std::string>() << "\n"
        << "Type:     " << item["type"].get<std::string>() << "\n"
        << "Class:    " << item["class"].get<std::string>() << "\n"
        << "State:    " << (options.color ? std::string(output::ansi_code(output::state_color(state))) + state + "\033[0m" : state)
        << "\n"
        << "Worker:   " << item["worker_id"].get<std::string>() << "\n";
    if (!item["trace"].is_null()) out << "Trace:    " << item["trace"].get<std::string>() << "\n";
    std::string topics;
    for (const auto& topic : item["topics"]) topics += (topics.empty() ? "" : ", ") + topic.get<std::string>();
    out << "Topics:   " << (topics.empty() ? "-" : topics) << "\n";
    out << "Tasks:\n";
    output::Document tasks;
    tasks.table.columns = {{"  ID", false, true, false}, {"STATE", false, false, false}, {"WORKER"}, {"TRACE"}};
    for (const auto& task : item["tasks"]) {
      const auto task_state = task["state"].get<std::string>();
      tasks.table.rows.push_back({"  " + std::to_string(task["id"].get<int>()),
                                  {task_state, output::state_color(task_state)}, task["worker_id"].get<std::string>(),
                                  task["trace"].is_null() ? "" : task["trace"].get<std::string>()});
    }
    if (tasks.table.rows.empty()) out << "  (none)\n";
    else output::render_table(tasks.table, options, out);
  }
  return ExitCode::Ok;
}

ExitCode config(AppContext& context, const std::string& name) {
  ops::ConnectSession session(context.settings(), context.logger());
  const auto config = session.client().config(name);
  output::Document document;
  document.table.columns = {{"KEY"}, {"VALUE"}};
  auto json = connect::config_to_json(config);
  if (!context.flags.show_secrets) json = mask_secrets(json);
  for (const auto& [key, value] : json.items()) {
    document.table.rows.push_back({key, value.get<std::string>()});
    document.names.push_back(key);
  }
  document.data = json;
  output::render(document, context.format(), context.table_options(), *context.io.out);
  return ExitCode::Ok;
}

ExitCode tasks(AppContext& context, const std::string& name) {
  ops::ConnectSession session(context.settings(), context.logger());
  const auto status = session.client().status(name);
  output::Document document;
  document.table.columns = {{"TASK", false, true, false}, {"STATE", false, false, false}, {"WORKER"}, {"TRACE"}};
  document.data = nlohmann::json::array();
  for (const auto& task : status.tasks) {
    document.table.rows.push_back({std::to_string(task.id), {task.state, output::state_color(task.state)},
                                   task.worker_id, ops::first_line(task.trace)});
    document.data.push_back({{"id", task.id},
                             {"state", task.state},
                             {"worker_id", task.worker_id},
                             {"trace", task.trace.empty() ? nlohmann::json(nullptr) : nlohmann::json(task.trace)}});
    document.names.push_back(std::to_string(task.id));
  }
  output::render(document, context.format(), context.table_options(), *context.io.out);
  return ExitCode::Ok;
}

enum class Lifecycle { Pause, Resume, Stop };

ExitCode lifecycle(AppContext& context, Lifecycle action, const SelectionFlags& selection, const WaitFlags& wait) {
  ops::ConnectSession session(context.settings(), context.logger());
  auto& client = session.client();
  const auto names = ops::select_connectors(client, selection.selection());
  std::vector<std::pair<std::string, std::string>> results;
  for (const auto& name : names) {
    switch (action) {
      case Lifecycle::Pause: client.pause(name); results.emplace_back(name, "pause requested"); break;
      case Lifecycle::Resume: client.resume(name); results.emplace_back(name, "resume requested"); break;
      case Lifecycle::Stop: client.stop(name); results.emplace_back(name, "stopped"); break;
    }
  }
  report(context, results);
  const auto target = action == Lifecycle::Pause  ? ops::Target::Paused
                      : action == Lifecycle::Stop ? ops::Target::Stopped
                                                  : ops::Target::Running;
  wait_if_asked(context, client, wait, names, target);
  return ExitCode::Ok;
}

struct RestartFlags {
  SelectionFlags selection;
  bool include_tasks = false;
  bool only_failed = false;
  WaitFlags wait;
};

ExitCode restart(AppContext& context, const RestartFlags& flags) {
  ops::ConnectSession session(context.settings(), context.logger());
  auto& client = session.client();
  const auto names = ops::select_connectors(client, flags.selection.selection());
  std::vector<std::pair<std::string, std::string>> results;
  for (const auto& name : names) {
    const auto plan = client.restart(name, flags.include_tasks, flags.only_failed);
    if (!plan) {
      results.emplace_back(name, "connector restarted");
      continue;
    }
    std::vector<int> restarting;
    for (const auto& task : plan->tasks) {
      if (task.state == "RESTARTING") restarting.push_back(task.id);
    }
    const bool connector = plan->state == "RESTARTING";
    std::string result;
    if (connector) result = "connector";
    if (!restarting.empty()) {
      result += std::string(result.empty() ? "" : " and ") + (restarting.size() == 1 ? "task " : "tasks ") +
                joined_ids(restarting);
    }
    results.emplace_back(name, result.empty() ? "nothing to restart (no failed connector or task)"
                                              : "restarting " + result);
  }
  report(context, results);
  wait_if_asked(context, client, flags.wait, names, ops::Target::Running);
  return ExitCode::Ok;
}

ExitCode restart_task(AppContext& context, const std::string& name, int task, const WaitFlags& wait) {
  ops::ConnectSession session(context.settings(), context.logger());
  auto& client = session.client();
  client.restart_task(name, task);
  report(context, {{name, "task " + std::to_string(task) + " restarted"}});
  wait_if_asked(context, client, wait, {name}, ops::Target::Running);
  return ExitCode::Ok;
}

struct DeleteFlags {
  SelectionFlags selection;
  bool yes = false;
  bool dry_run = false;
  WaitFlags wait;
};

ExitCode remove(AppContext& context, const DeleteFlags& flags) {
  ops::ConnectSession session(context.settings(), context.logger());
  auto& client = session.client();
  const auto names = ops::select_connectors(client, flags.selection.selection());
  std::string list;
  for (const auto& name : names) list += (list.empty() ? "" : ", ") + name;
  if (flags.dry_run) {
    *context.io.out << "Would delete " << names.size() << " connector" << (names.size() == 1 ? "" : "s") << ": "
                    << list << " (dry run: nothing changed).\n"
                    << "Their offsets stay in the offsets topic; a connector created again with the same name resumes "
                       "from them.\n";
    return ExitCode::Ok;
  }
  if (!context.confirm("delete connector" + std::string(names.size() == 1 ? " " : "s ") + list +
                           " from " + client.current_url(),
                       flags.yes)) {
    *context.io.err << "Nothing deleted.\n";
    return ExitCode::Failed;
  }
  std::vector<std::pair<std::string, std::string>> results;
  for (const auto& name : names) {
    client.delete_connector(name);
    results.emplace_back(name, "deleted");
  }
  report(context, results);
  wait_if_asked(context, client, flags.wait, names, ops::Target::Gone);
  return ExitCode::Ok;
}

}  // namespace

void add_connectors_commands(CLI::App& app, AppContext& context) {
  auto* group = app.add_subcommand("connectors", "Inspect and operate Kafka Connect connectors");
  group->alias("connector");
  group->require_subcommand(1);
  context.document(group,
                   "Everything about the connectors of a Kafka Connect cluster: list and describe them, show their "
                   "config and tasks, pause, resume, stop, restart and delete them, and wait until they get where "
                   "they should. Requests are retried while the cluster rebalances, within --timeout.",
                   {"cdcctl connectors list --state FAILED", "cdcctl connectors describe orders-source",
                    "cdcctl connectors restart -e 'orders-.*' --only-failed --include-tasks --wait"});

  // list
  auto* list_cmd = group->add_subcommand("list", "List connectors with their state and tasks (one request)");
  list_cmd->alias("ls");
  auto filter = std::make_shared<std::pair<ops::ConnectorFilter, std::array<std::string, 3>>>();
  list_cmd->add_option("-e,--regex", filter->second[0], "only connectors whose whole name matches")->type_name("REGEX");
  auto* state_option = list_cmd->add_option("--state", filter->second[1],
                                            "only connectors with the connector or a task in this state")
                           ->type_name("STATE");
  context.completions[state_option] = {.choices = {"RUNNING", "PAUSED", "STOPPED", "FAILED", "UNASSIGNED", "RESTARTING"}};
  auto* type_option = list_cmd->add_option("--type", filter->second[2], "only source or sink connectors")->type_name("TYPE");
  context.completions[type_option] = {.choices = {"source", "sink"}};
  context.document(list_cmd,
                   "Lists every connector with its type, state, running/total tasks, the ids of failed tasks and its "
                   "class, from one request (GET /connectors?expand=status&expand=info). -o wide adds the worker; "
                   "-o json gives every task's state and the first line of each trace.",
                   {"cdcctl connectors list", "cdcctl connectors list --state FAILED -o name",
                    "cdcctl connectors list -e 'inventory-.*' --type sink -o json"});
  list_cmd->callback([&context, filter] {
    context.action = [&context, filter] {
      auto& [f, raw] = *filter;
      if (!raw[0].empty()) f.regex = raw[0];
      if (!raw[1].empty()) f.state = raw[1];
      if (!raw[2].empty()) {
        if (raw[2] != "source" && raw[2] != "sink") throw Error::usage("--type must be source or sink");
        f.type = raw[2];
      }
      return list(context, f);
    };
  });

  // describe
  auto* describe_cmd = group->add_subcommand("describe", "Show a connector's state, tasks, topics and config");
  auto describe_names = std::make_shared<std::vector<std::string>>();
  auto describe_trace = std::make_shared<bool>(false);
  auto* describe_arg = describe_cmd->add_option("names", *describe_names, "connectors to describe")->required();
  context.completions[describe_arg] = kConnectorNames;
  describe_cmd->add_flag("--trace", *describe_trace, "show whole stack traces, not their first line");
  context.document(describe_cmd,
                   "Shows each connector's class, state and worker, every task with its state, worker and the first "
                   "line of its trace (--trace for the whole), and its active topics. -o json gives everything, "
                   "config included (secrets masked unless --show-secrets).",
                   {"cdcctl connectors describe orders-source", "cdcctl connectors describe orders-source --trace",
                    "cdcctl connectors describe a b -o json"});
  describe_cmd->callback([&context, describe_names, describe_trace] {
    context.action = [&context, describe_names, describe_trace] {
      return describe(context, *describe_names, *describe_trace);
    };
  });

  // config
  auto* config_cmd = group->add_subcommand("config", "Show a connector's configuration (secrets masked)");
  auto config_name = std::make_shared<std::string>();
  context.completions[config_cmd->add_option("name", *config_name, "connector")->required()] = kConnectorNames;
  context.document(config_cmd,
                   "Shows the connector's live configuration. Values of keys naming secrets (password, secret, token, "
                   "sasl.jaas.config, ...) are shown as ******** unless --show-secrets.",
                   {"cdcctl connectors config orders-source", "cdcctl connectors config orders-source -o json"});
  config_cmd->callback([&context, config_name] {
    context.action = [&context, config_name] { return config(context, *config_name); };
  });

  // tasks
  auto* tasks_cmd = group->add_subcommand("tasks", "Show a connector's tasks: state, worker, trace");
  auto tasks_name = std::make_shared<std::string>();
  context.completions[tasks_cmd->add_option("name", *tasks_name, "connector")->required()] = kConnectorNames;
  context.document(tasks_cmd, "Shows each task's state, worker and the first line of its trace (-o json: the whole).",
                   {"cdcctl connectors tasks orders-source"});
  tasks_cmd->callback([&context, tasks_name] {
    context.action = [&context, tasks_name] { return tasks(context, *tasks_name); };
  });

  // pause / resume / stop
  struct LifecycleSpec {
    const char* name;
    const char* description;
    const char* target;
    Lifecycle action;
    const char* details;
  };
  const LifecycleSpec specs[] = {
      {"pause", "Pause connectors and their tasks", "every connector and task is PAUSED", Lifecycle::Pause,
       "Pauses the connectors (PUT /pause): their tasks stop processing but keep their assignment and offsets. "
       "The request is asynchronous: add --wait to return once they are PAUSED."},
      {"resume", "Resume paused or stopped connectors", "every connector and task is RUNNING", Lifecycle::Resume,
       "Resumes paused or stopped connectors (PUT /resume). The request is asynchronous: add --wait to return once "
       "the connector and all its tasks are RUNNING; a task that fails meanwhile ends the wait with its trace."},
      {"stop", "Stop connectors (tasks shut down, needed before offsets can change)", "every connector is STOPPED",
       Lifecycle::Stop,
       "Stops the connectors (PUT /stop, Kafka Connect 3.5+): tasks are shut down and removed, the config is kept. "
       "A stopped connector is what resetting or altering offsets requires (PAUSED is not enough)."},
  };
  for (const auto& spec : specs) {
    auto* command = group->add_subcommand(spec.name, spec.description);
    auto selection = std::make_shared<SelectionFlags>();
    auto wait = std::make_shared<WaitFlags>();
    add_selection(command, context, *selection);
    add_wait(command, *wait, spec.target);
    context.document(command, spec.details,
                     {std::string("cdcctl connectors ") + spec.name + " orders-source --wait",
                      std::string("cdcctl connectors ") + spec.name + " -e 'orders-.*'"});
    const Lifecycle action = spec.action;
    command->callback([&context, selection, wait, action] {
      context.action = [&context, selection, wait, action] { return lifecycle(context, action, *selection, *wait); };
    });
  }

  // restart
  auto* restart_cmd = group->add_subcommand("restart", "Restart connectors (and their tasks, or only the failed ones)");
  auto restart_flags = std::make_shared<RestartFlags>();
  add_selection(restart_cmd, context, restart_flags->selection);
  restart_cmd->add_flag("--include-tasks", restart_flags->include_tasks, "restart the tasks too");
  restart_cmd->add_flag("--only-failed", restart_flags->only_failed, "restart only what is FAILED");
  add_wait(restart_cmd, restart_flags->wait, "the connector and all its tasks are RUNNING");
  context.document(restart_cmd,
                   "Restarts connectors (POST /restart). With --include-tasks the tasks are restarted too; with "
                   "--only-failed only a failed connector instance and failed tasks are (KIP-745, Kafka Connect 3.0+). "
                   "Reports what was restarted.",
                   {"cdcctl connectors restart orders-source --include-tasks --only-failed --wait",
                    "cdcctl connectors restart --all --only-failed --include-tasks"});
  restart_cmd->callback([&context, restart_flags] {
    context.action = [&context, restart_flags] { return restart(context, *restart_flags); };
  });

  // restart-task
  auto* task_cmd = group->add_subcommand("restart-task", "Restart one task of a connector");
  auto task_name = std::make_shared<std::string>();
  auto task_id = std::make_shared<int>(0);
  auto task_wait = std::make_shared<WaitFlags>();
  context.completions[task_cmd->add_option("name", *task_name, "connector")->required()] = kConnectorNames;
  task_cmd->add_option("task", *task_id, "task number")->required()->check(CLI::NonNegativeNumber);
  add_wait(task_cmd, *task_wait, "the connector and all its tasks are RUNNING");
  context.document(task_cmd, "Restarts one task (POST /connectors/NAME/tasks/TASK/restart).",
                   {"cdcctl connectors restart-task orders-source 2 --wait"});
  task_cmd->callback([&context, task_name, task_id, task_wait] {
    context.action = [&context, task_name, task_id, task_wait] {
      return restart_task(context, *task_name, *task_id, *task_wait);
    };
  });

  // delete
  auto* delete_cmd = group->add_subcommand("delete", "Delete connectors (asks first)");
  delete_cmd->alias("rm");
  auto delete_flags = std::make_shared<DeleteFlags>();
  add_selection(delete_cmd, context, delete_flags->selection, false);
  delete_cmd->add_flag("-y,--yes", delete_flags->yes, "do not ask for confirmation");
  delete_cmd->add_flag("--dry-run", delete_flags->dry_run, "show what would be deleted and change nothing");
  add_wait(delete_cmd, delete_flags->wait, "the connectors are gone");
  context.document(delete_cmd,
                   "Deletes connectors. Asks on a terminal; elsewhere --yes is required. Offsets stay in the offsets "
                   "topic, so a connector created again with the same name resumes where it was.",
                   {"cdcctl connectors delete old-orders --dry-run", "cdcctl connectors delete -e 'test-.*' --yes --wait"});
  delete_cmd->callback([&context, delete_flags] {
    context.action = [&context, delete_flags] { return remove(context, *delete_flags); };
  });
}

}  // namespace cdcctl::app
