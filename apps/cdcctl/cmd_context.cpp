// cdcctl context list|current|use|set|delete|show — named connection
// settings, like kubectl's contexts.
#include <termios.h>
#include <unistd.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "app.hpp"
#include "core/config_file.hpp"
#include "core/error.hpp"
#include "core/secrets.hpp"

namespace cdcctl::app {

namespace {

// A context's values for display: secrets masked unless --show-secrets.
nlohmann::json context_json(const ContextValues& values, bool show_secrets) {
  nlohmann::json settings = nlohmann::json::object();
  nlohmann::json kafka = nlohmann::json::object();
  for (const auto& [key, value] : values) {
    if (key.starts_with("kafka.")) kafka[key.substr(6)] = value;
    else settings[key] = value;
  }
  if (!kafka.empty()) settings["kafka"] = kafka;
  return show_secrets ? settings : mask_secrets(settings);
}

ContextValues& require_context(ConfigFile& config, const std::string& name) {
  auto it = config.contexts.find(name);
  if (it == config.contexts.end()) {
    throw Error::not_found("context '" + name + "' not found", {}, "list contexts with: cdcctl context list");
  }
  return it->second;
}

std::string summary(const ContextValues& values, const std::string& key) {
  auto it = values.find(key);
  return it == values.end() ? "" : mask_url_or_conninfo(it->second);
}

ExitCode list(AppContext& context) {
  const auto config = load_config(context.config_path());
  output::Document document;
  document.table.columns = {{"CURRENT", false, false, false}, {"NAME"}, {"CONNECT"}, {"KAFKA"}, {"POSTGRES"}};
  document.data = nlohmann::json::array();
  for (const auto& [name, values] : config.contexts) {
    const bool current = name == config.current_context;
    document.table.rows.push_back({current ? "*" : "", name, summary(values, "connect-url"),
                                   summary(values, "bootstrap-servers"), summary(values, "pg")});
    document.data.push_back(
        {{"name", name}, {"current", current}, {"settings", context_json(values, context.flags.show_secrets)}});
    document.names.push_back(name);
  }
  output::render(document, context.format(), context.table_options(), *context.io.out);
  return ExitCode::Ok;
}

ExitCode current(AppContext& context) {
  const auto config = load_config(context.config_path());
  if (config.current_context.empty()) {
    throw Error::not_found("no current context", {}, "choose one with: cdcctl context use NAME");
  }
  *context.io.out << config.current_context << "\n";
  return ExitCode::Ok;
}

ExitCode use(AppContext& context, const std::string& name) {
  const auto path = context.config_path();
  auto config = load_config(path);
  require_context(config, name);
  config.current_context = name;
  save_config(path, config);
  if (context.flags.quiet) return ExitCode::Ok;
  *context.io.out << "Switched to context \"" << name << "\".\n";
  return ExitCode::Ok;
}

struct SetOptions {
  std::string name;
  std::vector<std::string> unset;
  bool password_stdin = false;
  bool token_stdin = false;
  bool use = false;
};

// A secret from standard input: a whole line from a pipe, or typed at a
// prompt without echo on a terminal. Empty is refused: it is never meant.
std::string read_secret(AppContext& context, const std::string& what) {
  std::string line;
  if (context.io.terminal.stdin_is_tty) {
    *context.io.err << what << ": " << std::flush;
    termios saved{};
    const bool can_hide = ::tcgetattr(STDIN_FILENO, &saved) == 0;
    if (can_hide) {
      termios quiet = saved;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    std::getline(*context.io.in, line);
    if (can_hide) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    *context.io.err << "\n";
  } else {
    std::getline(*context.io.in, line);
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) throw Error::usage("no " + what + " on standard input", {}, "e.g. printf '%s' \"$SECRET\" | cdcctl context set ...");
  return line;
}

ExitCode set(AppContext& context, const SetOptions& options) {
  const auto path = context.config_path();
  auto config = load_config(path);
  ContextUpdate update{.set = context.flag_settings(), .unset = options.unset, .base_dir = std::filesystem::current_path()};
  if (options.password_stdin) update.set["connect-password"] = read_secret(context, "Connect password");
  if (options.token_stdin) update.set["connect-token"] = read_secret(context, "Connect bearer token");
  const bool created = update_context(config, options.name, update);
  if (options.use) config.current_context = options.name;
  save_config(path, config);
  if (!context.flags.quiet) {
    *context.io.out << "Context \"" << options.name << "\" " << (created ? "created" : "updated");
    if (config.current_context == options.name) *context.io.out << " and in use";
    *context.io.out << " (" << path.string() << ").\n";
  }
  return ExitCode::Ok;
}

ExitCode remove(AppContext& context, const std::vector<std::string>& names, bool yes, bool dry_run) {
  const auto path = context.config_path();
  auto config = load_config(path);
  for (const auto& name : names) require_context(config, name);
  std::string list;
  for (const auto& name : names) list += (list.empty() ? "" : ", ") + name;
  if (dry_run) {
    *context.io.out << "Would delete context" << (names.size() > 1 ? "s " : " ") << list << " from " << path.string()
                    << " (dry run: nothing changed).\n";
    return ExitCode::Ok;
  }
  if (!context.confirm("delete context" + std::string(names.size() > 1 ? "s " : " ") + list, yes)) {
    *context.io.err << "Nothing deleted.\n";
    return ExitCode::Failed;
  }
  for (const auto& name : names) {
    config.contexts.erase(name);
    if (config.current_context == name) config.current_context.clear();
  }
  save_config(path, config);
  if (!context.flags.quiet) *context.io.out << "Deleted context" << (names.size() > 1 ? "s " : " ") << list << ".\n";
  return ExitCode::Ok;
}

ExitCode show(AppContext& context, const std::string& requested, bool effective) {
  const auto format = context.format();
  output::Document document;
  if (effective) {
    // What a command would use right now, and where each value came from.
    const auto settings = context.settings();
    document.table.columns = {{"SETTING"}, {"VALUE"}, {"SOURCE", false, false, false}};
    nlohmann::json values = nlohmann::json::object();
    for (const auto& [key, value] : settings.values) {
      const bool secret = is_secret_key(key);
      std::string shown = context.flags.show_secrets ? value.value
                          : secret                   ? std::string(kMask)
                                                     : mask_url_or_conninfo(value.value);
      document.table.rows.push_back({key, shown, std::string(source_name(value.source))});
      values[key] = {{"value", shown}, {"source", source_name(value.source)}};
      document.names.push_back(key);
    }
    document.data = {{"context", settings.context_name.empty() ? nlohmann::json(nullptr)
                                                               : nlohmann::json(settings.context_name)},
                     {"settings", values}};
    output::render(document, format, context.table_options(), *context.io.out);
    return ExitCode::Ok;
  }
  auto config = load_config(context.config_path());
  std::string name = requested.empty() ? config.current_context : requested;
  if (name.empty()) throw Error::not_found("no current context", {}, "name one, or choose with: cdcctl context use NAME");
  const auto& values = require_context(config, name);
  document.data = {{"name", name}, {"current", name == config.current_context},
                   {"settings", context_json(values, context.flags.show_secrets)}};
  document.table.columns = {{"SETTING"}, {"VALUE"}};
  for (const auto& [key, value] : values) {
    std::string shown = context.flags.show_secrets ? value
                        : is_secret_key(key)       ? std::string(kMask)
                                                   : mask_url_or_conninfo(value);
    document.table.rows.push_back({key, shown});
    document.names.push_back(key);
  }
  output::render(document, format, context.table_options(), *context.io.out);
  return ExitCode::Ok;
}

}  // namespace

void add_context_commands(CLI::App& app, AppContext& context) {
  auto* group = app.add_subcommand("context", "Manage named connection settings (contexts)");
  group->require_subcommand(1);
  context.document(group,
                   "A context is a named set of connection settings (Connect URLs, Kafka bootstrap servers, "
                   "PostgreSQL conninfo, TLS and auth) stored in the contexts file, like kubectl's contexts. "
                   "The file is written atomically with mode 0600; secrets are masked whenever it is shown.",
                   {"cdcctl context set prod --connect-url https://connect-1:8083,https://connect-2:8083",
                    "cdcctl context use prod", "cdcctl context list"});

  auto* list_cmd = group->add_subcommand("list", "List contexts; the current one is marked with *");
  context.document(list_cmd, "Lists every context with its Connect, Kafka and PostgreSQL endpoints.",
                   {"cdcctl context list", "cdcctl context list -o name"});
  list_cmd->callback([&context] { context.action = [&context] { return list(context); }; });

  auto* current_cmd = group->add_subcommand("current", "Print the name of the current context");
  context.document(current_cmd, "Prints the current context's name; exits 4 when none is set.",
                   {"cdcctl context current"});
  current_cmd->callback([&context] { context.action = [&context] { return current(context); }; });

  auto* use_cmd = group->add_subcommand("use", "Make a context the current one");
  auto use_name = std::make_shared<std::string>();
  auto* use_arg = use_cmd->add_option("name", *use_name, "context to use")->required();
  context.completions[use_arg] = {.dynamic_args = "context list -o name"};
  context.document(use_cmd, "Makes NAME the current context for every later command.", {"cdcctl context use prod"});
  use_cmd->callback([&context, use_name] { context.action = [&context, use_name] { return use(context, *use_name); }; });

  auto* set_cmd = group->add_subcommand("set", "Create or update a context from the global connection flags");
  auto set_options = std::make_shared<SetOptions>();
  auto* set_arg = set_cmd->add_option("name", set_options->name, "context to create or update")->required();
  context.completions[set_arg] = {.dynamic_args = "context list -o name"};
  set_cmd->add_option("--unset", set_options->unset, "remove a setting (e.g. --unset pg), repeatable")
      ->type_name("KEY")
      ->allow_extra_args(false);
  set_cmd->add_flag("--password-stdin", set_options->password_stdin,
                    "read the Connect basic-auth password from standard input");
  set_cmd->add_flag("--token-stdin", set_options->token_stdin, "read the Connect bearer token from standard input");
  set_cmd->add_flag("--use", set_options->use, "also make it the current context");
  context.document(set_cmd,
                   "Stores the connection flags given on this command line (--connect-url, --connect-user, "
                   "--connect-password-file, --cacert, --bootstrap-servers, -X, -F, --pg, --timeout, ...) in context "
                   "NAME, creating it when new. Settings not given are left as they were. The first context created "
                   "becomes the current one.\n"
                   "\n"
                   "Passwords are never taken from the command line: point at a file with --connect-password-file, "
                   "or pipe the password into --password-stdin.",
                   {"cdcctl context set prod --connect-url https://connect:8083 --bootstrap-servers kafka:9092 "
                    "--pg 'host=db dbname=app user=cdc'",
                    "cdcctl context set prod -X security.protocol=SASL_SSL --cacert /etc/ssl/ca.pem",
                    "printf '%s' \"$PASS\" | cdcctl context set prod --connect-user ops --password-stdin"});
  set_cmd->callback([&context, set_options] {
    context.action = [&context, set_options] { return set(context, *set_options); };
  });

  auto* delete_cmd = group->add_subcommand("delete", "Delete contexts");
  auto delete_names = std::make_shared<std::vector<std::string>>();
  auto delete_yes = std::make_shared<bool>(false);
  auto delete_dry_run = std::make_shared<bool>(false);
  auto* delete_arg = delete_cmd->add_option("names", *delete_names, "contexts to delete")->required();
  context.completions[delete_arg] = {.dynamic_args = "context list -o name"};
  delete_cmd->add_flag("-y,--yes", *delete_yes, "do not ask for confirmation");
  delete_cmd->add_flag("--dry-run", *delete_dry_run, "show what would be deleted and change nothing");
  context.document(delete_cmd,
                   "Deletes the named contexts. Asks for confirmation on a terminal; elsewhere --yes is required.",
                   {"cdcctl context delete old-staging --yes", "cdcctl context delete old-staging --dry-run"});
  delete_cmd->callback([&context, delete_names, delete_yes, delete_dry_run] {
    context.action = [&context, delete_names, delete_yes, delete_dry_run] {
      return remove(context, *delete_names, *delete_yes, *delete_dry_run);
    };
  });

  auto* show_cmd = group->add_subcommand("show", "Show a context's settings (secrets masked)");
  auto show_name = std::make_shared<std::string>();
  auto show_effective = std::make_shared<bool>(false);
  auto* show_arg = show_cmd->add_option("name", *show_name, "context to show (default: the current one)");
  context.completions[show_arg] = {.dynamic_args = "context list -o name"};
  show_cmd->add_flag("--effective", *show_effective,
                     "show the settings a command would use now, with their source (flag, environment, context, "
                     "default)");
  context.document(show_cmd,
                   "Shows the settings stored in a context, secrets masked unless --show-secrets. With --effective, "
                   "shows the settings after applying flags and environment variables, and where each came from.",
                   {"cdcctl context show prod -o yaml", "CDCCTL_TIMEOUT=5s cdcctl context show --effective"});
  show_cmd->callback([&context, show_name, show_effective] {
    context.action = [&context, show_name, show_effective] { return show(context, *show_name, *show_effective); };
  });
}

}  // namespace cdcctl::app
