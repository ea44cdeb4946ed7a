#include "pg/slots.hpp"

#include <charconv>

#include "core/error.hpp"

namespace cdcctl::pg {

std::optional<ReplicationSlot> find_slot(Connection& connection, const std::string& name) {
  // pg_current_wal_lsn() fails during recovery; a standby measures against
  // what it has received.
  auto result = connection.exec(
      "SELECT s.slot_name, s.slot_type, coalesce(s.plugin, ''), coalesce(s.database, ''), s.active, s.active_pid, "
      "coalesce(s.restart_lsn::text, ''), coalesce(s.confirmed_flush_lsn::text, ''), "
      "pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn() ELSE pg_current_wal_lsn() END, "
      "s.restart_lsn)::bigint, "
      "coalesce(r.application_name, '') || CASE WHEN r.client_addr IS NULL THEN '' ELSE ' from ' || host(r.client_addr) END "
      "FROM pg_replication_slots s LEFT JOIN pg_stat_replication r ON r.pid = s.active_pid "
      "WHERE s.slot_name = $1",
      {name});
  if (result.rows() == 0) return std::nullopt;
  ReplicationSlot slot;
  slot.name = result.text(0, 0);
  slot.slot_type = result.text(0, 1);
  slot.plugin = result.text(0, 2);
  slot.database = result.text(0, 3);
  slot.active = result.text(0, 4) == "t";
  if (auto pid = result.value(0, 5)) slot.active_pid = std::stoi(*pid);
  slot.restart_lsn = result.text(0, 6);
  slot.confirmed_flush_lsn = result.text(0, 7);
  if (auto retained = result.value(0, 8)) {
    std::int64_t bytes = 0;
    std::from_chars(retained->data(), retained->data() + retained->size(), bytes);
    slot.retained_bytes = static_cast<std::uint64_t>(bytes < 0 ? 0 : bytes);
  }
  slot.holder = result.text(0, 9);
  return slot;
}

void drop_slot(Connection& connection, const std::string& name) {
  try {
    connection.exec("SELECT pg_drop_replication_slot($1)", {name});
  } catch (const Error& error) {
    throw Error::failed("cannot drop replication slot " + name, error.why(), error.hint());
  }
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
