// cdcctl events inspect|tail: Debezium change events on a topic, one
// readable line each ("is data flowing?"), or passed through as JSON Lines.
#include <iostream>

#include "app.hpp"
#include "cdc/event_summary.hpp"
#include "core/bytes.hpp"
#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/units.hpp"
#include "ops/dlq.hpp"
#include "window_flags.hpp"

namespace cdcctl::app {

namespace {

struct EventsFlags {
  std::string topic;
  WindowFlags window;
  bool follow = false;
};

// A key or value for JSON Lines: the parsed JSON as Debezium wrote it, null,
// or {"base64": …} for bytes that are not JSON.
nlohmann::ordered_json payload_json(std::optional<std::string_view> bytes) {
  if (!bytes) return nullptr;
  auto parsed = nlohmann::ordered_json::parse(bytes->begin(), bytes->end(), nullptr, false);
  if (!parsed.is_discarded()) return parsed;
  return {{"base64", base64_encode(*bytes)}};
}

class EventPrinter {
 public:
  EventPrinter(AppContext& context) : context_(context), json_lines_(context.format() == output::Format::Json) {}

  void print(const kafka::RecordView& record) {
    auto& out = *context_.io.out;
    ++printed_;
    if (json_lines_) {
      // Key and value are parsed and written back compactly in their own field order.
      nlohmann::ordered_json line{{"topic", record.topic},
                                  {"partition", record.partition},
                                  {"offset", record.offset},
                                  {"timestamp", record.timestamp_ms >= 0 ? nlohmann::ordered_json(format_timestamp_ms(record.timestamp_ms))
                                                                         : nlohmann::ordered_json()}};
      line["key"] = payload_json(record.key);
      line["value"] = payload_json(record.value);
      out << line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n" << std::flush;
      return;
    }
    const auto event = cdc::summarize_event(record.topic, record.key, record.value);
    const std::string prefix = (record.timestamp_ms >= 0 ? format_timestamp_ms(record.timestamp_ms) : std::string("-")) +
                               "  " + std::to_string(record.partition) + "@" + std::to_string(record.offset) + "  ";
    const std::size_t width = context_.io.terminal.stdout_is_tty && context_.io.terminal.width > 0 &&
                                      context_.format() != output::Format::Wide
                                  ? static_cast<std::size_t>(context_.io.terminal.width)
                                  : 0;
    out << prefix << cdc::event_line(event, width > prefix.size() + 20 ? width - prefix.size() : 0) << "\n" << std::flush;
  }

  std::uint64_t printed() const { return printed_; }

 private:
  AppContext& context_;
  bool json_lines_;
  std::uint64_t printed_ = 0;
};

ExitCode show_events(AppContext& context, EventsFlags flags, std::int64_t default_last) {
  auto& window_flags = flags.window;
  if (!window_flags.last && !window_flags.from_offset && window_flags.since.empty()) window_flags.last = default_last;
  const auto settings = context.settings();
  kafka::Consumer consumer(settings.kafka_properties(), &context.logger());
  const auto plan = ops::plan_topic_window(consumer, flags.topic, window_from(window_flags), settings.timeout());
  for (const auto& note : plan.notes) context.logger().info(note);
  EventPrinter printer(context);
  const auto in_window = [&](const kafka::RecordView& record) { return plan.in_window(record.timestamp_ms); };
  if (!flags.follow) {
    consumer.read_views(
        flags.topic, plan.ranges,
        [&](const kafka::RecordView& record) {
          if (in_window(record)) printer.print(record);
          return true;
        },
        settings.timeout());
    context.logger().info(std::to_string(printer.printed()) + " event(s) from " + flags.topic);
    return ExitCode::Ok;
  }
  const InterruptGuard interrupts;
  consumer.follow_views(
      flags.topic, plan.ranges,
      [&](const kafka::RecordView& record) {
        if (in_window(record)) printer.print(record);
        return true;
      },
      [] { return !interrupt_requested(); });
  return ExitCode::Ok;
}

void add_events_command(CLI::App& group, AppContext& context, bool tail) {
  auto flags = std::make_shared<EventsFlags>();
  auto* command = group.add_subcommand(tail ? "tail" : "inspect",
                                       tail ? "The newest change events of a topic, and with --follow the ones to come"
                                            : "Change events of a topic in a window, one readable line each");
  command->add_option("topic", flags->topic, "a Debezium topic (<prefix>.<schema>.<table>, heartbeat, transaction)")->required();
  add_window_flags(*command, flags->window,
                   tail ? "the newest N events of each partition (default 10)" : "the newest N events of each partition (default 20)");
  if (tail) command->add_flag("-f,--follow", flags->follow, "keep printing new events until Ctrl-C");
  const std::string common =
      "Each record becomes one line: time, partition@offset, then for a change the op (c create, u update, d delete, "
      "r snapshot read, t truncate), the table (schema.table from the source block), the key, and for an update the "
      "columns that changed as before → after (the new row when PostgreSQL did not send the old one: REPLICA "
      "IDENTITY DEFAULT), for a create or read the row, for a delete the old row. Tombstones, heartbeats and "
      "transaction BEGIN/END records are named as such. Values from the JSON converter are read with or without the "
      "schema wrapper. -o json passes each record through as JSON Lines: coordinates, key and value as Debezium "
      "wrote them (bytes that are not JSON as base64).";
  if (tail) {
    context.document(command, "Prints the newest 10 events of each partition (--last N), then with --follow goes on "
                              "as new ones arrive until Ctrl-C: the quickest answer to \"is data flowing?\".\n\n" + common,
                     {"cdcctl events tail inventory.public.customers", "cdcctl events tail inventory.public.orders -f",
                      "cdcctl events tail inventory.public.orders --last 0 -f -o json | jq .value.payload.op"});
  } else {
    context.document(command, "Prints the events of a window: the newest 20 of each partition (--last N), or from an "
                              "offset or a time (--from-offset, --since, --until).\n\n" + common,
                     {"cdcctl events inspect inventory.public.customers --since 10m",
                      "cdcctl events inspect inventory.transaction --from-offset 0"});
  }
  command->callback([&context, flags, tail] {
    context.action = [&context, flags, tail] { return show_events(context, *flags, tail ? 10 : 20); };
  });
}

}  // namespace

void add_events_commands(CLI::App& app, AppContext& context) {
  auto* group = app.add_subcommand("events", "Debezium change events, decoded into one readable line each");
  group->require_subcommand(1);
  context.document(group, "Reads a topic with an assign-only consumer (no group joined, nothing committed) and decodes "
                          "Debezium's JSON change events.");
  add_events_command(*group, context, false);
  add_events_command(*group, context, true);
}

}  // namespace cdcctl::app
