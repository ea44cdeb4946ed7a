#include "cdc/debezium_event.hpp"

#include <algorithm>
#include <charconv>
#include <cctype>
#include <regex>
#include <set>

#include "core/bytes.hpp"
#include "core/text.hpp"

namespace cdcctl::cdc {

namespace {

ConnectSchema field(const std::string& type, bool optional) {
  ConnectSchema schema;
  schema.type = type;
  schema.optional = optional;
  return schema;
}

ConnectSchema transaction_schema() {
  ConnectSchema schema = field("struct", true);
  schema.name = "event.block";
  schema.version = 1;
  schema.fields = {{"id", field("string", false)}, {"total_order", field("int64", false)},
                   {"data_collection_order", field("int64", false)}};
  return schema;
}

// A JSON string as nlohmann's dump() writes it (UTF-8 kept, control
// characters escaped), without building a json value per string.
void append_json_string(std::string& out, std::string_view text) {
  if (!is_valid_utf8(text)) {
    out += OrderedJson(std::string(text)).dump();  // reports the bad bytes as dump() does
    return;
  }
  append_json_quoted(out, text);
}

// A decimal integer, written in place (std::to_string would allocate).
template <typename Integer>
void append_integer(std::string& out, Integer value) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, static_cast<std::size_t>(end - digits));
}

// One instant in several units (ts_ms, ts_us, ts_ns): rendered once, as the
// digits of a coarser unit are a prefix of the finer one's.
class InstantDigits {
 public:
  explicit InstantDigits(std::int64_t value) : value_(value) {
    length_ = static_cast<std::size_t>(std::to_chars(digits_, digits_ + sizeof digits_, value).ptr - digits_);
  }
  // value / 10^drop, as integer division rounds it.
  void append_divided(std::string& out, std::size_t drop) const {
    if (value_ < 0) {
      std::int64_t divided = value_;
      for (std::size_t i = 0; i < drop; ++i) divided /= 10;
      append_integer(out, divided);
    } else if (length_ > drop) {
      out.append(digits_, length_ - drop);
    } else {
      out += '0';
    }
  }
  void append(std::string& out) const { out.append(digits_, length_); }

 private:
  std::int64_t value_;
  char digits_[24];
  std::size_t length_ = 0;
};

// A missing cell (a row shorter than the table) reads as NULL; one object, so
// choosing between it and a row's cell copies neither.
const Cell kNullCell{};

// What Debezium writes for a NULL in a column its schema says cannot be
// null (the old row of a delete under REPLICA IDENTITY DEFAULT holds only
// the key): the column's default, else the type's zero value.
OrderedJson fallback_value(const ConnectSchema& schema) {
  if (schema.default_value) return *schema.default_value;
  if (schema.name == "io.debezium.time.ZonedTimestamp") return "1970-01-01T00:00:00Z";
  if (schema.name == "org.apache.kafka.connect.data.Decimal") return "AA==";  // an unscaled 0
  if (schema.type == "boolean") return false;
  if (schema.type == "string" || schema.type == "bytes") return "";
  if (schema.type == "array") return OrderedJson::array();
  if (schema.type == "float" || schema.type == "double") return 0.0;
  if (schema.type == "struct") return nullptr;
  return 0;  // integers, and dates and times counted from the epoch
}

// The placeholder for an unchanged TOAST value, in the column's own type.
OrderedJson unavailable_value(const ConnectSchema& schema) {
  if (schema.type == "bytes") return base64_encode(kUnavailableValue);
  if (schema.type == "array") return OrderedJson::array({kUnavailableValue});
  return kUnavailableValue;
}

// The JSON converter's record: the payload alone, or {"schema":…,"payload":…}
// with the schema's text rendered once per table rather than once per event.
std::string wrap_text(const std::string& schema_text, std::string body, bool with_schema) {
  if (!with_schema) return body;
  std::string out;
  out.reserve(schema_text.size() + body.size() + 24);
  append_literal(out, "{\"schema\":");
  out += schema_text;
  append_literal(out, ",\"payload\":");
  out += body;
  out += '}';
  return out;
}

// The event.block of transaction metadata, or null.
void append_transaction_block(std::string& out, const std::optional<TransactionBlock>& block) {
  if (!block) {
    append_literal(out, "null");
    return;
  }
  append_literal(out, "{\"id\":");
  append_json_string(out, block->id);
  append_literal(out, ",\"total_order\":");
  append_integer(out, block->total_order);
  append_literal(out, ",\"data_collection_order\":");
  append_integer(out, block->data_collection_order);
  out += '}';
}

