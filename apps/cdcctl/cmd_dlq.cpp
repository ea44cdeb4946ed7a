// cdcctl dlq inspect|stats|lag: dead-letter queues on the Kafka of the
// context, read with an assign-only consumer (no group joined, nothing
// committed).
#include <iostream>

#include "app.hpp"
#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/units.hpp"
#include "kafka/dlq_record.hpp"
#include "ops/dlq.hpp"
#include "ops/dlq_replay.hpp"
#include "output/progress.hpp"
#include "window_flags.hpp"

namespace cdcctl::app {

namespace {

using nlohmann::json;

// The window and filter flags inspect, stats and replay share.
struct SelectionFlags {
  std::string topic;
  WindowFlags window;
  std::string connector;
  std::string exception;
  std::string original_topic;
  std::string grep;
};

std::optional<std::string> non_empty(const std::string& text) {
  return text.empty() ? std::nullopt : std::optional<std::string>(text);
}

ops::DlqFilter filter_from(const SelectionFlags& flags) {
  return ops::DlqFilter({.connector = non_empty(flags.connector),
                         .exception = non_empty(flags.exception),
                         .original_topic = non_empty(flags.original_topic),
                         .grep = non_empty(flags.grep)});
}

void add_filter_flags(CLI::App& command, SelectionFlags& flags) {
  command.add_option("--connector", flags.connector, "only records of this connector (__connect.errors.connector.name)")
      ->type_name("NAME");
  command.add_option("--exception", flags.exception, "only records whose 'exception class: message' matches REGEX")
      ->type_name("REGEX");
  command.add_option("--original-topic", flags.original_topic, "only records that failed from this topic")->type_name("TOPIC");
  command.add_option("--grep", flags.grep, "only records whose key or value matches REGEX")->type_name("REGEX");
}

void add_selection_flags(CLI::App& command, SelectionFlags& flags, bool with_last) {
  command.add_option("topic", flags.topic, "the dead-letter-queue topic")->required();
  add_window_flags(command, flags.window, with_last ? "the newest N records of each partition (default 20)" : "");
  add_filter_flags(command, flags);
}

void print_notes(AppContext& context, const ops::TopicReadPlan& plan) {
  for (const auto& note : plan.notes) context.logger().info(note);
}

std::unique_ptr<kafka::Consumer> consumer_for(AppContext& context) {
  const auto settings = context.settings();
  return std::make_unique<kafka::Consumer>(settings.kafka_properties(), &context.logger());
}

// ---------------------------------------------------------------------------
// inspect

struct InspectFlags {
  SelectionFlags selection;
  bool stacktrace = false;
  std::size_t max_bytes = 4096;
};

std::string coordinates(const std::optional<std::string>& topic, const std::optional<std::int32_t>& partition,
                        const std::optional<std::int64_t>& offset) {
  if (!topic && !partition && !offset) return "unknown";
  return topic.value_or("?") + " " + (partition ? std::to_string(*partition) : "?") + "@" +
         (offset ? std::to_string(*offset) : "?");
}

// Each line of text indented under its label; suffix ends the last line.
void print_indented(std::ostream& out, std::string_view text, std::string_view suffix) {
  std::size_t start = 0;
  for (;;) {
    const auto end = text.find('\n', start);
    out << "      " << text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (end == std::string_view::npos) break;
    out << "\n";
    start = end + 1;
  }
  out << suffix << "\n";
}

void print_payload(std::ostream& out, const char* label, const std::optional<std::string>& bytes, std::size_t max_bytes) {
  const auto view = ops::view_payload(bytes, max_bytes);
  out << "  " << label;
  if (view.kind == ops::PayloadView::Kind::Null) {
    out << "null\n";
    return;
  }
  out << "(" << ops::kind_name(view.kind) << ", " << view.size << (view.size == 1 ? " byte" : " bytes")
      << (view.truncated ? ", cut at --max-bytes" : "") << ")";
  const bool multiline = view.text.find('\n') != std::string::npos;
  if (!multiline) {
    out << " " << view.text << (view.truncated ? "…" : "") << "\n";
    return;
  }
  out << "\n";
  print_indented(out, view.text, view.truncated ? "…" : "");
}

void print_record(std::ostream& out, const kafka::Record& record, const kafka::DlqContext& dlq, const InspectFlags& flags) {
  out << record.topic << " " << record.partition << "@" << record.offset << "  "
      << (record.timestamp_ms >= 0 ? format_timestamp_ms(record.timestamp_ms) : "no timestamp") << "\n";
  out << "  original   " << coordinates(dlq.original_topic, dlq.original_partition, dlq.original_offset) << "\n";
  out << "  connector  " << dlq.connector.value_or("?") << ", task " << dlq.task_id.value_or("?") << ", stage "
      << dlq.stage.value_or("?") << (dlq.class_name ? ", in " + *dlq.class_name : "") << "\n";
  if (dlq.exception_class || dlq.exception_message) {
    out << "  exception  " << dlq.exception_class.value_or("?") << ": "
        << ops::view_payload(dlq.exception_message, flags.max_bytes).text << "\n";
  }
  if (dlq.replay_count > 0) {
    out << "  replayed   " << dlq.replay_count << (dlq.replay_count == 1 ? " time" : " times")
        << (dlq.replay_source ? ", last from " + *dlq.replay_source : "") << "\n";
  }
  print_payload(out, "key        ", record.key, flags.max_bytes);
  print_payload(out, "value      ", record.value, flags.max_bytes);
  std::string originals;
  for (const auto& [name, value] : record.headers) {
    if (name.starts_with(kafka::kConnectErrorsPrefix)) continue;
    originals += (originals.empty() ? "" : ", ") + name + "=" + ops::view_payload(value, 200).text;
  }
  if (!originals.empty()) out << "  headers    " << originals << "\n";
  if (flags.stacktrace && dlq.stacktrace && !dlq.stacktrace->empty()) {
    out << "  stacktrace\n";
    std::string_view trace = *dlq.stacktrace;
    if (trace.ends_with('\n')) trace.remove_suffix(1);
    print_indented(out, trace, "");
  }
  out << "\n";
}

ExitCode inspect(AppContext& context, InspectFlags flags) {
  auto& window_flags = flags.selection.window;
  if (!window_flags.last && !window_flags.from_offset && window_flags.since.empty()) window_flags.last = 20;
  const auto window = window_from(window_flags);
  const auto filter = filter_from(flags.selection);
  const auto settings = context.settings();
  auto consumer = consumer_for(context);
  const auto plan = ops::plan_topic_window(*consumer, flags.selection.topic, window, settings.timeout());
  print_notes(context, plan);

  const bool json_lines = context.format() == output::Format::Json;
  auto& out = *context.io.out;
  struct Entry {
    kafka::Record record;
    kafka::DlqContext context;
  };
  // A bounded window is shown partition by partition in offset order; a
  // large one streams as it arrives (offset order within each partition).
  constexpr std::uint64_t kSortUpTo = 10'000;
  const bool sort = plan.records() <= kSortUpTo;
  std::vector<Entry> entries;
  std::uint64_t scanned = 0;
  std::uint64_t shown = 0;
  const auto show = [&](const kafka::Record& record, const kafka::DlqContext& dlq) {
    ++shown;
    if (json_lines) out << ops::dlq_record_json(record, dlq, flags.stacktrace).dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
    else print_record(out, record, dlq, flags);
  };
  ops::read_dlq(
      *consumer, flags.selection.topic, plan, filter,
      [&](const kafka::RecordView& view, const kafka::DlqContextView& dlq) {
        if (sort) entries.push_back({view.to_record(), dlq.owned()});
        else show(view.to_record(), dlq.owned());
        return true;
      },
      [&](const kafka::RecordView&) { ++scanned; }, settings.timeout());
  if (sort) {
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
      return a.record.partition != b.record.partition ? a.record.partition < b.record.partition
                                                      : a.record.offset < b.record.offset;
    });
    for (const auto& entry : entries) show(entry.record, entry.context);
  }
  context.logger().info(std::to_string(shown) + " of " + std::to_string(scanned) + " record(s) read from " +
                        flags.selection.topic + (filter.empty() ? "" : " matched the filters"));
  return ExitCode::Ok;
}

