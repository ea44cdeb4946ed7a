// `cdcctl restart rolling` against Connect doubles used as workers: the
// restart command really stops a double and starts it again on its port
// (its connectors survive in a state file, as in a real cluster's config
// topic). Checks the order of steps, that connectors end where they began,
// and that failures and Ctrl-C leave nothing paused.
#include <doctest/doctest.h>

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/process.hpp"

using namespace cdcctl::testsupport;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The restart command: stops the double on PORT (waits for its pid file to
// go), logs the restart, starts it again with the same state, waits until
// it serves. A file fail-PORT makes it fail like an unreachable host; a file
// unassign-PORT leaves a task UNASSIGNED after the restart.
constexpr const char* kRestartScript = R"SH(#!/bin/sh
port=$1; dir=$2
if [ -e "$dir/fail-$port" ]; then echo "ssh: connect to host worker-$port: No route to host" >&2; exit 255; fi
kill "$(cat "$dir/worker-$port.pid")"
i=0; while [ -e "$dir/worker-$port.pid" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done
echo "$port" >> "$dir/restarted.log"
"$CONNECT_DOUBLE" --port "$port" --state-file "$dir/worker-$port.state" --pid-file "$dir/worker-$port.pid" </dev/null >/dev/null 2>&1 &
i=0; while [ ! -e "$dir/worker-$port.pid" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done
if [ -e "$dir/unassign-$port" ]; then
  curl -sf -X POST "http://127.0.0.1:$port/__double/unassign-task?connector=$(cat "$dir/unassign-$port")&task=0"
fi
)SH";

struct Workers {
  TempDir dir{"cdcctl-rolling"};
  std::vector<int> ports;

  explicit Workers(int count = 2) {
    std::ofstream(dir.path() + "/restart.sh") << kRestartScript;
    for (int i = 0; i < count; ++i) {
      ports.push_back(free_tcp_port());
      start(ports.back());
    }
  }
  ~Workers() {
    for (const int port : ports) {
      const std::string pid_text = read_text(pid_file(port));
      if (!pid_text.empty()) ::kill(std::stoi(pid_text), SIGTERM);
    }
    for (const int port : ports) {
      for (int i = 0; i < 100 && std::filesystem::exists(pid_file(port)); ++i) std::this_thread::sleep_for(50ms);
    }
  }
  std::string pid_file(int port) const { return dir.path() + "/worker-" + std::to_string(port) + ".pid"; }
  void start(int port) {
    const std::string command = std::string("\"") + CDCCTL_CONNECT_DOUBLE_BINARY + "\" --port " + std::to_string(port) +
                                " --state-file " + dir.path() + "/worker-" + std::to_string(port) + ".state --pid-file " +
                                pid_file(port) + " </dev/null >/dev/null 2>&1 &";
    REQUIRE(run_process({"/bin/sh", "-c", command}).exit_code == 0);
    for (int i = 0; i < 200 && !std::filesystem::exists(pid_file(port)); ++i) std::this_thread::sleep_for(25ms);
    REQUIRE(std::filesystem::exists(pid_file(port)));
  }
  std::string url(std::size_t i) const { return "http://127.0.0.1:" + std::to_string(ports.at(i)); }
  std::string worker_list() const { return url(0) + "," + url(1); }

  void create(const std::string& name) {
    const json request = {{"name", name}, {"config", {{"connector.class", "FileStreamSink"}, {"topics", "t"}, {"tasks.max", "2"}}}};
    REQUIRE(curl_json("POST", url(0) + "/connectors", request.dump()).exit_code == 0);
  }
  void put(const std::string& path) { REQUIRE(run_process({"curl", "-sf", "-X", "PUT", url(0) + path}).exit_code == 0); }
  void post(const std::string& path) { REQUIRE(run_process({"curl", "-sf", "-X", "POST", url(0) + path}).exit_code == 0); }
  std::map<std::string, std::string> states() {
    const auto result = run_process({"curl", "-sf", url(0) + "/connectors?expand=status"});
    REQUIRE(result.exit_code == 0);
    std::map<std::string, std::string> found;
    const json body = json::parse(result.out);
    for (const auto& [name, entry] : body.items()) {
      std::string text = entry["status"]["connector"]["state"];
      for (const auto& task : entry["status"]["tasks"]) text += "/" + task["state"].get<std::string>();
      found[name] = text;
    }
    return found;
  }
  std::vector<std::string> restarted() {
    std::vector<std::string> lines;
    std::istringstream in(read_text(dir.path() + "/restarted.log"));
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }
  std::string port_text(std::size_t i) const { return std::to_string(ports.at(i)); }
  std::string journal(const std::string& mode) const {
    return dir.path() + "/state/cdcctl/rolling-restart-" + mode + "-default.json";
  }

  RunOptions env() const {
    RunOptions options;
    options.env = {{"XDG_STATE_HOME", dir.path() + "/state"}, {"CONNECT_DOUBLE", CDCCTL_CONNECT_DOUBLE_BINARY}};
    return options;
  }
  std::string restart_command() const { return "sh " + dir.path() + "/restart.sh {port} " + dir.path(); }
  std::vector<std::string> worker_args(std::vector<std::string> extra, const std::string& drain = "0s",
                                       const std::string& command = {}) const {
    std::vector<std::string> args = {"restart", "rolling", "workers", "--connect-url", url(0), "--workers", worker_list(),
                                     "--worker-restart-command", command.empty() ? restart_command() : command,
                                     "--drain", drain, "--poll-interval", "100ms"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
  RunResult roll_workers(std::vector<std::string> extra) { return run_cdcctl(worker_args(std::move(extra)), env()); }
};

std::vector<json> json_lines(const std::string& text) {
  std::vector<json> events;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) events.push_back(json::parse(line));
  return events;
}

}  // namespace

TEST_CASE("restart rolling workers: pause, restart each worker in turn, resume; paused ones stay paused") {
  Workers workers;
  for (const char* name : {"orders", "users", "scratch"}) workers.create(name);
  workers.put("/connectors/scratch/pause");

  auto result = workers.roll_workers({"--yes", "-o", "json"});
  INFO(result.err);
  INFO(result.out);
  REQUIRE(result.exit_code == 0);
  CHECK(workers.restarted() == std::vector<std::string>{workers.port_text(0), workers.port_text(1)});
  const auto states = workers.states();
  CHECK(states.at("orders") == "RUNNING/RUNNING/RUNNING");
  CHECK(states.at("users") == "RUNNING/RUNNING/RUNNING");
  CHECK(states.at("scratch") == "PAUSED/PAUSED/PAUSED");
  CHECK_FALSE(std::filesystem::exists(workers.journal("workers")));

  // The event log: every pause before the first restart, resumes after the last wait.
  std::vector<std::string> steps;
  for (const auto& event : json_lines(result.out)) {
    steps.push_back(event["step"].get<std::string>() + ":" + event["status"].get<std::string>() +
                    (event["target"].is_string() ? ":" + event["target"].get<std::string>() : ""));
  }
  const std::vector<std::string> expected = {
      "pause:ok:orders", "pause:ok:users", "pause:skipped:scratch", "wait-paused:ok", "note:info", "drain:start", "drain:ok",
      "restart-worker:start:" + workers.url(0), "restart-worker:ok:" + workers.url(0), "wait-worker:ok:" + workers.url(0),
      "restart-worker:start:" + workers.url(1), "restart-worker:ok:" + workers.url(1), "wait-worker:ok:" + workers.url(1),
      "resume:ok:orders", "resume:ok:users", "wait-running:ok", "done:ok"};
  std::vector<std::string> sorted_pauses(steps.begin(), steps.begin() + 3);
  std::sort(sorted_pauses.begin(), sorted_pauses.end());
  std::copy(sorted_pauses.begin(), sorted_pauses.end(), steps.begin());
  CHECK(steps == expected);
}

TEST_CASE("restart rolling workers: --dry-run shows the plan and changes nothing; no --yes off a TTY is refused") {
  Workers workers;
  workers.create("orders");
  auto result = workers.roll_workers({"--dry-run"});
  CHECK(result.exit_code == 0);
  CHECK(result.out.find("1. pause 1 connector(s)") == 0);
  CHECK(result.out.find("3. worker 1/2 " + workers.url(0) + ": run sh " + workers.dir.path() + "/restart.sh " +
                        workers.port_text(0) + " " + workers.dir.path()) != std::string::npos);
  CHECK(result.out.find("7. resume the connectors") != std::string::npos);
  CHECK(workers.restarted().empty());
  CHECK(workers.states().at("orders") == "RUNNING/RUNNING/RUNNING");

  result = workers.roll_workers({});
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("without confirmation") != std::string::npos);
  CHECK(workers.restarted().empty());

  // A placeholder the command does not know is caught before anything happens.
  result = run_cdcctl(workers.worker_args({"--yes"}, "0s", "kubectl delete pod {pod}"), workers.env());
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("known placeholders: {host}, {index}, {port}, {url}") != std::string::npos);
}

