// Replication-slot verdicts for cron (pure: a controlled clock and memory),
// version-aware queries and slot-name checks.
#include <doctest/doctest.h>

#include "core/error.hpp"
#include "ops/slots.hpp"
#include "pg/slots.hpp"

using namespace cdcctl;
using namespace cdcctl::ops;

namespace {

pg::ReplicationSlot slot(const std::string& name, std::uint64_t retained, bool active = false) {
  pg::ReplicationSlot s;
  s.name = name;
  s.slot_type = "logical";
  s.plugin = "pgoutput";
  s.database = "inventory";
  s.active = active;
  s.retained_bytes = retained;
  s.wal_status = "reserved";
  return s;
}

pg::WalServerInfo capped() {
  pg::WalServerInfo server;
  server.version = 150004;
  server.max_slot_wal_keep_size = 50LL << 30;
  return server;
}

const auto t0 = WallClock::time_point(std::chrono::seconds(1795300000));

}  // namespace

TEST_CASE("retained WAL: OK, WARNING and CRITICAL at the thresholds") {
  SlotThresholds thresholds;
  SlotsMemory memory;
  auto report = assess_slots("db", {slot("a", 100, true), slot("b", 2ULL << 30, true), slot("c", 11ULL << 30, true)},
                             capped(), thresholds, memory, t0);
  REQUIRE(report.slots.size() == 3);
  CHECK(report.slots[0].status == CheckStatus::Ok);
  CHECK(report.slots[1].status == CheckStatus::Warning);
  CHECK(report.slots[2].status == CheckStatus::Critical);
  CHECK(report.slots[2].reasons == std::vector<std::string>{"retains 11.0 GiB of WAL (critical at 10.0 GiB)"});
  CHECK(report.status == CheckStatus::Critical);
  CHECK(summary_line(report) ==
        "CRITICAL - 2 of 3 slot(s) need attention: b retains 2.0 GiB of WAL (warning at 1.0 GiB); c retains 11.0 GiB of "
        "WAL (critical at 10.0 GiB)");
}

TEST_CASE("inactivity: remembered from the first run that saw it, or inactive_since when the server has it") {
  SlotThresholds thresholds;
  SlotsMemory memory;
  auto report = assess_slots("db", {slot("idle", 0)}, capped(), thresholds, memory, t0);
  CHECK(report.status == CheckStatus::Ok);
  CHECK(memory.first_seen_inactive["db"]["idle"] == to_epoch_seconds(t0));
  report = assess_slots("db", {slot("idle", 0)}, capped(), thresholds, memory, t0 + std::chrono::minutes(31));
  CHECK(report.status == CheckStatus::Warning);
  CHECK(report.slots[0].inactive_seconds == 31 * 60);
  CHECK(report.slots[0].inactive_source == "first seen by cdcctl");
  report = assess_slots("db", {slot("idle", 0)}, capped(), thresholds, memory, t0 + std::chrono::hours(3));
  CHECK(report.status == CheckStatus::Critical);
  // Active again: forgotten, so a later stall counts from then.
  report = assess_slots("db", {slot("idle", 0, true)}, capped(), thresholds, memory, t0 + std::chrono::hours(4));
  CHECK(report.status == CheckStatus::Ok);
  CHECK_FALSE(memory.first_seen_inactive["db"].contains("idle"));
  // Another server's memory is its own.
  CHECK(inactive_seconds(slot("idle", 0), memory, "other", t0) == std::nullopt);

  auto pg17 = slot("old", 0);
  pg17.inactive_since = "2026-11-21T21:40:00Z";
  report = assess_slots("db", {pg17}, capped(), thresholds, memory, t0);  // t0 = 2026-11-21T22:26:40Z: 46m40s later
  CHECK(report.slots[0].inactive_source == "inactive_since");
  CHECK(report.slots[0].inactive_seconds == 2800);
  CHECK(report.status == CheckStatus::Warning);
}

