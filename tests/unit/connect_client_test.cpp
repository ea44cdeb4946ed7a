#include <doctest/doctest.h>

#include "connect/client.hpp"
#include "connect/models.hpp"
#include "connect/retry.hpp"
#include "connect/version.hpp"

using namespace cdcctl;
using namespace cdcctl::connect;
using namespace std::chrono_literals;

TEST_CASE("what may be retried: nothing-happened answers always, the rest only when idempotent") {
  const Attempt conflict{.status = 409, .message = "Cannot complete request momentarily due to no known leader URL"};
  CHECK(should_retry(false, conflict));  // a POST refused during a rebalance was not applied
  CHECK(should_retry(true, conflict));
  const Attempt exists{.status = 409, .message = "Connector orders already exists"};
  CHECK_FALSE(should_retry(false, exists));  // final: retrying cannot help
  CHECK_FALSE(is_rebalance(exists));
  const Attempt rebalance_get{.status = 500, .message = "Request cannot be completed because a rebalance is expected"};
  CHECK(is_rebalance(rebalance_get));
  CHECK(should_retry(true, rebalance_get));
  const Attempt refused{.transport_failure = true, .never_sent = true};
  CHECK(should_retry(false, refused));
  const Attempt reset{.transport_failure = true, .never_sent = false};
  CHECK(should_retry(true, reset));
  CHECK_FALSE(should_retry(false, reset));  // a POST that may have been applied is never resent
  const Attempt timed_out{.status = 500, .message = "Request timed out"};
  CHECK(should_retry(true, timed_out));
  CHECK_FALSE(should_retry(false, timed_out));
  CHECK(should_retry(true, Attempt{.status = 503}));
  CHECK(should_retry(true, Attempt{.status = 500}));  // an HTML 500 from a proxy
  CHECK_FALSE(should_retry(true, Attempt{.status = 500, .message = "Failed to find any class that implements Connector"}));
  for (long status : {400L, 401L, 403L, 404L, 405L, 415L}) {
    CAPTURE(status);
    CHECK_FALSE(should_retry(true, Attempt{.status = status}));
  }
}

TEST_CASE("backoff doubles, is capped, and jitters by at most 20%") {
  Backoff backoff;
  CHECK(backoff.delay(1, 0.5) == 200ms);
  CHECK(backoff.delay(2, 0.5) == 400ms);
  CHECK(backoff.delay(3, 0.5) == 800ms);
  CHECK(backoff.delay(10, 0.5) == 5000ms);
  CHECK(backoff.delay(1, 0.0) == 160ms);
  CHECK(backoff.delay(1, 1.0) == 240ms);
}

TEST_CASE("Connect versions, including Confluent Platform's") {
  CHECK(parse_version("3.7.1") == Version{3, 7, 1});
  CHECK(parse_version("4.0.0-SNAPSHOT") == Version{4, 0, 0});
  CHECK(parse_version("3.9") == Version{3, 9, 0});
  CHECK(parse_version("7.6.0-ccs") == Version{3, 6, 0});
  CHECK(parse_version("8.0.1-ccs") == Version{4, 0, 1});
  CHECK_FALSE(parse_version("unknown"));
  CHECK(supports({3, 8, 0}, Feature::PatchConfig));
  CHECK_FALSE(supports({3, 7, 1}, Feature::PatchConfig));
  CHECK(supports({3, 5, 0}, Feature::Stop));
  CHECK_FALSE(supports({3, 5, 2}, Feature::AlterOffsets));
  CHECK(supports({4, 0, 0}, Feature::Health));
}

namespace {
http::Response response(long status, std::string body, std::string content_type = "application/json") {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  r.headers["content-type"] = std::move(content_type);
  return r;
}
}  // namespace

