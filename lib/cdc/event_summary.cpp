#include "cdc/event_summary.hpp"

#include <nlohmann/json.hpp>

#include "core/bytes.hpp"

namespace cdcctl::cdc {

namespace {

// Ordered, so keys and rows show their columns in the order Debezium wrote them.
using json = nlohmann::ordered_json;

std::string compact(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

// The JSON converter with schemas.enable=true writes {"schema":…,"payload":…}.
const json& unwrap(const json& document) {
  if (document.is_object() && document.size() == 2 && document.contains("schema") && document.contains("payload")) {
    return document["payload"];
  }
  return document;
}

std::string bytes_text(std::string_view bytes) {
  if (is_printable_utf8(bytes)) return compact(json(std::string(bytes)));
  return "base64:" + base64_encode(bytes);
}

// "prefix.schema.table" → "schema.table"; other names as they are.
std::string table_from_topic(std::string_view topic) {
  const auto first = topic.find('.');
  if (first == std::string_view::npos) return std::string(topic);
  const auto rest = topic.substr(first + 1);
  return rest.find('.') == std::string_view::npos ? std::string(topic) : std::string(rest);
}

std::string text_of(const json& object, const char* field) {
  if (!object.is_object() || !object.contains(field) || !object[field].is_string()) return {};
  return object[field].get<std::string>();
}

std::optional<std::int64_t> number_of(const json& object, const char* field) {
  if (!object.is_object() || !object.contains(field) || !object[field].is_number_integer()) return std::nullopt;
  return object[field].get<std::int64_t>();
}

void summarize_change(EventSummary& event, const json& payload, std::string_view topic) {
  event.kind = EventSummary::Kind::Change;
  event.op = payload["op"].get<std::string>();
  const json& source = payload.contains("source") ? payload["source"] : json();
  auto schema = text_of(source, "schema");
  if (schema.empty()) schema = text_of(source, "db");  // MySQL names the database instead
  const auto table = text_of(source, "table");
  event.table = table.empty() ? table_from_topic(topic) : (schema.empty() ? table : schema + "." + table);
  event.ts_ms = number_of(payload, "ts_ms");
  const json& before = payload.contains("before") ? payload["before"] : json();
  const json& after = payload.contains("after") ? payload["after"] : json();
  if (event.op == "u" && before.is_object() && after.is_object()) {
    for (const auto& [column, value] : after.items()) {
      if (!before.contains(column)) event.changes.push_back({column, "?", compact(value)});
      else if (before[column] != value) event.changes.push_back({column, compact(before[column]), compact(value)});
    }
    return;
  }
  if (event.op == "d") {
    if (before.is_object()) event.row = compact(before);
    return;
  }
  if (after.is_object()) event.row = compact(after);
  if (event.op == "u") event.detail = "old values not captured (REPLICA IDENTITY DEFAULT)";
}

}  // namespace

std::string_view kind_name(EventSummary::Kind kind) {
  switch (kind) {
    case EventSummary::Kind::Change: return "change";
    case EventSummary::Kind::Tombstone: return "tombstone";
    case EventSummary::Kind::Heartbeat: return "heartbeat";
    case EventSummary::Kind::Transaction: return "transaction";
    case EventSummary::Kind::Other: break;
  }
  return "other";
}

EventSummary summarize_event(std::string_view topic, std::optional<std::string_view> key,
                             std::optional<std::string_view> value) {
  EventSummary event;
  event.table = table_from_topic(topic);
  event.key = "null";
  if (key) {
    const auto parsed = json::parse(key->begin(), key->end(), nullptr, false);
    event.key = parsed.is_discarded() ? bytes_text(*key) : compact(unwrap(parsed));
  }
  if (!value) {
    event.kind = EventSummary::Kind::Tombstone;
    return event;
  }
  const auto parsed = json::parse(value->begin(), value->end(), nullptr, false);
  if (parsed.is_discarded()) {
    event.detail = "not JSON (" + std::to_string(value->size()) + " bytes)";
    return event;
  }
  const json& payload = unwrap(parsed);
  if (payload.is_null()) {
    event.kind = EventSummary::Kind::Tombstone;
    return event;
  }
  if (payload.is_object() && payload.contains("op") && payload["op"].is_string()) {
    summarize_change(event, payload, topic);
    return event;
  }
  const auto status = text_of(payload, "status");
  if ((status == "BEGIN" || status == "END") && payload.contains("id")) {
    event.kind = EventSummary::Kind::Transaction;
    event.op = status;
    event.ts_ms = number_of(payload, "ts_ms");
    event.detail = "tx " + text_of(payload, "id");
    if (const auto count = number_of(payload, "event_count")) event.detail += " (" + std::to_string(*count) + " events)";
    return event;
  }
  if (topic.starts_with("__debezium-heartbeat") ||
      (payload.is_object() && payload.size() == 1 && payload.contains("ts_ms"))) {
    event.kind = EventSummary::Kind::Heartbeat;
    event.ts_ms = number_of(payload, "ts_ms");
    return event;
  }
  event.detail = "not a Debezium change event";
  return event;
}

std::string event_line(const EventSummary& event, std::size_t max_width) {
  std::string line;
  switch (event.kind) {
    case EventSummary::Kind::Change: {
      line = event.op + "  " + event.table + "  " + event.key;
      if (event.op == "u" && !event.changes.empty()) {
        std::string changes;
        for (const auto& change : event.changes) {
          changes += (changes.empty() ? "" : ", ") + change.column + ": " + change.before + " → " + change.after;
        }
        line += "  " + changes;
      } else if (event.op == "u" && event.row.empty()) {
        line += "  (no column changed)";
      } else if (event.op == "t") {
        line += "  TRUNCATE";
      } else if (!event.row.empty()) {
        line += "  " + event.row;
      } else if (event.op == "d") {
        line += "  (old row not captured)";
      }
      if (!event.detail.empty() && event.op == "u" && event.changes.empty()) line += "  [" + event.detail + "]";
      break;
    }
    case EventSummary::Kind::Tombstone: line = "-  " + event.table + "  " + event.key + "  tombstone"; break;
    case EventSummary::Kind::Heartbeat: line = "heartbeat"; break;
    case EventSummary::Kind::Transaction: line = event.op + "  " + event.detail; break;
    case EventSummary::Kind::Other: line = "?  " + event.table + "  " + event.detail; break;
  }
  if (max_width > 0 && line.size() > max_width) {
    line = std::string(truncate_utf8(line, max_width > 1 ? max_width - 1 : max_width)) + "…";
  }
  return line;
}

}  // namespace cdcctl::cdc
