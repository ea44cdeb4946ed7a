#include "ops/connector_files.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/interrupt.hpp"
#include "core/secrets.hpp"

namespace cdcctl::ops {

namespace fs = std::filesystem;

namespace {

ConnectorDefinition definition_from(const nlohmann::json& item, const std::string& origin) {
  if (!item.is_object()) throw Error::usage("invalid connector definition in " + origin, "expected a JSON object");
  ConnectorDefinition definition;
  definition.origin = origin;
  if (item.contains("config")) {
    // {"name": …, "config": {…}} as POST /connectors takes it.
    if (!item.contains("name") || !item["name"].is_string()) {
      throw Error::usage("invalid connector definition in " + origin, "\"name\" is missing or not a string");
    }
    definition.name = item["name"].get<std::string>();
    definition.config = connect::config_from_json(item["config"], origin);
  } else {
    definition.config = connect::config_from_json(item, origin);
    auto name = definition.config.find("name");
    if (name == definition.config.end()) {
      throw Error::usage("invalid connector definition in " + origin, "no \"name\"",
                         "use {\"name\": ..., \"config\": {...}} or a flat config with a \"name\" key");
    }
    definition.name = name->second;
  }
  // Connect trims the name and fills config.name; it must match when given.
  while (!definition.name.empty() && definition.name.back() == ' ') definition.name.pop_back();
  while (!definition.name.empty() && definition.name.front() == ' ') definition.name.erase(definition.name.begin());
  if (definition.name.empty()) throw Error::usage("invalid connector definition in " + origin, "the name is empty");
  if (auto inner = definition.config.find("name"); inner != definition.config.end() && inner->second != definition.name) {
    throw Error::usage("invalid connector definition in " + origin,
                       "config.name '" + inner->second + "' differs from name '" + definition.name + "'");
  }
  definition.config["name"] = definition.name;
  if (!definition.config.contains("connector.class")) {
    throw Error::usage("invalid connector definition in " + origin, "'" + definition.name + "' has no connector.class");
  }
  return definition;
}

}  // namespace

std::vector<ConnectorDefinition> parse_connector_definitions(std::string_view text, const std::string& origin) {
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(text, nullptr, true, /*ignore_comments=*/true);
  } catch (const nlohmann::json::parse_error& error) {
    throw Error::usage("cannot parse " + origin, error.what(), "connector files are JSON (// comments allowed)");
  }
  std::vector<ConnectorDefinition> definitions;
  if (document.is_array()) {
    for (std::size_t i = 0; i < document.size(); ++i) {
      definitions.push_back(definition_from(document[i], origin + "[" + std::to_string(i) + "]"));
    }
  } else {
    definitions.push_back(definition_from(document, origin));
  }
  return definitions;
}

std::vector<ConnectorDefinition> read_connector_definitions(const std::vector<std::string>& paths, std::istream& in) {
  if (paths.empty()) throw Error::usage("no connector files given", {}, "pass -f FILE, -f DIR or -f - (stdin)");
  std::vector<ConnectorDefinition> definitions;
  auto add = [&](std::string_view text, const std::string& origin) {
    for (auto& definition : parse_connector_definitions(text, origin)) definitions.push_back(std::move(definition));
  };
  for (const auto& path : paths) {
    if (path == "-") {
      std::stringstream buffer;
      buffer << in.rdbuf();
      add(buffer.str(), "standard input");
      continue;
    }
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      std::vector<fs::path> files;
      for (const auto& entry : fs::directory_iterator(path)) {
        if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());
      if (files.empty()) throw Error::usage("no *.json files in " + path);
      for (const auto& file : files) add(read_file(file), file.string());
      continue;
    }
    if (!fs::exists(path, ec)) throw Error::usage("no such file: " + path);
    add(read_file(path), path);
  }
  std::map<std::string, std::string> seen;
  for (const auto& definition : definitions) {
    auto [it, inserted] = seen.emplace(definition.name, definition.origin);
    if (!inserted) {
      throw Error::usage("connector '" + definition.name + "' is defined twice", it->second + " and " + definition.origin);
    }
  }
  return definitions;
}

