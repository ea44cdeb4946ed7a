// `cdcctl connectors`, `plugins`, `cluster` and `loggers` driven as a user
// would, against the Kafka Connect double: output, exit codes, and the
// requests that reached the worker.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/connect_double.hpp"
#include "support/process.hpp"

using namespace cdcctl::testsupport;
using nlohmann::json;

namespace {

struct Cluster {
  explicit Cluster(std::string version = "3.9.0") : connect(options(std::move(version))) {}
  static ConnectDoubleOptions options(std::string version) {
    ConnectDoubleOptions o;
    o.version = std::move(version);
    return o;
  }

  ConnectDouble connect;

  RunResult run(std::vector<std::string> args, RunOptions options = {}) {
    args.insert(args.end(), {"--connect-url", connect.url()});
    return run_cdcctl(args, std::move(options));
  }
  json run_json(std::vector<std::string> args) {
    args.insert(args.end(), {"-o", "json"});
    auto result = run(args);
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    return json::parse(result.out);
  }
  // Creates a connector through the REST API directly, as another tool would.
  void create(const std::string& name, json config) {
    config["name"] = name;
    REQUIRE(curl_json("POST", connect.url() + "/connectors", json{{"name", name}, {"config", config}}.dump()).exit_code == 0);
  }
  void source(const std::string& name, int tasks = 1) {
    create(name, {{"connector.class", "FileStreamSource"}, {"topic", "t"}, {"tasks.max", std::to_string(tasks)},
                  {"database.password", "hunter2"}});
  }
  void sink(const std::string& name) { create(name, {{"connector.class", "FileStreamSink"}, {"topics", "orders"}}); }
  std::string state(const std::string& name) { return connect.connector_state(name)["connector"]["state"]; }
  std::vector<std::string> writes() { return connect.write_log(); }
};

}  // namespace

TEST_CASE("connectors list: one request, state, tasks, failed task ids, filters") {
  Cluster cluster;
  cluster.source("orders-source", 3);
  cluster.sink("orders-sink");
  cluster.source("inventory-source");
  cluster.connect.fail_task("orders-source", 2, "org.apache.kafka.connect.errors.ConnectException: disk full\n\tat x");
  cluster.connect.clear_request_log();

  auto table = cluster.run({"connectors", "list"});
  CHECK(table.exit_code == 0);
  CHECK(cluster.connect.request_log() == std::vector<std::string>{"GET /connectors?expand=status&expand=info"});
  CHECK(table.out.find("NAME") == 0);
  CHECK(table.out.find("orders-source      source   RUNNING     2/3   2") != std::string::npos);

  auto data = cluster.run_json({"connectors", "list"});
  REQUIRE(data.size() == 3);
  CHECK(data[0]["name"] == "inventory-source");  // sorted
  const auto& orders = data[2];
  CHECK(orders["name"] == "orders-source");
  CHECK(orders["tasks"] == json{{"running", 2}, {"total", 3}});
  CHECK(orders["failed_tasks"] == json::array({2}));
  CHECK(orders["task_states"][2]["trace"] == "org.apache.kafka.connect.errors.ConnectException: disk full");

  CHECK(cluster.run({"connectors", "list", "--state", "FAILED", "-o", "name"}).out == "orders-source\n");
  CHECK(cluster.run({"connectors", "list", "--type", "sink", "-o", "name"}).out == "orders-sink\n");
  CHECK(cluster.run({"connectors", "list", "-e", "orders-.*", "-o", "name"}).out == "orders-sink\norders-source\n");
  CHECK(cluster.run({"connectors", "list", "-e", "orders", "-o", "name"}).out.empty());  // whole-name match
  CHECK(cluster.run({"connectors", "list", "--type", "both"}).exit_code == 2);
  cluster.connect.add_active_topic("orders-source", "shop.public.orders");
  auto wide = cluster.run({"connectors", "list", "-o", "wide"});
  CHECK(wide.out.find("TOPICS") != std::string::npos);
  CHECK(wide.out.find("shop.public.orders") != std::string::npos);
  CHECK(cluster.run({"connectors", "list", "-e", "("}).exit_code == 2);
}