// ---------------------------------------------------------------------------
// stats

ExitCode stats(AppContext& context, const SelectionFlags& flags) {
  const auto window = window_from(flags.window);
  const auto filter = filter_from(flags);
  const auto settings = context.settings();
  auto consumer = consumer_for(context);
  const auto plan = ops::plan_topic_window(*consumer, flags.topic, window, settings.timeout());
  print_notes(context, plan);

  ops::DlqStatsBuilder builder(flags.topic);
  output::ProgressBar progress(*context.io.err, context.io.terminal.stderr_is_tty && !context.flags.quiet,
                               "reading " + flags.topic, plan.records());
  std::uint64_t scanned = 0;
  ops::read_dlq(
      *consumer, flags.topic, plan, filter,
      [&](const kafka::RecordView& record, const kafka::DlqContextView& dlq) {
        builder.add(record.partition, record.offset, record.timestamp_ms, dlq);
        return true;
      },
      [&](const kafka::RecordView&) {
        builder.scanned();
        if ((++scanned & 0x3FF) == 0) progress.update(scanned);
      },
      settings.timeout());
  progress.finish();
  const auto result = builder.finish();

  const auto format = context.format();
  auto& out = *context.io.out;
  output::Document document;
  document.data = ops::to_json(result);
  if (format == output::Format::Json || format == output::Format::Yaml) {
    output::render(document, format, context.table_options(), out);
    return ExitCode::Ok;
  }
  const auto when = [](std::int64_t ms) { return ms >= 0 ? format_timestamp_ms(ms) : std::string("-"); };
  if (format != output::Format::Name) {
    out << result.topic << ": " << result.matched << " record" << (result.matched == 1 ? "" : "s");
    if (!filter.empty()) out << " matched of " << result.scanned << " read";
    if (result.matched > 0) out << ", first " << when(result.first_ms) << ", last " << when(result.last_ms);
    if (result.replayed_before > 0) out << "; " << result.replayed_before << " already replayed before";
    out << "\n";
  }
  document.table.columns = {{"COUNT", false, true, false}, {"FIRST SEEN"}, {"LAST SEEN"}, {"CONNECTOR"},
                            {"ORIGINAL TOPIC"}, {"STAGE"}, {"EXCEPTION"}, {"MESSAGE"}, {"EXAMPLES", true}};
  for (const auto& group : result.groups) {
    std::string examples;
    for (const auto& [partition, offset] : group.examples) {
      examples += (examples.empty() ? "" : " ") + std::to_string(partition) + "@" + std::to_string(offset);
    }
    auto exception = group.exception_class;
    if (const auto dot = exception.rfind('.'); dot != std::string::npos && format != output::Format::Wide) {
      exception = exception.substr(dot + 1);  // the simple class name; -o wide shows the full one
    }
    document.table.rows.push_back({std::to_string(group.count), when(group.first_ms), when(group.last_ms),
                                   group.connector.empty() ? "-" : group.connector,
                                   group.original_topic.empty() ? "-" : group.original_topic,
                                   group.stage.empty() ? "-" : group.stage, exception.empty() ? "-" : exception,
                                   group.message_pattern.empty() ? "-" : group.message_pattern, examples});
    document.names.push_back(group.exception_class);
  }
  if (!result.groups.empty()) output::render(document, format, context.table_options(), out);
  return ExitCode::Ok;
}

