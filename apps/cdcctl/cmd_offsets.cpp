// cdcctl offsets get|reset|set: connector offsets through Kafka Connect's
// REST API (KIP-875), changed only through the stop → change → verify →
// restore flow.
#include <iostream>
#include <sstream>

#include "app.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "core/interrupt.hpp"
#include "core/secrets.hpp"
#include "core/units.hpp"
#include "ops/connect_session.hpp"
#include "kafka/topic_io.hpp"
#include "ops/offsets.hpp"
#include "ops/offsets_topic.hpp"
#include "ops/sink_offsets.hpp"
#include "offset_change_output.hpp"
#include "selection_flags.hpp"

namespace cdcctl::app {

namespace {

using nlohmann::json;

struct GetFlags {
  SelectionFlags selection;
  bool via_topic = false;
  std::string offsets_topic = ops::kDefaultOffsetsTopic;
};

// "connect-offsets-3@41", with the murmur2 partition when it differs.
std::string record_place(const std::string& topic, const ops::TopicOffsetEntry& entry) {
  std::string place = topic + "-" + std::to_string(entry.topic_partition) + "@" + std::to_string(entry.record_offset);
  if (entry.expected_partition != entry.topic_partition) {
    place += " (murmur2 says partition " + std::to_string(entry.expected_partition) + ")";
  }
  return place;
}

ExitCode get_offsets_from_topic(AppContext& context, const GetFlags& flags) {
  const auto settings = context.settings();
  const auto replay =
      ops::scan_offsets_topic(settings.kafka_properties(), flags.offsets_topic, settings.timeout(), &context.logger());
  std::vector<std::string> available;
  for (const auto& [name, count] : replay.connectors()) available.push_back(name);
  const auto names = ops::select_names(available, flags.selection.selection(),
                                       "list them with: cdcctl offsets get --via-topic --all");
  output::Document document;
  document.table.columns = {{"CONNECTOR"}, {"PARTITION"}, {"OFFSET"}, {"RECORD"}, {"RAW", true}};
  document.data = json::array();
  for (const auto& name : names) {
    const auto entries = replay.live(name);
    json item = ops::to_json(ops::to_connector_offsets(name, entries));
    item.erase("state");  // unknown: Connect was not asked
    item["via_topic"] = {{"topic", flags.offsets_topic}, {"records", ops::records_json(entries)}};
    document.data.push_back(std::move(item));
    document.names.push_back(name);
    for (const auto& entry : entries) {
      document.table.rows.push_back({name, ops::describe_partition(entry.partition),
                                     ops::describe_offset(entry.partition, entry.offset),
                                     record_place(flags.offsets_topic, entry), entry.offset.dump()});
    }
  }
  if (replay.unreadable() > 0) {
    context.logger().warn(std::to_string(replay.unreadable()) + " record(s) of " + flags.offsets_topic +
                          " are not Kafka Connect offsets and were skipped");
  }
  output::render(document, context.format(), context.table_options(), *context.io.out);
  return ExitCode::Ok;
}

ExitCode get_offsets(AppContext& context, const GetFlags& get_flags) {
  if (get_flags.via_topic) return get_offsets_from_topic(context, get_flags);
  const auto& flags = get_flags.selection;
  const auto settings = context.settings();
  ops::ConnectSession session(settings, context.logger());
  auto& client = session.client();
  const auto names = ops::select_connectors(client, flags.selection());
  output::Document document;
  document.table.columns = {{"CONNECTOR"}, {"TYPE"}, {"STATE", false, false, false}, {"PARTITION"}, {"OFFSET"},
                            {"RAW", true}};
  document.data = json::array();
  for (const auto& name : names) {
    const auto offsets = ops::read_offsets(client, name);
    document.data.push_back(ops::to_json(offsets));
    document.names.push_back(name);
    if (offsets.offsets.empty()) {
      document.table.rows.push_back({name, offsets.type, {offsets.state, output::state_color(offsets.state)}, "-", "(none)", ""});
    }
    for (const auto& entry : offsets.offsets) {
      const json partition = entry.value("partition", json());
      const json offset = entry.value("offset", json());
      document.table.rows.push_back({name, offsets.type, {offsets.state, output::state_color(offsets.state)},
                                     ops::describe_partition(partition), ops::describe_offset(partition, offset),
                                     offset.dump()});
    }
  }
  output::render(document, context.format(), context.table_options(), *context.io.out);
  return ExitCode::Ok;
}

struct ChangeFlags {
  std::string name;
  bool dry_run = false;
  bool yes = false;
  bool leave_stopped = false;
  std::string wait_timeout = "2m";
  // set
  std::string file;
  std::string topic;
  std::string partition;
  std::string offset;
  bool to_earliest = false;
  bool to_latest = false;
  std::string to_timestamp;
  // reset --via-topic
  bool via_topic = false;
  std::string offsets_topic = ops::kDefaultOffsetsTopic;
  bool workers_stopped = false;
};

// A sink's offsets by position: every partition it reads (or --topic /
// --partition of them) at the earliest, latest or first-after-a-time offset.
json patch_by_position(AppContext& context, const ChangeFlags& flags, connect::Client& client) {
  ops::SinkTarget target;
  if (flags.to_earliest) target.position = ops::SinkPosition::Earliest;
  if (flags.to_latest) target.position = ops::SinkPosition::Latest;
  if (!flags.to_timestamp.empty()) {
    target.position = ops::SinkPosition::Timestamp;
    target.timestamp_ms = parse_timestamp_ms(flags.to_timestamp);
  }
  if (!flags.topic.empty()) target.topic = flags.topic;
  if (!flags.partition.empty()) {
    if (flags.topic.empty()) throw Error::usage("--partition with a position needs --topic too");
    std::size_t used = 0;
    int partition = -1;
    try {
      partition = std::stoi(flags.partition, &used);
    } catch (const std::logic_error&) {
    }
    if (partition < 0 || used != flags.partition.size()) throw Error::usage("--partition must be a non-negative integer");
    target.partition = partition;
  }
  const auto settings = context.settings();
  kafka::Consumer consumer(settings.kafka_properties(), &context.logger());
  const auto topics = ops::sink_topics(client.config(flags.name), consumer.topic_names(settings.timeout()));
  const auto resolved = ops::resolve_sink_offsets(consumer, topics, target, settings.timeout());
  if (context.format() != output::Format::Json) {
    auto& out = *context.io.out;
    out << "resolved in Kafka:\n";
    for (const auto& offset : resolved) {
      out << "  " << offset.topic << "-" << offset.partition << " → " << offset.offset << " (" << offset.how
          << (offset.note.empty() ? "" : "; " + offset.note) << ")\n";
    }
  }
  return ops::sink_patch(resolved);
}

// The PATCH body from -f FILE|-, a position, or the explicit shorthands.
json patch_from_flags(AppContext& context, const ChangeFlags& flags, const std::string& type, connect::Client& client) {
  const bool explicit_offset = !flags.offset.empty();
  const int positions = (flags.to_earliest ? 1 : 0) + (flags.to_latest ? 1 : 0) + (flags.to_timestamp.empty() ? 0 : 1);
  const int ways = (flags.file.empty() ? 0 : 1) + (explicit_offset ? 1 : 0) + positions;
  if (ways != 1) {
    throw Error::usage(ways == 0 ? "say what to set" : "say what to set in one way",
                       "use -f FILE (or - for stdin), --offset, --to-earliest, --to-latest or --to-timestamp",
                       "e.g. cdcctl offsets set orders-sink --topic orders --partition 0 --offset 42");
  }
  if (positions > 0) {
    if (type != "sink") {
      throw Error::usage("--to-earliest, --to-latest and --to-timestamp are for sink connectors",
                         flags.name + " is a " + type + " connector; give --partition and --offset as JSON, or -f FILE");
    }
    return patch_by_position(context, flags, client);
  }
  if (!flags.file.empty()) {
    if (!flags.topic.empty() || !flags.partition.empty()) throw Error::usage("-f FILE cannot be combined with --topic or --partition");
    std::string text;
    if (flags.file == "-") {
      std::ostringstream buffer;
      buffer << context.io.in->rdbuf();
      text = buffer.str();
    } else {
      text = read_file(flags.file);
    }
    const std::string origin = flags.file == "-" ? "standard input" : flags.file;
    try {
      return ops::patch_body(json::parse(text), flags.name, origin);
    } catch (const json::parse_error& e) {
      throw Error::usage("cannot read offsets from " + origin, e.what());
    }
  }
  if (flags.partition.empty() || flags.offset.empty()) throw Error::usage("--partition and --offset go together");
  if (type == "sink") {
    if (flags.topic.empty()) throw Error::usage("a sink connector's offset needs --topic, --partition and --offset");
    try {
      std::size_t used_partition = 0, used_offset = 0;
      const int partition = std::stoi(flags.partition, &used_partition);
      const long long offset = std::stoll(flags.offset, &used_offset);
      if (used_partition != flags.partition.size() || used_offset != flags.offset.size() || partition < 0 || offset < 0) {
        throw std::invalid_argument("not a number");
      }
      return {{"offsets", json::array({{{"partition", {{"kafka_topic", flags.topic}, {"kafka_partition", partition}}},
                                        {"offset", {{"kafka_offset", offset}}}}})}};
    } catch (const std::logic_error&) {
      throw Error::usage("--partition and --offset must be non-negative integers for a sink connector");
    }
  }
  if (!flags.topic.empty()) throw Error::usage("--topic is for sink connectors", flags.name + " is a " + type + " connector");
  auto parse_object = [](const std::string& text, const char* flag) {
    try {
      json value = json::parse(text);
      if (value.is_object() || (value.is_null() && std::string(flag) == "--offset")) return value;
    } catch (const json::parse_error&) {
    }
    throw Error::usage(std::string(flag) + " must be a JSON object for a source connector", "got: " + text,
                       R"(e.g. --partition '{"server":"inventory"}' --offset '{"lsn":24023128}')");
  };
  return {{"offsets", json::array({{{"partition", parse_object(flags.partition, "--partition")},
                                    {"offset", parse_object(flags.offset, "--offset")}}})}};
}

// The legacy reset: tombstones written straight into the offsets topic.
ExitCode reset_through_topic(AppContext& context, const ChangeFlags& flags) {
  if (flags.leave_stopped) throw Error::usage("--leave-stopped does not apply with --via-topic", "no connector is stopped or resumed");
  const bool text = text_or_json(context, "offsets reset");
  const auto settings = context.settings();
  const auto properties = settings.kafka_properties();
  const auto& topic = flags.offsets_topic;
  const auto replay = ops::scan_offsets_topic(properties, topic, settings.timeout(), &context.logger());
  ops::require_keys(replay, flags.name, topic);
  const auto entries = replay.live(flags.name);

  // Safe only when nothing will write the offsets again.
  std::string allowed;
  if (settings.connect_urls().empty()) {
    allowed = ops::check_topic_reset(nullptr, flags.name, flags.workers_stopped);
  } else {
    ops::ConnectSession session(settings, context.logger());
    allowed = ops::check_topic_reset(&session.client(), flags.name, flags.workers_stopped);
  }
  allowed = mask_url_or_conninfo(allowed);

  auto& out = *context.io.out;
  std::size_t misplaced = 0;
  for (const auto& entry : entries) misplaced += entry.expected_partition != entry.topic_partition ? 1 : 0;
  const std::vector<std::string> steps = {
      "write a tombstone (null value) for each of the " + std::to_string(entries.size()) + " key(s), on the partition its record is in",
      "read " + topic + " again and check that no key of " + flags.name + " is left"};
  if (text) {
    out << flags.name << ": " << entries.size() << " key(s) in " << topic << " (" << replay.records() << " record(s), "
        << replay.partition_count() << " partition(s) read):\n";
    for (const auto& entry : entries) {
      out << "  " << record_place(topic, entry) << "  " << entry.key << "\n      "
          << ops::describe_offset(entry.partition, entry.offset) << "\n";
    }
    out << "allowed: " << allowed << "\n";
    if (misplaced > 0) {
      out << "note: " << misplaced << " key(s) are not on the partition the default partitioner picks; the tombstone "
          << "goes where the record is, which is where compaction and the workers look\n";
    }
    out << "plan:\n";
    for (std::size_t i = 0; i < steps.size(); ++i) out << "  " << i + 1 << ". " << steps[i] << "\n";
    out << std::flush;
  }
  const auto finish_json = [&](bool ok, const std::vector<ops::TopicOffsetEntry>& remaining, bool dry_run) {
    output::render_json({{"name", flags.name},
                         {"action", "reset"},
                         {"via_topic", true},
                         {"topic", topic},
                         {"dry_run", dry_run},
                         {"allowed", allowed},
                         {"tombstones", ops::records_json(entries)},
                         {"ok", ok},
                         {"remaining", ops::records_json(remaining)}},
                        out);
  };
  if (flags.dry_run) {
    if (!text) finish_json(true, entries, true);
    return ExitCode::Ok;
  }
  if (!context.confirm("write " + std::to_string(entries.size()) + " tombstone(s) for " + flags.name + " into " + topic,
                       flags.yes)) {
    return ExitCode::Failed;
  }
  const auto remaining = ops::write_tombstones(properties, topic, flags.name, entries, settings.timeout(), &context.logger());
  if (!text) finish_json(remaining.empty(), remaining, false);
  if (!remaining.empty()) {
    throw Error::failed("offsets of " + flags.name + " not reset",
                        std::to_string(remaining.size()) + " key(s) are still live in " + topic + " after the tombstones",
                        "run the reset again; if it persists, check that no worker still runs " + flags.name);
  }
  if (text) out << "done: " << entries.size() << " tombstone(s) written; no key of " << flags.name << " is left in " << topic << "\n";
  return ExitCode::Ok;
}

ExitCode change_offsets(AppContext& context, const ChangeFlags& flags, bool is_set) {
  if (flags.via_topic) return reset_through_topic(context, flags);
  const auto wait_timeout = wait_timeout_flag(flags.wait_timeout);
  const bool text = text_or_json(context, is_set ? "offsets set" : "offsets reset");
  const auto settings = context.settings();
  ops::ConnectSession session(settings, context.logger());
  auto& client = session.client();
  auto change = ops::plan_offset_change(client, flags.name);
  if (is_set) change.patch = patch_from_flags(context, flags, change.type, client);

  auto& out = *context.io.out;
  const auto steps = ops::describe_plan(change, flags.leave_stopped);
  if (text) print_offsets_and_plan(out, flags.name, change.type, change, steps);
  if (flags.dry_run) {
    if (!text) output::render_json({{"name", flags.name}, {"dry_run", true}, {"type", change.type}, {"state", change.state_before},
                            {"offsets", change.offsets_before}, {"patch", change.patch ? *change.patch : json(nullptr)},
                            {"plan", steps}},
                           out);
    return ExitCode::Ok;
  }
  const std::string question = (is_set ? "change the offsets of " : "remove all offsets of ") + flags.name +
                               (change.state_before == "STOPPED" ? "" : " (it will be stopped meanwhile)");
  if (!context.confirm(question, flags.yes)) return ExitCode::Failed;

  const InterruptGuard interrupts;
  ops::OffsetChangeOptions options;
  options.leave_stopped = flags.leave_stopped;
  options.wait_timeout = wait_timeout;
  const auto outcome = ops::apply_offset_change(client, change, options, [&](const ops::OffsetStep& step) {
    if (text) print_step(out, step);
  });

  if (!text) {
    output::render_json({{"name", flags.name},
                 {"action", is_set ? "alter" : "reset"},
                 {"ok", outcome.ok},
                 {"interrupted", outcome.interrupted},
                 {"state_before", change.state_before},
                 {"state_after", outcome.state_after},
                 {"message", outcome.message},
                 {"error", outcome.error.empty() ? json(nullptr) : json(mask_url_or_conninfo(outcome.error))},
                 {"to_finish", outcome.to_finish},
                 {"offsets_before", change.offsets_before},
                 {"offsets_after", outcome.offsets_after}},
                out);
  }
  if (outcome.ok) return ExitCode::Ok;
  return report_failure(context, flags.name, outcome, "offsets of " + flags.name + (is_set ? " not changed" : " not reset"));
}

struct BackupFlags {
  SelectionFlags selection;
  std::string file;
};

ExitCode backup_offsets(AppContext& context, const BackupFlags& flags) {
  if (flags.file.empty()) throw Error::usage("say where to save the backup", {}, "add -f FILE");
  const auto settings = context.settings();
  ops::ConnectSession session(settings, context.logger());
  auto& client = session.client();
  ops::Selection selection = flags.selection.selection();
  if (!flags.selection.given()) selection.all = true;  // a backup of everything unless told otherwise
  ops::OffsetsBackup backup;
  backup.created_at = format_timestamp(WallClock::now());
  backup.connect_version = client.version().text();
  for (const auto& name : ops::select_connectors(client, selection)) backup.connectors.push_back(ops::read_offsets(client, name));
  write_file_atomically(flags.file, ops::to_json(backup).dump(2) + "\n");
  std::size_t count = 0;
  for (const auto& connector : backup.connectors) count += connector.offsets.size();
  *context.io.out << "saved " << count << " offset(s) of " << backup.connectors.size() << " connector(s) to " << flags.file
                  << "\n";
  return ExitCode::Ok;
}

struct RestoreFlags {
  std::vector<std::string> names;
  std::string file;
  bool force = false;
  bool dry_run = false;
  bool yes = false;
  bool leave_stopped = false;
  std::string wait_timeout = "2m";
};

ExitCode restore_offsets(AppContext& context, const RestoreFlags& flags) {
  if (flags.file.empty()) throw Error::usage("say which backup to restore", {}, "add -f FILE");
  const auto wait_timeout = wait_timeout_flag(flags.wait_timeout);
  json document;
  try {
    document = json::parse(read_file(flags.file));
  } catch (const json::parse_error& e) {
    throw Error::usage("cannot restore from " + flags.file, e.what());
  }
  const auto backup = ops::parse_backup(document, flags.file);
  std::vector<ops::ConnectorOffsets> chosen;
  for (const auto& connector : backup.connectors) {
    if (flags.names.empty() || std::find(flags.names.begin(), flags.names.end(), connector.name) != flags.names.end()) {
      chosen.push_back(connector);
    }
  }
  for (const auto& name : flags.names) {
    if (std::none_of(chosen.begin(), chosen.end(), [&](const auto& c) { return c.name == name; })) {
      throw Error::not_found(name + " is not in " + flags.file);
    }
  }

  const auto settings = context.settings();
  ops::ConnectSession session(settings, context.logger());
  auto& client = session.client();
  auto& out = *context.io.out;
  out << "backup of " << backup.created_at << " (Connect " << backup.connect_version << "), " << chosen.size()
      << " connector(s):\n";
  // Plan everything first: a mismatch anywhere stops the run before any connector is touched.
  std::vector<ops::OffsetChange> changes;
  std::vector<std::string> refused;
  for (const auto& saved : chosen) {
    const auto live = ops::read_offsets(client, saved.name);
    if (const auto why = ops::restore_mismatch(saved, live); !why.empty()) {
      if (!flags.force) {
        refused.push_back(saved.name + ": " + why);
        continue;
      }
      context.logger().warn(saved.name + ": " + why + " (--force)");
    }
    auto change = ops::plan_offset_change(client, saved.name, ops::restore_patch(saved.offsets, live.offsets));
    if (!change.patch && live.offsets.empty()) {
      out << "  " << saved.name << ": no offsets saved and none now; nothing to do\n";
      continue;
    }
    out << "  " << saved.name << " (" << change.type << ", " << change.state_before << "): " << saved.offsets.size()
        << " saved offset(s), " << live.offsets.size() << " now\n";
    changes.push_back(std::move(change));
  }
  if (!refused.empty()) {
    std::string why;
    for (const auto& line : refused) why += (why.empty() ? "" : "; ") + line;
    throw Error::failed("refusing to restore offsets onto a different connector", why,
                        "check the names; --force restores anyway");
  }
  if (flags.dry_run || changes.empty()) return ExitCode::Ok;
  if (!context.confirm("restore the offsets of " + std::to_string(changes.size()) +
                           " connector(s) (each is stopped meanwhile)",
                       flags.yes)) {
    return ExitCode::Failed;
  }

  const InterruptGuard interrupts;
  ops::OffsetChangeOptions options;
  options.leave_stopped = flags.leave_stopped;
  options.wait_timeout = wait_timeout;
  for (const auto& change : changes) {
    const auto outcome = ops::apply_offset_change(client, change, options,
                                                  [&](const ops::OffsetStep& step) { print_step(out, step, change.name + " "); });
    if (!outcome.ok) return report_failure(context, change.name, outcome, "offsets of " + change.name + " not restored");
  }
  return ExitCode::Ok;
}

void add_change_flags(CLI::App* command, AppContext& context, ChangeFlags& flags) {
  auto* name = command->add_option("name", flags.name, "connector name")->required();
  context.completions[name] = kConnectorNames;
  command->add_flag("--dry-run", flags.dry_run, "show the current offsets and the plan; change nothing");
  command->add_flag("-y,--yes", flags.yes, "do not ask for confirmation (required when not on a terminal)");
  command->add_flag("--leave-stopped", flags.leave_stopped, "leave the connector STOPPED afterwards instead of restoring its state");
  command->add_option("--wait-timeout", flags.wait_timeout, "how long to wait for the connector to stop (default 2m)")
      ->type_name("DURATION");
}

}  // namespace

void add_offsets_commands(CLI::App& app, AppContext& context) {
  auto* group = app.add_subcommand("offsets", "Show, reset and set connector offsets the safe way (Connect 3.6+)");
  group->require_subcommand(1);
  context.document(group,
                   "Source connectors (Debezium) keep their offsets in Kafka Connect's offsets topic, not in a "
                   "consumer group, so kafka-consumer-groups --reset-offsets does nothing for them; sink connectors "
                   "use the consumer group connect-NAME. Kafka Connect changes either kind only for a STOPPED "
                   "connector: a PAUSED one is refused. These commands stop the connector, change the offsets, "
                   "read them back, and restore the state it had.");

  auto get_flags = std::make_shared<GetFlags>();
  auto* get = group->add_subcommand("get", "Show connectors' offsets, Debezium PostgreSQL ones decoded");
  add_selection(get, context, get_flags->selection);
  get->add_flag("--via-topic", get_flags->via_topic, "read source offsets straight from the offsets topic (no Connect needed)");
  get->add_option("--offsets-topic", get_flags->offsets_topic, "the workers' offset.storage.topic (default connect-offsets)")
      ->type_name("TOPIC");
  context.document(get,
                   "Reads GET /connectors/NAME/offsets (Connect 3.5+). Sink offsets are shown as topic-partition and "
                   "offset; Debezium PostgreSQL source offsets as the LSN (X/X; the decimal in -o json), txId, commit "
                   "time and snapshot flags. -o json gives, per connector, the raw \"offsets\" list (a valid body for "
                   "offsets set -f) and a \"decoded\" list beside it.\n"
                   "\n"
                   "--via-topic reads the offsets topic itself with a Kafka client, as a worker does (the latest "
                   "record per key; a tombstone removes it): for Connect older than 3.5, or when the workers are "
                   "down. It also shows which partition and offset of the topic each key is in.",
                   {"cdcctl offsets get inventory-source", "cdcctl offsets get --all -o json > offsets.json",
                    "cdcctl offsets get --via-topic --all --offsets-topic connect-offsets"});
  get->callback([&context, get_flags] { context.action = [&context, get_flags] { return get_offsets(context, *get_flags); }; });

  auto reset_flags = std::make_shared<ChangeFlags>();
  auto* reset = group->add_subcommand("reset", "Remove all offsets of a connector: stop, DELETE, verify, restore");
  add_change_flags(reset, context, *reset_flags);
  reset->add_flag("--via-topic", reset_flags->via_topic,
                  "legacy path (Connect < 3.6 or workers down): write tombstones into the offsets topic");
  reset->add_option("--offsets-topic", reset_flags->offsets_topic, "with --via-topic: the workers' offset.storage.topic")
      ->type_name("TOPIC");
  reset->add_flag("--i-have-stopped-the-workers", reset_flags->workers_stopped,
                  "with --via-topic when Kafka Connect cannot be asked: you have stopped every worker");
  context.document(reset,
                   "Shows the connector's state, its offsets and the plan, asks (or needs --yes), then: stops the "
                   "connector and waits until it is STOPPED with no tasks, DELETEs its offsets, reads them back to "
                   "check none are left, and resumes or pauses it again as it was (unless --leave-stopped). A source "
                   "connector then starts over as if new (a Debezium connector takes a new snapshot per its "
                   "snapshot.mode); for a sink connector the consumer group connect-NAME is reset.\n"
                   "\n"
                   "If a step after the stop fails, the connector is left STOPPED, so it cannot commit new offsets, "
                   "and the error says what to run to finish. Ctrl-C before the offsets are changed puts the "
                   "connector back as it was and exits 130.\n"
                   "\n"
                   "--via-topic is the legacy reset for Connect older than 3.6 or a cluster whose workers are down: "
                   "it reads the offsets topic, shows every key of the connector (whatever its whitespace or key "
                   "order) and writes a tombstone for each on the partition its record is in, then reads the topic "
                   "again to check none is left. It refuses while the connector still exists on Kafka Connect "
                   "(delete it first); when Connect does not answer, it needs --i-have-stopped-the-workers.",
                   {"cdcctl offsets reset inventory-source --dry-run", "cdcctl offsets reset orders-sink --yes",
                    "cdcctl offsets reset inventory-source --via-topic --offsets-topic connect-offsets --dry-run"});
  reset->callback([&context, reset_flags] {
    context.action = [&context, reset_flags] { return change_offsets(context, *reset_flags, false); };
  });

  auto set_flags = std::make_shared<ChangeFlags>();
  auto* set = group->add_subcommand("set", "Set offsets of a connector: stop, PATCH, verify, restore");
  add_change_flags(set, context, *set_flags);
  auto* file = set->add_option("-f,--file", set_flags->file, "offsets to set: {\"offsets\": […]}, or offsets get -o json output; - for stdin")
                   ->type_name("FILE");
  context.completions[file] = {.files = true};
  set->add_option("--topic", set_flags->topic, "sink connectors: the topic")->type_name("TOPIC");
  set->add_option("--partition", set_flags->partition, "sink: the partition number; source: the partition as JSON")
      ->type_name("N|JSON");
  set->add_option("--offset", set_flags->offset, "sink: the offset; source: the offset as JSON (null removes it)")
      ->type_name("N|JSON");
  set->add_flag("--to-earliest", set_flags->to_earliest, "sink: the first offset still in each partition it reads");
  set->add_flag("--to-latest", set_flags->to_latest, "sink: the end of each partition (skip everything there now)");
  set->add_option("--to-timestamp", set_flags->to_timestamp,
                  "sink: the first record at or after this time (RFC 3339 with zone, a date, or epoch ms)")
      ->type_name("TIME");
  context.document(set,
                   "The same flow as offsets reset, with PATCH /connectors/NAME/offsets: the offsets given replace "
                   "those of the same partitions, an offset of null removes one, others are kept. The read-back "
                   "checks each one.\n"
                   "\n"
                   "For a sink, --to-earliest, --to-latest and --to-timestamp TIME set every partition of every topic "
                   "it reads (its topics, or the topics its topics.regex matches; narrow with --topic and "
                   "--partition), looked up in Kafka with the context's bootstrap servers. A time is resolved by "
                   "Kafka's lookup by timestamp (offsetsForTimes); a partition with nothing that new goes to its end.",
                   {"cdcctl offsets set orders-sink --topic orders --partition 0 --offset 42 --yes",
                    "cdcctl offsets set orders-sink --to-timestamp 2026-11-22T08:00:00Z --dry-run",
                    "cdcctl offsets set inventory-source --partition '{\"server\":\"inventory\"}' --offset '{\"lsn\":24023128}'",
                    "cdcctl offsets get inventory-source -o json > saved.json && cdcctl offsets set inventory-source -f saved.json --yes"});
  set->callback([&context, set_flags] {
    context.action = [&context, set_flags] { return change_offsets(context, *set_flags, true); };
  });

  auto backup_flags = std::make_shared<BackupFlags>();
  auto* backup = group->add_subcommand("backup", "Save connectors' offsets and states to a JSON file");
  add_selection(backup, context, backup_flags->selection);
  auto* backup_file = backup->add_option("-f,--file", backup_flags->file, "where to write the backup (mode 0600, atomically)")
                          ->type_name("FILE");
  context.completions[backup_file] = {.files = true};
  context.document(backup,
                   "Writes one JSON document with every selected connector's (default: all) name, type, class, state "
                   "and offsets, the Connect version and the time. The file is written with -f rather than -o, "
                   "which is the output format everywhere in cdcctl.",
                   {"cdcctl offsets backup -f offsets-$(date +%F).json", "cdcctl offsets backup -e 'inventory-.*' -f inventory.json"});
  backup->callback([&context, backup_flags] {
    context.action = [&context, backup_flags] { return backup_offsets(context, *backup_flags); };
  });

  auto restore_flags = std::make_shared<RestoreFlags>();
  auto* restore = group->add_subcommand("restore", "Put saved offsets back, through the stop → patch → verify → restore flow");
  auto* restore_names = restore->add_option("names", restore_flags->names, "only these connectors from the backup");
  context.completions[restore_names] = kConnectorNames;
  auto* restore_file = restore->add_option("-f,--file", restore_flags->file, "the backup to restore")->type_name("FILE");
  context.completions[restore_file] = {.files = true};
  restore->add_flag("--force", restore_flags->force, "restore even onto a connector of another type or class");
  restore->add_flag("--dry-run", restore_flags->dry_run, "show what would be restored; change nothing");
  restore->add_flag("-y,--yes", restore_flags->yes, "do not ask for confirmation (required when not on a terminal)");
  restore->add_flag("--leave-stopped", restore_flags->leave_stopped, "leave the connectors STOPPED afterwards");
  restore->add_option("--wait-timeout", restore_flags->wait_timeout, "how long to wait for each connector to stop (default 2m)")
      ->type_name("DURATION");
  context.document(restore,
                   "For each connector in the backup (or those named), makes its offsets equal to the saved ones: "
                   "one PATCH with the saved offsets and a null offset for each partition it has now that the "
                   "backup lacks (or a reset when the backup holds none), through the same flow as offsets set. "
                   "Each connector returns to the state it has now. A connector whose type or class differs from "
                   "the backup is refused, before anything is changed, unless --force.",
                   {"cdcctl offsets restore -f offsets-2026-11-22.json --dry-run",
                    "cdcctl offsets restore -f offsets-2026-11-22.json inventory-source --yes"});
  restore->callback([&context, restore_flags] {
    context.action = [&context, restore_flags] { return restore_offsets(context, *restore_flags); };
  });
}

}  // namespace cdcctl::app
