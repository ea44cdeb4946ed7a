#include "app.hpp"

#include <iostream>

#include "core/config_file.hpp"
#include "core/error.hpp"
#include "core/secrets.hpp"

namespace cdcctl::app {

AppContext::AppContext(IO io_) : io(std::move(io_)) {}

std::filesystem::path AppContext::config_path() const {
  if (!flags.config_path.empty()) return flags.config_path;
  return default_config_path(io.env);
}

std::map<std::string, std::string> AppContext::flag_settings() const {
  std::map<std::string, std::string> given;
  for (const auto& [key, option] : flags.setting_options) {
    if (option->count() == 0) continue;
    given[key] = key == "insecure" ? (flags.insecure ? "true" : "false") : flags.settings.at(key);
  }
  for (const auto& property : flags.kafka_properties) {
    auto eq = property.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw Error::usage("invalid -X '" + property + "'", "expected key=value", "e.g. -X security.protocol=SASL_SSL");
    }
    given["kafka." + property.substr(0, eq)] = property.substr(eq + 1);
  }
  return given;
}

Settings AppContext::settings() const {
  SettingsInput input;
  input.flags = flag_settings();
  if (!flags.context.empty()) input.context_flag = flags.context;
  input.env = io.env;
  input.config = load_config(config_path());
  return resolve_settings(input);
}

Settings AppContext::settings_for(const std::string& context_name) const {
  SettingsInput input;
  input.flags = flag_settings();
  input.context_flag = context_name;
  input.env = io.env;
  input.config = load_config(config_path());
  return resolve_settings(input);
}

std::vector<std::string> AppContext::context_names() const {
  std::vector<std::string> names;
  for (const auto& [name, values] : load_config(config_path()).contexts) names.push_back(name);
  return names;
}

output::Format AppContext::format() const { return output::parse_format(flags.output); }

output::TableOptions AppContext::table_options() const {
  output::TableOptions options;
  options.color = should_use_color(io.terminal.stdout_is_tty, flags.no_color, io.env("NO_COLOR"));
  options.width = io.terminal.width;
  return options;
}

bool AppContext::color_stderr() const {
  return should_use_color(io.terminal.stderr_is_tty, flags.no_color, io.env("NO_COLOR"));
}

void AppContext::set_log_style(LogFormat format, bool timestamps) {
  logger();  // created on first use
  logger_->set_format(format);
  logger_->set_timestamps(timestamps);
}

const Logger& AppContext::logger() const {
  if (!logger_) {
    Verbosity verbosity = Verbosity::Normal;
    if (flags.quiet) verbosity = Verbosity::Quiet;
    else if (flags.verbose == 1) verbosity = Verbosity::Verbose;
    else if (flags.verbose >= 2) verbosity = Verbosity::Debug;
    logger_ = std::make_unique<Logger>(*io.err, verbosity, color_stderr());
  }
  return *logger_;
}

bool AppContext::confirm(const std::string& question, bool yes) const {
  if (yes) return true;
  if (!io.terminal.stdin_is_tty) {
    throw Error::usage("refusing to " + question + " without confirmation", "standard input is not a terminal",
                       "add --yes to confirm, or --dry-run to see what would happen");
  }
  *io.err << question << "? [y/N] " << std::flush;
  std::string answer;
  std::getline(*io.in, answer);
  return answer == "y" || answer == "Y" || answer == "yes";
}

void AppContext::document(const CLI::App* command, std::string details, std::vector<std::string> examples) {
  docs[command] = {std::move(details), std::move(examples)};
}

