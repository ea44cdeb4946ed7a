// cdcctl connectors …: list, describe, config, tasks, and the lifecycle
// verbs (pause, resume, stop, restart, restart-task, delete) with --wait.
#include <map>

#include <nlohmann/json.hpp>

#include "app.hpp"
#include "selection_flags.hpp"
#include "core/error.hpp"
#include "core/secrets.hpp"
#include "core/units.hpp"
#include "connect/lint.hpp"
#include "connect/templates.hpp"
#include "ops/connect_session.hpp"
#include "ops/connector_files.hpp"
#include "ops/connectors.hpp"

namespace cdcctl::app {

namespace {

struct WaitFlags {
  bool wait = false;
  std::string timeout = "2m";
  // Checked before anything is sent, so a typo cannot act first and fail after.
  void check() const {
    if (wait && parse_duration(timeout).count() <= 0) throw Error::usage("--wait-timeout must be longer than zero");
  }
};

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
                            {"TASKS", false, true, false}, {"FAILED TASKS"}, {"CLASS"}, {"WORKER", true}, {"TOPICS", true}};
  document.data = nlohmann::json::array();
  // Active topics cost one request per connector: only the wide table shows them.
  const bool with_topics = context.format() == output::Format::Wide;
  for (const auto& overview : overviews) {
    const auto summary = ops::summarize(overview);
    std::string topics;
    if (with_topics) {
      try {
        for (const auto& topic : session.client().topics(summary.name)) topics += (topics.empty() ? "" : ",") + topic;
      } catch (const Error&) {
        topics = "?";  // topic tracking disabled on the worker
      }
    }
    const bool failing = !summary.failed_tasks.empty();
    document.table.rows.push_back(
        {summary.name, summary.type, {summary.state, output::state_color(summary.state)},
         {std::to_string(summary.running_tasks) + "/" + std::to_string(summary.total_tasks),
          failing ? output::Color::Red : output::Color::None},
         {joined_ids(summary.failed_tasks), output::Color::Red}, summary.connector_class, summary.worker_id, topics});
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
    const auto shown = full_trace ? text : ops::first_line(text);
    return show_secrets ? shown : mask_url_or_conninfo(shown);  // JDBC errors quote connection URLs
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
    const auto trace = context.flags.show_secrets ? task.trace : mask_url_or_conninfo(task.trace);
    document.table.rows.push_back({std::to_string(task.id), {task.state, output::state_color(task.state)},
                                   task.worker_id, ops::first_line(trace)});
    document.data.push_back({{"id", task.id},
                             {"state", task.state},
                             {"worker_id", task.worker_id},
                             {"trace", trace.empty() ? nlohmann::json(nullptr) : nlohmann::json(trace)}});
    document.names.push_back(std::to_string(task.id));
  }
  output::render(document, context.format(), context.table_options(), *context.io.out);
  return ExitCode::Ok;
}

enum class Lifecycle { Pause, Resume, Stop };

ExitCode lifecycle(AppContext& context, Lifecycle action, const SelectionFlags& selection, const WaitFlags& wait) {
  wait.check();
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
  flags.wait.check();
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
  wait.check();
  ops::ConnectSession session(context.settings(), context.logger());
  auto& client = session.client();
  client.restart_task(name, task);
  report(context, {{name, "task " + std::to_string(task) + " restarted"}});
  wait_if_asked(context, client, wait, {name}, ops::Target::Running);
  return ExitCode::Ok;
}

struct DeleteFlags {
  SelectionFlags selection;
  std::vector<std::string> files;
  bool yes = false;
  bool dry_run = false;
  WaitFlags wait;
};

