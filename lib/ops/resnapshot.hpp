#pragma once
// The safe "force a full re-snapshot": instead of deleting the whole offsets
// topic (which resets every connector of the cluster), stop one connector,
// reset its offsets, optionally drop its replication slot, resume it and
// watch it start the snapshot.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "connect/client.hpp"
#include "ops/offsets.hpp"
#include "pg/slots.hpp"

namespace cdcctl::ops {

bool is_postgres_connector(const std::string& connector_class);

// How to reach the connector's database for the slot: `given` (from --pg or
// the context) when set, else host, port, dbname, user and sslmode from the
// connector's database.* keys. Never the connector's password: libpq's
// PGPASSWORD, PGPASSFILE or ~/.pgpass supply it.
std::string slot_conninfo(const connect::Config& config, const std::string& given);

struct ResnapshotPlan {
  OffsetChange change{};
  std::string connector_class{};
  std::string snapshot_mode{};   // as configured; Debezium's default is initial
  bool drop_slot = false;
  std::string slot_name{};       // slot.name, default "debezium"
  std::string conninfo{};
  std::optional<pg::ReplicationSlot> slot{};  // as found when planning
};

// Reads the connector; refuses (Error usage) a snapshot.mode that never
// snapshots, and --drop-slot for a connector that is not Debezium
// PostgreSQL. With drop_slot, connects to PostgreSQL now, so an unreachable
// database stops the run before the connector is touched.
ResnapshotPlan plan_resnapshot(connect::Client& client, const std::string& name, bool drop_slot,
                               const std::string& given_conninfo, std::chrono::milliseconds timeout);
std::vector<std::string> describe_resnapshot(const ResnapshotPlan& plan);

// The step that drops the slot once the connector is stopped: waits up to
// `wait` for the connector's walsender to let go of the slot, refuses a slot
// still active (naming the pid), and says how much WAL it freed.
ExtraStep drop_slot_step(const ResnapshotPlan& plan, std::chrono::milliseconds timeout, std::chrono::milliseconds wait);

// "snapshot in progress (INITIAL)", "snapshot completed; streaming from
// lsn …", or "no offsets yet" for the offsets read after the resume.
std::string describe_snapshot_progress(const ConnectorOffsets& offsets);

}  // namespace cdcctl::ops
