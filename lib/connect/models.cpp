#include "connect/models.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace cdcctl::connect {

namespace {

std::string text(const nlohmann::json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return {};
  return it->is_string() ? it->get<std::string>() : it->dump();
}

std::optional<std::string> optional_text(const nlohmann::json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::nullopt;
  return it->is_string() ? it->get<std::string>() : it->dump();
}

std::string scalar_text(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  return value.dump();
}

}  // namespace

int ConnectorStatus::running_tasks() const {
  return static_cast<int>(std::count_if(tasks.begin(), tasks.end(), [](const auto& t) { return t.state == "RUNNING"; }));
}

std::vector<int> ConnectorStatus::failed_task_ids() const {
  std::vector<int> ids;
  for (const auto& task : tasks) {
    if (task.state == "FAILED") ids.push_back(task.id);
  }
  return ids;
}

ServerInfo parse_server_info(const nlohmann::json& body) {
  return {text(body, "version"), text(body, "commit"), text(body, "kafka_cluster_id"), {}};
}

TaskState parse_task_state(const nlohmann::json& body) {
  TaskState task;
  task.id = body.value("id", 0);
  task.state = text(body, "state");
  task.worker_id = text(body, "worker_id");
  task.trace = text(body, "trace");
  return task;
}

ConnectorStatus parse_status(const nlohmann::json& body) {
  ConnectorStatus status;
  status.raw = body;
  status.name = text(body, "name");
  status.type = text(body, "type");
  if (auto it = body.find("connector"); it != body.end() && it->is_object()) {
    status.state = text(*it, "state");
    status.worker_id = text(*it, "worker_id");
    status.trace = text(*it, "trace");
  }
  if (auto it = body.find("tasks"); it != body.end() && it->is_array()) {
    for (const auto& task : *it) status.tasks.push_back(parse_task_state(task));
  }
  std::sort(status.tasks.begin(), status.tasks.end(), [](auto& a, auto& b) { return a.id < b.id; });
  return status;
}

ConnectorInfo parse_info(const nlohmann::json& body) {
  ConnectorInfo info;
  info.raw = body;
  info.name = text(body, "name");
  info.type = text(body, "type");
  if (auto it = body.find("config"); it != body.end() && it->is_object()) {
    info.config = config_from_json(*it, "the worker's reply");
  }
  if (auto it = body.find("tasks"); it != body.end() && it->is_array()) {
    for (const auto& task : *it) info.tasks.push_back(task.value("task", 0));
  }
  return info;
}

std::vector<ConnectorOverview> parse_expanded(const nlohmann::json& body) {
  std::vector<ConnectorOverview> overviews;
  if (body.is_array()) {  // a worker that ignored expand=
    for (const auto& name : body) overviews.push_back({name.get<std::string>(), std::nullopt, std::nullopt});
    return overviews;
  }
  for (const auto& [name, entry] : body.items()) {
    ConnectorOverview overview{name, std::nullopt, std::nullopt};
    if (auto it = entry.find("status"); it != entry.end() && it->is_object()) overview.status = parse_status(*it);
    if (auto it = entry.find("info"); it != entry.end() && it->is_object()) overview.info = parse_info(*it);
    overviews.push_back(std::move(overview));
  }
  std::sort(overviews.begin(), overviews.end(), [](auto& a, auto& b) { return a.name < b.name; });
  return overviews;
}

std::vector<TaskInfo> parse_tasks(const nlohmann::json& body) {
  std::vector<TaskInfo> tasks;
  for (const auto& entry : body) {
    TaskInfo task;
    if (auto id = entry.find("id"); id != entry.end() && id->is_object()) task.id = id->value("task", 0);
    if (auto config = entry.find("config"); config != entry.end() && config->is_object()) {
      task.config = config_from_json(*config, "the worker's reply");
    }
    tasks.push_back(std::move(task));
  }
  return tasks;
}

std::vector<PluginInfo> parse_plugins(const nlohmann::json& body) {
  std::vector<PluginInfo> plugins;
  for (const auto& entry : body) plugins.push_back({text(entry, "class"), text(entry, "type"), text(entry, "version")});
  return plugins;
}

ConfigKey parse_config_key(const nlohmann::json& body) {
  ConfigKey key;
  key.name = text(body, "name");
  key.type = text(body, "type");
  key.required = body.value("required", false);
  key.default_value = optional_text(body, "default_value");
  key.importance = text(body, "importance");
  key.documentation = text(body, "documentation");
  key.group = text(body, "group");
  return key;
}

ValidationResult parse_validation(const nlohmann::json& body) {
  ValidationResult result;
  result.raw = body;
  result.connector_class = text(body, "name");
  result.error_count = body.value("error_count", 0);
  if (auto it = body.find("groups"); it != body.end() && it->is_array()) {
    for (const auto& group : *it) result.groups.push_back(scalar_text(group));
  }
  if (auto it = body.find("configs"); it != body.end() && it->is_array()) {
    for (const auto& entry : *it) {
      FieldValidation field;
      if (auto definition = entry.find("definition"); definition != entry.end() && definition->is_object()) {
        field.definition = parse_config_key(*definition);
        field.name = field.definition->name;
      }
      if (auto value = entry.find("value"); value != entry.end() && value->is_object()) {
        field.name = text(*value, "name");
        field.value = optional_text(*value, "value");
        field.visible = value->value("visible", true);
        if (auto errors = value->find("errors"); errors != value->end() && errors->is_array()) {
          for (const auto& error : *errors) field.errors.push_back(scalar_text(error));
        }
        if (auto recommended = value->find("recommended_values");
            recommended != value->end() && recommended->is_array()) {
          for (const auto& item : *recommended) field.recommended_values.push_back(scalar_text(item));
        }
      }
      result.fields.push_back(std::move(field));
    }
  }
  return result;
}

LoggerLevel parse_logger_level(const std::string& name, const nlohmann::json& body) {
  LoggerLevel logger;
  logger.name = name;
  logger.level = text(body, "level");
  if (auto it = body.find("last_modified"); it != body.end() && it->is_number()) {
    logger.last_modified = it->get<long long>();
  }
  return logger;
}

std::vector<LoggerLevel> parse_loggers(const nlohmann::json& body) {
  std::vector<LoggerLevel> loggers;
  for (const auto& [name, entry] : body.items()) loggers.push_back(parse_logger_level(name, entry));
  return loggers;
}

Config config_from_json(const nlohmann::json& object, const std::string& origin) {
  if (!object.is_object()) {
    throw Error::usage("invalid connector config in " + origin, "expected a JSON object of key/value pairs");
  }
  Config config;
  for (const auto& [key, value] : object.items()) {
    if (value.is_null()) {
      throw Error::usage("invalid connector config in " + origin, "'" + key + "' is null",
                         "Connect rejects null values; remove the key instead");
    }
    if (value.is_object() || value.is_array()) {
      throw Error::usage("invalid connector config in " + origin, "'" + key + "' is not a single value",
                         "Connect configs map keys to strings; join lists with commas");
    }
    config[key] = scalar_text(value);
  }
  return config;
}

nlohmann::json config_to_json(const Config& config) {
  nlohmann::json object = nlohmann::json::object();
  for (const auto& [key, value] : config) object[key] = value;
  return object;
}

}  // namespace cdcctl::connect
