#include "engine/pg_capture.hpp"

#include <algorithm>
#include <thread>

#include "cdc/pg_types.hpp"
#include "core/error.hpp"
#include "pg/pgoutput.hpp"
#include "pg/sql.hpp"

namespace cdcctl::engine {

namespace {

// PostgreSQL went away (restart, failover, network): the capture can wait
// and resume from its last durable offset. Sink failures are not this.
struct ConnectionLost : std::exception {
  explicit ConnectionLost(Error lost) : error(std::move(lost)) {}
  const char* what() const noexcept override { return error.what(); }
  Error error;
};

template <typename Call>
auto on_postgres(Call&& call) -> decltype(call()) {
  try {
    return call();
  } catch (const Error& error) {
    if (error.code() == ExitCode::Unreachable) throw ConnectionLost(error);
    throw;
  }
}

std::int64_t unix_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::int64_t unix_now_us() { return unix_now_ns() / 1000; }

}  // namespace

PgCapture::PgCapture(CaptureOptions options, RecordSink& sink) : options_(std::move(options)), sink_(sink) {}

TableFacts table_facts(pg::Connection& catalog, const std::string& schema, const std::string& table) {
  TableFacts found;
  const auto relation = pg::qualified_name(schema, table);
  auto columns = catalog.exec(
      "SELECT a.attname, a.attnotnull, "
      "(SELECT array_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = a.atttypid "
      " OR e.enumtypid = (SELECT t.typelem FROM pg_type t WHERE t.oid = a.atttypid AND t.typcategory = 'A')), "
      "(SELECT k.ord FROM pg_index i, unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) "
      " WHERE i.indrelid = a.attrelid AND i.indisprimary AND k.attnum = a.attnum), "
      "(SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum), "
      // Types created after initdb (extensions' types) are known by name:
      // their OIDs differ from one database to the next.
      "(SELECT t.typname FROM pg_type t WHERE t.oid = a.atttypid AND t.oid >= 16384 AND t.typtype = 'b'), "
      "col_description(a.attrelid, a.attnum), "
      "(SELECT t.typbasetype || ' ' || t.typtypmod FROM pg_type t WHERE t.oid = a.atttypid AND t.typtype = 'd'), "
      "(SELECT t.typelem FROM pg_type t JOIN pg_type e ON e.oid = t.typelem "
      " WHERE t.oid = a.atttypid AND t.typcategory = 'A' AND e.typtype = 'e') "
      "FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY 4, a.attnum",
      {relation});
  for (int row = 0; row < columns.rows(); ++row) {
    const auto name = columns.text(row, 0);
    if (columns.text(row, 1) == "t") found.not_null.insert(name);
    if (const auto labels = columns.value(row, 2)) {
      // An array, so a label holding a comma stays whole.
      std::vector<std::string> list;
      for (auto& label : cdc::parse_array_literal(*labels)) list.push_back(label.value_or(""));
      found.enum_labels[name] = std::move(list);
    }
    if (!columns.is_null(row, 3)) found.primary_key.push_back(name);
    if (const auto expression = columns.value(row, 4)) found.defaults[name] = *expression;
    if (const auto type_name = columns.value(row, 5)) found.type_names[name] = *type_name;
    if (const auto comment = columns.value(row, 6)) found.comments[name] = *comment;
    if (const auto base = columns.value(row, 7)) {
      const auto space = base->find(' ');
      found.domain_bases[name] = {static_cast<std::uint32_t>(std::stoul(base->substr(0, space))),
                                  static_cast<std::int32_t>(std::stol(base->substr(space + 1)))};
    }
    if (const auto element = columns.value(row, 8)) found.enum_array_elements[name] = static_cast<std::uint32_t>(std::stoul(*element));
  }
  return found;
}

TableFacts PgCapture::facts(const std::string& schema, const std::string& table) {
  return on_postgres([&] { return table_facts(*catalog_, schema, table); });
}

void PgCapture::start(const std::optional<cdc::PostgresOffset>& offset) {
  committed_offset_ = offset;
  delivered_through_ = offset ? cdc::resume_point(*offset).delivered_through : 0;
  stats_.confirmed = delivered_through_;
  connect();
}

void PgCapture::connect() {
  const auto timeout = std::chrono::milliseconds(10000);
  stream_.reset();
  catalog_.reset();
  catalog_.emplace(pg::Connection::open(options_.conninfo, timeout, options_.password));
  if (options_.mapper.database.empty()) options_.mapper.database = catalog_->exec("SELECT current_database()").text(0, 0);
  // A new stream resends Relation messages: the mapper starts afresh.
  mapper_.emplace(options_.mapper, [this](const std::string& schema, const std::string& table) { return facts(schema, table); });
  const auto resume = committed_offset_ ? cdc::resume_point(*committed_offset_) : cdc::ResumePoint{};
  resume_inside_ = resume.inside;
  filtering_.reset();
  stream_.emplace(pg::ReplicationStream::open(options_.conninfo, timeout, options_.password));
  stream_->start(options_.slot, resume.start,
                 {{"proto_version", "1"}, {"publication_names", options_.publication}, {"messages", "true"}});
  begin_.reset();
  skipping_ = false;
  last_change_lsn_ = 0;
  stats_.connected = true;
  last_status_ = last_heartbeat_ = std::chrono::steady_clock::now();
}

void PgCapture::run_for(std::chrono::milliseconds duration, const std::function<bool()>& stop) {
  const auto deadline = std::chrono::steady_clock::now() + duration;
  std::optional<std::chrono::steady_clock::time_point> stop_asked;
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    if (!stop_asked && stop && stop()) stop_asked = now;
    // Return only between transactions, so the open batch can be committed;
    // a transaction in progress is read to its end, however long it is,
    // unless a stop was asked and it is still not done after the grace time.
    if (!begin_ && (stop_asked || now >= deadline)) break;
    if (stop_asked && begin_ && now >= *stop_asked + options_.shutdown_grace) break;
    try {
      if (!stream_) on_postgres([&] { connect(); });
      step(std::chrono::milliseconds(200));
    } catch (const ConnectionLost& lost) {
      recover(lost.error, stop);
      if (!stream_) break;  // stopped while waiting to reconnect
    }
  }
  try {
    if (!begin_ && batch_offset_) {
      end_batch();
    } else if (batch_open_ || begin_) {
      abort_batch();
    }
  } catch (const ConnectionLost& lost) {
    // The batch is durable; only its confirmation was lost with the
    // connection. The next run reconnects and resumes after it.
    if (options_.logger) options_.logger->warn("lost PostgreSQL: " + lost.error.detail());
    stats_.connected = false;
    stream_.reset();
    catalog_.reset();
  }
}

