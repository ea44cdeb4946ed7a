// The real tier: `cdcctl restart rolling workers` on two real Kafka Connect
// workers in one group, running a real Debezium PostgreSQL source and a real
// JDBC sink. Each worker is restarted through the command cdcctl is given (a
// SIGTERM to the JVM, which its supervisor starts again, as systemd would);
// the tasks rebalance across the group, and at the end every connector is
// RUNNING and changes still flow from the source table to the target table.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "support/pg_cluster.hpp"
#include "support/process.hpp"
#include "support/real_cluster.hpp"
#include "support/real_connectors.hpp"

using namespace cdcctl::testsupport;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

json rest_get(const std::string& url) {
  const auto result = run_process({"curl", "-s", "--max-time", "10", url});
  if (result.exit_code != 0) return json();
  return json::parse(result.out, nullptr, false);
}

bool all_running(const std::string& connect_url, const std::vector<std::string>& names) {
  for (const auto& name : names) {
    const auto status = rest_get(connect_url + "/connectors/" + name + "/status");
    if (!status.is_object() || !status.contains("connector") || status["connector"]["state"] != "RUNNING") return false;
    if (status["tasks"].empty()) return false;
    for (const auto& task : status["tasks"]) {
      if (task["state"] != "RUNNING") return false;
    }
  }
  return true;
}

}  // namespace

TEST_CASE("restart rolling workers on two real Connect workers: one at a time, everything RUNNING after") {
  RealCluster cluster(RealClusterOptions{.name = "rolling", .workers = 2});
  PgCluster pg;
  const auto source = pg.create_database("shop");
  const auto target = pg.create_database("warehouse");
  pg.psql("CREATE TABLE items (id int PRIMARY KEY, label text); INSERT INTO items VALUES (1, 'first');", source);

  const auto source_config = debezium_postgres_source("items-source", "rolling", {pg.port(), source});
  const auto sink_config = debezium_jdbc_sink("items-sink", "rolling.public.items", {pg.port(), target});
  for (const auto& config : {source_config, sink_config}) {
    REQUIRE(curl_json("POST", cluster.connect_url(0) + "/connectors", config.dump()).exit_code == 0);
  }
  const std::vector<std::string> names{"items-source", "items-sink"};
  INFO(cluster.worker_log_tail(0), cluster.worker_log_tail(1));
  REQUIRE(eventually([&] { return all_running(cluster.connect_url(0), names); }));
  const auto rows = [&](const std::string& where) {
    try {
      return pg.psql("SELECT count(*) FROM rolling_public_items WHERE " + where, target);
    } catch (const std::exception&) {
      return std::string("no table yet");
    }
  };
  REQUIRE(eventually([&] { return rows("id = 1") == "1"; }));

  const int pid_1 = cluster.worker_pid(0);
  const int pid_2 = cluster.worker_pid(1);
  TempDir state("cdcctl-real-rolling");
  RunOptions options;
  options.env["XDG_STATE_HOME"] = state.path();
  options.timeout = 600s;
  const std::string workers = cluster.connect_url(0) + "," + cluster.connect_url(1);
  const auto result = run_cdcctl({"restart", "rolling", "workers", "--connect-url", cluster.connect_url(0), "--workers",
                                  workers, "--worker-restart-command", cluster.worker_restart_command(), "--drain", "1s",
                                  "--worker-timeout", "3m", "--yes", "-o", "json"},
                                 options);
  INFO(result.out, result.err);
  REQUIRE(result.exit_code == 0);

  // Both JVMs were replaced, one after the other.
  CHECK(cluster.worker_pid(0) != pid_1);
  CHECK(cluster.worker_pid(1) != pid_2);
  std::vector<std::string> steps;
  std::istringstream lines(result.out);
  for (std::string line; std::getline(lines, line);) {
    const auto event = json::parse(line);
    if (event["step"] == "restart-worker" || event["step"] == "wait-worker") {
      steps.push_back(event["step"].get<std::string>() + ":" + event["status"].get<std::string>() + ":" +
                      event["target"].get<std::string>());
    }
  }
  CHECK(steps == std::vector<std::string>{"restart-worker:start:" + cluster.connect_url(0),
                                          "restart-worker:ok:" + cluster.connect_url(0),
                                          "wait-worker:ok:" + cluster.connect_url(0),
                                          "restart-worker:start:" + cluster.connect_url(1),
                                          "restart-worker:ok:" + cluster.connect_url(1),
                                          "wait-worker:ok:" + cluster.connect_url(1)});

  // Every connector RUNNING (as both workers see it), and data still flows.
  CHECK(eventually([&] { return all_running(cluster.connect_url(0), names); }, 60s));
  // Each worker reads the status topic itself: the second may lag the first.
  CHECK(eventually([&] { return all_running(cluster.connect_url(1), names); }, 60s));
  pg.psql("INSERT INTO items VALUES (2, 'after the restart')", source);
  CHECK(eventually([&] { return rows("id = 2") == "1"; }));
  CHECK(run_cdcctl({"health", "--no-state", "--connect-url", cluster.connect_url(1)}).exit_code == 0);
}
