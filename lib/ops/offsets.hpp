#pragma once
// Connector offsets, read and changed the safe way (KIP-875).
//
// Reading decodes what operators need to see: Debezium PostgreSQL source
// offsets as LSNs (X/X and decimal), transaction id, commit time and snapshot
// flags; sink offsets as topic/partition/offset.
//
// Changing offsets needs the connector STOPPED (PAUSED is rejected with 400),
// so every change runs one flow: remember the state → stop → wait until
// STOPPED with no tasks → DELETE or PATCH → read back and verify → restore
// the state it had. A failure after the stop leaves the connector STOPPED
// and says exactly how to finish by hand; Ctrl-C between steps restores the
// previous state instead of leaving it silently stopped.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "connect/client.hpp"

#include "cdc/postgres_offset.hpp"
#include "pg/lsn.hpp"

namespace cdcctl::ops {

// "16/B374D848": PostgreSQL's text form of an LSN.
using pg::format_lsn;

// Debezium PostgreSQL source offsets (reference §3), shared with the engine.
using cdc::PostgresOffset;
using cdc::decode_postgres_offset;
// {"lsn": "0/16B3748", "lsn_decimal": n, "tx_id": n, "committed_at": RFC 3339 µs, "snapshot": …}
nlohmann::json to_json(const PostgresOffset& offset);
// One line for a table: "lsn 0/16B3748 txId 556 at 2026-…Z COMMIT" or the raw JSON.
std::string describe_offset(const nlohmann::json& partition, const nlohmann::json& offset);
std::string describe_partition(const nlohmann::json& partition);

struct ConnectorOffsets {
  std::string name{};
  std::string type{};             // source | sink
  std::string connector_class{};
  std::string state{};            // connector state when read
  nlohmann::json offsets = nlohmann::json::array();  // [{"partition": {…}, "offset": {…}|null}]
};
ConnectorOffsets read_offsets(connect::Client& client, const std::string& name);
// The stable -o json shape; "offsets" is exactly a PATCH body's list, so the
// output of `offsets get` can be fed back to `offsets set`.
nlohmann::json to_json(const ConnectorOffsets& offsets);

// The PATCH body for `offsets set`: accepts {"offsets": […]}, a bare list,
// or `offsets get -o json` output (an array of connectors, the entry for
// `name` is taken). Throws Error (usage) on anything else.
nlohmann::json patch_body(const nlohmann::json& document, const std::string& name, const std::string& origin);

// ---------------------------------------------------------------------------
// Backups: every selected connector's offsets and state, with the Connect
// version and time, as one JSON document.

struct OffsetsBackup {
  std::string created_at{};
  std::string connect_version{};
  std::vector<ConnectorOffsets> connectors{};
};
nlohmann::json to_json(const OffsetsBackup& backup);
// Throws Error (usage) naming `origin` when it is not a cdcctl offsets backup.
OffsetsBackup parse_backup(const nlohmann::json& document, const std::string& origin);

// Why a saved connector's offsets must not go onto the live one (another
// type or class, e.g. a name reused for a different connector); empty when
// they fit.
std::string restore_mismatch(const ConnectorOffsets& saved, const ConnectorOffsets& live);
// The PATCH body that makes the live offsets equal the saved ones: the saved
// entries, plus a null offset for each partition the connector has now but
// the backup lacks. nullopt when the backup holds no offsets (a reset does it).
std::optional<nlohmann::json> restore_patch(const nlohmann::json& saved, const nlohmann::json& live);

// ---------------------------------------------------------------------------
// The stop → change → verify → restore flow

struct OffsetChange {
  std::string name{};
  std::string type{};
  std::string state_before{};     // RUNNING, PAUSED, STOPPED, FAILED…
  nlohmann::json offsets_before = nlohmann::json::array();
  std::optional<nlohmann::json> patch{};  // nullopt: reset (DELETE)
};

OffsetChange plan_offset_change(connect::Client& client, const std::string& name,
                                std::optional<nlohmann::json> patch = std::nullopt);
// The steps for --dry-run and the confirmation, in order.
std::vector<std::string> describe_plan(const OffsetChange& change, bool leave_stopped, bool always_resume = false);

struct OffsetStep {
  std::string step{};    // stop, wait-stopped, reset, alter, verify, resume, pause
  std::string status{};  // start | ok | failed | skipped
  std::string detail{};
};

// A step of its own that runs after the change is verified and before the
// state is restored, while the connector is STOPPED (resnapshot drops the
// replication slot here). `run` returns a detail for the log or throws
// Error; a failure leaves the connector STOPPED and `to_finish` says what to
// run by hand.
struct ExtraStep {
  std::string name{};
  std::function<std::string()> run{};
  std::vector<std::string> to_finish{};
};

struct OffsetChangeOptions {
  bool leave_stopped = false;
  bool always_resume = false;  // resume afterwards even if it was PAUSED or STOPPED
  std::optional<ExtraStep> before_restore{};
  std::chrono::milliseconds wait_timeout{std::chrono::minutes(2)};
  std::chrono::milliseconds poll_interval{std::chrono::milliseconds(500)};
};

struct OffsetChangeOutcome {
  bool ok = false;
  bool interrupted = false;
  std::string message{};       // Connect's answer to the change
  std::string error{};
  std::string state_after{};   // the state the connector was left in
  std::vector<std::string> to_finish{};  // commands that finish the job by hand
  nlohmann::json offsets_after = nlohmann::json::array();
};

OffsetChangeOutcome apply_offset_change(connect::Client& client, const OffsetChange& change,
                                        const OffsetChangeOptions& options,
                                        const std::function<void(const OffsetStep&)>& emit);

}  // namespace cdcctl::ops
