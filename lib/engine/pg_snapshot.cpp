#include "engine/pg_snapshot.hpp"

#include "core/error.hpp"
#include "pg/sql.hpp"

namespace cdcctl::engine {

namespace {

std::int64_t unix_now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

void begin_snapshot_transaction(pg::Connection& connection, SnapshotSource& source) {
  if (source.exported_snapshot) {
    connection.exec_simple("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    connection.exec_simple("SET TRANSACTION SNAPSHOT " + pg::quote_literal(*source.exported_snapshot));
    return;
  }
  // The position first, then the snapshot: whatever commits in between is
  // both in the snapshot and streamed again, never missing from both.
  if (source.lsn == 0) source.lsn = pg::parse_lsn(connection.exec("SELECT pg_current_wal_lsn()::text").text(0, 0));
  connection.exec_simple("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
}

pg::RelationMessage describe_relation(pg::Connection& connection, const std::string& schema, const std::string& table) {
  auto result = connection.exec(
      "SELECT c.oid, a.attname, a.atttypid, a.atttypmod, "
      "COALESCE(a.attnum = ANY (i.indkey), false) "
      "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
      "LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary "
      "WHERE n.nspname = $1 AND c.relname = $2 ORDER BY a.attnum",
      {schema, table});
  if (result.rows() == 0) throw Error::not_found("table " + schema + "." + table + " does not exist");
  pg::RelationMessage relation;
  relation.oid = static_cast<std::uint32_t>(std::stoul(result.text(0, 0)));
  relation.schema = schema;
  relation.name = table;
  for (int row = 0; row < result.rows(); ++row) {
    pg::RelationColumn column;
    column.name = result.text(row, 1);
    column.type_oid = static_cast<std::uint32_t>(std::stoul(result.text(row, 2)));
    column.type_modifier = std::stoi(result.text(row, 3));
    column.key = result.text(row, 4) == "t";
    relation.columns.push_back(std::move(column));
  }
  return relation;
}

cdc::PostgresOffset take_snapshot(pg::Connection& connection, const SnapshotSource& source, const SnapshotOptions& options,
                                  ChangeMapper& mapper, RecordSink& sink, SnapshotStats& stats,
                                  const std::function<bool()>& stop) {
  stats.running = true;
  stats.completed = false;
  stats.tables_total = options.tables.size();
  stats.tables_done = 0;
  stats.rows_scanned = 0;

  cdc::PostgresOffset offset;
  offset.lsn = source.lsn;
  offset.ts_usec = unix_now_us();
  offset.snapshot = "INITIAL";
  if (auto xmin = connection.exec("SELECT pg_snapshot_xmin(pg_current_snapshot())::text").value(0, 0)) {
    offset.tx_id = std::stoll(*xmin);
  }

  std::size_t in_batch = 0;
  bool first_overall = true;
  // A row is written once the next one is known, so the last row of a table
  // can carry its marker.
  struct Pending {
    std::uint32_t oid = 0;
    pg::TupleData row{};
    bool first_in_table = false;
  };
  std::optional<Pending> pending;
  const auto emit = [&](Pending row, bool last_in_table, bool last_table, std::int64_t read_us) {
    cdc::SourceInfo info;
    info.ts_us = read_us;
    info.lsn = source.lsn;
    info.tx_id = offset.tx_id;
    // Debezium's order of precedence for the marker.
    if (first_overall && row.first_in_table) info.snapshot = "first";
    else if (last_table && last_in_table) info.snapshot = "last";
    else if (row.first_in_table) info.snapshot = "first_in_data_collection";
    else if (last_in_table) info.snapshot = "last_in_data_collection";
    else info.snapshot = "true";
    first_overall = false;
    const auto now_ns = unix_now_us() * 1000;
    for (const auto& record : mapper.snapshot_read(row.oid, row.row, info, now_ns)) sink.write(record);
    ++stats.rows_scanned;
    if (++in_batch >= options.batch_records && !(last_table && last_in_table)) {
      offset.ts_usec = read_us;
      sink.commit(offset);
      in_batch = 0;
      if (stop && stop()) {
        throw Error(ExitCode::Interrupted, "the snapshot was stopped before it completed", {}, "it runs again at the next start");
      }
    }
  };

  for (std::size_t index = 0; index < options.tables.size(); ++index) {
    const auto& [schema, table] = options.tables[index];
    const bool last_table = index + 1 == options.tables.size();
    const auto relation = describe_relation(connection, schema, table);
    mapper.relation(relation);
    const auto read_us = unix_now_us();
    connection.exec_simple("DECLARE cdcctl_snapshot NO SCROLL CURSOR FOR SELECT * FROM " + pg::qualified_name(schema, table));
    bool first_in_table = true;
    for (;;) {
      auto rows = connection.exec_simple("FETCH " + std::to_string(options.fetch_size) + " FROM cdcctl_snapshot");
      for (int r = 0; r < rows.rows(); ++r) {
        Pending next;
        next.oid = relation.oid;
        next.first_in_table = first_in_table;
        first_in_table = false;
        next.row.reserve(static_cast<std::size_t>(rows.columns()));
        for (int c = 0; c < rows.columns(); ++c) {
          pg::ColumnValue value;
          if (!rows.is_null(r, c)) {
            value.kind = pg::ColumnValueKind::Text;
            value.data.assign(PQgetvalue(rows.get(), r, c), static_cast<std::size_t>(PQgetlength(rows.get(), r, c)));
          }
          next.row.push_back(std::move(value));
        }
        if (pending) emit(std::move(*pending), false, last_table, read_us);
        pending = std::move(next);
      }
      if (rows.rows() < static_cast<int>(options.fetch_size)) break;
    }
    if (pending) emit(std::move(*pending), true, last_table, read_us);
    pending.reset();
    connection.exec_simple("CLOSE cdcctl_snapshot");
    ++stats.tables_done;
  }
  connection.exec_simple("COMMIT");
  offset.last_snapshot_record = true;
  offset.snapshot_completed = true;
  sink.commit(offset);
  stats.running = false;
  stats.completed = true;
  return offset;
}

}  // namespace cdcctl::engine
