// cdcctl plugins list|describe, cluster info|health, loggers list|get|set:
// what a Kafka Connect cluster runs and how it is doing.
#include <regex>

#include <nlohmann/json.hpp>

#include "app.hpp"
#include "core/error.hpp"
#include "core/secrets.hpp"
#include "ops/connect_session.hpp"

namespace cdcctl::app {

namespace {

ExitCode plugins_list(AppContext& context, bool all) {
  ops::ConnectSession session(context.settings(), context.logger());
  const auto plugins = session.client().plugins(!all);
  output::Document document;
  document.table.columns = {{"CLASS"}, {"TYPE", false, false, false}, {"VERSION"}};
  document.data = nlohmann::json::array();
  for (const auto& plugin : plugins) {
    document.table.rows.push_back({plugin.class_name, plugin.type, plugin.version});
    document.data.push_back({{"class", plugin.class_name},
                             {"type", plugin.type},
                             {"version", plugin.version.empty() ? nlohmann::json(nullptr) : nlohmann::json(plugin.version)}});
    document.names.push_back(plugin.class_name);
  }
  output::render(document, context.format(), context.table_options(), *context.io.out);
  return ExitCode::Ok;
}

ExitCode plugins_describe(AppContext& context, const std::string& plugin, const std::string& search) {
  ops::ConnectSession session(context.settings(), context.logger());
  const auto keys = session.client().plugin_config(plugin);
  std::optional<std::regex> pattern;
  if (!search.empty()) {
    try {
      pattern = std::regex(search, std::regex::icase);
    } catch (const std::regex_error& error) {
      throw Error::usage("invalid regular expression '" + search + "'", error.what());
    }
  }
  output::Document document;
  document.table.columns = {{"NAME"}, {"TYPE", false, false, false}, {"REQUIRED", false, false, false},
                            {"DEFAULT"}, {"IMPORTANCE", true}, {"GROUP", true}, {"DOCUMENTATION"}};
  document.data = nlohmann::json::array();
  for (const auto& key : keys) {
    if (pattern && !std::regex_search(key.name, *pattern) && !std::regex_search(key.documentation, *pattern)) continue;
    document.table.rows.push_back({key.name, key.type, key.required ? "yes" : "", key.default_value.value_or(""),
                                   key.importance, key.group, key.documentation});
    document.data.push_back({{"name", key.name},
                             {"type", key.type},
                             {"required", key.required},
                             {"default_value", key.default_value ? nlohmann::json(*key.default_value) : nlohmann::json(nullptr)},
                             {"importance", key.importance},
                             {"group", key.group},
                             {"documentation", key.documentation}});
    document.names.push_back(key.name);
  }
  output::render(document, context.format(), context.table_options(), *context.io.out);
  return ExitCode::Ok;
}

ExitCode cluster_info(AppContext& context) {
  ops::ConnectSession session(context.settings(), context.logger());
  auto& client = session.client();
  const auto info = client.server_info();
  const auto names = client.connector_names();
  const auto version = connect::parse_version(info.version);
  nlohmann::json features = nlohmann::json::object();
  for (auto feature : {connect::Feature::RestartOnlyFailed, connect::Feature::Stop, connect::Feature::AlterOffsets,
                       connect::Feature::InitialState, connect::Feature::PatchConfig, connect::Feature::Health}) {
    const auto about = connect::feature_info(feature);
    features[std::string(about.description)] = version && connect::supports(*version, feature);
  }
  const auto worker = mask_url_or_conninfo(info.worker_url);
  output::Document document;
  document.data = {{"worker_url", worker},      {"version", info.version},
                   {"commit", info.commit},              {"kafka_cluster_id", info.kafka_cluster_id},
                   {"connectors", names.size()},         {"features", features}};
  document.names = {worker};
  document.table.columns = {{"FIELD"}, {"VALUE"}};
  document.table.rows = {{"worker", worker},
                         {"version", info.version},
                         {"commit", info.commit},
                         {"kafka cluster", info.kafka_cluster_id},
                         {"connectors", std::to_string(names.size())}};
  for (const auto& [feature, supported] : features.items()) {
    document.table.rows.push_back({feature, supported.get<bool>() ? "yes" : "no (needs a newer Connect)"});
  }
  output::render(document, context.format(), context.table_options(), *context.io.out);
  return ExitCode::Ok;
}

// Monitoring-plugin exit codes: 0 healthy, 1 starting, 2 unhealthy, 3 unknown.
ExitCode cluster_health(AppContext& context) {
  CheckStatus verdict = CheckStatus::Unknown;
  output::Document document;
  try {
    ops::ConnectSession session(context.settings(), context.logger());
    const auto health = session.client().health();
    verdict = health.status == "healthy"    ? CheckStatus::Ok
              : health.status == "starting" ? CheckStatus::Warning
                                            : CheckStatus::Critical;
    document.data = {{"status", health.status}, {"message", health.message}, {"http_status", health.http_status},
                     {"verdict", check_status_name(verdict)}};
    document.table.columns = {{"STATUS", false, false, false}, {"MESSAGE"}};
    document.table.rows = {{{std::string(check_status_name(verdict)), output::state_color(check_status_name(verdict))},
                            health.status + ": " + health.message}};
  } catch (const Error& error) {
    // Whatever kept us from an answer (unreachable, too old a worker for
    // /health, a bad reply) is UNKNOWN to monitoring, never CRITICAL.
    document.data = {{"status", nullptr}, {"message", error.what()}, {"verdict", "UNKNOWN"}};
    document.table.columns = {{"STATUS", false, false, false}, {"MESSAGE"}};
    document.table.rows = {{{"UNKNOWN", output::Color::Yellow}, error.what()}};
  }
  document.names = {std::string(check_status_name(verdict))};
  output::render(document, context.format(), context.table_options(), *context.io.out);
  return static_cast<ExitCode>(static_cast<int>(verdict));
}

ExitCode loggers_list(AppContext& context) {
  ops::ConnectSession session(context.settings(), context.logger());
  const auto loggers = session.client().loggers();
  output::Document document;
  document.table.columns = {{"LOGGER"}, {"LEVEL", false, false, false}, {"LAST MODIFIED (ms)"}};
  document.data = nlohmann::json::object();
  for (const auto& logger : loggers) {
    const auto modified = logger.last_modified ? std::to_string(*logger.last_modified) : "";
    document.table.rows.push_back({logger.name, logger.level, modified});
    document.data[logger.name] = {{"level", logger.level},
                                  {"last_modified", logger.last_modified ? nlohmann::json(*logger.last_modified)
                                                                         : nlohmann::json(nullptr)}};
    document.names.push_back(logger.name);
  }
  output::render(document, context.format(), context.table_options(), *context.io.out);
  return ExitCode::Ok;
}

ExitCode loggers_get(AppContext& context, const std::string& name) {
  ops::ConnectSession session(context.settings(), context.logger());
  const auto logger = session.client().logger(name);
  output::Document document;
  document.table.columns = {{"LOGGER"}, {"LEVEL"}};
  document.table.rows = {{logger.name, logger.level}};
  document.data = {{"logger", logger.name}, {"level", logger.level},
                   {"last_modified", logger.last_modified ? nlohmann::json(*logger.last_modified) : nlohmann::json(nullptr)}};
  document.names = {logger.name};
  output::render(document, context.format(), context.table_options(), *context.io.out);
  return ExitCode::Ok;
}

ExitCode loggers_set(AppContext& context, const std::string& name, std::string level, const std::string& scope) {
  for (auto& c : level) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  static const std::vector<std::string> levels{"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "OFF", "ALL"};
  if (std::find(levels.begin(), levels.end(), level) == levels.end()) {
    throw Error::usage("unknown log level '" + level + "'", {}, "use TRACE, DEBUG, INFO, WARN, ERROR, FATAL, OFF or ALL");
  }
  if (scope != "worker" && scope != "cluster") throw Error::usage("--scope must be worker or cluster");
  ops::ConnectSession session(context.settings(), context.logger());
  const auto changed = session.client().set_logger(
      name, level, scope == "cluster" ? connect::LoggerScope::Cluster : connect::LoggerScope::Worker);
  output::Document document;
  document.data = {{"logger", name}, {"level", level}, {"scope", scope}, {"changed", changed}};
  document.names = changed;
  document.table.columns = {{"CHANGED LOGGERS"}};
  for (const auto& logger : changed) document.table.rows.push_back({logger});
  if (context.format() == output::Format::Table || context.format() == output::Format::Wide) {
    if (scope == "cluster") {
      *context.io.out << name << " set to " << level << " on every worker (applied asynchronously).\n";
    } else {
      *context.io.out << name << " set to " << level << " on " << session.client().current_url() << " ("
                      << changed.size() << " logger" << (changed.size() == 1 ? "" : "s") << " changed).\n";
    }
    return ExitCode::Ok;
  }
  output::render(document, context.format(), context.table_options(), *context.io.out);
  return ExitCode::Ok;
}

}  // namespace

void add_cluster_commands(CLI::App& app, AppContext& context) {
  auto* plugins = app.add_subcommand("plugins", "Connector plugins installed on the Connect workers");
  plugins->require_subcommand(1);
  context.document(plugins, "Lists the plugins the answering worker has installed, and the config keys each defines.",
                   {"cdcctl plugins list", "cdcctl plugins describe io.debezium.connector.postgresql.PostgresConnector --search slot"});
  auto* plugins_list_cmd = plugins->add_subcommand("list", "List installed connector plugins");
  auto all = std::make_shared<bool>(false);
  plugins_list_cmd->add_flag("--all", *all, "include converters, transformations and predicates");
  context.document(plugins_list_cmd, "Lists connector plugins (sinks first, then sources); --all adds converters, "
                                     "header converters, transformations and predicates.",
                   {"cdcctl plugins list", "cdcctl plugins list --all -o json"});
  plugins_list_cmd->callback([&context, all] { context.action = [&context, all] { return plugins_list(context, *all); }; });

  auto* plugins_describe_cmd = plugins->add_subcommand("describe", "Show the config keys a plugin defines");
  auto plugin = std::make_shared<std::string>();
  auto search = std::make_shared<std::string>();
  auto* plugin_arg = plugins_describe_cmd->add_option("class", *plugin, "plugin class or alias")->required();
  context.completions[plugin_arg] = {.dynamic_args = "plugins list -o name"};
  plugins_describe_cmd->add_option("--search", *search, "only keys whose name or documentation matches (any case)")
      ->type_name("REGEX");
  context.document(plugins_describe_cmd,
                   "Shows every config key of the plugin: type, whether required, default, and documentation "
                   "(-o wide adds importance and group).",
                   {"cdcctl plugins describe FileStreamSink", "cdcctl plugins describe PostgresConnector --search 'slot|publication'"});
  plugins_describe_cmd->callback([&context, plugin, search] {
    context.action = [&context, plugin, search] { return plugins_describe(context, *plugin, *search); };
  });

  auto* cluster = app.add_subcommand("cluster", "The Kafka Connect cluster: version, features, health");
  cluster->require_subcommand(1);
  context.document(cluster, "Facts about the Kafka Connect cluster behind --connect-url.", {"cdcctl cluster info"});
  auto* info_cmd = cluster->add_subcommand("info", "Worker version, Kafka cluster id, connector count, features");
  context.document(info_cmd,
                   "Shows the answering worker's version and commit, the Kafka cluster id, how many connectors there "
                   "are, and which version-dependent features (stop, offsets, PATCH config, health) it supports.",
                   {"cdcctl cluster info", "cdcctl cluster info -o json"});
  info_cmd->callback([&context] { context.action = [&context] { return cluster_info(context); }; });
  auto* health_cmd = cluster->add_subcommand("health", "Worker health (Kafka Connect 3.9+), with monitoring exit codes");
  context.document(health_cmd,
                   "Asks the worker's GET /health (Kafka Connect 3.9+). Exits 0 when healthy, 1 while starting, 2 when "
                   "unhealthy and 3 when it cannot tell (worker unreachable), as monitoring plugins do.",
                   {"cdcctl cluster health", "cdcctl cluster health -o json"});
  health_cmd->callback([&context] { context.action = [&context] { return cluster_health(context); }; });

  auto* loggers = app.add_subcommand("loggers", "Log levels of the Connect workers");
  loggers->require_subcommand(1);
  context.document(loggers, "Reads and changes log levels at run time (KIP-495), per worker or cluster-wide (KIP-976).",
                   {"cdcctl loggers set io.debezium DEBUG --scope cluster"});
  auto* loggers_list_cmd = loggers->add_subcommand("list", "Loggers with an explicitly set level");
  context.document(loggers_list_cmd, "Lists the loggers whose level was set explicitly, with the time of the change.",
                   {"cdcctl loggers list"});
  loggers_list_cmd->callback([&context] { context.action = [&context] { return loggers_list(context); }; });
  auto* get_cmd = loggers->add_subcommand("get", "The effective level of one logger");
  auto logger_name = std::make_shared<std::string>();
  get_cmd->add_option("logger", *logger_name, "logger name, or root")->required();
  context.document(get_cmd, "Shows the effective level of a logger (its own, or inherited).", {"cdcctl loggers get root"});
  get_cmd->callback([&context, logger_name] {
    context.action = [&context, logger_name] { return loggers_get(context, *logger_name); };
  });
  auto* set_cmd = loggers->add_subcommand("set", "Set a logger's level on one worker or the whole cluster");
  auto set_name = std::make_shared<std::string>();
  auto set_level = std::make_shared<std::string>();
  auto set_scope = std::make_shared<std::string>("worker");
  set_cmd->add_option("logger", *set_name, "logger name, or root")->required();
  auto* level_arg = set_cmd->add_option("level", *set_level, "TRACE, DEBUG, INFO, WARN, ERROR, FATAL, OFF or ALL")->required();
  context.completions[level_arg] = {.choices = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "OFF", "ALL"}};
  auto* scope_option = set_cmd->add_option("--scope", *set_scope, "worker (the one answering) or cluster (every worker)")
                           ->type_name("SCOPE");
  context.completions[scope_option] = {.choices = {"worker", "cluster"}};
  context.document(set_cmd,
                   "Sets the level of a logger and its children. --scope worker (default) changes only the worker that "
                   "answers; --scope cluster (Kafka Connect 3.7+) changes every worker, asynchronously. Levels are not "
                   "persisted: a restarted worker goes back to its log4j configuration.",
                   {"cdcctl loggers set io.debezium.connector.postgresql DEBUG",
                    "cdcctl loggers set root WARN --scope cluster"});
  set_cmd->callback([&context, set_name, set_level, set_scope] {
    context.action = [&context, set_name, set_level, set_scope] {
      return loggers_set(context, *set_name, *set_level, *set_scope);
    };
  });
}

}  // namespace cdcctl::app