void PgCapture::step(std::chrono::milliseconds wait) {
  // First what PostgreSQL already sent; when it has nothing more right now,
  // the batch ends (low latency when idle, big batches under load).
  auto payload = on_postgres([&] { return stream_->read(std::chrono::milliseconds(0)); });
  if (!payload) {
    if (!begin_ && batch_offset_) {
      // Wait a little for more before committing: under load the walsender
      // sends in bursts, and a Kafka transaction per burst would cost more
      // than the events themselves.
      const auto age = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - batch_started_);
      if (age >= options_.batch_linger || wait.count() == 0) {
        end_batch();
      } else {
        wait = std::min(wait, options_.batch_linger - age);
      }
    }
    maybe_heartbeat(0);
    if (wait.count() > 0) payload = on_postgres([&] { return stream_->read(wait); });
  }
  const auto now = std::chrono::steady_clock::now();
  if (payload) {
    const auto frame = pg::decode_frame(*payload);
    if (const auto* keepalive = std::get_if<pg::Keepalive>(&frame)) {
      if (keepalive->reply_requested) {
        // The server waits for this answer: every wal_sender_timeout/2, and
        // at shutdown until the client has confirmed all it was sent (a fast
        // shutdown of PostgreSQL would otherwise wait for us forever). With
        // nothing received that is not yet durable, all before its position
        // is accounted for and may be confirmed.
        if (!begin_ && !batch_open_ && !batch_offset_) stats_.confirmed = std::max(stats_.confirmed, keepalive->wal_end);
        on_postgres([&] { stream_->confirm(stats_.confirmed, stats_.confirmed); });
      }
      maybe_heartbeat(keepalive->wal_end);
    } else {
      handle(std::get<pg::XLogData>(frame));
    }
  }
  if (!begin_ && batch_offset_ &&
      (batch_records_ >= options_.max_batch_records || now - batch_started_ >= options_.max_batch_wait)) {
    end_batch();
  }
  if (stream_ && now - last_status_ >= options_.status_interval) {
    on_postgres([&] { stream_->confirm(stats_.confirmed, stats_.confirmed); });
    last_status_ = now;
  }
}

void PgCapture::write(std::vector<OutputRecord> records) {
  for (const auto& record : records) {
    if (!batch_open_) {
      batch_open_ = true;
      if (!batch_offset_) batch_started_ = std::chrono::steady_clock::now();
    }
    sink_.write(record);
    ++batch_records_;
    ++stats_.records;
  }
}

