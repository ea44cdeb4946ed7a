#include "ops/slots.hpp"

#include <algorithm>

#include "core/config_file.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "core/prometheus.hpp"

namespace cdcctl::ops {

namespace fs = std::filesystem;
using nlohmann::json;

SlotsMemory load_slots_memory(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return {};
  try {
    const json document = json::parse(read_file(path));
    if (document.value("version", 0) != 1 || !document.contains("targets") || !document["targets"].is_object()) {
      throw json::other_error::create(501, "not a cdcctl slots state file (version 1)", nullptr);
    }
    SlotsMemory memory;
    const json& targets = document["targets"];
    for (const auto& [target, slots] : targets.items()) {
      const json seen = slots.value("first_seen_inactive", json::object());
      for (const auto& [slot, epoch] : seen.items()) memory.first_seen_inactive[target][slot] = epoch.get<std::int64_t>();
    }
    return memory;
  } catch (const json::exception& e) {
    throw Error::failed("cannot read slots state " + path.string(), e.what(),
                        "remove it to start with an empty memory, or point --state-file elsewhere");
  }
}

void save_slots_memory(const fs::path& path, const SlotsMemory& memory) {
  json targets = json::object();
  for (const auto& [target, slots] : memory.first_seen_inactive) targets[target] = {{"first_seen_inactive", slots}};
  write_file_atomically(path, json{{"version", 1}, {"targets", targets}}.dump(2) + "\n");
}

fs::path default_slots_state_path(const EnvLookup& env) { return default_state_dir(env) / "slots.json"; }

std::optional<std::int64_t> inactive_seconds(const pg::ReplicationSlot& slot, const SlotsMemory& memory,
                                             const std::string& target, WallClock::time_point now) {
  if (slot.active) return std::nullopt;
  const auto now_s = to_epoch_seconds(now);
  if (slot.inactive_since) {
    try {
      return std::max<std::int64_t>(0, now_s - parse_timestamp_ms(*slot.inactive_since) / 1000);
    } catch (const Error&) {
    }
  }
  if (auto server = memory.first_seen_inactive.find(target); server != memory.first_seen_inactive.end()) {
    if (auto seen = server->second.find(slot.name); seen != server->second.end()) {
      return std::max<std::int64_t>(0, now_s - seen->second);
    }
  }
  return std::nullopt;
}

namespace {

void raise(SlotVerdict& verdict, CheckStatus status, std::string reason) {
  verdict.status = std::max(verdict.status, status);
  verdict.reasons.push_back(std::move(reason));
}

std::string seconds_text(std::int64_t seconds) { return format_duration(std::chrono::seconds(seconds)); }

}  // namespace

SlotsReport assess_slots(const std::string& target, const std::vector<pg::ReplicationSlot>& slots,
                         const pg::WalServerInfo& server, const SlotThresholds& thresholds, SlotsMemory& memory,
                         WallClock::time_point now) {
  SlotsReport report;
  report.target = target;
  report.server = server;
  report.checked_at = now;
  auto& seen = memory.first_seen_inactive[target];
  // Forget slots that are gone or active again.
  for (auto it = seen.begin(); it != seen.end();) {
    const bool still_inactive = std::any_of(slots.begin(), slots.end(), [&](auto& s) { return s.name == it->first && !s.active; });
    it = still_inactive ? std::next(it) : seen.erase(it);
  }
  for (const auto& slot : slots) {
    SlotVerdict verdict;
    verdict.slot = slot;
    if (!slot.active && !slot.inactive_since && !seen.contains(slot.name)) seen[slot.name] = to_epoch_seconds(now);
    if (slot.invalidation_reason) raise(verdict, CheckStatus::Critical, "invalidated (" + *slot.invalidation_reason + ")");
    if (slot.wal_status == "lost") {
      raise(verdict, CheckStatus::Critical, "wal_status lost: WAL it needs is gone; the consumer must start over");
    } else if (slot.wal_status == "unreserved") {
      raise(verdict, CheckStatus::Critical, "wal_status unreserved: past max_slot_wal_keep_size, WAL it needs will be removed at the next checkpoint");
    }
    if (slot.conflicting.value_or(false)) raise(verdict, CheckStatus::Critical, "conflicting: invalidated by a recovery conflict");
    if (slot.retained_bytes) {
      if (*slot.retained_bytes >= thresholds.crit_retained) {
        raise(verdict, CheckStatus::Critical, "retains " + format_bytes(*slot.retained_bytes) + " of WAL (critical at " +
                                                  format_bytes(thresholds.crit_retained) + ")");
      } else if (*slot.retained_bytes >= thresholds.warn_retained) {
        raise(verdict, CheckStatus::Warning, "retains " + format_bytes(*slot.retained_bytes) + " of WAL (warning at " +
                                                 format_bytes(thresholds.warn_retained) + ")");
      }
    }
    if (thresholds.crit_safe_wal && slot.safe_wal_size &&
        *slot.safe_wal_size < static_cast<std::int64_t>(*thresholds.crit_safe_wal)) {
      raise(verdict, CheckStatus::Critical,
            "safe_wal_size " + (*slot.safe_wal_size < 0 ? std::string("negative") : format_bytes(static_cast<std::uint64_t>(*slot.safe_wal_size))) +
                " (critical below " + format_bytes(*thresholds.crit_safe_wal) + ")");
    }
    verdict.inactive_seconds = inactive_seconds(slot, memory, target, now);
    if (!slot.active) verdict.inactive_source = slot.inactive_since ? "inactive_since" : "first seen by cdcctl";
    if (verdict.inactive_seconds && !slot.temporary) {
      const auto inactive = std::chrono::seconds(*verdict.inactive_seconds);
      if (inactive >= thresholds.crit_inactive) {
        raise(verdict, CheckStatus::Critical, "inactive for " + seconds_text(*verdict.inactive_seconds) + " (critical at " +
                                                  format_duration(thresholds.crit_inactive) + ")");
      } else if (inactive >= thresholds.warn_inactive) {
        raise(verdict, CheckStatus::Warning, "inactive for " + seconds_text(*verdict.inactive_seconds) + " (warning at " +
                                                 format_duration(thresholds.warn_inactive) + ")");
      }
    }
    report.status = std::max(report.status, verdict.status);
    report.slots.push_back(std::move(verdict));
  }
  if (!slots.empty() && server.max_slot_wal_keep_size == -1) {
    report.server_status = CheckStatus::Warning;
    report.server_findings.push_back(
        "max_slot_wal_keep_size = -1: a stalled slot can keep WAL until the disk is full; cap it, e.g. "
        "ALTER SYSTEM SET max_slot_wal_keep_size = '50GB'; SELECT pg_reload_conf();");
  }
  report.status = std::max(report.status, report.server_status);
  return report;
}

std::string summary_line(const SlotsReport& report) {
  const std::string status(check_status_name(report.status));
  if (!report.reachable) return status + " - cannot check replication slots on " + report.target + ": " + report.error;
  std::vector<std::string> problems;
  std::size_t bad = 0;
  for (const auto& verdict : report.slots) {
    if (verdict.status == CheckStatus::Ok) continue;
    ++bad;
    for (const auto& reason : verdict.reasons) problems.push_back(verdict.slot.name + " " + reason);
  }
  for (const auto& finding : report.server_findings) problems.push_back(finding);
  std::string line = status + " - ";
  if (problems.empty()) {
    return line + std::to_string(report.slots.size()) + " replication slot(s) on " + report.target + " OK";
  }
  line += std::to_string(bad) + " of " + std::to_string(report.slots.size()) + " slot(s) need attention: ";
  for (std::size_t i = 0; i < problems.size(); ++i) line += (i ? "; " : "") + problems[i];
  return line;
}

json slot_json(const pg::ReplicationSlot& slot) {
  auto opt = [](const auto& value) { return value ? json(*value) : json(nullptr); };
  return {{"name", slot.name},
          {"type", slot.slot_type},
          {"plugin", slot.plugin.empty() ? json(nullptr) : json(slot.plugin)},
          {"database", slot.database.empty() ? json(nullptr) : json(slot.database)},
          {"temporary", slot.temporary},
          {"active", slot.active},
          {"active_pid", opt(slot.active_pid)},
          {"holder", slot.holder.empty() ? json(nullptr) : json(slot.holder)},
          {"restart_lsn", slot.restart_lsn.empty() ? json(nullptr) : json(slot.restart_lsn)},
          {"confirmed_flush_lsn", slot.confirmed_flush_lsn.empty() ? json(nullptr) : json(slot.confirmed_flush_lsn)},
          {"retained_bytes", opt(slot.retained_bytes)},
          {"flush_lag_bytes", opt(slot.flush_lag_bytes)},
          {"wal_status", opt(slot.wal_status)},
          {"safe_wal_size", opt(slot.safe_wal_size)},
          {"inactive_since", opt(slot.inactive_since)},
          {"invalidation_reason", opt(slot.invalidation_reason)},
          {"conflicting", opt(slot.conflicting)},
          {"failover", opt(slot.failover)},
          {"xmin_age", opt(slot.xmin_age)},
          {"catalog_xmin_age", opt(slot.catalog_xmin_age)},
          {"spill", {{"txns", opt(slot.spill_txns)}, {"count", opt(slot.spill_count)}, {"bytes", opt(slot.spill_bytes)}}},
          {"stream", {{"txns", opt(slot.stream_txns)}, {"count", opt(slot.stream_count)}, {"bytes", opt(slot.stream_bytes)}}},
          {"total", {{"txns", opt(slot.total_txns)}, {"bytes", opt(slot.total_bytes)}}}};
}

json to_json(const SlotsReport& report) {
  json slots = json::array();
  for (const auto& verdict : report.slots) {
    json item = slot_json(verdict.slot);
    item["status"] = check_status_name(verdict.status);
    item["reasons"] = verdict.reasons;
    item["inactive_seconds"] = verdict.inactive_seconds ? json(*verdict.inactive_seconds) : json(nullptr);
    item["inactive_source"] = verdict.inactive_source.empty() ? json(nullptr) : json(verdict.inactive_source);
    slots.push_back(std::move(item));
  }
  return {{"status", check_status_name(report.status)},
          {"exit_code", static_cast<int>(report.status)},
          {"summary", summary_line(report)},
          {"checked_at", format_timestamp(report.checked_at)},
          {"server", {{"target", report.target},
                      {"reachable", report.reachable},
                      {"error", report.error.empty() ? json(nullptr) : json(report.error)},
                      {"version", report.server.version ? json(report.server.version) : json(nullptr)},
                      {"in_recovery", report.server.in_recovery},
                      {"current_lsn", report.server.current_lsn.empty() ? json(nullptr) : json(report.server.current_lsn)},
                      {"max_slot_wal_keep_size", report.server.max_slot_wal_keep_size ? json(*report.server.max_slot_wal_keep_size) : json(nullptr)},
                      {"status", check_status_name(report.server_status)},
                      {"findings", report.server_findings}}},
          {"slots", slots}};
}

std::string prometheus_textfile(const SlotsReport& report) {
  PrometheusText m;
  const PrometheusText::Labels server = {{"server", report.target}};
  m.family("cdcctl_pg_slots_status", "gauge", "Verdict of the last cdcctl slots check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.");
  m.sample("cdcctl_pg_slots_status", server, static_cast<int>(report.status));
  m.family("cdcctl_pg_up", "gauge", "1 when PostgreSQL answered the last cdcctl slots check.");
  m.sample("cdcctl_pg_up", server, report.reachable ? 1 : 0);
  m.family("cdcctl_pg_slots_last_check_timestamp_seconds", "gauge", "When the last cdcctl slots check ran, Unix time.");
  m.sample("cdcctl_pg_slots_last_check_timestamp_seconds", server, static_cast<double>(to_epoch_seconds(report.checked_at)));
  auto labels = [&](const SlotVerdict& verdict) {
    return PrometheusText::Labels{{"server", report.target}, {"slot", verdict.slot.name}, {"type", verdict.slot.slot_type},
                                  {"database", verdict.slot.database}};
  };
  m.family("cdcctl_pg_slot_status", "gauge", "Verdict per slot: 0 OK, 1 WARNING, 2 CRITICAL.");
  for (const auto& verdict : report.slots) m.sample("cdcctl_pg_slot_status", labels(verdict), static_cast<int>(verdict.status));
  m.family("cdcctl_pg_slot_active", "gauge", "1 when a consumer is connected to the slot.");
  for (const auto& verdict : report.slots) m.sample("cdcctl_pg_slot_active", labels(verdict), verdict.slot.active ? 1 : 0);
  m.family("cdcctl_pg_slot_retained_wal_bytes", "gauge", "WAL kept for the slot (current LSN minus restart_lsn).");
  for (const auto& verdict : report.slots) {
    if (verdict.slot.retained_bytes) m.sample("cdcctl_pg_slot_retained_wal_bytes", labels(verdict), static_cast<double>(*verdict.slot.retained_bytes));
  }
  m.family("cdcctl_pg_slot_safe_wal_size_bytes", "gauge", "WAL that can still be written before the slot is lost (PG13+).");
  for (const auto& verdict : report.slots) {
    if (verdict.slot.safe_wal_size) m.sample("cdcctl_pg_slot_safe_wal_size_bytes", labels(verdict), static_cast<double>(*verdict.slot.safe_wal_size));
  }
  m.family("cdcctl_pg_slot_inactive_seconds", "gauge", "How long the slot has had no consumer, when known.");
  for (const auto& verdict : report.slots) {
    if (verdict.inactive_seconds) m.sample("cdcctl_pg_slot_inactive_seconds", labels(verdict), static_cast<double>(*verdict.inactive_seconds));
  }
  return m.text();
}

}  // namespace cdcctl::ops
