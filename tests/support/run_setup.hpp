#pragma once
// What a `cdcctl run` test needs: a throwaway PostgreSQL database with a
// schema, the embedded Kafka broker in its own process (so it outlives the
// worker), a worker .properties and a connector config, and the cdcctl
// worker started in the background on them, its stderr kept in a log file.
#include <chrono>
#include <functional>
#include <memory>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kafka/topic_io.hpp"
#include "support/embedded_kafka.hpp"
#include "support/pg_cluster.hpp"
#include "support/process.hpp"

namespace cdcctl::testsupport {

class RunSetup {
 public:
  // topics: "name[:partitions]" created on the broker first: the embedded
  // one started here, or the one at `external_bootstrap` (a real broker).
  RunSetup(const std::string& prefix, const std::vector<std::string>& topics, const std::string& schema_sql,
           const std::string& external_bootstrap = {});

  PgCluster pg;
  std::string db;
  std::unique_ptr<EmbeddedKafka> embedded;  // null with an external broker
  std::string bootstrap;
  TempDir dir{"cdcctl-run"};
  std::string worker_path = dir.path() + "/worker.properties";
  std::string connector_path = dir.path() + "/connector.json";
  std::string log_path = dir.path() + "/run.log";

  // A PostgresConnector config for this database with topic.prefix "srv",
  // plus `extra` (which wins).
  void write_connector(const std::string& name, const nlohmann::ordered_json& extra = nlohmann::ordered_json::object());

  RunOptions options() const;
  // `cdcctl run WORKER CONNECTOR extra…` in the background.
  std::unique_ptr<BackgroundProcess> start(const std::vector<std::string>& extra = {}) const;
  RunResult cdcctl(const std::vector<std::string>& args) const { return run_cdcctl(args, options()); }

  std::string log() const;
  // The connector's status file ({} until written).
  nlohmann::json status() const;
  // Every record of a topic, partition by partition in offset order.
  std::vector<kafka::Record> read(const std::string& topic) const;
  std::vector<std::int64_t> high_watermarks(const std::string& topic) const;
  std::string confirmed_flush_lsn(const std::string& slot = "debezium") const;

 private:
  std::string connector_name_;
};

// Polls ready() every 100 ms until it holds or the timeout passes.
bool wait_until(const std::function<bool()>& ready, std::chrono::milliseconds timeout);

}  // namespace cdcctl::testsupport
