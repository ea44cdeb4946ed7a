// cdcctl connectors resnapshot: the safe "force a full re-snapshot" — one
// connector's offsets reset (and optionally its slot dropped) through the
// stop → change → verify → resume flow, instead of deleting the offsets topic.
#include <iostream>

#include "app.hpp"
#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/secrets.hpp"
#include "core/units.hpp"
#include "ops/connect_session.hpp"
#include "ops/connectors.hpp"
#include "ops/resnapshot.hpp"
#include "offset_change_output.hpp"
#include "selection_flags.hpp"

namespace cdcctl::app {

namespace {

using nlohmann::json;

struct ResnapshotFlags {
  std::string name;
  bool drop_slot = false;
  bool dry_run = false;
  bool yes = false;
  std::string wait_timeout = "2m";
};

ExitCode resnapshot(AppContext& context, const ResnapshotFlags& flags) {
  const auto wait_timeout = wait_timeout_flag(flags.wait_timeout);
  const bool text = text_or_json(context, "connectors resnapshot");
  const auto settings = context.settings();
  ops::ConnectSession session(settings, context.logger());
  auto& client = session.client();
  const auto plan = ops::plan_resnapshot(client, flags.name, flags.drop_slot, settings.pg_conninfo(), settings.timeout());
  const auto steps = ops::describe_resnapshot(plan);

  auto& out = *context.io.out;
  const json slot = plan.slot ? json{{"name", plan.slot->name},
                                     {"plugin", plan.slot->plugin},
                                     {"database", plan.slot->database},
                                     {"active", plan.slot->active},
                                     {"retained_bytes", plan.slot->retained_bytes ? json(*plan.slot->retained_bytes) : json()}}
                              : json();
  if (text) print_offsets_and_plan(out, flags.name, plan.connector_class, plan.change, steps);
  if (flags.dry_run) {
    if (!text) {
      output::render_json({{"name", flags.name}, {"dry_run", true}, {"state", plan.change.state_before},
                           {"offsets", plan.change.offsets_before}, {"snapshot_mode", plan.snapshot_mode},
                           {"drop_slot", plan.drop_slot}, {"slot_name", plan.slot_name}, {"slot", slot}, {"plan", steps}},
                          out);
    }
    return ExitCode::Ok;
  }
  if (!context.confirm("re-snapshot " + flags.name + ": its offsets are removed" +
                           (plan.drop_slot && plan.slot ? " and slot " + plan.slot_name + " dropped" : std::string()),
                       flags.yes)) {
    return ExitCode::Failed;
  }

  const InterruptGuard interrupts;
  ops::OffsetChangeOptions options;
  options.always_resume = true;
  options.wait_timeout = wait_timeout;
  if (plan.drop_slot) options.before_restore = ops::drop_slot_step(plan, settings.timeout(), wait_timeout);
  const auto log_step = [&](const ops::OffsetStep& step) {
    if (text) print_step(out, step);
  };
  const auto outcome = ops::apply_offset_change(client, plan.change, options, log_step);

  // Then watch it come up and start over.
  std::string progress;
  std::string not_running;
  if (outcome.ok) {
    log_step({"wait-running", "start", ""});
    const auto waited = ops::wait_for(client, {flags.name}, ops::Target::Running, wait_timeout);
    if (!waited.not_reached.empty()) {
      not_running = waited.not_reached.front().second;
      log_step({"wait-running", "failed", not_running});
    } else if (!waited.interrupted) {
      log_step({"wait-running", "ok", "connector and tasks RUNNING"});
    }
    progress = ops::describe_snapshot_progress(ops::read_offsets(client, flags.name));
    if (text) out << flags.name << ": " << progress << "\n";
  }

  if (!text) {
    output::render_json({{"name", flags.name},
                         {"action", "resnapshot"},
                         {"ok", outcome.ok && not_running.empty()},
                         {"interrupted", outcome.interrupted},
                         {"state_before", plan.change.state_before},
                         {"state_after", outcome.state_after},
                         {"slot_name", plan.slot_name},
                         {"slot_dropped", outcome.ok && plan.drop_slot && plan.slot.has_value()},
                         {"error", outcome.error.empty() ? json(nullptr) : json(mask_url_or_conninfo(outcome.error))},
                         {"to_finish", outcome.to_finish},
                         {"offsets_before", plan.change.offsets_before},
                         {"snapshot_progress", progress.empty() ? json(nullptr) : json(progress)},
                         {"not_running", not_running.empty() ? json(nullptr) : json(not_running)}},
                        out);
  }
  if (!outcome.ok) return report_failure(context, flags.name, outcome, "re-snapshot of " + flags.name + " not completed");
  if (!not_running.empty()) {
    throw Error::failed(flags.name + " did not come back RUNNING after the reset", not_running,
                        "its offsets are reset; see cdcctl connectors describe " + flags.name);
  }
  return ExitCode::Ok;
}

}  // namespace

void add_resnapshot_command(CLI::App& connectors, AppContext& context) {
  auto flags = std::make_shared<ResnapshotFlags>();
  auto* command = connectors.add_subcommand(
      "resnapshot", "Make a source connector take a new snapshot: stop, reset its offsets, (drop its slot), resume");
  auto* name = command->add_option("name", flags->name, "connector name")->required();
  context.completions[name] = kConnectorNames;
  command->add_flag("--drop-slot", flags->drop_slot,
                    "Debezium PostgreSQL: also drop the connector's replication slot (refused while active)");
  command->add_flag("--dry-run", flags->dry_run, "show the current offsets, the slot and the plan; change nothing");
  command->add_flag("-y,--yes", flags->yes, "do not ask for confirmation (required when not on a terminal)");
  command->add_option("--wait-timeout", flags->wait_timeout,
                      "how long to wait for the stop, the slot to be released and the restart (default 2m)")
      ->type_name("DURATION");
  context.document(command,
                   "The safe version of the \"force a full re-snapshot\" runbook, which deletes the whole offsets "
                   "topic and so resets every connector of the cluster. This touches one connector: it shows the "
                   "plan, asks (or needs --yes), stops the connector and waits until it is STOPPED, removes its "
                   "offsets and checks they are gone, with --drop-slot drops its replication slot (slot.name, "
                   "default debezium) once the connector's walsender has let go of it, resumes the connector, "
                   "waits until it is RUNNING and reports whether the snapshot is in progress.\n"
                   "\n"
                   "A connector whose snapshot.mode never snapshots (no_data, never, recovery) is refused. The slot "
                   "is reached with --pg or the context's PostgreSQL settings, or else with host, port, dbname, user "
                   "and sslmode from the connector's database.* config (the password then comes from PGPASSWORD or "
                   "~/.pgpass, never from the connector). A failure after the stop leaves the connector STOPPED and "
                   "says what to run to finish.",
                   {"cdcctl connectors resnapshot inventory-source --dry-run",
                    "cdcctl connectors resnapshot inventory-source --drop-slot --pg 'host=db user=admin dbname=inventory' --yes"});
  command->callback([&context, flags] { context.action = [&context, flags] { return resnapshot(context, *flags); }; });
}

}  // namespace cdcctl::app