std::string wrap(const std::string& schema_text, const OrderedJson& payload, bool with_schema) {
  return wrap_text(schema_text, payload.dump(), with_schema);
}

// The source block's constant start, up to its ts_ms value, and its
// schema/table members: rendered once per table by the encoder.
std::string source_prefix_text(const EventOptions& options) {
  std::string out = "{\"version\":";
  append_json_string(out, options.connector_version);
  append_literal(out, ",\"connector\":\"postgresql\",\"name\":");
  append_json_string(out, options.topic_prefix);
  append_literal(out, ",\"ts_ms\":");
  return out;
}

std::string source_table_text(const std::string& schema, const std::string& table) {
  std::string out = ",\"schema\":";
  append_json_string(out, schema);
  append_literal(out, ",\"table\":");
  append_json_string(out, table);
  return out;
}

// The source block's snapshot marker and database, as JSON strings: the same
// from one event to the next, so an encoder keeps the last ones quoted.
struct SourceStrings {
  std::string_view snapshot_json;
  std::string_view database_json;
};

void append_source_block(std::string& out, const std::string& prefix_text, const SourceInfo& source,
                         const std::string& table_text, const SourceStrings& strings) {
  const InstantDigits ts_us(source.ts_us);
  out += prefix_text;  // {"version":…,"connector":"postgresql","name":…,"ts_ms":
  ts_us.append_divided(out, 3);
  append_literal(out, ",\"snapshot\":");
  out += strings.snapshot_json;
  append_literal(out, ",\"db\":");
  out += strings.database_json;
  // sequence: a JSON array of decimal LSN strings, itself in a JSON string.
  append_literal(out, ",\"sequence\":\"[");
  const auto lsn_text = [&](const std::optional<std::uint64_t>& lsn) {
    if (!lsn) {
      append_literal(out, "null");
      return;
    }
    append_literal(out, "\\\"");
    append_integer(out, *lsn);
    append_literal(out, "\\\"");
  };
  lsn_text(source.last_commit_lsn);
  out += ',';
  lsn_text(source.lsn);
  append_literal(out, "]\",\"ts_us\":");
  ts_us.append(out);
  append_literal(out, ",\"ts_ns\":");
  if (source.ts_us > 0) {
    ts_us.append(out);
    append_literal(out, "000");
  } else {
    append_integer(out, source.ts_us * 1000);
  }
  out += table_text;  // ,"schema":…,"table":…
  append_literal(out, ",\"txId\":");
  if (source.tx_id) append_integer(out, *source.tx_id);
  else append_literal(out, "null");
  append_literal(out, ",\"lsn\":");
  if (source.lsn) append_integer(out, *source.lsn);
  else append_literal(out, "null");
  // Debezium 3.5+ names the replication origin of the change; pgoutput
  // sends an Origin message only for changes replayed from another node,
  // which a slot without origin filtering passes on as local ones.
  append_literal(out, ",\"xmin\":null,\"origin\":null,\"origin_lsn\":null}");
}

}  // namespace

std::string topic_name(const std::string& prefix, const std::string& schema, const std::string& table) {
  const std::string name = prefix + "." + schema + "." + table;
  std::string topic;
  for (const char c : name) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    // One '_' per character, as Debezium replaces Java chars: UTF-8
    // continuation bytes add nothing.
    if (allowed) topic += c;
    else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) topic += '_';
  }
  return topic;
}

ConnectSchema postgres_source_schema() {
  ConnectSchema schema = field("struct", false);
  schema.name = "io.debezium.connector.postgresql.Source";
  schema.version = 1;
  ConnectSchema snapshot = field("string", true);
  snapshot.name = "io.debezium.data.Enum";
  snapshot.version = 1;
  snapshot.parameters = {{"allowed", "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental"}};
  snapshot.default_value = "false";
  schema.fields = {{"version", field("string", false)}, {"connector", field("string", false)},
                   {"name", field("string", false)},    {"ts_ms", field("int64", false)},
                   {"snapshot", snapshot},              {"db", field("string", false)},
                   {"sequence", field("string", true)}, {"ts_us", field("int64", true)},
                   {"ts_ns", field("int64", true)},     {"schema", field("string", false)},
                   {"table", field("string", false)},   {"txId", field("int64", true)},
                   {"lsn", field("int64", true)},       {"xmin", field("int64", true)},
                   {"origin", field("string", true)},   {"origin_lsn", field("int64", true)}};
  return schema;
}

