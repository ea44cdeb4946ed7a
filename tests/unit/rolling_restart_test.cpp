// Rolling-restart pieces that need no cluster: the per-worker command, the
// --dry-run plan, and the journal that makes a run resumable.
#include <doctest/doctest.h>

#include "core/error.hpp"
#include "ops/rolling_restart.hpp"

using namespace cdcctl;
using namespace cdcctl::ops;
using V = std::vector<std::string>;

TEST_CASE("each worker gets its own restart command from the placeholders") {
  const auto targets = worker_targets({"http://connect-1.prod:8083", "https://ops:pw@[fd00::2]:8443/", "connect-3"},
                                      {"ssh", "{host}", "sudo systemctl restart connect # {index} {port} {url}"}, "cmd");
  REQUIRE(targets.size() == 3);
  CHECK(targets[0].restart_argv == V{"ssh", "connect-1.prod", "sudo systemctl restart connect # 1 8083 http://connect-1.prod:8083"});
  CHECK(targets[1].restart_argv[1] == "fd00::2");
  CHECK(targets[1].restart_argv[2].find("# 2 8443 ") != std::string::npos);
  CHECK(targets[2].restart_argv[1] == "connect-3");
  CHECK(targets[2].restart_argv[2].find("# 3 80 ") != std::string::npos);
  CHECK_THROWS_AS(worker_targets({"http://a:8083"}, {"kubectl", "delete", "pod", "{pod}"}, "cmd"), Error);
}

TEST_CASE("the dry-run plan lists every step and skips workers an earlier run finished") {
  WorkerRollOptions options;
  options.connectors = {"a", "b"};
  options.workers = {{"http://w1:8083", {"ssh", "w1", "restart it"}}, {"http://w2:8083", {"ssh", "w2", "restart"}}};
  RollingJournal journal;
  journal.done = {"http://w1:8083"};
  const auto plan = worker_plan(options, journal);
  REQUIRE(plan.size() == 7);
  CHECK(plan[0] == "pause 2 connector(s) that are RUNNING and wait until PAUSED");
  CHECK(plan[1] == "wait 30s for in-flight work to drain");
  CHECK(plan[2] == "worker 1/2 http://w1:8083: skip, restarted by the earlier run");
  CHECK(plan[3] == "worker 2/2 http://w2:8083: run ssh w2 restart");
  CHECK(plan[5] == "resume the connectors paused above and check they are RUNNING");
  CHECK(plan[6].starts_with("note: a restarted worker's tasks can stay UNASSIGNED for scheduled.rebalance.max.delay.ms"));
  options.leave_paused = true;
  const auto fresh = worker_plan(options, {});
  CHECK(fresh[fresh.size() - 2] == "leave the connectors paused (--leave-paused)");
}

TEST_CASE("the journal round-trips; a damaged one is a clear error") {
  RollingJournal journal{"workers", "2026-11-22T03:00:00Z", {"orders"}, {"http://w1:8083"}, {}};
  const auto back = parse_journal(to_json(journal), "test");
  CHECK(back.mode == "workers");
  CHECK(back.paused == V{"orders"});
  CHECK(back.done == V{"http://w1:8083"});
  CHECK_THROWS_AS(parse_journal(nlohmann::json{{"mode", "everything"}}, "test"), Error);
  CHECK_THROWS_AS(parse_journal(nlohmann::json::object(), "test"), Error);
}

TEST_CASE("journals live per mode and context, with a safe file name") {
  const auto env = fixed_environment({{"XDG_STATE_HOME", "/state"}});
  CHECK(default_journal_path(env, "workers", "prod/eu") == "/state/cdcctl/rolling-restart-workers-prod_eu.json");
  CHECK(default_journal_path(env, "connectors", "") == "/state/cdcctl/rolling-restart-connectors-default.json");
}
