#include "engine/worker.hpp"

#include <malloc.h>
#include <unistd.h>

#include <mutex>
#include <thread>

#include "cdc/postgres_offset.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "core/units.hpp"
#include "engine/kafka_sink.hpp"
#include "engine/pg_snapshot.hpp"
#include "pg/replication.hpp"
#include "pg/slots.hpp"
#include "pg/sql.hpp"

namespace cdcctl::engine {

namespace {

constexpr auto kConnectTimeout = std::chrono::milliseconds(10000);

std::int64_t unix_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// One connector's life: prepare, snapshot, stream, and report.
class ConnectorRunner {
 public:
  ConnectorRunner(const PostgresConnectorConfig& config, const WorkerConfig& worker, const WorkerOptions& options,
                  const Logger& logger)
      : config_(config), worker_(worker), options_(options), logger_(logger) {}

  void run(const std::function<bool()>& stop) {
    state_ = "STARTING";
    write_status();
    // The producer first: its init_transactions fences an older instance and
    // completes or aborts that instance's last Kafka transaction, so the
    // offset read next is the last one really committed.
    KafkaSinkOptions sink_options;
    sink_options.properties = worker_.kafka;
    sink_options.connector = config_.name;
    sink_options.topic_prefix = config_.topic_prefix;
    sink_options.offsets_topic = worker_.offsets_topic;
    KafkaSink sink(sink_options, &logger_);
    sink_ = &sink;

    const auto partition = cdc::postgres_offset_partition(config_.topic_prefix);
    const auto stored = read_connector_offset(worker_.kafka, worker_.offsets_topic, config_.name, partition,
                                              std::chrono::milliseconds(30000), &logger_);
    std::optional<cdc::PostgresOffset> offset;
    if (stored) {
      offset = cdc::decode_postgres_offset(*stored);
      if (!offset) {
        throw Error::failed("the stored offset of " + config_.name + " in " + worker_.offsets_topic + " is not a PostgreSQL offset",
                            stored->dump(), "reset it with `cdcctl offsets reset` if the connector should start afresh");
      }
      info("resuming from the stored offset " + cdc::encode_postgres_offset(*offset));
    } else {
      info("no stored offset in " + worker_.offsets_topic);
    }

    auto catalog = pg::Connection::open(config_.conninfo(), kConnectTimeout, config_.password);
    const auto wal_level = catalog.exec("SHOW wal_level").text(0, 0);
    if (wal_level != "logical") {
      throw Error::failed("PostgreSQL at " + catalog.describe() + " has wal_level=" + wal_level,
                          "logical decoding needs wal_level=logical",
                          "set wal_level = logical in postgresql.conf and restart PostgreSQL");
    }
    info(ensure_publication(catalog, config_));
    const auto slot = pg::find_slot(catalog, config_.slot);
    if (slot && slot->plugin != "pgoutput") {
      throw Error::failed("replication slot " + config_.slot + " uses plugin " + slot->plugin, {},
                          "give the connector another slot.name, or drop the slot");
    }
    if (slot && slot->active) {
      throw Error::failed("replication slot " + config_.slot + " is in use" +
                              (slot->active_pid ? " by PID " + std::to_string(*slot->active_pid) : std::string()),
                          "another connector or worker streams from it", "stop that reader first");
    }

    if (offset && !slot && config_.snapshot_mode != SnapshotMode::WhenNeeded &&
        config_.snapshot_mode != SnapshotMode::Always) {
      // A new slot starts at the current WAL position: whatever changed since
      // the stored offset would be skipped without a word.
      throw Error::failed("replication slot " + config_.slot + " does not exist, but " + worker_.offsets_topic +
                              " holds an offset for " + config_.name,
                          "the changes between that offset and now are gone with the slot",
                          "set snapshot.mode=when_needed to take a new snapshot, or reset the offsets "
                          "(`cdcctl offsets reset`) to start afresh");
    }
    const bool unfinished = offset && cdc::resume_point(*offset).snapshot_unfinished;
    bool snapshot = false;
    switch (config_.snapshot_mode) {
      case SnapshotMode::Initial:
      case SnapshotMode::InitialOnly: snapshot = !offset || unfinished; break;
      case SnapshotMode::Always: snapshot = true; break;
      case SnapshotMode::NoData: snapshot = false; break;
      case SnapshotMode::WhenNeeded: snapshot = !offset || unfinished || !slot; break;
    }

    std::optional<pg::ReplicationStream> exporter;
    SnapshotSource source;
    if (!slot) {
      exporter.emplace(pg::ReplicationStream::open(config_.conninfo(), kConnectTimeout, config_.password));
      const auto created = exporter->create_logical_slot(config_.slot, snapshot);
      info("created replication slot " + config_.slot + " at " + pg::format_lsn(created.consistent_point));
      if (snapshot) source.exported_snapshot = created.snapshot_name;
      source.lsn = created.consistent_point;
    } else if (snapshot) {
      // No exported snapshot for an existing slot: stream again from where
      // the slot stands, so changes around the snapshot are repeated, never lost.
      source.lsn = pg::parse_lsn(slot->confirmed_flush_lsn);
    }
    if (snapshot) {
      state_ = "SNAPSHOT";
      auto reader = pg::Connection::open(config_.conninfo(), kConnectTimeout, config_.password, false,
                                         pg::kDecodingSessionOptions);
      begin_snapshot_transaction(reader, source);
      exporter.reset();  // the snapshot is imported: the exporting connection may go
      SnapshotOptions snapshot_options;
      snapshot_options.tables = captured_tables(catalog, config_);
      info("snapshot of " + std::to_string(snapshot_options.tables.size()) + " table(s) at " + pg::format_lsn(source.lsn) +
           " (snapshot.mode=" + to_string(config_.snapshot_mode) + ")");
      auto capture_options = with_runtime(config_.capture_options());
      // The same table facts as streaming, so snapshot and stream events share one schema.
      ChangeMapper mapper(capture_options.mapper, [&reader](const std::string& schema, const std::string& table) {
        return table_facts(reader, schema, table);
      });
      try {
        offset = take_snapshot(reader, source, snapshot_options, mapper, sink, snapshot_stats_, stop);
      } catch (const Error& error) {
        sink.abort();
        if (error.code() != ExitCode::Interrupted) throw;
        state_ = "STOPPED";
        info("stopped during the snapshot; it runs again at the next start");
        write_status();
        return;
      } catch (...) {
        sink.abort();
        throw;
      }
      info("snapshot completed: " + std::to_string(snapshot_stats_.rows_scanned.load()) + " row(s)");
    }
    exporter.reset();
    if (config_.snapshot_mode == SnapshotMode::InitialOnly) {
      state_ = "STOPPED";
      info("snapshot.mode=initial_only: not streaming");
      write_status();
      return;
    }

    auto capture_options = with_runtime(config_.capture_options());
    capture_options.logger = &logger_;
    PgCapture capture(capture_options, sink);
    capture_ = &capture;
    capture.start(offset);
    state_ = "RUNNING";
    info("streaming from slot " + config_.slot + " of " + catalog.describe());
    auto last_metrics = std::chrono::steady_clock::now();
    auto last_status = std::chrono::steady_clock::time_point{};
    while (!(stop && stop())) {
      capture.run_for(std::chrono::milliseconds(500), stop);
      const auto now = std::chrono::steady_clock::now();
      if (now - last_status >= options_.status_write_interval) {
        write_status();
        last_status = now;
      }
      if (options_.metrics_log_interval.count() > 0 && now - last_metrics >= options_.metrics_log_interval) {
        info("metrics " + metrics().dump());
        last_metrics = now;
      }
    }
    capture.close();
    state_ = "STOPPED";
    info("stopped after " + std::to_string(capture.stats().transactions) + " transaction(s); confirmed " +
         pg::format_lsn(capture.stats().confirmed));
    if (config_.slot_drop_on_stop) {
      pg::drop_slot(catalog, config_.slot);
      info("dropped replication slot " + config_.slot + " (slot.drop.on.stop=true)");
    }
    write_status();
    capture_ = nullptr;
    sink_ = nullptr;
  }

