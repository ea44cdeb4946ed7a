#include "engine/change_mapper.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <random>

#include "core/error.hpp"

namespace cdcctl::engine {

namespace {

std::string transaction_id(std::uint32_t xid, pg::Lsn lsn) { return std::to_string(xid) + ":" + std::to_string(lsn); }

// Debezium counts a transactional logical decoding message under an object
// of this class, which its END record names by Object.toString(): the class
// and an identity hash that differs from run to run.
constexpr const char* kMessageCollectionClass =
    "io.debezium.connector.postgresql.LogicalDecodingMessageMonitor$LogicalDecodingMessageId@";

// A random version-4 UUID (RFC 9562 §5.4).
std::string random_uuid() {
  std::random_device random;
  std::array<unsigned char, 16> bytes{};
  for (auto& byte : bytes) byte = static_cast<unsigned char>(random());
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0F) | 0x40);
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3F) | 0x80);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += hex[bytes[i] >> 4];
    out += hex[bytes[i] & 15];
  }
  return out;
}

}  // namespace

cdc::Row to_row(pg::TupleData tuple) {
  cdc::Row row;
  row.reserve(tuple.size());
  for (auto& value : tuple) {
    switch (value.kind) {
      case pg::ColumnValueKind::Null: row.push_back(cdc::Cell::null()); break;
      case pg::ColumnValueKind::UnchangedToast: row.push_back(cdc::Cell::unavailable()); break;
      case pg::ColumnValueKind::Text:
      case pg::ColumnValueKind::Binary: row.push_back(cdc::Cell::of(std::move(value.data))); break;
    }
  }
  return row;
}

ChangeMapper::ChangeMapper(MapperOptions options, TableFactsLookup facts)
    : options_(std::move(options)), facts_(std::move(facts)) {
  if (options_.run_id.empty()) options_.run_id = random_uuid();
  // Debezium 3.x adds these to every record of a table's topic (the
  // connector's logical name, its task, its type and this run), after the
  // record's own headers; converted by Connect's SimpleHeaderConverter, so
  // each is its plain text.
  context_headers_ = {{"__debezium.context.connectorLogicalName", options_.events.topic_prefix},
                      {"__debezium.context.taskId", "0"},
                      {"__debezium.context.connectorName", "postgresql"},
                      {"__debezium.context.runId", options_.run_id}};
  char identity[16];
  std::snprintf(identity, sizeof identity, "%x", static_cast<unsigned>(std::random_device()()) & 0x7fffffffU);
  message_collection_ = std::string(kMessageCollectionClass) + identity;
}

std::vector<std::pair<std::string, std::string>> ChangeMapper::with_context(
    std::vector<std::pair<std::string, std::string>> headers) const {
  headers.insert(headers.end(), context_headers_.begin(), context_headers_.end());
  return headers;
}