namespace {

EventEncoder::FastKind fast_kind(const PgColumnType& type) {
  using Kind = EventEncoder::FastKind;
  if (!type.enum_labels.empty() || type.element_oid != 0 || array_element(type.oid) != 0 || !type.name.empty()) {
    return Kind::Other;
  }
  switch (type.oid) {
    case oid::kInt2:
    case oid::kInt4:
    case oid::kInt8: return Kind::Integer;
    case oid::kBool: return Kind::Boolean;
    case oid::kText:
    case oid::kVarchar:
    case oid::kBpchar:
    case oid::kName: return Kind::Text;
    case oid::kTimestamptz: return Kind::ZonedTimestamp;
    default: return Kind::Other;
  }
}

}  // namespace

EventEncoder::EventEncoder(TableDef table, EventOptions options)
    : table_(std::move(table)), options_(std::move(options)), snapshot_types_(options_.types) {
  snapshot_types_.snapshot_read = true;
  topic_ = topic_name(options_.topic_prefix, table_.schema, table_.table);
  ConnectSchema row = field("struct", true);
  row.name = topic_ + ".Value";
  key_schema_ = field("struct", false);
  key_schema_.name = topic_ + ".Key";
  for (std::size_t i = 0; i < table_.columns.size(); ++i) {
    const auto& column = table_.columns[i];
    auto schema = column_schema(column.type, column.optional, options_.types);
    if (column.comment) schema.doc = *column.comment;
    if (column.default_expression) {
      if (const auto literal = default_value_text(*column.default_expression, column.type)) {
        try {
          auto value = column_value(column.type, *literal, options_.types);
          if (!value.is_null()) schema.default_value = std::move(value);
        } catch (const std::exception&) {
          // Not a value of the column's type after all: no default, as Debezium does.
        }
      }
    }
    row.fields.emplace_back(column.name, std::move(schema));
    if (column.key) {
      key_columns_.push_back(i);
      auto key_schema = column_schema(column.type, false, options_.types);
      if (column.comment) key_schema.doc = *column.comment;
      key_schema.default_value = row.fields.back().second.default_value;
      key_schema_.fields.emplace_back(column.name, std::move(key_schema));
    }
  }
  envelope_ = field("struct", false);
  envelope_.name = topic_ + ".Envelope";
  envelope_.version = 2;
  envelope_.fields = {{"before", row},
                      {"after", row},
                      {"source", postgres_source_schema()},
                      {"transaction", transaction_schema()},
                      {"op", field("string", false)},
                      {"ts_ms", field("int64", true)},
                      {"ts_us", field("int64", true)},
                      {"ts_ns", field("int64", true)}};
  for (const auto& column : table_.columns) {
    std::string key;
    append_json_string(key, column.name);
    column_keys_.push_back(key + ":");
    fast_kinds_.push_back(fast_kind(column.type));
  }
  source_prefix_ = source_prefix_text(options_);
  source_table_ = source_table_text(table_.schema, table_.table);
  key_schema_text_ = key_schema_.to_json().dump();
  envelope_text_ = envelope_.to_json().dump();
}

void EventEncoder::append_cell(std::string& out, std::size_t index, const Cell& cell, bool snapshot) const {
  const auto& column = table_.columns[index];
  switch (cell.kind) {
    case Cell::Kind::Null: {
      // Kafka Connect's JSON converter writes a null as the field's default
      // when it has one (replace.null.with.default, true by default).
      const auto& field_schema = envelope_.fields[0].second.fields[index].second;
      if (field_schema.default_value) out += field_schema.default_value->dump();
      else out += column.optional ? "null" : fallback_value(field_schema).dump();
      return;
    }
    case Cell::Kind::Unavailable: out += unavailable_value(envelope_.fields[0].second.fields[index].second).dump(); return;
    case Cell::Kind::Text: break;
  }
  append_text_value(out, index, cell.text, snapshot);
}

void EventEncoder::append_text_value(std::string& out, std::size_t index, const std::string& text, bool snapshot) const {
  try {
    if (options_.unconvertible && options_.unconvertible->second == text &&
        options_.unconvertible->first == table_.schema + "." + table_.table + "." + table_.columns[index].name) {
      throw Error::failed("cannot read '" + text + "' (an injected fault)");
    }
    append_converted(out, index, text, snapshot);
  } catch (const Error& error) {
    // Which value, where: what an operator needs to find the row.
    std::string shown(truncate_utf8(text, 200));
    if (shown.size() < text.size()) shown += "… (" + std::to_string(text.size()) + " bytes)";
    throw ConversionError(table_.schema + "." + table_.table, table_.columns[index].name, shown, error.detail());
  }
}

