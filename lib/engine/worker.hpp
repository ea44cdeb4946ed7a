#pragma once
// `cdcctl run`'s runtime: one thread per connector, each preparing
// PostgreSQL (publication, slot), taking the snapshot the snapshot.mode asks
// for, then streaming into Kafka through a transactional KafkaSink until
// asked to stop. Each connector's state and Debezium-named metrics go to a
// status file in the state directory, which `cdcctl run --status` reads.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/log.hpp"
#include "engine/run_config.hpp"

namespace cdcctl::engine {

struct WorkerOptions {
  std::filesystem::path state_dir{};
  std::chrono::milliseconds metrics_log_interval{60000};  // 0: no periodic metrics lines
  std::chrono::milliseconds status_write_interval{1000};
  // A fault for tests of the failure path (no PostgreSQL value is known that
  // cdcctl cannot convert): by connector, the column ("schema.table.column")
  // and the value text that fail to convert.
  std::map<std::string, std::pair<std::string, std::string>> unconvertible{};
};

// The status file of a connector: <state dir>/<connector>.status.json.
std::filesystem::path status_file(const std::filesystem::path& state_dir, const std::string& connector);

// Runs every connector until stop() says so. A connector that fails ends
// alone (FAILED in its status, its error logged), as a Connect task does;
// the others go on. Returns when every connector has stopped or failed: the
// number that failed.
int run_worker(const RunConfig& config, const WorkerOptions& options, const Logger& logger,
               const std::function<bool()>& stop);

// Tables of the database the connector captures: ordinary and partitioned
// tables outside the system schemas that pass table.include/exclude.list,
// as "schema.table", sorted.
std::vector<std::pair<std::string, std::string>> captured_tables(pg::Connection& connection,
                                                                 const PostgresConnectorConfig& config);

// Makes sure the publication exists as publication.autocreate.mode says:
// created FOR ALL TABLES, or FOR TABLE the captured tables (and kept to
// them), or required to exist. Returns what it did, for the log.
std::string ensure_publication(pg::Connection& connection, const PostgresConnectorConfig& config);

}  // namespace cdcctl::engine
