// The health verdict and the restart policy, with a controlled clock: what a
// cron job sees run after run as a task fails, is restarted, and escalates.
#include <doctest/doctest.h>

#include <sstream>

#include "connect/models.hpp"
#include "core/error.hpp"
#include "ops/health.hpp"

using namespace cdcctl;
using namespace cdcctl::ops;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

const WallClock::time_point kStart = from_epoch_seconds(1'800'000'000);

json task(int id, const std::string& state, const std::string& trace = {}) {
  json entry = {{"id", id}, {"state", state}, {"worker_id", "w1:8083"}};
  if (!trace.empty()) entry["trace"] = trace;
  return entry;
}

// One entry of GET /connectors?expand=status&expand=info.
json connector(const std::string& state, std::vector<json> tasks, const std::string& type = "sink") {
  return {{"status", {{"name", "ignored"}, {"connector", {{"state", state}, {"worker_id", "w1:8083"}}},
                      {"tasks", tasks}, {"type", type}}},
          {"info", {{"name", "ignored"}, {"type", type}, {"config", {{"connector.class", "FileStreamSink"}}},
                    {"tasks", json::array()}}}};
}

std::vector<connect::ConnectorOverview> cluster(const json& connectors) { return connect::parse_expanded(connectors); }

const UnitHealth& task_of(const std::vector<ConnectorHealth>& result, const std::string& name, int id) {
  for (const auto& c : result) {
    if (c.name != name) continue;
    for (const auto& t : c.tasks) {
      if (t.task == id) return t;
    }
  }
  throw std::runtime_error("no such task in the result");
}

const char* kTrace = "org.apache.kafka.connect.errors.ConnectException: boom\n\tat Foo.bar(Foo.java:1)";

}  // namespace

TEST_CASE("without --restart-failed a failed task is CRITICAL with the first line of its trace") {
  ContextMemory memory;
  HealthPolicy policy;
  const auto all = cluster({{"orders", connector("RUNNING", {task(0, "RUNNING"), task(1, "FAILED", kTrace)})},
                            {"users", connector("RUNNING", {task(0, "RUNNING")})}});
  auto result = assess(all, policy, memory, kStart);
  REQUIRE(result.size() == 2);
  CHECK(result[0].status == CheckStatus::Critical);
  CHECK(result[1].status == CheckStatus::Ok);
  const auto& failed = task_of(result, "orders", 1);
  CHECK(failed.trace == "org.apache.kafka.connect.errors.ConnectException: boom");
  CHECK_FALSE(failed.restart_due);
  CHECK(task_of(result, "orders", 0).status == CheckStatus::Ok);

  // The next run remembers since when it fails.
  result = assess(all, policy, memory, kStart + 5min);
  CHECK(task_of(result, "orders", 1).failing_since == kStart);
  CHECK(task_of(result, "orders", 1).message == "FAILED for 5m");
}