void EventEncoder::append_converted(std::string& out, std::size_t index, const std::string& text, bool snapshot) const {
  // The common types written straight from PostgreSQL's text, which mostly
  // already is their JSON form; the rest through the type mapping.
  switch (fast_kinds_[index]) {
    case FastKind::Integer:
      if (!text.empty() && text.find_first_not_of("-0123456789") == std::string::npos) {
        out += text;
        return;
      }
      break;
    case FastKind::Boolean:
      if (text == "t" || text == "f") {
        out += text == "t" ? "true" : "false";
        return;
      }
      break;
    case FastKind::Text: append_json_string(out, text); return;
    case FastKind::ZonedTimestamp:
      out += '"';
      out += zoned_timestamp_value(table_.columns[index].type, text);  // ASCII: nothing to escape
      out += '"';
      return;
    case FastKind::Other: break;
  }
  out += column_value(table_.columns[index].type, text, snapshot ? snapshot_types_ : options_.types).dump();
}

void EventEncoder::append_row(std::string& out, const std::optional<Row>& row, bool snapshot) const {
  if (!row) {
    append_literal(out, "null");
    return;
  }
  out += '{';
  for (std::size_t i = 0; i < table_.columns.size(); ++i) {
    if (i > 0) out += ',';
    out += column_keys_[i];
    append_cell(out, i, i < row->size() ? (*row)[i] : kNullCell, snapshot);
  }
  out += '}';
}

const std::string& EventEncoder::QuotedString::of(const std::string& text) {
  if (json.empty() || text != last) {
    last = text;
    json.clear();
    append_json_string(json, text);
  }
  return json;
}

void EventEncoder::append_source(std::string& out, const SourceInfo& source) const {
  append_source_block(out, source_prefix_, source, source_table_,
                      {snapshot_json_.of(source.snapshot), database_json_.of(source.database)});
}

std::string EventEncoder::key_text(const Row& row, bool snapshot) const {
  // Written straight into a string, like the value: once per change.
  std::string out = "{";
  for (const auto index : key_columns_) {
    if (out.size() > 1) out += ',';
    out += column_keys_[index];
    const auto& cell = index < row.size() ? row[index] : kNullCell;
    if (cell.kind == Cell::Kind::Text) {
      append_text_value(out, index, cell.text, snapshot);
    } else {
      append_literal(out, "null");
    }
  }
  out += '}';
  return out;
}

std::optional<std::string> EventEncoder::key(const Row& row, bool snapshot) const {
  if (key_columns_.empty()) return std::nullopt;
  return wrap_text(key_schema_text_, key_text(row, snapshot), options_.key_schemas);
}

std::optional<std::string> EventEncoder::key_payload(const Row& row, bool snapshot) const {
  if (key_columns_.empty()) return std::nullopt;
  return key_text(row, snapshot);
}

