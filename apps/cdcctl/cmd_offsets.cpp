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
#include "ops/offsets.hpp"
#include "selection_flags.hpp"

namespace cdcctl::app {

namespace {

using nlohmann::json;

ExitCode get_offsets(AppContext& context, const SelectionFlags& flags) {
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
};

// The PATCH body from -f FILE|- or the shorthands.
json patch_from_flags(AppContext& context, const ChangeFlags& flags, const std::string& type) {
  const bool shorthand = !flags.topic.empty() || !flags.partition.empty() || !flags.offset.empty();
  if (flags.file.empty() == !shorthand) {
    throw Error::usage("say what to set in one way", "use -f FILE (or - for stdin), or --partition and --offset",
                       "e.g. cdcctl offsets set orders-sink --topic orders --partition 0 --offset 42");
  }
  if (!flags.file.empty()) {
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

// After Ctrl-C: a warning and 130 (the connector is back as it was). After a
// failed step: an error saying where the connector is left and what to run.
ExitCode report_failure(AppContext& context, const std::string& name, const ops::OffsetChangeOutcome& outcome,
                        const std::string& done) {
  if (outcome.interrupted) {
    context.logger().warn(name + " " + outcome.error + "; it is " + outcome.state_after + " again");
    return ExitCode::Interrupted;
  }
  std::string hint;
  for (const auto& command : outcome.to_finish) hint += (hint.empty() ? "to finish by hand: " : "; then ") + command;
  throw Error::failed("offsets of " + name + " not " + done, outcome.error + "; " + name + " is left " + outcome.state_after,
                      hint);
}

ExitCode change_offsets(AppContext& context, const ChangeFlags& flags, bool is_set) {
  const auto wait_timeout = parse_duration(flags.wait_timeout);
  if (wait_timeout.count() <= 0) throw Error::usage("--wait-timeout must be longer than zero");
  const auto format = context.format();
  if (format != output::Format::Table && format != output::Format::Wide && format != output::Format::Json) {
    throw Error::usage("offsets " + std::string(is_set ? "set" : "reset") + " prints text or JSON", "-o " + context.flags.output);
  }
  const auto settings = context.settings();
  ops::ConnectSession session(settings, context.logger());
  auto& client = session.client();
  auto change = ops::plan_offset_change(client, flags.name);
  if (is_set) change.patch = patch_from_flags(context, flags, change.type);

  auto& out = *context.io.out;
  const bool text = format != output::Format::Json;
  const auto steps = ops::describe_plan(change, flags.leave_stopped);
  if (text) {
    out << flags.name << " (" << change.type << ", " << change.state_before << "), " << change.offsets_before.size()
        << " offset(s) now:\n";
    for (const auto& entry : change.offsets_before) {
      out << "  " << ops::describe_partition(entry.value("partition", json())) << ": "
          << ops::describe_offset(entry.value("partition", json()), entry.value("offset", json())) << "\n";
    }
    out << "plan:\n";
    for (std::size_t i = 0; i < steps.size(); ++i) out << "  " << i + 1 << ". " << steps[i] << "\n";
    out << std::flush;
  }
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
    if (text) out << format_timestamp(WallClock::now()).substr(11, 8) << "  " << step.step << ": " << step.status
                  << (step.detail.empty() ? "" : " (" + step.detail + ")") << std::endl;
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
  return report_failure(context, flags.name, outcome, is_set ? "changed" : "reset");
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
  const auto wait_timeout = parse_duration(flags.wait_timeout);
  if (wait_timeout.count() <= 0) throw Error::usage("--wait-timeout must be longer than zero");
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
    const auto outcome = ops::apply_offset_change(client, change, options, [&](const ops::OffsetStep& step) {
      out << format_timestamp(WallClock::now()).substr(11, 8) << "  " << change.name << " " << step.step << ": "
          << step.status << (step.detail.empty() ? "" : " (" + step.detail + ")") << std::endl;
    });
    if (!outcome.ok) return report_failure(context, change.name, outcome, "restored");
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

  auto get_flags = std::make_shared<SelectionFlags>();
  auto* get = group->add_subcommand("get", "Show connectors' offsets, Debezium PostgreSQL ones decoded");
  add_selection(get, context, *get_flags);
  context.document(get,
                   "Reads GET /connectors/NAME/offsets (Connect 3.5+). Sink offsets are shown as topic-partition and "
                   "offset; Debezium PostgreSQL source offsets as the LSN (X/X; the decimal in -o json), txId, commit "
                   "time and snapshot flags. -o json gives, per connector, the raw \"offsets\" list (a valid body for "
                   "offsets set -f) and a \"decoded\" list beside it.",
                   {"cdcctl offsets get inventory-source", "cdcctl offsets get --all -o json > offsets.json"});
  get->callback([&context, get_flags] { context.action = [&context, get_flags] { return get_offsets(context, *get_flags); }; });

  auto reset_flags = std::make_shared<ChangeFlags>();
  auto* reset = group->add_subcommand("reset", "Remove all offsets of a connector: stop, DELETE, verify, restore");
  add_change_flags(reset, context, *reset_flags);
  context.document(reset,
                   "Shows the connector's state, its offsets and the plan, asks (or needs --yes), then: stops the "
                   "connector and waits until it is STOPPED with no tasks, DELETEs its offsets, reads them back to "
                   "check none are left, and resumes or pauses it again as it was (unless --leave-stopped). A source "
                   "connector then starts over as if new (a Debezium connector takes a new snapshot per its "
                   "snapshot.mode); for a sink connector the consumer group connect-NAME is reset.\n"
                   "\n"
                   "If a step after the stop fails, the connector is left STOPPED, so it cannot commit new offsets, "
                   "and the error says what to run to finish. Ctrl-C before the offsets are changed puts the "
                   "connector back as it was and exits 130.",
                   {"cdcctl offsets reset inventory-source --dry-run", "cdcctl offsets reset orders-sink --yes"});
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
  context.document(set,
                   "The same flow as offsets reset, with PATCH /connectors/NAME/offsets: the offsets given replace "
                   "those of the same partitions, an offset of null removes one, others are kept. The read-back "
                   "checks each one.",
                   {"cdcctl offsets set orders-sink --topic orders --partition 0 --offset 42 --yes",
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
