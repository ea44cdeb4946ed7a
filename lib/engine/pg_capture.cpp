#include "engine/pg_capture.hpp"

#include "core/error.hpp"
#include "pg/pgoutput.hpp"
#include "pg/sql.hpp"

namespace cdcctl::engine {

PgCapture::PgCapture(CaptureOptions options, RecordSink& sink) : options_(std::move(options)), sink_(sink) {}

TableFacts PgCapture::facts(const std::string& schema, const std::string& table) {
  TableFacts found;
  const auto relation = pg::qualified_name(schema, table);
  auto columns = catalog_->exec(
      "SELECT a.attname, a.attnotnull, "
      "(SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = a.atttypid), "
      "(SELECT k.ord FROM pg_index i, unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) "
      " WHERE i.indrelid = a.attrelid AND i.indisprimary AND k.attnum = a.attnum) "
      "FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY 4, a.attnum",
      {relation});
  for (int row = 0; row < columns.rows(); ++row) {
    const auto name = columns.text(row, 0);
    if (columns.text(row, 1) == "t") found.not_null.insert(name);
    if (const auto labels = columns.value(row, 2)) {
      std::vector<std::string> list;
      std::size_t start = 0;
      for (std::size_t comma; (comma = labels->find(',', start)) != std::string::npos; start = comma + 1) {
        list.push_back(labels->substr(start, comma - start));
      }
      list.push_back(labels->substr(start));
      found.enum_labels[name] = std::move(list);
    }
    if (!columns.is_null(row, 3)) found.primary_key.push_back(name);
  }
  return found;
}

void PgCapture::start(const std::optional<cdc::PostgresOffset>& offset) {
  const auto timeout = std::chrono::milliseconds(10000);
  catalog_.emplace(pg::Connection::open(options_.conninfo, timeout));
  if (options_.mapper.database.empty()) options_.mapper.database = catalog_->exec("SELECT current_database()").text(0, 0);
  mapper_.emplace(options_.mapper, [this](const std::string& schema, const std::string& table) { return facts(schema, table); });
  pg::Lsn start = 0;
  if (offset) {
    const auto point = cdc::resume_point(*offset);
    start = point.start;
    delivered_through_ = point.delivered_through;
  }
  stream_.emplace(pg::ReplicationStream::open(options_.conninfo, timeout));
  stream_->start(options_.slot, start,
                 {{"proto_version", "1"}, {"publication_names", options_.publication}, {"messages", "true"}});
  stats_.confirmed = delivered_through_;
  last_status_ = std::chrono::steady_clock::now();
}

void PgCapture::run_for(std::chrono::milliseconds duration, const std::function<bool()>& stop) {
  const auto deadline = std::chrono::steady_clock::now() + duration;
  while (std::chrono::steady_clock::now() < deadline && !(stop && stop())) {
    const auto payload = stream_->read(std::chrono::milliseconds(200));
    const auto now = std::chrono::steady_clock::now();
    if (payload) {
      const auto frame = pg::decode_frame(*payload);
      if (const auto* keepalive = std::get_if<pg::Keepalive>(&frame)) {
        if (keepalive->reply_requested) stream_->confirm(stats_.confirmed, stats_.confirmed);
      } else {
        handle(std::get<pg::XLogData>(frame));
      }
    }
    if (now - last_status_ >= options_.status_interval) {
      stream_->confirm(stats_.confirmed, stats_.confirmed);
      last_status_ = now;
    }
  }
}

void PgCapture::handle(const pg::XLogData& data) {
  const auto message = pg::decode_pgoutput(data.payload);
  const auto now_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  if (const auto* relation = std::get_if<pg::RelationMessage>(&message)) {
    mapper_->relation(*relation);
  } else if (const auto* begin = std::get_if<pg::BeginMessage>(&message)) {
    begin_ = *begin;
    pending_.clear();
    mapper_->begin(*begin);
  } else if (const auto* commit = std::get_if<pg::CommitMessage>(&message)) {
    if (commit->end_lsn <= delivered_through_) {
      // Delivered before the restart: PostgreSQL resends from the confirmed
      // position, which may lag the sink's offset.
      ++stats_.skipped_transactions;
    } else {
      cdc::PostgresOffset offset;
      offset.lsn = last_change_lsn_ ? last_change_lsn_ : commit->commit_lsn;
      offset.lsn_proc = offset.lsn_commit = commit->end_lsn;
      offset.tx_id = begin_ ? std::optional<std::int64_t>(begin_->xid) : std::nullopt;
      offset.ts_usec = pg::unix_micros(commit->commit_time);
      offset.message_type = "COMMIT";
      sink_.deliver(pending_, offset);  // durable before the LSN is confirmed
      ++stats_.transactions;
      stats_.records += pending_.size();
      delivered_through_ = commit->end_lsn;
      stats_.confirmed = commit->end_lsn;
      stream_->confirm(stats_.confirmed, stats_.confirmed);
      last_status_ = std::chrono::steady_clock::now();
    }
    mapper_->commit(*commit);
    pending_.clear();
    begin_.reset();
    last_change_lsn_ = 0;
  } else if (std::holds_alternative<pg::TypeMessage>(message) || std::holds_alternative<pg::OriginMessage>(message) ||
             std::holds_alternative<pg::LogicalMessage>(message)) {
    // Types and origins carry nothing Debezium emits by default; messages
    // (the <prefix>.message topic) come with a later part.
  } else {
    last_change_lsn_ = data.wal_end;
    for (auto& record : mapper_->change(message, data.wal_end, now_ns)) pending_.push_back(std::move(record));
  }
}

void PgCapture::close() {
  if (stream_) stream_->stop();
  stream_.reset();
  catalog_.reset();
}

}  // namespace cdcctl::engine