TEST_CASE("describe, config and tasks show state and traces; secrets stay masked") {
  Cluster cluster;
  cluster.source("orders", 2);
  cluster.connect.fail_task("orders", 1, "java.lang.IllegalStateException: slot is gone\n\tat a.b(C.java:1)\n\tat d");

  auto text = cluster.run({"connectors", "describe", "orders"});
  CHECK(text.exit_code == 0);
  CHECK(text.out.find("State:    RUNNING") != std::string::npos);
  CHECK(text.out.find("FAILED    ") != std::string::npos);
  CHECK(text.out.find("java.lang.IllegalStateException: slot is gone") != std::string::npos);
  CHECK(text.out.find("at a.b") == std::string::npos);  // first line only
  CHECK(cluster.run({"connectors", "describe", "orders", "--trace"}).out.find("at a.b(C.java:1)") != std::string::npos);

  auto described = cluster.run_json({"connectors", "describe", "orders"});
  REQUIRE(described.size() == 1);
  CHECK(described[0]["tasks"][1]["state"] == "FAILED");
  CHECK(described[0]["config"]["database.password"] == "********");
  CHECK(described.dump().find("hunter2") == std::string::npos);

  auto config = cluster.run_json({"connectors", "config", "orders"});
  CHECK(config["database.password"] == "********");
  CHECK(config["tasks.max"] == "2");
  CHECK(cluster.run({"connectors", "config", "orders"}).out.find("hunter2") == std::string::npos);
  CHECK(cluster.run_json({"connectors", "config", "orders", "--show-secrets"})["database.password"] == "hunter2");

  auto tasks = cluster.run_json({"connectors", "tasks", "orders"});
  REQUIRE(tasks.size() == 2);
  CHECK(tasks[1]["trace"].get<std::string>().find("at a.b") != std::string::npos);  // JSON: whole trace
}

TEST_CASE("unknown connectors exit 4 with Connect's own wording, for every endpoint family") {
  Cluster cluster;
  struct Case {
    std::vector<std::string> args;
    std::string wording;
  };
  for (const auto& c : std::vector<Case>{
           {{"connectors", "describe", "ghost"}, "Connector ghost not found"},
           {{"connectors", "config", "ghost"}, "Connector ghost not found"},
           {{"connectors", "tasks", "ghost"}, "No status found for connector ghost"},
           {{"connectors", "restart-task", "ghost", "0"}, "Unknown connector: ghost"},
           {{"connectors", "pause", "ghost"}, "connector ghost not found"},
           {{"connectors", "delete", "ghost", "--yes"}, "connector ghost not found"},
       }) {
    auto result = cluster.run(c.args);
    CAPTURE(result.err);
    CHECK(result.exit_code == 4);
    CHECK(result.err.find(c.wording) != std::string::npos);
    CHECK(result.err.find("hint: list connectors with: cdcctl connectors list") != std::string::npos);
  }
  auto regex = cluster.run({"connectors", "resume", "-e", "ghost-.*"});
  CHECK(regex.exit_code == 4);
  CHECK(regex.err.find("no connector matches 'ghost-.*'") != std::string::npos);
}

TEST_CASE("pause, resume and stop with --wait reach the state; the right requests are sent") {
  Cluster cluster;
  cluster.source("a");
  cluster.source("b");
  cluster.sink("c");
  cluster.connect.clear_request_log();

  auto paused = cluster.run({"connectors", "pause", "-e", "[ab]", "--wait"});
  CHECK(paused.exit_code == 0);
  CHECK(paused.out == "a: pause requested\nb: pause requested\n");
  CHECK(cluster.state("a") == "PAUSED");
  CHECK(cluster.state("c") == "RUNNING");
  CHECK(cluster.writes() == std::vector<std::string>{"PUT /connectors/a/pause", "PUT /connectors/b/pause"});

  CHECK(cluster.run({"connectors", "stop", "--all", "--wait"}).exit_code == 0);
  CHECK(cluster.connect.connector_state("c")["connector"]["state"] == "STOPPED");
  CHECK(cluster.connect.connector_state("c")["tasks"].empty());

  auto resumed = cluster.run_json({"connectors", "resume", "a", "c", "--wait"});
  CHECK(resumed == json::array({{{"name", "a"}, {"result", "resume requested"}},
                                {{"name", "c"}, {"result", "resume requested"}}}));
  CHECK(cluster.state("a") == "RUNNING");
  CHECK(cluster.run({"connectors", "pause"}).exit_code == 2);                // nothing named
  cluster.connect.clear_request_log();
  CHECK(cluster.run({"connectors", "pause", "a", "--wait", "--wait-timeout", "soon"}).exit_code == 2);
  CHECK(cluster.writes().empty());  // a bad flag is caught before anything is sent
  CHECK(cluster.run({"connectors", "pause", "a", "--all"}).exit_code == 2);  // two ways at once
}