std::vector<ConfigChange> diff_config(const connect::Config& live, const connect::Config& desired) {
  std::vector<ConfigChange> changes;
  for (const auto& [key, value] : desired) {
    auto it = live.find(key);
    if (it == live.end()) changes.push_back({key, std::nullopt, value});
    else if (it->second != value) changes.push_back({key, it->second, value});
  }
  for (const auto& [key, value] : live) {
    if (!desired.contains(key)) changes.push_back({key, value, std::nullopt});
  }
  std::sort(changes.begin(), changes.end(), [](auto& a, auto& b) { return a.key < b.key; });
  return changes;
}

std::vector<std::string> diff_lines(const std::vector<ConfigChange>& changes, bool show_secrets) {
  auto shown = [&](const std::string& key, const std::string& value) {
    if (show_secrets) return value;
    return is_secret_key(key) ? std::string(kMask) : mask_url_or_conninfo(value);
  };
  std::vector<std::string> lines;
  for (const auto& change : changes) {
    if (!change.before) lines.push_back("+ " + change.key + ": " + shown(change.key, *change.after));
    else if (!change.after) lines.push_back("- " + change.key + ": " + shown(change.key, *change.before));
    else if (is_secret_key(change.key) && !show_secrets) lines.push_back("~ " + change.key + ": (secret changed)");
    else lines.push_back("~ " + change.key + ": " + shown(change.key, *change.before) + " -> " + shown(change.key, *change.after));
  }
  return lines;
}

std::string_view action_name(ApplyAction action) {
  switch (action) {
    case ApplyAction::Create: return "created";
    case ApplyAction::Update: return "updated";
    case ApplyAction::Unchanged: return "unchanged";
  }
  return "";
}

std::vector<ApplyStep> plan_apply(connect::Client& client, const std::vector<ConnectorDefinition>& definitions) {
  std::map<std::string, connect::Config> live;
  std::map<std::string, std::string> states;
  for (auto& overview : client.connectors(true, true)) {
    if (overview.info) live[overview.name] = overview.info->config;
    if (overview.status) states[overview.name] = overview.status->state;
  }
  std::vector<ApplyStep> steps;
  for (const auto& definition : definitions) {
    ApplyStep step{.definition = definition};
    auto it = live.find(definition.name);
    if (it == live.end()) {
      step.action = ApplyAction::Create;
      step.changes = diff_config({}, definition.config);
    } else {
      step.changes = diff_config(it->second, definition.config);
      step.action = step.changes.empty() ? ApplyAction::Unchanged : ApplyAction::Update;
      if (auto state = states.find(definition.name); state != states.end()) step.live_state = state->second;
    }
    steps.push_back(std::move(step));
  }
  return steps;
}

connect::Config apply_step(connect::Client& client, const ApplyStep& step) {
  if (step.action == ApplyAction::Unchanged) return step.definition.config;
  auto accepted = client.put_config(step.definition.name, step.definition.config).config;
  return accepted.empty() ? step.definition.config : accepted;
}

std::vector<std::string> wait_for_applied_configs(connect::Client& client,
                                                  const std::vector<ConnectorDefinition>& applied,
                                                  std::chrono::milliseconds timeout,
                                                  std::chrono::milliseconds poll_interval) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<const ConnectorDefinition*> pending;
  for (const auto& definition : applied) pending.push_back(&definition);
  while (true) {
    std::vector<const ConnectorDefinition*> still;
    for (const auto* definition : pending) {
      try {
        if (client.config(definition->name) == definition->config) continue;
      } catch (const Error& error) {
        // A connector just created can be missing from a worker's copy too.
        if (error.code() != ExitCode::NotFound) throw;
      }
      still.push_back(definition);
    }
    pending = std::move(still);
    if (pending.empty() || std::chrono::steady_clock::now() + poll_interval > deadline ||
        !sleep_unless_interrupted(poll_interval)) {
      break;
    }
  }
  std::vector<std::string> names;
  for (const auto* definition : pending) names.push_back(definition->name);
  return names;
}

}  // namespace cdcctl::ops
