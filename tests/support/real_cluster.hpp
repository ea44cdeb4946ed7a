#pragma once
// The real systems of the `real` test tier: a single-node Apache Kafka broker in
// KRaft combined mode and one or more Kafka Connect distributed workers (one
// group) with Debezium's PostgreSQL connector and JDBC sink on their
// plugin.path, all JVMs started from the Maven artifacts that
// scripts/real-deps.sh resolves (versions pinned in tests/real/pom.xml).
//
// Everything listens on free 127.0.0.1 ports. Readiness is asked, not read
// from logs: the broker must answer a Metadata request through the admin
// client, a worker `GET /health` with 200 (KIP-1017). Logs are written to
// files under log_dir(), which is kept after the cluster stops (the next run
// of the same name clears it), so a failing test leaves them to read. Data
// directories are removed on destruction; every JVM is stopped then, and
// killed by the kernel if the thread that started it ends first (PDEATHSIG
// follows the forking thread: construct the cluster on the main thread).
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace cdcctl::testsupport {

struct RealClusterOptions {
  std::string name = "real";  // names the log directory and the Connect group
  int workers = 1;            // Kafka Connect workers; 0 starts the broker alone
  // Extra worker properties, e.g. {"connector.client.config.override.policy", "All"}.
  std::vector<std::pair<std::string, std::string>> worker_properties{};
  std::chrono::seconds start_timeout{180};
};

class RealCluster {
 public:
  explicit RealCluster(RealClusterOptions options = {});
  ~RealCluster();
  RealCluster(const RealCluster&) = delete;
  RealCluster& operator=(const RealCluster&) = delete;

  // "127.0.0.1:PORT"
  const std::string& bootstrap_servers() const { return bootstrap_; }
  // "http://127.0.0.1:PORT" of worker i
  std::string connect_url(std::size_t worker = 0) const;
  std::vector<std::string> connect_urls() const;
  std::size_t worker_count() const { return workers_.size(); }
  const std::string& log_dir() const { return log_dir_; }
  // The directory real-deps.sh resolved (lib/, plugins/).
  const std::string& artifacts_dir() const { return artifacts_; }
  // Worker i's group, as Connect names it in its properties.
  std::string connect_group() const { return "cdcctl-" + options_.name; }

  // Each worker runs under a supervisor loop that starts it again when it
  // exits, as systemd's Restart=always would. This command (for cdcctl's
  // --worker-restart-command, with its {index}, 1-based) stops worker {index}
  // with SIGTERM and returns once that JVM has gone; the supervisor then
  // starts a new one on the same port.
  std::string worker_restart_command() const;
  // Stops the broker (a controlled shutdown), and starts it again on the
  // same ports and data, returning once it answers Metadata again.
  void stop_broker();
  void start_broker_again() { launch_broker(); }
  // The pid of worker i's current JVM.
  int worker_pid(std::size_t worker) const;
  // The last lines of worker i's log (empty string when none), for failure messages.
  std::string worker_log_tail(std::size_t worker, std::size_t lines = 40) const;

 private:
  struct Worker {
    int port = 0;
    std::string properties;
    std::string log;
    std::string pid_file;
    std::unique_ptr<BackgroundProcess> process;
  };

  RealClusterOptions options_;
  std::string artifacts_;
  std::string log_dir_;
  std::unique_ptr<TempDir> data_;
  std::string bootstrap_;
  std::unique_ptr<BackgroundProcess> broker_;
  std::vector<Worker> workers_;

  void start_broker();
  void launch_broker();
  void start_worker(Worker& worker);
  std::unique_ptr<BackgroundProcess> start_jvm(const std::string& log, const std::string& heap,
                                                const std::vector<std::string>& main_and_args,
                                                const std::string& supervisor_pid_file = {}) const;
};

// scripts/real-deps.sh: the cache directory of the pinned artifacts, resolving
// them first when needed. Throws with Maven's reason when they cannot be had.
std::string resolve_real_artifacts();

}  // namespace cdcctl::testsupport