  void fail(const std::string& message) {
    state_ = "FAILED";
    error_ = message;
    capture_ = nullptr;
    sink_ = nullptr;
    write_status();
  }

 private:
  void info(const std::string& message) const { logger_.info(config_.name + ": " + message); }

  // What the worker adds to a connector's options: its logger for skipped
  // events, and an injected fault.
  CaptureOptions with_runtime(CaptureOptions options) const {
    options.mapper.warn = [this](const std::string& message) { logger_.warn(config_.name + ": " + message); };
    if (const auto fault = options_.unconvertible.find(config_.name); fault != options_.unconvertible.end()) {
      options.mapper.events.unconvertible = fault->second;
    }
    return options;
  }

  nlohmann::ordered_json metrics() const {
    nlohmann::ordered_json out;
    const bool snapshot_running = snapshot_stats_.running.load();
    out["SnapshotRunning"] = snapshot_running;
    out["SnapshotCompleted"] = snapshot_stats_.completed.load();
    out["TotalTableCount"] = snapshot_stats_.tables_total.load();
    out["RemainingTableCount"] = snapshot_stats_.tables_total.load() - snapshot_stats_.tables_done.load();
    out["RowsScanned"] = snapshot_stats_.rows_scanned.load();
    if (capture_) {
      const auto& stats = capture_->stats();
      out["Connected"] = stats.connected;
      out["MilliSecondsBehindSource"] = stats.last_event_lag_ms;
      out["TotalNumberOfEventsSeen"] = stats.events_seen;
      out["NumberOfCommittedTransactions"] = stats.transactions;
      out["LastTransactionId"] = stats.last_transaction_id;
      out["MilliSecondsSinceLastEvent"] =
          stats.last_commit_unix_us ? unix_now_ms() - stats.last_commit_unix_us / 1000 : -1;
      out["ConfirmedFlushLsn"] = pg::format_lsn(stats.confirmed);
      out["KafkaTransactions"] = stats.batches;
      out["Heartbeats"] = stats.heartbeats;
      out["Reconnects"] = stats.reconnects;
    } else {
      out["Connected"] = false;
    }
    if (sink_) {
      const int capacity = sink_->queue_capacity();
      out["QueueTotalCapacity"] = capacity;
      out["QueueRemainingCapacity"] = capacity - sink_->queue_length();
    }
    return out;
  }

