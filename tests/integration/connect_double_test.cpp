// Conformance tests for the Kafka Connect REST double: the status codes, bodies and
// messages it answers must match shared/reference/kafka-connect-rest.md, because cdcctl's
// tests trust it in place of a real worker.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "support/connect_double.hpp"
#include "support/process.hpp"

namespace {

using cdcctl::testsupport::BackgroundProcess;
using cdcctl::testsupport::ConnectDouble;
using cdcctl::testsupport::ConnectDoubleOptions;
using cdcctl::testsupport::TempDir;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kJson = "application/json";

ConnectDoubleOptions with_version(const std::string& version) {
  ConnectDoubleOptions options;
  options.version = version;
  return options;
}

// A running double and a client pointed at it.
struct Worker {
  explicit Worker(ConnectDoubleOptions options = {}) : connect(std::move(options)), http("127.0.0.1", connect.port()) {
    http.set_read_timeout(10, 0);
  }

  httplib::Result post(const std::string& path, const json& body) { return http.Post(path, body.dump(), kJson); }
  httplib::Result put(const std::string& path, const json& body) { return http.Put(path, body.dump(), kJson); }
  httplib::Result patch(const std::string& path, const json& body) { return http.Patch(path, body.dump(), kJson); }

  // Creates a connector and checks that the double accepted it.
  void create(const json& request) {
    const auto res = post("/connectors", request);
    REQUIRE(res);
    REQUIRE_MESSAGE(res->status == 201, res->body);
  }

  ConnectDouble connect;
  httplib::Client http;
};

json file_source(const std::string& name, int tasks = 1) {
  return {{"name", name},
          {"config",
           {{"connector.class", "org.apache.kafka.connect.file.FileStreamSourceConnector"},
            {"file", "/tmp/in.txt"},
            {"topic", "lines"},
            {"tasks.max", std::to_string(tasks)}}}};
}

json file_sink(const std::string& name, const std::string& topics = "orders,customers") {
  return {{"name", name}, {"config", {{"connector.class", "FileStreamSink"}, {"topics", topics}}}};
}

json body_of(const httplib::Result& res) {
  REQUIRE(res);
  return json::parse(res->body);
}

// Checks Connect's error entity: error_code always equals the HTTP status.
void check_error(const httplib::Result& res, int status, const std::string& message) {
  REQUIRE(res);
  CHECK(res->status == status);
  CHECK(res->get_header_value("Content-Type") == kJson);
  const json body = json::parse(res->body);
  CHECK(body["error_code"] == status);
  CHECK(body["message"] == message);
}

void check_empty(const httplib::Result& res, int status) {
  REQUIRE(res);
  CHECK(res->status == status);
  CHECK(res->body.empty());
}

const std::string kNotStopped =
    "Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the "
    "specified connector by issuing a 'PUT' request to the '/connectors/src/stop' endpoint";

// Sends raw bytes and returns the status line; httplib's client always adds Content-Length.
std::string raw_status_line(int port, const std::string& request) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size()));
  std::string received;
  char buffer[1024];
  while (received.find("\r\n") == std::string::npos) {
    const ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    received.append(buffer, static_cast<std::size_t>(n));
  }
  close(fd);
  return received.substr(0, received.find("\r\n"));
}

const std::string kPoison = "org.apache.kafka.connect.errors.DataException: poison pill\n\tat Task.put(Task.java:7)";

// The state of a task (or, with task < 0, of the connector) in the double's status.
std::string state_of(ConnectDouble& connect, const std::string& name, int task = -1) {
  const json status = connect.connector_state(name);
  return task < 0 ? status["connector"]["state"].get<std::string>()
                  : status["tasks"][static_cast<std::size_t>(task)]["state"].get<std::string>();
}

// Polls until a delayed restart has completed and returns the resulting state. Gives up
// (and fails) only after a generous deadline, so slow machines do not matter.
std::string settled_state(ConnectDouble& connect, const std::string& name, int task = -1) {
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  std::string state = state_of(connect, name, task);
  while (state == "RESTARTING" && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
    state = state_of(connect, name, task);
  }
  CHECK(state != "RESTARTING");
  return state;
}

