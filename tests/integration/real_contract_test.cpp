// The real tier keeps the Connect double honest: every request cdcctl
// depends on, and the error cases it handles, are sent to a real Kafka
// Connect worker (with the real Debezium PostgreSQL connector) and to the
// double, and the two answers must agree on what cdcctl reads: the status
// code, Connect's error message, and the shape of the body (its keys and
// their JSON types). What real Connect answered is printed as the record of
// the contract (doctest MESSAGE), so a drift shows which side moved.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "support/connect_double.hpp"
#include "support/pg_cluster.hpp"
#include "support/process.hpp"
#include "support/real_cluster.hpp"
#include "support/real_connectors.hpp"

using namespace cdcctl::testsupport;
using nlohmann::json;

namespace {

struct Answer {
  int status = 0;
  json body;  // null when the body is empty or not JSON
};

Answer call(const std::string& base, const std::string& method, const std::string& path,
            const std::string& body = {}) {
  std::vector<std::string> argv{"curl", "-s", "--max-time", "30", "-o", "-", "-w", "\n%{http_code}", "-X", method};
  if (!body.empty()) argv.insert(argv.end(), {"-H", "Content-Type: application/json", "--data-binary", body});
  argv.push_back(base + path);
  const auto result = run_process(argv);
  REQUIRE(result.exit_code == 0);
  const auto cut = result.out.rfind('\n');
  Answer answer;
  answer.status = std::stoi(result.out.substr(cut + 1));
  answer.body = json::parse(result.out.substr(0, cut), nullptr, false);
  if (answer.body.is_discarded()) answer.body = nullptr;
  return answer;
}

// The keys of an object and the JSON type of each, recursively for objects
// (an array is described by its first element): what a client's parser sees.
json shape(const json& value) {
  if (value.is_object()) {
    json out = json::object();
    for (auto it = value.begin(); it != value.end(); ++it) out[it.key()] = shape(it.value());
    return out;
  }
  if (value.is_array()) return value.empty() ? json::array() : json::array({shape(value[0])});
  if (value.is_number()) return "number";
  return value.type_name();
}

struct Sides {
  RealCluster real{RealClusterOptions{.name = "contract"}};
  ConnectDouble fake{[] {
    ConnectDoubleOptions options;
    options.version = "4.3.2";
    return options;
  }()};

  // Sends the request to both; checks the status code, and Connect's error
  // message when there is one (unless `message_too` is false: Jackson's own
  // parse errors, whose wording changes with every Jackson release and which
  // cdcctl passes through without reading). Returns both answers.
  std::pair<Answer, Answer> same(const std::string& method, const std::string& path, const std::string& body = {},
                                 bool message_too = true) {
    const auto real_answer = call(real.connect_url(), method, path, body);
    const auto fake_answer = call(fake.url(), method, path, body);
    MESSAGE("real Connect: " << method << " " << path << " -> " << real_answer.status << " "
                             << (real_answer.body.is_null() ? "" : real_answer.body.dump().substr(0, 300)));
    CAPTURE(method);
    CAPTURE(path);
    CAPTURE(fake_answer.body.dump());
    CHECK(fake_answer.status == real_answer.status);
    if (message_too && real_answer.status >= 400 && real_answer.body.is_object() && real_answer.body.contains("message")) {
      CHECK(fake_answer.body.is_object());
      if (fake_answer.body.is_object()) {
        CHECK(fake_answer.body.value("error_code", 0) == real_answer.body.value("error_code", -1));
        CHECK(fake_answer.body.value("message", "") == real_answer.body["message"].get<std::string>());
      }
    }
    return {real_answer, fake_answer};
  }
  void same_shape(const std::string& method, const std::string& path, const std::string& body = {}) {
    const auto [real_answer, fake_answer] = same(method, path, body);
    CAPTURE(path);
    CHECK(shape(fake_answer.body) == shape(real_answer.body));
  }
};

// One real worker and one double for the binary (doctest runs the test case
// once per subcase).
Sides& both() {
  return shared_service([] { return std::make_unique<Sides>(); });
}

PgCluster& pg() {
  static PgCluster instance;
  return instance;
}

}  // namespace

