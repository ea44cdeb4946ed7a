#pragma once
// Debezium PostgreSQL change events as the JSON converter writes them
// (reference §2.2–2.6): the topic name, the key (the primary-key struct, or
// none), and the value envelope — before, after, source, transaction, op,
// ts_ms/ts_us/ts_ns — with or without the {"schema", "payload"} wrapper.
// Schemas are built once per table; each event only renders its payload.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cdc/connect_schema.hpp"
#include "core/error.hpp"
#include "cdc/pg_types.hpp"

namespace cdcctl::cdc {

struct ColumnDef {
  std::string name{};
  PgColumnType type{};
  bool optional = true;  // NULL allowed
  bool key = false;      // part of the primary key
  // The column's DEFAULT as PostgreSQL prints it (pg_get_expr): a literal
  // becomes the schema's default; expressions such as now() are ignored.
  std::optional<std::string> default_expression{};
  std::optional<std::string> comment{};  // COMMENT ON COLUMN: the field schema's doc
};

// The text of a column's schema default as Debezium's PostgreSQL connector
// reads it from a DEFAULT (or generation) expression, to be converted like a
// value of the column's type; nullopt where Debezium gives no default.
// Debezium does not evaluate expressions: a constant gives its text (the
// first quoted literal, or the raw text), a function call or CURRENT_* gives
// a placeholder of the type (0, "", 1970-01-01, the nil UUID, "{}"), and a
// type it has no mapper for (bytea, inet, money, domains, arrays…) none.
std::optional<std::string> default_value_text(const std::string& expression, const PgColumnType& type);

struct TableDef {
  std::string schema{};
  std::string table{};
  std::vector<ColumnDef> columns{};
};

// A column value cdcctl could not convert: which column, the value (cut to
// 200 bytes) and why. Error (failed), so it ends a connector unless
// errors.tolerance says otherwise.
class ConversionError : public Error {
 public:
  ConversionError(std::string table, std::string column, std::string value, const std::string& why)
      : Error(Error::failed("cannot convert " + table + "." + column + ": " + why)),
        table_(std::move(table)), column_(std::move(column)), value_(std::move(value)), reason_(why) {}
  const std::string& table() const { return table_; }
  const std::string& column() const { return column_; }
  const std::string& value() const { return value_; }
  const std::string& reason() const { return reason_; }

 private:
  std::string table_, column_, value_, reason_;
};

struct EventOptions {
  std::string topic_prefix{};
  // The Debezium release whose event shape cdcctl writes (source.version):
  // the one its differential test runs against (tests/real/pom.xml).
  std::string connector_version = "3.6.1.Final";
  bool schema_comments = false;  // include.schema.comments: column comments as the schema's doc
  // A fault for tests (see WorkerOptions::unconvertible): the value `text` of
  // column "schema.table.column" fails to convert as if it could not be read.
  std::optional<std::pair<std::string, std::string>> unconvertible{};
  TypeMappingOptions types{};
  bool key_schemas = true;    // key.converter.schemas.enable
  bool value_schemas = true;  // value.converter.schemas.enable
};

// "<prefix>.<schema>.<table>", characters outside [A-Za-z0-9._-] as '_'.
std::string topic_name(const std::string& prefix, const std::string& schema, const std::string& table);

// One column's value in a row: NULL, its text, or PostgreSQL's "unchanged
// TOAST value" that pgoutput did not send.
struct Cell {
  enum class Kind { Null, Text, Unavailable } kind = Kind::Null;
  std::string text{};
  static Cell null() { return {}; }
  static Cell of(std::string value) { return {Kind::Text, std::move(value)}; }
  static Cell unavailable() { return {Kind::Unavailable, {}}; }
};
using Row = std::vector<Cell>;

// What Debezium writes for a value PostgreSQL did not send.
inline constexpr const char* kUnavailableValue = "__debezium_unavailable_value";

struct SourceInfo {
  std::int64_t ts_us = 0;                 // commit time (a read's time during a snapshot), µs since 1970
  std::string snapshot = "false";         // true, first, first_in_data_collection, last_in_data_collection, last, false
  std::string database{};
  std::optional<std::uint64_t> last_commit_lsn{};  // sequence[0]
  std::optional<std::uint64_t> lsn{};              // this event's LSN (sequence[1], lsn)
  std::optional<std::int64_t> tx_id{};
};

struct TransactionBlock {
  std::string id{};  // "<xid>:<LSN>"
  std::int64_t total_order = 0;
  std::int64_t data_collection_order = 0;
};

struct ChangeEvent {
  char op = 'c';  // r, c, u, d
  std::optional<Row> before{};
  std::optional<Row> after{};
  SourceInfo source{};
  std::int64_t processed_ns = 0;  // the connector's clock: the envelope's ts_ms/ts_us/ts_ns
  std::optional<TransactionBlock> transaction{};
};

class EventEncoder {
 public:
  EventEncoder(TableDef table, EventOptions options);

