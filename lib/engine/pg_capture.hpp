#pragma once
// The PostgreSQL capture loop, without the sink it writes to: stream pgoutput
// from a slot, map each change to Debezium records, hand every committed
// transaction to a RecordSink together with its Debezium offset, and only
// after the sink says it is durable confirm the transaction's end LSN to
// PostgreSQL. A restart resumes from the sink's last offset and skips the
// transactions that were already delivered.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cdc/postgres_offset.hpp"
#include "engine/change_mapper.hpp"
#include "pg/connection.hpp"
#include "pg/replication.hpp"

namespace cdcctl::engine {

// Where a transaction's records go. deliver() must make records and offset
// durable together (one Kafka transaction) before it returns.
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual void deliver(const std::vector<OutputRecord>& records, const cdc::PostgresOffset& offset) = 0;
};

struct CaptureOptions {
  std::string conninfo{};
  std::string slot = "debezium";
  std::string publication = "dbz_publication";
  MapperOptions mapper{};
  std::chrono::milliseconds status_interval{10000};
};

struct CaptureStats {
  std::uint64_t transactions = 0;
  std::uint64_t skipped_transactions = 0;  // delivered before a restart
  std::uint64_t records = 0;
  pg::Lsn confirmed = 0;
};

class PgCapture {
 public:
  PgCapture(CaptureOptions options, RecordSink& sink);

  // Opens the replication connection and starts streaming from the offset
  // (or from the slot's position when there is none). The slot must exist.
  void start(const std::optional<cdc::PostgresOffset>& offset);
  // Reads and delivers for up to `duration`, or until `stop()` returns true
  // between messages.
  void run_for(std::chrono::milliseconds duration, const std::function<bool()>& stop = {});
  void close();

  const CaptureStats& stats() const { return stats_; }

 private:
  void handle(const pg::XLogData& data);
  TableFacts facts(const std::string& schema, const std::string& table);

  CaptureOptions options_;
  RecordSink& sink_;
  std::optional<pg::Connection> catalog_;
  std::optional<pg::ReplicationStream> stream_;
  std::optional<ChangeMapper> mapper_;
  std::vector<OutputRecord> pending_;
  std::optional<pg::BeginMessage> begin_;
  pg::Lsn last_change_lsn_ = 0;
  pg::Lsn delivered_through_ = 0;
  CaptureStats stats_{};
  std::chrono::steady_clock::time_point last_status_{};
};

}  // namespace cdcctl::engine