TEST_CASE("stop needs Connect 3.5+: an older worker gets a clear message, no request") {
  Cluster cluster("3.4.1");
  cluster.source("a");
  cluster.connect.clear_request_log();
  auto result = cluster.run({"connectors", "stop", "a"});
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("needs Kafka Connect 3.5.0 or newer") != std::string::npos);
  CHECK(result.err.find("runs 3.4.1") != std::string::npos);
  CHECK(cluster.writes().empty());
}

TEST_CASE("restart reports what was restarted; --wait fails naming the failed task and its trace") {
  Cluster cluster;
  cluster.source("orders", 3);
  cluster.connect.fail_task("orders", 1, "org.postgresql.util.PSQLException: replication slot \"x\" is active");

  auto restarted = cluster.run({"connectors", "restart", "orders", "--include-tasks", "--only-failed", "--wait"});
  CHECK(restarted.exit_code == 0);
  CHECK(restarted.out == "orders: restarting task 1\n");
  CHECK(cluster.connect.request_log().back().find("GET /connectors/orders/status") == 0);

  auto nothing = cluster.run({"connectors", "restart", "orders", "--include-tasks", "--only-failed"});
  CHECK(nothing.out == "orders: nothing to restart (no failed connector or task)\n");
  CHECK(cluster.run({"connectors", "restart", "orders"}).out == "orders: connector restarted\n");

  // A task that is FAILED while we wait for RUNNING: the wait ends at once with
  // the trace, and the exit code tells the CI script.
  cluster.connect.fail_task("orders", 2, "org.apache.kafka.connect.errors.DataException: bad record\n\tat z");
  auto waited = cluster.run({"connectors", "resume", "orders", "--wait", "--wait-timeout", "30s"});
  CHECK(waited.exit_code == 1);
  CHECK(waited.err.find("1 of 1 connector did not reach RUNNING within 30s") != std::string::npos);
  CHECK(waited.err.find("orders: connector RUNNING, task 2 FAILED "
                        "(org.apache.kafka.connect.errors.DataException: bad record)") != std::string::npos);
  CHECK(waited.err.find("hint: see the whole trace with: cdcctl connectors describe NAME --trace") !=
        std::string::npos);

  auto one_task = cluster.run({"connectors", "restart-task", "orders", "2", "--wait"});
  CHECK(one_task.exit_code == 0);
  CHECK(one_task.out == "orders: task 2 restarted\n");
  CHECK(cluster.connect.connector_state("orders")["tasks"][2]["state"] == "RUNNING");
}

TEST_CASE("a rebalance (409) is retried until it passes; a persistent one fails within --timeout") {
  Cluster cluster;
  cluster.source("orders");
  cluster.connect.conflict_next_writes(2);
  cluster.connect.clear_request_log();
  auto passed = cluster.run({"connectors", "pause", "orders"});
  CHECK(passed.exit_code == 0);
  const auto log = cluster.connect.request_log();
  CHECK(std::count(log.begin(), log.end(), "PUT /connectors/orders/pause") == 3);
  CHECK(cluster.state("orders") == "PAUSED");

  cluster.connect.conflict_next_writes(1000);
  auto failed = cluster.run({"connectors", "resume", "orders", "--timeout", "2s"});
  CHECK(failed.exit_code == 1);
  CHECK(failed.err.find("the Connect cluster was still rebalancing") != std::string::npos);
  CHECK(failed.err.find("gave up after") != std::string::npos);
  CHECK(failed.err.find("hint: retry later, or raise --timeout") != std::string::npos);
  CHECK(cluster.state("orders") == "PAUSED");

  // A restart is not idempotent, but a 409 means nothing happened: retried too.
  cluster.connect.conflict_next_writes(1);
  CHECK(cluster.run({"connectors", "restart", "orders"}).exit_code == 0);
}

