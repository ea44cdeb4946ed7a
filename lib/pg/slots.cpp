#include "pg/slots.hpp"

#include <charconv>

#include "core/error.hpp"

namespace cdcctl::pg {

namespace {

// Where WAL is now: pg_current_wal_lsn() fails during recovery, so a standby
// measures against what it has received (or, not streaming, replayed).
constexpr const char* kCurrentLsn =
    "CASE WHEN pg_is_in_recovery() THEN coalesce(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()) "
    "ELSE pg_current_wal_lsn() END";

std::optional<std::int64_t> number(const Result& result, int row, int column) {
  auto text = result.value(row, column);
  if (!text) return std::nullopt;
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc()) return std::nullopt;
  return value;
}

std::optional<std::uint64_t> bytes(const Result& result, int row, int column) {
  auto value = number(result, row, column);
  if (!value) return std::nullopt;
  return static_cast<std::uint64_t>(*value < 0 ? 0 : *value);
}

std::optional<bool> boolean(const Result& result, int row, int column) {
  auto text = result.value(row, column);
  if (!text) return std::nullopt;
  return *text == "t";
}

ReplicationSlot slot_from_row(const Result& result, int row) {
  ReplicationSlot slot;
  int c = 0;
  slot.name = result.text(row, c++);
  slot.slot_type = result.text(row, c++);
  slot.plugin = result.text(row, c++);
  slot.database = result.text(row, c++);
  slot.temporary = boolean(result, row, c++).value_or(false);
  slot.active = boolean(result, row, c++).value_or(false);
  if (auto pid = number(result, row, c++)) slot.active_pid = static_cast<int>(*pid);
  slot.restart_lsn = result.text(row, c++);
  slot.confirmed_flush_lsn = result.text(row, c++);
  slot.retained_bytes = bytes(result, row, c++);
  slot.flush_lag_bytes = bytes(result, row, c++);
  slot.wal_status = result.value(row, c++);
  slot.safe_wal_size = number(result, row, c++);
  slot.inactive_since = result.value(row, c++);
  slot.invalidation_reason = result.value(row, c++);
  slot.conflicting = boolean(result, row, c++);
  slot.failover = boolean(result, row, c++);
  slot.xmin_age = number(result, row, c++);
  slot.catalog_xmin_age = number(result, row, c++);
  slot.holder = result.text(row, c++);
  slot.walsender_state = result.text(row, c++);
  slot.spill_txns = number(result, row, c++);
  slot.spill_count = number(result, row, c++);
  slot.spill_bytes = number(result, row, c++);
  slot.stream_txns = number(result, row, c++);
  slot.stream_count = number(result, row, c++);
  slot.stream_bytes = number(result, row, c++);
  slot.total_txns = number(result, row, c++);
  slot.total_bytes = number(result, row, c++);
  return slot;
}

}  // namespace

std::string slots_query(int version, bool by_name) {
  if (version < 100000) {
    throw Error::usage("replication slots need PostgreSQL 10 or newer here",
                       "the server is " + format_server_version(version));
  }
  auto since = [&](int wanted, const std::string& column, const std::string& type) {
    return version >= wanted ? column : "NULL::" + type;
  };
  std::string sql =
      std::string("WITH pos AS (SELECT ") + kCurrentLsn + " AS lsn) "
      "SELECT s.slot_name, s.slot_type, coalesce(s.plugin, ''), coalesce(s.database, ''), s.temporary, s.active, "
      "s.active_pid, coalesce(s.restart_lsn::text, ''), coalesce(s.confirmed_flush_lsn::text, ''), "
      "pg_wal_lsn_diff(pos.lsn, s.restart_lsn)::bigint, pg_wal_lsn_diff(pos.lsn, s.confirmed_flush_lsn)::bigint, " +
      since(130000, "s.wal_status", "text") + ", " + since(130000, "s.safe_wal_size", "bigint") + ", " +
      since(170000, "to_char(s.inactive_since AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')", "text") + ", " +
      since(170000, "s.invalidation_reason", "text") + ", " + since(160000, "s.conflicting", "boolean") + ", " +
      since(170000, "s.failover", "boolean") +
      ", age(s.xmin)::bigint, age(s.catalog_xmin)::bigint, "
      "coalesce(r.application_name, '') || CASE WHEN r.client_addr IS NULL THEN '' ELSE ' from ' || host(r.client_addr) END, "
      "coalesce(r.state, ''), ";
  if (version >= 140000) {
    sql += "st.spill_txns, st.spill_count, st.spill_bytes, st.stream_txns, st.stream_count, st.stream_bytes, "
           "st.total_txns, st.total_bytes ";
  } else {
    sql += "NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint ";
  }
  sql += "FROM pg_replication_slots s CROSS JOIN pos LEFT JOIN pg_stat_replication r ON r.pid = s.active_pid ";
  if (version >= 140000) sql += "LEFT JOIN pg_stat_replication_slots st ON st.slot_name = s.slot_name ";
  if (by_name) sql += "WHERE s.slot_name = $1 ";
  sql += "ORDER BY s.slot_name";
  return sql;
}