TEST_CASE("the Connect double answers as real Kafka Connect does, for every request cdcctl depends on") {
  Sides& sides = both();
  static const std::string database = [] {
    auto name = pg().create_database("contract");
    pg().psql("CREATE TABLE things (id int PRIMARY KEY)", name);
    return name;
  }();
  json config = debezium_postgres_source("contract-source", "contract", {pg().port(), database})["config"];
  config["slot.drop.on.stop"] = "true";

  SUBCASE("the root, the connector list, health") {
    sides.same_shape("GET", "/");
    sides.same("GET", "/connectors");
    sides.same("GET", "/connectors?expand=status&expand=info");
    sides.same_shape("GET", "/health");
  }

  SUBCASE("an unknown connector, on every endpoint") {
    for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
             {"GET", "/connectors/ghost"},
             {"GET", "/connectors/ghost/config"},
             {"GET", "/connectors/ghost/status"},
             {"GET", "/connectors/ghost/tasks"},
             {"GET", "/connectors/ghost/tasks/0/status"},
             {"GET", "/connectors/ghost/offsets"},
             {"DELETE", "/connectors/ghost"},
             {"DELETE", "/connectors/ghost/offsets"},
             {"PUT", "/connectors/ghost/pause"},
             {"PUT", "/connectors/ghost/resume"},
             {"PUT", "/connectors/ghost/stop"},
             {"POST", "/connectors/ghost/restart"},
             {"POST", "/connectors/ghost/restart?includeTasks=true&onlyFailed=true"},
             {"POST", "/connectors/ghost/tasks/0/restart"},
         }) {
      sides.same(method, path);
    }
  }

  SUBCASE("bodies that are not what Connect takes") {
    sides.same("POST", "/connectors", "not json", false);
    sides.same("POST", "/connectors", R"({"name": "no-config"})");
    sides.same("POST", "/connectors", R"({"name": "no-class", "config": {"topic.prefix": "x"}})");
    sides.same("PUT", "/connectors/mismatch/config", R"({"name": "other", "connector.class": "io.debezium.connector.postgresql.PostgresConnector"})");
  }

  SUBCASE("a connector's life: create, conflict, offsets only when STOPPED, tasks, delete") {
    const std::string create = json{{"name", "contract-source"}, {"config", config}}.dump();
    sides.same("POST", "/connectors", create);
    // Both reach RUNNING with their task.
    for (const auto& base : {sides.real.connect_url(), sides.fake.url()}) {
      REQUIRE(eventually([&] {
        const auto status = call(base, "GET", "/connectors/contract-source/status");
        return status.status == 200 && status.body["connector"]["state"] == "RUNNING" &&
               status.body["tasks"].size() == 1 && status.body["tasks"][0]["state"] == "RUNNING";
      }));
    }
    sides.same("POST", "/connectors", create);  // 409: already exists
    sides.same_shape("GET", "/connectors/contract-source/status");
    sides.same("GET", "/connectors/contract-source/tasks/7/status");
    sides.same("POST", "/connectors/contract-source/tasks/7/restart");
    // KIP-875: offsets change only when STOPPED; PAUSED is refused too.
    sides.same("DELETE", "/connectors/contract-source/offsets");
    sides.same("PATCH", "/connectors/contract-source/offsets",
               R"({"offsets": [{"partition": {"server": "contract"}, "offset": {"lsn": 1}}]})");
    sides.same("PUT", "/connectors/contract-source/pause");
    sides.same("DELETE", "/connectors/contract-source/offsets");
    sides.same("PUT", "/connectors/contract-source/stop");
    for (const auto& base : {sides.real.connect_url(), sides.fake.url()}) {
      REQUIRE(eventually([&] {
        const auto status = call(base, "GET", "/connectors/contract-source/status");
        return status.body["connector"]["state"] == "STOPPED" && status.body["tasks"].empty();
      }));
    }
    sides.same("PATCH", "/connectors/contract-source/offsets", R"({"offsets": "not a list"})", false);
    sides.same("DELETE", "/connectors/contract-source/offsets");
    sides.same("DELETE", "/connectors/contract-source");
  }

  SUBCASE("plugins and validation") {
    sides.same("GET", "/connector-plugins");
    json bad = config;
    bad["snapshot.mode"] = "sometimes";
    const auto [real_answer, fake_answer] =
        sides.same("PUT", "/connector-plugins/PostgresConnector/config/validate", bad.dump());
    CHECK(real_answer.body["error_count"].get<int>() >= 1);
    CHECK(fake_answer.body["error_count"].get<int>() >= 1);
    CHECK(shape(fake_answer.body["configs"][0]) == shape(real_answer.body["configs"][0]));
  }
}