  const std::string& topic() const { return topic_; }
  bool has_key() const { return !key_columns_.empty(); }
  // The record key; nullopt for a table without a primary key (null key).
  // snapshot: the row was read by the snapshot (see TypeMappingOptions::snapshot_read).
  std::optional<std::string> key(const Row& row, bool snapshot = false) const;
  // The key's payload alone, as Kafka Connect's default header converter
  // writes a key struct into a header (Debezium's __debezium.oldkey/newkey).
  std::optional<std::string> key_payload(const Row& row, bool snapshot = false) const;
  // The record value of a change event (a tombstone is a null value, not this).
  std::string value(const ChangeEvent& event) const;

  const ConnectSchema& value_schema() const { return envelope_; }

  // How a column's text becomes JSON without the general type mapping.
  enum class FastKind { Integer, Boolean, Text, ZonedTimestamp, Other };

 private:
  void append_cell(std::string& out, std::size_t index, const Cell& cell, bool snapshot) const;
  // Throws ConversionError naming the column and value when it cannot.
  void append_text_value(std::string& out, std::size_t index, const std::string& text, bool snapshot) const;
  void append_converted(std::string& out, std::size_t index, const std::string& text, bool snapshot) const;
  std::string key_text(const Row& row, bool snapshot) const;
  void append_row(std::string& out, const std::optional<Row>& row, bool snapshot) const;
  void append_source(std::string& out, const SourceInfo& source) const;

  TableDef table_;
  EventOptions options_;
  TypeMappingOptions snapshot_types_;  // options_.types for rows a snapshot read
  std::string topic_;
  std::vector<std::size_t> key_columns_;
  ConnectSchema key_schema_;
  ConnectSchema envelope_;
  std::string key_schema_text_;  // rendered once: most of a record's bytes with schemas on
  std::string envelope_text_;
  std::vector<std::string> column_keys_;  // "name": per column, escaped once
  std::vector<FastKind> fast_kinds_;      // per column
  std::string source_prefix_;             // the source block's constant start
  std::string source_table_;              // ,"schema":…,"table":…
  // Caches of the hot path. An encoder serves one capture thread: value() is
  // const but updates them, so it is not for concurrent use.
  // What to reserve for the next value (the last one's size and a margin).
  mutable std::size_t value_size_hint_ = 0;
  // A source string (the snapshot marker, the database) and its JSON, quoted
  // again only when it changes.
  struct QuotedString {
    std::string last{};
    std::string json{};
    const std::string& of(const std::string& text);
  };
  mutable QuotedString snapshot_json_;
  mutable QuotedString database_json_;
};

// Debezium's io.debezium.connector.postgresql.Source schema (reference §2.4).
ConnectSchema postgres_source_schema();

// A record Debezium writes beside the change events: heartbeats and
// transaction metadata always have a key and a value.
struct AuxiliaryRecord {
  std::string topic{};
  std::string key{};
  std::string value{};
};

// A heartbeat (reference §2.9): key ServerNameKey {serverName}, value
// Heartbeat {ts_ms}, on "__debezium-heartbeat.<prefix>".
AuxiliaryRecord heartbeat_record(const EventOptions& options, std::int64_t now_ms);

struct DataCollectionCount {
  std::string data_collection{};  // "schema.table"
  std::int64_t event_count = 0;
};

// Transaction metadata (reference §2.10) on "<prefix>.transaction": BEGIN
// carries no counts, END the event count overall and per table.
AuxiliaryRecord transaction_begin_record(const EventOptions& options, const std::string& id, std::int64_t ts_ms);
AuxiliaryRecord transaction_end_record(const EventOptions& options, const std::string& id, std::int64_t ts_ms,
                                       std::int64_t event_count, const std::vector<DataCollectionCount>& collections);

// A logical decoding message (pg_logical_emit_message) on "<prefix>.message"
// (reference §2.5): key MessageKey {prefix}, value MessageValue {op "m",
// ts_ms, source (no schema or table), transaction, message {prefix, content as bytes}}.
struct LogicalMessageEvent {
  std::string prefix{};
  std::string content{};
  SourceInfo source{};
  std::optional<TransactionBlock> transaction{};  // with transaction metadata, inside a transaction
  std::int64_t processed_ms = 0;  // the connector's clock: ts_ms
};
AuxiliaryRecord logical_message_record(const EventOptions& options, const LogicalMessageEvent& event);

}  // namespace cdcctl::cdc
