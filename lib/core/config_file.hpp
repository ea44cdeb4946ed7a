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

ConfigFile parse_config(std::string_view text, const std::string& origin);
std::string serialize_config(const ConfigFile& config);

// A missing file is an empty config; a malformed one is a usage error.
ConfigFile load_config(const std::filesystem::path& path);
void save_config(const std::filesystem::path& path, const ConfigFile& config);

}  // namespace cdcctl