TEST_CASE("HTTP errors become exit codes, Connect's message and a hint") {
  auto not_found = error_from_response(response(404, R"({"error_code":404,"message":"Connector orders not found"})"),
                                       "GET /connectors/orders");
  CHECK(not_found.code() == ExitCode::NotFound);
  CHECK(std::string(not_found.what()) == "GET /connectors/orders: HTTP 404: Connector orders not found");
  CHECK(not_found.hint() == "list connectors with: cdcctl connectors list");

  auto stopped = error_from_response(
      response(400, R"({"error_code":400,"message":"Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/my%20c/stop' endpoint"})"),
      "DELETE /connectors/my%20c/offsets");
  CHECK(stopped.code() == ExitCode::Failed);
  CHECK(stopped.hint() == "stop the connector first: cdcctl connectors stop my c");

  auto html = error_from_response(response(502, "<html><body>Bad Gateway</body></html>", "text/html"), "GET /");
  CHECK(html.code() == ExitCode::Unreachable);
  CHECK(std::string(html.what()).find("HTML page") != std::string::npos);
  CHECK(std::string(html.what()).find("<html") == std::string::npos);

  auto auth = error_from_response(response(401, "User cannot access the resource.", "text/plain"), "GET /connectors");
  CHECK(auth.code() == ExitCode::Unreachable);

  auto exists = error_from_response(response(409, R"({"error_code":409,"message":"Connector orders already exists"})"),
                                    "POST /connectors");
  CHECK(exists.hint().find("apply") != std::string::npos);

  auto plugin = error_from_response(response(404, R"({"error_code":404,"message":"Unknown plugin X."})"),
                                    "GET /connector-plugins/X/config");
  CHECK(plugin.hint() == "list plugins with: cdcctl plugins list --all");

  auto unknown_path = error_from_response(response(404, R"({"error_code":404,"message":"HTTP 404 Not Found"})"),
                                          "GET /health");
  CHECK(unknown_path.code() == ExitCode::NotFound);
}

TEST_CASE("status, expanded list and validation replies parse into models") {
  auto status = parse_status(nlohmann::json::parse(R"({"name":"orders","connector":{"state":"RUNNING","worker_id":"w1:8083"},
     "tasks":[{"id":1,"state":"FAILED","worker_id":"w2:8083","trace":"java.lang.X: boom\n\tat a"},
              {"id":0,"state":"RUNNING","worker_id":"w1:8083"}],"type":"source"})"));
  CHECK(status.state == "RUNNING");
  REQUIRE(status.tasks.size() == 2);
  CHECK(status.tasks[0].id == 0);  // sorted by id
  CHECK(status.running_tasks() == 1);
  CHECK(status.failed_task_ids() == std::vector<int>{1});

  auto overviews = parse_expanded(nlohmann::json::parse(R"({"b":{"status":{"name":"b","connector":{"state":"PAUSED"},
     "tasks":[],"type":"sink"}},"a":{"info":{"name":"a","config":{"tasks.max":"1"},"tasks":[{"connector":"a","task":0}],
     "type":"source"}}})"));
  REQUIRE(overviews.size() == 2);
  CHECK(overviews[0].name == "a");
  CHECK(overviews[0].info->tasks == std::vector<int>{0});
  CHECK(overviews[1].status->state == "PAUSED");

  auto validation = parse_validation(nlohmann::json::parse(R"({"name":"FileStreamSink","error_count":1,"groups":["Common"],
     "configs":[{"definition":{"name":"topics","type":"LIST","required":false,"default_value":""},
                 "value":{"name":"topics","value":"","recommended_values":[],"errors":["Must configure one of topics or topics.regex"],"visible":true}}]})"));
  CHECK(validation.error_count == 1);
  REQUIRE(validation.fields.size() == 1);
  CHECK(validation.fields[0].errors.front() == "Must configure one of topics or topics.regex");
  CHECK(validation.fields[0].definition->type == "LIST");
}

TEST_CASE("config maps are strings; numbers and booleans in files become text, nulls are refused") {
  auto config = config_from_json(nlohmann::json::parse(R"({"tasks.max": 2, "enabled": true, "name": "x"})"), "f.json");
  CHECK(config.at("tasks.max") == "2");
  CHECK(config.at("enabled") == "true");
  CHECK_THROWS_AS(config_from_json(nlohmann::json::parse(R"({"a": null})"), "f.json"), Error);
  CHECK_THROWS_AS(config_from_json(nlohmann::json::parse(R"({"a": [1]})"), "f.json"), Error);
  CHECK(http::encode_path_segment("my connector/v2?") == "my%20connector%2Fv2%3F");
}
