#include "ops/ping.hpp"

#include <algorithm>
#include <future>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/secrets.hpp"
#include "kafka/cluster.hpp"
#include "ops/connect_session.hpp"
#include "pg/connection.hpp"

namespace cdcctl::ops {

namespace {

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

// Runs one check's body. A failing service is reported and the others still
// checked; a usage error (an unknown Kafka property) is the user's to fix and
// stops the whole command with exit 2.
template <class Body>
void run_check(ServiceCheck& check, Body&& body) {
  const auto start = Clock::now();
  try {
    body();
    check.ok = true;
  } catch (const Error& error) {
    if (error.code() == ExitCode::Usage) throw;
    check.failure = error.code() == ExitCode::Unreachable ? ExitCode::Unreachable : ExitCode::Failed;
    check.error = mask_url_or_conninfo(error.what());
    check.hint = error.hint();
  } catch (const std::exception& error) {  // e.g. JSON of an unexpected shape
    check.failure = ExitCode::Failed;
    check.error = std::string("unexpected answer: ") + mask_url_or_conninfo(error.what());
    check.hint = "is the address pointing at the right service?";
  }
  check.latency = since(start);
}

ServiceCheck check_connect(const Settings& settings, const Logger& logger) {
  ServiceCheck check{.service = "connect"};
  const auto urls = settings.connect_urls();
  check.configured = !urls.empty();
  if (!check.configured) return check;
  std::string endpoints;
  for (const auto& url : urls) endpoints += (endpoints.empty() ? "" : ",") + mask_url_or_conninfo(url);
  check.endpoint = endpoints;
  run_check(check, [&] {
    ConnectSession session(settings, logger);
    const auto info = session.client().server_info();
    if (info.version.empty()) throw Error::failed("GET / answered without a version", "is this Kafka Connect?");
    check.version = info.version;
    check.endpoint = mask_url_or_conninfo(info.worker_url);
    check.detail = "kafka cluster " + info.kafka_cluster_id;
  });
  return check;
}

ServiceCheck check_kafka(const Settings& settings, const Logger& logger) {
  ServiceCheck check{.service = "kafka"};
  const auto properties = settings.kafka_properties();
  auto bootstrap = properties.find("bootstrap.servers");
  check.configured = bootstrap != properties.end() && !bootstrap->second.empty();
  if (!check.configured) return check;
  check.endpoint = bootstrap->second;
  run_check(check, [&] {
    const auto info = kafka::describe_cluster(properties, settings.timeout(), &logger);
    const auto user_topics = std::count_if(info.topics.begin(), info.topics.end(),
                                           [](const auto& topic) { return !topic.name.starts_with("__"); });
    check.detail = fmt::format("cluster {}, {} broker{}, {} topic{}", info.cluster_id.empty() ? "?" : info.cluster_id,
                               info.brokers.size(), info.brokers.size() == 1 ? "" : "s", user_topics,
                               user_topics == 1 ? "" : "s");
  });
  return check;
}

ServiceCheck check_postgres(const Settings& settings, const EnvLookup& env, bool explicitly_requested) {
  ServiceCheck check{.service = "postgres"};
  const auto conninfo = settings.pg_conninfo();
  // With no --pg, libpq's defaults (PG* variables, local socket) still make a
  // target: checked only when asked for or when PGHOST/PGDATABASE point somewhere.
  const auto set = [&](const char* name) { return env && env(name).has_value(); };
  check.configured = !conninfo.empty() || explicitly_requested || set("PGHOST") || set("PGDATABASE");
  if (!check.configured) return check;
  check.endpoint = conninfo.empty() ? "libpq defaults (PG* environment)" : mask_url_or_conninfo(conninfo);
  run_check(check, [&] {
    auto connection = pg::Connection::open(conninfo, settings.timeout());
    auto result = connection.exec(
        "SELECT current_setting('wal_level'), current_setting('max_replication_slots'), pg_is_in_recovery()::text");
    check.version = pg::format_server_version(connection.server_version());
    check.endpoint = mask_url_or_conninfo(connection.describe());
    check.detail = fmt::format("wal_level={}, max_replication_slots={}{}", result.text(0, 0), result.text(0, 1),
                               result.text(0, 2) == "true" ? ", standby" : "");
  });
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
  settings.timeout();  // a bad --timeout is a usage error before anything runs
  // The checks are independent: run them side by side so a slow service
  // does not add its wait to the others'.
  std::vector<std::future<ServiceCheck>> pending;
  if (wanted(options, "connect")) {
    pending.push_back(std::async(std::launch::async, [&] { return check_connect(settings, logger); }));
  }
  if (wanted(options, "kafka")) {
    pending.push_back(std::async(std::launch::async, [&] { return check_kafka(settings, logger); }));
  }
  if (wanted(options, "postgres")) {
    const bool named = !options.services.empty();
    pending.push_back(
        std::async(std::launch::async, [&, named] { return check_postgres(settings, options.env, named); }));
  }
  std::vector<ServiceCheck> checks;
  for (auto& future : pending) checks.push_back(future.get());  // rethrows a usage error
  for (const auto& check : checks) {
    if (!check.configured && !options.services.empty()) {
      throw Error::usage(check.service + " is not configured", {},
                         check.service == "connect"  ? "pass --connect-url or add connect-url to the context"
                         : check.service == "kafka" ? "pass --bootstrap-servers or add it to the context"
                                                    : "pass --pg or set PGHOST");
    }
  }
  return checks;
}

ExitCode ping_exit_code(const std::vector<ServiceCheck>& checks) {
  ExitCode code = ExitCode::Ok;
  for (const auto& check : checks) {
    if (!check.configured || check.ok) continue;
    if (check.failure == ExitCode::Unreachable) return ExitCode::Unreachable;
    code = ExitCode::Failed;
  }
  return code;
}

nlohmann::json to_json(const ServiceCheck& check) {
  nlohmann::json out = {{"service", check.service}, {"configured", check.configured}};
  if (!check.configured) return out;
  auto or_null = [](const std::string& text) { return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text); };
  out["endpoint"] = check.endpoint;
  out["ok"] = check.ok;
  out["latency_ms"] = check.latency.count();
  out["version"] = or_null(check.version);
  out["detail"] = or_null(check.detail);
  out["error"] = or_null(check.error);
  return out;
}

}  // namespace cdcctl::ops
