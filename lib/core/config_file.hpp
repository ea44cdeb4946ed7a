#pragma once
// The contexts file: named sets of connection settings, like kubectl's
// kubeconfig or kcctl's .kcctl. YAML, mode 0600, written atomically.
//
//   current-context: prod
//   contexts:
//     prod:
//       connect-url: https://connect-1:8083,https://connect-2:8083
//       bootstrap-servers: kafka-1:9092
//       kafka:
//         security.protocol: SASL_SSL
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/environment.hpp"

namespace cdcctl {

// A context's settings, keyed like the global flags ("connect-url", "pg", …);
// librdkafka properties are stored as "kafka.<property>".
using ContextValues = std::map<std::string, std::string>;

struct ConfigFile {
  std::string current_context;
  std::map<std::string, ContextValues> contexts;
};

// $CDCCTL_CONFIG, else $XDG_CONFIG_HOME/cdcctl/config.yaml, else
// ~/.config/cdcctl/config.yaml. An existing config.yml or config.json in the
// same directory is used instead when config.yaml is absent.
std::filesystem::path default_config_path(const EnvLookup& env);

// Where cdcctl keeps state between runs: $XDG_STATE_HOME/cdcctl, else
// ~/.local/state/cdcctl.
std::filesystem::path default_state_dir(const EnvLookup& env);

ConfigFile parse_config(std::string_view text, const std::string& origin);
// YAML, or JSON when the file is a .json one (so it stays readable as JSON).
std::string serialize_config(const ConfigFile& config, bool as_json = false);

struct ContextUpdate {
  std::map<std::string, std::string> set{};  // keys as the global flags, or kafka.<property>
  std::vector<std::string> unset{};
  std::filesystem::path base_dir{};          // relative file paths are made absolute against it
};

// Applies an update to one context (creating it), after checking every key
// and value: unknown keys, bad durations or booleans are usage errors, and
// file paths are stored absolute so the context works from any directory.
// Returns true when the context was created. The first context becomes current.
bool update_context(ConfigFile& config, const std::string& name, const ContextUpdate& update);

// A missing file is an empty config; a malformed one is a usage error.
ConfigFile load_config(const std::filesystem::path& path);
void save_config(const std::filesystem::path& path, const ConfigFile& config);

}  // namespace cdcctl
