#include "core/config_file.hpp"

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/settings.hpp"
#include "core/units.hpp"

namespace cdcctl {

namespace fs = std::filesystem;

fs::path default_config_path(const EnvLookup& env) {
  if (auto explicit_path = env("CDCCTL_CONFIG"); explicit_path && !explicit_path->empty()) {
    return *explicit_path;
  }
  fs::path dir;
  if (auto xdg = env("XDG_CONFIG_HOME"); xdg && !xdg->empty()) {
    dir = fs::path(*xdg) / "cdcctl";
  } else if (auto home = env("HOME"); home && !home->empty()) {
    dir = fs::path(*home) / ".config" / "cdcctl";
  } else {
    dir = fs::path(".cdcctl");
  }
  for (const char* name : {"config.yaml", "config.yml", "config.json"}) {
    std::error_code ec;
    if (fs::exists(dir / name, ec)) return dir / name;
  }
  return dir / "config.yaml";
}

fs::path default_state_dir(const EnvLookup& env) {
  if (auto xdg = env("XDG_STATE_HOME"); xdg && !xdg->empty()) return fs::path(*xdg) / "cdcctl";
  if (auto home = env("HOME"); home && !home->empty()) return fs::path(*home) / ".local" / "state" / "cdcctl";
  return fs::path(".cdcctl");
}

namespace {

std::string scalar_text(const YAML::Node& node, const std::string& where) {
  if (!node.IsScalar()) throw Error::usage("invalid config file", where + " must be a single value");
  return node.as<std::string>();
}

}  // namespace

ConfigFile parse_config(std::string_view text, const std::string& origin) {
  ConfigFile config;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    throw Error::usage("cannot parse config file " + origin, e.what(), "fix the YAML or remove the file");
  }
  if (!root || root.IsNull()) return config;
  if (!root.IsMap()) throw Error::usage("invalid config file " + origin, "the top level must be a mapping");
  if (auto current = root["current-context"]; current && !current.IsNull()) {
    config.current_context = scalar_text(current, "current-context");
  }
  auto contexts = root["contexts"];
  if (!contexts || contexts.IsNull()) return config;
  if (!contexts.IsMap()) throw Error::usage("invalid config file " + origin, "'contexts' must be a mapping");
  for (const auto& entry : contexts) {
    const auto name = entry.first.as<std::string>();
    ContextValues values;
    if (entry.second.IsNull()) {
      config.contexts[name] = values;
      continue;
    }
    if (!entry.second.IsMap()) {
      throw Error::usage("invalid config file " + origin, "context '" + name + "' must be a mapping");
    }
    for (const auto& setting : entry.second) {
      const auto key = setting.first.as<std::string>();
      if (key == "kafka") {
        if (!setting.second.IsMap()) {
          throw Error::usage("invalid config file " + origin,
                             "contexts." + name + ".kafka must map librdkafka properties to values");
        }
        for (const auto& property : setting.second) {
          const auto property_name = property.first.as<std::string>();
          values["kafka." + property_name] =
              scalar_text(property.second, "contexts." + name + ".kafka." + property_name);
        }
      } else {
        values[key] = scalar_text(setting.second, "contexts." + name + "." + key);
      }
    }
    config.contexts[name] = std::move(values);
  }
  return config;
}

std::string serialize_config(const ConfigFile& config, bool as_json) {
  if (as_json) {
    nlohmann::json root = {{"current-context", config.current_context}, {"contexts", nlohmann::json::object()}};
    for (const auto& [name, values] : config.contexts) {
      nlohmann::json context = nlohmann::json::object();
      for (const auto& [key, value] : values) {
        if (key.starts_with("kafka.")) context["kafka"][key.substr(6)] = value;
        else context[key] = value;
      }
      root["contexts"][name] = context;
    }
    return root.dump(2) + "\n";
  }
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "current-context" << YAML::Value << config.current_context;
  out << YAML::Key << "contexts" << YAML::Value << YAML::BeginMap;
  for (const auto& [name, values] : config.contexts) {
    out << YAML::Key << name << YAML::Value << YAML::BeginMap;
    bool has_kafka = false;
    for (const auto& [key, value] : values) {
      if (key.starts_with("kafka.")) {
        has_kafka = true;
        continue;
      }
      out << YAML::Key << key << YAML::Value << YAML::DoubleQuoted << value;
    }
    if (has_kafka) {
      out << YAML::Key << "kafka" << YAML::Value << YAML::BeginMap;
      for (const auto& [key, value] : values) {
        if (key.starts_with("kafka.")) {
          out << YAML::Key << key.substr(6) << YAML::Value << YAML::DoubleQuoted << value;
        }
      }
      out << YAML::EndMap;
    }
    out << YAML::EndMap;
  }
  out << YAML::EndMap << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

ConfigFile load_config(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return {};
  return parse_config(read_file(path), path.string());
}

void save_config(const fs::path& path, const ConfigFile& config) {
  write_file_atomically(path, serialize_config(config, path.extension() == ".json"));
}

bool update_context(ConfigFile& config, const std::string& name, const ContextUpdate& update) {
  if (name.empty()) throw Error::usage("a context needs a name");
  ContextValues values;
  if (auto it = config.contexts.find(name); it != config.contexts.end()) values = it->second;
  const bool created = !config.contexts.contains(name);
  for (const auto& [key, value] : update.set) {
    const SettingSpec* spec = find_setting(key);
    if (!spec && !key.starts_with("kafka.")) {
      throw Error::usage("unknown setting '" + key + "'", {},
                         "settings are named like the global flags (connect-url, pg, ...) or kafka.<property>");
    }
    std::string stored = value;
    if (spec && spec->value_name == "FILE" && !value.empty()) {
      stored = fs::absolute(update.base_dir.empty() ? fs::path(value) : update.base_dir / value).lexically_normal();
    }
    if (key == "timeout" && parse_duration(value).count() <= 0) {
      throw Error::usage("invalid timeout '" + value + "'", "it must be longer than zero", "e.g. --timeout 30s");
    }
    values[key] = stored;
  }
  for (const auto& key : update.unset) {
    if (!find_setting(key) && !key.starts_with("kafka.")) {
      throw Error::usage("unknown setting '" + key + "'", {},
                         "settings are named like the global flags (connect-url, pg, ...) or kafka.<property>");
    }
    values.erase(key);
  }
  // Validate the result as a command would read it.
  SettingsInput probe;
  probe.config.contexts[name] = values;
  probe.context_flag = name;
  const auto settings = resolve_settings(probe);
  settings.timeout();
  settings.get_bool("insecure");
  config.contexts[name] = std::move(values);
  if (created && config.contexts.size() == 1 && config.current_context.empty()) config.current_context = name;
  return created;
}

}  // namespace cdcctl
