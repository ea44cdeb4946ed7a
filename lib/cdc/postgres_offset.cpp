#include "cdc/postgres_offset.hpp"

#include "cdc/pg_types.hpp"

namespace cdcctl::cdc {

using nlohmann::json;

namespace {

// Connect's JSON converter may hand numbers back as numbers or, after a
// PATCH by hand, as numeric strings: accept both.
template <typename Integer>
std::optional<Integer> integer_field(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (it->is_number_integer()) return it->get<Integer>();
  if (it->is_string()) {
    try {
      std::size_t used = 0;
      const std::string text = it->get<std::string>();
      const long long value = std::stoll(text, &used);
      if (used == text.size()) return static_cast<Integer>(value);
    } catch (const std::exception&) {
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<PostgresOffset> decode_postgres_offset(const json& offset) {
  if (!offset.is_object()) return std::nullopt;
  PostgresOffset decoded;
  decoded.lsn = integer_field<std::uint64_t>(offset, "lsn");
  if (!decoded.lsn) return std::nullopt;
  decoded.lsn_proc = integer_field<std::uint64_t>(offset, "lsn_proc");
  decoded.lsn_commit = integer_field<std::uint64_t>(offset, "lsn_commit");
  decoded.tx_id = integer_field<std::int64_t>(offset, "txId");
  decoded.ts_usec = integer_field<std::int64_t>(offset, "ts_usec");
  decoded.message_type = offset.value("messageType", "");
  decoded.events_processed = integer_field<std::int64_t>(offset, "lsn_events_processed");
  if (const auto it = offset.find("snapshot"); it != offset.end()) {
    if (it->is_string()) decoded.snapshot = it->get<std::string>();
    else if (it->is_boolean() && it->get<bool>()) decoded.snapshot = "INITIAL";  // older Debezium wrote true
  }
  decoded.last_snapshot_record = offset.value("last_snapshot_record", false);
  decoded.snapshot_completed = offset.value("snapshot_completed", false);
  return decoded;
}

std::string encode_postgres_offset(const PostgresOffset& offset) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  const auto put = [&](const char* key, const auto& value) {
    if (value) out[key] = *value;
  };
  if (!offset.snapshot.empty()) {
    out["last_snapshot_record"] = offset.last_snapshot_record;
    put("lsn", offset.lsn);
    put("txId", offset.tx_id);
    put("ts_usec", offset.ts_usec);
    out["snapshot"] = offset.snapshot;
    out["snapshot_completed"] = offset.snapshot_completed;
  } else {
    put("lsn_proc", offset.lsn_proc);
    put("lsn_commit", offset.lsn_commit);
    put("lsn", offset.lsn);
    put("txId", offset.tx_id);
    put("ts_usec", offset.ts_usec);
    if (!offset.message_type.empty()) out["messageType"] = offset.message_type;
    put("lsn_events_processed", offset.events_processed);
  }
  // Debezium's offset is a java.util.HashMap, which the JSON converter
  // writes in the map's iteration order.
  std::vector<std::string> keys;
  for (const auto& item : out.items()) keys.push_back(item.key());
  nlohmann::ordered_json ordered = nlohmann::ordered_json::object();
  for (const auto index : java_hash_map_order(keys)) ordered[keys[index]] = out[keys[index]];
  return ordered.dump();
}

json postgres_offset_partition(const std::string& topic_prefix) { return {{"server", topic_prefix}}; }

ResumePoint resume_point(const PostgresOffset& offset) {
  ResumePoint point;
  point.snapshot_unfinished = !offset.snapshot.empty() && !offset.snapshot_completed;
  // As Debezium: start at lsn_proc (else lsn); what committed at or before
  // lsn_commit (else lsn_proc) was delivered.
  point.start = offset.lsn_proc.value_or(offset.lsn.value_or(0));
  point.delivered_through = offset.lsn_commit.value_or(offset.lsn_proc.value_or(0));
  if (!offset.snapshot.empty()) point.delivered_through = 0;
  // The last event sent lies after the last commit: the offset was stored
  // inside the transaction that commits next.
  if (offset.snapshot.empty() && offset.lsn && offset.lsn_commit && *offset.lsn > *offset.lsn_commit) {
    point.inside = ResumeInsideTransaction{offset.tx_id, *offset.lsn, offset.events_processed};
    // Stored at the transaction's BEGIN (with transaction metadata on): no
    // event was sent yet, though BEGIN's position is its first change's.
    if (offset.message_type == "BEGIN") point.inside->events_at_lsn = 0;
  }
  return point;
}

}  // namespace cdcctl::cdc
