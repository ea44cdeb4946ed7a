#include "kafka/dlq_record.hpp"

#include <charconv>

namespace cdcctl::kafka {

namespace {

template <typename Number>
std::optional<Number> number(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  Number value{};
  const auto* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

}  // namespace

DlqContext read_dlq_context(const std::vector<Header>& headers) {
  DlqContext context;
  std::optional<std::string> partition;
  std::optional<std::string> offset;
  std::optional<std::string> replays;
  for (const auto& [name, value] : headers) {
    if (name == kReplayCountHeader) {
      replays = value;
      continue;
    }
    if (name == kReplaySourceHeader) {
      context.replay_source = value;
      continue;
    }
    if (!name.starts_with(kConnectErrorsPrefix)) continue;
    const std::string_view field = std::string_view(name).substr(kConnectErrorsPrefix.size());
    if (field == "topic") context.original_topic = value;
    else if (field == "partition") partition = value;
    else if (field == "offset") offset = value;
    else if (field == "connector.name") context.connector = value;
    else if (field == "task.id") context.task_id = value;
    else if (field == "stage") context.stage = value;
    else if (field == "class.name") context.class_name = value;
    else if (field == "exception.class.name") context.exception_class = value;
    else if (field == "exception.message") context.exception_message = value;
    else if (field == "exception.stacktrace") context.stacktrace = value;
  }
  context.original_partition = number<std::int32_t>(partition);
  context.original_offset = number<std::int64_t>(offset);
  context.replay_count = number<int>(replays).value_or(0);
  return context;
}

std::string replay_source(const std::string& topic, std::int32_t partition, std::int64_t offset) {
  return topic + "/" + std::to_string(partition) + "/" + std::to_string(offset);
}

std::vector<Header> replay_headers(const Record& record, const DlqContext& context) {
  std::vector<Header> headers;
  headers.reserve(record.headers.size() + 2);
  for (const auto& header : record.headers) {
    const auto& name = header.first;
    if (name.starts_with(kConnectErrorsPrefix) || name == kReplayCountHeader || name == kReplaySourceHeader) continue;
    headers.push_back(header);
  }
  headers.emplace_back(std::string(kReplayCountHeader), std::to_string(context.replay_count + 1));
  headers.emplace_back(std::string(kReplaySourceHeader), replay_source(record.topic, record.partition, record.offset));
  return headers;
}

}  // namespace cdcctl::kafka
