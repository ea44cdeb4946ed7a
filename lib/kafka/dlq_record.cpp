#include "kafka/dlq_record.hpp"

#include <charconv>

namespace cdcctl::kafka {

namespace {

template <typename Number>
std::optional<Number> number(std::optional<std::string_view> text) {
  if (!text) return std::nullopt;
  Number value{};
  const auto* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::optional<std::string> own(std::optional<std::string_view> view) {
  return view ? std::optional<std::string>(std::string(*view)) : std::nullopt;
}

// Reads one header into the context; the numbers are parsed at the end.
struct ContextReader {
  DlqContextView context{};
  std::optional<std::string_view> partition{};
  std::optional<std::string_view> offset{};
  std::optional<std::string_view> replays{};

  void operator()(std::string_view name, std::optional<std::string_view> value) {
    if (name == kReplayCountHeader) {
      replays = value;
      return;
    }
    if (name == kReplaySourceHeader) {
      context.replay_source = value;
      return;
    }
    if (!name.starts_with(kConnectErrorsPrefix)) return;
    const std::string_view field = name.substr(kConnectErrorsPrefix.size());
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

  DlqContextView finish() {
    context.original_partition = number<std::int32_t>(partition);
    context.original_offset = number<std::int64_t>(offset);
    context.replay_count = number<int>(replays).value_or(0);
    return context;
  }
};

}  // namespace

DlqContext DlqContextView::owned() const {
  return {.original_topic = own(original_topic),
          .original_partition = original_partition,
          .original_offset = original_offset,
          .connector = own(connector),
          .task_id = own(task_id),
          .stage = own(stage),
          .class_name = own(class_name),
          .exception_class = own(exception_class),
          .exception_message = own(exception_message),
          .stacktrace = own(stacktrace),
          .replay_count = replay_count,
          .replay_source = own(replay_source)};
}

DlqContextView DlqContext::view() const {
  const auto view_of = [](const std::optional<std::string>& text) {
    return text ? std::optional<std::string_view>(*text) : std::nullopt;
  };
  return {.original_topic = view_of(original_topic),
          .original_partition = original_partition,
          .original_offset = original_offset,
          .connector = view_of(connector),
          .task_id = view_of(task_id),
          .stage = view_of(stage),
          .class_name = view_of(class_name),
          .exception_class = view_of(exception_class),
          .exception_message = view_of(exception_message),
          .stacktrace = view_of(stacktrace),
          .replay_count = replay_count,
          .replay_source = view_of(replay_source)};
}

DlqContextView view_dlq_context(const RecordView& record) {
  ContextReader reader;
  record.for_each_header(reader);
  return reader.finish();
}

DlqContextView view_dlq_context(const std::vector<Header>& headers) {
  ContextReader reader;
  for (const auto& [name, value] : headers) {
    reader(name, value ? std::optional<std::string_view>(*value) : std::nullopt);
  }
  return reader.finish();
}

DlqContext read_dlq_context(const std::vector<Header>& headers) { return view_dlq_context(headers).owned(); }

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