void ChangeMapper::relation(const pg::RelationMessage& relation) {
  const auto facts = facts_ ? facts_(relation.schema, relation.name) : TableFacts{};
  cdc::TableDef table;
  table.schema = relation.schema;
  table.table = relation.name;
  const bool captured = !options_.include_table || options_.include_table(relation.schema, relation.name);
  std::vector<std::size_t> kept;
  for (std::size_t index = 0; index < relation.columns.size(); ++index) {
    const auto& column = relation.columns[index];
    cdc::ColumnDef def;
    def.name = column.name;
    def.type.oid = column.type_oid;
    def.type.modifier = column.type_modifier;
    if (auto labels = facts.enum_labels.find(column.name); labels != facts.enum_labels.end()) def.type.enum_labels = labels->second;
    if (auto found = facts.defaults.find(column.name); found != facts.defaults.end()) def.default_expression = found->second;
    if (auto found = facts.type_names.find(column.name); found != facts.type_names.end()) def.type.name = found->second;
    if (auto found = facts.comments.find(column.name); found != facts.comments.end() && options_.events.schema_comments) {
      def.comment = found->second;
    }
    if (auto found = facts.domain_bases.find(column.name); found != facts.domain_bases.end()) {
      def.type.oid = found->second.first;
      def.type.modifier = found->second.second;
      def.type.domain = true;
    }
    if (auto found = facts.enum_array_elements.find(column.name); found != facts.enum_array_elements.end()) {
      def.type.element_oid = found->second;
    }
    def.optional = !facts.not_null.contains(column.name);
    // The primary key when the catalog says; else the replica identity
    // columns, unless that is every column (REPLICA IDENTITY FULL).
    const bool all_flagged = std::all_of(relation.columns.begin(), relation.columns.end(), [](const auto& c) { return c.key; });
    def.key = facts.primary_key.empty()
                  ? (column.key && !all_flagged)
                  : std::find(facts.primary_key.begin(), facts.primary_key.end(), column.name) != facts.primary_key.end();
    if (def.key) def.optional = false;
    if (!def.key && options_.include_column && !options_.include_column(relation.schema, relation.name, column.name)) continue;
    kept.push_back(index);
    table.columns.push_back(std::move(def));
  }
  if (kept.size() == relation.columns.size()) kept.clear();
  tables_.erase(relation.oid);
  tables_.emplace(relation.oid,
                  Table{relation, cdc::EventEncoder(std::move(table), options_.events), captured, std::move(kept)});
}

std::optional<cdc::TransactionBlock> ChangeMapper::transaction_block(const Table& table, pg::Lsn lsn) {
  return transaction_block(table.relation.schema + "." + table.relation.name, lsn);
}

std::optional<cdc::TransactionBlock> ChangeMapper::transaction_block(const std::string& collection, pg::Lsn lsn) {
  if (!options_.transaction_metadata || !transaction_) return std::nullopt;
  const auto collection_order = count_event(collection);
  return cdc::TransactionBlock{transaction_id(transaction_->xid, lsn), total_order_, collection_order};
}

std::int64_t ChangeMapper::count_event(const std::string& collection) {
  // Counted per collection in the order they first appear, for the END record.
  auto counted = std::find_if(collection_counts_.begin(), collection_counts_.end(),
                              [&](const auto& entry) { return entry.data_collection == collection; });
  if (counted == collection_counts_.end()) counted = collection_counts_.insert(collection_counts_.end(), {collection, 0});
  ++total_order_;
  return ++counted->event_count;
}

cdc::Row ChangeMapper::row_of(const Table& table, pg::TupleData tuple) const {
  auto row = to_row(std::move(tuple));
  if (table.kept_columns.empty()) return row;
  cdc::Row kept;
  kept.reserve(table.kept_columns.size());
  for (const auto index : table.kept_columns) kept.push_back(index < row.size() ? std::move(row[index]) : cdc::Cell::null());
  return kept;
}

const ChangeMapper::Table& ChangeMapper::table(std::uint32_t oid) const {
  const auto found = tables_.find(oid);
  if (found == tables_.end()) {
    throw Error::failed("pgoutput sent a change for relation " + std::to_string(oid) + " before describing it");
  }
  return found->second;
}

std::vector<OutputRecord> ChangeMapper::begin(const pg::BeginMessage& begin, pg::Lsn lsn) {
  transaction_ = begin;
  total_order_ = 0;
  collection_counts_.clear();
  if (!options_.transaction_metadata) return {};
  auto record = cdc::transaction_begin_record(options_.events, transaction_id(begin.xid, lsn ? lsn : begin.final_lsn),
                                              pg::unix_micros(begin.commit_time) / 1000);
  return {{std::move(record.topic), std::move(record.key), std::move(record.value), {}}};
}

std::vector<OutputRecord> ChangeMapper::commit(const pg::CommitMessage& commit) {
  std::vector<OutputRecord> out;
  if (options_.transaction_metadata && transaction_) {
    auto record = cdc::transaction_end_record(options_.events, transaction_id(transaction_->xid, commit.end_lsn),
                                              pg::unix_micros(commit.commit_time) / 1000, total_order_, collection_counts_);
    out.push_back({std::move(record.topic), std::move(record.key), std::move(record.value), {}});
  }
  last_commit_lsn_ = commit.end_lsn;
  last_commit_us_ = pg::unix_micros(commit.commit_time);
  transaction_.reset();
  return out;
}

