#pragma once
// A dead-letter-queue record as Kafka Connect writes it (KIP-298): the
// original key, value, headers and timestamp, plus `__connect.errors.*`
// context headers, each the UTF-8 text of a string or number. And the
// headers cdcctl adds when it replays a record to its original topic.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kafka/topic_io.hpp"

namespace cdcctl::kafka {

inline constexpr std::string_view kConnectErrorsPrefix = "__connect.errors.";
inline constexpr std::string_view kReplayCountHeader = "cdcctl.replay.count";
inline constexpr std::string_view kReplaySourceHeader = "cdcctl.replay.source";

struct DlqContext;

// The context headers of one DLQ record as views into the headers they were
// read from (no copies), for scans; owned() copies them.
struct DlqContextView {
  std::optional<std::string_view> original_topic{};
  std::optional<std::int32_t> original_partition{};
  std::optional<std::int64_t> original_offset{};
  std::optional<std::string_view> connector{};
  std::optional<std::string_view> task_id{};
  std::optional<std::string_view> stage{};
  std::optional<std::string_view> class_name{};
  std::optional<std::string_view> exception_class{};
  std::optional<std::string_view> exception_message{};
  std::optional<std::string_view> stacktrace{};
  int replay_count = 0;
  std::optional<std::string_view> replay_source{};

  DlqContext owned() const;
};

// The context headers of one DLQ record; absent headers stay nullopt. A
// header that occurs more than once counts by its last occurrence.
struct DlqContext {
  std::optional<std::string> original_topic{};
  std::optional<std::int32_t> original_partition{};
  std::optional<std::int64_t> original_offset{};
  std::optional<std::string> connector{};
  std::optional<std::string> task_id{};
  std::optional<std::string> stage{};
  std::optional<std::string> class_name{};
  std::optional<std::string> exception_class{};
  std::optional<std::string> exception_message{};
  std::optional<std::string> stacktrace{};
  int replay_count = 0;                        // cdcctl.replay.count of the record
  std::optional<std::string> replay_source{};  // cdcctl.replay.source of the record

  DlqContextView view() const;
};

DlqContextView view_dlq_context(const RecordView& record);
DlqContextView view_dlq_context(const std::vector<Header>& headers);
DlqContext read_dlq_context(const std::vector<Header>& headers);

// "topic/partition/offset": where a replayed record came from.
std::string replay_source(const std::string& topic, std::int32_t partition, std::int64_t offset);

// The headers a replayed record carries: the record's own headers in order,
// minus every `__connect.errors.*` and earlier `cdcctl.replay.*` header,
// then cdcctl.replay.count = replay_count + 1 and cdcctl.replay.source.
std::vector<Header> replay_headers(const Record& record, const DlqContext& context);

}  // namespace cdcctl::kafka
