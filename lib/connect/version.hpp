#pragma once
// Kafka Connect versions and the features each one brought, so a command can
// say "needs Connect 3.8 or newer" instead of failing with a bare 404/405.
#include <optional>
#include <string>
#include <string_view>

namespace cdcctl::connect {

struct Version {
  int major = 0;
  int minor = 0;
  int patch = 0;
  auto operator<=>(const Version&) const = default;
  std::string text() const;  // "3.8.0"
};

// "3.7.1", "4.0.0-SNAPSHOT", and Confluent Platform's "7.6.0-ccs" (which is
// Apache Kafka 3.6: CP 7.x is AK 3.x, CP 8.x is AK 4.x). nullopt when unparsable.
std::optional<Version> parse_version(std::string_view text);

enum class Feature {
  RestartOnlyFailed,   // KIP-745: restart ?includeTasks&onlyFailed (3.0)
  Stop,                // KIP-875: PUT /stop (3.5)
  ReadOffsets,         // KIP-875: GET /offsets (3.5)
  AlterOffsets,        // KIP-875: PATCH/DELETE /offsets (3.6)
  InitialState,        // KIP-980: initial_state on create (3.7)
  LoggerScope,         // KIP-976: PUT /admin/loggers ?scope (3.7)
  PatchConfig,         // KIP-477: PATCH /config (3.8)
  Health,              // KIP-1017: GET /health (3.9)
};

struct FeatureInfo {
  std::string_view description;  // "PATCH /connectors/{name}/config"
  Version since;
};

FeatureInfo feature_info(Feature feature);
bool supports(const Version& version, Feature feature);

}  // namespace cdcctl::connect