TEST_CASE("restart rolling workers: a failed restart command resumes the connectors; --resume finishes the rest") {
  Workers workers;
  workers.create("orders");
  workers.create("users");
  std::ofstream(workers.dir.path() + "/fail-" + workers.port_text(1)) << "";

  auto result = workers.roll_workers({"--yes"});
  INFO(result.err);
  CHECK(result.exit_code == 1);
  CHECK(result.err.find("the restart command for " + workers.url(1) + " failed: exit 255: ssh: connect to host") !=
        std::string::npos);
  CHECK(result.err.find("--resume") != std::string::npos);
  CHECK(workers.restarted() == std::vector<std::string>{workers.port_text(0)});
  CHECK(workers.states().at("orders") == "RUNNING/RUNNING/RUNNING");
  CHECK(workers.states().at("users") == "RUNNING/RUNNING/RUNNING");
  const json journal = json::parse(read_text(workers.journal("workers")));
  CHECK(journal["done"] == json::array({workers.url(0)}));
  CHECK(journal["paused"] == json::array());

  // A new run does not silently start over.
  result = workers.roll_workers({"--yes"});
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("an earlier rolling restart did not finish") != std::string::npos);

  std::filesystem::remove(workers.dir.path() + "/fail-" + workers.port_text(1));
  result = workers.roll_workers({"--yes", "--resume"});
  INFO(result.out);
  CHECK(result.exit_code == 0);
  CHECK(workers.restarted() == std::vector<std::string>{workers.port_text(0), workers.port_text(1)});
  CHECK(workers.states().at("orders") == "RUNNING/RUNNING/RUNNING");
  CHECK_FALSE(std::filesystem::exists(workers.journal("workers")));
}