std::vector<ReplicationSlot> list_slots(Connection& connection) {
  auto result = connection.exec(slots_query(connection.server_version(), false));
  std::vector<ReplicationSlot> slots;
  for (int row = 0; row < result.rows(); ++row) slots.push_back(slot_from_row(result, row));
  return slots;
}

std::optional<ReplicationSlot> find_slot(Connection& connection, const std::string& name) {
  auto result = connection.exec(slots_query(connection.server_version(), true), {name});
  if (result.rows() == 0) return std::nullopt;
  return slot_from_row(result, 0);
}

WalServerInfo wal_server_info(Connection& connection) {
  WalServerInfo info;
  info.version = connection.server_version();
  auto result = connection.exec(
      std::string("SELECT pg_is_in_recovery(), (") + kCurrentLsn +
      ")::text, (SELECT setting FROM pg_settings WHERE name = 'max_slot_wal_keep_size')");
  info.in_recovery = result.text(0, 0) == "t";
  info.current_lsn = result.text(0, 1);
  // The setting is in MB (its unit in pg_settings); -1 is unlimited.
  if (auto megabytes = number(result, 0, 2)) info.max_slot_wal_keep_size = *megabytes < 0 ? -1 : *megabytes * 1024 * 1024;
  return info;
}

void check_slot_name(const std::string& name) {
  if (name.empty()) throw Error::usage("a slot name cannot be empty");
  if (name.size() > 63) throw Error::usage("slot name " + name + " is longer than 63 bytes");
  for (const char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      throw Error::usage("slot name '" + name + "' contains '" + std::string(1, c) + "'",
                         "PostgreSQL allows lower-case letters, digits and underscores in slot names");
    }
  }
}

void drop_slot(Connection& connection, const std::string& name) {
  try {
    connection.exec("SELECT pg_drop_replication_slot($1)", {name});
  } catch (const Error& error) {
    throw Error::failed("cannot drop replication slot " + name, error.why(), error.hint());
  }
}

ReplicationSlot create_slot(Connection& connection, const std::string& name, const std::string& plugin, bool physical) {
  try {
    if (physical) connection.exec("SELECT pg_create_physical_replication_slot($1, true)", {name});
    else connection.exec("SELECT pg_create_logical_replication_slot($1, $2)", {name, plugin});
  } catch (const Error& error) {
    throw Error::failed("cannot create replication slot " + name, error.why(), error.hint());
  }
  auto slot = find_slot(connection, name);
  if (!slot) throw Error::failed("replication slot " + name + " vanished right after it was created");
  return *slot;
}

bool terminate_backend(Connection& connection, int pid) {
  return connection.exec("SELECT pg_terminate_backend($1)", {std::to_string(pid)}).text(0, 0) == "t";
}

std::string conninfo(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string text;
  for (const auto& [key, value] : pairs) {
    if (value.empty()) continue;
    std::string quoted = "'";
    for (const char c : value) {
      if (c == '\'' || c == '\\') quoted += '\\';
      quoted += c;
    }
    text += (text.empty() ? "" : " ") + key + "=" + quoted + "'";
  }
  return text;
}

}  // namespace cdcctl::pg