std::optional<std::string> default_value_text(const std::string& expression, const PgColumnType& type) {
  if (type.domain || type.element_oid != 0 || array_element(type.oid) != 0) return std::nullopt;
  // The placeholder Debezium puts for a computed default, by type; types
  // without an entry have no default mapper.
  std::optional<std::string> placeholder;
  bool null_cast_is_null = false;  // "NULL::type" means no default
  if (!type.enum_labels.empty()) {
    // An enum's default is 'label'::type, nothing else.
    const auto cast = expression.rfind("::");
    if (cast == std::string::npos || expression.size() < 2 || expression.front() != '\'' || expression[cast - 1] != '\'') {
      return std::nullopt;
    }
    return expression.substr(1, cast - 2);
  }
  if (!type.name.empty()) return std::nullopt;  // an extension's type (hstore, citext, ltree…)
  switch (type.oid) {
    case oid::kBit: placeholder = "00"; break;
    case oid::kVarbit: placeholder = "0"; break;
    case oid::kBool: placeholder = "false", null_cast_is_null = true; break;
    case oid::kBpchar:
    case oid::kVarchar:
    case oid::kText:
    case oid::kXml: placeholder = ""; break;
    case oid::kNumeric:
    case oid::kFloat4:
    case oid::kFloat8: placeholder = "0.0", null_cast_is_null = true; break;
    case oid::kInt2:
    case oid::kInt4:
    case oid::kInt8: placeholder = "0", null_cast_is_null = true; break;
    case oid::kJson:
    case oid::kJsonb: placeholder = "{}"; break;
    case oid::kUuid: placeholder = "00000000-0000-0000-0000-000000000000"; break;
    case oid::kDate:
    case oid::kTimestamp:
    case oid::kTimestamptz: placeholder = "1970-01-01"; break;
    case oid::kTime: placeholder = "00:00:00"; break;
    default: return std::nullopt;
  }
  static const std::regex function_call(R"(^[(]?[A-Za-z0-9_.]+\((?:.+(?:, ?.+)*)?\))");
  std::string lower;
  for (const char c : expression) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const std::set<std::string> current = {"current_timestamp", "current_time", "current_date", "localtime",
                                                 "localtimestamp"};
  if (std::regex_search(expression, function_call) || current.contains(lower)) return placeholder;
  if (expression.find('\'') == std::string::npos) {
    if (expression.starts_with("NULL::")) return std::nullopt;
    if (type.oid == oid::kBool) return lower == "true" ? "t" : "f";  // Boolean.parseBoolean
    return expression;
  }
  if (null_cast_is_null && expression.starts_with("NULL::")) return std::nullopt;
  // The first quoted literal, up to the next quote (a doubled quote ends it).
  const auto open = expression.find('\'');
  const auto close = expression.find('\'', open + 1);
  if (close == std::string::npos) return std::nullopt;
  auto literal = expression.substr(open + 1, close - open - 1);
  if (type.oid == oid::kBool) return ascii_lower(literal) == "true" ? "t" : "f";
  return literal;
}

std::string EventEncoder::value(const ChangeEvent& event) const {
  // Written straight into one string in the converter's field order: this is
  // the hot path of the capture, run once per change.
  // Reserved once: a string that outgrows its reservation is copied whole
  // into a new one. A table's rows are about the same size, so the last
  // value's size (and a margin) is the best guess; a first guess from the
  // schema's size fell a few bytes short for narrow tables.
  std::string out;
  out.reserve(std::max((options_.value_schemas ? envelope_text_.size() : 0) + 256 + 64 * table_.columns.size(),
                       value_size_hint_));
  if (options_.value_schemas) {
    append_literal(out, "{\"schema\":");
    out += envelope_text_;
    append_literal(out, ",\"payload\":");
  }
  const bool snapshot = event.source.snapshot != "false";
  append_literal(out, "{\"before\":");
  append_row(out, event.before, snapshot);
  append_literal(out, ",\"after\":");
  append_row(out, event.after, snapshot);
  append_literal(out, ",\"source\":");
  append_source(out, event.source);
  append_literal(out, ",\"transaction\":");
  append_transaction_block(out, event.transaction);
  append_literal(out, ",\"op\":\"");
  out += event.op;
  append_literal(out, "\",\"ts_ms\":");
  const InstantDigits processed(event.processed_ns);
  processed.append_divided(out, 6);
  append_literal(out, ",\"ts_us\":");
  processed.append_divided(out, 3);
  append_literal(out, ",\"ts_ns\":");
  processed.append(out);
  out += '}';
  if (options_.value_schemas) out += '}';
  value_size_hint_ = out.size() + out.size() / 8 + 64;
  return out;
}

namespace {

ConnectSchema named_struct(const std::string& name, std::vector<std::pair<std::string, ConnectSchema>> fields) {
  ConnectSchema schema = field("struct", false);
  schema.name = name;
  schema.version = 1;
  schema.fields = std::move(fields);
  return schema;
}

const std::string& transaction_key_schema() {
  static const std::string schema =
      named_struct("io.debezium.connector.common.TransactionMetadataKey", {{"id", field("string", false)}}).to_json().dump();
  return schema;
}

const std::string& transaction_value_schema() {
  static const std::string schema = [] {
    ConnectSchema collection = named_struct("event.collection", {{"data_collection", field("string", false)},
                                                                 {"event_count", field("int64", false)}});
    collection.optional = true;
    ConnectSchema collections = field("array", true);
    collections.items = {collection};
    return named_struct("io.debezium.connector.common.TransactionMetadataValue",
                        {{"status", field("string", false)},
                         {"id", field("string", false)},
                         {"event_count", field("int64", true)},
                         {"data_collections", collections},
                         {"ts_ms", field("int64", false)}})
        .to_json()
        .dump();
  }();
  return schema;
}

std::string transaction_key(const EventOptions& options, const std::string& id) {
  OrderedJson payload = OrderedJson::object();
  payload["id"] = id;
  return wrap(transaction_key_schema(), payload, options.key_schemas);
}

}  // namespace

