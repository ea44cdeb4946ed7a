#include "connect/version.hpp"

#include <charconv>

namespace cdcctl::connect {

std::string Version::text() const {
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

std::optional<Version> parse_version(std::string_view text) {
  Version version;
  int* parts[] = {&version.major, &version.minor, &version.patch};
  const char* cursor = text.data();
  const char* end = text.data() + text.size();
  for (int i = 0; i < 3; ++i) {
    auto [next, ec] = std::from_chars(cursor, end, *parts[i]);
    if (ec != std::errc{}) {
      if (i == 0) return std::nullopt;
      break;
    }
    cursor = next;
    if (cursor == end || *cursor != '.') break;
    ++cursor;
  }
  // Confluent Platform reports its own version with a "-ccs" suffix.
  if (text.find("-ccs") != std::string_view::npos && version.major >= 7) {
    version.major = version.major == 7 ? 3 : 4 + (version.major - 8);
  }
  return version;
}

FeatureInfo feature_info(Feature feature) {
  switch (feature) {
    case Feature::RestartOnlyFailed: return {"restart with --include-tasks/--only-failed (KIP-745)", {3, 0, 0}};
    case Feature::Stop: return {"PUT /connectors/{name}/stop (KIP-875)", {3, 5, 0}};
    case Feature::ReadOffsets: return {"GET /connectors/{name}/offsets (KIP-875)", {3, 5, 0}};
    case Feature::AlterOffsets: return {"PATCH/DELETE /connectors/{name}/offsets (KIP-875)", {3, 6, 0}};
    case Feature::InitialState: return {"creating a connector with an initial state (KIP-980)", {3, 7, 0}};
    case Feature::LoggerScope: return {"cluster-wide logger levels (KIP-976)", {3, 7, 0}};
    case Feature::PatchConfig: return {"PATCH /connectors/{name}/config (KIP-477)", {3, 8, 0}};
    case Feature::Health: return {"GET /health (KIP-1017)", {3, 9, 0}};
  }
  return {"", {}};
}

bool supports(const Version& version, Feature feature) { return version >= feature_info(feature).since; }

}  // namespace cdcctl::connect