std::size_t count_of(const std::vector<std::string>& log, const std::string& entry) {
  return static_cast<std::size_t>(std::count(log.begin(), log.end(), entry));
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Waits until `done` holds, up to a generous deadline; returns whether it did.
template <typename F>
bool eventually(F done) {
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

}  // namespace

TEST_SUITE("connect double") {
  TEST_CASE("GET / reports the configured version and cluster id") {
    ConnectDoubleOptions options = with_version("3.8.0");
    options.kafka_cluster_id = "abc123";
    Worker w(options);
    const json info = body_of(w.http.Get("/"));
    CHECK(info["version"] == "3.8.0");
    CHECK(info["kafka_cluster_id"] == "abc123");
    CHECK(info["commit"].get<std::string>().size() == 16);
    CHECK(w.connect.url() == "http://127.0.0.1:" + std::to_string(w.connect.port()));
    CHECK(w.connect.worker_id() == "127.0.0.1:" + std::to_string(w.connect.port()));
  }

  TEST_CASE("a fixed port that is already taken is refused, not shared") {
    ConnectDouble first;
    ConnectDoubleOptions same_port;
    same_port.port = first.port();
    CHECK_THROWS_AS(ConnectDouble{same_port}, std::runtime_error);
  }

  TEST_CASE("creating a connector answers 201 with Location and no tasks yet") {
    Worker w;
    const auto res = w.post("/connectors", file_source(" src ", 2));  // the name is trimmed
    REQUIRE(res);
    CHECK(res->status == 201);
    CHECK(res->get_header_value("Location") == w.connect.url() + "/connectors/src");
    const json info = json::parse(res->body);
    CHECK(info["name"] == "src");
    CHECK(info["config"]["name"] == "src");
    CHECK(info["tasks"] == json::array());
    CHECK(info["type"] == "source");

    const json later = body_of(w.http.Get("/connectors/src"));
    CHECK(later["tasks"] == json::parse(R"([{"connector":"src","task":0},{"connector":"src","task":1}])"));
    CHECK(body_of(w.http.Get("/connectors")) == json::array({"src"}));

    const json status = body_of(w.http.Get("/connectors/src/status"));
    CHECK(status["connector"]["state"] == "RUNNING");
    CHECK(status["connector"]["worker_id"] == w.connect.worker_id());
    REQUIRE(status["tasks"].size() == 2);
    CHECK(status["tasks"][1]["id"] == 1);
    CHECK_FALSE(status["tasks"][1].contains("trace"));

    const json tasks = body_of(w.http.Get("/connectors/src/tasks"));
    REQUIRE(tasks.size() == 2);
    CHECK(tasks[1]["id"] == json{{"connector", "src"}, {"task", 1}});
    CHECK(tasks[1]["config"]["task.class"] == "org.apache.kafka.connect.file.FileStreamSourceTask");

    check_error(w.post("/connectors", file_source("src")), 409, "Connector src already exists");
  }

  TEST_CASE("create-time checks: name mismatch, missing class, unknown class, invalid config") {
    Worker w;
    json mismatch = file_source("a");
    mismatch["config"]["name"] = "b";
    check_error(w.post("/connectors", mismatch), 400,
                "Connector name configuration (b) doesn't match connector name in the URL (a)");

    check_error(w.post("/connectors", {{"name", "x"}, {"config", {{"topic", "t"}}}}), 400,
                "Connector config {name=x, topic=t} contains no connector type");

    const auto unknown = w.post("/connectors", {{"name", "x"}, {"config", {{"connector.class", "com.example.Nope"}}}});
    REQUIRE(unknown);
    CHECK(unknown->status == 500);
    const json unknown_body = json::parse(unknown->body);
    CHECK(unknown_body["error_code"] == 500);
    CHECK(unknown_body["message"].get<std::string>().starts_with(
        "Failed to find any class that implements Connector and which name matches com.example.Nope, available "
        "connectors are: PluginDesc{klass=class "));

    // SinkConnectorConfig reports the missing topics on both topics and topics.regex.
    check_error(w.post("/connectors", {{"name", "snk"}, {"config", {{"connector.class", "FileStreamSink"}}}}), 400,
                "Connector configuration is invalid and contains the following 2 error(s):\n"
                "Must configure one of topics or topics.regex\n"
                "Must configure one of topics or topics.regex\n"
                "You can also find the above list of errors at the endpoint "
                "`/connector-plugins/{connectorType}/config/validate`");

    json null_value = file_source("n");
    null_value["config"]["file"] = nullptr;
    check_error(w.post("/connectors", null_value), 400,
                "Connector configuration is invalid and contains the following 1 error(s):\n"
                "Null value can not be supplied as the configuration value.\n"
                "You can also find the above list of errors at the endpoint "
                "`/connector-plugins/{connectorType}/config/validate`");

    json bad_tasks = file_source("t");
    bad_tasks["config"]["tasks.max"] = "0";
    const auto res = w.post("/connectors", bad_tasks);
    REQUIRE(res);
    CHECK(res->status == 400);
    CHECK(json::parse(res->body)["message"].get<std::string>().find(
              "Invalid value 0 for configuration tasks.max: Value must be at least 1") != std::string::npos);
    CHECK(body_of(w.http.Get("/connectors")) == json::array());
  }

  TEST_CASE("malformed or mistyped bodies are 500s, other media types 415") {
    Worker w;
    const auto garbage = w.http.Post("/connectors", "{not json", kJson);
    REQUIRE(garbage);
    CHECK(garbage->status == 500);
    CHECK(json::parse(garbage->body)["error_code"] == 500);

    json bad_state = file_source("x");
    bad_state["initial_state"] = "sleeping";
    const auto state = w.post("/connectors", bad_state);
    REQUIRE(state);
    CHECK(state->status == 500);

    const auto nested = w.put("/connectors/x/config", {{"connector.class", {{"a", 1}}}});
    REQUIRE(nested);
    CHECK(nested->status == 500);

    check_error(w.http.Post("/connectors", "name=x", "application/x-www-form-urlencoded"), 415,
                "HTTP 415 Unsupported Media Type");
  }

  TEST_CASE("each endpoint uses its own not-found wording") {
    Worker w;
    for (const std::string path : {"/connectors/ghost", "/connectors/ghost/config", "/connectors/ghost/tasks",
                                   "/connectors/ghost/offsets", "/connectors/ghost/tasks-config"}) {
      CAPTURE(path);
      check_error(w.http.Get(path), 404, "Connector ghost not found");
    }
    check_error(w.http.Delete("/connectors/ghost"), 404, "Connector ghost not found");
    check_error(w.http.Delete("/connectors/ghost/offsets"), 404, "Connector ghost not found");
    for (const std::string action : {"pause", "resume", "stop"}) {
      CAPTURE(action);
      check_error(w.http.Put("/connectors/ghost/" + action), 404, "Unknown connector ghost");
    }
    check_error(w.http.Post("/connectors/ghost/restart"), 404, "Unknown connector: ghost");
    check_error(w.http.Post("/connectors/ghost/restart?includeTasks=true"), 404, "Unknown connector: ghost");
    check_error(w.http.Post("/connectors/ghost/tasks/0/restart"), 404, "Unknown connector: ghost");
    check_error(w.http.Get("/connectors/ghost/status"), 404, "No status found for connector ghost");
    check_error(w.http.Get("/connectors/ghost/tasks/3/status"), 404, "No status found for task ghost-3");

    w.create(file_source("src"));
    check_error(w.http.Post("/connectors/src/tasks/7/restart"), 404, "Unknown task: src-7");
    check_error(w.http.Get("/connectors/src/tasks/7/status"), 404, "No status found for task src-7");
    check_error(w.http.Get("/connectors/src/tasks/abc/status"), 404, "HTTP 404 Not Found");
  }

  TEST_CASE("PATCH config on 3.8 merges the patch and removes null keys") {
    ConnectDoubleOptions options = with_version("3.8.0");
    options.config_update_delay = std::chrono::seconds(3);  // long enough to see under any load
    Worker w(options);
    w.create(file_source("src"));
    check_error(w.patch("/connectors/ghost/config", {{"a", "b"}}), 404, "Connector ghost not found");

    const auto res = w.patch("/connectors/src/config", {{"batch.size", "10"}, {"file", nullptr}});
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(body_of(res)["config"]["batch.size"] == "10");
    // As a real worker, GET /config serves the old config for a moment.
    CHECK(body_of(w.http.Get("/connectors/src/config"))["batch.size"] != "10");
    json config = json::object();
    for (int i = 0; i < 100 && config.value("batch.size", "") != "10"; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      config = body_of(w.http.Get("/connectors/src/config"));
    }
    CHECK(config["batch.size"] == "10");
    CHECK_FALSE(config.contains("file"));
    CHECK(config["topic"] == "lines");
  }

  TEST_CASE("PATCH config before 3.8 is an unsupported method") {
    Worker w(with_version("3.7.1"));
    w.create(file_source("src"));
    const auto res = w.patch("/connectors/src/config", {{"batch.size", "10"}});
    check_error(res, 405, "HTTP 405 Method Not Allowed");
  }

  TEST_CASE("PUT config creates with 201 and updates with 200") {
    Worker w;
    const json config = {{"connector.class", "FileStreamSink"}, {"topics", "a"}, {"tasks.max", "2"}};
    const auto created = w.put("/connectors/snk/config", config);
    REQUIRE(created);
    CHECK(created->status == 201);
    CHECK(created->get_header_value("Location") == w.connect.url() + "/connectors/snk");

    json changed = config;
    changed["tasks.max"] = "3";
    const auto updated = w.put("/connectors/snk/config", changed);
    REQUIRE(updated);
    CHECK(updated->status == 200);
    const json info = json::parse(updated->body);
    CHECK(info["config"]["tasks.max"] == "3");
    CHECK(info["tasks"].size() == 2);  // the tasks from before the update
    CHECK(body_of(w.http.Get("/connectors/snk/status"))["tasks"].size() == 3);

    json renamed = config;
    renamed["name"] = "other";
    check_error(w.put("/connectors/snk/config", renamed), 400,
                "Connector name configuration (other) doesn't match connector name in the URL (snk)");
  }

  TEST_CASE("DELETE, stop, pause, resume, restarts and topic reset answer without a body") {
    Worker w;
    w.create(file_source("src", 2));
    check_empty(w.http.Put("/connectors/src/pause"), 202);
    CHECK(w.connect.connector_state("src")["connector"]["state"] == "PAUSED");
    CHECK(w.connect.connector_state("src")["tasks"][0]["state"] == "PAUSED");
    check_empty(w.http.Put("/connectors/src/resume"), 202);
    CHECK(w.connect.connector_state("src")["tasks"][1]["state"] == "RUNNING");
    check_empty(w.http.Post("/connectors/src/restart"), 204);
    check_empty(w.http.Post("/connectors/src/tasks/1/restart"), 204);
    check_empty(w.http.Put("/connectors/src/topics/reset"), 202);
    check_empty(w.http.Put("/connectors/src/stop"), 204);
    const json stopped = w.connect.connector_state("src");
    CHECK(stopped["connector"]["state"] == "STOPPED");
    CHECK(stopped["tasks"] == json::array());
    CHECK(body_of(w.http.Get("/connectors/src/tasks")) == json::array());
    check_empty(w.http.Put("/connectors/src/resume"), 202);  // recreates the tasks
    CHECK(w.connect.connector_state("src")["tasks"].size() == 2);
    check_empty(w.http.Delete("/connectors/src"), 204);
    CHECK(w.connect.connector_state("src").is_null());
  }

  TEST_CASE("a PUT without Content-Length has no body instead of hanging") {
    Worker w;
    w.create(file_source("src"));
    const std::string status = raw_status_line(
        w.connect.port(), "PUT /connectors/src/pause HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    CHECK(status == "HTTP/1.1 202 Accepted");
  }

  TEST_CASE("restart: 204 for the connector alone, 202 with the RESTARTING plan otherwise") {
    Worker w;
    w.create(file_source("src", 3));
    w.connect.fail_task("src", 1, "java.lang.RuntimeException: boom\n\tat Foo.bar(Foo.java:1)");
    const json failed = w.connect.connector_state("src");
    CHECK(failed["tasks"][1]["state"] == "FAILED");
    CHECK(failed["tasks"][1]["trace"] == "java.lang.RuntimeException: boom\n\tat Foo.bar(Foo.java:1)");

    SUBCASE("only \"true\" in any case counts") {
      check_empty(w.http.Post("/connectors/src/restart?includeTasks=yes&onlyFailed=1"), 204);
      CHECK(w.connect.connector_state("src")["tasks"][1]["state"] == "FAILED");
    }
    SUBCASE("includeTasks&onlyFailed restarts just the failed task") {
      const auto res = w.http.Post("/connectors/src/restart?includeTasks=TRUE&onlyFailed=True");
      REQUIRE(res);
      CHECK(res->status == 202);
      const json plan = json::parse(res->body);
      CHECK(plan["connector"]["state"] == "RUNNING");  // not failed, so not restarted
      CHECK(plan["tasks"][0]["state"] == "RUNNING");
      CHECK(plan["tasks"][1]["state"] == "RESTARTING");
      CHECK(plan["tasks"][1].contains("trace"));  // the plan keeps the old trace
      CHECK(plan["tasks"][2]["state"] == "RUNNING");
      const json after = w.connect.connector_state("src");
      CHECK(after["tasks"][1]["state"] == "RUNNING");
      CHECK_FALSE(after["tasks"][1].contains("trace"));
    }
    SUBCASE("includeTasks alone restarts everything") {
      const json plan = body_of(w.http.Post("/connectors/src/restart?includeTasks=true"));
      CHECK(plan["connector"]["state"] == "RESTARTING");
      for (const auto& task : plan["tasks"]) CHECK(task["state"] == "RESTARTING");
    }
    SUBCASE("onlyFailed alone restarts a failed connector but no tasks") {
      w.connect.fail_connector("src", "org.apache.kafka.connect.errors.ConnectException: down");
      const auto res = w.http.Post("/connectors/src/restart?onlyFailed=true");
      REQUIRE(res);
      CHECK(res->status == 202);
      const json plan = json::parse(res->body);
      CHECK(plan["connector"]["state"] == "RESTARTING");
      CHECK(plan["tasks"][1]["state"] == "FAILED");
      CHECK(w.connect.connector_state("src")["connector"]["state"] == "RUNNING");
    }
  }

  TEST_CASE("offsets can only change while the connector is STOPPED") {
    Worker w;
    w.create(file_source("src"));
    w.connect.set_offsets("src", json::parse(R"([{"partition":{"filename":"/tmp/in.txt"},"offset":{"position":30}}])"));
    const json patch = json::parse(R"({"offsets":[{"partition":{"filename":"/tmp/in.txt"},"offset":{"position":5}}]})");

    check_error(w.patch("/connectors/src/offsets", patch), 400, kNotStopped);
    check_error(w.http.Delete("/connectors/src/offsets"), 400, kNotStopped);
    check_empty(w.http.Put("/connectors/src/pause"), 202);
    check_error(w.patch("/connectors/src/offsets", patch), 400, kNotStopped);
    check_error(w.http.Delete("/connectors/src/offsets"), 400, kNotStopped);

    // Reading works in any state.
    CHECK(body_of(w.http.Get("/connectors/src/offsets"))["offsets"][0]["offset"]["position"] == 30);

    check_empty(w.http.Put("/connectors/src/stop"), 204);
    const auto altered = w.patch("/connectors/src/offsets", patch);
    REQUIRE(altered);
    CHECK(altered->status == 200);
    CHECK(json::parse(altered->body)["message"] ==
          "The Connect framework-managed offsets for this connector have been altered successfully. However, if "
          "this connector manages offsets externally, they will need to be manually altered in the system that the "
          "connector uses.");
    CHECK(body_of(w.http.Get("/connectors/src/offsets"))["offsets"][0]["offset"]["position"] == 5);

    const auto reset = w.http.Delete("/connectors/src/offsets");
    REQUIRE(reset);
    CHECK(reset->status == 200);
    CHECK(json::parse(reset->body)["message"] ==
          "The Connect framework-managed offsets for this connector have been reset successfully. However, if "
          "this connector manages offsets externally, they will need to be manually reset in the system that the "
          "connector uses.");
    CHECK(body_of(w.http.Get("/connectors/src/offsets")) == json{{"offsets", json::array()}});

    check_error(w.patch("/connectors/src/offsets", json::object()), 400,
                "Partitions / offsets need to be provided for an alter offsets request");
    check_error(w.patch("/connectors/src/offsets", {{"offsets", json::array()}}), 400,
                "Partitions / offsets need to be provided for an alter offsets request");
  }

  TEST_CASE("a connector created STOPPED qualifies for offset changes at once") {
    Worker w;
    json request = file_sink("snk");
    request["initial_state"] = "stopped";
    w.create(request);
    CHECK(w.connect.connector_state("snk")["connector"]["state"] == "STOPPED");
    const auto res =
        w.patch("/connectors/snk/offsets",
                json::parse(R"({"offsets":[{"partition":{"kafka_topic":"orders","kafka_partition":"2"},
                                             "offset":{"kafka_offset":"15"}}]})"));
    REQUIRE(res);
    CHECK(res->status == 200);
    // Numeric strings are stored as numbers, like the consumer group offsets they become.
    CHECK(body_of(w.http.Get("/connectors/snk/offsets")) ==
          json::parse(R"({"offsets":[{"partition":{"kafka_topic":"orders","kafka_partition":2},
                                       "offset":{"kafka_offset":15}}]})"));

    // A null offset resets just that partition.
    const auto cleared = w.patch(
        "/connectors/snk/offsets",
        json::parse(R"({"offsets":[{"partition":{"kafka_partition":2,"kafka_topic":"orders"},"offset":null}]})"));
    REQUIRE(cleared);
    CHECK(cleared->status == 200);
    CHECK(body_of(w.http.Get("/connectors/snk/offsets"))["offsets"] == json::array());
  }

  TEST_CASE("sink offset bodies are validated with Connect's messages") {
    Worker w;
    json request = file_sink("snk");
    request["initial_state"] = "STOPPED";
    w.create(request);
    const auto check = [&](const char* entry, const std::string& message) {
      CAPTURE(entry);
      check_error(w.patch("/connectors/snk/offsets", json{{"offsets", json::array({json::parse(entry)})}}), 400,
                  message);
    };
    check(R"({"offset":{"kafka_offset":1}})", "The partition for a sink connector offset cannot be null or missing");
    check(R"({"partition":{"kafka_topic":"t"},"offset":{"kafka_offset":1}})",
          "The partition for a sink connector offset must contain the keys 'kafka_topic' and 'kafka_partition'");
    check(R"({"partition":{"kafka_topic":null,"kafka_partition":0},"offset":null})",
          "Kafka topic names must be valid strings and may not be null");
    check(R"({"partition":{"kafka_topic":"t","kafka_partition":null},"offset":null})",
          "Kafka partitions must be valid numbers and may not be null");
    check(R"({"partition":{"kafka_topic":"t","kafka_partition":"zero"},"offset":null})",
          "Failed to parse the following Kafka partition value in the provided offsets: 'zero'. Partition values "
          "for sink connectors need to be integers.");
    check(R"({"partition":{"kafka_topic":"t","kafka_partition":0},"offset":{"position":1}})",
          "The offset for a sink connector should either be null or contain the key 'kafka_offset'");
    check(R"({"partition":{"kafka_topic":"t","kafka_partition":0},"offset":{"kafka_offset":"1.5"}})",
          "Failed to parse the following Kafka offset value in the provided offsets: '1.5'. Offset values for sink "
          "connectors need to be integers.");
  }

  TEST_CASE("GET /connectors expands status and info on request") {
    Worker w;
    w.create(file_source("a"));
    w.create(file_sink("b"));
    const json both = body_of(w.http.Get("/connectors?expand=status&expand=info"));
    REQUIRE(both.size() == 2);
    CHECK(both["a"]["status"]["connector"]["state"] == "RUNNING");
    CHECK(both["b"]["info"]["type"] == "sink");
    CHECK(both["b"]["info"]["config"]["topics"] == "orders,customers");

    const json status_only = body_of(w.http.Get("/connectors?expand=status"));
    CHECK(status_only["a"].contains("status"));
    CHECK_FALSE(status_only["a"].contains("info"));
    CHECK(body_of(w.http.Get("/connectors?expand=bogus")) == json{{"a", json::object()}, {"b", json::object()}});
  }

  TEST_CASE("endpoints come and go with the version") {
    SUBCASE("3.7: no /health, tasks-config present") {
      Worker w(with_version("3.7.1"));
      w.create(file_source("src"));
      check_error(w.http.Get("/health"), 404, "HTTP 404 Not Found");
      const json tasks = body_of(w.http.Get("/connectors/src/tasks-config"));
      CHECK(tasks["src-0"]["topic"] == "lines");
    }
    SUBCASE("3.9: /health") {
      Worker w(with_version("3.9.0"));
      const auto res = w.http.Get("/health");
      REQUIRE(res);
      CHECK(res->status == 200);
      CHECK(json::parse(res->body) == json{{"status", "healthy"},
                                           {"message", "Worker has completed startup and is ready to handle requests."}});
    }
    SUBCASE("4.0: tasks-config removed") {
      Worker w(with_version("4.0.0"));
      w.create(file_source("src"));
      check_error(w.http.Get("/connectors/src/tasks-config"), 404, "HTTP 404 Not Found");
      CHECK(w.http.Get("/health")->status == 200);
    }
  }

  TEST_CASE("unknown paths are Jersey 404s, unknown methods 405s") {
    Worker w;
    check_error(w.http.Get("/no/such/thing"), 404, "HTTP 404 Not Found");
    check_error(w.http.Delete("/connectors"), 405, "HTTP 405 Method Not Allowed");
    check_error(w.http.Post("/connector-plugins/FileStreamSink/config/validate", "{}", kJson), 405,
                "HTTP 405 Method Not Allowed");
  }

  TEST_CASE("config validation is a PUT that answers 200 even for invalid configs") {
    Worker w;
    const auto res = w.put("/connector-plugins/FileStreamSinkConnector/config/validate",
                           {{"connector.class", "org.apache.kafka.connect.file.FileStreamSinkConnector"},
                            {"name", "snk"}});
    REQUIRE(res);
    CHECK(res->status == 200);
    const json infos = json::parse(res->body);
    CHECK(infos["name"] == "org.apache.kafka.connect.file.FileStreamSinkConnector");
    CHECK(infos["error_count"] == 2);
    CHECK(infos["groups"][0] == "Common");
    bool found = false;
    for (const auto& config : infos["configs"]) {
      if (config["definition"]["name"] != "topics") continue;
      found = true;
      CHECK(config["definition"]["type"] == "LIST");
      CHECK(config["definition"].contains("order_in_group"));
      CHECK(config["value"]["errors"] == json::array({"Must configure one of topics or topics.regex"}));
    }
    CHECK(found);

    const json valid = body_of(w.put("/connector-plugins/FileStreamSink/config/validate",
                                     {{"connector.class", "FileStreamSink"}, {"name", "s"}, {"topics", "t"}}));
    CHECK(valid["error_count"] == 0);

    check_error(w.put("/connector-plugins/FileStreamSource/config/validate", {{"connector.class", "FileStreamSink"}}),
                400, "Included connector type FileStreamSink does not match request type FileStreamSource");

    const auto no_class = w.put("/connector-plugins/FileStreamSink/config/validate", {{"topics", "t"}});
    REQUIRE(no_class);
    CHECK(no_class->status == 500);
    CHECK(json::parse(no_class->body)["message"] ==
          "org.apache.kafka.connect.runtime.rest.errors.BadRequestException: Connector config {topics=t} contains "
          "no connector type");
  }

  TEST_CASE("connector plugins") {
    Worker w;
    const json connectors = body_of(w.http.Get("/connector-plugins"));
    REQUIRE_FALSE(connectors.empty());
    CHECK(connectors[0]["type"] == "sink");  // sinks come first
    for (const auto& plugin : connectors) {
      CHECK((plugin["type"] == "sink" || plugin["type"] == "source"));
    }
    const json postgres = {{"class", "io.debezium.connector.postgresql.PostgresConnector"},
                           {"type", "source"},
                           {"version", "2.7.3.Final"}};
    CHECK(std::find(connectors.begin(), connectors.end(), postgres) != connectors.end());

    const json everything = body_of(w.http.Get("/connector-plugins?connectorsOnly=false"));
    CHECK(everything.size() > connectors.size());
    CHECK(std::any_of(everything.begin(), everything.end(),
                      [](const json& p) { return p["type"] == "transformation"; }));

    const json keys = body_of(w.http.Get("/connector-plugins/FileStreamSource/config"));
    CHECK(keys[0]["name"] == "file");  // plugin keys first, then the framework's
    CHECK(std::any_of(keys.begin(), keys.end(), [](const json& k) { return k["name"] == "tasks.max"; }));
    check_error(w.http.Get("/connector-plugins/NoSuchPlugin/config"), 404, "Unknown plugin NoSuchPlugin.");
  }

  TEST_CASE("active topics") {
    Worker w;
    w.create(file_sink("snk"));
    CHECK(body_of(w.http.Get("/connectors/snk/topics")) ==
          json::parse(R"({"snk":{"topics":["customers","orders"]}})"));
    CHECK(body_of(w.http.Get("/connectors/ghost/topics")) == json::parse(R"({"ghost":{"topics":[]}})"));
    check_empty(w.http.Put("/connectors/snk/topics/reset"), 202);
    CHECK(body_of(w.http.Get("/connectors/snk/topics"))["snk"]["topics"] == json::array());
    w.connect.add_active_topic("snk", "late");
    CHECK(body_of(w.http.Get("/connectors/snk/topics"))["snk"]["topics"] == json::array({"late"}));

    ConnectDoubleOptions no_reset;
    no_reset.topic_tracking_allow_reset = false;
    Worker locked(no_reset);
    check_error(locked.http.Put("/connectors/x/topics/reset"), 403, "Topic tracking reset is disabled.");
    ConnectDoubleOptions untracked;
    untracked.topic_tracking = false;
    Worker off(untracked);
    check_error(off.http.Get("/connectors/x/topics"), 403, "Topic tracking is disabled.");
    check_error(off.http.Put("/connectors/x/topics/reset"), 403, "Topic tracking is disabled.");
  }

  TEST_CASE("admin loggers") {
    Worker w;
    CHECK(body_of(w.http.Get("/admin/loggers")) == json::parse(R"({"root":{"level":"INFO","last_modified":null}})"));
    CHECK(body_of(w.http.Get("/admin/loggers/root")) == json::parse(R"({"level":"INFO","last_modified":null})"));

    const json changed = body_of(w.put("/admin/loggers/org.apache.kafka.connect.runtime", {{"level", "debug"}}));
    REQUIRE(changed.size() >= 2);
    CHECK(std::is_sorted(changed.begin(), changed.end()));
    CHECK(std::find(changed.begin(), changed.end(), "org.apache.kafka.connect.runtime") != changed.end());
    const json level = body_of(w.http.Get("/admin/loggers/org.apache.kafka.connect.runtime"));
    CHECK(level["level"] == "DEBUG");
    CHECK(level["last_modified"].is_number());

    check_empty(w.put("/admin/loggers/org.apache.kafka.clients?scope=Cluster", {{"level", "WARN"}}), 204);
    CHECK(body_of(w.http.Get("/admin/loggers/org.apache.kafka.clients"))["level"] == "WARN");

    check_error(w.put("/admin/loggers/x", {{"level", "LOUD"}}), 404, "invalid log level 'LOUD'.");
    check_error(w.put("/admin/loggers/x", {{"lvl", "INFO"}}), 400,
                "Desired 'level' parameter was not specified in request.");
    check_error(w.http.Get("/admin/loggers/com.example.unknown"), 404, "Logger com.example.unknown not found.");
  }

  TEST_CASE("fault: conflicting writes answer 409 N times, reads are unaffected") {
    Worker w;
    w.connect.conflict_next_writes(2);
    const std::string conflict =
        "Cannot complete request momentarily due to no known leader URL, likely because a rebalance was underway.";
    check_error(w.post("/connectors", file_source("src")), 409, conflict);
    CHECK(w.http.Get("/connectors")->status == 200);
    check_error(w.post("/connectors", file_source("src")), 409, conflict);
    CHECK(w.post("/connectors", file_source("src"))->status == 201);
  }

  TEST_CASE("fault: rebalance-sensitive GETs answer 500") {
    Worker w;
    w.create(file_source("src"));
    w.connect.rebalance_next_gets(1);
    CHECK(w.http.Get("/connectors/src/status")->status == 200);  // status is not affected
    check_error(w.http.Get("/connectors/src/config"), 500, "Request cannot be completed because a rebalance is expected");
    CHECK(w.http.Get("/connectors/src/config")->status == 200);
  }

  TEST_CASE("fault: HTML error pages") {
    Worker w;
    w.connect.html_error_next_requests(1, 502);
    const auto res = w.http.Get("/connectors");
    REQUIRE(res);
    CHECK(res->status == 502);
    CHECK(res->get_header_value("Content-Type").starts_with("text/html"));
    CHECK(res->body.find("<h2>HTTP ERROR 502 Bad Gateway</h2>") != std::string::npos);
    CHECK_FALSE(json::accept(res->body));
    CHECK(w.http.Get("/connectors")->status == 200);

    w.connect.html_error_next_requests(1);
    CHECK(w.http.Get("/")->status == 500);
  }

  TEST_CASE("fault: truncated bodies do not parse") {
    Worker w;
    w.create(file_source("src"));
    w.connect.truncate_next_responses(1);
    const auto cut = w.http.Get("/connectors/src");
    REQUIRE(cut);
    CHECK(cut->status == 200);
    CHECK_FALSE(json::accept(cut->body));
    CHECK(json::accept(w.http.Get("/connectors/src")->body));
  }

  TEST_CASE("fault: delayed responses") {
    Worker w;
    w.connect.delay_responses(std::chrono::milliseconds(300));
    const auto started = std::chrono::steady_clock::now();
    CHECK(w.http.Get("/")->status == 200);
    CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(300));
    w.connect.delay_responses(std::chrono::milliseconds(0));
    CHECK(w.http.Get("/")->status == 200);
  }

  TEST_CASE("fault: failed tasks and connectors show up in status") {
    Worker w;
    w.create(file_source("src", 2));
    w.connect.fail_connector("src", "org.apache.kafka.connect.errors.ConnectException: gone");
    w.connect.fail_task("src", 0, "java.lang.IllegalStateException: bad");
    const json status = body_of(w.http.Get("/connectors/src/status"));
    CHECK(status["connector"]["state"] == "FAILED");
    CHECK(status["connector"]["trace"] == "org.apache.kafka.connect.errors.ConnectException: gone");
    CHECK(status["tasks"][0]["state"] == "FAILED");
    CHECK(body_of(w.http.Get("/connectors/src/tasks/0/status")) ==
          json{{"id", 0}, {"state", "FAILED"}, {"worker_id", w.connect.worker_id()},
               {"trace", "java.lang.IllegalStateException: bad"}});
    CHECK_THROWS_AS(w.connect.fail_task("src", 5, "x"), std::out_of_range);
    CHECK_THROWS_AS(w.connect.fail_connector("ghost", "x"), std::out_of_range);
  }

  TEST_CASE("authentication") {
    SUBCASE("basic") {
      ConnectDoubleOptions options;
      options.basic_auth_user = "admin";
      options.basic_auth_password = "s3cret";
      Worker w(options);
      const auto denied = w.http.Get("/connectors");
      REQUIRE(denied);
      CHECK(denied->status == 401);
      w.http.set_basic_auth("admin", "wrong");
      CHECK(w.http.Get("/connectors")->status == 401);
      w.http.set_basic_auth("admin", "s3cret");
      CHECK(w.http.Get("/connectors")->status == 200);
    }
    SUBCASE("bearer") {
      ConnectDoubleOptions options;
      options.bearer_token = "tok-123";
      Worker w(options);
      CHECK(w.http.Get("/")->status == 401);
      w.http.set_bearer_token_auth("nope");
      CHECK(w.http.Get("/")->status == 401);
      w.http.set_bearer_token_auth("tok-123");
      CHECK(w.http.Get("/")->status == 200);
    }
  }

  TEST_CASE("request log and control endpoints") {
    ConnectDoubleOptions options;
    options.control_endpoints = true;
    Worker w(options);
    CHECK(w.http.Get("/connectors?expand=status")->status == 200);
    w.create(file_source("src"));
    check_empty(w.http.Post("/__double/conflict?n=1", "", "text/plain"), 204);
    CHECK(w.http.Put("/connectors/src/stop")->status == 409);
    check_empty(w.http.Post("/__double/fail-connector?connector=src", "java.lang.Error: x", "text/plain"), 204);
    CHECK(w.connect.connector_state("src")["connector"]["trace"] == "java.lang.Error: x");
    check_empty(w.http.Put("/__double/offsets?connector=src", R"([{"partition":{"p":1},"offset":{"o":2}}])", kJson),
                204);
    CHECK(body_of(w.http.Get("/connectors/src/offsets"))["offsets"][0]["offset"]["o"] == 2);
    CHECK(w.http.Post("/__double/fail-task?connector=src&task=9", "x", "text/plain")->status == 404);

    const std::vector<std::string> expected = {"GET /connectors?expand=status", "POST /connectors",
                                               "PUT /connectors/src/stop", "GET /connectors/src/offsets"};
    CHECK(w.connect.request_log() == expected);
    CHECK(body_of(w.http.Get("/__double/requests")) == json(expected));

    Worker plain;  // without the option the prefix is just an unknown path
    check_error(plain.http.Get("/__double/requests"), 404, "HTTP 404 Not Found");
  }

  TEST_CASE("sticky task failure: both restart endpoints accept, the task fails again") {
    Worker w;
    w.create(file_source("src", 2));
    w.connect.fail_task("src", 1, kPoison, true);

    check_empty(w.http.Post("/connectors/src/tasks/1/restart"), 204);
    json status = w.connect.connector_state("src");
    CHECK(status["tasks"][1] ==
          json{{"id", 1}, {"state", "FAILED"}, {"worker_id", w.connect.worker_id()}, {"trace", kPoison}});
    CHECK(status["tasks"][0]["state"] == "RUNNING");

    const auto only_failed = w.http.Post("/connectors/src/restart?includeTasks=true&onlyFailed=true");
    REQUIRE(only_failed);
    CHECK(only_failed->status == 202);
    const json plan = json::parse(only_failed->body);  // the plan is the usual one
    CHECK(plan["connector"]["state"] == "RUNNING");
    CHECK(plan["tasks"][0]["state"] == "RUNNING");
    CHECK(plan["tasks"][1]["state"] == "RESTARTING");
    CHECK(state_of(w.connect, "src", 1) == "FAILED");
    CHECK(w.connect.connector_state("src")["tasks"][1]["trace"] == kPoison);

    const json everything = body_of(w.http.Post("/connectors/src/restart?includeTasks=true"));
    CHECK(everything["tasks"][1]["state"] == "RESTARTING");
    status = w.connect.connector_state("src");
    CHECK(status["connector"]["state"] == "RUNNING");
    CHECK(status["tasks"][0]["state"] == "RUNNING");
    CHECK(status["tasks"][1]["state"] == "FAILED");

    // Stopping drops the task; resuming starts it anew, and it fails again.
    check_empty(w.http.Put("/connectors/src/stop"), 204);
    check_empty(w.http.Put("/connectors/src/resume"), 202);
    CHECK(state_of(w.connect, "src", 1) == "FAILED");
    CHECK(state_of(w.connect, "src", 0) == "RUNNING");

    // The request log lets tests count what a client retried.
    const auto log = w.connect.request_log();
    CHECK(count_of(log, "POST /connectors/src/tasks/1/restart") == 1);
    CHECK(count_of(log, "POST /connectors/src/restart?includeTasks=true&onlyFailed=true") == 1);
  }

  TEST_CASE("sticky connector failure survives the plain and the KIP-745 restart") {
    Worker w;
    w.create(file_source("src", 2));
    w.connect.fail_connector("src", kPoison, true);

    check_empty(w.http.Post("/connectors/src/restart"), 204);
    json status = w.connect.connector_state("src");
    CHECK(status["connector"] == json{{"state", "FAILED"}, {"worker_id", w.connect.worker_id()}, {"trace", kPoison}});

    const json plan = body_of(w.http.Post("/connectors/src/restart?onlyFailed=true"));
    CHECK(plan["connector"]["state"] == "RESTARTING");
    CHECK(state_of(w.connect, "src") == "FAILED");

    const json with_tasks = body_of(w.http.Post("/connectors/src/restart?includeTasks=true"));
    CHECK(with_tasks["connector"]["state"] == "RESTARTING");
    status = w.connect.connector_state("src");
    CHECK(status["connector"]["state"] == "FAILED");
    CHECK(status["connector"]["trace"] == kPoison);
    CHECK(status["tasks"][0]["state"] == "RUNNING");  // only the connector is poisoned

    // Paused, the connector stays FAILED; restarted while paused it fails again too.
    check_empty(w.http.Put("/connectors/src/pause"), 202);
    CHECK(state_of(w.connect, "src") == "FAILED");
    check_empty(w.http.Post("/connectors/src/restart"), 204);
    CHECK(state_of(w.connect, "src") == "FAILED");

    // A non-sticky failure replaces the sticky one.
    w.connect.fail_connector("src", "java.lang.Error: once");
    check_empty(w.http.Post("/connectors/src/restart"), 204);
    CHECK(state_of(w.connect, "src") == "PAUSED");
  }

  TEST_CASE("heal() clears stickiness but keeps states until the next restart") {
    ConnectDoubleOptions options;
    options.control_endpoints = true;
    Worker w(options);
    w.create(file_source("src", 2));
    check_empty(w.http.Post("/__double/fail-task?connector=src&task=0&sticky=true", kPoison, "text/plain"), 204);
    check_empty(w.http.Post("/__double/fail-connector?connector=src&sticky=TRUE", kPoison, "text/plain"), 204);
    CHECK(w.http.Post("/connectors/src/restart?includeTasks=true")->status == 202);
    CHECK(state_of(w.connect, "src") == "FAILED");
    CHECK(state_of(w.connect, "src", 0) == "FAILED");

    check_empty(w.http.Post("/__double/heal?connector=src", "", "text/plain"), 204);
    CHECK(state_of(w.connect, "src") == "FAILED");
    CHECK(state_of(w.connect, "src", 0) == "FAILED");
    CHECK(w.connect.connector_state("src")["tasks"][0]["trace"] == kPoison);

    CHECK(w.http.Post("/connectors/src/restart?includeTasks=true&onlyFailed=true")->status == 202);
    const json status = w.connect.connector_state("src");
    CHECK(status["connector"]["state"] == "RUNNING");
    CHECK_FALSE(status["connector"].contains("trace"));
    CHECK(status["tasks"][0]["state"] == "RUNNING");
    CHECK_FALSE(status["tasks"][0].contains("trace"));

    CHECK(w.http.Post("/__double/heal?connector=ghost", "", "text/plain")->status == 404);
    CHECK(w.http.Post("/__double/fail-task?connector=src&task=0&sticky=yes", "x", "text/plain")->status == 400);
    CHECK_THROWS_AS(w.connect.heal("ghost"), std::out_of_range);
    // Control endpoints stay out of the request log.
    for (const auto& entry : w.connect.request_log()) CHECK_FALSE(entry.starts_with("POST /__double"));
  }

  TEST_CASE("stickiness ends when the config is replaced or the connector deleted") {
    Worker w(with_version("3.8.0"));
    const json request = file_source("src", 2);
    w.create(request);

    w.connect.fail_task("src", 1, kPoison, true);
    w.connect.fail_connector("src", kPoison, true);
    CHECK(w.put("/connectors/src/config", request["config"])->status == 200);
    CHECK(state_of(w.connect, "src") == "RUNNING");  // a config write restarts everything
    CHECK(state_of(w.connect, "src", 1) == "RUNNING");
    w.connect.fail_task("src", 1, "java.lang.Error: once");
    check_empty(w.http.Post("/connectors/src/tasks/1/restart"), 204);
    CHECK(state_of(w.connect, "src", 1) == "RUNNING");

    w.connect.fail_task("src", 1, kPoison, true);
    CHECK(w.patch("/connectors/src/config", {{"batch.size", "5"}})->status == 200);
    CHECK(state_of(w.connect, "src", 1) == "RUNNING");
    w.connect.fail_task("src", 1, "java.lang.Error: once");
    check_empty(w.http.Post("/connectors/src/tasks/1/restart"), 204);
    CHECK(state_of(w.connect, "src", 1) == "RUNNING");

    w.connect.fail_task("src", 1, kPoison, true);
    check_empty(w.http.Delete("/connectors/src"), 204);
    w.create(request);
    w.connect.fail_task("src", 1, "java.lang.Error: once");
    check_empty(w.http.Post("/connectors/src/tasks/1/restart"), 204);
    CHECK(state_of(w.connect, "src", 1) == "RUNNING");
  }

  TEST_CASE("unassigned tasks keep a worker_id and come back on restart or pause/resume") {
    ConnectDoubleOptions options;
    options.control_endpoints = true;
    Worker w(options);
    w.create(file_source("src", 2));
    w.connect.unassign_task("src", 1);
    const json unassigned{{"id", 1}, {"state", "UNASSIGNED"}, {"worker_id", w.connect.worker_id()}};
    CHECK(body_of(w.http.Get("/connectors/src/status"))["tasks"][1] == unassigned);
    CHECK(body_of(w.http.Get("/connectors/src/tasks/1/status")) == unassigned);
    CHECK(state_of(w.connect, "src") == "RUNNING");

    // onlyFailed leaves it alone: it is not FAILED.
    const json plan = body_of(w.http.Post("/connectors/src/restart?includeTasks=true&onlyFailed=true"));
    CHECK(plan["tasks"][1]["state"] == "UNASSIGNED");
    CHECK(state_of(w.connect, "src", 1) == "UNASSIGNED");

    check_empty(w.http.Post("/connectors/src/tasks/1/restart"), 204);
    CHECK(state_of(w.connect, "src", 1) == "RUNNING");

    check_empty(w.http.Post("/__double/unassign-task?connector=src&task=0", "", "text/plain"), 204);
    CHECK(state_of(w.connect, "src", 0) == "UNASSIGNED");
    check_empty(w.http.Put("/connectors/src/pause"), 202);
    CHECK(state_of(w.connect, "src", 0) == "PAUSED");

    w.connect.unassign_task("src", 0);
    check_empty(w.http.Put("/connectors/src/resume"), 202);
    CHECK(state_of(w.connect, "src", 0) == "RUNNING");

    // A sticky task that gets reassigned starts, and fails.
    w.connect.fail_task("src", 1, kPoison, true);
    w.connect.unassign_task("src", 1);
    check_empty(w.http.Put("/connectors/src/resume"), 202);
    CHECK(state_of(w.connect, "src", 1) == "FAILED");

    CHECK_THROWS_AS(w.connect.unassign_task("src", 2), std::out_of_range);
    CHECK_THROWS_AS(w.connect.unassign_task("ghost", 0), std::out_of_range);
    CHECK(w.http.Post("/__double/unassign-task?connector=src&task=9", "", "text/plain")->status == 404);
  }

  TEST_CASE("delayed restarts show RESTARTING, then the outcome once the delay has passed") {
    ConnectDoubleOptions options;
    options.control_endpoints = true;
    Worker w(options);
    w.create(file_source("src", 2));
    const auto delay = 300ms;
    // RESTARTING is only asserted while less than the delay has passed since just before
    // the request: a slow machine makes the check weaker, never wrong.
    const auto restarting_unless_late = [&](std::chrono::steady_clock::time_point sent, int task) {
      const std::string state = state_of(w.connect, "src", task);
      if (std::chrono::steady_clock::now() - sent < delay) {
        CHECK(state == "RESTARTING");
      } else {
        CHECK((state == "RESTARTING" || state == "RUNNING" || state == "PAUSED" || state == "FAILED"));
      }
    };

    w.connect.delay_restarts(delay);
    SUBCASE("task restart") {
      const auto sent = std::chrono::steady_clock::now();
      check_empty(w.http.Post("/connectors/src/tasks/0/restart"), 204);
      restarting_unless_late(sent, 0);
      CHECK(state_of(w.connect, "src", 1) == "RUNNING");
      CHECK(settled_state(w.connect, "src", 0) == "RUNNING");
    }
    SUBCASE("connector restart, 204 and 202") {
      auto sent = std::chrono::steady_clock::now();
      check_empty(w.http.Post("/connectors/src/restart"), 204);
      restarting_unless_late(sent, -1);
      CHECK(settled_state(w.connect, "src") == "RUNNING");

      sent = std::chrono::steady_clock::now();
      const json plan = body_of(w.http.Post("/connectors/src/restart?includeTasks=true"));
      CHECK(plan["connector"]["state"] == "RESTARTING");
      CHECK(plan["tasks"][1]["state"] == "RESTARTING");
      const json status = body_of(w.http.Get("/connectors/src/status"));
      if (std::chrono::steady_clock::now() - sent < delay) {
        CHECK(status["connector"]["state"] == "RESTARTING");
        CHECK(status["tasks"][1]["state"] == "RESTARTING");
        CHECK(body_of(w.http.Get("/connectors/src/tasks/1/status"))["state"] == "RESTARTING");
      }
      CHECK(settled_state(w.connect, "src") == "RUNNING");
      CHECK(settled_state(w.connect, "src", 0) == "RUNNING");
      CHECK(settled_state(w.connect, "src", 1) == "RUNNING");
    }
    SUBCASE("a sticky task fails again after the delay") {
      w.connect.fail_task("src", 1, kPoison, true);
      const auto sent = std::chrono::steady_clock::now();
      check_empty(w.http.Post("/connectors/src/tasks/1/restart"), 204);
      restarting_unless_late(sent, 1);
      CHECK(settled_state(w.connect, "src", 1) == "FAILED");
      CHECK(w.connect.connector_state("src")["tasks"][1]["trace"] == kPoison);
    }
    SUBCASE("a pause during the restart is honoured when it completes") {
      check_empty(w.http.Post("/connectors/src/tasks/0/restart"), 204);
      check_empty(w.http.Put("/connectors/src/pause"), 202);
      CHECK(state_of(w.connect, "src", 1) == "PAUSED");
      CHECK(settled_state(w.connect, "src", 0) == "PAUSED");
    }
    SUBCASE("the control endpoint switches the delay off again") {
      check_empty(w.http.Post("/__double/delay-restarts?ms=0", "", "text/plain"), 204);
      check_empty(w.http.Post("/connectors/src/tasks/0/restart"), 204);
      CHECK(state_of(w.connect, "src", 0) == "RUNNING");
    }
  }

  TEST_CASE("a state file keeps connectors across a restart of the double") {
    TempDir dir("connect-double-state");
    ConnectDoubleOptions options;
    options.state_file = dir.path() + "/connect.json";
    int port = 0;
    {
      Worker w(options);
      port = w.connect.port();
      CHECK(std::filesystem::exists(options.state_file));  // written at start already
      w.create(file_source("src", 2));
      json paused = file_sink("snk");
      paused["initial_state"] = "PAUSED";
      w.create(paused);
      w.create(file_source("stopped"));
      w.create(file_source("gone"));
      check_empty(w.http.Put("/connectors/stopped/stop"), 204);
      CHECK(w.patch("/connectors/stopped/offsets",
                    json::parse(R"({"offsets":[{"partition":{"filename":"a"},"offset":{"position":42}}]})"))
                ->status == 200);
      check_empty(w.http.Delete("/connectors/gone"), 204);
      check_empty(w.http.Put("/connectors/src/resume"), 202);
      w.connect.fail_task("src", 1, kPoison, true);  // statuses are not kept
      // The file is complete JSON at every point, and no temp file is left behind.
      CHECK(json::accept(read_file(options.state_file)));
      std::size_t files = 0;
      for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path())) ++files;
      CHECK(files == 1);
    }

    options.port = port;  // the same address, bound again right away
    Worker w(options);
    CHECK(body_of(w.http.Get("/connectors")) == json::array({"snk", "src", "stopped"}));
    json status = w.connect.connector_state("src");
    CHECK(status["connector"]["state"] == "RUNNING");
    REQUIRE(status["tasks"].size() == 2);
    CHECK(status["tasks"][1]["state"] == "RUNNING");
    CHECK_FALSE(status["tasks"][1].contains("trace"));
    CHECK(body_of(w.http.Get("/connectors/src/config"))["tasks.max"] == "2");

    status = w.connect.connector_state("snk");
    CHECK(status["type"] == "sink");
    CHECK(status["connector"]["state"] == "PAUSED");
    CHECK(status["tasks"][0]["state"] == "PAUSED");
    CHECK(body_of(w.http.Get("/connectors/snk/topics"))["snk"]["topics"] == json::array());  // not running

    status = w.connect.connector_state("stopped");
    CHECK(status["connector"]["state"] == "STOPPED");
    CHECK(status["tasks"] == json::array());
    CHECK(body_of(w.http.Get("/connectors/stopped/offsets")) ==
          json::parse(R"({"offsets":[{"partition":{"filename":"a"},"offset":{"position":42}}]})"));
    // Still STOPPED with no task configs, so offsets can be changed at once.
    CHECK(w.http.Delete("/connectors/stopped/offsets")->status == 200);
  }

  TEST_CASE("a bad state file fails the start") {
    TempDir dir("connect-double-state");
    ConnectDoubleOptions options;
    options.state_file = dir.path() + "/connect.json";
    std::ofstream(options.state_file) << "{\"connectors\": [";
    CHECK_THROWS_AS(ConnectDouble{options}, std::runtime_error);
    options.state_file = dir.path() + "/no/such/dir/connect.json";
    CHECK_THROWS_AS(ConnectDouble{options}, std::runtime_error);
  }

  TEST_CASE("launcher: control endpoints, pid file, and a restart on the same port with the state file") {
    TempDir dir("connect-double-launcher");
    const std::string state = dir.path() + "/connect.json";
    const std::string pid_file = dir.path() + "/connect.pid";
    const std::string port = std::to_string(cdcctl::testsupport::free_tcp_port());
    const std::vector<std::string> argv = {CDCCTL_CONNECT_DOUBLE_BINARY, "--port", port, "--state-file", state,
                                           "--pid-file", pid_file};
    {
      BackgroundProcess launcher(argv);
      CHECK(launcher.first_line() == "http://127.0.0.1:" + port);
      CHECK(read_file(pid_file) == std::to_string(launcher.pid()) + "\n");
      httplib::Client http("127.0.0.1", std::stoi(port));
      CHECK(http.Post("/connectors", file_source("src", 2).dump(), kJson)->status == 201);
      check_empty(http.Post("/__double/fail-task?connector=src&task=1&sticky=true", kPoison, "text/plain"), 204);
      for (int i = 0; i < 2; ++i) check_empty(http.Post("/connectors/src/tasks/1/restart"), 204);
      CHECK(body_of(http.Get("/connectors/src/tasks/1/status"))["state"] == "FAILED");
      const json log = body_of(http.Get("/__double/requests"));
      CHECK(std::count(log.begin(), log.end(), json("POST /connectors/src/tasks/1/restart")) == 2);
      check_empty(http.Post("/__double/unassign-task?connector=src&task=0", "", "text/plain"), 204);
      CHECK(body_of(http.Get("/connectors/src/tasks/0/status"))["state"] == "UNASSIGNED");
      check_empty(http.Post("/__double/delay-restarts?ms=1", "", "text/plain"), 204);
      check_empty(http.Post("/__double/heal?connector=src", "", "text/plain"), 204);
      check_empty(http.Put("/connectors/src/pause"), 202);
      CHECK(launcher.stop() == 0);
      CHECK_FALSE(std::filesystem::exists(pid_file));  // removed once the port was closed
    }
    BackgroundProcess again(argv);
    CHECK(read_file(pid_file) == std::to_string(again.pid()) + "\n");
    httplib::Client http("127.0.0.1", std::stoi(port));
    const json status = body_of(http.Get("/connectors/src/status"));
    CHECK(status["connector"]["state"] == "PAUSED");
    REQUIRE(status["tasks"].size() == 2);
    CHECK(status["tasks"][0]["state"] == "PAUSED");
    CHECK(status["tasks"][1]["state"] == "PAUSED");
  }

  TEST_CASE("launcher: started in the background with stdin from /dev/null it serves until a signal") {
    TempDir dir("connect-double-launcher");
    const std::string state = dir.path() + "/connect.json";
    const std::string pid_file = dir.path() + "/connect.pid";
    const int port = cdcctl::testsupport::free_tcp_port();
    // What a shell restart script does. sh exits at once; the launcher is left running.
    const auto started = cdcctl::testsupport::run_process(
        {"/bin/sh", "-c", "\"$0\" --port \"$1\" --state-file \"$2\" --pid-file \"$3\" </dev/null >/dev/null 2>&1 &",
         CDCCTL_CONNECT_DOUBLE_BINARY, std::to_string(port), state, pid_file});
    REQUIRE(started.exit_code == 0);
    REQUIRE(eventually([&] { return std::filesystem::exists(pid_file); }));
    const pid_t pid = std::stoi(read_file(pid_file));
    // Not our child: stop it on every way out of this test.
    struct Reaper {
      pid_t pid;
      std::string pid_file;
      ~Reaper() {
        if (std::filesystem::exists(pid_file)) ::kill(pid, SIGTERM);
      }
    } reaper{pid, pid_file};

    httplib::Client http("127.0.0.1", port);
    CHECK(http.Post("/connectors", file_source("src").dump(), kJson)->status == 201);
    std::this_thread::sleep_for(200ms);  // end of file on /dev/null must not have stopped it
    REQUIRE(http.Get("/connectors/src/status"));
    check_empty(http.Put("/connectors/src/stop"), 204);

    REQUIRE(::kill(pid, SIGTERM) == 0);
    REQUIRE(eventually([&] { return !std::filesystem::exists(pid_file); }));
    // The port is free again at once (SO_REUSEADDR), and the connector is still there.
    ConnectDoubleOptions options;
    options.port = port;
    options.state_file = state;
    Worker w(options);
    CHECK(state_of(w.connect, "src") == "STOPPED");
  }
}
