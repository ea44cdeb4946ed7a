#pragma once
// `cdcctl ping`: can cdcctl reach and log in to each configured service, and
// what is it? One check per service: Kafka Connect, Kafka, PostgreSQL.
#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/log.hpp"
#include "core/settings.hpp"

namespace cdcctl::ops {

struct ServiceCheck {
  std::string service{};   // "connect", "kafka", "postgres"
  std::string endpoint{};  // masked
  bool configured = false;
  bool ok = false;
  std::string version{};
  std::chrono::milliseconds latency{0};
  std::string detail{};  // e.g. "3 brokers, 12 topics" or "wal_level=logical"
  std::string error{};   // why it failed, when it did
  std::string hint{};
};

struct PingOptions {
  std::vector<std::string> services;  // empty = every configured one
};

std::vector<ServiceCheck> ping(const Settings& settings, const PingOptions& options, const Logger& logger);

nlohmann::json to_json(const ServiceCheck& check);

}  // namespace cdcctl::ops