namespace {

void add_global_flags(CLI::App& app, AppContext& context) {
  auto& flags = context.flags;
  const std::string group = "Global options";
  auto* option = app.add_option("--context", flags.context, "use this context instead of the current one")
                     ->group(group)
                     ->type_name("NAME");
  context.completions[option] = {.dynamic_args = "context list -o name"};
  option = app.add_option("--config", flags.config_path,
                          "contexts file (default $CDCCTL_CONFIG or $XDG_CONFIG_HOME/cdcctl/config.yaml)")
               ->group(group)
               ->type_name("FILE");
  context.completions[option] = {.files = true};

  for (const auto& spec : setting_specs()) {
    if (!spec.has_flag) continue;
    const std::string key(spec.key);
    const std::string description = std::string(spec.description) + " [env " + std::string(spec.env) + "]";
    CLI::Option* flag = nullptr;
    if (spec.is_bool) {
      flag = app.add_flag("--" + key, flags.insecure, description)->group(group);
    } else {
      std::string names = "--" + key;
      if (key == "kafka-config-file") names = "-F," + names;
      flag = app.add_option(names, flags.settings[key], description)->group(group)->type_name(std::string(spec.value_name));
      if (key == "connect-url" || key == "bootstrap-servers" || key == "workers") {
        // Repeating the flag adds addresses, as a comma-separated list does.
        flag->multi_option_policy(CLI::MultiOptionPolicy::Join)->delimiter(',');
      }
      if (std::string_view(spec.value_name) == "FILE") context.completions[flag] = {.files = true};
    }
    flags.setting_options[key] = flag;
  }
  app.add_option("-X", flags.kafka_properties, "librdkafka property, repeatable (e.g. -X security.protocol=SSL)")
      ->group(group)
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  option = app.add_option("-o,--output", flags.output, "output format: table, wide, json, yaml, name or csv")
               ->group(group)
               ->type_name("FORMAT");
  context.completions[option] = {.choices = {"table", "wide", "json", "yaml", "name"}};
  app.add_flag("--show-secrets", flags.show_secrets, "show passwords and tokens instead of ********")->group(group);
  app.add_flag("-v,--verbose", flags.verbose, "say more (repeat for debug detail)")->group(group);
  app.add_flag("-q,--quiet", flags.quiet, "print only errors")->group(group);
  app.add_flag("--no-color", flags.no_color, "never colour the output (NO_COLOR is honoured too)")->group(group);
}

}  // namespace

void build_cli(CLI::App& app, AppContext& context) {
  app.name("cdcctl");
  app.description("Operate change-data-capture pipelines: PostgreSQL, Kafka, Kafka Connect and Debezium.");
  app.fallthrough();  // global flags are accepted after subcommands too
  app.require_subcommand(0, 1);
  app.set_help_flag("-h,--help", "show help and exit");
  context.document(&app,
                   "cdcctl is one command-line tool for the people who run change-data-capture pipelines built on "
                   "PostgreSQL, Kafka, Kafka Connect and Debezium.\n"
                   "\n"
                   "Connection settings come from, in order of precedence: flags, environment variables (CDCCTL_*, "
                   "and libpq's PG* variables for PostgreSQL), the current context of the contexts file, and "
                   "defaults. Manage contexts with cdcctl context.\n"
                   "\n"
                   "Output is a table for people; -o json or -o yaml give the documented machine-readable shape, "
                   "-o name one name per line. Colour is used only on a terminal and never when NO_COLOR is set.",
                   {"cdcctl context set prod --connect-url https://connect:8083 --bootstrap-servers kafka:9092",
                    "cdcctl ping", "cdcctl version -o json"});
  add_global_flags(app, context);
  add_version_command(app, context);
  add_context_commands(app, context);
  add_ping_command(app, context);
  add_connectors_commands(app, context);
  add_resnapshot_command(*app.get_subcommand("connectors"), context);
  add_cluster_commands(app, context);
  add_health_command(app, context);
  add_restart_commands(app, context);
  add_offsets_commands(app, context);
  add_slots_commands(app, context);
  add_pg_commands(app, context);
  add_topics_commands(app, context);
  add_dlq_commands(app, context);
  add_events_commands(app, context);
  add_reconcile_command(app, context);
  add_run_command(app, context);
  add_completion_commands(app, context);
}

namespace {

output::OptionSpec option_spec(const CLI::Option& option, const AppContext& context) {
  output::OptionSpec spec;
  if (!option.get_snames().empty()) spec.short_name = option.get_snames().front();
  if (!option.get_lnames().empty()) spec.long_name = option.get_lnames().front();
  if (option.get_items_expected_max() > 0) {  // flags expect no item (type size is 1 for them too)
    const std::string& text = option.get_option_text();
    spec.value_name = text.empty() ? "VALUE" : text;
  }
  spec.description = option.get_description();
  if (auto it = context.completions.find(&option); it != context.completions.end()) spec.completion = it->second;
  return spec;
}

output::CommandSpec command_spec_of(const CLI::App& app, const AppContext& context) {
  output::CommandSpec spec;
  spec.name = app.get_name();
  spec.description = app.get_description();
  if (auto it = context.docs.find(&app); it != context.docs.end()) {
    spec.details = it->second.first;
    spec.examples = it->second.second;
  }
  for (const CLI::Option* option : app.get_options()) {
    if (option->get_group().empty()) continue;  // hidden
    if (option->get_positional()) {
      output::PositionalSpec positional;
      positional.name = option->get_name();
      positional.description = option->get_description();
      positional.repeated = option->get_items_expected_max() > 1;
      positional.required = option->get_required();
      if (auto it = context.completions.find(option); it != context.completions.end()) {
        positional.completion = it->second;
      }
      spec.positionals.push_back(std::move(positional));
      continue;
    }
    spec.options.push_back(option_spec(*option, context));
  }
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->get_group().empty()) continue;  // hidden commands
    spec.subcommands.push_back(command_spec_of(*sub, context));
  }
  return spec;
}

}  // namespace

