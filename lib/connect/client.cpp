#include "connect/client.hpp"

#include <random>
#include <thread>

namespace cdcctl::connect {

namespace {

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds until(Clock::time_point deadline) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
}

bool is_html(const http::Response& response) {
  return response.header("content-type").find("html") != std::string::npos ||
         response.body.starts_with("<") || response.body.starts_with("\n<");
}

// "/connectors/orders/offsets" → "orders" (decoded enough for a hint).
std::string connector_in(const std::string& path) {
  const std::string prefix = "/connectors/";
  if (!path.starts_with(prefix)) return {};
  auto name = path.substr(prefix.size());
  name = name.substr(0, name.find_first_of("/?"));
  std::string decoded;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '%' && i + 2 < name.size()) {
      decoded.push_back(static_cast<char>(std::stoi(name.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      decoded.push_back(name[i]);
    }
  }
  return decoded;
}

std::string with_query(const std::string& path, const std::vector<std::string>& params) {
  std::string out = path;
  for (std::size_t i = 0; i < params.size(); ++i) out += (i == 0 ? "?" : "&") + params[i];
  return out;
}

}  // namespace

std::string connector_path(const std::string& name, const std::string& suffix) {
  return "/connectors/" + http::encode_path_segment(name) + suffix;
}

std::string connect_message(const http::Response& response) {
  if (response.body.empty() || is_html(response)) return {};
  try {
    auto body = nlohmann::json::parse(response.body);
    if (body.is_object() && body.contains("message") && body["message"].is_string()) {
      return body["message"].get<std::string>();
    }
  } catch (const nlohmann::json::parse_error&) {
  }
  return {};
}

Error error_from_response(const http::Response& response, const std::string& what) {
  const std::string message = connect_message(response);
  const std::string status = "HTTP " + std::to_string(response.status);
  std::string why;
  if (!message.empty()) {
    why = status + ": " + message;
  } else if (is_html(response)) {
    why = status + " with an HTML page (a proxy or the worker's web server answered, not Connect)";
  } else if (!response.body.empty()) {
    auto first_line = response.body.substr(0, response.body.find('\n'));
    if (first_line.size() > 200) first_line = first_line.substr(0, 200) + "…";
    why = status + ": " + first_line;
  } else {
    why = status;
  }
  const auto path = what.substr(what.find(' ') + 1);
  const std::string connector = connector_in(path);
  switch (response.status) {
    case 401:
    case 403:
      if (message.find("Topic tracking") != std::string::npos) {
        return Error::failed(what, why, "the worker has topic.tracking.enable (or .allow.reset) set to false");
      }
      return Error::unreachable(what + " was refused", why,
                                "check --connect-user and the password file, or the bearer token");
    case 404: {
      std::string hint = "list connectors with: cdcctl connectors list";
      if (path.starts_with("/connector-plugins")) hint = "list plugins with: cdcctl plugins list --all";
      else if (path.starts_with("/admin/loggers")) hint = "list loggers with: cdcctl loggers list";
      else if (message.empty()) hint = "the worker does not know this endpoint; check its version: cdcctl cluster info";
      return Error::not_found(what, why, hint);
    }
    case 405:
      return Error::failed(what, why, "the worker does not support this request; check its version: cdcctl cluster info");
    case 400:
      if (message.find("STOPPED state") != std::string::npos) {
        return Error::failed(what, why,
                             "stop the connector first: cdcctl connectors stop " + (connector.empty() ? "NAME" : connector));
      }
      if (message.find("configuration is invalid") != std::string::npos) {
        return Error::failed(what, why, "see every field error with: cdcctl connectors validate -f FILE");
      }
      return Error::failed(what, why);
    case 409:
      if (message.find("already exists") != std::string::npos) {
        return Error::failed(what, why, "update it with cdcctl connectors apply -f FILE, or delete it first");
      }
      return Error::failed(what, why, "the Connect cluster is rebalancing; retry in a few seconds or raise --timeout");
    case 502:
    case 503:
    case 504:
      return Error::unreachable(what, why, "a proxy or the worker is not ready; check the worker and retry");
    default:
      if (message.find("Failed to find any class") != std::string::npos) {
        return Error::failed(what, why, "the worker has no such connector plugin: cdcctl plugins list");
      }
      if (message.find("rebalance is expected") != std::string::npos) {
        return Error::failed(what, why, "the Connect cluster is rebalancing; retry in a few seconds or raise --timeout");
      }
      return Error::failed(what, why);
  }
}

Client::Client(http::Client& http, std::vector<std::string> worker_urls, ClientOptions options)
    : http_(&http), worker_urls_(std::move(worker_urls)), options_(options) {
  if (worker_urls_.empty()) {
    throw Error::usage("no Kafka Connect URL configured", {},
                       "pass --connect-url URL, set CDCCTL_CONNECT_URL, or add connect-url to a context");
  }
}

http::Response Client::send_once(http::Method method, const std::string& path, const std::optional<std::string>& body,
                                 std::chrono::milliseconds budget) {
  std::optional<http::TransportError> last;
  for (std::size_t attempt = 0; attempt < worker_urls_.size(); ++attempt) {
    const std::size_t index = (current_ + attempt) % worker_urls_.size();
    try {
      auto response = http_->send({method, worker_urls_[index] + path, body}, budget);
      current_ = index;  // stick to the worker that answered
      return response;
    } catch (const http::TransportError& error) {
      // Only a request that never left may go to another worker: one that
      // was sent might have been acted on there already.
      if (error.stage() != http::TransportError::Stage::NotConnected) throw;
      last = error;
      if (options_.logger && worker_urls_.size() > 1) {
        options_.logger->verbose("worker " + worker_urls_[index] + " unreachable, trying the next");
      }
    }
  }
  if (worker_urls_.size() == 1) throw *last;
  http::TransportError all(http::TransportError::Stage::NotConnected,
                           "no Kafka Connect worker could be reached (" + std::to_string(worker_urls_.size()) +
                               " tried)",
                           last->why(), last->hint());
  if (last->permanent()) all.set_permanent();
  throw all;
}

nlohmann::json Client::call(http::Method method, const std::string& path, const std::optional<nlohmann::json>& body,
                            bool idempotent, long* status) {
  const auto deadline = Clock::now() + options_.timeout;
  const std::optional<std::string> payload = body ? std::optional<std::string>(body->dump()) : std::nullopt;
  const std::string what = std::string(http::method_name(method)) + " " + path;
  std::mt19937 jitter_source(std::random_device{}());
  std::uniform_real_distribution<double> jitter(0.0, 1.0);

  for (int attempt_number = 1;; ++attempt_number) {
    Attempt attempt;
    std::optional<Error> failure;
    try {
      auto response = send_once(method, path, payload, std::max(until(deadline), std::chrono::milliseconds(1)));
      attempt.status = response.status;
      attempt.message = connect_message(response);
      if (response.status >= 200 && response.status < 300) {
        if (status) *status = response.status;
        if (response.body.empty()) return nullptr;
        try {
          return nlohmann::json::parse(response.body);
        } catch (const nlohmann::json::parse_error&) {
          failure = Error::failed(what + ": the worker sent a response that is not valid JSON",
                                  std::to_string(response.body.size()) + " bytes, possibly cut off",
                                  "retry; if it persists, check proxies between cdcctl and the worker");
          // A cut-off answer to a read is worth another try; to a write it is not.
          attempt.transport_failure = true;
        }
      } else if (method == http::Method::Delete && response.status == 404 && attempt_number > 1) {
        // The first attempt was applied before its answer got lost.
        if (status) *status = 204;
        return nullptr;
      } else {
        failure = error_from_response(response, what);
      }
    } catch (const http::TransportError& error) {
      if (error.permanent()) throw;  // an untrusted certificate stays untrusted
      attempt.transport_failure = true;
      attempt.never_sent = error.stage() == http::TransportError::Stage::NotConnected;
      failure = error;
    }

    if (!should_retry(idempotent, attempt)) throw *failure;
    const auto delay = options_.backoff.delay(attempt_number, jitter(jitter_source));
    if (delay >= until(deadline)) {
      const std::string gave_up = "gave up after " + std::to_string(attempt_number) + " attempt" +
                                  (attempt_number == 1 ? "" : "s") + " within --timeout " +
                                  std::to_string(options_.timeout.count()) + "ms";
      if (is_rebalance(attempt)) {
        throw Error::failed(what, "the Connect cluster was still rebalancing (" + failure->why() + "); " + gave_up,
                            "retry later, or raise --timeout");
      }
      throw Error(failure->code(), failure->summary(), failure->why() + "; " + gave_up, failure->hint());
    }
    if (options_.logger) {
      options_.logger->verbose("retrying " + what + " in " + std::to_string(delay.count()) + "ms: " +
                               failure->why());
    }
    std::this_thread::sleep_for(delay);
  }
}

ServerInfo Client::server_info() {
  auto info = parse_server_info(call(http::Method::Get, "/", std::nullopt, true));
  info.worker_url = current_url();
  if (!version_) version_ = parse_version(info.version);
  return info;
}

Version Client::version() {
  if (!version_) {
    const auto info = server_info();
    if (!version_) {
      throw Error::failed("cannot tell the Kafka Connect version", "the worker reported '" + info.version + "'");
    }
  }
  return *version_;
}

void Client::require(Feature feature) {
  const auto have = version();
  const auto info = feature_info(feature);
  if (!supports(have, feature)) {
    throw Error::usage(std::string(info.description) + " needs Kafka Connect " + info.since.text() + " or newer",
                       "the worker at " + current_url() + " runs " + have.text(),
                       "upgrade the Connect cluster, or use a command that works on " + have.text());
  }
}

WorkerHealth Client::health() {
  require(Feature::Health);
  // /health answers 503 while starting and 500 when stuck, with the same body:
  // those are results to report, not errors.
  const auto response = send_once(http::Method::Get, "/health", std::nullopt, options_.timeout);
  WorkerHealth health;
  health.http_status = response.status;
  try {
    auto body = nlohmann::json::parse(response.body);
    health.status = body.value("status", "");
    health.message = body.value("message", "");
  } catch (const nlohmann::json::exception&) {
    if (response.status / 100 != 2) throw error_from_response(response, "GET /health");
    throw Error::failed("GET /health: the worker sent a response that is not valid JSON");
  }
  return health;
}

std::vector<std::string> Client::connector_names() {
  return call(http::Method::Get, "/connectors", std::nullopt, true).get<std::vector<std::string>>();
}

std::vector<ConnectorOverview> Client::connectors(bool with_status, bool with_info) {
  std::vector<std::string> params;
  if (with_status) params.push_back("expand=status");
  if (with_info) params.push_back("expand=info");
  return parse_expanded(call(http::Method::Get, with_query("/connectors", params), std::nullopt, true));
}

ConnectorInfo Client::connector(const std::string& name) {
  return parse_info(call(http::Method::Get, connector_path(name), std::nullopt, true));
}

Config Client::config(const std::string& name) {
  return config_from_json(call(http::Method::Get, connector_path(name, "/config"), std::nullopt, true),
                          "the worker's reply");
}

ConnectorInfo Client::put_config(const std::string& name, const Config& config, bool* created) {
  long status = 0;
  auto body = call(http::Method::Put, connector_path(name, "/config"), config_to_json(config), true, &status);
  if (created) *created = status == 201;
  return parse_info(body);
}

ConnectorInfo Client::patch_config(const std::string& name, const nlohmann::json& patch) {
  require(Feature::PatchConfig);
  // A merge patch applied twice gives the same config: safe to retry.
  return parse_info(call(http::Method::Patch, connector_path(name, "/config"), patch, true));
}

ConnectorInfo Client::create(const std::string& name, const Config& config,
                             const std::optional<std::string>& initial_state) {
  nlohmann::json body = {{"name", name}, {"config", config_to_json(config)}};
  if (initial_state && *initial_state != "RUNNING") {
    require(Feature::InitialState);
    body["initial_state"] = *initial_state;
  }
  return parse_info(call(http::Method::Post, "/connectors", body, false));
}

void Client::delete_connector(const std::string& name) {
  call(http::Method::Delete, connector_path(name), std::nullopt, true);
}

ConnectorStatus Client::status(const std::string& name) {
  return parse_status(call(http::Method::Get, connector_path(name, "/status"), std::nullopt, true));
}

std::vector<TaskInfo> Client::tasks(const std::string& name) {
  return parse_tasks(call(http::Method::Get, connector_path(name, "/tasks"), std::nullopt, true));
}

TaskState Client::task_status(const std::string& name, int task) {
  return parse_task_state(
      call(http::Method::Get, connector_path(name, "/tasks/" + std::to_string(task) + "/status"), std::nullopt, true));
}

std::vector<std::string> Client::topics(const std::string& name) {
  auto body = call(http::Method::Get, connector_path(name, "/topics"), std::nullopt, true);
  std::vector<std::string> topics;
  if (auto it = body.find(name); it != body.end()) {
    for (const auto& topic : it->value("topics", nlohmann::json::array())) topics.push_back(topic.get<std::string>());
  }
  return topics;
}

void Client::reset_topics(const std::string& name) {
  call(http::Method::Put, connector_path(name, "/topics/reset"), std::nullopt, true);
}

void Client::pause(const std::string& name) { call(http::Method::Put, connector_path(name, "/pause"), std::nullopt, true); }

void Client::resume(const std::string& name) {
  call(http::Method::Put, connector_path(name, "/resume"), std::nullopt, true);
}

void Client::stop(const std::string& name) {
  require(Feature::Stop);
  call(http::Method::Put, connector_path(name, "/stop"), std::nullopt, true);
}

std::optional<ConnectorStatus> Client::restart(const std::string& name, bool include_tasks, bool only_failed) {
  std::vector<std::string> params;
  if (include_tasks || only_failed) require(Feature::RestartOnlyFailed);
  if (include_tasks) params.push_back("includeTasks=true");
  if (only_failed) params.push_back("onlyFailed=true");
  // Restarting is not idempotent in effect (a second restart interrupts the
  // first), so only "nothing happened" answers are retried.
  auto body = call(http::Method::Post, with_query(connector_path(name, "/restart"), params), std::nullopt, false);
  if (body.is_null()) return std::nullopt;
  return parse_status(body);
}

void Client::restart_task(const std::string& name, int task) {
  call(http::Method::Post, connector_path(name, "/tasks/" + std::to_string(task) + "/restart"), std::nullopt, false);
}

nlohmann::json Client::offsets(const std::string& name) {
  require(Feature::ReadOffsets);
  return call(http::Method::Get, connector_path(name, "/offsets"), std::nullopt, true);
}

std::string Client::alter_offsets(const std::string& name, const nlohmann::json& offsets) {
  require(Feature::AlterOffsets);
  auto body = call(http::Method::Patch, connector_path(name, "/offsets"), offsets, true);
  return body.is_object() ? body.value("message", "") : "";
}

std::string Client::reset_offsets(const std::string& name) {
  require(Feature::AlterOffsets);
  auto body = call(http::Method::Delete, connector_path(name, "/offsets"), std::nullopt, true);
  return body.is_object() ? body.value("message", "") : "";
}

std::vector<PluginInfo> Client::plugins(bool connectors_only) {
  return parse_plugins(call(http::Method::Get,
                            std::string("/connector-plugins?connectorsOnly=") + (connectors_only ? "true" : "false"),
                            std::nullopt, true));
}

std::vector<ConfigKey> Client::plugin_config(const std::string& plugin) {
  auto body = call(http::Method::Get, "/connector-plugins/" + http::encode_path_segment(plugin) + "/config",
                   std::nullopt, true);
  std::vector<ConfigKey> keys;
  for (const auto& entry : body) keys.push_back(parse_config_key(entry));
  return keys;
}

ValidationResult Client::validate(const std::string& connector_class, const Config& config) {
  return parse_validation(call(http::Method::Put,
                               "/connector-plugins/" + http::encode_path_segment(connector_class) + "/config/validate",
                               config_to_json(config), true));
}

std::vector<LoggerLevel> Client::loggers() {
  return parse_loggers(call(http::Method::Get, "/admin/loggers", std::nullopt, true));
}

LoggerLevel Client::logger(const std::string& name) {
  return parse_logger_level(
      name, call(http::Method::Get, "/admin/loggers/" + http::encode_path_segment(name), std::nullopt, true));
}

std::vector<std::string> Client::set_logger(const std::string& name, const std::string& level, LoggerScope scope) {
  std::string path = "/admin/loggers/" + http::encode_path_segment(name);
  if (scope == LoggerScope::Cluster) {
    require(Feature::LoggerScope);
    path += "?scope=cluster";
  }
  auto body = call(http::Method::Put, path, nlohmann::json{{"level", level}}, true);
  std::vector<std::string> changed;
  if (body.is_array()) {
    for (const auto& item : body) changed.push_back(item.get<std::string>());
  }
  return changed;
}

}  // namespace cdcctl::connect