cdc::SourceInfo ChangeMapper::source(pg::Lsn lsn) const {
  cdc::SourceInfo source;
  source.database = options_.database;
  source.lsn = lsn;
  if (last_commit_lsn_ != 0) source.last_commit_lsn = last_commit_lsn_;
  if (transaction_) {
    source.ts_us = pg::unix_micros(transaction_->commit_time);
    source.tx_id = transaction_->xid;
  }
  return source;
}

std::vector<OutputRecord> ChangeMapper::change(pg::PgOutputMessage message, pg::Lsn lsn, std::int64_t processed_ns) {
  try {
    return convert_change(std::move(message), lsn, processed_ns);
  } catch (const cdc::ConversionError& error) {
    return conversion_failed(error, "at LSN " + pg::format_lsn(lsn));
  }
}

std::vector<OutputRecord> ChangeMapper::snapshot_read(std::uint32_t oid, const pg::TupleData& row, cdc::SourceInfo source,
                                                       std::int64_t processed_ns) {
  const auto lsn = source.lsn.value_or(0);
  try {
    return convert_snapshot_read(oid, row, std::move(source), processed_ns);
  } catch (const cdc::ConversionError& error) {
    return conversion_failed(error, "in the snapshot at LSN " + pg::format_lsn(lsn));
  }
}

std::vector<OutputRecord> ChangeMapper::conversion_failed(const cdc::ConversionError& error, const std::string& where) const {
  const auto place = "table " + error.table() + ", column " + error.column() + ", " + where;
  if (options_.on_conversion_error == MapperOptions::OnConversionError::Fail) {
    throw Error::failed("cannot convert a value: " + place + ", value '" + error.value() + "'", error.reason(),
                        "the connector stopped here and resumes here; errors.tolerance=all skips such events");
  }
  if (options_.log_skipped && options_.warn) {
    options_.warn("skipped an event (errors.tolerance=all): cannot convert a value: " + place +
                  (options_.log_values ? ", value '" + error.value() + "'" : "") + ": " + error.reason());
  }
  return {};
}

std::vector<OutputRecord> ChangeMapper::convert_change(pg::PgOutputMessage message, pg::Lsn lsn, std::int64_t processed_ns) {
  std::vector<OutputRecord> out;
  const auto emit = [&](const Table& table, char op, std::optional<cdc::Row> before, std::optional<cdc::Row> after,
                        std::vector<std::pair<std::string, std::string>> headers = {}) {
    if (options_.skipped_operations.contains(op) || !table.captured) return;
    cdc::ChangeEvent event;
    event.op = op;
    event.before = std::move(before);
    event.after = std::move(after);
    event.source = source(lsn);
    event.processed_ns = processed_ns;
    event.transaction = transaction_block(table, lsn);
    const auto& key_row = event.after ? *event.after : *event.before;
    OutputRecord record{table.encoder.topic(), table.encoder.key(key_row), table.encoder.value(event),
                        with_context(std::move(headers))};
    out.push_back(std::move(record));
    if (op == 'd' && options_.tombstones_on_delete) {
      // The tombstone carries the delete's headers (a key change's newkey too).
      out.push_back({table.encoder.topic(), out.back().key, std::nullopt, out.back().headers});
    }
  };

  if (auto* insert = std::get_if<pg::InsertMessage>(&message)) {
    const auto& target = table(insert->relation);
    emit(target, 'c', std::nullopt, row_of(target, std::move(insert->new_tuple)));
  } else if (auto* update = std::get_if<pg::UpdateMessage>(&message)) {
    const auto& target = table(update->relation);
    auto after = row_of(target, std::move(update->new_tuple));
    std::optional<cdc::Row> before;
    if (update->old_tuple) {
      before = row_of(target, std::move(*update->old_tuple));
      // An unchanged TOAST value is the old row's, when PostgreSQL sent it whole.
      for (std::size_t i = 0; i < after.size() && i < before->size(); ++i) {
        if (after[i].kind == cdc::Cell::Kind::Unavailable && update->old_kind == 'O') after[i] = (*before)[i];
      }
    }
    const auto old_key = before ? target.encoder.key_payload(*before) : std::nullopt;
    const auto new_key = target.encoder.key_payload(after);
    if (update->old_kind == 'K' || (before && old_key != new_key)) {
      // A primary-key change: the old key is deleted (and tombstoned), the new
      // one created; the headers hold the other key's struct.
      emit(target, 'd', std::move(before), std::nullopt, {{"__debezium.newkey", new_key.value_or("null")}});
      emit(target, 'c', std::nullopt, std::move(after), {{"__debezium.oldkey", old_key.value_or("null")}});
    } else {
      if (update->old_kind != 'O') before.reset();
      emit(target, 'u', std::move(before), std::move(after));
    }
  } else if (auto* del = std::get_if<pg::DeleteMessage>(&message)) {
    const auto& target = table(del->relation);
    emit(target, 'd', row_of(target, std::move(del->old_tuple)), std::nullopt);
  } else if (const auto* truncate_message = std::get_if<pg::TruncateMessage>(&message)) {
    return truncate(*truncate_message, lsn, processed_ns);
  }
  return out;
}