TEST_CASE("wal_status, invalidation, conflicts, safe_wal_size and an uncapped server") {
  SlotThresholds thresholds;
  thresholds.crit_safe_wal = 1ULL << 30;
  SlotsMemory memory;
  auto lost = slot("lost", 0, true);
  lost.wal_status = "lost";
  auto unreserved = slot("unreserved", 0, true);
  unreserved.wal_status = "unreserved";
  auto invalid = slot("invalid", 0, true);
  invalid.invalidation_reason = "wal_removed";
  auto conflicting = slot("conflicting", 0, true);
  conflicting.conflicting = true;
  auto tight = slot("tight", 0, true);
  tight.safe_wal_size = 100LL << 20;
  const auto report =
      assess_slots("db", {lost, unreserved, invalid, conflicting, tight}, capped(), thresholds, memory, t0);
  for (const auto& verdict : report.slots) {
    CAPTURE(verdict.slot.name);
    CHECK(verdict.status == CheckStatus::Critical);
  }
  CHECK(report.slots[4].reasons.front() == "safe_wal_size 100.0 MiB (critical below 1.0 GiB)");

  auto uncapped = capped();
  uncapped.max_slot_wal_keep_size = -1;
  auto warned = assess_slots("db", {slot("a", 0, true)}, uncapped, {}, memory, t0);
  CHECK(warned.status == CheckStatus::Warning);
  CHECK(warned.server_findings.front().find("ALTER SYSTEM SET max_slot_wal_keep_size") != std::string::npos);
  // No slot, nothing to retain WAL: no finding.
  CHECK(assess_slots("db", {}, uncapped, {}, memory, t0).status == CheckStatus::Ok);
}

TEST_CASE("the JSON report and the textfile carry what monitoring needs") {
  SlotsMemory memory;
  const auto report = assess_slots("postgres@db:5432/postgres", {slot("a\"b", 5)}, capped(), {}, memory, t0);
  const auto document = to_json(report);
  CHECK(document["status"] == "OK");
  CHECK(document["slots"][0]["retained_bytes"] == 5);
  CHECK(document["slots"][0]["safe_wal_size"].is_null());
  CHECK(document["slots"][0]["inactive_seconds"] == 0);
  const auto text = prometheus_textfile(report);
  CHECK(text.find("cdcctl_pg_slot_retained_wal_bytes{server=\"postgres@db:5432/postgres\",slot=\"a\\\"b\",type=\"logical\",database=\"inventory\"} 5\n") !=
        std::string::npos);
  CHECK(text.find("# TYPE cdcctl_pg_slots_status gauge\ncdcctl_pg_slots_status{server=\"postgres@db:5432/postgres\"} 0\n") !=
        std::string::npos);
}

TEST_CASE("slot queries ask only for columns the server has") {
  const auto pg12 = pg::slots_query(120000, false);
  CHECK(pg12.find("NULL::text, NULL::bigint") != std::string::npos);  // wal_status, safe_wal_size
  CHECK(pg12.find("pg_stat_replication_slots") == std::string::npos);
  const auto pg15 = pg::slots_query(150000, true);
  CHECK(pg15.find("s.wal_status") != std::string::npos);
  CHECK(pg15.find("pg_stat_replication_slots") != std::string::npos);
  CHECK(pg15.find("s.inactive_since") == std::string::npos);
  CHECK(pg15.find("WHERE s.slot_name = $1") != std::string::npos);
  const auto pg17 = pg::slots_query(170000, false);
  CHECK(pg17.find("s.inactive_since") != std::string::npos);
  CHECK(pg17.find("s.failover") != std::string::npos);
  CHECK_THROWS_AS(pg::slots_query(90600, false), Error);
}

TEST_CASE("slot names are checked before the server is asked") {
  pg::check_slot_name("debezium_inventory_1");
  for (const char* bad : {"", "Debezium", "my slot", "a-b", "x';--"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(pg::check_slot_name(bad), Error);
  }
  CHECK_THROWS_AS(pg::check_slot_name(std::string(64, 'a')), Error);
}
