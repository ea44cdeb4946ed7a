// cdcctl slots list|check|drop|create: replication-slot hygiene on the
// PostgreSQL of the context (--pg, CDCCTL_PG, PG* variables, ~/.pgpass).
#include <filesystem>
#include <iostream>
#include <thread>

#include "app.hpp"
#include "core/error.hpp"
#include "core/prometheus.hpp"
#include "core/files.hpp"
#include "core/secrets.hpp"
#include "core/units.hpp"
#include "ops/slots.hpp"
#include "pg/connection.hpp"
#include "pg/slots.hpp"

namespace cdcctl::app {

namespace {

using nlohmann::json;

const output::ValueCompletion kSlotNames{.dynamic_args = "slots list -o name"};

std::string or_na(const std::optional<std::string>& value) { return value ? *value : "n/a"; }
std::string bytes_or_na(const std::optional<std::uint64_t>& value) { return value ? format_bytes(*value) : "n/a"; }
std::string signed_bytes_or_na(const std::optional<std::int64_t>& value) {
  if (!value) return "n/a";
  return *value < 0 ? "-" + format_bytes(static_cast<std::uint64_t>(-*value)) : format_bytes(static_cast<std::uint64_t>(*value));
}
std::string number_or_na(const std::optional<std::int64_t>& value) { return value ? std::to_string(*value) : "n/a"; }
std::string active_text(const pg::ReplicationSlot& slot) {
  return slot.active ? "yes" + (slot.active_pid ? " (pid " + std::to_string(*slot.active_pid) + ")" : std::string()) : "no";
}
std::string inactive_text(const std::optional<std::int64_t>& seconds, bool active) {
  if (active) return "-";
  return seconds ? format_duration(std::chrono::seconds(*seconds)) : "?";
}

struct SlotsConnection {
  pg::Connection connection;
  std::string target;
};

SlotsConnection connect(AppContext& context) {
  const auto settings = context.settings();
  auto connection = pg::Connection::open(settings.pg_conninfo(), settings.timeout());
  std::string target = connection.describe();
  return {std::move(connection), std::move(target)};
}

std::filesystem::path state_path(AppContext& context, const std::string& flag) {
  return flag.empty() ? ops::default_slots_state_path(context.io.env) : std::filesystem::path(flag);
}

// The slots table shared by list and check; check adds STATUS and WHY.
output::Document slots_document(const std::vector<ops::SlotVerdict>& verdicts, bool with_status) {
  output::Document document;
  if (with_status) document.table.columns.push_back({"STATUS", false, false, false});
  for (const auto& column :
       std::vector<output::Column>{{"SLOT"}, {"TYPE"}, {"PLUGIN"}, {"DATABASE"}, {"ACTIVE"}, {"RETAINED", false, true},
                                   {"FLUSH LAG", false, true}, {"WAL STATUS"}, {"SAFE WAL", false, true}, {"INACTIVE"},
                                   {"HOLDER", true}, {"XMIN AGE", true, true}, {"CATALOG XMIN AGE", true, true},
                                   {"SPILLED", true, true}, {"CONFLICTING", true}, {"FAILOVER", true}, {"INVALIDATION", true}}) {
    document.table.columns.push_back(column);
  }
  if (with_status) document.table.columns.push_back({"WHY"});
  document.data = json::array();
  for (const auto& verdict : verdicts) {
    const auto& slot = verdict.slot;
    std::vector<output::Cell> row;
    const std::string status(check_status_name(verdict.status));
    if (with_status) {
      row.push_back({status, output::state_color(status)});
    }
    const auto opt_bool = [](const std::optional<bool>& value) { return value ? std::string(*value ? "yes" : "no") : "n/a"; };
    for (auto&& cell : std::vector<output::Cell>{
             slot.name, slot.slot_type, slot.plugin.empty() ? "-" : slot.plugin, slot.database.empty() ? "-" : slot.database,
             active_text(slot), bytes_or_na(slot.retained_bytes), bytes_or_na(slot.flush_lag_bytes), or_na(slot.wal_status),
             signed_bytes_or_na(slot.safe_wal_size), inactive_text(verdict.inactive_seconds, slot.active),
             slot.holder.empty() ? "-" : slot.holder, number_or_na(slot.xmin_age), number_or_na(slot.catalog_xmin_age),
             slot.spill_bytes ? format_bytes(static_cast<std::uint64_t>(*slot.spill_bytes)) : "n/a",
             opt_bool(slot.conflicting), opt_bool(slot.failover), or_na(slot.invalidation_reason)}) {
      row.push_back(std::move(cell));
    }
    if (with_status) {
      std::string why;
      for (const auto& reason : verdict.reasons) why += (why.empty() ? "" : "; ") + reason;
      row.push_back(why.empty() ? "-" : why);
    }
    document.table.rows.push_back(std::move(row));
    document.names.push_back(slot.name);
  }
  return document;
}

// ---------------------------------------------------------------------------

struct ListFlags {
  std::string state_file;
};

ExitCode list_slots(AppContext& context, const ListFlags& flags) {
  auto [connection, target] = connect(context);
  const auto slots = pg::list_slots(connection);
  const auto memory = ops::load_slots_memory(state_path(context, flags.state_file));
  const auto now = WallClock::now();
  std::vector<ops::SlotVerdict> verdicts;
  for (const auto& slot : slots) {
    ops::SlotVerdict verdict;
    verdict.slot = slot;
    verdict.inactive_seconds = ops::inactive_seconds(slot, memory, target, now);
    verdicts.push_back(std::move(verdict));
  }
  auto document = slots_document(verdicts, false);
  for (const auto& verdict : verdicts) {
    json item = ops::slot_json(verdict.slot);
    item["inactive_seconds"] = verdict.inactive_seconds ? json(*verdict.inactive_seconds) : json(nullptr);
    document.data.push_back(std::move(item));
  }
  output::render(document, context.format(), context.table_options(), *context.io.out);
  return ExitCode::Ok;
}

// ---------------------------------------------------------------------------

struct CheckFlags {
  std::string warn_retained = "1GB";
  std::string crit_retained = "10GB";
  std::string warn_inactive = "30m";
  std::string crit_inactive = "2h";
  std::string crit_safe_wal;
  std::string state_file;
  bool no_state = false;
  std::string prometheus;
};

ops::SlotThresholds thresholds_from(const CheckFlags& flags) {
  ops::SlotThresholds thresholds;
  thresholds.warn_retained = parse_size(flags.warn_retained);
  thresholds.crit_retained = parse_size(flags.crit_retained);
  thresholds.warn_inactive = parse_duration(flags.warn_inactive);
  thresholds.crit_inactive = parse_duration(flags.crit_inactive);
  if (!flags.crit_safe_wal.empty()) thresholds.crit_safe_wal = parse_size(flags.crit_safe_wal);
  if (thresholds.warn_retained > thresholds.crit_retained) throw Error::usage("--warn-retained is above --crit-retained");
  if (thresholds.warn_inactive > thresholds.crit_inactive) throw Error::usage("--warn-inactive is above --crit-inactive");
  return thresholds;
}

ExitCode check_slots(AppContext& context, const CheckFlags& flags) {
  const auto thresholds = thresholds_from(flags);
  const auto settings = context.settings();
  const auto path = state_path(context, flags.state_file);
  std::optional<FileLock> lock;
  ops::SlotsMemory memory;
  if (!flags.no_state) {
    lock.emplace(path.string() + ".lock", settings.timeout());
    memory = ops::load_slots_memory(path);
  }
  ops::SlotsReport report;
  try {
    auto [connection, target] = connect(context);
    const auto slots = pg::list_slots(connection);
    const auto server = pg::wal_server_info(connection);
    report = ops::assess_slots(target, slots, server, thresholds, memory, WallClock::now());
  } catch (const Error& error) {
    if (error.code() != ExitCode::Unreachable) throw;
    report.reachable = false;
    report.status = CheckStatus::Unknown;
    report.error = mask_url_or_conninfo(error.detail());
    report.target = mask_url_or_conninfo(settings.pg_conninfo().empty() ? "PostgreSQL (libpq defaults)" : settings.pg_conninfo());
    report.checked_at = WallClock::now();
  }
  if (!flags.no_state && report.reachable) ops::save_slots_memory(path, memory);
  if (!flags.prometheus.empty()) write_prometheus_textfile(flags.prometheus, ops::prometheus_textfile(report));
  const auto format = context.format();
  if (format == output::Format::Json || format == output::Format::Yaml) {
    output::Document document;
    document.data = ops::to_json(report);
    output::render(document, format, context.table_options(), *context.io.out);
  } else if (format == output::Format::Name) {
    for (const auto& verdict : report.slots) {
      if (verdict.status != CheckStatus::Ok) *context.io.out << verdict.slot.name << "\n";
    }
  } else {
    *context.io.out << ops::summary_line(report) << "\n";
    if (!report.slots.empty()) output::render(slots_document(report.slots, true), format, context.table_options(), *context.io.out);
  }
  return static_cast<ExitCode>(static_cast<int>(report.status));
}

// ---------------------------------------------------------------------------

struct DropFlags {
  std::vector<std::string> names;
  std::string inactive_for;
  bool terminate = false;
  bool dry_run = false;
  bool yes = false;
  std::string state_file;
  std::string wait_timeout = "10s";
};

ExitCode drop_slots(AppContext& context, const DropFlags& flags) {
  if (flags.names.empty() == flags.inactive_for.empty()) {
    throw Error::usage(flags.names.empty() ? "say which slots to drop" : "name slots or use --inactive-for, not both", {},
                       "e.g. cdcctl slots drop debezium_old, or cdcctl slots drop --inactive-for 2h --dry-run");
  }
  for (const auto& name : flags.names) pg::check_slot_name(name);
  const auto wait = parse_duration(flags.wait_timeout);
  auto [connection, target] = connect(context);
  auto& out = *context.io.out;

  std::vector<pg::ReplicationSlot> chosen;
  if (!flags.names.empty()) {
    std::vector<std::string> missing;
    for (const auto& name : flags.names) {
      if (auto slot = pg::find_slot(connection, name)) chosen.push_back(*slot);
      else missing.push_back(name);
    }
    if (!missing.empty()) {
      std::string list;
      for (const auto& name : missing) list += (list.empty() ? "" : ", ") + name;
      throw Error::not_found("replication slot " + list + " not found on " + target, {}, "list them with: cdcctl slots list");
    }
  } else {
    const auto minimum = parse_duration(flags.inactive_for);
    const auto memory = ops::load_slots_memory(state_path(context, flags.state_file));
    std::size_t unknown = 0;
    for (const auto& slot : pg::list_slots(connection)) {
      if (slot.active || slot.temporary) continue;
      const auto seconds = ops::inactive_seconds(slot, memory, target, WallClock::now());
      if (!seconds) {
        ++unknown;
        continue;
      }
      if (std::chrono::seconds(*seconds) >= minimum) chosen.push_back(slot);
    }
    if (unknown > 0) {
      context.logger().warn(std::to_string(unknown) +
                            " inactive slot(s) have no known inactive time (PostgreSQL < 17 does not record it); "
                            "run cdcctl slots check from cron so cdcctl remembers when it first saw them inactive");
    }
    if (chosen.empty()) {
      out << "no slot on " << target << " has been inactive for " << flags.inactive_for << "\n";
      return ExitCode::Ok;
    }
  }

  std::uint64_t freed = 0;
  std::vector<int> to_terminate;
  out << "on " << target << ":\n";
  for (const auto& slot : chosen) {
    if (slot.retained_bytes) freed += *slot.retained_bytes;
    out << "  drop " << slot.slot_type << " slot " << slot.name
        << (slot.database.empty() ? "" : " (" + slot.plugin + ", database " + slot.database + ")") << ", retaining "
        << bytes_or_na(slot.retained_bytes) << " of WAL";
    if (slot.active) {
      out << "; ACTIVE, held by pid " << (slot.active_pid ? std::to_string(*slot.active_pid) : "?")
          << (slot.holder.empty() ? "" : " (" + slot.holder + ")");
      if (slot.active_pid) to_terminate.push_back(*slot.active_pid);
    }
    out << "\n";
  }
  out << "WAL that PostgreSQL may then remove: up to " << format_bytes(freed) << "\n" << std::flush;
  if (!to_terminate.empty() && !flags.terminate) {
    std::string names;
    for (const auto& slot : chosen) {
      if (slot.active) names += (names.empty() ? "" : ", ") + slot.name + " (pid " + std::to_string(slot.active_pid.value_or(0)) + ")";
    }
    throw Error::failed("refusing to drop an active slot: " + names,
                        "a consumer is reading it; dropping it would break that consumer",
                        "stop the consumer first, or add --terminate to end its walsender (asks separately)");
  }
  if (flags.dry_run) return ExitCode::Ok;
  if (!to_terminate.empty()) {
    std::string pids;
    for (const int pid : to_terminate) pids += (pids.empty() ? "" : ", ") + std::to_string(pid);
    if (!context.confirm("terminate the walsender(s) " + pids + " reading these slots", flags.yes)) return ExitCode::Failed;
  }
  if (!context.confirm("drop " + std::to_string(chosen.size()) + " replication slot(s) on " + target, flags.yes)) {
    return ExitCode::Failed;
  }
  for (const auto& slot : chosen) {
    if (slot.active && slot.active_pid) {
      pg::terminate_backend(connection, *slot.active_pid);
      out << "terminated walsender pid " << *slot.active_pid << "\n";
      // The slot is released when the walsender has exited.
      const auto deadline = std::chrono::steady_clock::now() + wait;
      for (;;) {
        const auto now = pg::find_slot(connection, slot.name);
        if (!now || !now->active) break;
        if (std::chrono::steady_clock::now() >= deadline) {
          throw Error::failed("slot " + slot.name + " is still active after terminating pid " + std::to_string(*slot.active_pid),
                              now->active_pid ? "now held by pid " + std::to_string(*now->active_pid) : std::string(),
                              "its consumer reconnected; stop it first");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
    pg::drop_slot(connection, slot.name);
    out << "dropped " << slot.name << "\n";
  }
  return ExitCode::Ok;
}

// ---------------------------------------------------------------------------

struct CreateFlags {
  std::string name;
  std::string plugin = "pgoutput";
  bool physical = false;
};

ExitCode create_slot(AppContext& context, const CreateFlags& flags) {
  pg::check_slot_name(flags.name);
  auto [connection, target] = connect(context);
  if (auto existing = pg::find_slot(connection, flags.name)) {
    const bool same = existing->slot_type == (flags.physical ? "physical" : "logical") &&
                      (flags.physical || existing->plugin == flags.plugin);
    if (!same) {
      throw Error::failed("replication slot " + flags.name + " already exists as a different slot",
                          "it is " + existing->slot_type + (existing->plugin.empty() ? "" : " with " + existing->plugin));
    }
    *context.io.out << "slot " << flags.name << " already exists (" << existing->slot_type
                    << (existing->plugin.empty() ? "" : ", " + existing->plugin) << "); nothing to do\n";
    return ExitCode::Ok;
  }
  const auto slot = pg::create_slot(connection, flags.name, flags.plugin, flags.physical);
  *context.io.out << "created " << slot.slot_type << " slot " << slot.name
                  << (slot.plugin.empty() ? "" : " (" + slot.plugin + ", database " + slot.database + ")")
                  << " at " << (slot.confirmed_flush_lsn.empty() ? slot.restart_lsn : slot.confirmed_flush_lsn) << " on "
                  << target << "\n";
  return ExitCode::Ok;
}

}  // namespace

void add_slots_commands(CLI::App& app, AppContext& context) {
  auto* group = app.add_subcommand("slots", "PostgreSQL replication slots: list, check for cron, drop, create");
  group->require_subcommand(1);
  context.document(group,
                   "A forgotten or stalled logical slot keeps WAL until the disk fills and the primary stops. These "
                   "commands use the PostgreSQL of the context (--pg, CDCCTL_PG, PG* variables and ~/.pgpass). "
                   "Columns a server lacks (wal_status and safe_wal_size before 13, spill statistics before 14, "
                   "conflicting before 16, inactive_since, invalidation_reason and failover before 17) show n/a. "
                   "On a standby, retained WAL is measured from the last received LSN.");

  auto list_flags = std::make_shared<ListFlags>();
  auto* list = group->add_subcommand("list", "Every replication slot with retained WAL, activity and wal_status");
  list->add_option("--state-file", list_flags->state_file, "where slots check remembers inactive times")->type_name("FILE");
  context.document(list,
                   "One row per slot: type, plugin, database, whether a consumer is connected (and its pid), WAL "
                   "retained (current LSN minus restart_lsn, in binary units), how far the confirmed position lags, "
                   "wal_status, safe_wal_size and how long it has been inactive (from inactive_since on 17+, else from "
                   "what slots check remembered; ? when unknown). -o wide adds the consumer, xmin ages, spilled bytes, "
                   "conflicting, failover and the invalidation reason.",
                   {"cdcctl slots list", "cdcctl slots list -o wide --pg 'host=db1 user=postgres'", "cdcctl slots list -o json"});
  list->callback([&context, list_flags] { context.action = [&context, list_flags] { return list_slots(context, *list_flags); }; });

  auto check_flags = std::make_shared<CheckFlags>();
  auto* check = group->add_subcommand("check", "Judge every slot for cron and monitoring: exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN");
  check->add_option("--warn-retained", check_flags->warn_retained, "WARNING when a slot retains this much WAL (default 1GB)")->type_name("SIZE");
  check->add_option("--crit-retained", check_flags->crit_retained, "CRITICAL at this much (default 10GB)")->type_name("SIZE");
  check->add_option("--warn-inactive", check_flags->warn_inactive, "WARNING when a slot has had no consumer this long (default 30m)")->type_name("DURATION");
  check->add_option("--crit-inactive", check_flags->crit_inactive, "CRITICAL after this long (default 2h)")->type_name("DURATION");
  check->add_option("--crit-safe-wal", check_flags->crit_safe_wal, "CRITICAL when safe_wal_size is below this (PG13+)")->type_name("SIZE");
  auto* check_state = check->add_option("--state-file", check_flags->state_file,
                                        "remembers when slots were first seen inactive (default $XDG_STATE_HOME/cdcctl/slots.json)")
                          ->type_name("FILE");
  context.completions[check_state] = {.files = true};
  check->add_flag("--no-state", check_flags->no_state, "neither read nor write the state file");
  auto* check_prom = check->add_option("--prometheus", check_flags->prometheus, "also write a node_exporter textfile")->type_name("FILE");
  context.completions[check_prom] = {.files = true};
  context.document(check,
                   "CRITICAL: a slot invalidated (invalidation_reason, wal_status lost), wal_status unreserved (its WAL "
                   "goes at the next checkpoint), conflicting, retained WAL at --crit-retained, inactive for "
                   "--crit-inactive, safe_wal_size below --crit-safe-wal. WARNING: retained WAL at --warn-retained, "
                   "inactive for --warn-inactive, and max_slot_wal_keep_size = -1 while slots exist (a stalled slot can "
                   "then fill the disk). UNKNOWN: PostgreSQL cannot be reached.\n"
                   "\n"
                   "Inactive time comes from inactive_since (PostgreSQL 17+); on older servers cdcctl remembers when "
                   "it first saw each slot inactive, in a state file, so run it from cron. The first line is a "
                   "pager-ready summary; -o json gives the documented report; --prometheus writes a textfile.",
                   {"cdcctl slots check", "cdcctl slots check --warn-retained 5GB --crit-retained 50GB --crit-safe-wal 2GB",
                    "cdcctl slots check -q --prometheus /var/lib/node_exporter/cdcctl_slots.prom"});
  check->callback([&context, check_flags] {
    context.error_exit_code = static_cast<int>(CheckStatus::Unknown);
    context.action = [&context, check_flags] { return check_slots(context, *check_flags); };
  });

  auto drop_flags = std::make_shared<DropFlags>();
  auto* drop = group->add_subcommand("drop", "Drop replication slots, refusing active ones unless --terminate");
  auto* drop_names = drop->add_option("names", drop_flags->names, "slot names");
  context.completions[drop_names] = kSlotNames;
  drop->add_option("--inactive-for", drop_flags->inactive_for, "instead of names: every slot inactive at least this long")
      ->type_name("DURATION");
  drop->add_flag("--terminate", drop_flags->terminate, "end the walsender holding an active slot first (asks separately)");
  drop->add_flag("--dry-run", drop_flags->dry_run, "show what would be dropped and the WAL it holds; change nothing");
  drop->add_flag("-y,--yes", drop_flags->yes, "do not ask for confirmation (required when not on a terminal)");
  drop->add_option("--state-file", drop_flags->state_file, "where slots check remembers inactive times")->type_name("FILE");
  drop->add_option("--wait-timeout", drop_flags->wait_timeout, "with --terminate: how long to wait for the slot to be released (default 10s)")
      ->type_name("DURATION");
  context.document(drop,
                   "Shows each slot with the WAL it retains, then asks (or needs --yes). An active slot is refused with "
                   "the pid and client holding it; --terminate ends that walsender first, after its own confirmation, "
                   "and waits until the slot is released. --inactive-for selects slots inactive at least that long "
                   "(inactive_since on 17+, else what slots check remembered).",
                   {"cdcctl slots drop debezium_old --dry-run", "cdcctl slots drop --inactive-for 2h --yes",
                    "cdcctl slots drop stuck_slot --terminate"});
  drop->callback([&context, drop_flags] { context.action = [&context, drop_flags] { return drop_slots(context, *drop_flags); }; });

  auto create_flags = std::make_shared<CreateFlags>();
  auto* create = group->add_subcommand("create", "Create a logical (or physical) replication slot");
  create->add_option("name", create_flags->name, "slot name: lower-case letters, digits, underscores")->required();
  create->add_option("--plugin", create_flags->plugin, "output plugin of a logical slot (default pgoutput)")->type_name("PLUGIN");
  create->add_flag("--physical", create_flags->physical, "a physical slot (WAL reserved at once) instead");
  context.document(create,
                   "Creates the slot in the database of the connection (logical slots belong to one database). "
                   "Idempotent: a slot of that name, type and plugin already there is reported, not an error; one "
                   "of another kind is.",
                   {"cdcctl slots create debezium --plugin pgoutput --pg 'dbname=inventory'", "cdcctl slots create standby1 --physical"});
  create->callback([&context, create_flags] { context.action = [&context, create_flags] { return create_slot(context, *create_flags); }; });
}

}  // namespace cdcctl::app