void PgCapture::handle(const pg::XLogData& data) {
  auto message = pg::decode_pgoutput(data.payload);
  if (const auto* relation = std::get_if<pg::RelationMessage>(&message)) {
    mapper_->relation(*relation);
  } else if (const auto* begin = std::get_if<pg::BeginMessage>(&message)) {
    begin_ = *begin;
    last_change_lsn_ = 0;
    // Delivered before a restart: PostgreSQL resends from the confirmed
    // position, which may lag the sink's offset. A transaction was
    // delivered exactly when its commit record starts before the end of
    // the last delivered one.
    skipping_ = begin->final_lsn < delivered_through_;
    if (!skipping_ && resume_inside_) {
      // The first transaction not delivered whole is the one the offset was
      // stored in (all that committed before it were sent before its events).
      if (!resume_inside_->tx_id || *resume_inside_->tx_id == static_cast<std::int64_t>(begin->xid)) filtering_ = resume_inside_;
      dropped_at_lsn_ = 0;
      resume_inside_.reset();
    }
    auto records = mapper_->begin(*begin, data.wal_end);
    if (!skipping_) write(std::move(records));
  } else if (const auto* commit = std::get_if<pg::CommitMessage>(&message)) {
    auto records = mapper_->commit(*commit);
    if (skipping_) {
      ++stats_.skipped_transactions;
    } else {
      write(std::move(records));
      cdc::PostgresOffset offset;
      offset.lsn = last_change_lsn_ ? last_change_lsn_ : commit->commit_lsn;
      offset.lsn_proc = offset.lsn_commit = commit->end_lsn;
      offset.tx_id = begin_ ? std::optional<std::int64_t>(begin_->xid) : std::nullopt;
      offset.ts_usec = pg::unix_micros(commit->commit_time);
      offset.message_type = "COMMIT";
      if (!batch_offset_ && !batch_open_) batch_started_ = std::chrono::steady_clock::now();
      batch_offset_ = offset;
      ++stats_.transactions;
      stats_.last_commit_unix_us = *offset.ts_usec;
      stats_.last_event_lag_ms = std::max<std::int64_t>(0, (unix_now_us() - *offset.ts_usec) / 1000);
      if (begin_) stats_.last_transaction_id = std::to_string(begin_->xid) + ":" + std::to_string(commit->end_lsn);
    }
    begin_.reset();
    skipping_ = false;
    filtering_.reset();
    last_change_lsn_ = 0;
  } else if (std::holds_alternative<pg::TypeMessage>(message) || std::holds_alternative<pg::OriginMessage>(message)) {
    // Types and origins carry nothing Debezium emits by default.
  } else if (const auto* logical = std::get_if<pg::LogicalMessage>(&message); logical && !begin_) {
    standalone_message(*logical);
  } else if (!skipping_) {
    last_change_lsn_ = data.wal_end;
    auto records = logical ? mapper_->message(*logical, data.wal_end, unix_now_ns())
                           : mapper_->change(std::move(message), data.wal_end, unix_now_ns());
    if (filtering_) drop_sent_events(data.wal_end, records);
    if (!records.empty()) ++stats_.events_seen;
    write(std::move(records));
  }
}

void PgCapture::drop_sent_events(pg::Lsn lsn, std::vector<OutputRecord>& records) {
  if (lsn > filtering_->event_lsn) {
    filtering_.reset();  // past the offset: the rest of the transaction is new
    return;
  }
  const auto sent_at_lsn = filtering_->events_at_lsn;
  if (lsn < filtering_->event_lsn || !sent_at_lsn) {
    records.clear();
    return;
  }
  // At the offset's own position, only the first lsn_events_processed events
  // were sent; a tombstone goes with the delete before it.
  std::vector<OutputRecord> unsent;
  bool event_dropped = false;
  for (auto& record : records) {
    if (record.value) {
      event_dropped = dropped_at_lsn_ < *sent_at_lsn;
      if (event_dropped) ++dropped_at_lsn_;
    }
    if (!event_dropped) unsent.push_back(std::move(record));
  }
  records = std::move(unsent);
}

