#include "engine/change_mapper.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace cdcctl::engine {

cdc::Row to_row(const pg::TupleData& tuple) {
  cdc::Row row;
  row.reserve(tuple.size());
  for (const auto& value : tuple) {
    switch (value.kind) {
      case pg::ColumnValueKind::Null: row.push_back(cdc::Cell::null()); break;
      case pg::ColumnValueKind::UnchangedToast: row.push_back(cdc::Cell::unavailable()); break;
      case pg::ColumnValueKind::Text:
      case pg::ColumnValueKind::Binary: row.push_back(cdc::Cell::of(value.data)); break;
    }
  }
  return row;
}

ChangeMapper::ChangeMapper(MapperOptions options, TableFactsLookup facts)
    : options_(std::move(options)), facts_(std::move(facts)) {}

void ChangeMapper::relation(const pg::RelationMessage& relation) {
  const auto facts = facts_ ? facts_(relation.schema, relation.name) : TableFacts{};
  cdc::TableDef table;
  table.schema = relation.schema;
  table.table = relation.name;
  for (const auto& column : relation.columns) {
    cdc::ColumnDef def;
    def.name = column.name;
    def.type.oid = column.type_oid;
    def.type.modifier = column.type_modifier;
    if (auto labels = facts.enum_labels.find(column.name); labels != facts.enum_labels.end()) def.type.enum_labels = labels->second;
    def.optional = !facts.not_null.contains(column.name);
    // The primary key when the catalog says; else the replica identity
    // columns, unless that is every column (REPLICA IDENTITY FULL).
    const bool all_flagged = std::all_of(relation.columns.begin(), relation.columns.end(), [](const auto& c) { return c.key; });
    def.key = facts.primary_key.empty()
                  ? (column.key && !all_flagged)
                  : std::find(facts.primary_key.begin(), facts.primary_key.end(), column.name) != facts.primary_key.end();
    if (def.key) def.optional = false;
    table.columns.push_back(std::move(def));
  }
  tables_.erase(relation.oid);
  tables_.emplace(relation.oid, Table{relation, cdc::EventEncoder(std::move(table), options_.events)});
}

const ChangeMapper::Table& ChangeMapper::table(std::uint32_t oid) const {
  const auto found = tables_.find(oid);
  if (found == tables_.end()) {
    throw Error::failed("pgoutput sent a change for relation " + std::to_string(oid) + " before describing it");
  }
  return found->second;
}

void ChangeMapper::begin(const pg::BeginMessage& begin) { transaction_ = begin; }

void ChangeMapper::commit(const pg::CommitMessage& commit) {
  last_commit_lsn_ = commit.end_lsn;
  transaction_.reset();
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

std::vector<OutputRecord> ChangeMapper::change(const pg::PgOutputMessage& message, pg::Lsn lsn, std::int64_t processed_ns) {
  std::vector<OutputRecord> out;
  const auto emit = [&](const Table& table, char op, std::optional<cdc::Row> before, std::optional<cdc::Row> after,
                        std::vector<std::pair<std::string, std::string>> headers = {}) {
    if (options_.skipped_operations.contains(op)) return;
    cdc::ChangeEvent event;
    event.op = op;
    event.before = std::move(before);
    event.after = std::move(after);
    event.source = source(lsn);
    event.processed_ns = processed_ns;
    const auto& key_row = event.after ? *event.after : *event.before;
    OutputRecord record{table.encoder.topic(), table.encoder.key(key_row), table.encoder.value(event), std::move(headers)};
    const bool tombstone = op == 'd' && options_.tombstones_on_delete;
    auto key = record.key;
    out.push_back(std::move(record));
    if (tombstone) out.push_back({table.encoder.topic(), key, std::nullopt, {}});
  };

  if (const auto* insert = std::get_if<pg::InsertMessage>(&message)) {
    emit(table(insert->relation), 'c', std::nullopt, to_row(insert->new_tuple));
  } else if (const auto* update = std::get_if<pg::UpdateMessage>(&message)) {
    const auto& target = table(update->relation);
    auto after = to_row(update->new_tuple);
    std::optional<cdc::Row> before;
    if (update->old_tuple) {
      before = to_row(*update->old_tuple);
      // An unchanged TOAST value is the old row's, when PostgreSQL sent it whole.
      for (std::size_t i = 0; i < after.size() && i < before->size(); ++i) {
        if (after[i].kind == cdc::Cell::Kind::Unavailable && update->old_kind == 'O') after[i] = (*before)[i];
      }
    }
    const auto old_key = before ? target.encoder.key(*before) : std::nullopt;
    const auto new_key = target.encoder.key(after);
    if (update->old_kind == 'K' || (before && old_key != new_key)) {
      // A primary-key change: the old key is deleted (and tombstoned), the new one created.
      emit(target, 'd', before, std::nullopt, {{"__debezium.newkey", new_key.value_or("null")}});
      emit(target, 'c', std::nullopt, after, {{"__debezium.oldkey", old_key.value_or("null")}});
    } else {
      emit(target, 'u', update->old_kind == 'O' ? before : std::nullopt, after);
    }
  } else if (const auto* del = std::get_if<pg::DeleteMessage>(&message)) {
    emit(table(del->relation), 'd', to_row(del->old_tuple), std::nullopt);
  } else if (const auto* truncate_message = std::get_if<pg::TruncateMessage>(&message)) {
    return truncate(*truncate_message, lsn, processed_ns);
  }
  return out;
}

std::vector<OutputRecord> ChangeMapper::truncate(const pg::TruncateMessage& message, pg::Lsn lsn, std::int64_t processed_ns) {
  std::vector<OutputRecord> out;
  if (options_.skipped_operations.contains('t')) return out;
  for (const auto oid : message.relations) {
    const auto& target = table(oid);
    cdc::ChangeEvent event;
    event.op = 't';
    event.source = source(lsn);
    event.processed_ns = processed_ns;
    out.push_back({target.encoder.topic(), std::nullopt, target.encoder.value(event), {}});
  }
  return out;
}

}  // namespace cdcctl::engine
