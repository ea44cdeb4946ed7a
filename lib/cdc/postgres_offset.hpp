#pragma once
// The Debezium PostgreSQL connector's source offset (reference §3): what it
// keeps in Kafka Connect's offsets topic under the key
// ["<connector>",{"server":"<topic.prefix>"}], read back by `cdcctl offsets`
// and written by `cdcctl run` so either can resume from the other's.
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace cdcctl::cdc {

struct PostgresOffset {
  std::optional<std::uint64_t> lsn{};
  std::optional<std::uint64_t> lsn_proc{};
  std::optional<std::uint64_t> lsn_commit{};
  std::optional<std::int64_t> tx_id{};
  std::optional<std::int64_t> ts_usec{};
  std::string message_type{};
  std::optional<std::int64_t> events_processed{};  // lsn_events_processed: events already sent at `lsn`
  std::string snapshot{};  // INITIAL | BLOCKING | "" (old `true` reads as INITIAL)
  bool last_snapshot_record = false;
  bool snapshot_completed = false;
};

// nullopt when the offset is not one (no lsn). Numbers may also come as
// numeric strings (after a PATCH by hand).
std::optional<PostgresOffset> decode_postgres_offset(const nlohmann::json& offset);

// The value Debezium writes: while streaming
// {"lsn_proc","lsn_commit","lsn","txId","ts_usec","messageType"}; during a
// snapshot {"last_snapshot_record","lsn","txId","ts_usec","snapshot","snapshot_completed"}.
std::string encode_postgres_offset(const PostgresOffset& offset);

// The partition key's second element: {"server": "<topic.prefix>"}.
nlohmann::json postgres_offset_partition(const std::string& topic_prefix);

// Where streaming resumes after an offset, and what was delivered already:
// START_REPLICATION at `start`; a transaction whose commit ends at or before
// `delivered_through` was delivered and is skipped.
// An offset Debezium stored in the middle of a transaction (Connect flushes
// offsets whenever it likes): its events up to `event_lsn` were sent, and a
// restart sends the rest of that transaction only, as Debezium's own resume
// does. cdcctl never stores one (its offsets end a transaction), but reads
// them when a connector moves to it from Kafka Connect.
struct ResumeInsideTransaction {
  std::optional<std::int64_t> tx_id{};  // the transaction's xid, when the offset names it
  std::uint64_t event_lsn = 0;          // `lsn`: the last event sent
  // lsn_events_processed: how many of the events at event_lsn were sent
  // (several share an LSN: a primary-key change, a truncate); unset means all.
  std::optional<std::int64_t> events_at_lsn{};
};

struct ResumePoint {
  std::uint64_t start = 0;
  std::uint64_t delivered_through = 0;
  bool snapshot_unfinished = false;  // an initial snapshot was under way: it must run again
  std::optional<ResumeInsideTransaction> inside{};
};
ResumePoint resume_point(const PostgresOffset& offset);

}  // namespace cdcctl::cdc