std::vector<OutputRecord> ChangeMapper::message(const pg::LogicalMessage& message, pg::Lsn lsn, std::int64_t processed_ns) {
  if (options_.include_message && !options_.include_message(message.prefix)) return {};
  cdc::LogicalMessageEvent event;
  event.prefix = message.prefix;
  event.content = message.content;
  event.processed_ms = processed_ns / 1000000;
  event.source = source(lsn);
  if (message.transactional && transaction_) {
    // Counted under Debezium's pseudo data collection for messages.
    event.transaction = transaction_block(message_collection_, lsn);
  } else {
    // Outside any transaction Debezium takes the message for a transaction
    // of its own: it becomes the last committed position (the message's
    // and the following events' sequence start from it), with no txId and
    // the time of the last commit it saw (pgoutput gives such a message no
    // time of its own).
    last_commit_lsn_ = lsn;
    event.source = source(lsn);
    event.source.tx_id.reset();
    event.source.ts_us = last_commit_us_ ? last_commit_us_ : processed_ns / 1000;
  }
  auto record = cdc::logical_message_record(options_.events, event);
  return {{std::move(record.topic), std::move(record.key), std::move(record.value), {}}};
}

std::vector<OutputRecord> ChangeMapper::convert_snapshot_read(std::uint32_t oid, const pg::TupleData& row,
                                                               cdc::SourceInfo source, std::int64_t processed_ns) {
  const auto& target = table(oid);
  if (!target.captured) return {};
  source.database = options_.database;
  cdc::ChangeEvent event;
  event.op = 'r';
  event.after = row_of(target, row);
  event.source = std::move(source);
  event.processed_ns = processed_ns;
  return {{target.encoder.topic(), target.encoder.key(*event.after, true), target.encoder.value(event), context_headers_}};
}

std::vector<OutputRecord> ChangeMapper::truncate(const pg::TruncateMessage& message, pg::Lsn lsn, std::int64_t processed_ns) {
  std::vector<OutputRecord> out;
  if (options_.skipped_operations.contains('t')) return out;
  for (const auto oid : message.relations) {
    const auto& target = table(oid);
    if (!target.captured) continue;
    cdc::ChangeEvent event;
    event.op = 't';
    event.source = source(lsn);
    event.transaction = transaction_block(target, lsn);
    event.processed_ns = processed_ns;
    out.push_back({target.encoder.topic(), std::nullopt, target.encoder.value(event), context_headers_});
  }
  return out;
}

}  // namespace cdcctl::engine
