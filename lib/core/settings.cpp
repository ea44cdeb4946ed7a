#include "core/settings.hpp"

#include <array>
#include <sstream>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/units.hpp"

namespace cdcctl {

namespace {

constexpr std::array kSpecs{
    SettingSpec{"connect-url", "CDCCTL_CONNECT_URL", "URL[,URL...]",
                "Kafka Connect worker URL(s); the next is tried when one cannot be reached", ""},
    SettingSpec{"connect-user", "CDCCTL_CONNECT_USER", "USER", "user for HTTP basic auth to Kafka Connect", ""},
    SettingSpec{"connect-password-file", "CDCCTL_CONNECT_PASSWORD_FILE", "FILE",
                "file holding the basic-auth password for Kafka Connect", ""},
    SettingSpec{"connect-password", "CDCCTL_CONNECT_PASSWORD", "", "basic-auth password (environment or context only)",
                "", false, false, true},
    SettingSpec{"connect-token-file", "CDCCTL_CONNECT_TOKEN_FILE", "FILE",
                "file holding a bearer token for Kafka Connect", ""},
    SettingSpec{"connect-token", "CDCCTL_CONNECT_TOKEN", "", "bearer token (environment or context only)", "", false,
                false, true},
    SettingSpec{"cacert", "CDCCTL_CACERT", "FILE", "CA certificate(s) to verify TLS peers with", ""},
    SettingSpec{"cert", "CDCCTL_CERT", "FILE", "client certificate for TLS", ""},
    SettingSpec{"key", "CDCCTL_KEY", "FILE", "private key of the client certificate", ""},
    SettingSpec{"insecure", "CDCCTL_INSECURE", "", "do not verify TLS certificates (dangerous)", "false", true, true},
    SettingSpec{"bootstrap-servers", "CDCCTL_BOOTSTRAP_SERVERS", "HOST:PORT[,...]", "Kafka bootstrap servers", ""},
    SettingSpec{"kafka-config-file", "CDCCTL_KAFKA_CONFIG_FILE", "FILE",
                "librdkafka properties file (key=value lines, like kcat -F)", ""},
    SettingSpec{"pg", "CDCCTL_PG", "CONNINFO|URI",
                "PostgreSQL connection (libpq conninfo or URI); PG* variables and ~/.pgpass apply", ""},
    SettingSpec{"reconcile-source", "CDCCTL_RECONCILE_SOURCE", "DATABASE",
                "reconcile's source: postgresql://…, pg:CONNINFO or odbc:CONNECTION-STRING (flag: reconcile --source)", "",
                false},
    SettingSpec{"reconcile-target", "CDCCTL_RECONCILE_TARGET", "DATABASE",
                "reconcile's target, in the same forms (flag: reconcile --target)", "", false},
    SettingSpec{"reconcile-source-password", "CDCCTL_RECONCILE_SOURCE_PASSWORD", "",
                "password for reconcile's source (environment or context only)", "", false, false, true},
    SettingSpec{"reconcile-target-password", "CDCCTL_RECONCILE_TARGET_PASSWORD", "",
                "password for reconcile's target (environment or context only)", "", false, false, true},
    SettingSpec{"timeout", "CDCCTL_TIMEOUT", "DURATION", "overall time limit for each operation", "30s"},
    SettingSpec{"workers", "CDCCTL_WORKERS", "URL[,URL…]",
                "every Kafka Connect worker, for rolling restarts (default: the connect-url list)", ""},
    SettingSpec{"worker-restart-command", "CDCCTL_WORKER_RESTART_COMMAND", "COMMAND",
                "command that restarts one worker ({url} {host} {port} {index} are replaced; no shell)", ""},
};

}  // namespace

std::span<const SettingSpec> setting_specs() { return kSpecs; }

const SettingSpec* find_setting(std::string_view key) {
  for (const auto& spec : kSpecs) {
    if (spec.key == key) return &spec;
  }
  return nullptr;
}

std::string_view source_name(SettingSource source) {
  switch (source) {
    case SettingSource::Flag: return "flag";
    case SettingSource::Environment: return "environment";
    case SettingSource::Context: return "context";
    case SettingSource::Default: return "default";
  }
  return "?";
}

Settings resolve_settings(const SettingsInput& input) {
  Settings settings;
  const auto env = [&](const std::string& name) { return input.env ? input.env(name) : std::nullopt; };

  if (input.context_flag && !input.context_flag->empty()) {
    settings.context_name = *input.context_flag;
    settings.context_source = SettingSource::Flag;
  } else if (auto from_env = env("CDCCTL_CONTEXT"); from_env && !from_env->empty()) {
    settings.context_name = *from_env;
    settings.context_source = SettingSource::Environment;
  } else if (!input.config.current_context.empty()) {
    settings.context_name = input.config.current_context;
    settings.context_source = SettingSource::Context;
  }

  const ContextValues* context = nullptr;
  if (!settings.context_name.empty()) {
    auto it = input.config.contexts.find(settings.context_name);
    if (it == input.config.contexts.end()) {
      throw Error::not_found("context '" + settings.context_name + "' not found", {},
                             "list contexts with: cdcctl context list");
    }
    context = &it->second;
  }

  for (const auto& spec : kSpecs) {
    const std::string key(spec.key);
    if (auto flag = input.flags.find(key); flag != input.flags.end()) {
      settings.values[key] = {flag->second, SettingSource::Flag};
    } else if (auto from_env = env(std::string(spec.env)); from_env && !from_env->empty()) {
      settings.values[key] = {*from_env, SettingSource::Environment};
    } else if (context && context->contains(key)) {
      settings.values[key] = {context->at(key), SettingSource::Context};
    } else if (!spec.default_value.empty()) {
      settings.values[key] = {std::string(spec.default_value), SettingSource::Default};
    }
  }
  // librdkafka pass-through properties: context first, -X flags override.
  if (context) {
    for (const auto& [key, value] : *context) {
      if (key.starts_with("kafka.")) settings.values[key] = {value, SettingSource::Context};
    }
  }
  for (const auto& [key, value] : input.flags) {
    if (key.starts_with("kafka.")) settings.values[key] = {value, SettingSource::Flag};
  }
  return settings;
}

std::optional<std::string> Settings::get(std::string_view key) const {
  auto it = values.find(std::string(key));
  if (it == values.end()) return std::nullopt;
  return it->second.value;
}

bool Settings::get_bool(std::string_view key) const {
  auto value = get(key);
  if (!value) return false;
  const auto& v = *value;
  if (v == "1" || v == "true" || v == "yes" || v == "on") return true;
  if (v == "0" || v == "false" || v == "no" || v == "off" || v.empty()) return false;
  throw Error::usage("invalid value '" + v + "' for " + std::string(key), {}, "use true or false");
}

std::chrono::milliseconds Settings::timeout() const {
  auto value = get("timeout");
  const auto timeout = parse_duration(value ? *value : "30s");
  if (timeout.count() <= 0) {
    throw Error::usage("invalid --timeout '" + *value + "'", "it must be longer than zero", "e.g. --timeout 30s");
  }
  return timeout;
}

namespace {

// "host:8083, https://b:8083/" → {"http://host:8083", "https://b:8083"}.
std::vector<std::string> url_list(const std::optional<std::string>& value) {
  std::vector<std::string> urls;
  if (!value) return urls;
  std::stringstream stream(*value);
  std::string url;
  while (std::getline(stream, url, ',')) {
    while (!url.empty() && url.front() == ' ') url.erase(url.begin());
    while (!url.empty() && (url.back() == ' ' || url.back() == '/')) url.pop_back();
    if (url.empty()) continue;
    if (url.find("://") == std::string::npos) url = "http://" + url;
    urls.push_back(url);
  }
  return urls;
}

}  // namespace

std::vector<std::string> Settings::connect_urls() const { return url_list(get("connect-url")); }

std::vector<std::string> Settings::worker_urls() const {
  auto workers = url_list(get("workers"));
  return workers.empty() ? connect_urls() : workers;
}

std::optional<std::string> Settings::connect_user() const { return get("connect-user"); }

namespace {

// A secret can be given directly (environment, context) or as a file; the
// one set at the higher precedence level wins, the file on a tie.
std::optional<std::string> secret_from(const Settings& settings, const std::string& file_key,
                                       const std::string& value_key) {
  auto file = settings.values.find(file_key);
  auto value = settings.values.find(value_key);
  const bool has_file = file != settings.values.end();
  const bool has_value = value != settings.values.end();
  if (has_file && (!has_value || file->second.source <= value->second.source)) {
    return read_secret_file(file->second.value);
  }
  if (has_value) return value->second.value;
  return std::nullopt;
}

std::optional<SettingSource> source_of(const Settings& settings, const std::string& key) {
  auto it = settings.values.find(key);
  if (it == settings.values.end()) return std::nullopt;
  return it->second.source;
}

}  // namespace

std::optional<std::string> Settings::connect_password() const {
  return secret_from(*this, "connect-password-file", "connect-password");
}

std::optional<std::string> Settings::connect_token() const {
  return secret_from(*this, "connect-token-file", "connect-token");
}

bool Settings::prefer_bearer_token() const {
  auto token = std::min(source_of(*this, "connect-token-file").value_or(SettingSource::Default),
                        source_of(*this, "connect-token").value_or(SettingSource::Default));
  auto user = source_of(*this, "connect-user");
  if (!source_of(*this, "connect-token-file") && !source_of(*this, "connect-token")) return false;
  return !user || token <= *user;
}

std::string Settings::pg_conninfo() const { return get("pg").value_or(""); }

std::map<std::string, std::string> Settings::kafka_properties() const {
  std::map<std::string, std::string> properties;
  if (auto file = get("kafka-config-file")) properties = parse_properties(read_file(*file), *file);
  for (const auto& [key, value] : values) {
    if (key.starts_with("kafka.")) properties[key.substr(6)] = value.value;
  }
  if (auto bootstrap = get("bootstrap-servers")) properties["bootstrap.servers"] = *bootstrap;
  return properties;
}

std::map<std::string, std::string> parse_properties(std::string_view text, const std::string& origin) {
  std::map<std::string, std::string> properties;
  std::istringstream stream{std::string(text)};
  std::string line;
  int number = 0;
  while (std::getline(stream, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    auto eq = line.find('=');
    if (eq == std::string::npos) {
      throw Error::usage("invalid properties file " + origin,
                         "line " + std::to_string(number) + " has no '=' (expected key=value)");
    }
    auto key = line.substr(first, eq - first);
    while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.pop_back();
    auto value = line.substr(eq + 1);
    auto value_start = value.find_first_not_of(" \t");
    value = value_start == std::string::npos ? "" : value.substr(value_start);
    properties[key] = value;
  }
  return properties;
}

}  // namespace cdcctl