TEST_CASE("restart rolling workers: Ctrl-C during the drain resumes the connectors and exits 130") {
  for (const bool leave_paused : {false, true}) {
    CAPTURE(leave_paused);
    Workers workers;
    workers.create("orders");
    const std::string out = workers.dir.path() + "/out.txt";
    std::string command = "\"" + std::string(CDCCTL_BINARY) + "\"";
    auto args = workers.worker_args({"--yes"}, "60s");
    if (leave_paused) args.push_back("--leave-paused");
    for (const auto& arg : args) command += " '" + arg + "'";
    // Start it, wait for the drain to begin, press Ctrl-C.
    const std::string script = command + " >" + out + " 2>&1 & pid=$!\n"
                               "i=0; while ! grep -q 'drain: start' " + out + " && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done\n"
                               "kill -INT $pid; wait $pid; echo \"exit=$?\"\n";
    const auto result = run_process({"/bin/sh", "-c", script}, workers.env());
    INFO(read_text(out));
    CHECK(result.out == "exit=130\n");
    CHECK(workers.restarted().empty());
    CHECK(workers.states().at("orders") == (leave_paused ? "PAUSED/PAUSED/PAUSED" : "RUNNING/RUNNING/RUNNING"));
    CHECK(read_text(out).find("done: interrupted") != std::string::npos);
  }
}

TEST_CASE("restart rolling workers: tasks left UNASSIGNED stop the run with the rebalance-delay hint") {
  Workers workers;
  workers.create("orders");
  std::ofstream(workers.dir.path() + "/unassign-" + workers.port_text(0)) << "orders";
  const auto result = workers.roll_workers({"--yes", "--worker-timeout", "2s"});
  CHECK(result.exit_code == 1);
  CHECK(result.err.find("1 UNASSIGNED: orders-0") != std::string::npos);
  CHECK(result.err.find("scheduled.rebalance.max.delay.ms") != std::string::npos);
  CHECK(workers.restarted() == std::vector<std::string>{workers.port_text(0)});  // not the next worker
  CHECK(workers.states().at("orders") == "RUNNING/RUNNING/RUNNING");             // resumed anyway
}

TEST_CASE("restart rolling connectors: one at a time, stops at a connector that fails again, --resume continues") {
  Workers workers(1);
  for (const char* name : {"a-orders", "b-users", "c-stock"}) workers.create(name);
  workers.post("/__double/delay-restarts?ms=300");  // restarts happen after the 202, as in Connect
  workers.post("/__double/fail-task?connector=b-users&task=1&sticky=true");
  const std::vector<std::string> base = {"restart", "rolling", "connectors", "--connect-url", workers.url(0),
                                         "--poll-interval", "100ms", "--wait-timeout", "3s"};
  auto with = [&](std::vector<std::string> extra) {
    auto args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return run_cdcctl(args, workers.env());
  };

  auto result = with({"--all", "--dry-run"});
  CHECK(result.out == "1. a-orders: restart with its tasks, wait until RUNNING (up to 3s)\n"
                      "2. b-users: restart with its tasks, wait until RUNNING (up to 3s)\n"
                      "3. c-stock: restart with its tasks, wait until RUNNING (up to 3s)\n");

  result = with({"--all", "--yes"});
  CHECK(result.exit_code == 1);
  CHECK(result.out.find("wait-running a-orders: ok") != std::string::npos);
  CHECK(result.err.find("b-users did not come back RUNNING: connector RUNNING, task 1 FAILED") != std::string::npos);
  CHECK(result.out.find("c-stock") == std::string::npos);  // stopped before the next one

  workers.post("/__double/heal?connector=b-users");
  result = with({"--resume", "--yes"});
  INFO(result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.out.find("restart a-orders: skipped (1/3, done by the earlier run)") != std::string::npos);
  CHECK(result.out.find("wait-running b-users: ok") != std::string::npos);
  CHECK(result.out.find("wait-running c-stock: ok") != std::string::npos);
  CHECK(workers.states().at("b-users") == "RUNNING/RUNNING/RUNNING");
}