TEST_CASE("GETs answered 500 'rebalance expected' are retried") {
  Cluster cluster;
  cluster.source("orders");
  cluster.connect.rebalance_next_gets(2);
  auto result = cluster.run({"connectors", "config", "orders", "-o", "json"});
  CHECK(result.exit_code == 0);
  CHECK(json::parse(result.out)["tasks.max"] == "1");
}

TEST_CASE("proxy HTML pages and cut-off JSON give readable errors") {
  Cluster cluster;
  cluster.source("orders");
  cluster.connect.html_error_next_requests(1000, 500);
  auto html = cluster.run({"connectors", "list", "--timeout", "1s"});
  CHECK(html.exit_code == 1);
  CHECK(html.err.find("HTTP 500 with an HTML page") != std::string::npos);
  CHECK(html.err.find("<") == std::string::npos);
  cluster.connect.html_error_next_requests(0);

  cluster.connect.truncate_next_responses(1000);
  auto cut = cluster.run({"connectors", "describe", "orders", "--timeout", "1s"});
  CHECK(cut.exit_code == 1);
  CHECK(cut.err.find("not valid JSON") != std::string::npos);
  CHECK(cut.err.find("json.exception") == std::string::npos);
}

TEST_CASE("delete asks first, has --dry-run, and --wait until gone") {
  Cluster cluster;
  cluster.source("old-a");
  cluster.source("old-b");
  cluster.source("keep");
  auto refused = cluster.run({"connectors", "delete", "-e", "old-.*"});
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("refusing to delete connectors old-a, old-b") != std::string::npos);
  auto dry_json = cluster.run({"connectors", "delete", "-e", "old-.*", "--dry-run", "-o", "json"});
  CHECK(json::parse(dry_json.out)[0]["result"] == "would be deleted");
  auto dry = cluster.run({"connectors", "delete", "-e", "old-.*", "--dry-run"});
  CHECK(dry.exit_code == 0);
  CHECK(dry.out.find("Would delete 2 connectors: old-a, old-b") != std::string::npos);
  CHECK(cluster.writes().size() == 3);  // only the three creates
  auto deleted = cluster.run({"connectors", "delete", "-e", "old-.*", "--yes", "--wait"});
  CHECK(deleted.exit_code == 0);
  CHECK(deleted.out == "old-a: deleted\nold-b: deleted\n");
  CHECK(cluster.run({"connectors", "list", "-o", "name"}).out == "keep\n");
  // --wait means the tasks have stopped too: real Connect serves a deleted
  // connector's status until then (the double for 300 ms after the DELETE).
  for (const auto* name : {"old-a", "old-b"}) {
    CHECK(run_process({"curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", cluster.connect.url() + "/connectors/" +
                                                                                  name + "/status"})
              .out == "404");
  }
  CHECK(cluster.run({"connectors", "delete", "--all", "--yes"}).exit_code == 2);  // --all is not offered for delete
}

