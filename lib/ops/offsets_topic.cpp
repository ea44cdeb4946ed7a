#include "ops/offsets_topic.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "kafka/connect_offsets.hpp"
#include "kafka/murmur2.hpp"

namespace cdcctl::ops {

using nlohmann::json;

void OffsetsTopicReplay::add(const kafka::Record& record) {
  ++records_;
  if (!record.key) {
    ++unreadable_;
    return;
  }
  auto parsed = parsed_keys_.find(*record.key);
  if (parsed == parsed_keys_.end()) {
    parsed = parsed_keys_.emplace(*record.key, kafka::parse_connect_offset_key(*record.key)).first;
  }
  if (!parsed->second) {
    ++unreadable_;
    return;
  }
  auto slot = std::make_pair(record.partition, *record.key);
  if (!record.value) {  // a tombstone
    live_.erase(slot);
    return;
  }
  live_[std::move(slot)] = {&parsed->second->connector, *record.value, record.offset, record.timestamp_ms};
}

std::vector<TopicOffsetEntry> OffsetsTopicReplay::live(const std::string& connector) const {
  std::vector<TopicOffsetEntry> entries;
  for (const auto& [slot, kept] : live_) {
    if (*kept.connector != connector) continue;
    TopicOffsetEntry entry;
    entry.key = slot.second;
    entry.partition = parsed_keys_.at(slot.second)->partition;
    entry.offset = json::parse(kept.value, nullptr, /*allow_exceptions=*/false);
    if (entry.offset.is_discarded()) entry.offset = kept.value;  // still a live key to remove; shown as text
    entry.topic_partition = slot.first;
    entry.record_offset = kept.offset;
    entry.timestamp_ms = kept.timestamp_ms;
    entry.expected_partition = partition_count_ > 0 ? kafka::default_partition(slot.second, partition_count_) : 0;
    entries.push_back(std::move(entry));
  }
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return std::tie(a.topic_partition, a.record_offset) < std::tie(b.topic_partition, b.record_offset);
  });
  return entries;
}

std::map<std::string, std::size_t> OffsetsTopicReplay::connectors() const {
  std::map<std::string, std::size_t> counts;
  for (const auto& [slot, kept] : live_) ++counts[*kept.connector];
  return counts;
}

OffsetsTopicReplay scan_offsets_topic(const std::map<std::string, std::string>& kafka_properties, const std::string& topic,
                                      std::chrono::milliseconds timeout, const Logger* logger) {
  kafka::Consumer consumer(kafka_properties, logger);
  const auto ranges = consumer.whole_topic(topic, timeout);
  OffsetsTopicReplay replay(static_cast<int>(ranges.size()));
  consumer.read(
      topic, ranges,
      [&](const kafka::Record& record) {
        replay.add(record);
        return true;
      },
      timeout);
  return replay;
}

ConnectorOffsets to_connector_offsets(const std::string& name, const std::vector<TopicOffsetEntry>& entries) {
  ConnectorOffsets offsets;
  offsets.name = name;
  offsets.type = "source";  // only source connectors keep offsets in this topic
  for (const auto& entry : entries) offsets.offsets.push_back({{"partition", entry.partition}, {"offset", entry.offset}});
  return offsets;
}

json records_json(const std::vector<TopicOffsetEntry>& entries) {
  json records = json::array();
  for (const auto& entry : entries) {
    records.push_back({{"key", entry.key},
                       {"topic_partition", entry.topic_partition},
                       {"record_offset", entry.record_offset},
                       {"timestamp_ms", entry.timestamp_ms},
                       {"expected_partition", entry.expected_partition}});
  }
  return records;
}

void require_keys(const OffsetsTopicReplay& replay, const std::string& connector, const std::string& topic) {
  if (!replay.live(connector).empty()) return;
  std::string others;
  for (const auto& [name, count] : replay.connectors()) others += (others.empty() ? "" : ", ") + name;
  throw Error::not_found("no offsets for " + connector + " in " + topic,
                         std::to_string(replay.records()) + " record(s) read from " +
                             std::to_string(replay.partition_count()) + " partition(s)",
                         others.empty() ? "the topic holds no live offsets at all; check --offsets-topic"
                                        : "connectors with offsets there: " + others);
}

std::string check_topic_reset(connect::Client* client, const std::string& name, bool workers_stopped) {
  const std::string hint_stopped = "stop every worker of the cluster first and pass --i-have-stopped-the-workers";
  if (client) {
    try {
      (void)client->status(name);
    } catch (const Error& error) {
      if (error.code() == ExitCode::NotFound) {
        return name + " is not on Kafka Connect at " + client->current_url() + " (deleted)";
      }
      if (error.code() != ExitCode::Unreachable) throw;
      if (!workers_stopped) {
        throw Error::failed("cannot tell whether " + name + " still runs: Kafka Connect does not answer",
                            error.detail(), hint_stopped);
      }
      return "Kafka Connect does not answer and --i-have-stopped-the-workers was given";
    }
    throw Error::failed(name + " still exists on Kafka Connect at " + client->current_url(),
                        "a running task would write its offsets again, and a worker would keep serving the old ones",
                        "on Connect 3.6+ use cdcctl offsets reset " + name +
                            " (without --via-topic); otherwise delete the connector first (cdcctl connectors delete " +
                            name + ") and recreate it after the reset");
  }
  if (!workers_stopped) {
    throw Error::failed("cannot tell whether " + name + " still runs: no Kafka Connect URL is configured", {},
                        hint_stopped + ", or configure --connect-url so cdcctl can check");
  }
  return "--i-have-stopped-the-workers was given";
}

std::vector<TopicOffsetEntry> write_tombstones(const std::map<std::string, std::string>& kafka_properties,
                                               const std::string& topic, const std::string& connector,
                                               const std::vector<TopicOffsetEntry>& entries,
                                               std::chrono::milliseconds timeout, const Logger* logger) {
  {
    kafka::Producer producer(kafka_properties, logger);
    for (const auto& entry : entries) {
      // The partition the record is in, not the one murmur2 names: compaction
      // and a worker's replay only pair records within a partition.
      producer.produce(topic, entry.topic_partition, entry.key, std::nullopt);
    }
    producer.flush(timeout);
  }
  return scan_offsets_topic(kafka_properties, topic, timeout, logger).live(connector);
}

}  // namespace cdcctl::ops
