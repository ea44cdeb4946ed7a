// `cdcctl health` as cron runs it: verdicts and exit codes, restarts of
// exactly the failed tasks, escalation across runs, overlapping runs, the
// Prometheus textfile and the notification hook — against Connect doubles.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/connect_double.hpp"
#include "support/process.hpp"

using namespace cdcctl::testsupport;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

const std::string kTrace =
    "org.apache.kafka.connect.errors.ConnectException: PSQLException: connection refused\n\tat io.debezium.X(X.java:1)";

struct Cluster {
  explicit Cluster(std::string version = "3.9.0") : connect(options(std::move(version))) {}
  static ConnectDoubleOptions options(std::string version) {
    ConnectDoubleOptions o;
    o.version = std::move(version);
    return o;
  }
  ConnectDouble connect;
  TempDir dir{"cdcctl-health"};

  std::string state_file() const { return dir.path() + "/state.json"; }
  RunResult health(std::vector<std::string> args, RunOptions options = {}) {
    std::vector<std::string> full = {"health", "--connect-url", connect.url(), "--state-file", state_file()};
    full.insert(full.end(), args.begin(), args.end());
    return run_cdcctl(full, std::move(options));
  }
  json health_json(std::vector<std::string> args, int expected_exit) {
    args.insert(args.end(), {"-o", "json"});
    auto result = health(args);
    INFO(result.err);
    INFO(result.out);
    REQUIRE(result.exit_code == expected_exit);
    return json::parse(result.out);
  }
  void create(const std::string& name, int tasks, const std::string& type = "source") {
    json config = type == "source"
                      ? json{{"connector.class", "FileStreamSource"}, {"topic", "t"}, {"tasks.max", std::to_string(tasks)}}
                      : json{{"connector.class", "FileStreamSink"}, {"topics", "t"}, {"tasks.max", std::to_string(tasks)}};
    REQUIRE(curl_json("POST", connect.url() + "/connectors", json{{"name", name}, {"config", config}}.dump()).exit_code == 0);
  }
  std::vector<std::string> restarts() const {
    std::vector<std::string> found;
    for (const auto& line : connect.request_log()) {
      if (line.find("/restart") != std::string::npos) found.push_back(line);
    }
    return found;
  }
  std::string task_state(const std::string& name, int task) {
    return connect.connector_state(name)["tasks"][task]["state"];
  }
};