TEST_CASE("plugins, cluster info and health, loggers") {
  Cluster cluster;
  auto plugins = cluster.run_json({"plugins", "list"});
  CHECK(std::any_of(plugins.begin(), plugins.end(), [](const json& p) {
    return p["class"] == "io.debezium.connector.postgresql.PostgresConnector" && p["type"] == "source";
  }));
  auto all = cluster.run_json({"plugins", "list", "--all"});
  CHECK(all.size() > plugins.size());
  auto keys = cluster.run_json({"plugins", "describe", "FileStreamSource", "--search", "^topic$"});
  REQUIRE(keys.size() == 1);
  CHECK(keys[0]["name"] == "topic");
  CHECK(cluster.run({"plugins", "describe", "NoSuchPlugin"}).exit_code == 4);

  const auto with_password = "http://admin:s3cret@" + cluster.connect.url().substr(7);
  auto masked = run_cdcctl({"cluster", "info", "--connect-url", with_password});
  CHECK(masked.exit_code == 0);
  CHECK(masked.out.find("s3cret") == std::string::npos);
  CHECK(masked.out.find("admin:********@") != std::string::npos);
  auto info = cluster.run_json({"cluster", "info"});
  CHECK(info["version"] == "3.9.0");
  CHECK(info["features"]["PATCH /connectors/{name}/config (KIP-477)"] == true);
  auto health = cluster.run({"cluster", "health"});
  CHECK(health.exit_code == 0);
  CHECK(health.out.find("OK") != std::string::npos);
  Cluster old("3.7.1");
  auto old_health = old.run({"cluster", "health"});
  CHECK(old_health.exit_code == 3);  // UNKNOWN to monitoring, never CRITICAL
  CHECK(old_health.out.find("needs Kafka Connect 3.9.0 or newer") != std::string::npos);
  auto gone = run_cdcctl({"cluster", "health", "--connect-url", "http://127.0.0.1:1", "--timeout", "1s"});
  CHECK(gone.exit_code == 3);  // UNKNOWN
  CHECK(gone.out.find("UNKNOWN") != std::string::npos);

  auto set = cluster.run({"loggers", "set", "io.debezium", "debug"});
  CHECK(set.exit_code == 0);
  CHECK(set.out.find("io.debezium set to DEBUG") != std::string::npos);
  auto loggers = cluster.run_json({"loggers", "list"});
  CHECK(loggers["io.debezium"]["level"] == "DEBUG");
  CHECK(cluster.run_json({"loggers", "get", "io.debezium"})["level"] == "DEBUG");
  CHECK(cluster.run({"loggers", "set", "root", "LOUD"}).exit_code == 2);
  CHECK(cluster.run({"loggers", "set", "root", "WARN", "--scope", "cluster"}).exit_code == 0);
}

TEST_CASE("connector names complete live in bash") {
  Cluster cluster;
  cluster.source("orders-source");
  cluster.source("orders-sink-x");
  TempDir home;
  const std::string program = std::string("source '") + CDCCTL_SOURCE_DIR + "/completions/cdcctl.bash'\n" +
                              "COMP_WORDS=(cdcctl connectors describe orders-so)\nCOMP_CWORD=3\n_cdcctl\n" +
                              "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
  RunOptions options;
  const std::string bin_dir = std::string(CDCCTL_BINARY).substr(0, std::string(CDCCTL_BINARY).rfind('/'));
  options.env = {{"HOME", home.path()}, {"PATH", bin_dir + ":/usr/bin:/bin"}, {"CDCCTL_CONNECT_URL", cluster.connect.url()}};
  CHECK(run_process({"bash", "-c", program}, options).out == "orders-source\n");

  // Task numbers of the connector typed just before, after any options.
  cluster.source("three-tasks", 3);
  const std::string tasks_program = std::string("source '") + CDCCTL_SOURCE_DIR + "/completions/cdcctl.bash'\n" +
                                    "COMP_WORDS=(cdcctl connectors restart-task --timeout 5s three-tasks '')\n" +
                                    "COMP_CWORD=6\n_cdcctl\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n";
  CHECK(run_process({"bash", "-c", tasks_program}, options).out == "0\n1\n2\n");
}

