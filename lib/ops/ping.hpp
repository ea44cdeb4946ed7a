#pragma once
// `cdcctl ping`: can cdcctl reach and log in to each configured service, and
// what is it? One check per service (Kafka Connect, Kafka, PostgreSQL), run
// in parallel so the whole command is bounded by one --timeout.
#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/environment.hpp"
#include "core/exit_codes.hpp"
#include "core/log.hpp"
#include "core/settings.hpp"

namespace cdcctl::ops {

struct ServiceCheck {
  std::string service{};   // "connect", "kafka", "postgres"
  std::string endpoint{};  // masked
  bool configured = false;
  bool ok = false;
  ExitCode failure = ExitCode::Ok;  // Unreachable (no answer, refused login) or Failed (a wrong answer)
  std::string version{};
  std::chrono::milliseconds latency{0};
  std::string detail{};  // e.g. "3 brokers, 12 topics" or "wal_level=logical"
  std::string error{};   // why it failed, when it did (masked)
  std::string hint{};
};

struct PingOptions {
  std::vector<std::string> services{};  // empty = every configured one
  EnvLookup env{};                      // for libpq's PGHOST/PGDATABASE
};

// Throws Error (usage) for an unknown service name, or a named service that
// is not configured.
std::vector<ServiceCheck> ping(const Settings& settings, const PingOptions& options, const Logger& logger);

// 0 when every configured check passed; 3 when any service could not be
// reached or refused the login; 1 when one answered wrongly.
ExitCode ping_exit_code(const std::vector<ServiceCheck>& checks);

nlohmann::json to_json(const ServiceCheck& check);

}  // namespace cdcctl::ops