AuxiliaryRecord heartbeat_record(const EventOptions& options, std::int64_t now_ms) {
  static const std::string key_schema =
      named_struct("io.debezium.connector.common.ServerNameKey", {{"serverName", field("string", false)}}).to_json().dump();
  static const std::string value_schema =
      named_struct("io.debezium.connector.common.Heartbeat", {{"ts_ms", field("int64", false)}}).to_json().dump();
  OrderedJson key = OrderedJson::object();
  key["serverName"] = options.topic_prefix;
  OrderedJson value = OrderedJson::object();
  value["ts_ms"] = now_ms;
  return {"__debezium-heartbeat." + options.topic_prefix, wrap(key_schema, key, options.key_schemas),
          wrap(value_schema, value, options.value_schemas)};
}

AuxiliaryRecord transaction_begin_record(const EventOptions& options, const std::string& id, std::int64_t ts_ms) {
  OrderedJson value = OrderedJson::object();
  value["status"] = "BEGIN";
  value["id"] = id;
  value["event_count"] = nullptr;
  value["data_collections"] = nullptr;
  value["ts_ms"] = ts_ms;
  return {options.topic_prefix + ".transaction", transaction_key(options, id),
          wrap(transaction_value_schema(), value, options.value_schemas)};
}

AuxiliaryRecord transaction_end_record(const EventOptions& options, const std::string& id, std::int64_t ts_ms,
                                       std::int64_t event_count, const std::vector<DataCollectionCount>& collections) {
  OrderedJson value = OrderedJson::object();
  value["status"] = "END";
  value["id"] = id;
  value["event_count"] = event_count;
  // Debezium counts them in a HashMap keyed by the collection's name.
  std::vector<std::string> names;
  for (const auto& collection : collections) names.push_back(collection.data_collection);
  OrderedJson list = OrderedJson::array();
  for (const auto index : java_hash_map_order(names)) {
    const auto& collection = collections[index];
    OrderedJson entry = OrderedJson::object();
    entry["data_collection"] = collection.data_collection;
    entry["event_count"] = collection.event_count;
    list.push_back(std::move(entry));
  }
  value["data_collections"] = std::move(list);
  value["ts_ms"] = ts_ms;
  return {options.topic_prefix + ".transaction", transaction_key(options, id),
          wrap(transaction_value_schema(), value, options.value_schemas)};
}

AuxiliaryRecord logical_message_record(const EventOptions& options, const LogicalMessageEvent& event) {
  static const std::string key_schema =
      named_struct("io.debezium.connector.postgresql.MessageKey", {{"prefix", field("string", true)}}).to_json().dump();
  static const std::string value_schema = [] {
    auto schema = named_struct("io.debezium.connector.postgresql.MessageValue",
                               {{"op", field("string", false)},
                                {"ts_ms", field("int64", true)},
                                {"source", postgres_source_schema()},
                                {"transaction", transaction_schema()},  // since Debezium 3.0
                                {"message", named_struct("io.debezium.connector.postgresql.Message",
                                                         {{"prefix", field("string", true)}, {"content", field("bytes", true)}})}});
    return schema.to_json().dump();
  }();
  OrderedJson key = OrderedJson::object();
  key["prefix"] = event.prefix;
  std::string value = "{\"op\":\"m\",\"ts_ms\":";
  value += std::to_string(event.processed_ms);
  value += ",\"source\":";
  // Not a table's event: the source names none.
  std::string snapshot_json, database_json;
  append_json_string(snapshot_json, event.source.snapshot);
  append_json_string(database_json, event.source.database);
  append_source_block(value, source_prefix_text(options), event.source, source_table_text("", ""),
                      {snapshot_json, database_json});
  value += ",\"transaction\":";
  append_transaction_block(value, event.transaction);
  value += ",\"message\":{\"prefix\":";
  append_json_string(value, event.prefix);
  value += ",\"content\":\"";
  value += base64_encode(event.content);
  value += "\"}}";
  return {options.topic_prefix + ".message", wrap(key_schema, key, options.key_schemas),
          wrap_text(value_schema, std::move(value), options.value_schemas)};
}

}  // namespace cdcctl::cdc