TEST_CASE("a sticky failure backs off exponentially and escalates when the budget is spent") {
  ContextMemory memory;
  HealthPolicy policy;
  policy.restart_failed = true;
  policy.max_restarts = 3;
  policy.restart_delay = 1min;
  policy.window = 1h;
  policy.escalate_after = 1h;  // only the budget escalates in this test
  const auto all = cluster({{"orders", connector("RUNNING", {task(0, "RUNNING"), task(1, "FAILED", kTrace)})}});
  auto restart_now = [&](WallClock::time_point now) {
    memory.connectors["orders"].tasks[1].restarts.push_back(now);
    memory.connectors["orders"].tasks[1].restarts_total++;
  };

  // Run 1 (t=0): restart due, WARNING.
  auto result = assess(all, policy, memory, kStart);
  CHECK(task_of(result, "orders", 1).restart_due);
  CHECK(task_of(result, "orders", 1).status == CheckStatus::Warning);
  CHECK_FALSE(task_of(result, "orders", 0).restart_due);  // exactly the failed task
  restart_now(kStart);

  // Run 2 (t=30s): inside the 1m backoff, not due, still WARNING, says when.
  result = assess(all, policy, memory, kStart + 30s);
  CHECK_FALSE(task_of(result, "orders", 1).restart_due);
  CHECK(task_of(result, "orders", 1).status == CheckStatus::Warning);
  CHECK(task_of(result, "orders", 1).next_restart_at == kStart + 1min);
  CHECK(task_of(result, "orders", 1).message == "FAILED after 1 restart; next restart in 30s");

  // Run 3 (t=1m): due again (attempt 2).
  result = assess(all, policy, memory, kStart + 1min);
  CHECK(task_of(result, "orders", 1).restart_due);
  restart_now(kStart + 1min);

  // The delay doubles: 2m after attempt 2.
  result = assess(all, policy, memory, kStart + 2min);
  CHECK_FALSE(task_of(result, "orders", 1).restart_due);
  CHECK(task_of(result, "orders", 1).next_restart_at == kStart + 3min);
  result = assess(all, policy, memory, kStart + 3min);
  CHECK(task_of(result, "orders", 1).restart_due);
  restart_now(kStart + 3min);

  // Budget spent: CRITICAL, escalated, no further restart.
  result = assess(all, policy, memory, kStart + 10min);
  const auto& unit = task_of(result, "orders", 1);
  CHECK(unit.status == CheckStatus::Critical);
  CHECK(unit.escalated);
  CHECK_FALSE(unit.restart_due);
  CHECK(unit.restarts_in_window == 3);
  CHECK(unit.message.find("still FAILED after 3 restarts") != std::string::npos);

  // An hour after the first attempts the window has room again.
  result = assess(all, policy, memory, kStart + 1h + 2min);
  CHECK(task_of(result, "orders", 1).restarts_in_window == 1);
  CHECK(task_of(result, "orders", 1).restart_due);
}

TEST_CASE("a task still failing after --escalate-after is CRITICAL even with restarts left") {
  ContextMemory memory;
  HealthPolicy policy;
  policy.restart_failed = true;
  policy.max_restarts = 10;
  policy.restart_delay = 1min;
  policy.escalate_after = 10min;
  const auto all = cluster({{"orders", connector("RUNNING", {task(0, "FAILED", kTrace)})}});
  auto result = assess(all, policy, memory, kStart);
  CHECK(task_of(result, "orders", 0).status == CheckStatus::Warning);
  memory.connectors["orders"].tasks[0].restarts.push_back(kStart);

  result = assess(all, policy, memory, kStart + 9min);
  CHECK(task_of(result, "orders", 0).status == CheckStatus::Warning);
  result = assess(all, policy, memory, kStart + 10min);
  const auto& unit = task_of(result, "orders", 0);
  CHECK(unit.status == CheckStatus::Critical);
  CHECK(unit.escalated);
  CHECK(unit.message == "still FAILED after 10m and 1 restart");
  CHECK(unit.restart_due);  // restarts continue while the budget allows; the page has gone out
}

TEST_CASE("recovery ends the episode but restarts stay counted in the window (flapping)") {
  ContextMemory memory;
  HealthPolicy policy;
  policy.restart_failed = true;
  policy.max_restarts = 2;
  policy.restart_delay = 0s;
  auto failed = cluster({{"orders", connector("RUNNING", {task(0, "FAILED", kTrace)})}});
  auto healthy = cluster({{"orders", connector("RUNNING", {task(0, "RUNNING")})}});

  assess(failed, policy, memory, kStart);
  memory.connectors["orders"].tasks[0].restarts.push_back(kStart);
  auto result = assess(healthy, policy, memory, kStart + 2min);
  CHECK(task_of(result, "orders", 0).status == CheckStatus::Ok);
  CHECK_FALSE(memory.connectors["orders"].tasks[0].failing_since);
  CHECK(memory.connectors["orders"].tasks[0].restarts.size() == 1);

  result = assess(failed, policy, memory, kStart + 4min);
  CHECK(task_of(result, "orders", 0).failing_since == kStart + 4min);  // a new episode
  memory.connectors["orders"].tasks[0].restarts.push_back(kStart + 4min);
  assess(healthy, policy, memory, kStart + 6min);
  result = assess(failed, policy, memory, kStart + 8min);
  CHECK(task_of(result, "orders", 0).status == CheckStatus::Critical);  // flapping: budget spent
}