output::CommandSpec command_spec(const CLI::App& app, const AppContext& context) {
  return command_spec_of(app, context);
}

output::ManInfo man_info() {
  output::ManInfo info;
  info.version = CDCCTL_VERSION;
  output::ManSection exit_status{"EXIT STATUS", {}};
  for (const auto& code : exit_code_table()) {
    exit_status.entries.emplace_back(std::to_string(code.code), std::string(code.name) + ": " + std::string(code.meaning));
  }
  output::ManSection checks{"EXIT STATUS OF HEALTH AND CHECK COMMANDS", {}};
  for (const auto& code : check_status_table()) {
    checks.entries.emplace_back(std::to_string(code.code), std::string(code.name) + ": " + std::string(code.meaning));
  }
  output::ManSection environment{"ENVIRONMENT", {}};
  environment.entries.emplace_back("CDCCTL_CONFIG", "path of the contexts file");
  environment.entries.emplace_back("CDCCTL_CONTEXT", "context to use instead of the current one");
  for (const auto& spec : setting_specs()) {
    environment.entries.emplace_back(std::string(spec.env), std::string(spec.description));
  }
  environment.entries.emplace_back("PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD, PGPASSFILE, ...",
                                   "libpq's own variables, used for PostgreSQL when --pg leaves them out");
  environment.entries.emplace_back("NO_COLOR", "when set to any non-empty value, output is never coloured");
  environment.entries.emplace_back("XDG_CONFIG_HOME", "base directory of the contexts file");
  environment.entries.emplace_back("XDG_STATE_HOME",
                                   "base directory of the health state and rolling-restart journals (~/.local/state)");
  output::ManSection files{"FILES", {}};
  files.entries.emplace_back("$XDG_CONFIG_HOME/cdcctl/config.yaml",
                             "contexts file (~/.config/cdcctl/config.yaml when XDG_CONFIG_HOME is unset); written "
                             "atomically with mode 0600");
  files.entries.emplace_back("$XDG_STATE_HOME/cdcctl/health.json",
                             "cdcctl health's memory between runs (restart attempts, failing-since times), mode 0600, "
                             "locked through health.json.lock while a run uses it");
  files.entries.emplace_back("$XDG_STATE_HOME/cdcctl/rolling-restart-MODE-CONTEXT.json",
                             "progress of an unfinished rolling restart, for --resume");
  info.extra_sections = {exit_status, checks, environment, files};
  return info;
}

int run(int argc, const char* const* argv, IO io) {
  AppContext context(std::move(io));
  CLI::App app;
  build_cli(app, context);
  auto& err = *context.io.err;
  try {
    try {
      app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
      *context.io.out << app.help();
      return 0;
    } catch (const CLI::CallForVersion& e) {
      *context.io.out << e.what() << "\n";
      return 0;
    } catch (const CLI::CallForAllHelp&) {
      *context.io.out << app.help("", CLI::AppFormatMode::All);
      return 0;
    } catch (const CLI::ParseError& e) {
      // Help for the subcommand that failed to parse, when CLI11 says which.
      std::string path = "cdcctl";
      for (const CLI::App* sub = &app; sub;) {
        auto parsed = sub->get_subcommands();
        if (parsed.empty()) break;
        sub = parsed.front();
        path += " " + sub->get_name();
      }
      if (path.starts_with("cdcctl health")) context.error_exit_code = static_cast<int>(CheckStatus::Unknown);
      throw Error::usage(e.what(), {}, "see '" + path + " --help'");
    }
    if (!context.action) {
      *context.io.out << app.help();
      return 0;
    }
    return static_cast<int>(context.action());
  } catch (const Error& error) {
    const std::string text = mask_url_or_conninfo(format_error(error));
    if (context.color_stderr()) {
      err << "\033[31m" << text.substr(0, 6) << "\033[0m" << text.substr(6);
    } else {
      err << text;
    }
    return context.error_exit_code.value_or(static_cast<int>(error.code()));
  } catch (const nlohmann::json::exception& error) {
    err << "error: a service answered with data of an unexpected shape: " << mask_url_or_conninfo(error.what())
        << "\nhint: check that the address points at the right service\n";
    return context.error_exit_code.value_or(static_cast<int>(ExitCode::Failed));
  } catch (const std::exception& error) {
    err << "error: " << mask_url_or_conninfo(error.what()) << "\n";
    return context.error_exit_code.value_or(static_cast<int>(ExitCode::Failed));
  }
}

}  // namespace cdcctl::app