ExitCode remove(AppContext& context, const DeleteFlags& flags) {
  flags.wait.check();
  ops::ConnectSession session(context.settings(), context.logger());
  auto& client = session.client();
  auto selection = flags.selection.selection();
  if (!flags.files.empty()) {
    if (!selection.names.empty() || selection.regex) throw Error::usage("choose connectors one way", "names, -e and -f cannot be combined");
    for (const auto& definition : ops::read_connector_definitions(flags.files, *context.io.in)) {
      selection.names.push_back(definition.name);
    }
  }
  const auto names = ops::select_connectors(client, selection);
  std::string list;
  for (const auto& name : names) list += (list.empty() ? "" : ", ") + name;
  if (flags.dry_run && context.format() != output::Format::Table && context.format() != output::Format::Wide) {
    std::vector<std::pair<std::string, std::string>> planned;
    for (const auto& name : names) planned.emplace_back(name, "would be deleted");
    report(context, planned);
    return ExitCode::Ok;
  }
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

struct ApplyFlags {
  std::vector<std::string> files;
  bool dry_run = false;
  WaitFlags wait;
};

struct Finding {
  std::string connector;
  std::string key;
  std::string source;    // "worker" or "lint"
  std::string severity;  // "error" or "warning"
  std::string message;
};

// Remote validation (PUT …/config/validate) plus the local lint rules.
std::vector<Finding> validate_definition(connect::Client* client, const ops::ConnectorDefinition& definition) {
  std::vector<Finding> findings;
  if (client) {
    const auto result = client->validate(definition.config.at("connector.class"), definition.config);
    for (const auto& field : result.fields) {
      for (const auto& error : field.errors) findings.push_back({definition.name, field.name, "worker", "error", error});
    }
  }
  for (const auto& finding : connect::lint_connector_config(definition.config)) {
    findings.push_back({definition.name, finding.key, "lint " + finding.rule,
                        std::string(connect::severity_name(finding.severity)), finding.message});
  }
  return findings;
}

bool has_errors(const std::vector<Finding>& findings) {
  return std::any_of(findings.begin(), findings.end(), [](const auto& f) { return f.severity == "error"; });
}

void render_findings(AppContext& context, const std::vector<Finding>& findings, std::size_t connectors) {
  output::Document document;
  document.table.columns = {{"CONNECTOR"}, {"KEY"}, {"SEVERITY", false, false, false}, {"SOURCE"}, {"MESSAGE"}};
  document.data = nlohmann::json::array();
  for (const auto& f : findings) {
    document.table.rows.push_back({f.connector, f.key, {f.severity, f.severity == "error" ? output::Color::Red : output::Color::Yellow},
                                   f.source, f.message});
    document.data.push_back({{"connector", f.connector}, {"key", f.key}, {"severity", f.severity},
                             {"source", f.source}, {"message", f.message}});
    document.names.push_back(f.connector + "/" + f.key);
  }
  const auto format = context.format();
  if ((format == output::Format::Table || format == output::Format::Wide) && findings.empty()) {
    *context.io.out << connectors << " connector config" << (connectors == 1 ? "" : "s") << " valid.\n";
    return;
  }
  output::render(document, format, context.table_options(), *context.io.out);
}

ExitCode validate(AppContext& context, const std::vector<std::string>& files, bool local_only) {
  const auto definitions = ops::read_connector_definitions(files, *context.io.in);
  std::optional<ops::ConnectSession> session;
  if (!local_only) session.emplace(context.settings(), context.logger());
  std::vector<Finding> findings;
  for (const auto& definition : definitions) {
    auto found = validate_definition(session ? &session->client() : nullptr, definition);
    findings.insert(findings.end(), found.begin(), found.end());
  }
  render_findings(context, findings, definitions.size());
  return has_errors(findings) ? ExitCode::Failed : ExitCode::Ok;
}

ExitCode apply(AppContext& context, const ApplyFlags& flags) {
  flags.wait.check();
  const auto definitions = ops::read_connector_definitions(flags.files, *context.io.in);
  ops::ConnectSession session(context.settings(), context.logger());
  auto& client = session.client();
  const auto steps = ops::plan_apply(client, definitions);
  const bool show_secrets = context.flags.show_secrets;
  const auto format = context.format();
  const bool text = format == output::Format::Table || format == output::Format::Wide;

  std::vector<Finding> findings;
  if (flags.dry_run) {
    // Validate everything that would change, remotely and locally, before saying anything is fine.
    for (const auto& step : steps) {
      if (step.action == ops::ApplyAction::Unchanged) continue;
      auto found = validate_definition(&client, step.definition);
      findings.insert(findings.end(), found.begin(), found.end());
    }
  }
  nlohmann::json data = nlohmann::json::array();
  std::vector<std::string> changed;
  std::vector<ops::ConnectorDefinition> written;  // each config sent, as the worker answered it
  std::vector<std::string> failed;
  for (const auto& step : steps) {
    const auto lines = ops::diff_lines(step.changes, show_secrets);
    std::string error;
    if (!flags.dry_run) {
      // One bad connector must not hide what happened to the others.
      try {
        auto accepted = ops::apply_step(client, step);
        if (step.action != ops::ApplyAction::Unchanged) written.push_back({.name = step.definition.name, .config = accepted});
      } catch (const Error& e) {
        if (e.code() == ExitCode::Usage) throw;
        error = mask_url_or_conninfo(e.what());
        failed.push_back(step.definition.name + ": " + error);
      }
    }
    if (step.action != ops::ApplyAction::Unchanged && error.empty()) changed.push_back(step.definition.name);
    std::string verb(ops::action_name(step.action));
    if (flags.dry_run && step.action != ops::ApplyAction::Unchanged) verb = "would be " + verb;
    if (!error.empty()) verb = "failed (" + error + ")";
    if (text && !context.flags.quiet) {
      *context.io.out << step.definition.name << ": " << verb;
      if (step.action == ops::ApplyAction::Update) {
        *context.io.out << " (" << step.changes.size() << " change" << (step.changes.size() == 1 ? "" : "s") << ")";
      }
      *context.io.out << "\n";
      if (step.action == ops::ApplyAction::Update) {
        for (const auto& line : lines) *context.io.out << "  " << line << "\n";
      }
    }
    nlohmann::json step_findings = nlohmann::json::array();
    for (const auto& f : findings) {
      if (f.connector == step.definition.name) {
        step_findings.push_back({{"key", f.key}, {"severity", f.severity}, {"source", f.source}, {"message", f.message}});
      }
    }
    data.push_back({{"name", step.definition.name}, {"origin", step.definition.origin},
                    {"action", std::string(ops::action_name(step.action))}, {"dry_run", flags.dry_run}, {"diff", lines},
                    {"error", error.empty() ? nlohmann::json(nullptr) : nlohmann::json(error)},
                    {"findings", step_findings}});
  }
  if (!text) {
    output::Document document{.data = data};
    for (const auto& step : steps) document.names.push_back(step.definition.name);
    output::render(document, format, context.table_options(), *context.io.out);
  }
  if (flags.dry_run) {
    if (!findings.empty() && text) {
      *context.io.out << "\n";
      render_findings(context, findings, 0);
    }
    if (has_errors(findings)) {
      throw Error::failed("the plan has invalid connector configs",
                          text ? "see the errors above" : "see \"findings\" in the output",
                          "fix them, then run cdcctl connectors apply again");
    }
    return ExitCode::Ok;
  }
  if (!failed.empty()) {
    std::string why;
    for (const auto& line : failed) why += (why.empty() ? "" : "; ") + line;
    throw Error::failed(std::to_string(failed.size()) + " of " + std::to_string(steps.size()) +
                            " connectors could not be applied", why,
                        "the others were applied; fix these and run apply again (it only sends what differs)");
  }
  if (flags.wait.wait) {
    // Then the state wait below sees the connector running its new config.
    const auto stale = ops::wait_for_applied_configs(client, written, parse_duration(flags.wait.timeout));
    for (const auto& name : stale) {
      context.logger().warn("the worker does not serve the applied config of " + name + " yet; its state below may be "
                            "the old config's");
    }
  }
  // An update keeps the connector's target state: a paused or stopped one stays so.
  std::map<ops::Target, std::vector<std::string>> by_target;
  for (const auto& step : steps) {
    if (std::find(changed.begin(), changed.end(), step.definition.name) == changed.end()) continue;
    const auto target = step.live_state == "PAUSED"    ? ops::Target::Paused
                        : step.live_state == "STOPPED" ? ops::Target::Stopped
                                                       : ops::Target::Running;
    by_target[target].push_back(step.definition.name);
  }
  for (const auto& [target, names] : by_target) wait_if_asked(context, client, flags.wait, names, target);
  return ExitCode::Ok;
}

struct CreateFlags {
  std::string name;
  std::string config_file;
  std::string initial_state;
  WaitFlags wait;
};

ExitCode create(AppContext& context, const CreateFlags& flags) {
  auto definitions = ops::read_connector_definitions({flags.config_file}, *context.io.in);
  if (definitions.size() != 1) throw Error::usage(flags.config_file + " defines " + std::to_string(definitions.size()) + " connectors", {}, "use connectors apply for several");
  auto definition = definitions.front();
  if (!flags.name.empty() && flags.name != definition.name) {
    if (definition.config.contains("name") && definition.config.at("name") != definition.name) {
      throw Error::usage("the name differs from the file's");
    }
    definition.name = flags.name;
    definition.config["name"] = flags.name;
  }
  std::optional<std::string> state;
  if (!flags.initial_state.empty()) {
    std::string upper = flags.initial_state;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (upper != "RUNNING" && upper != "PAUSED" && upper != "STOPPED") {
      throw Error::usage("--initial-state must be RUNNING, PAUSED or STOPPED");
    }
    state = upper;
  }
  flags.wait.check();
  ops::ConnectSession session(context.settings(), context.logger());
  auto& client = session.client();
  client.create(definition.name, definition.config, state);
  report(context, {{definition.name, "created" + (state ? " (" + *state + ")" : std::string())}});
  const auto target = !state || *state == "RUNNING" ? ops::Target::Running
                      : *state == "PAUSED"          ? ops::Target::Paused
                                                    : ops::Target::Stopped;
  wait_if_asked(context, client, flags.wait, {definition.name}, target);
  return ExitCode::Ok;
}

struct PatchFlags {
  std::string name;
  std::vector<std::string> set;
  std::vector<std::string> unset;
};

ExitCode patch(AppContext& context, const PatchFlags& flags) {
  if (flags.set.empty() && flags.unset.empty()) throw Error::usage("nothing to change", {}, "use --set KEY=VALUE and/or --unset KEY");
  nlohmann::json body = nlohmann::json::object();
  for (const auto& item : flags.set) {
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) throw Error::usage("invalid --set '" + item + "'", "expected KEY=VALUE");
    body[item.substr(0, eq)] = item.substr(eq + 1);
  }
  for (const auto& key : flags.unset) {
    if (key == "connector.class" || key == "name") throw Error::usage("cannot unset " + key);
    body[key] = nullptr;
  }
  ops::ConnectSession session(context.settings(), context.logger());
  auto& client = session.client();
  const auto before = client.config(flags.name);
  connect::Config wanted = before;
  for (const auto& [key, value] : body.items()) {
    if (value.is_null()) wanted.erase(key);
    else wanted[key] = value.get<std::string>();
  }
  connect::Config after = before;
  if (ops::diff_config(before, wanted).empty()) {
    // Writing an identical config would still restart the connector.
  } else if (connect::supports(client.version(), connect::Feature::PatchConfig)) {
    after = client.patch_config(flags.name, body).config;
  } else {
    // Before 3.8 there is no PATCH: read, modify, replace.
    after = client.put_config(flags.name, wanted).config;
  }
  const auto changes = ops::diff_config(before, after);
  if (!changes.empty()) {
    // So that what runs next (a config, another patch's read) sees this one.
    // Best effort: the patch itself has been applied whatever happens here.
    try {
      const auto stale = ops::wait_for_applied_configs(
          client, {ops::ConnectorDefinition{.name = flags.name, .config = after}},
          std::min<std::chrono::milliseconds>(context.settings().timeout(), std::chrono::seconds(10)));
      if (!stale.empty()) context.logger().warn("the worker does not serve the patched config of " + flags.name + " yet");
    } catch (const Error& error) {
      context.logger().warn("could not read back the patched config of " + flags.name + ": " + error.what());
    }
  }
  const auto format = context.format();
  if (format != output::Format::Table && format != output::Format::Wide) {
    output::Document document{.data = {{"name", flags.name}, {"result", changes.empty() ? "unchanged" : "patched"},
                                       {"diff", ops::diff_lines(changes, context.flags.show_secrets)}},
                              .names = {flags.name}};
    output::render(document, format, context.table_options(), *context.io.out);
    return ExitCode::Ok;
  }
  if (!context.flags.quiet) {
    *context.io.out << flags.name << ": " << (changes.empty() ? "unchanged" : "patched") << "\n";
    for (const auto& line : ops::diff_lines(changes, context.flags.show_secrets)) *context.io.out << "  " << line << "\n";
  }
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
                   "class, from one request (GET /connectors?expand=status&expand=info). -o wide adds the worker and "
                   "the active topics (one more request per connector); -o json gives every task's state and the "
                   "first line of each trace.",
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
  auto* task_arg = task_cmd->add_option("task", *task_id, "task number")->required()->check(CLI::NonNegativeNumber);
  context.completions[task_arg] = {.dynamic_args = "connectors tasks {prev} -o name"};
  add_wait(task_cmd, *task_wait, "the connector and all its tasks are RUNNING");
  context.document(task_cmd, "Restarts one task (POST /connectors/NAME/tasks/TASK/restart).",
                   {"cdcctl connectors restart-task orders-source 2 --wait"});
  task_cmd->callback([&context, task_name, task_id, task_wait] {
    context.action = [&context, task_name, task_id, task_wait] {
      return restart_task(context, *task_name, *task_id, *task_wait);
    };
  });

  // apply
  auto* apply_cmd = group->add_subcommand("apply", "Create or update connectors from files, changing only what differs");
  auto apply_flags = std::make_shared<ApplyFlags>();
  auto* files_option = apply_cmd->add_option("-f,--file", apply_flags->files, "connector file, directory of *.json, or - (stdin); repeatable")
                           ->required()
                           ->type_name("FILE|DIR|-")
                           ->allow_extra_args(false);
  context.completions[files_option] = {.files = true};
  apply_cmd->add_flag("--dry-run", apply_flags->dry_run, "validate remotely and locally, show the plan, change nothing");
  add_wait(apply_cmd, apply_flags->wait, "every created or updated connector and its tasks are RUNNING");
  context.document(apply_cmd,
                   "Makes the cluster match the files: connectors that do not exist are created, those whose config "
                   "differs are replaced (PUT /config), and unchanged ones get no request at all, so it is safe to run "
                   "from CI on every commit. Each change is shown as a diff (secrets masked). Files hold "
                   "{\"name\": ..., \"config\": {...}}, a flat config with \"name\", or an array of those; // "
                   "comments are allowed. --dry-run validates every change on the worker (PUT "
                   ".../config/validate) and with the local lint rules, shows the plan and exits 1 if anything is "
                   "invalid.",
                   {"cdcctl connectors apply -f connectors/ --dry-run", "cdcctl connectors apply -f orders.json --wait",
                    "render-configs | cdcctl connectors apply -f -"});
  apply_cmd->callback([&context, apply_flags] {
    context.action = [&context, apply_flags] { return apply(context, *apply_flags); };
  });

  // create
  auto* create_cmd = group->add_subcommand("create", "Create one connector from a config file");
  auto create_flags = std::make_shared<CreateFlags>();
  create_cmd->add_option("name", create_flags->name, "connector name (default: the file's)");
  context.completions[create_cmd->add_option("--config-file,-f", create_flags->config_file, "connector file, or - (stdin)")
                          ->required()
                          ->type_name("FILE")] = {.files = true};
  auto* state_opt = create_cmd->add_option("--initial-state", create_flags->initial_state,
                                           "RUNNING (default), PAUSED or STOPPED (Kafka Connect 3.7+)")
                        ->type_name("STATE");
  context.completions[state_opt] = {.choices = {"RUNNING", "PAUSED", "STOPPED"}};
  add_wait(create_cmd, create_flags->wait, "the connector reaches its initial state");
  context.document(create_cmd,
                   "Creates a connector (POST /connectors); fails if it exists (use apply to create-or-update). "
                   "--initial-state STOPPED creates it stopped, e.g. to set offsets before it first runs.",
                   {"cdcctl connectors create -f orders.json --wait",
                    "cdcctl connectors create orders-v2 -f orders.json --initial-state STOPPED"});
  create_cmd->callback([&context, create_flags] {
    context.action = [&context, create_flags] { return create(context, *create_flags); };
  });

  // patch
  auto* patch_cmd = group->add_subcommand("patch", "Change some config keys of a connector");
  auto patch_flags = std::make_shared<PatchFlags>();
  context.completions[patch_cmd->add_option("name", patch_flags->name, "connector")->required()] = kConnectorNames;
  patch_cmd->add_option("--set", patch_flags->set, "set KEY=VALUE, repeatable")->type_name("KEY=VALUE")->allow_extra_args(false);
  patch_cmd->add_option("--unset", patch_flags->unset, "remove KEY, repeatable")->type_name("KEY")->allow_extra_args(false);
  context.document(patch_cmd,
                   "Changes only the given keys and shows the diff. Uses PATCH /config on Kafka Connect 3.8+, and "
                   "read-modify-replace (GET then PUT /config) on older workers.",
                   {"cdcctl connectors patch orders-source --set tasks.max=2 --unset transforms"});
  patch_cmd->callback([&context, patch_flags] {
    context.action = [&context, patch_flags] { return patch(context, *patch_flags); };
  });

  // validate
  auto* validate_cmd = group->add_subcommand("validate", "Check connector files on the worker and with lint rules");
  auto validate_files = std::make_shared<std::vector<std::string>>();
  auto validate_local = std::make_shared<bool>(false);
  context.completions[validate_cmd->add_option("-f,--file", *validate_files, "connector file, directory, or -")
                          ->required()
                          ->type_name("FILE|DIR|-")
                          ->allow_extra_args(false)] = {.files = true};
  validate_cmd->add_flag("--local", *validate_local, "lint rules only, without asking a worker (for pre-merge CI)");
  context.document(validate_cmd,
                   "Validates each connector config on the worker (PUT /connector-plugins/CLASS/config/validate) and "
                   "with local rules for common Debezium and JDBC mistakes (PostgreSQL without plugin.name=pgoutput, "
                   "single-task connectors with tasks.max > 1, errors.tolerance=all on a sink without a dead-letter "
                   "queue, a DLQ on a source, missing schema history topic, snapshot modes removed in Debezium 3, "
                   "...). Prints every finding; exits 1 when there is an error.",
                   {"cdcctl connectors validate -f orders.json", "cdcctl connectors validate -f connectors/ --local"});
  validate_cmd->callback([&context, validate_files, validate_local] {
    context.action = [&context, validate_files, validate_local] {
      return validate(context, *validate_files, *validate_local);
    };
  });

  // new
  auto* new_cmd = group->add_subcommand("new", "Print a commented starting config for a common connector");
  auto template_name = std::make_shared<std::string>();
  auto* template_option = new_cmd->add_option("--template,-t", *template_name, "which connector")->required()->type_name("NAME");
  context.completions[template_option] = {.choices = connect::template_names()};
  std::string names;
  for (const auto& name : connect::template_names()) names += (names.empty() ? "" : ", ") + name;
  context.document(new_cmd,
                   "Prints a working, commented starting config (JSON with // comments, which apply, create and "
                   "validate accept) for one of: " + names + ". Credentials are config-provider placeholders, never "
                   "literal secrets. The same files are in examples/connectors/.",
                   {"cdcctl connectors new --template postgres > orders.json"});
  new_cmd->callback([&context, template_name] {
    context.action = [&context, template_name] {
      auto text = connect::connector_template(*template_name);
      if (!text) {
        std::string known;
        for (const auto& name : connect::template_names()) known += (known.empty() ? "" : ", ") + name;
        throw Error::usage("unknown template '" + *template_name + "'", {}, "use one of: " + known);
      }
      *context.io.out << *text;
      return ExitCode::Ok;
    };
  });

  // delete
  auto* delete_cmd = group->add_subcommand("delete", "Delete connectors (asks first)");
  delete_cmd->alias("rm");
  auto delete_flags = std::make_shared<DeleteFlags>();
  add_selection(delete_cmd, context, delete_flags->selection, false);
  context.completions[delete_cmd->add_option("-f,--file", delete_flags->files, "the connectors defined in these files")
                          ->type_name("FILE|DIR|-")
                          ->allow_extra_args(false)] = {.files = true};
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