TEST_CASE("a failed connector instance is a unit of its own") {
  ContextMemory memory;
  HealthPolicy policy;
  policy.restart_failed = true;
  json entry = connector("FAILED", {});
  entry["status"]["connector"]["trace"] = "java.lang.IllegalStateException: no config\n\tat X";
  auto result = assess(cluster({{"cdc", entry}}), policy, memory, kStart);
  REQUIRE(result.size() == 1);
  CHECK(result[0].connector.restart_due);
  CHECK(result[0].connector.trace == "java.lang.IllegalStateException: no config");
  CHECK(result[0].status == CheckStatus::Warning);
}

TEST_CASE("paused or stopped is a WARNING only for connectors expected to run") {
  ContextMemory memory;
  HealthPolicy policy;
  policy.expect_running = "prod-.*";
  const auto all = cluster({{"prod-orders", connector("PAUSED", {task(0, "PAUSED"), task(1, "PAUSED")})},
                            {"prod-users", connector("STOPPED", {})},
                            {"scratch", connector("PAUSED", {task(0, "PAUSED")})}});
  const auto result = assess(all, policy, memory, kStart);
  REQUIRE(result.size() == 3);
  CHECK(result[0].status == CheckStatus::Warning);
  CHECK(result[0].connector.message == "PAUSED, expected RUNNING");
  CHECK(result[0].tasks[0].status == CheckStatus::Ok);  // said once, for the connector
  CHECK(result[1].status == CheckStatus::Warning);
  CHECK(result[2].status == CheckStatus::Ok);
}

TEST_CASE("UNASSIGNED is a WARNING that becomes CRITICAL after the escalation time") {
  ContextMemory memory;
  HealthPolicy policy;
  policy.escalate_after = 10min;
  const auto all = cluster({{"orders", connector("RUNNING", {task(0, "UNASSIGNED")})}});
  CHECK(assess(all, policy, memory, kStart)[0].status == CheckStatus::Warning);
  CHECK(assess(all, policy, memory, kStart + 9min)[0].status == CheckStatus::Warning);
  CHECK(assess(all, policy, memory, kStart + 10min)[0].status == CheckStatus::Critical);
}

TEST_CASE("memory of deleted connectors is forgotten, of filtered-out ones kept") {
  ContextMemory memory;
  HealthPolicy policy;
  memory.connectors["gone"].tasks[0].restarts_total = 4;
  memory.connectors["other"].tasks[0].restarts_total = 2;
  policy.filter.regex = "orders";
  assess(cluster({{"orders", connector("RUNNING", {task(0, "RUNNING")})},
                  {"other", connector("RUNNING", {task(0, "RUNNING")})}}),
         policy, memory, kStart);
  CHECK_FALSE(memory.connectors.contains("gone"));
  CHECK(memory.connectors.contains("other"));
  CHECK_FALSE(memory.connectors.contains("orders"));  // nothing worth remembering
}

TEST_CASE("the state file round-trips and a damaged one is a clear error") {
  HealthState state;
  state.notified_status = CheckStatus::Critical;
  auto& unit = state.contexts["prod"].connectors["orders"].tasks[3];
  unit.failing_since = kStart;
  unit.restarts = {kStart, kStart + 1min};
  unit.restarts_total = 7;
  const HealthState back = parse_health_state(to_json(state), "test");
  CHECK(back.notified_status == CheckStatus::Critical);
  const auto& again = back.contexts.at("prod").connectors.at("orders").tasks.at(3);
  CHECK(again.failing_since == kStart);
  CHECK(again.restarts.size() == 2);
  CHECK(again.restarts_total == 7);

  CHECK_THROWS_AS(parse_health_state(json{{"version", 2}}, "test"), Error);
  CHECK_THROWS_AS(parse_health_state(json{{"version", 1}, {"contexts", {{"p", {{"connectors", {{"c", {{"tasks", {{"x", {}}}}}}}}}}}}},
                                     "test"),
                  Error);
}