namespace {

std::string write(const TempDir& dir, const std::string& name, const std::string& text) {
  const auto path = dir.path() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST_CASE("apply creates, updates with a masked diff, and is idempotent (a second run sends no write)") {
  Cluster cluster;
  TempDir dir;
  write(dir, "orders.json", R"(// the orders source
{"name": "orders", "config": {"connector.class": "FileStreamSource", "topic": "orders", "tasks.max": 1,
 "database.password": "first-secret"}})");
  write(dir, "sink.json", R"({"name": "orders-sink", "connector.class": "FileStreamSink", "topics": "orders"})");
  write(dir, "notes.txt", "not a connector");

  auto first = cluster.run({"connectors", "apply", "-f", dir.path(), "--wait"});
  CHECK(first.exit_code == 0);
  CHECK(first.out == "orders: created\norders-sink: created\n");
  CHECK(cluster.writes() == std::vector<std::string>{"PUT /connectors/orders/config", "PUT /connectors/orders-sink/config"});
  CHECK(cluster.state("orders") == "RUNNING");

  cluster.connect.clear_request_log();
  auto again = cluster.run({"connectors", "apply", "-f", dir.path()});
  CHECK(again.exit_code == 0);
  CHECK(again.out == "orders: unchanged\norders-sink: unchanged\n");
  CHECK(cluster.writes().empty());
  CHECK(cluster.connect.request_log() == std::vector<std::string>{"GET /connectors?expand=status&expand=info"});

  write(dir, "orders.json", R"({"name": "orders", "config": {"connector.class": "FileStreamSource", "topic": "orders",
 "tasks.max": "2", "database.password": "second-secret", "connection.url": "jdbc:postgresql://db/app?password=pw"}})");
  // --wait returns once the worker serves the new config (the double, like a
  // real worker, serves the old one for a moment after the PUT).
  auto updated = cluster.run({"connectors", "apply", "-f", dir.path() + "/orders.json", "--wait"});
  CHECK(updated.exit_code == 0);
  CHECK(updated.out ==
        "orders: updated (3 changes)\n"
        "  + connection.url: jdbc:postgresql://db/app?password=********\n"
        "  ~ database.password: (secret changed)\n"
        "  ~ tasks.max: 1 -> 2\n");
  CHECK(updated.out.find("second-secret") == std::string::npos);
  CHECK(cluster.run_json({"connectors", "config", "orders", "--show-secrets"})["database.password"] == "second-secret");

  // A stopped connector stays stopped through an update, and --wait waits for that.
  CHECK(cluster.run({"connectors", "stop", "orders"}).exit_code == 0);
  write(dir, "orders.json", R"({"name": "orders", "config": {"connector.class": "FileStreamSource", "topic": "orders",
 "tasks.max": "3"}})");
  auto stopped = cluster.run({"connectors", "apply", "-f", dir.path() + "/orders.json", "--wait", "--wait-timeout", "10s"});
  CHECK(stopped.exit_code == 0);
  CHECK(cluster.state("orders") == "STOPPED");
}

TEST_CASE("apply --dry-run validates on the worker and with lint, changes nothing, exits 1 when invalid") {
  Cluster cluster;
  TempDir dir;
  const auto bad = write(dir, "bad.json", R"({"name": "bad-sink", "config": {"connector.class": "FileStreamSink"}})");
  auto result = cluster.run({"connectors", "apply", "-f", bad, "--dry-run"});
  CHECK(result.exit_code == 1);
  CHECK(result.out.find("bad-sink: would be created") != std::string::npos);
  CHECK(result.out.find("Must configure one of topics or topics.regex") != std::string::npos);
  CHECK(result.err.find("the plan has invalid connector configs") != std::string::npos);
  CHECK(cluster.writes() == std::vector<std::string>{"PUT /connector-plugins/FileStreamSink/config/validate"});

  const auto good = write(dir, "good.json", R"({"name": "ok", "config": {"connector.class": "FileStreamSink", "topics": "t"}})");
  CHECK(cluster.run({"connectors", "apply", "-f", good, "--dry-run"}).exit_code == 0);
  CHECK(cluster.run({"connectors", "list", "-o", "name"}).out.empty());

  // Scripts get the findings in the JSON, not only in the table.
  auto as_json = cluster.run({"connectors", "apply", "-f", bad, "--dry-run", "-o", "json"});
  CHECK(as_json.exit_code == 1);
  auto plan = json::parse(as_json.out);
  REQUIRE(plan.size() == 1);
  CHECK(plan[0]["findings"][0]["message"].get<std::string>().find("Must configure one of topics") != std::string::npos);
}

