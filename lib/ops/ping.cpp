#include "ops/ping.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "connect/client.hpp"
#include "core/error.hpp"
#include "core/secrets.hpp"
#include "http/client.hpp"
#include "kafka/cluster.hpp"
#include "pg/connection.hpp"

namespace cdcctl::ops {

namespace {

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

// A service that fails is reported and the others still checked; a usage
// error (bad timeout, unknown Kafka property) is the user's to fix and stops
// the whole command with exit 2.
void record_failure(ServiceCheck& check, const Error& error, Clock::time_point start) {
  if (error.code() == ExitCode::Usage) throw error;
  check.ok = false;
  check.latency = since(start);
  check.error = mask_url_or_conninfo(error.what());
  check.hint = error.hint();
}

ServiceCheck check_connect(const Settings& settings, const Logger& logger) {
  ServiceCheck check{.service = "connect"};
  const auto urls = settings.connect_urls();
  check.configured = !urls.empty();
  if (!check.configured) return check;
  std::string endpoints;
  for (const auto& url : urls) endpoints += (endpoints.empty() ? "" : ",") + mask_url_or_conninfo(url);
  check.endpoint = endpoints;
  const auto start = Clock::now();
  try {
    http::ClientOptions options;
    options.timeout = settings.timeout();
    options.logger = &logger;
    options.tls = {settings.get("cacert").value_or(""), settings.get("cert").value_or(""),
                   settings.get("key").value_or(""), settings.get_bool("insecure")};
    options.auth = {settings.connect_user(), settings.connect_password(), settings.connect_token()};
    http::Client http(options);
    connect::Client client(http, urls);
    auto info = client.server_info();
    check.ok = true;
    check.latency = since(start);
    check.version = info.version;
    check.endpoint = mask_url_or_conninfo(info.worker_url);
    check.detail = "kafka cluster " + info.kafka_cluster_id;
  } catch (const Error& error) {
    record_failure(check, error, start);
  }
  return check;
}

ServiceCheck check_kafka(const Settings& settings, const Logger& logger) {
  ServiceCheck check{.service = "kafka"};
  const auto properties = settings.kafka_properties();
  auto bootstrap = properties.find("bootstrap.servers");
  check.configured = bootstrap != properties.end() && !bootstrap->second.empty();
  if (!check.configured) return check;
  check.endpoint = bootstrap->second;
  const auto start = Clock::now();
  try {
    auto info = kafka::describe_cluster(properties, settings.timeout(), &logger);
    check.ok = true;
    check.latency = since(start);
    const auto user_topics = std::count_if(info.topics.begin(), info.topics.end(),
                                           [](const auto& topic) { return !topic.name.starts_with("__"); });
    check.detail = fmt::format("cluster {}, {} broker{}, {} topic{}", info.cluster_id.empty() ? "?" : info.cluster_id,
                               info.brokers.size(), info.brokers.size() == 1 ? "" : "s", user_topics,
                               user_topics == 1 ? "" : "s");
  } catch (const Error& error) {
    record_failure(check, error, start);
  }
  return check;
}

ServiceCheck check_postgres(const Settings& settings, bool explicitly_requested) {
  ServiceCheck check{.service = "postgres"};
  const auto conninfo = settings.pg_conninfo();
  // With no --pg, libpq's defaults (PG* variables, local socket) still make a
  // target: checked only when asked for or when PGHOST/PGDATABASE point somewhere.
  check.configured = !conninfo.empty() || explicitly_requested || std::getenv("PGHOST") || std::getenv("PGDATABASE");
  if (!check.configured) return check;
  check.endpoint = conninfo.empty() ? "libpq defaults (PG* environment)" : mask_url_or_conninfo(conninfo);
  const auto start = Clock::now();
  try {
    auto connection = pg::Connection::open(conninfo, settings.timeout());
    auto result = connection.exec(
        "SELECT current_setting('wal_level'), current_setting('max_replication_slots'), "
        "pg_is_in_recovery()::text");
    check.ok = true;
    check.latency = since(start);
    check.version = pg::format_server_version(connection.server_version());
    check.endpoint = connection.describe();
    check.detail = fmt::format("wal_level={}, max_replication_slots={}{}", result.text(0, 0), result.text(0, 1),
                               result.text(0, 2) == "true" ? ", standby" : "");
  } catch (const Error& error) {
    record_failure(check, error, start);
  }
  return check;
}

bool wanted(const PingOptions& options, const std::string& service) {
  return options.services.empty() ||
         std::find(options.services.begin(), options.services.end(), service) != options.services.end();
}

}  // namespace

std::vector<ServiceCheck> ping(const Settings& settings, const PingOptions& options, const Logger& logger) {
  for (const auto& service : options.services) {
    if (service != "connect" && service != "kafka" && service != "postgres") {
      throw Error::usage("unknown service '" + service + "'", {}, "use connect, kafka or postgres");
    }
  }
  std::vector<ServiceCheck> checks;
  if (wanted(options, "connect")) checks.push_back(check_connect(settings, logger));
  if (wanted(options, "kafka")) checks.push_back(check_kafka(settings, logger));
  if (wanted(options, "postgres")) checks.push_back(check_postgres(settings, !options.services.empty()));
  return checks;
}

nlohmann::json to_json(const ServiceCheck& check) {
  nlohmann::json out = {{"service", check.service}, {"configured", check.configured}};
  if (!check.configured) return out;
  out["endpoint"] = check.endpoint;
  out["ok"] = check.ok;
  out["latency_ms"] = check.latency.count();
  out["version"] = check.version.empty() ? nlohmann::json(nullptr) : nlohmann::json(check.version);
  out["detail"] = check.detail.empty() ? nlohmann::json(nullptr) : nlohmann::json(check.detail);
  out["error"] = check.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(check.error);
  return out;
}

}  // namespace cdcctl::ops