// ---------------------------------------------------------------------------
// lag

struct LagFlags {
  std::string topic;
  std::string group;
  std::optional<std::int64_t> warn;
  std::optional<std::int64_t> crit;
};

ExitCode lag(AppContext& context, const LagFlags& flags) {
  if (flags.warn && flags.crit && *flags.warn > *flags.crit) {
    throw Error::usage("--warn must not be above --crit");
  }
  const auto settings = context.settings();
  const auto properties = settings.kafka_properties();
  kafka::Consumer consumer(properties, &context.logger());
  kafka::GroupOffsets group(properties, flags.group, &context.logger());
  auto positions = ops::read_group_positions(consumer, group, flags.topic, settings.timeout());
  const auto result = ops::assess_lag(flags.topic, flags.group, std::move(positions), {flags.warn, flags.crit});
  const auto format = context.format();
  auto& out = *context.io.out;
  output::Document document;
  document.data = ops::to_json(result);
  if (format == output::Format::Json || format == output::Format::Yaml) {
    output::render(document, format, context.table_options(), out);
    return static_cast<ExitCode>(static_cast<int>(result.status));
  }
  out << result.summary << "\n";
  document.table.columns = {{"PARTITION", false, true, false}, {"START", false, true}, {"END", false, true},
                            {"COMMITTED", false, true}, {"LAG", false, true}};
  for (const auto& partition : result.partitions) {
    document.table.rows.push_back({std::to_string(partition.partition), std::to_string(partition.low),
                                   std::to_string(partition.high),
                                   partition.committed ? std::to_string(*partition.committed) : "-",
                                   std::to_string(partition.lag)});
    document.names.push_back(std::to_string(partition.partition));
  }
  output::render(document, format, context.table_options(), out);
  return static_cast<ExitCode>(static_cast<int>(result.status));
}

