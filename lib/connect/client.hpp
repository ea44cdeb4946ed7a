#pragma once
// Kafka Connect REST client: one typed call per endpoint of Apache Kafka
// 3.7–4.0 (reference: shared/reference/kafka-connect-rest.md).
//
// Every call is bounded by the timeout it was built with, retries inside
// that budget when the worker says nothing happened (409 rebalance, a
// request that never left) and, for idempotent requests only, on 5xx and
// broken connections; it fails over to the next worker URL when one cannot
// be reached. HTTP errors become cdcctl::Error with Connect's message and a
// hint for the user.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "connect/models.hpp"
#include "connect/retry.hpp"
#include "connect/version.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "http/client.hpp"

namespace cdcctl::connect {

struct ClientOptions {
  std::chrono::milliseconds timeout{30'000};  // per call, retries included
  Backoff backoff{};
  const Logger* logger = nullptr;
};

enum class LoggerScope { Worker, Cluster };

class Client {
 public:
  Client(http::Client& http, std::vector<std::string> worker_urls, ClientOptions options = {});

  // Worker
  ServerInfo server_info();
  Version version();  // read once per client
  WorkerHealth health();

  // Connectors
  std::vector<std::string> connector_names();
  std::vector<ConnectorOverview> connectors(bool with_status = true, bool with_info = true);
  ConnectorInfo connector(const std::string& name);
  Config config(const std::string& name);
  // PUT /config: creates or replaces. `created` says which happened.
  ConnectorInfo put_config(const std::string& name, const Config& config, bool* created = nullptr);
  // PATCH /config (3.8+): a JSON object whose null values remove keys.
  ConnectorInfo patch_config(const std::string& name, const nlohmann::json& patch);
  ConnectorInfo create(const std::string& name, const Config& config,
                       const std::optional<std::string>& initial_state = std::nullopt);
  void delete_connector(const std::string& name);
  ConnectorStatus status(const std::string& name);
  std::vector<TaskInfo> tasks(const std::string& name);
  TaskState task_status(const std::string& name, int task);
  std::vector<std::string> topics(const std::string& name);
  void reset_topics(const std::string& name);
  void pause(const std::string& name);
  void resume(const std::string& name);
  void stop(const std::string& name);
  // 204 (connector instance only) → nullopt; 202 → the RESTARTING snapshot.
  std::optional<ConnectorStatus> restart(const std::string& name, bool include_tasks, bool only_failed);
  void restart_task(const std::string& name, int task);
  nlohmann::json offsets(const std::string& name);
  std::string alter_offsets(const std::string& name, const nlohmann::json& offsets);
  std::string reset_offsets(const std::string& name);

  // Plugins
  std::vector<PluginInfo> plugins(bool connectors_only = true);
  std::vector<ConfigKey> plugin_config(const std::string& plugin);
  ValidationResult validate(const std::string& connector_class, const Config& config);

  // Loggers
  std::vector<LoggerLevel> loggers();
  LoggerLevel logger(const std::string& name);
  // Worker scope → the logger names changed; cluster scope → empty (async).
  std::vector<std::string> set_logger(const std::string& name, const std::string& level, LoggerScope scope);

  // Throws a clear error when the worker is older than the feature needs.
  void require(Feature feature);
  const std::string& current_url() const { return worker_urls_.at(current_); }
  std::chrono::milliseconds timeout() const { return options_.timeout; }

  // The low-level call every endpoint goes through: retries and failover as
  // described above; non-2xx statuses become Error. Returns the body
  // (null when empty) and sets *status when given.
  nlohmann::json call(http::Method method, const std::string& path, const std::optional<nlohmann::json>& body,
                      bool idempotent, long* status = nullptr);

 private:
  http::Response send_once(http::Method method, const std::string& path, const std::optional<std::string>& body,
                           std::chrono::milliseconds budget);

  http::Client* http_;
  std::vector<std::string> worker_urls_;
  ClientOptions options_;
  std::size_t current_ = 0;
  std::optional<Version> version_;
};

// Turns a non-2xx response into an Error: 404 → not found, 401/403 →
// unreachable (authentication), 400 on offsets → "stop the connector first",
// other statuses → failed. HTML pages from proxies are summarised.
Error error_from_response(const http::Response& response, const std::string& what);

// Connect's error message from a JSON error body, empty when there is none.
std::string connect_message(const http::Response& response);

std::string connector_path(const std::string& name, const std::string& suffix = {});

}  // namespace cdcctl::connect
