#pragma once
// Sink offsets by position rather than number: the earliest or latest
// offset of every partition a sink connector reads, or the first offset at
// or after a point in time (ListOffsets by timestamp, as offsetsForTimes).
// The result is a PATCH body for the stop → change → verify → restore flow.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "connect/models.hpp"
#include "kafka/topic_io.hpp"

namespace cdcctl::ops {

enum class SinkPosition { Earliest, Latest, Timestamp };

struct SinkTarget {
  SinkPosition position = SinkPosition::Earliest;
  std::int64_t timestamp_ms = 0;        // for Timestamp
  std::optional<std::string> topic{};   // only this topic of the connector's
  std::optional<int> partition{};       // only this partition (needs topic)
};

// The topics a sink connector reads: its `topics` list, or the cluster's
// topics its `topics.regex` matches in full. Error (usage) when it has
// neither; Error (not found) when the regex matches nothing.
std::vector<std::string> sink_topics(const connect::Config& config, const std::vector<std::string>& cluster_topics);

// How one partition's offset was found; `note` explains a fallback.
struct ResolvedOffset {
  std::string topic{};
  int partition = 0;
  std::int64_t offset = 0;
  std::string how{};   // earliest | latest | by-time | after-last (nothing that new)
  std::string note{};
};

// Which offset a timestamp lookup should give, from what the broker said and
// the partition's last record. A broker that cannot look up by time (old
// brokers, the embedded one) answers "nothing that new" even when the last
// record is newer: then the partition has to be read (needs_scan).
struct TimeLookup {
  std::optional<std::int64_t> offset{};
  bool needs_scan = false;
};
TimeLookup interpret_time_lookup(std::optional<std::int64_t> broker_answer, const kafka::Watermarks& marks,
                                 std::optional<std::int64_t> last_record_timestamp_ms, std::int64_t timestamp_ms);

// The first offset of the partition whose record is at or after
// timestamp_ms: the broker's answer (from offsets_for_times) when it has
// one, otherwise found by reading the partition; scanned counts the records
// read for that (0 when none were).
std::int64_t find_offset_for_time(kafka::Consumer& consumer, const std::string& topic, int partition,
                                  const kafka::Watermarks& marks, std::optional<std::int64_t> broker_answer,
                                  std::int64_t timestamp_ms, std::chrono::milliseconds timeout, std::size_t& scanned);

std::vector<ResolvedOffset> resolve_sink_offsets(kafka::Consumer& consumer, const std::vector<std::string>& topics,
                                                 const SinkTarget& target, std::chrono::milliseconds timeout);

// {"offsets": [{"partition": {"kafka_topic", "kafka_partition"}, "offset": {"kafka_offset"}}…]}
nlohmann::json sink_patch(const std::vector<ResolvedOffset>& offsets);

}  // namespace cdcctl::ops