TEST_CASE("apply carries on past a connector the worker rejects, reports each, exits 1") {
  Cluster cluster;
  TempDir dir;
  write(dir, "1.json", R"({"name": "aa", "config": {"connector.class": "FileStreamSink", "topics": "t"}})");
  write(dir, "2.json", R"({"name": "bb", "config": {"connector.class": "NoSuchConnector"}})");
  write(dir, "3.json", R"({"name": "cc", "config": {"connector.class": "FileStreamSink", "topics": "t"}})");
  auto result = cluster.run({"connectors", "apply", "-f", dir.path(), "-o", "json"});
  CHECK(result.exit_code == 1);
  auto data = json::parse(result.out);
  REQUIRE(data.size() == 3);
  CHECK(data[0]["error"].is_null());
  CHECK(data[1]["error"].get<std::string>().find("Failed to find any class") != std::string::npos);
  CHECK(data[2]["error"].is_null());
  CHECK(result.err.find("1 of 3 connectors could not be applied") != std::string::npos);
  CHECK(cluster.run({"connectors", "list", "-o", "name"}).out == "aa\ncc\n");
  // A final 500 is not retried until the timeout: one request for bb.
  const auto log = cluster.connect.request_log();
  CHECK(std::count(log.begin(), log.end(), "PUT /connectors/bb/config") == 1);
}

TEST_CASE("apply refuses bad files before touching the cluster") {
  Cluster cluster;
  TempDir dir;
  const auto a = write(dir, "a.json", R"({"name": "x", "config": {"connector.class": "FileStreamSink", "topics": "t"}})");
  const auto b = write(dir, "b.json", R"({"name": "x", "config": {"connector.class": "FileStreamSink", "topics": "u"}})");
  auto twice = cluster.run({"connectors", "apply", "-f", a, "-f", b});
  CHECK(twice.exit_code == 2);
  CHECK(twice.err.find("connector 'x' is defined twice") != std::string::npos);
  const auto broken = write(dir, "broken.json", R"({"name": "y", "config": {)");
  CHECK(cluster.run({"connectors", "apply", "-f", broken}).exit_code == 2);
  const auto nul = write(dir, "null.json", R"({"name": "y", "config": {"connector.class": "FileStreamSink", "topics": null}})");
  CHECK(cluster.run({"connectors", "apply", "-f", nul}).err.find("'topics' is null") != std::string::npos);
  CHECK(cluster.writes().empty());
  RunOptions piped;
  piped.stdin_data = R"([{"name": "from-stdin", "config": {"connector.class": "FileStreamSink", "topics": "t"}}])";
  CHECK(cluster.run({"connectors", "apply", "-f", "-"}, piped).out == "from-stdin: created\n");
}

TEST_CASE("create, and what happens when the connector exists") {
  Cluster cluster;
  TempDir dir;
  const auto file = write(dir, "c.json", R"({"name": "c", "config": {"connector.class": "FileStreamSink", "topics": "t"}})");
  auto created = cluster.run({"connectors", "create", "-f", file, "--initial-state", "stopped", "--wait"});
  CHECK(created.exit_code == 0);
  CHECK(created.out == "c: created (STOPPED)\n");
  CHECK(cluster.state("c") == "STOPPED");
  auto exists = cluster.run({"connectors", "create", "-f", file});
  CHECK(exists.exit_code == 1);
  CHECK(exists.err.find("Connector c already exists") != std::string::npos);
  CHECK(exists.err.find("hint: update it with cdcctl connectors apply") != std::string::npos);
  CHECK(cluster.run({"connectors", "create", "other", "-f", file}).exit_code == 0);
  CHECK(cluster.run_json({"connectors", "config", "other"})["name"] == "other");
}

TEST_CASE("patch uses PATCH on 3.8+ and read-modify-PUT before") {
  for (const char* version : {"3.8.0", "3.7.1"}) {
    CAPTURE(version);
    Cluster cluster(version);
    cluster.source("orders");
    cluster.connect.clear_request_log();
    auto result = cluster.run({"connectors", "patch", "orders", "--set", "tasks.max=4", "--unset", "database.password"});
    CHECK(result.exit_code == 0);
    CHECK(result.out == "orders: patched\n  - database.password: ********\n  ~ tasks.max: 1 -> 4\n");
    auto config = cluster.run_json({"connectors", "config", "orders"});
    CHECK(config["tasks.max"] == "4");
    CHECK_FALSE(config.contains("database.password"));
    const auto writes = cluster.writes();
    REQUIRE(writes.size() == 1);
    // The same patch again changes nothing, so nothing is written (a write would restart it).
    cluster.connect.clear_request_log();
    auto again = cluster.run({"connectors", "patch", "orders", "--set", "tasks.max=4", "-o", "json"});
    CHECK(json::parse(again.out)["result"] == "unchanged");
    CHECK(cluster.writes().empty());
    CHECK(writes[0] == (std::string(version) == "3.8.0" ? "PATCH /connectors/orders/config" : "PUT /connectors/orders/config"));
  }
}

