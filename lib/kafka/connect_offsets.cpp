#include "kafka/connect_offsets.hpp"

namespace cdcctl::kafka {

std::optional<ConnectOffsetKey> parse_connect_offset_key(std::string_view bytes) {
  const auto key = nlohmann::json::parse(bytes.begin(), bytes.end(), nullptr, /*allow_exceptions=*/false);
  if (!key.is_array() || key.size() != 2 || !key[0].is_string()) return std::nullopt;
  return ConnectOffsetKey{key[0].get<std::string>(), key[1]};
}

std::string encode_connect_offset_key(const std::string& connector, const nlohmann::json& partition) {
  return nlohmann::json::array({connector, partition}).dump();
}

}  // namespace cdcctl::kafka
