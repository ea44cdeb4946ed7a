#pragma once
// The initial snapshot: every captured table read inside one REPEATABLE READ
// transaction that sees exactly what the replication slot's consistent point
// sees, emitted as Debezium "r" events with the snapshot markers (first,
// first_in_data_collection, true, last_in_data_collection, last) and
// committed to the sink in batches whose offsets say a snapshot is under way.
// The last batch's offset says it completed; streaming then starts from the
// snapshot's LSN, so no change is lost or seen twice.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cdc/postgres_offset.hpp"
#include "engine/change_mapper.hpp"
#include "engine/pg_capture.hpp"
#include "pg/connection.hpp"

namespace cdcctl::engine {

struct SnapshotStats {
  std::atomic<bool> running{false};
  std::atomic<bool> completed{false};
  std::atomic<std::uint64_t> tables_total{0};
  std::atomic<std::uint64_t> tables_done{0};
  std::atomic<std::uint64_t> rows_scanned{0};
};

struct SnapshotOptions {
  std::vector<std::pair<std::string, std::string>> tables{};  // schema, table
  std::size_t fetch_size = 10000;   // rows per FETCH
  std::size_t batch_records = 10000;  // rows per sink batch (Kafka transaction)
};

// How the snapshot transaction sees the database: a slot's exported
// snapshot (exact), or, for a slot that already exists, a fresh snapshot
// with the WAL position read before it was taken (changes between that
// position and the snapshot are then both read and streamed: repeated, never
// lost).
struct SnapshotSource {
  std::optional<std::string> exported_snapshot{};
  pg::Lsn lsn = 0;
};

// Opens the snapshot transaction on `connection` (which must be idle) and
// fills in `source.lsn` when the snapshot is not exported and no position
// was given (the caller gives the slot's, which repeats rather than loses).
void begin_snapshot_transaction(pg::Connection& connection, SnapshotSource& source);

// Reads every table and writes its rows through the mapper to the sink.
// Returns the completed snapshot's offset (the last committed one). Throws
// Error (interrupted) when stop() interrupts it; the offsets then say unfinished.
cdc::PostgresOffset take_snapshot(pg::Connection& connection, const SnapshotSource& source, const SnapshotOptions& options,
                                  ChangeMapper& mapper, RecordSink& sink, SnapshotStats& stats,
                                  const std::function<bool()>& stop);

// The relation description pgoutput would send, from the catalog: columns in
// attribute order with their types and the primary-key flags.
pg::RelationMessage describe_relation(pg::Connection& connection, const std::string& schema, const std::string& table);

}  // namespace cdcctl::engine