json task_json(const json& report, const std::string& connector, int task) {
  for (const auto& entry : report["contexts"][0]["connectors"]) {
    if (entry["name"] == connector) return entry["tasks"][task];
  }
  FAIL("no connector " << connector);
  return {};
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Prometheus text format: "name{labels} value" lines → value by "name{labels}".
std::map<std::string, double> parse_prometheus(const std::string& text) {
  std::map<std::string, double> samples;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.rfind(' ');
    REQUIRE(space != std::string::npos);
    samples[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return samples;
}

}  // namespace

TEST_CASE("health: all running is OK with one request and exit 0") {
  Cluster cluster;
  cluster.create("orders", 2);
  cluster.create("users", 1, "sink");
  cluster.connect.clear_request_log();
  auto result = cluster.health({});
  CHECK(result.exit_code == 0);
  CHECK(result.out == "OK - 2 connectors healthy\n");
  CHECK(cluster.connect.request_log() == std::vector<std::string>{"GET /connectors?expand=status&expand=info"});
}

TEST_CASE("health: a failed task is CRITICAL with its trace; --restart-failed restarts exactly it") {
  Cluster cluster;
  cluster.create("orders", 3);
  cluster.create("users", 1);
  cluster.connect.fail_task("orders", 2, kTrace);

  auto result = cluster.health({});
  CHECK(result.exit_code == 2);
  CHECK(result.out.starts_with("CRITICAL - 1 of 2 connectors need attention: orders task 2 FAILED: "
                               "org.apache.kafka.connect.errors.ConnectException: PSQLException: connection refused\n"));
  CHECK(cluster.restarts().empty());

  const json report = cluster.health_json({"--restart-failed"}, 1);
  CHECK(report["status"] == "WARNING");
  CHECK(cluster.restarts() == std::vector<std::string>{"POST /connectors/orders/restart?includeTasks=true&onlyFailed=true"});
  const json task = task_json(report, "orders", 2);
  CHECK(task["restarted"] == true);
  CHECK(task["restarts_attempted"] == 1);
  CHECK(task["message"] == "FAILED; restarted (attempt 1 of 3)");
  CHECK(task_json(report, "orders", 0)["restarted"] == false);
  CHECK(cluster.task_state("orders", 2) == "RUNNING");

  // Next run: recovered, OK, and the attempt is still remembered.
  const json after = cluster.health_json({"--restart-failed"}, 0);
  CHECK(task_json(after, "orders", 2)["restarts_attempted"] == 1);
  CHECK(task_json(after, "orders", 2)["failing_since"].is_null());
}

TEST_CASE("health: workers without KIP-745 get a restart of the failed task's own id") {
  Cluster cluster("2.8.2");
  cluster.create("orders", 3);
  cluster.connect.fail_task("orders", 1, kTrace);
  auto result = cluster.health({"--restart-failed"});
  CHECK(result.exit_code == 1);
  CHECK(cluster.restarts() == std::vector<std::string>{"POST /connectors/orders/tasks/1/restart"});
  CHECK(cluster.task_state("orders", 1) == "RUNNING");
}

TEST_CASE("health: a sticky failure backs off, then escalates to CRITICAL across cron runs") {
  Cluster cluster;
  cluster.create("orders", 2);
  cluster.connect.fail_task("orders", 1, kTrace, /*sticky=*/true);
  const std::vector<std::string> policy = {"--restart-failed", "--max-restarts", "2", "--restart-delay", "0s",
                                           "--escalate-after", "1h"};

  json run = cluster.health_json(policy, 1);  // cron run 1: restart 1
  CHECK(task_json(run, "orders", 1)["restarted"] == true);
  run = cluster.health_json(policy, 1);  // run 2: restart 2
  CHECK(task_json(run, "orders", 1)["restarts_attempted"] == 2);
  run = cluster.health_json(policy, 2);  // run 3: budget spent, page someone
  const json task = task_json(run, "orders", 1);
  CHECK(task["escalated"] == true);
  CHECK(task["restarted"] == false);
  CHECK(task["message"].get<std::string>().starts_with("still FAILED after 2 restarts within 1h"));
  CHECK(run["summary"].get<std::string>().starts_with("CRITICAL - 1 of 1 connectors need attention: orders task 1 still FAILED"));
  CHECK(cluster.restarts().size() == 2);

  // With a backoff, a run inside the delay restarts nothing.
  Cluster slow;
  slow.create("orders", 1);
  slow.connect.fail_task("orders", 0, kTrace, true);
  const std::vector<std::string> backoff = {"--restart-failed", "--restart-delay", "1h"};
  slow.health_json(backoff, 1);
  run = slow.health_json(backoff, 1);
  CHECK(task_json(run, "orders", 0)["restarted"] == false);
  CHECK_FALSE(task_json(run, "orders", 0)["next_restart_at"].is_null());
  CHECK(slow.restarts().size() == 1);
}

TEST_CASE("health: still FAILED after --escalate-after is CRITICAL") {
  Cluster cluster;
  cluster.create("orders", 1);
  cluster.connect.fail_task("orders", 0, kTrace, true);
  const std::vector<std::string> policy = {"--restart-failed", "--restart-delay", "0s", "--escalate-after", "1s",
                                           "--max-restarts", "100"};
  cluster.health_json(policy, 1);
  std::this_thread::sleep_for(1100ms);
  const json run = cluster.health_json(policy, 2);
  CHECK(task_json(run, "orders", 0)["escalated"] == true);
  CHECK(task_json(run, "orders", 0)["message"].get<std::string>().starts_with("still FAILED after"));
}

TEST_CASE("health: overlapping runs take turns and restart a task once") {
  Cluster cluster;
  cluster.create("orders", 2);
  cluster.connect.fail_task("orders", 1, kTrace, true);
  cluster.connect.delay_responses(200ms);  // make the runs overlap
  std::vector<std::future<RunResult>> runs;
  for (int i = 0; i < 4; ++i) {
    runs.push_back(std::async(std::launch::async, [&cluster] {
      return cluster.health({"--restart-failed", "--restart-delay", "10m"});
    }));
  }
  for (auto& run : runs) {
    const auto result = run.get();
    INFO(result.err);
    CHECK(result.exit_code == 1);
  }
  CHECK(cluster.restarts().size() == 1);
  const json state = json::parse(read_text(cluster.state_file()));
  CHECK(state["contexts"]["connect-url=" + cluster.connect.url()]["connectors"]["orders"]["tasks"]["1"]["restarts_total"] == 1);
  struct stat info {};
  REQUIRE(::stat(cluster.state_file().c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
}

TEST_CASE("health: an unreachable worker is UNKNOWN (3); several contexts are judged together") {
  Cluster cluster;
  cluster.create("orders", 1);
  TempDir home("cdcctl-health-home");
  const std::string config = home.path() + "/config.yaml";
  const int dead_port = free_tcp_port();
  {
    std::ofstream out(config);
    out << "current-context: prod\ncontexts:\n  prod:\n    connect-url: " << cluster.connect.url()
        << "\n  dr:\n    connect-url: http://127.0.0.1:" << dead_port << "\n    timeout: 2s\n";
  }
  auto result = run_cdcctl({"health", "--config", config, "--context", "dr", "--no-state"});
  CHECK(result.exit_code == 3);
  CHECK(result.out.starts_with("UNKNOWN - cannot check dr: "));

  result = run_cdcctl({"health", "--config", config, "--all-contexts", "--no-state", "-o", "json"});
  CHECK(result.exit_code == 3);
  json report = json::parse(result.out);
  REQUIRE(report["contexts"].size() == 2);
  CHECK(report["contexts"][0]["context"] == "dr");
  CHECK(report["contexts"][0]["reachable"] == false);
  CHECK(report["contexts"][1]["status"] == "OK");

  cluster.connect.fail_task("orders", 0, kTrace);
  result = run_cdcctl({"health", "--config", config, "--context", "prod,dr", "--no-state"});
  CHECK(result.exit_code == 2);  // CRITICAL outranks UNKNOWN
  CHECK(result.out.find("prod/orders task 0 FAILED") != std::string::npos);

  // Bad flags are UNKNOWN too: a monitoring system must not read them as CRITICAL.
  result = run_cdcctl({"health", "--config", config, "--max-restarts", "0"});
  CHECK(result.exit_code == 3);
  result = run_cdcctl({"health", "--no-such-flag"});
  CHECK(result.exit_code == 3);
}

TEST_CASE("health: paused connectors are a WARNING only when expected to run") {
  Cluster cluster;
  cluster.create("prod-orders", 1);
  cluster.create("scratch", 1);
  for (const char* name : {"prod-orders", "scratch"}) {
    REQUIRE(run_process({"curl", "-sf", "-X", "PUT", cluster.connect.url() + "/connectors/" + name + "/pause"}).exit_code == 0);
  }
  CHECK(cluster.health({}).exit_code == 0);
  const auto result = cluster.health({"--expect-running", "prod-.*"});
  CHECK(result.exit_code == 1);
  CHECK(result.out.starts_with("WARNING - 1 of 2 connectors need attention: prod-orders PAUSED, expected RUNNING\n"));
}

TEST_CASE("health: --prometheus writes a textfile node_exporter can read") {
  Cluster cluster;
  cluster.create("orders", 2);
  cluster.create("users", 1);
  cluster.connect.fail_task("orders", 1, kTrace);
  const std::string path = cluster.dir.path() + "/textfile/cdcctl.prom";
  auto epoch_now = [] {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  };
  const auto before = epoch_now();
  REQUIRE(cluster.health({"--restart-failed", "--prometheus", path}).exit_code == 1);
  const auto after = epoch_now();
  const auto samples = parse_prometheus(read_text(path));
  CHECK(samples.at("cdcctl_health_status") == 1);
  CHECK(samples.at("cdcctl_connect_up{context=\"default\"}") == 1);
  CHECK(samples.at("cdcctl_connect_connectors{context=\"default\"}") == 2);
  CHECK(samples.at("cdcctl_connect_task_state{context=\"default\",connector=\"orders\",task=\"1\",state=\"FAILED\"}") == 1);
  CHECK(samples.at("cdcctl_connect_task_state{context=\"default\",connector=\"orders\",task=\"0\",state=\"RUNNING\"}") == 1);
  CHECK(samples.at("cdcctl_connect_connector_state{context=\"default\",connector=\"users\",type=\"source\",state=\"RUNNING\"}") == 1);
  CHECK(samples.at("cdcctl_connect_restarts_total{context=\"default\",connector=\"orders\",task=\"1\"}") == 1);
  CHECK(samples.contains("cdcctl_connect_failing_since_timestamp_seconds{context=\"default\",connector=\"orders\",task=\"1\"}"));
  // The check time is the run's own: between the moments before and after it.
  CHECK(samples.at("cdcctl_health_last_check_timestamp_seconds") >= static_cast<double>(before));
  CHECK(samples.at("cdcctl_health_last_check_timestamp_seconds") <= static_cast<double>(after));
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0644);

  // Unreachable: still written, with up 0 and UNKNOWN.
  const std::string down = cluster.dir.path() + "/down.prom";
  REQUIRE(run_cdcctl({"health", "--connect-url", "http://127.0.0.1:" + std::to_string(free_tcp_port()), "--timeout", "1s",
                      "--no-state", "--prometheus", down}).exit_code == 3);
  const auto down_samples = parse_prometheus(read_text(down));
  CHECK(down_samples.at("cdcctl_connect_up{context=\"default\"}") == 0);
  CHECK(down_samples.at("cdcctl_health_status") == 3);
}

TEST_CASE("health: --notify-command runs when the verdict changes, with the report on stdin") {
  Cluster cluster;
  cluster.create("orders", 1);
  const std::string log = cluster.dir.path() + "/notified.jsonl";
  const std::string hook = cluster.dir.path() + "/hook.sh";
  {
    std::ofstream out(hook);
    out << "#!/bin/sh\n{ cat; echo \"$CDCCTL_HEALTH_PREVIOUS_STATUS>$CDCCTL_HEALTH_STATUS $1\"; } >> \"" << log << "\"\n";
  }
  std::filesystem::permissions(hook, std::filesystem::perms::owner_all);
  // The argument has a space and a quote: proof that no shell re-reads it.
  const std::vector<std::string> notify = {"--notify-command", hook + " 'pager \"cdc\"'"};

  CHECK(cluster.health(notify).exit_code == 0);
  CHECK_FALSE(std::filesystem::exists(log));  // OK → OK: nothing to say

  cluster.connect.fail_task("orders", 0, kTrace);
  CHECK(cluster.health(notify).exit_code == 2);
  CHECK(cluster.health(notify).exit_code == 2);  // unchanged: not again
  {
    std::string text = read_text(log);
    std::istringstream lines(text);
    std::string report_line, marker, extra;
    std::getline(lines, report_line);
    std::getline(lines, marker);
    CHECK_FALSE(std::getline(lines, extra));
    const json report = json::parse(report_line);
    CHECK(report["status"] == "CRITICAL");
    CHECK(report["previous_status"] == "OK");
    CHECK(report["problems"][0]["connector"] == "orders");
    CHECK(marker == "OK>CRITICAL pager \"cdc\"");
  }

  REQUIRE(run_process({"curl", "-sf", "-X", "POST", cluster.connect.url() + "/connectors/orders/tasks/0/restart"}).exit_code == 0);
  CHECK(cluster.health(notify).exit_code == 0);
  CHECK(read_text(log).find("CRITICAL>OK") != std::string::npos);

  // A failing hook warns and is tried again on the next run.
  cluster.connect.fail_task("orders", 0, kTrace);
  auto result = cluster.health({"--notify-command", "false"});
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("--notify-command exit 1") != std::string::npos);
  result = cluster.health({"--notify-command", "false"});
  CHECK(result.err.find("--notify-command exit 1") != std::string::npos);
}

TEST_CASE("health: credentials in the URL never reach the output") {
  ConnectDoubleOptions options;
  options.basic_auth_user = "ops";
  options.basic_auth_password = "s3cret-pw";
  ConnectDouble connect(options);
  const std::string url = "http://ops:s3cret-pw@127.0.0.1:" + std::to_string(connect.port());
  auto result = run_cdcctl({"health", "--connect-url", url, "--no-state", "-o", "json"});
  CHECK(result.exit_code == 0);
  CHECK(result.out.find("s3cret-pw") == std::string::npos);
  CHECK(json::parse(result.out)["contexts"][0]["url"].get<std::string>().find("ops:") != std::string::npos);
}

TEST_CASE("health: secrets quoted in a stack trace are masked unless --show-secrets") {
  Cluster cluster;
  cluster.create("orders", 1);
  cluster.connect.fail_task("orders", 0,
                            "org.postgresql.util.PSQLException: FATAL: auth failed for "
                            "postgresql://cdc:hunter2@db:5432/app\n\tat X");
  auto result = cluster.health({"-o", "json"});
  CHECK(result.exit_code == 2);
  CHECK(result.out.find("hunter2") == std::string::npos);
  CHECK(result.out.find("postgresql://cdc:") != std::string::npos);
  result = cluster.health({"--show-secrets"});
  CHECK(result.out.find("hunter2") != std::string::npos);
}
