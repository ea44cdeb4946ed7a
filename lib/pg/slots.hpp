#pragma once
// Replication slots: looking one up and dropping it. Slot names are always
// passed as query parameters, never spliced into SQL.
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
  bool active = false;
  std::optional<int> active_pid{};
  std::string restart_lsn{};
  std::string confirmed_flush_lsn{};
  // WAL kept for the slot: the current (or, on a standby, last received)
  // LSN minus restart_lsn; nullopt when the slot has no restart_lsn.
  std::optional<std::uint64_t> retained_bytes{};
  std::string holder{};  // the walsender's application_name and client address when active
};

std::optional<ReplicationSlot> find_slot(Connection& connection, const std::string& name);

// Drops the slot. Error (failed) when it is active: PostgreSQL refuses, and
// the message names the pid holding it.
void drop_slot(Connection& connection, const std::string& name);

// A conninfo string from key/value pairs, each value quoted as libpq wants
// ('…' with \ and ' escaped); empty values are left out.
std::string conninfo(const std::vector<std::pair<std::string, std::string>>& pairs);

}  // namespace cdcctl::pg
