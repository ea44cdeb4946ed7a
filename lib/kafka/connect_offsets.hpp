#pragma once
// The records of Kafka Connect's offsets topic (offset.storage.topic,
// usually connect-offsets). Connect writes them with its JSON converter,
// schemas off:
//   key   ["connector-name", {source partition}]   e.g. ["inventory",{"server":"inventory"}]
//   value {source offset}, or null (a tombstone) when the offset was removed.
// The topic is compacted by key bytes, and a worker's producer puts each key
// on the partition the default (murmur2) partitioner picks.
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace cdcctl::kafka {

struct ConnectOffsetKey {
  std::string connector{};
  nlohmann::json partition{};  // the source partition (an object for Debezium)
};

// nullopt for anything that is not a two-element array whose first element
// is a string. Whitespace and key order inside the partition do not matter
// to the result (they do to the key bytes, and so to compaction).
std::optional<ConnectOffsetKey> parse_connect_offset_key(std::string_view bytes);

// The bytes Connect's JSON converter writes for a key: compact JSON.
std::string encode_connect_offset_key(const std::string& connector, const nlohmann::json& partition);

}  // namespace cdcctl::kafka
