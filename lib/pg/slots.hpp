#pragma once
// Replication slots: listing them with everything that tells a healthy slot
// from one that will fill the disk, creating and dropping them. Queries are
// built for the server's version (columns it lacks come back as "n/a", never
// an SQL error) and slot names are always query parameters.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pg/connection.hpp"

namespace cdcctl::pg {

struct ReplicationSlot {
  std::string name{};
  std::string slot_type{};  // logical | physical
  std::string plugin{};     // pgoutput, … (empty for physical slots)
  std::string database{};   // empty for physical slots
  bool temporary = false;
  bool active = false;
  std::optional<int> active_pid{};
  std::string restart_lsn{};
  std::string confirmed_flush_lsn{};
  // WAL kept for the slot: the current (on a standby, the last received)
  // LSN minus restart_lsn; nullopt when the slot has no restart_lsn.
  std::optional<std::uint64_t> retained_bytes{};
  // How far the consumer's confirmed position is behind (logical slots).
  std::optional<std::uint64_t> flush_lag_bytes{};
  std::optional<std::string> wal_status{};          // PG13+: reserved, extended, unreserved, lost
  std::optional<std::int64_t> safe_wal_size{};      // PG13+; null when max_slot_wal_keep_size = -1
  std::optional<std::string> inactive_since{};      // PG17+
  std::optional<std::string> invalidation_reason{}; // PG17+
  std::optional<bool> conflicting{};                // PG16+
  std::optional<bool> failover{};                   // PG17+
  std::optional<std::int64_t> xmin_age{};
  std::optional<std::int64_t> catalog_xmin_age{};
  std::string holder{};          // the walsender's application_name and client address when active
  std::string walsender_state{}; // streaming, catchup, … when active
  // PG14+ pg_stat_replication_slots
  std::optional<std::int64_t> spill_txns{}, spill_count{}, spill_bytes{};
  std::optional<std::int64_t> stream_txns{}, stream_count{}, stream_bytes{};
  std::optional<std::int64_t> total_txns{}, total_bytes{};
};

struct WalServerInfo {
  int version = 0;
  bool in_recovery = false;
  std::string current_lsn{};  // or the last received/replayed on a standby
  // max_slot_wal_keep_size in bytes (PG13+); -1 means unlimited, nullopt unknown.
  std::optional<std::int64_t> max_slot_wal_keep_size{};
};

// The SELECT for a server version; with by_name, filtered on $1.
std::string slots_query(int server_version, bool by_name);

std::vector<ReplicationSlot> list_slots(Connection& connection);
std::optional<ReplicationSlot> find_slot(Connection& connection, const std::string& name);
WalServerInfo wal_server_info(Connection& connection);

// PostgreSQL accepts lower-case letters, digits and underscores, up to 63
// bytes. Error (usage) naming the offending character otherwise, before the
// server is asked.
void check_slot_name(const std::string& name);

// Drops the slot. Error (failed) when it is active: PostgreSQL refuses, and
// the message names the pid holding it.
void drop_slot(Connection& connection, const std::string& name);
// Creates a logical slot with the plugin, or a physical one (WAL reserved now).
ReplicationSlot create_slot(Connection& connection, const std::string& name, const std::string& plugin, bool physical);
// Ends the walsender holding a slot (pg_terminate_backend); true when it was signalled.
bool terminate_backend(Connection& connection, int pid);

// A conninfo string from key/value pairs, each value quoted as libpq wants
// ('…' with \ and ' escaped); empty values are left out.
std::string conninfo(const std::vector<std::pair<std::string, std::string>>& pairs);

}  // namespace cdcctl::pg
