#pragma once
// The PostgreSQL capture loop, without the sink it writes to: stream pgoutput
// from a slot, map each change to Debezium records and write them to a
// RecordSink as they come (a large transaction is never held in memory),
// and at transaction boundaries commit the sink's batch together with the
// Debezium offset. Only after the sink says the batch is durable is the
// batch's last end LSN confirmed to PostgreSQL. A restart resumes from the
// sink's last offset and skips the transactions that were already delivered.
//
// Batches: consecutive transactions share one sink batch (one Kafka
// transaction) until it holds max_batch_records, is max_batch_wait old, or
// PostgreSQL has had nothing more to send for batch_linger. A batch never ends inside a
// PostgreSQL transaction, so its records and offset stay all or nothing.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cdc/postgres_offset.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "engine/change_mapper.hpp"
#include "pg/connection.hpp"
#include "pg/replication.hpp"

namespace cdcctl::engine {

// Where records go. write() adds a record to the open batch (opening one);
// commit() makes the batch durable together with the offset and returns
// only then; abort() drops the open batch.
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual void write(const OutputRecord& record) = 0;
  virtual void commit(const cdc::PostgresOffset& offset) = 0;
  virtual void abort() = 0;
};

struct CaptureOptions {
  std::string conninfo{};
  std::optional<std::string> password{};  // kept off the conninfo so it never shows in messages
  std::string slot = "debezium";
  std::string publication = "dbz_publication";
  MapperOptions mapper{};
  std::chrono::milliseconds status_interval{10000};  // status.update.interval.ms
  std::size_t max_batch_records = 2048;              // max.batch.size
  std::chrono::milliseconds max_batch_wait{1000};
  // How long a batch of complete transactions waits for more once
  // PostgreSQL has nothing to send: the latency added when idle.
  std::chrono::milliseconds batch_linger{50};
  std::chrono::milliseconds heartbeat_interval{0};   // heartbeat.interval.ms; 0 = off
  // After a lost connection: wait, reconnect and resume from the last
  // durable offset; the wait doubles up to the maximum. 0 = give up at once.
  std::chrono::milliseconds reconnect_backoff{1000};
  std::chrono::milliseconds reconnect_backoff_max{30000};
  // After a stop is asked, how long a transaction in progress may still take
  // to arrive whole before its batch is aborted (and resent at the next start).
  std::chrono::milliseconds shutdown_grace{30000};
  const Logger* logger = nullptr;
};

// Debezium's streaming metrics, kept in-process.
struct CaptureStats {
  std::uint64_t transactions = 0;          // NumberOfCommittedTransactions
  std::uint64_t skipped_transactions = 0;  // delivered before a restart
  std::uint64_t events_seen = 0;           // TotalNumberOfEventsSeen (changes, after skipped.operations)
  std::uint64_t records = 0;               // records written, tombstones and metadata included
  std::uint64_t batches = 0;               // sink commits (Kafka transactions)
  std::uint64_t heartbeats = 0;
  std::uint64_t reconnects = 0;
  bool connected = false;                  // Connected
  pg::Lsn confirmed = 0;                   // the slot's confirmed position, as sent
  std::int64_t last_commit_unix_us = 0;    // commit time of the last delivered transaction
  std::int64_t last_event_lag_ms = 0;      // MilliSecondsBehindSource when it was delivered
  std::string last_transaction_id{};       // LastTransactionId
};

// What the catalog says about a table beyond pgoutput's Relation message:
// primary key (in key order), NOT NULL columns, enum labels, defaults.
TableFacts table_facts(pg::Connection& catalog, const std::string& schema, const std::string& table);

class PgCapture {
 public:
  PgCapture(CaptureOptions options, RecordSink& sink);

  // Opens the replication connection and starts streaming from the offset
  // (or from the slot's position when there is none). The slot must exist.
  void start(const std::optional<cdc::PostgresOffset>& offset);
  // Reads and writes for up to `duration`, or until `stop()` returns true
  // between messages. Before returning, a batch of complete transactions is
  // committed; one that ends inside a transaction is aborted (the restart
  // resends it).
  void run_for(std::chrono::milliseconds duration, const std::function<bool()>& stop = {});
  void close();

  const CaptureStats& stats() const { return stats_; }
  // The offset of the last durable batch (nullopt before the first).
  const std::optional<cdc::PostgresOffset>& committed_offset() const { return committed_offset_; }

 private:
  void connect();
  void step(std::chrono::milliseconds wait);
  void handle(const pg::XLogData& data);
  void standalone_message(const pg::LogicalMessage& message);
  void write(std::vector<OutputRecord> records);
  void drop_sent_events(pg::Lsn lsn, std::vector<OutputRecord>& records);
  void end_batch();
  void abort_batch();
  void maybe_heartbeat(pg::Lsn idle_position);
  void recover(const Error& error, const std::function<bool()>& stop);
  TableFacts facts(const std::string& schema, const std::string& table);

  CaptureOptions options_;
  RecordSink& sink_;
  std::optional<pg::Connection> catalog_;
  std::optional<pg::ReplicationStream> stream_;
  std::optional<ChangeMapper> mapper_;
  std::optional<pg::BeginMessage> begin_;   // the open PostgreSQL transaction
  bool skipping_ = false;                   // it was delivered before the restart
  // A Debezium offset stored inside a transaction: that transaction's events
  // up to its position were sent, and are dropped when PostgreSQL resends them.
  std::optional<cdc::ResumeInsideTransaction> resume_inside_;
  std::optional<cdc::ResumeInsideTransaction> filtering_;  // set while the open transaction is that one
  std::int64_t dropped_at_lsn_ = 0;                        // events dropped at its last sent position
  pg::Lsn last_change_lsn_ = 0;
  pg::Lsn delivered_through_ = 0;
  std::optional<cdc::PostgresOffset> committed_offset_;  // durable in the sink
  std::optional<cdc::PostgresOffset> batch_offset_;      // the last complete transaction of the open batch
  std::size_t batch_records_ = 0;
  bool batch_open_ = false;                 // records written since the last commit
  std::chrono::steady_clock::time_point batch_started_{};
  CaptureStats stats_{};
  std::chrono::steady_clock::time_point last_status_{};
  std::chrono::steady_clock::time_point last_heartbeat_{};
};

}  // namespace cdcctl::engine
