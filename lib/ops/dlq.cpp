#include "ops/dlq.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "core/bytes.hpp"
#include "core/error.hpp"
#include "core/units.hpp"
#include "ops/connectors.hpp"
#include "ops/sink_offsets.hpp"

namespace cdcctl::ops {

using nlohmann::json;

TopicReadPlan plan_topic_window(kafka::Consumer& consumer, const std::string& topic, const TopicWindow& window,
                        std::chrono::milliseconds timeout) {
  if (window.last && window.from_offset) {
    throw Error::usage("--last and --from-offset cannot be combined", {},
                       "--last N reads the newest N records of each partition; --from-offset reads on from an offset");
  }
  if (window.last && *window.last < 0) throw Error::usage("invalid --last " + std::to_string(*window.last));
  if (window.since_ms && window.until_ms && *window.until_ms <= *window.since_ms) {
    throw Error::usage("--until must be later than --since");
  }
  const int count = consumer.partition_count(topic, timeout);
  std::vector<std::int32_t> partitions;
  for (int partition = 0; partition < count; ++partition) {
    if (!window.partition || *window.partition == partition) partitions.push_back(partition);
  }
  if (partitions.empty()) {
    throw Error::not_found("topic " + topic + " has no partition " + std::to_string(*window.partition),
                           "it has " + std::to_string(count));
  }
  std::vector<std::optional<std::int64_t>> since_answers(partitions.size());
  std::vector<std::optional<std::int64_t>> until_answers(partitions.size());
  if (window.since_ms) since_answers = consumer.offsets_for_times(topic, partitions, *window.since_ms, timeout);
  if (window.until_ms) until_answers = consumer.offsets_for_times(topic, partitions, *window.until_ms, timeout);

  TopicReadPlan plan{.since_ms = window.since_ms, .until_ms = window.until_ms};
  for (std::size_t i = 0; i < partitions.size(); ++i) {
    const auto partition = partitions[i];
    const auto marks = consumer.watermarks(topic, partition, timeout);
    std::int64_t start = marks.low;
    std::int64_t end = marks.high;
    if (window.from_offset) {
      if (*window.from_offset < marks.low) {
        plan.notes.push_back(fmt::format("partition {} starts at offset {}: older records were deleted", partition,
                                         marks.low));
      }
      start = std::clamp(*window.from_offset, marks.low, marks.high);
    }
    std::size_t scanned = 0;
    if (window.since_ms) {
      start = std::max(start, find_offset_for_time(consumer, topic, partition, marks, since_answers[i], *window.since_ms,
                                                   timeout, scanned));
    }
    if (window.until_ms) {
      end = std::min(end, find_offset_for_time(consumer, topic, partition, marks, until_answers[i], *window.until_ms,
                                               timeout, scanned));
    }
    if (scanned > 0) {
      plan.notes.push_back(fmt::format("partition {}: the broker did not look times up, so {} record(s) were read to "
                                       "find them",
                                       partition, scanned));
    }
    if (window.last) start = std::max(start, end - *window.last);
    start = std::min(start, end);
    plan.ranges.push_back({partition, start, end});
  }
  return plan;
}

DlqFilter::DlqFilter(const DlqFilterOptions& options) : options_(options) {
  if (options.exception) exception_ = compile_regex(*options.exception);
  if (options.grep) grep_ = compile_regex(*options.grep);
}

bool DlqFilter::empty() const {
  return !options_.connector && !options_.original_topic && !exception_ && !grep_;
}

bool DlqFilter::matches(std::optional<std::string_view> key, std::optional<std::string_view> value,
                        const kafka::DlqContextView& context) const {
  if (options_.connector && context.connector != std::optional<std::string_view>(*options_.connector)) return false;
  if (options_.original_topic && context.original_topic != std::optional<std::string_view>(*options_.original_topic)) {
    return false;
  }
  if (exception_) {
    const auto text = std::string(context.exception_class.value_or("")) + ": " +
                      std::string(context.exception_message.value_or(""));
    if (!std::regex_search(text, *exception_)) return false;
  }
  if (grep_) {
    const auto search = [&](std::optional<std::string_view> bytes) {
      return bytes && std::regex_search(bytes->begin(), bytes->end(), *grep_);
    };
    if (!search(key) && !search(value)) return false;
  }
  return true;
}

std::string_view kind_name(PayloadView::Kind kind) {
  switch (kind) {
    case PayloadView::Kind::Null: return "null";
    case PayloadView::Kind::Json: return "json";
    case PayloadView::Kind::Text: return "text";
    case PayloadView::Kind::Base64: return "base64";
  }
  return "null";
}

PayloadView view_payload(const std::optional<std::string>& bytes, std::size_t max_bytes) {
  PayloadView view;
  if (!bytes) {
    view.text = "null";
    return view;
  }
  view.size = bytes->size();
  const auto first = std::find_if(bytes->begin(), bytes->end(), [](char c) { return !std::isspace(static_cast<unsigned char>(c)); });
  // Only objects and arrays count as JSON: "42" or "hello" read the same as text.
  if (first != bytes->end() && (*first == '{' || *first == '[')) {
    const auto parsed = json::parse(*bytes, nullptr, false);
    if (!parsed.is_discarded()) {
      view.kind = PayloadView::Kind::Json;
      view.text = parsed.dump(2, ' ', false, json::error_handler_t::replace);
    }
  }
  if (view.kind == PayloadView::Kind::Null) {
    if (is_printable_utf8(*bytes)) {
      view.kind = PayloadView::Kind::Text;
      view.text = *bytes;
    } else {
      view.kind = PayloadView::Kind::Base64;
      view.text = base64_encode(*bytes);
    }
  }
  if (max_bytes > 0 && view.text.size() > max_bytes) {
    view.text = std::string(truncate_utf8(view.text, max_bytes));
    view.truncated = true;
  }
  return view;
}

namespace {

json optional_json(const std::optional<std::string>& value) { return value ? json(*value) : json(nullptr); }

json bytes_json(const std::optional<std::string>& value) { return value ? json(base64_encode(*value)) : json(nullptr); }

json time_json(std::int64_t ms) { return ms >= 0 ? json(format_timestamp_ms(ms)) : json(nullptr); }

}  // namespace

json dlq_record_json(const kafka::Record& record, const kafka::DlqContext& context, bool with_stacktrace) {
  json headers = json::array();
  for (const auto& [name, value] : record.headers) headers.push_back({{"key", name}, {"value", bytes_json(value)}});
  json exception{{"class", optional_json(context.exception_class)}, {"message", optional_json(context.exception_message)}};
  if (with_stacktrace) exception["stacktrace"] = optional_json(context.stacktrace);
  return {{"topic", record.topic},
          {"partition", record.partition},
          {"offset", record.offset},
          {"timestamp", time_json(record.timestamp_ms)},
          {"timestamp_ms", record.timestamp_ms},
          {"original",
           {{"topic", optional_json(context.original_topic)},
            {"partition", context.original_partition ? json(*context.original_partition) : json(nullptr)},
            {"offset", context.original_offset ? json(*context.original_offset) : json(nullptr)}}},
          {"connector", optional_json(context.connector)},
          {"task", optional_json(context.task_id)},
          {"stage", optional_json(context.stage)},
          {"class", optional_json(context.class_name)},
          {"exception", exception},
          {"replay_count", context.replay_count},
          {"key", bytes_json(record.key)},
          {"value", bytes_json(record.value)},
          {"headers", headers}};
}

std::string message_pattern(std::string_view message) {
  constexpr std::size_t kLongest = 300;
  std::string pattern;
  pattern.reserve(std::min(message.size(), kLongest));
  const auto is_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  const auto is_hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
  std::size_t i = 0;
  while (i < message.size() && pattern.size() < kLongest) {
    const char c = message[i];
    if (c == '\'' || c == '"' || c == '`') {
      // A quoted value: keep the quotes, drop what varies inside.
      const auto close = message.find(c, i + 1);
      if (close != std::string_view::npos && close - i <= 200) {
        pattern += c;
        pattern += "…";
        pattern += c;
        i = close + 1;
        continue;
      }
    }
    const bool word_start = i == 0 || !is_word(message[i - 1]);
    if (word_start && is_hex(c)) {
      // A UUID (8-4-4-4-12 hex digits) or a number (decimal, 0x hex, with
      // decimal point) standing as a word of its own.
      std::size_t end = i;
      while (end < message.size() && (is_hex(message[end]) || message[end] == '-')) ++end;
      const auto run = message.substr(i, end - i);
      if (run.size() == 36 && run[8] == '-' && run[13] == '-' && run[18] == '-' && run[23] == '-' &&
          (end == message.size() || !is_word(message[end]))) {
        pattern += "UUID";
        i = end;
        continue;
      }
      if (std::isdigit(static_cast<unsigned char>(c))) {
        std::size_t number_end = i;
        if (c == '0' && i + 1 < message.size() && (message[i + 1] == 'x' || message[i + 1] == 'X')) {
          number_end = i + 2;
          while (number_end < message.size() && is_hex(message[number_end])) ++number_end;
        } else {
          while (number_end < message.size() &&
                 (std::isdigit(static_cast<unsigned char>(message[number_end])) ||
                  ((message[number_end] == '.' || message[number_end] == ',') && number_end + 1 < message.size() &&
                   std::isdigit(static_cast<unsigned char>(message[number_end + 1]))))) {
            ++number_end;
          }
        }
        if (number_end == message.size() || !is_word(message[number_end])) {
          pattern += 'N';
          i = number_end;
          continue;
        }
      }
    }
    pattern += c;
    ++i;
  }
  if (i < message.size()) pattern += "…";
  return pattern;
}

std::size_t DlqStatsBuilder::group_of(const kafka::DlqContextView& context) {
  const auto exception_class = context.exception_class.value_or("");
  const auto message = context.exception_message.value_or("");
  const auto connector = context.connector.value_or("");
  const auto original_topic = context.original_topic.value_or("");
  const auto stage = context.stage.value_or("");
  if (last_.valid && last_.message == message && last_.exception_class == exception_class &&
      last_.connector == connector && last_.original_topic == original_topic && last_.stage == stage) {
    return last_.group;
  }
  auto cached = patterns_.find(std::string(message));
  if (cached == patterns_.end()) cached = patterns_.emplace(std::string(message), message_pattern(message)).first;
  const auto& pattern = cached->second;
  std::string key;
  for (const auto part : {exception_class, connector, original_topic, stage}) {
    key += part;
    key += '\x1f';
  }
  key += pattern;
  auto [position, inserted] = index_.try_emplace(std::move(key), stats_.groups.size());
  if (inserted) {
    stats_.groups.push_back({.exception_class = std::string(exception_class),
                             .message_pattern = pattern,
                             .connector = std::string(connector),
                             .original_topic = std::string(original_topic),
                             .stage = std::string(stage)});
  }
  last_ = {std::string(exception_class), std::string(message), std::string(connector), std::string(original_topic),
           std::string(stage), position->second, true};
  return position->second;
}

void DlqStatsBuilder::add(std::int32_t partition, std::int64_t offset, std::int64_t timestamp_ms,
                          const kafka::DlqContextView& context) {
  ++stats_.matched;
  if (context.replay_count > 0) ++stats_.replayed_before;
  if (timestamp_ms >= 0) {
    if (stats_.first_ms < 0 || timestamp_ms < stats_.first_ms) stats_.first_ms = timestamp_ms;
    if (timestamp_ms > stats_.last_ms) stats_.last_ms = timestamp_ms;
  }
  auto& group = stats_.groups[group_of(context)];
  ++group.count;
  if (timestamp_ms >= 0) {
    if (group.first_ms < 0 || timestamp_ms < group.first_ms) group.first_ms = timestamp_ms;
    if (timestamp_ms > group.last_ms) group.last_ms = timestamp_ms;
  }
  if (group.examples.size() < examples_) group.examples.emplace_back(partition, offset);
}

DlqStats DlqStatsBuilder::finish() {
  std::stable_sort(stats_.groups.begin(), stats_.groups.end(), [](const auto& a, const auto& b) {
    return a.count != b.count ? a.count > b.count : a.first_ms < b.first_ms;
  });
  index_.clear();
  return std::move(stats_);
}

json to_json(const DlqStats& stats) {
  json groups = json::array();
  for (const auto& group : stats.groups) {
    json examples = json::array();
    for (const auto& [partition, offset] : group.examples) examples.push_back({{"partition", partition}, {"offset", offset}});
    groups.push_back({{"exception_class", group.exception_class},
                      {"message_pattern", group.message_pattern},
                      {"connector", group.connector},
                      {"original_topic", group.original_topic},
                      {"stage", group.stage},
                      {"count", group.count},
                      {"first_seen", time_json(group.first_ms)},
                      {"last_seen", time_json(group.last_ms)},
                      {"examples", examples}});
  }
  return {{"topic", stats.topic},
          {"scanned", stats.scanned},
          {"matched", stats.matched},
          {"first_seen", time_json(stats.first_ms)},
          {"last_seen", time_json(stats.last_ms)},
          {"replayed_before", stats.replayed_before},
          {"groups", groups}};
}

void read_dlq(kafka::Consumer& consumer, const std::string& topic, const TopicReadPlan& plan, const DlqFilter& filter,
              const std::function<bool(const kafka::RecordView&, const kafka::DlqContextView&)>& on_match,
              const std::function<void(const kafka::RecordView&)>& on_scanned, std::chrono::milliseconds timeout) {
  consumer.read_views(
      topic, plan.ranges,
      [&](const kafka::RecordView& record) {
        if (on_scanned) on_scanned(record);
        if (!plan.in_window(record.timestamp_ms)) return true;
        const auto context = kafka::view_dlq_context(record);
        if (!filter.matches(record.key, record.value, context)) return true;
        return on_match(record, context);
      },
      timeout);
}

std::vector<PartitionLag> read_group_positions(kafka::Consumer& consumer, kafka::GroupOffsets& group,
                                               const std::string& topic, std::chrono::milliseconds timeout) {
  const int count = consumer.partition_count(topic, timeout);
  std::vector<std::int32_t> partitions;
  for (int partition = 0; partition < count; ++partition) partitions.push_back(partition);
  const auto committed = group.committed(topic, partitions, timeout);
  std::vector<PartitionLag> positions;
  for (const auto partition : partitions) {
    const auto marks = consumer.watermarks(topic, partition, timeout);
    positions.push_back({.partition = partition, .low = marks.low, .high = marks.high,
                         .committed = committed[static_cast<std::size_t>(partition)]});
  }
  return positions;
}

DlqLag assess_lag(std::string topic, std::string group, std::vector<PartitionLag> partitions,
                  const LagThresholds& thresholds) {
  DlqLag lag{.topic = std::move(topic), .group = std::move(group), .partitions = std::move(partitions)};
  for (auto& partition : lag.partitions) {
    const auto from = partition.committed ? std::clamp(*partition.committed, partition.low, partition.high) : partition.low;
    partition.lag = partition.high - from;
    lag.total += partition.lag;
  }
  if (thresholds.crit && lag.total >= *thresholds.crit) lag.status = CheckStatus::Critical;
  else if (thresholds.warn && lag.total >= *thresholds.warn) lag.status = CheckStatus::Warning;
  std::string limits;
  if (thresholds.warn) limits += "warn " + std::to_string(*thresholds.warn);
  if (thresholds.crit) limits += (limits.empty() ? "" : ", ") + std::string("crit ") + std::to_string(*thresholds.crit);
  lag.summary = fmt::format("{} - {} record{} in {} not yet consumed by group {}{}", check_status_name(lag.status),
                            lag.total, lag.total == 1 ? "" : "s", lag.topic, lag.group,
                            limits.empty() ? "" : " (" + limits + ")");
  return lag;
}

json to_json(const DlqLag& lag) {
  json partitions = json::array();
  for (const auto& partition : lag.partitions) {
    partitions.push_back({{"partition", partition.partition},
                          {"low", partition.low},
                          {"high", partition.high},
                          {"committed", partition.committed ? json(*partition.committed) : json(nullptr)},
                          {"lag", partition.lag}});
  }
  return {{"status", check_status_name(lag.status)},
          {"exit_code", static_cast<int>(lag.status)},
          {"summary", lag.summary},
          {"topic", lag.topic},
          {"group", lag.group},
          {"total", lag.total},
          {"partitions", partitions}};
}

}  // namespace cdcctl::ops