// ---------------------------------------------------------------------------
// replay

struct ReplayFlags {
  SelectionFlags selection;  // topic and filters; replay's window is the group's position
  std::string to;
  std::string group;
  std::string transactional_id;
  bool keep_timestamp = true;
  int max_replays = 3;
  std::optional<std::uint64_t> limit;
  std::string rate;
  std::size_t batch = 500;
  bool dry_run = false;
  bool yes = false;
};

// "100", "100/s" or "2.5/s": records per second.
double parse_rate(const std::string& text) {
  std::string number = text;
  if (number.ends_with("/s")) number.resize(number.size() - 2);
  try {
    std::size_t used = 0;
    const double rate = std::stod(number, &used);
    if (used == number.size() && rate > 0) return rate;
  } catch (const std::exception&) {
  }
  throw Error::usage("invalid --rate '" + text + "'", "expected records per second, e.g. 100 or 100/s");
}

std::string join_counts(const std::map<std::string, std::uint64_t>& counts) {
  std::string text;
  for (const auto& [name, count] : counts) text += (text.empty() ? "" : ", ") + name + " " + std::to_string(count);
  return text;
}

ExitCode replay(AppContext& context, const ReplayFlags& flags) {
  const auto& topic = flags.selection.topic;
  ops::ReplayOptions options{
      .routing = {.dlq_topic = topic, .to = non_empty(flags.to), .max_replays = flags.max_replays},
      .filter = filter_from(flags.selection),
      .group = flags.group.empty() ? ops::default_replay_group(topic) : flags.group,
      .transactional_id = flags.transactional_id.empty() ? ops::default_replay_group(topic) : flags.transactional_id,
      .limit = flags.limit,
      .batch = flags.batch,
      .keep_timestamp = flags.keep_timestamp,
      .dry_run = flags.dry_run};
  if (!flags.rate.empty()) options.rate = parse_rate(flags.rate);
  if (flags.batch < 1) throw Error::usage("invalid --batch 0", "a transaction needs at least one record");
  ops::check_replay_routing(options.routing);

  const auto settings = context.settings();
  const auto properties = settings.kafka_properties();
  kafka::Consumer consumer(properties, &context.logger());
  kafka::GroupOffsets group(properties, options.group, &context.logger());
  // Before planning: fences an earlier run and ends its open transaction.
  std::unique_ptr<kafka::Producer> producer;
  if (!flags.dry_run) {
    producer = ops::open_replay_producer(properties, options.transactional_id, settings.timeout(), &context.logger());
  }
  const auto plan = ops::plan_replay(consumer, group, topic, settings.timeout());

  const bool structured = context.format() == output::Format::Json || context.format() == output::Format::Yaml;
  auto& out = *context.io.out;
  std::string ranges;
  for (const auto& range : plan.ranges) {
    ranges += (ranges.empty() ? "" : ", ") + std::string("p") + std::to_string(range.partition) + " " +
              std::to_string(range.start) + ".." + std::to_string(range.end);
  }
  const std::string destination = options.routing.to ? "to " + *options.routing.to : "to their original topics";
  if (!structured) {
    out << (flags.dry_run ? "dry run: " : "") << "replaying " << topic << " from the position of group " << options.group
        << ": up to " << plan.records() << " record(s) (" << ranges << ") " << destination << ", "
        << ops::batch_for_rate(options.batch, options.rate) << " per transaction\n"
        << std::flush;
  }
  if (plan.records() == 0) {
    if (!structured) out << "nothing to replay: group " << options.group << " is at the end of every partition\n";
    else {
      output::Document document;
      document.data = ops::to_json(ops::ReplayReport{.dlq_topic = topic, .group = options.group, .dry_run = flags.dry_run});
      output::render(document, context.format(), context.table_options(), out);
    }
    return ExitCode::Ok;
  }
  if (!flags.dry_run &&
      !context.confirm("replay up to " + std::to_string(plan.records()) + " record(s) of " + topic + " " + destination,
                       flags.yes)) {
    return ExitCode::Failed;
  }

  const InterruptGuard interrupts;
  output::ProgressBar progress(*context.io.err, context.io.terminal.stderr_is_tty && !context.flags.quiet,
                               flags.dry_run ? "reading " + topic : "replaying " + topic, plan.records());
  const auto report = ops::run_replay(producer.get(), consumer, group, topic, plan, options, settings.timeout(),
                                      [&](std::uint64_t read) {
                                        if ((read & 0xFF) == 0) progress.update(read);
                                      });
  progress.finish();

  if (structured) {
    output::Document document;
    document.data = ops::to_json(report);
    output::render(document, context.format(), context.table_options(), out);
  } else {
    if (flags.dry_run) {
      for (const auto& item : report.preview) {
        out << "  " << topic << " " << item.partition << "@" << item.offset;
        if (item.decision.skip == ops::SkipReason::None) {
          out << " -> " << item.decision.topic
              << (item.decision.partition ? " partition " + std::to_string(*item.decision.partition) : std::string())
              << "\n";
        } else {
          out << " skipped: " << ops::skip_reason_text(item.decision.skip) << "\n";
        }
      }
      if (report.read > report.preview.size()) out << "  …\n";
    }
    const char* verb = flags.dry_run ? "would replay " : "replayed ";
    out << verb << report.replayed << " record(s)";
    if (!report.by_destination.empty()) out << ": " << join_counts(report.by_destination);
    if (!flags.dry_run) out << " in " << report.transactions << " transaction(s)";
    out << "\n";
    std::uint64_t skipped = 0;
    for (const auto& [reason, count] : report.skipped) skipped += count;
    if (skipped > 0) {
      out << (flags.dry_run ? "would skip " : "skipped ") << skipped << " record(s): ";
      std::string reasons;
      for (const auto& [reason, count] : report.skipped) {
        reasons += (reasons.empty() ? "" : "; ") + std::to_string(count) + " " + reason;
      }
      out << reasons << "\n";
    }
    if (report.filtered_out > 0) out << report.filtered_out << " record(s) did not match the filters and were passed over\n";
    if (!flags.dry_run && !report.positions.empty()) {
      std::string positions;
      for (const auto& [partition, offset] : report.positions) {
        positions += (positions.empty() ? "" : ", ") + std::string("p") + std::to_string(partition) + " " + std::to_string(offset);
      }
      out << "group " << options.group << " now at " << positions << "\n";
    }
    if (report.limit_reached) out << "stopped at --limit " << *flags.limit << "; run again to continue\n";
  }
  if (report.interrupted) {
    context.logger().warn("interrupted: what was replayed is committed with the group's position; run again to continue");
    return ExitCode::Interrupted;
  }
  return ExitCode::Ok;
}

}  // namespace

