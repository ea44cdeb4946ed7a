#include "ops/offsets.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>

#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/units.hpp"
#include "ops/connectors.hpp"

namespace cdcctl::ops {

using nlohmann::json;

json to_json(const PostgresOffset& offset) {
  auto lsn = [](const std::optional<std::uint64_t>& value) { return value ? json(format_lsn(*value)) : json(nullptr); };
  json out = {{"lsn", lsn(offset.lsn)},
              {"lsn_decimal", offset.lsn ? json(*offset.lsn) : json(nullptr)},
              {"lsn_proc", lsn(offset.lsn_proc)},
              {"lsn_commit", lsn(offset.lsn_commit)},
              {"tx_id", offset.tx_id ? json(*offset.tx_id) : json(nullptr)},
              {"committed_at", offset.ts_usec ? json(format_timestamp_usec(*offset.ts_usec)) : json(nullptr)},
              {"message_type", offset.message_type.empty() ? json(nullptr) : json(offset.message_type)},
              {"snapshot", offset.snapshot.empty() ? json(nullptr) : json(offset.snapshot)}};
  if (!offset.snapshot.empty()) {
    out["last_snapshot_record"] = offset.last_snapshot_record;
    out["snapshot_completed"] = offset.snapshot_completed;
  }
  return out;
}

std::string describe_partition(const json& partition) {
  if (partition.is_object() && partition.contains("kafka_topic") && partition.contains("kafka_partition")) {
    const auto& topic = partition["kafka_topic"];
    return (topic.is_string() ? topic.get<std::string>() : topic.dump()) + "-" +
           (partition["kafka_partition"].is_string() ? partition["kafka_partition"].get<std::string>()
                                                     : partition["kafka_partition"].dump());
  }
  return partition.dump();
}

std::string describe_offset(const json& partition, const json& offset) {
  if (offset.is_null()) return "(none)";
  if (partition.is_object() && partition.contains("kafka_topic") && offset.is_object() && offset.contains("kafka_offset")) {
    const auto& value = offset["kafka_offset"];
    return "offset " + (value.is_string() ? value.get<std::string>() : value.dump());
  }
  if (const auto decoded = decode_postgres_offset(offset)) {
    std::string text = "lsn " + format_lsn(*decoded->lsn);
    if (decoded->tx_id) text += " txId " + std::to_string(*decoded->tx_id);
    if (decoded->ts_usec) text += " at " + format_timestamp_usec(*decoded->ts_usec);
    if (!decoded->message_type.empty()) text += " " + decoded->message_type;
    if (!decoded->snapshot.empty()) {
      text += " snapshot " + decoded->snapshot + (decoded->snapshot_completed ? " completed" : " in progress");
    }
    return text;
  }
  return offset.dump();
}

ConnectorOffsets read_offsets(connect::Client& client, const std::string& name) {
  client.require(connect::Feature::ReadOffsets);
  ConnectorOffsets result;
  result.name = name;
  const auto info = client.connector(name);  // 404 → not found, before anything else
  result.type = info.type;
  if (const auto it = info.config.find("connector.class"); it != info.config.end()) result.connector_class = it->second;
  result.state = client.status(name).state;
  const json body = client.offsets(name);
  result.offsets = body.is_object() && body.contains("offsets") && body["offsets"].is_array() ? body["offsets"] : json::array();
  return result;
}

json to_json(const ConnectorOffsets& offsets) {
  json decoded = json::array();
  for (const auto& entry : offsets.offsets) {
    const json offset = entry.value("offset", json());
    const auto postgres = decode_postgres_offset(offset);
    decoded.push_back(postgres ? to_json(*postgres) : json(nullptr));
  }
  return {{"name", offsets.name},
          {"type", offsets.type},
          {"class", offsets.connector_class},
          {"state", offsets.state},
          {"offsets", offsets.offsets},
          {"decoded", decoded}};
}

json patch_body(const json& document, const std::string& name, const std::string& origin) {
  auto check_list = [&](const json& list) {
    if (!list.is_array()) throw Error::usage("invalid offsets in " + origin, "\"offsets\" must be a list");
    json clean = json::array();
    for (const auto& entry : list) {
      if (!entry.is_object() || !entry.contains("partition")) {
        throw Error::usage("invalid offsets in " + origin, "each entry needs a \"partition\" and an \"offset\"",
                           "e.g. {\"offsets\": [{\"partition\": {\"kafka_topic\": \"t\", \"kafka_partition\": 0}, "
                           "\"offset\": {\"kafka_offset\": 42}}]}");
      }
      // Only the two fields Connect accepts; it rejects any other.
      clean.push_back({{"partition", entry["partition"]}, {"offset", entry.value("offset", json())}});
    }
    if (clean.empty()) throw Error::usage("no offsets in " + origin, {}, "to remove all offsets use: cdcctl offsets reset " + name);
    return json{{"offsets", clean}};
  };
  if (document.is_object() && document.contains("offsets")) return check_list(document["offsets"]);
  if (document.is_array() && !document.empty() && document.front().is_object() && document.front().contains("name")) {
    for (const auto& connector : document) {
      if (connector.value("name", "") == name) return check_list(connector.value("offsets", json()));
    }
    throw Error::usage("no offsets for " + name + " in " + origin, "it holds other connectors");
  }
  if (document.is_array()) return check_list(document);
  throw Error::usage("invalid offsets in " + origin, "expected {\"offsets\": […]} or the output of cdcctl offsets get -o json");
}

// ---------------------------------------------------------------------------
// Backups

constexpr const char* kBackupKind = "cdcctl-offsets-backup";

json to_json(const OffsetsBackup& backup) {
  json connectors = json::array();
  for (const auto& connector : backup.connectors) {
    connectors.push_back({{"name", connector.name},
                          {"type", connector.type},
                          {"class", connector.connector_class},
                          {"state", connector.state},
                          {"offsets", connector.offsets}});
  }
  return {{"kind", kBackupKind},
          {"version", 1},
          {"created_at", backup.created_at},
          {"connect_version", backup.connect_version},
          {"connectors", connectors}};
}

OffsetsBackup parse_backup(const json& document, const std::string& origin) {
  if (!document.is_object() || document.value("kind", "") != kBackupKind || document.value("version", 0) != 1) {
    throw Error::usage("cannot restore from " + origin, "it is not a cdcctl offsets backup (version 1)",
                       "make one with: cdcctl offsets backup --all -f FILE");
  }
  OffsetsBackup backup;
  backup.created_at = document.value("created_at", "");
  backup.connect_version = document.value("connect_version", "");
  try {
    for (const auto& entry : document.at("connectors")) {
      ConnectorOffsets connector;
      connector.name = entry.at("name").get<std::string>();
      connector.type = entry.value("type", "");
      connector.connector_class = entry.value("class", "");
      connector.state = entry.value("state", "");
      connector.offsets = entry.value("offsets", json::array());
      if (!connector.offsets.is_array()) throw Error::usage("\"offsets\" of " + connector.name + " is not a list");
      backup.connectors.push_back(std::move(connector));
    }
  } catch (const json::exception& e) {
    throw Error::usage("cannot restore from " + origin, e.what());
  }
  return backup;
}

std::string restore_mismatch(const ConnectorOffsets& saved, const ConnectorOffsets& live) {
  if (!saved.type.empty() && !live.type.empty() && saved.type != live.type) {
    return "it was a " + saved.type + " connector when saved and is a " + live.type + " connector now";
  }
  if (!saved.connector_class.empty() && !live.connector_class.empty() && saved.connector_class != live.connector_class) {
    return "its class was " + saved.connector_class + " when saved and is " + live.connector_class + " now";
  }
  return {};
}

namespace {
bool same_partition(const json& a, const json& b);
}  // namespace

std::optional<json> restore_patch(const json& saved, const json& live) {
  if (saved.empty()) return std::nullopt;
  json entries = json::array();
  for (const auto& entry : saved) entries.push_back({{"partition", entry.at("partition")}, {"offset", entry.value("offset", json())}});
  for (const auto& current : live) {
    const bool kept = std::any_of(saved.begin(), saved.end(), [&](const json& entry) {
      return same_partition(entry.at("partition"), current.at("partition"));
    });
    if (!kept) entries.push_back({{"partition", current.at("partition")}, {"offset", nullptr}});
  }
  return json{{"offsets", entries}};
}

// ---------------------------------------------------------------------------
// The flow

OffsetChange plan_offset_change(connect::Client& client, const std::string& name, std::optional<json> patch) {
  client.require(connect::Feature::AlterOffsets);
  const auto current = read_offsets(client, name);
  if (current.state == "UNASSIGNED" || current.state == "RESTARTING") {
    // Its target state (running or paused) cannot be told from the status,
    // so it could not be put back as it was.
    throw Error::failed(name + " is " + current.state + ": cannot tell which state to restore afterwards", {},
                        "retry when it is RUNNING, PAUSED or STOPPED, or stop it first: cdcctl connectors stop " + name);
  }
  return {current.name, current.type, current.state, current.offsets, std::move(patch)};
}

namespace {

// What the connector should go back to, as the CLI verb that does it.
std::string restore_verb(const std::string& state_before) {
  if (state_before == "STOPPED") return {};
  if (state_before == "PAUSED") return "pause";
  return "resume";  // RUNNING, and FAILED/UNASSIGNED/RESTARTING whose target was started
}

std::string connect_state_for(const std::string& verb) { return verb == "pause" ? "PAUSED" : "RUNNING"; }

bool same_kafka_offset(const json& a, const json& b) {
  auto number = [](const json& value) -> std::optional<long long> {
    if (value.is_number_integer()) return value.get<long long>();
    if (value.is_string()) {
      try {
        return std::stoll(value.get<std::string>());
      } catch (const std::exception&) {
      }
    }
    return std::nullopt;
  };
  return number(a) && number(a) == number(b);
}

bool same_partition(const json& a, const json& b) {
  if (a.is_object() && b.is_object() && a.contains("kafka_topic") && b.contains("kafka_topic")) {
    return a["kafka_topic"] == b["kafka_topic"] && same_kafka_offset(a["kafka_partition"], b["kafka_partition"]);
  }
  return a == b;
}

// Empty when the offsets read back say the change took effect.
std::string verify(const OffsetChange& change, const json& after) {
  if (!change.patch) {
    return after.empty() ? std::string() : std::to_string(after.size()) + " offset(s) still present";
  }
  for (const auto& wanted : (*change.patch)["offsets"]) {
    const json* found = nullptr;
    for (const auto& entry : after) {
      if (same_partition(entry["partition"], wanted["partition"])) found = &entry;
    }
    const json& offset = wanted["offset"];
    if (offset.is_null()) {
      if (found && !(*found)["offset"].is_null()) return "the offset of " + describe_partition(wanted["partition"]) + " was not removed";
      continue;
    }
    if (!found) return "no offset for " + describe_partition(wanted["partition"]) + " after the change";
    const json& got = (*found)["offset"];
    const bool equal = offset.contains("kafka_offset") ? got.is_object() && same_kafka_offset(got.value("kafka_offset", json()), offset["kafka_offset"])
                                                       : got == offset;
    if (!equal) {
      return describe_partition(wanted["partition"]) + " reads back as " + got.dump() + ", not " + offset.dump();
    }
  }
  return {};
}


}  // namespace

std::vector<std::string> describe_plan(const OffsetChange& change, bool leave_stopped, bool always_resume) {
  std::vector<std::string> steps;
  const std::string verb = always_resume ? "resume" : restore_verb(change.state_before);
  if (change.state_before == "STOPPED") steps.push_back(change.name + " is already STOPPED");
  else steps.push_back("stop " + change.name + " (it is " + change.state_before + ") and wait until STOPPED with no tasks");
  if (change.patch) {
    steps.push_back("PATCH /connectors/" + change.name + "/offsets with " + std::to_string((*change.patch)["offsets"].size()) +
                    " offset(s)");
  } else {
    steps.push_back("DELETE /connectors/" + change.name + "/offsets: remove all " +
                    std::to_string(change.offsets_before.size()) + " offset(s)" +
                    (change.type == "sink" ? " (for a sink: the committed offsets of consumer group connect-" + change.name + ")"
                                           : " (the connector's records in the offsets topic)"));
  }
  steps.push_back("read the offsets back and check the change");
  if (verb.empty()) steps.push_back("leave it STOPPED, as it was");
  else if (leave_stopped) steps.push_back("leave it STOPPED (--leave-stopped); it was " + change.state_before);
  else if (always_resume && change.state_before != "RUNNING") steps.push_back("resume it (it was " + change.state_before + ")");
  else steps.push_back(verb + " it, back to " + connect_state_for(verb) + " as before");
  return steps;
}

OffsetChangeOutcome apply_offset_change(connect::Client& client, const OffsetChange& change,
                                        const OffsetChangeOptions& options,
                                        const std::function<void(const OffsetStep&)>& emit) {
  OffsetChangeOutcome outcome;
  const std::string verb = options.always_resume ? "resume" : restore_verb(change.state_before);
  const std::string action = change.patch ? "alter" : "reset";
  const std::string redo = change.patch ? "cdcctl offsets set " + change.name + " -f FILE --yes --leave-stopped"
                                        : "cdcctl offsets reset " + change.name + " --yes --leave-stopped";

  // Puts the connector in its final state: `verb` on success, back as it was
  // (`back`) after Ctrl-C.
  const std::string back = restore_verb(change.state_before);
  auto restore_with = [&](const std::string& final_verb) -> bool {
    if (final_verb.empty() || options.leave_stopped) {
      emit({final_verb.empty() ? "restore" : final_verb, "skipped", final_verb.empty() ? "it was STOPPED" : "--leave-stopped"});
      outcome.state_after = "STOPPED";
      return true;
    }
    try {
      emit({final_verb, "start", ""});
      if (final_verb == "pause") client.pause(change.name);
      else client.resume(change.name);
      outcome.state_after = connect_state_for(final_verb);
      emit({final_verb, "ok", "target state " + outcome.state_after});
      return true;
    } catch (const Error& error) {
      outcome.state_after = "STOPPED";
      outcome.error = final_verb + " failed: " + error.detail();
      outcome.to_finish = {"cdcctl connectors " + final_verb + " " + change.name};
      emit({final_verb, "failed", error.detail()});
      return false;
    }
  };
  auto restore = [&] { return restore_with(verb); };
  // The commands that finish the job after a failure, then the one that
  // puts the connector back as it was.
  auto finish_by_hand = [&](std::vector<std::string> commands) {
    if (!verb.empty()) commands.push_back("cdcctl connectors " + verb + " " + change.name);
    outcome.to_finish = std::move(commands);
  };
  auto interrupted = [&] {
    if (!interrupt_requested()) return false;
    outcome.interrupted = true;
    outcome.error = "interrupted before the offsets were changed";
    clear_interrupt();  // the restore below must run to the end
    restore_with(back);
    request_interrupt();
    return true;
  };

  // 1. Stop (unless Ctrl-C came while the previous connector was handled).
  if (interrupt_requested()) {
    outcome.interrupted = true;
    outcome.error = "interrupted before anything was changed";
    outcome.state_after = change.state_before;
    return outcome;
  }
  if (change.state_before != "STOPPED") {
    try {
      emit({"stop", "start", ""});
      client.stop(change.name);
    } catch (const Error& error) {
      outcome.error = "stop failed: " + error.detail();
      outcome.state_after = change.state_before;
      emit({"stop", "failed", error.detail()});
      return outcome;
    }
    WaitResult waited;
    try {
      waited = wait_for(client, {change.name}, Target::Stopped, options.wait_timeout, options.poll_interval);
    } catch (const Error& error) {
      emit({"wait-stopped", "failed", error.detail()});
      outcome.error = "cannot tell whether it stopped: " + error.detail();
      outcome.state_after = "STOPPED or stopping";
      finish_by_hand({"cdcctl connectors describe " + change.name, redo});
      return outcome;
    }
    if (waited.interrupted || interrupt_requested()) {
      interrupted();
      return outcome;
    }
    if (!waited.not_reached.empty()) {
      emit({"wait-stopped", "failed", waited.not_reached.front().second});
      outcome.error = "it did not reach STOPPED: " + waited.not_reached.front().second;
      outcome.state_after = "stopping (target STOPPED)";
      finish_by_hand({"cdcctl connectors describe " + change.name, redo});
      return outcome;
    }
    emit({"wait-stopped", "ok", "STOPPED, no tasks"});
  }
  if (interrupted()) return outcome;

  // 2. Change. From here on a failure leaves it STOPPED on purpose: resuming
  //    would let it commit new offsets over the ones being fixed.
  try {
    emit({action, "start", ""});
    outcome.message = change.patch ? client.alter_offsets(change.name, *change.patch) : client.reset_offsets(change.name);
    emit({action, "ok", outcome.message});
  } catch (const Error& error) {
    emit({action, "failed", error.detail()});
    outcome.error = action + " failed: " + error.detail();
    outcome.state_after = "STOPPED";
    finish_by_hand({redo});
    return outcome;
  }

  // 3. Verify.
  try {
    const json body = client.offsets(change.name);
    outcome.offsets_after = body.is_object() && body.contains("offsets") ? body["offsets"] : json::array();
  } catch (const Error& error) {
    emit({"verify", "failed", error.detail()});
    outcome.error = "the offsets could not be read back: " + error.detail();
    outcome.state_after = "STOPPED";
    finish_by_hand({"cdcctl offsets get " + change.name});
    return outcome;
  }
  if (const std::string problem = verify(change, outcome.offsets_after); !problem.empty()) {
    emit({"verify", "failed", problem});
    outcome.error = "the change did not take effect: " + problem;
    outcome.state_after = "STOPPED";
    finish_by_hand({"cdcctl offsets get " + change.name, redo});
    return outcome;
  }
  emit({"verify", "ok", std::to_string(outcome.offsets_after.size()) + " offset(s) now"});

  if (const auto& extra = options.before_restore) {
    try {
      emit({extra->name, "start", ""});
      emit({extra->name, "ok", extra->run()});
    } catch (const Error& error) {
      emit({extra->name, "failed", error.detail()});
      outcome.error = extra->name + " failed: " + error.detail();
      outcome.state_after = "STOPPED";
      finish_by_hand(extra->to_finish);
      return outcome;
    }
  }

  // 4. Restore.
  outcome.ok = restore();
  return outcome;
}

}  // namespace cdcctl::ops
