#pragma once
// Replication-slot hygiene: judging each slot for cron and monitoring
// (retained WAL, inactivity, wal_status, invalidation, safe_wal_size) and
// remembering since when an inactive slot has been inactive on servers that
// do not say (PostgreSQL < 17 has no inactive_since).
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/environment.hpp"
#include "core/exit_codes.hpp"
#include "core/units.hpp"
#include "pg/slots.hpp"

namespace cdcctl::ops {

struct SlotThresholds {
  std::uint64_t warn_retained = 1ULL << 30;   // 1 GiB
  std::uint64_t crit_retained = 10ULL << 30;  // 10 GiB
  std::chrono::milliseconds warn_inactive{std::chrono::minutes(30)};
  std::chrono::milliseconds crit_inactive{std::chrono::hours(2)};
  std::optional<std::uint64_t> crit_safe_wal{};
};

// First time each inactive slot was seen inactive, per server.
struct SlotsMemory {
  std::map<std::string, std::map<std::string, std::int64_t>> first_seen_inactive{};  // target → slot → epoch s
};
SlotsMemory load_slots_memory(const std::filesystem::path& path);
void save_slots_memory(const std::filesystem::path& path, const SlotsMemory& memory);
std::filesystem::path default_slots_state_path(const EnvLookup& env);

struct SlotVerdict {
  pg::ReplicationSlot slot{};
  CheckStatus status = CheckStatus::Ok;
  std::vector<std::string> reasons{};
  std::optional<std::int64_t> inactive_seconds{};
  std::string inactive_source{};  // inactive_since | first seen by cdcctl | ""
};

struct SlotsReport {
  std::string target{};  // the server, as shown (no password)
  bool reachable = true;
  std::string error{};
  CheckStatus status = CheckStatus::Ok;
  pg::WalServerInfo server{};
  std::vector<std::string> server_findings{};  // with their own status below
  CheckStatus server_status = CheckStatus::Ok;
  std::vector<SlotVerdict> slots{};
  WallClock::time_point checked_at{};
};

// Pure: judges the slots and updates the memory for `target` (active slots
// are forgotten, newly inactive ones remembered from `now`).
SlotsReport assess_slots(const std::string& target, const std::vector<pg::ReplicationSlot>& slots,
                         const pg::WalServerInfo& server, const SlotThresholds& thresholds, SlotsMemory& memory,
                         WallClock::time_point now);

// How long the slot has been inactive, from inactive_since or the memory.
std::optional<std::int64_t> inactive_seconds(const pg::ReplicationSlot& slot, const SlotsMemory& memory,
                                             const std::string& target, WallClock::time_point now);

// "CRITICAL - 1 of 3 slots need attention: debezium retains 12.0 GiB of WAL (critical at 10.0 GiB)"
std::string summary_line(const SlotsReport& report);
nlohmann::json slot_json(const pg::ReplicationSlot& slot);
nlohmann::json to_json(const SlotsReport& report);
std::string prometheus_textfile(const SlotsReport& report);

}  // namespace cdcctl::ops