void add_dlq_commands(CLI::App& app, AppContext& context) {
  auto* group = app.add_subcommand("dlq", "Dead-letter queues: inspect, summarise, replay exactly once, watch the backlog");
  group->require_subcommand(1);
  context.document(group,
                   "Kafka Connect sends records a sink connector could not handle (errors.tolerance=all) to "
                   "errors.deadletterqueue.topic.name, with the original key, value, headers and timestamp and, with "
                   "errors.deadletterqueue.context.headers.enable=true, __connect.errors.* headers saying where it came "
                   "from and why it failed. These commands read such topics without joining a consumer group or "
                   "committing anything.");

  auto inspect_flags = std::make_shared<InspectFlags>();
  auto* inspect_command = group->add_subcommand("inspect", "Show DLQ records: where they came from, why they failed, key and value");
  add_selection_flags(*inspect_command, inspect_flags->selection, true);
  inspect_command->add_flag("--stacktrace", inspect_flags->stacktrace, "also show the Java stack trace");
  inspect_command->add_option("--max-bytes", inspect_flags->max_bytes, "cut keys and values longer than this (default 4096; 0 no limit)")
      ->type_name("N");
  context.document(inspect_command,
                   "Shows the newest 20 records of each partition (--last N), or a range: --from-offset, --since, "
                   "--until. For each: partition@offset and time; the original topic, partition and offset; "
                   "connector, task, stage and class; the exception class and message (--stacktrace for the trace); "
                   "the replays cdcctl made of it; key and value, shown as pretty JSON when they parse, as text when "
                   "they are printable UTF-8, otherwise as base64, so binary data never reaches the terminal raw; "
                   "and the original headers. -o json prints one JSON object per record (JSON Lines): key, value and "
                   "every header (in order, duplicates kept) as base64, plus the decoded context.",
                   {"cdcctl dlq inspect dlq-jdbc-sink", "cdcctl dlq inspect dlq-jdbc-sink --since 2h --exception 'DataException'",
                    "cdcctl dlq inspect dlq-jdbc-sink --from-offset 0 -o json | jq -r '.value | @base64d'"});
  inspect_command->callback([&context, inspect_flags] {
    context.action = [&context, inspect_flags] { return inspect(context, *inspect_flags); };
  });

  auto stats_flags = std::make_shared<SelectionFlags>();
  auto* stats_command = group->add_subcommand("stats", "What broke and since when: DLQ records grouped by failure");
  add_selection_flags(*stats_command, *stats_flags, false);
  context.document(stats_command,
                   "Reads the whole topic (or the window given) and groups the records by exception class and message "
                   "pattern (numbers, quoted values and UUIDs replaced), connector, original topic and stage: count, "
                   "first and last seen, example offsets (-o wide). A progress bar is drawn on a terminal.",
                   {"cdcctl dlq stats dlq-jdbc-sink", "cdcctl dlq stats dlq-jdbc-sink --since 24h -o json"});
  stats_command->callback([&context, stats_flags] {
    context.action = [&context, stats_flags] { return stats(context, *stats_flags); };
  });

  auto replay_flags = std::make_shared<ReplayFlags>();
  auto* replay_command = group->add_subcommand("replay", "Re-produce DLQ records to the topic they failed from, exactly once");
  replay_command->add_option("topic", replay_flags->selection.topic, "the dead-letter-queue topic")->required();
  replay_command->add_option("--to", replay_flags->to, "replay into this topic instead of each record's original topic")
      ->type_name("TOPIC");
  replay_command->add_option("--group", replay_flags->group, "consumer group remembering the progress (default cdcctl-replay-TOPIC)")
      ->type_name("GROUP");
  replay_command->add_option("--transactional-id", replay_flags->transactional_id,
                             "transactional.id of the producer (default cdcctl-replay-TOPIC)")
      ->type_name("ID");
  replay_command->add_flag("--keep-timestamp,!--new-timestamp", replay_flags->keep_timestamp,
                           "keep each record's original timestamp (the default); --new-timestamp stamps them anew");
  replay_command->add_option("--max-replays", replay_flags->max_replays,
                             "skip records already replayed this many times (default 3)")
      ->type_name("N");
  replay_command->add_option("--limit", replay_flags->limit, "replay at most N records, then stop (rerun to continue)")
      ->type_name("N");
  replay_command->add_option("--rate", replay_flags->rate, "at most this many records per second (100 or 100/s)")->type_name("N/s");
  replay_command->add_option("--batch", replay_flags->batch, "records per transaction (default 500)")->type_name("N");
  add_filter_flags(*replay_command, replay_flags->selection);
  replay_command->add_flag("--dry-run", replay_flags->dry_run, "show what would go where and why records would be skipped; write nothing");
  replay_command->add_flag("-y,--yes", replay_flags->yes, "do not ask for confirmation (required when not on a terminal)");
  context.document(
      replay_command,
      "Reads the DLQ from the position of a consumer group (--group, default cdcctl-replay-TOPIC) to where it ends "
      "now, and produces each record to the topic in its __connect.errors.topic header (its original partition) or "
      "to --to, with the original key, value, timestamp (--new-timestamp to stamp anew) and headers, minus the "
      "__connect.errors.* ones, plus cdcctl.replay.count (one more than the record had) and cdcctl.replay.source "
      "(dlq-topic/partition/offset).\n"
      "\n"
      "Exactly once: records go out in Kafka transactions of --batch records together with the group's new "
      "position (send_offsets_to_transaction), so a crash neither loses nor repeats a record, and a rerun continues "
      "where the last one stopped. A broker that did not keep the transaction's offsets (the embedded one) gets "
      "them committed plainly after it, never lower than the group's. Records already replayed --max-replays times are skipped and "
      "reported, never bounced forever; a record without an original topic is skipped unless --to is given; "
      "replaying into the DLQ itself is refused. With filters, records that do not match are passed over and the "
      "group moves past them: use one --group per filter.\n"
      "\n"
      "Shows the plan and asks (or needs --yes). Ctrl-C commits what was already produced and exits 130.",
      {"cdcctl dlq replay dlq-jdbc-sink --dry-run", "cdcctl dlq replay dlq-jdbc-sink --exception 'Connection refused' --yes",
       "cdcctl dlq replay dlq-jdbc-sink --to orders-retry --rate 500/s --limit 10000 --yes"});
  replay_command->callback([&context, replay_flags] {
    context.action = [&context, replay_flags] { return replay(context, *replay_flags); };
  });

  auto lag_flags = std::make_shared<LagFlags>();
  auto* lag_command = group->add_subcommand("lag", "Records in the DLQ a consumer group has not consumed yet, for cron");
  lag_command->add_option("topic", lag_flags->topic, "the dead-letter-queue topic")->required();
  lag_command->add_option("--group", lag_flags->group, "the consumer group (e.g. cdcctl-replay-TOPIC)")->required()->type_name("GROUP");
  lag_command->add_option("--warn", lag_flags->warn, "WARNING at this many records behind")->type_name("N");
  lag_command->add_option("--crit", lag_flags->crit, "CRITICAL at this many records behind")->type_name("N");
  context.document(lag_command,
                   "For each partition: the first and next offset, the group's committed offset (OffsetFetch; the "
                   "group is not joined) and the records behind it; a partition the group never committed counts "
                   "from its first offset. Exit 0 OK, 1 WARNING (at --warn), 2 CRITICAL (at --crit), 3 UNKNOWN on "
                   "any error.",
                   {"cdcctl dlq lag dlq-jdbc-sink --group cdcctl-replay-dlq-jdbc-sink --warn 1 --crit 1000"});
  lag_command->callback([&context, lag_flags] {
    context.error_exit_code = static_cast<int>(CheckStatus::Unknown);
    context.action = [&context, lag_flags] { return lag(context, *lag_flags); };
  });
}

}  // namespace cdcctl::app
