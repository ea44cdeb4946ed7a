#include "ops/sink_offsets.hpp"

#include <algorithm>
#include <regex>

#include "core/error.hpp"
#include "core/units.hpp"
#include "ops/connectors.hpp"

namespace cdcctl::ops {

using nlohmann::json;

std::vector<std::string> sink_topics(const connect::Config& config, const std::vector<std::string>& cluster_topics) {
  std::vector<std::string> topics;
  if (auto list = config.find("topics"); list != config.end() && !list->second.empty()) {
    for (auto& topic : split_list(list->second)) {
      if (std::find(topics.begin(), topics.end(), topic) == topics.end()) topics.push_back(std::move(topic));
    }
    return topics;
  }
  auto pattern = config.find("topics.regex");
  if (pattern == config.end() || pattern->second.empty()) {
    throw Error::usage("the connector's config has neither topics nor topics.regex", {},
                       "give the topic with --topic, or the offsets with -f FILE");
  }
  // Connect matches topics.regex against the whole name (Java's matches()).
  const std::regex regex = compile_regex(pattern->second);
  for (const auto& topic : cluster_topics) {
    if (std::regex_match(topic, regex)) topics.push_back(topic);
  }
  if (topics.empty()) {
    throw Error::not_found("no topic matches the connector's topics.regex " + pattern->second);
  }
  return topics;
}

TimeLookup interpret_time_lookup(std::optional<std::int64_t> broker_answer, const kafka::Watermarks& marks,
                                 std::optional<std::int64_t> last_record_timestamp_ms, std::int64_t timestamp_ms) {
  if (broker_answer) return {std::clamp(*broker_answer, marks.low, marks.high), false};
  if (marks.low >= marks.high) return {marks.high, false};  // empty: start at the end
  if (last_record_timestamp_ms && *last_record_timestamp_ms < timestamp_ms) return {marks.high, false};
  return {std::nullopt, true};
}

namespace {

// The first offset whose record is at or after the time, read from the
// partition itself; the high watermark when none is.
std::int64_t scan_for_time(kafka::Consumer& consumer, const std::string& topic, int partition,
                           const kafka::Watermarks& marks, std::int64_t timestamp_ms, std::chrono::milliseconds timeout,
                           std::size_t& scanned) {
  std::int64_t found = marks.high;
  consumer.read(
      topic, {{partition, marks.low, marks.high}},
      [&](const kafka::Record& record) {
        ++scanned;
        if (record.timestamp_ms >= timestamp_ms) {
          found = record.offset;
          return false;
        }
        return true;
      },
      timeout);
  return found;
}

std::optional<std::int64_t> last_timestamp(kafka::Consumer& consumer, const std::string& topic, int partition,
                                           const kafka::Watermarks& marks, std::chrono::milliseconds timeout) {
  std::optional<std::int64_t> timestamp;
  consumer.read(
      topic, {{partition, marks.high - 1, marks.high}},
      [&](const kafka::Record& record) {
        timestamp = record.timestamp_ms;
        return false;
      },
      timeout);
  return timestamp;
}

}  // namespace

std::int64_t find_offset_for_time(kafka::Consumer& consumer, const std::string& topic, int partition,
                                  const kafka::Watermarks& marks, std::optional<std::int64_t> broker_answer,
                                  std::int64_t timestamp_ms, std::chrono::milliseconds timeout, std::size_t& scanned) {
  std::optional<std::int64_t> last;
  if (!broker_answer && marks.high > marks.low) last = last_timestamp(consumer, topic, partition, marks, timeout);
  const auto lookup = interpret_time_lookup(broker_answer, marks, last, timestamp_ms);
  if (!lookup.needs_scan) return *lookup.offset;
  return scan_for_time(consumer, topic, partition, marks, timestamp_ms, timeout, scanned);
}

std::vector<ResolvedOffset> resolve_sink_offsets(kafka::Consumer& consumer, const std::vector<std::string>& topics,
                                                 const SinkTarget& target, std::chrono::milliseconds timeout) {
  std::vector<std::string> chosen = topics;
  if (target.topic) {
    if (std::find(topics.begin(), topics.end(), *target.topic) == topics.end()) {
      std::string all;
      for (const auto& topic : topics) all += (all.empty() ? "" : ", ") + topic;
      throw Error::usage("the connector does not read topic " + *target.topic, "it reads " + all);
    }
    chosen = {*target.topic};
  }
  std::vector<ResolvedOffset> resolved;
  for (const auto& topic : chosen) {
    const int count = consumer.partition_count(topic, timeout);
    std::vector<std::int32_t> partitions;
    for (int partition = 0; partition < count; ++partition) {
      if (!target.partition || *target.partition == partition) partitions.push_back(partition);
    }
    if (partitions.empty()) {
      throw Error::not_found("topic " + topic + " has no partition " + std::to_string(*target.partition),
                             "it has " + std::to_string(count));
    }
    std::vector<std::optional<std::int64_t>> by_time;
    if (target.position == SinkPosition::Timestamp) {
      by_time = consumer.offsets_for_times(topic, partitions, target.timestamp_ms, timeout);
    }
    for (std::size_t i = 0; i < partitions.size(); ++i) {
      const int partition = partitions[i];
      const auto marks = consumer.watermarks(topic, partition, timeout);
      ResolvedOffset offset{topic, partition, 0, "", ""};
      if (target.position == SinkPosition::Earliest) {
        offset.offset = marks.low;
        offset.how = "earliest";
      } else if (target.position == SinkPosition::Latest) {
        offset.offset = marks.high;
        offset.how = "latest";
      } else {
        std::size_t scanned = 0;
        offset.offset =
            find_offset_for_time(consumer, topic, partition, marks, by_time[i], target.timestamp_ms, timeout, scanned);
        if (scanned > 0) {
          offset.note = "the broker did not look this up by time; found by reading " + std::to_string(scanned) +
                        " record(s)";
        }
        offset.how = offset.offset >= marks.high ? "after-last" : "by-time";
      }
      resolved.push_back(std::move(offset));
    }
  }
  return resolved;
}

json sink_patch(const std::vector<ResolvedOffset>& offsets) {
  json list = json::array();
  for (const auto& offset : offsets) {
    list.push_back({{"partition", {{"kafka_topic", offset.topic}, {"kafka_partition", offset.partition}}},
                    {"offset", {{"kafka_offset", offset.offset}}}});
  }
  return {{"offsets", list}};
}

}  // namespace cdcctl::ops