  void write_status() const {
    nlohmann::ordered_json status;
    status["connector"] = config_.name;
    status["state"] = state_;
    status["pid"] = static_cast<long>(::getpid());
    status["updated"] = format_timestamp_ms(unix_now_ms());
    status["topic_prefix"] = config_.topic_prefix;
    status["slot"] = config_.slot;
    status["bootstrap_servers"] = worker_.kafka.count("bootstrap.servers") ? worker_.kafka.at("bootstrap.servers") : "";
    if (!error_.empty()) status["error"] = error_;
    status["metrics"] = metrics();
    try {
      write_file_atomically(status_file(options_.state_dir, config_.name), status.dump(2) + "\n");
    } catch (const std::exception& error) {
      logger_.warn(config_.name + ": cannot write the status file: " + error.what());
    }
  }

  const PostgresConnectorConfig& config_;
  const WorkerConfig& worker_;
  const WorkerOptions& options_;
  const Logger& logger_;
  std::string state_ = "STARTING";
  std::string error_;
  SnapshotStats snapshot_stats_;
  const PgCapture* capture_ = nullptr;
  const KafkaSink* sink_ = nullptr;
};

}  // namespace

std::filesystem::path status_file(const std::filesystem::path& state_dir, const std::string& connector) {
  return state_dir / (connector + ".status.json");
}

std::vector<std::pair<std::string, std::string>> captured_tables(pg::Connection& connection,
                                                                 const PostgresConnectorConfig& config) {
  auto result = connection.exec(
      "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition "
      "AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' "
      "AND n.nspname NOT LIKE 'pg\\_temp%' ORDER BY 1, 2");
  std::vector<std::pair<std::string, std::string>> tables;
  for (int row = 0; row < result.rows(); ++row) {
    auto schema = result.text(row, 0);
    auto table = result.text(row, 1);
    if (config.tables.empty() || config.tables.matches(schema + "." + table)) tables.emplace_back(std::move(schema), std::move(table));
  }
  return tables;
}

std::string ensure_publication(pg::Connection& connection, const PostgresConnectorConfig& config) {
  const auto existing = connection.exec("SELECT puballtables FROM pg_publication WHERE pubname = $1", {config.publication});
  const auto name = pg::quote_identifier(config.publication);
  const auto table_list = [&] {
    std::string list;
    for (const auto& [schema, table] : captured_tables(connection, config)) {
      list += (list.empty() ? "" : ", ") + pg::qualified_name(schema, table);
    }
    if (list.empty()) {
      throw Error::failed("no table matches table.include.list", {},
                          "publication.autocreate.mode=filtered publishes the matching tables: create them or fix the list");
    }
    return list;
  };
  switch (config.autocreate) {
    case PublicationAutocreate::Disabled:
      if (existing.rows() == 0) {
        throw Error::failed("publication " + config.publication + " does not exist",
                            "publication.autocreate.mode=disabled", "create it, e.g. CREATE PUBLICATION " + name + " FOR ALL TABLES");
      }
      return "using publication " + config.publication;
    case PublicationAutocreate::AllTables:
      if (existing.rows() > 0) return "using publication " + config.publication;
      connection.exec("CREATE PUBLICATION " + name + " FOR ALL TABLES");
      return "created publication " + config.publication + " FOR ALL TABLES";
    case PublicationAutocreate::Filtered:
      if (existing.rows() > 0) {
        connection.exec("ALTER PUBLICATION " + name + " SET TABLE " + table_list());
        return "set publication " + config.publication + " to the included tables";
      }
      connection.exec("CREATE PUBLICATION " + name + " FOR TABLE " + table_list());
      return "created publication " + config.publication + " for the included tables";
  }
  return {};
}

int run_worker(const RunConfig& config, const WorkerOptions& options, const Logger& logger, const std::function<bool()>& stop) {
  // Every change allocates and frees an event of a few KB. By default glibc
  // hands a heap's free top back to the system once 128 KB are free and asks
  // for it again at the next burst: a system call every few hundred events.
  // A worker keeps up to 64 MB it freed (its peak, not more), and grows its
  // heaps 4 MB at a time. Setting these turns off glibc's sliding mmap
  // threshold, so it is set too: blocks under 32 MB (a large row's event)
  // come from the heap rather than an mmap and munmap each.
  ::mallopt(M_TRIM_THRESHOLD, 64 << 20);
  ::mallopt(M_TOP_PAD, 4 << 20);
  ::mallopt(M_MMAP_THRESHOLD, 32 << 20);
  std::atomic<int> failures{0};
  // A failing connector stops alone, as a failed task in Kafka Connect: the
  // others keep their pipelines flowing; its status says FAILED and why.
  const auto stop_all = [&] { return stop && stop(); };
  std::vector<std::thread> threads;
  std::vector<std::unique_ptr<ConnectorRunner>> runners;
  for (const auto& connector : config.connectors) {
    runners.push_back(std::make_unique<ConnectorRunner>(connector, config.worker, options, logger));
  }
  for (std::size_t i = 0; i < runners.size(); ++i) {
    threads.emplace_back([&, i] {
      const auto& name = config.connectors[i].name;
      try {
        runners[i]->run(stop_all);
      } catch (const Error& error) {
        logger.warn(name + ": " + error.detail() + (error.hint().empty() ? "" : " (" + error.hint() + ")"));
        runners[i]->fail(error.detail());
        ++failures;
      } catch (const std::exception& error) {
        logger.warn(name + ": " + error.what());
        runners[i]->fail(error.what());
        ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  return failures.load();
}

}  // namespace cdcctl::engine
