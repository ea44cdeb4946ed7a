#pragma once
// Dead-letter queues: which records to read (last N, an offset, a time
// window), filters on the context headers and payloads, payloads made safe to
// show, the "what broke and since when" grouping, and the backlog of a
// consumer group. Reading goes through kafka::Consumer; nothing here prints.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/exit_codes.hpp"
#include "kafka/dlq_record.hpp"
#include "kafka/topic_io.hpp"

namespace cdcctl::ops {

// Which records of the topic to read. `last` and `from_offset` apply to
// every partition (or only `partition`); `since`/`until` bound by record
// timestamp and may be combined with either.
struct TopicWindow {
  std::optional<std::int64_t> last{};
  std::optional<std::int64_t> from_offset{};
  std::optional<std::int64_t> since_ms{};
  std::optional<std::int64_t> until_ms{};  // exclusive
  std::optional<std::int32_t> partition{};
};

struct TopicReadPlan {
  std::vector<kafka::PartitionRange> ranges{};
  std::vector<std::string> notes{};  // fallbacks taken (e.g. a time found by reading)
  // Record timestamps need not grow with offsets: records in the ranges but
  // outside the window are skipped as they are read.
  std::optional<std::int64_t> since_ms{};
  std::optional<std::int64_t> until_ms{};
  std::uint64_t records() const { return kafka::records_in(ranges); }
  // Whether a record's time lies in the window (a record without one does).
  bool in_window(std::int64_t timestamp_ms) const {
    if (since_ms && timestamp_ms >= 0 && timestamp_ms < *since_ms) return false;
    return !(until_ms && timestamp_ms >= *until_ms);
  }
};

// Resolves the window against the topic's watermarks (and timestamps).
// Error (usage) for --last with --from-offset, (not found) for a missing
// topic or partition.
TopicReadPlan plan_topic_window(kafka::Consumer& consumer, const std::string& topic, const TopicWindow& window,
                        std::chrono::milliseconds timeout);

struct DlqFilterOptions {
  std::optional<std::string> connector{};       // exact connector name
  std::optional<std::string> exception{};       // regex searched in "class: message"
  std::optional<std::string> original_topic{};  // exact original topic
  std::optional<std::string> grep{};            // regex searched in key and value
};

class DlqFilter {
 public:
  DlqFilter() = default;
  explicit DlqFilter(const DlqFilterOptions& options);  // Error (usage) for a bad regex
  bool matches(std::optional<std::string_view> key, std::optional<std::string_view> value,
               const kafka::DlqContextView& context) const;
  bool matches(const kafka::Record& record, const kafka::DlqContext& context) const {
    return matches(record.key, record.value, context.view());
  }
  bool empty() const;

 private:
  DlqFilterOptions options_{};
  std::optional<std::regex> exception_{};
  std::optional<std::regex> grep_{};
};

// A key, value or header made safe to show: pretty JSON when it parses,
// text when it is printable UTF-8, otherwise base64 (never raw bytes on a
// terminal); cut at max_bytes (0: no limit) on a character boundary.
struct PayloadView {
  enum class Kind { Null, Json, Text, Base64 } kind = Kind::Null;
  std::string text{};
  std::size_t size = 0;  // bytes of the original
  bool truncated = false;
};
PayloadView view_payload(const std::optional<std::string>& bytes, std::size_t max_bytes);
std::string_view kind_name(PayloadView::Kind kind);  // null | json | text | base64

// One record as a JSON Lines object: coordinates, the decoded context, and
// the exact bytes of key, value and headers (base64; headers in order with
// duplicates kept).
nlohmann::json dlq_record_json(const kafka::Record& record, const kafka::DlqContext& context, bool with_stacktrace);

// An exception message with the parts that vary per record (numbers,
// quoted values, UUIDs, hex) replaced, so equal failures group together:
// "Column 'id' value 42" and "Column 'id' value 43" → "Column '…' value N".
std::string message_pattern(std::string_view message);

struct DlqGroup {
  std::string exception_class{};
  std::string message_pattern{};
  std::string connector{};
  std::string original_topic{};
  std::string stage{};
  std::uint64_t count = 0;
  std::int64_t first_ms = -1;
  std::int64_t last_ms = -1;
  std::vector<std::pair<std::int32_t, std::int64_t>> examples{};  // first few partition/offset
};

struct DlqStats {
  std::string topic{};
  std::uint64_t scanned = 0;
  std::uint64_t matched = 0;
  std::int64_t first_ms = -1;
  std::int64_t last_ms = -1;
  std::uint64_t replayed_before = 0;  // records carrying cdcctl.replay.count
  std::vector<DlqGroup> groups{};     // by count, largest first
};

class DlqStatsBuilder {
 public:
  explicit DlqStatsBuilder(std::string topic, std::size_t examples = 3) : examples_(examples) { stats_.topic = std::move(topic); }
  void scanned() { ++stats_.scanned; }
  void add(std::int32_t partition, std::int64_t offset, std::int64_t timestamp_ms, const kafka::DlqContextView& context);
  void add(const kafka::Record& record, const kafka::DlqContext& context) {
    add(record.partition, record.offset, record.timestamp_ms, context.view());
  }
  DlqStats finish();

 private:
  std::size_t group_of(const kafka::DlqContextView& context);

  std::size_t examples_;
  DlqStats stats_;
  // The group of the record before: DLQs hold runs of the same failure, and
  // comparing five fields is far cheaper than building the group key.
  struct LastGroup {
    std::string exception_class, message, connector, original_topic, stage;
    std::size_t group = 0;
    bool valid = false;
  } last_{};
  std::map<std::string, std::size_t> index_;  // group key → position in stats_.groups
  std::unordered_map<std::string, std::string> patterns_;  // message → pattern, as messages repeat
};

nlohmann::json to_json(const DlqStats& stats);

// Reads the planned ranges, decoding each record's context and applying the
// filter; on_match returns false to stop. on_scanned sees every record.
// Records are views, valid during the call (to_record()/owned() keep them).
void read_dlq(kafka::Consumer& consumer, const std::string& topic, const TopicReadPlan& plan, const DlqFilter& filter,
              const std::function<bool(const kafka::RecordView&, const kafka::DlqContextView&)>& on_match,
              const std::function<void(const kafka::RecordView&)>& on_scanned, std::chrono::milliseconds timeout);

// `dlq lag`: end offsets against a consumer group's committed offsets.
struct PartitionLag {
  std::int32_t partition = 0;
  std::int64_t low = 0;
  std::int64_t high = 0;
  std::optional<std::int64_t> committed{};  // nullopt: the group has none here
  std::int64_t lag = 0;                     // from the committed offset, or from low without one
};

// Each partition's first and next offset with the group's committed one.
std::vector<PartitionLag> read_group_positions(kafka::Consumer& consumer, kafka::GroupOffsets& group,
                                               const std::string& topic, std::chrono::milliseconds timeout);

struct DlqLag {
  std::string topic{};
  std::string group{};
  std::vector<PartitionLag> partitions{};
  std::int64_t total = 0;
  CheckStatus status = CheckStatus::Ok;
  std::string summary{};
};

struct LagThresholds {
  std::optional<std::int64_t> warn{};
  std::optional<std::int64_t> crit{};
};

DlqLag assess_lag(std::string topic, std::string group, std::vector<PartitionLag> partitions,
                  const LagThresholds& thresholds);
nlohmann::json to_json(const DlqLag& lag);

}  // namespace cdcctl::ops
