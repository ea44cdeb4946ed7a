#include "ops/resnapshot.hpp"

#include <thread>

#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/units.hpp"

namespace cdcctl::ops {

namespace {

std::string config_value(const connect::Config& config, const std::string& key, const std::string& fallback = {}) {
  auto found = config.find(key);
  return found == config.end() || found->second.empty() ? fallback : found->second;
}

std::string drop_sql(const std::string& slot) {
  std::string quoted;
  for (const char c : slot) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  return "psql -c \"SELECT pg_drop_replication_slot('" + quoted + "')\"";
}

}  // namespace

bool is_postgres_connector(const std::string& connector_class) {
  return connector_class == "io.debezium.connector.postgresql.PostgresConnector";
}

std::string slot_conninfo(const connect::Config& config, const std::string& given) {
  if (!given.empty()) return given;
  return pg::conninfo({{"host", config_value(config, "database.hostname")},
                       {"port", config_value(config, "database.port")},
                       {"dbname", config_value(config, "database.dbname")},
                       {"user", config_value(config, "database.user")},
                       {"sslmode", config_value(config, "database.sslmode")}});
}

ResnapshotPlan plan_resnapshot(connect::Client& client, const std::string& name, bool drop_slot,
                               const std::string& given_conninfo, std::chrono::milliseconds timeout) {
  ResnapshotPlan plan;
  const auto config = client.config(name);
  plan.connector_class = config_value(config, "connector.class");
  plan.snapshot_mode = config_value(config, "snapshot.mode", "initial");
  plan.change = plan_offset_change(client, name);
  if (plan.change.type == "sink") {
    throw Error::usage(name + " is a sink connector: there is nothing to snapshot", {},
                       "to read its topics again use cdcctl offsets set " + name + " --to-earliest");
  }
  // Modes that never take a snapshot, whatever the offsets say.
  if (plan.snapshot_mode == "never" || plan.snapshot_mode == "no_data" || plan.snapshot_mode == "schema_only" ||
      plan.snapshot_mode == "recovery" || plan.snapshot_mode == "schema_only_recovery") {
    throw Error::usage(name + " has snapshot.mode=" + plan.snapshot_mode + ": resetting its offsets would not snapshot",
                       {}, "set snapshot.mode=initial (or when_needed) first, or use an incremental snapshot signal");
  }
  plan.drop_slot = drop_slot;
  plan.slot_name = config_value(config, "slot.name", "debezium");
  if (!drop_slot) return plan;
  if (!is_postgres_connector(plan.connector_class)) {
    throw Error::usage("--drop-slot is for Debezium PostgreSQL connectors",
                       name + " is " + (plan.connector_class.empty() ? std::string("of unknown class") : plan.connector_class));
  }
  plan.conninfo = slot_conninfo(config, given_conninfo);
  auto connection = pg::Connection::open(plan.conninfo, timeout);
  plan.slot = pg::find_slot(connection, plan.slot_name);
  if (plan.slot && plan.slot->slot_type != "logical") {
    throw Error::usage("slot " + plan.slot_name + " is a physical slot; refusing to drop it for a connector");
  }
  return plan;
}

std::vector<std::string> describe_resnapshot(const ResnapshotPlan& plan) {
  auto steps = describe_plan(plan.change, false, /*always_resume=*/true);
  // describe_plan ends with the resume; the slot goes before it.
  const auto resume = steps.back();
  steps.pop_back();
  if (plan.drop_slot) {
    if (!plan.slot) {
      steps.push_back("slot " + plan.slot_name + " does not exist: nothing to drop (Debezium creates it on start)");
    } else {
      std::string line = "drop replication slot " + plan.slot_name + " (" + plan.slot->plugin + ", database " +
                         plan.slot->database;
      if (plan.slot->retained_bytes) line += ", holding " + format_bytes(*plan.slot->retained_bytes) + " of WAL";
      line += "), once the connector has let go of it";
      steps.push_back(line);
    }
  } else {
    steps.push_back("keep replication slot " + plan.slot_name +
                    ": after the snapshot, streaming resumes from the slot (changes made during the snapshot may "
                    "arrive twice; --drop-slot starts clean)");
  }
  steps.push_back(resume);
  steps.push_back("wait until it is RUNNING and report the snapshot's progress (snapshot.mode=" + plan.snapshot_mode + ")");
  return steps;
}

ExtraStep drop_slot_step(const ResnapshotPlan& plan, std::chrono::milliseconds timeout, std::chrono::milliseconds wait) {
  ExtraStep step;
  step.name = "drop-slot";
  step.to_finish = {drop_sql(plan.slot_name)};
  const std::string conninfo = plan.conninfo;
  const std::string slot_name = plan.slot_name;
  step.run = [conninfo, slot_name, timeout, wait]() -> std::string {
    auto connection = pg::Connection::open(conninfo, timeout);
    const auto deadline = std::chrono::steady_clock::now() + wait;
    for (;;) {
      const auto slot = pg::find_slot(connection, slot_name);
      if (!slot) return "slot " + slot_name + " does not exist; nothing to drop";
      if (!slot->active) {
        pg::drop_slot(connection, slot_name);
        return "dropped " + slot_name +
               (slot->retained_bytes ? ", freeing " + format_bytes(*slot->retained_bytes) + " of WAL" : std::string());
      }
      // The connector's tasks are stopped, but their walsender may take a
      // moment to exit; anything holding it longer is someone else.
      if (std::chrono::steady_clock::now() >= deadline || interrupt_requested()) {
        throw Error::failed("slot " + slot_name + " is still active",
                            "held by pid " + (slot->active_pid ? std::to_string(*slot->active_pid) : std::string("?")) +
                                (slot->holder.empty() ? "" : " (" + slot->holder + ")"),
                            "find out what reads it (SELECT * FROM pg_stat_replication); end it with "
                            "SELECT pg_terminate_backend(PID) if it should not");
      }
      sleep_unless_interrupted(std::chrono::milliseconds(250));
    }
  };
  return step;
}

std::string describe_snapshot_progress(const ConnectorOffsets& offsets) {
  if (offsets.offsets.empty()) return "no offsets yet: the snapshot has not committed any";
  for (const auto& entry : offsets.offsets) {
    const auto decoded = decode_postgres_offset(entry.value("offset", nlohmann::json()));
    if (!decoded) continue;
    if (!decoded->snapshot.empty() && !decoded->snapshot_completed) {
      return "snapshot in progress (" + decoded->snapshot + ")";
    }
    if (decoded->lsn) return "snapshot completed; streaming from lsn " + format_lsn(*decoded->lsn);
  }
  return "offsets present: " + offsets.offsets.dump();
}

}  // namespace cdcctl::ops
