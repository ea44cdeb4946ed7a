#pragma once
// Offsets straight from Kafka Connect's offsets topic: the legacy path for
// Connect older than 3.6 (no REST offsets API) or a cluster whose workers are
// down. Reading replays the topic as a worker does; resetting writes a
// tombstone for every key of the connector, on the partition its record is
// in, then reads the topic again to prove the keys are gone.
//
// Only safe when no worker runs the connector: a running task would write
// its offsets again. check_topic_reset() enforces that.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <unordered_map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "connect/client.hpp"
#include "core/log.hpp"
#include "kafka/connect_offsets.hpp"
#include "kafka/topic_io.hpp"
#include "ops/offsets.hpp"

namespace cdcctl::ops {

inline constexpr const char* kDefaultOffsetsTopic = "connect-offsets";

// One live key of a connector in the offsets topic.
struct TopicOffsetEntry {
  std::string key{};                  // the key bytes as written
  nlohmann::json partition{};         // the source partition from the key
  nlohmann::json offset{};            // the latest value
  std::int32_t topic_partition = 0;   // where the record is
  std::int64_t record_offset = 0;
  std::int64_t timestamp_ms = -1;
  int expected_partition = 0;         // where the murmur2 partitioner puts the key
};

// Replays records as a worker does: per key bytes and partition the latest
// record wins and a tombstone removes the key. Keys that are not Connect
// offset keys are counted, not fatal.
class OffsetsTopicReplay {
 public:
  explicit OffsetsTopicReplay(int partition_count) : partition_count_(partition_count) {}
  void add(const kafka::Record& record);

  // The connector's live keys, by partition and record offset.
  std::vector<TopicOffsetEntry> live(const std::string& connector) const;
  // Every connector with live keys, and how many.
  std::map<std::string, std::size_t> connectors() const;
  std::size_t records() const { return records_; }
  std::size_t unreadable() const { return unreadable_; }
  int partition_count() const { return partition_count_; }

 private:
  // What is kept per live key: values are parsed only when asked for, and
  // each distinct key's bytes are parsed once, since a busy topic holds many
  // records per key.
  struct LiveRecord {
    const std::string* connector = nullptr;  // points into parsed_keys_
    std::string value{};
    std::int64_t offset = 0;
    std::int64_t timestamp_ms = -1;
  };
  int partition_count_;
  std::size_t records_ = 0;
  std::size_t unreadable_ = 0;
  std::unordered_map<std::string, std::optional<kafka::ConnectOffsetKey>> parsed_keys_;
  std::map<std::pair<std::int32_t, std::string>, LiveRecord> live_;  // (partition, key bytes)
};

// Reads the whole topic (low to high watermark of every partition).
OffsetsTopicReplay scan_offsets_topic(const std::map<std::string, std::string>& kafka_properties, const std::string& topic,
                                      std::chrono::milliseconds timeout, const Logger* logger = nullptr);

// The same shape `offsets get` gives for the REST path (state unknown), so
// `offsets get --via-topic -o json` feeds `offsets set` too; "records" adds
// where each key lives.
ConnectorOffsets to_connector_offsets(const std::string& name, const std::vector<TopicOffsetEntry>& entries);
nlohmann::json records_json(const std::vector<TopicOffsetEntry>& entries);

// Throws Error (not found, exit 4) when the connector has no live key, naming
// the connectors that do.
void require_keys(const OffsetsTopicReplay& replay, const std::string& connector, const std::string& topic);

// Whether writing tombstones is safe: the connector must be gone from
// Connect, or the workers stopped. `client` is null when no Connect URL is
// configured. Returns why it is allowed; throws Error (failed, exit 1) with
// a hint when refused.
std::string check_topic_reset(connect::Client* client, const std::string& name, bool workers_stopped);

// Writes a null value for every entry's key to the partition its record is
// in, waits for the writes, reads the topic again and returns the keys still
// live (empty on success).
std::vector<TopicOffsetEntry> write_tombstones(const std::map<std::string, std::string>& kafka_properties,
                                               const std::string& topic, const std::string& connector,
                                               const std::vector<TopicOffsetEntry>& entries,
                                               std::chrono::milliseconds timeout, const Logger* logger = nullptr);

}  // namespace cdcctl::ops