TEST_CASE("validate: worker errors and lint findings, exit 1 on errors; --local needs no worker") {
  Cluster cluster;
  TempDir dir;
  const auto file = write(dir, "pg.json", R"({"name": "pg", "config": {
    "connector.class": "io.debezium.connector.postgresql.PostgresConnector", "topic.prefix": "shop",
    "slot.name": "Bad-Slot", "plugin.name": "pgoutput", "errors.deadletterqueue.topic.name": "dlq"}})");
  auto result = cluster.run({"connectors", "validate", "-f", file, "-o", "json"});
  CHECK(result.exit_code == 1);
  auto findings = json::parse(result.out);
  auto has = [&](const std::string& key, const std::string& severity) {
    return std::any_of(findings.begin(), findings.end(),
                       [&](const json& f) { return f["key"] == key && f["severity"] == severity; });
  };
  CHECK(has("slot.name", "error"));
  CHECK(has("errors.deadletterqueue.topic.name", "error"));
  auto local = run_cdcctl({"connectors", "validate", "-f", file, "--local"});
  CHECK(local.exit_code == 1);
  CHECK(local.out.find("slot.name") != std::string::npos);
}

TEST_CASE("new prints the templates kept in examples/connectors, and each validates clean") {
  for (const char* name : {"postgres", "sqlserver", "mysql", "oracle", "mongodb", "jdbc-sink"}) {
    CAPTURE(name);
    auto printed = run_cdcctl({"connectors", "new", "--template", name});
    CHECK(printed.exit_code == 0);
    std::ifstream in(std::string(CDCCTL_SOURCE_DIR) + "/examples/connectors/" + name + ".json");
    CHECK(printed.out == std::string(std::istreambuf_iterator<char>(in), {}));
    TempDir dir;
    const auto file = write(dir, "t.json", printed.out);
    auto linted = run_cdcctl({"connectors", "validate", "-f", file, "--local"});
    CHECK(linted.exit_code == 0);
  }
  auto unknown = run_cdcctl({"connectors", "new", "--template", "db2"});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find("use one of:") != std::string::npos);
}

TEST_CASE("delete -f removes the connectors a file defines") {
  Cluster cluster;
  cluster.source("a");
  cluster.source("b");
  TempDir dir;
  const auto file = write(dir, "a.json", R"({"name": "a", "config": {"connector.class": "FileStreamSource", "topic": "t"}})");
  CHECK(cluster.run({"connectors", "delete", "-f", file, "--yes"}).out == "a: deleted\n");
  CHECK(cluster.run({"connectors", "list", "-o", "name"}).out == "b\n");
}

TEST_CASE("TLS: a self-signed CA passed with --cacert is trusted; without it the worker is refused") {
  TempDir dir;
  const std::string key = dir.path() + "/key.pem";
  const std::string cert = dir.path() + "/cert.pem";
  auto made = run_process({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                           "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"});
  REQUIRE_MESSAGE(made.exit_code == 0, made.err);
  ConnectDoubleOptions options;
  options.tls_cert_file = cert;
  options.tls_key_file = key;
  ConnectDouble secure(options);
  CHECK(secure.url().starts_with("https://"));

  auto refused = run_cdcctl({"connectors", "list", "--connect-url", secure.url(), "-v"});
  CHECK(refused.exit_code == 3);
  CHECK(refused.err.find("hint: pass the server's CA with --cacert") != std::string::npos);
  CHECK(refused.err.find("retrying") == std::string::npos);  // a certificate problem is final

  auto trusted = run_cdcctl({"connectors", "list", "--connect-url", secure.url(), "--cacert", cert, "-o", "json"});
  CHECK(trusted.exit_code == 0);
  CHECK(trusted.out == "[]\n");

  auto insecure = run_cdcctl({"cluster", "info", "--connect-url", secure.url(), "--insecure"});
  CHECK(insecure.exit_code == 0);
}
