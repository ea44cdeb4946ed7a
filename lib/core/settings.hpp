#pragma once
// Connection settings and their precedence: flags > environment (CDCCTL_*) >
// current context > defaults. One string-keyed surface (like librdkafka's):
// the same key names are used by flags, environment variables and contexts.
#include <chrono>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/config_file.hpp"
#include "core/environment.hpp"

namespace cdcctl {

struct SettingSpec {
  std::string_view key;          // "connect-url"; the flag is --KEY unless has_flag is false
  std::string_view env;          // "CDCCTL_CONNECT_URL"
  std::string_view value_name;   // "URL[,URL…]" for help
  std::string_view description;
  std::string_view default_value;
  bool has_flag = true;          // secrets never come from argv: they have no flag
  bool is_bool = false;
  bool is_secret = false;
};

std::span<const SettingSpec> setting_specs();
const SettingSpec* find_setting(std::string_view key);

enum class SettingSource { Flag, Environment, Context, Default };
std::string_view source_name(SettingSource source);

struct SettingValue {
  std::string value;
  SettingSource source;
};

struct SettingsInput {
  // Settings given as flags, by key; librdkafka properties from -X as "kafka.<prop>".
  std::map<std::string, std::string> flags;
  std::optional<std::string> context_flag;  // --context
  EnvLookup env;
  ConfigFile config;
};

class Settings {
 public:
  std::string context_name;  // the context in effect, empty when none
  std::optional<SettingSource> context_source;
  std::map<std::string, SettingValue> values;

  std::optional<std::string> get(std::string_view key) const;
  bool get_bool(std::string_view key) const;
  std::chrono::milliseconds timeout() const;
  std::vector<std::string> connect_urls() const;
  // The workers a rolling restart goes through: `workers`, else connect-url.
  std::vector<std::string> worker_urls() const;
  std::optional<std::string> connect_user() const;
  // From the password file or CDCCTL_CONNECT_PASSWORD / the context; the file wins.
  std::optional<std::string> connect_password() const;
  std::optional<std::string> connect_token() const;
  // When both basic auth and a bearer token are configured, the one set at
  // the higher precedence level is used (the token on a tie).
  bool prefer_bearer_token() const;
  // Empty means "libpq's defaults": PG* variables and ~/.pgpass apply.
  std::string pg_conninfo() const;
  // librdkafka configuration: properties file, then context/flag "kafka.*"
  // properties, then bootstrap-servers, which wins when it is set at all.
  std::map<std::string, std::string> kafka_properties() const;
};

// Throws Error (not found) when the selected context does not exist.
Settings resolve_settings(const SettingsInput& input);

// kcat-style properties file: "key=value" lines, '#' comments, blank lines.
std::map<std::string, std::string> parse_properties(std::string_view text, const std::string& origin);

}  // namespace cdcctl