TEST_CASE("summary line and JSON say what a pager needs") {
  HealthReport report;
  report.checked_at = kStart;
  ContextMemory memory;
  HealthPolicy policy;
  ContextHealth context;
  context.name = "prod";
  context.connectors = assess(cluster({{"orders", connector("RUNNING", {task(0, "RUNNING"), task(1, "FAILED", kTrace)})},
                                       {"users", connector("RUNNING", {task(0, "RUNNING")})}}),
                              policy, memory, kStart);
  report.contexts.push_back(context);
  finish(report);
  CHECK(report.status == CheckStatus::Critical);
  CHECK(summary_line(report) ==
        "CRITICAL - 1 of 2 connectors need attention: orders task 1 FAILED: "
        "org.apache.kafka.connect.errors.ConnectException: boom");
  const json document = to_json(report);
  CHECK(document["status"] == "CRITICAL");
  CHECK(document["exit_code"] == 2);
  CHECK(document["checked_at"] == "2027-01-15T08:00:00Z");
  REQUIRE(document["problems"].size() == 1);
  CHECK(document["problems"][0]["task"] == 1);
  CHECK(document["contexts"][0]["connectors"][0]["tasks"][1]["failing_since"] == "2027-01-15T08:00:00Z");
  CHECK(document["contexts"][0]["connectors"][0]["tasks"][1]["restarts_attempted"] == 0);

  HealthReport down;
  down.contexts.push_back({.name = "dr", .url = "http://x:8083", .reachable = false, .error = "connection refused"});
  finish(down);
  CHECK(down.status == CheckStatus::Unknown);
  CHECK(summary_line(down) == "UNKNOWN - cannot check dr: connection refused");
}

TEST_CASE("the Prometheus textfile declares each family before its samples") {
  HealthReport report;
  report.checked_at = kStart;
  ContextMemory memory;
  memory.connectors["or\"ders"].tasks[1].restarts_total = 2;
  HealthPolicy policy;
  ContextHealth context;
  context.name = "prod";
  context.connectors =
      assess(cluster({{"or\"ders", connector("RUNNING", {task(0, "RUNNING"), task(1, "FAILED", kTrace)})}}), policy,
             memory, kStart);
  report.contexts.push_back(context);
  finish(report);
  const std::string text = prometheus_textfile(report);
  CHECK(text.find("cdcctl_health_status 2\n") != std::string::npos);
  CHECK(text.find("cdcctl_health_last_check_timestamp_seconds 1800000000\n") != std::string::npos);
  CHECK(text.find("cdcctl_connect_task_state{context=\"prod\",connector=\"or\\\"ders\",task=\"1\",state=\"FAILED\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("cdcctl_connect_task_state{context=\"prod\",connector=\"or\\\"ders\",task=\"0\",state=\"FAILED\"} 0\n") !=
        std::string::npos);
  CHECK(text.find("cdcctl_connect_restarts_total{context=\"prod\",connector=\"or\\\"ders\",task=\"1\"} 2\n") !=
        std::string::npos);

  // Every sample belongs to the family declared last.
  std::istringstream lines(text);
  std::string line, family;
  while (std::getline(lines, line)) {
    if (line.starts_with("# TYPE ")) {
      family = line.substr(7, line.find(' ', 7) - 7);
    } else if (!line.starts_with("#")) {
      CAPTURE(line);
      CHECK(line.substr(0, line.find_first_of("{ ")) == family);
    }
  }
}