void PgCapture::standalone_message(const pg::LogicalMessage& message) {
  // A non-transactional message is sent when PostgreSQL decodes it, between
  // transactions, and ends at message.lsn; one that ended at or before what
  // was delivered is a resend after a restart.
  if (message.lsn <= delivered_through_) return;
  auto records = mapper_->message(message, message.lsn, unix_now_ns());
  if (!records.empty()) ++stats_.events_seen;
  write(std::move(records));
  // Its own offset, as Debezium commits one after such a message.
  cdc::PostgresOffset offset;
  offset.lsn = offset.lsn_proc = offset.lsn_commit = message.lsn;
  offset.ts_usec = unix_now_us();
  offset.message_type = "MESSAGE";
  if (!batch_offset_ && !batch_open_) batch_started_ = std::chrono::steady_clock::now();
  batch_offset_ = offset;
}

void PgCapture::end_batch() {
  sink_.commit(*batch_offset_);  // durable before the LSN is confirmed
  committed_offset_ = batch_offset_;
  delivered_through_ = std::max(delivered_through_, batch_offset_->lsn_commit.value_or(0));
  stats_.confirmed = delivered_through_;
  ++stats_.batches;
  batch_offset_.reset();
  batch_open_ = false;
  batch_records_ = 0;
  if (stream_) {
    on_postgres([&] { stream_->confirm(stats_.confirmed, stats_.confirmed); });
    last_status_ = std::chrono::steady_clock::now();
  }
}

void PgCapture::abort_batch() {
  // Records of a transaction cut short: the sink drops them, and the stream
  // must start again from the last durable offset to resend them.
  sink_.abort();
  batch_offset_.reset();
  batch_open_ = false;
  batch_records_ = 0;
  begin_.reset();
  skipping_ = false;
  // Closed, not stopped: ending the copy would read the rest of the
  // transaction first. The server drops what it had not sent.
  stream_.reset();
}

void PgCapture::maybe_heartbeat(pg::Lsn idle_position) {
  if (options_.heartbeat_interval.count() <= 0 || begin_ || batch_open_ || batch_offset_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_heartbeat_ < options_.heartbeat_interval) return;
  // Nothing is sent before an offset exists (reference §2.9).
  if (!committed_offset_ && idle_position == 0) return;
  auto offset = committed_offset_.value_or(cdc::PostgresOffset{});
  // Every transaction that committed before a keepalive's position was sent
  // before it, and all of those are durable: the slot may move up to it, so
  // idle captured tables do not hold WAL back.
  // (Not while an offset stored inside a transaction still waits for it:
  // its position would be lost, and that transaction's sent events resent.)
  if (idle_position > delivered_through_ && !resume_inside_) {
    offset.lsn = offset.lsn_proc = offset.lsn_commit = idle_position;
    offset.snapshot.clear();
    offset.last_snapshot_record = offset.snapshot_completed = false;
    offset.events_processed.reset();  // counted events at the old position, not this one
    if (offset.message_type.empty()) offset.message_type = "COMMIT";
    if (!offset.ts_usec) offset.ts_usec = unix_now_us();
  }
  const auto heartbeat = cdc::heartbeat_record(options_.mapper.events, unix_now_us() / 1000);
  write({{heartbeat.topic, heartbeat.key, heartbeat.value, {}}});
  batch_offset_ = offset;
  end_batch();
  ++stats_.heartbeats;
  last_heartbeat_ = now;
}

void PgCapture::recover(const Error& error, const std::function<bool()>& stop) {
  stats_.connected = false;
  if (options_.logger) options_.logger->warn("lost PostgreSQL: " + error.detail());
  if (batch_open_ || begin_ || batch_offset_) abort_batch();
  stream_.reset();
  catalog_.reset();
  if (options_.reconnect_backoff.count() <= 0) throw error;
  auto wait = options_.reconnect_backoff;
  for (;;) {
    const auto until = std::chrono::steady_clock::now() + wait;
    while (std::chrono::steady_clock::now() < until) {
      if (stop && stop()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    try {
      connect();
      ++stats_.reconnects;
      if (options_.logger) options_.logger->info("reconnected to PostgreSQL; resuming after " + pg::format_lsn(delivered_through_));
      return;
    } catch (const Error& again) {
      if (again.code() != ExitCode::Unreachable) throw;
      if (options_.logger) {
        options_.logger->warn("PostgreSQL still unreachable (" + again.detail() + "); next try in " +
                              std::to_string(std::min(wait * 2, options_.reconnect_backoff_max).count()) + " ms");
      }
      wait = std::min(wait * 2, options_.reconnect_backoff_max);
    }
  }
}

void PgCapture::close() {
  try {
    if (stream_) stream_->stop();
  } catch (const Error&) {
    // Closing anyway.
  }
  stream_.reset();
  catalog_.reset();
  stats_.connected = false;
}

}  // namespace cdcctl::engine
