// The real tier: `cdcctl connectors`, `plugins`, `cluster`, `loggers`,
// `health`, `offsets` and `slots` against a real Kafka Connect worker running
// the real Debezium PostgreSQL connector and JDBC sink, on a real Kafka
// broker, with a real PostgreSQL as source and target. Assertions check what
// a user would see (output, exit codes) and, independently of cdcctl, what
// the worker says over plain REST (curl) and what is in the databases.
//
// One cluster for the binary; the cases run in file order and each cleans up
// the connectors it made.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/pg_cluster.hpp"
#include "support/process.hpp"
#include "support/real_cluster.hpp"
#include "support/real_connectors.hpp"

using namespace cdcctl::testsupport;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

RealCluster& cluster() {
  return shared_service([] { return std::make_unique<RealCluster>(RealClusterOptions{.name = "connectors"}); });
}

PgCluster& pg() {
  static PgCluster instance;
  return instance;
}

// The password of the role Debezium logs in with (scram over TCP).
constexpr const char* kPassword = "dbz-secret-7f3a";

// A database with a small table, and a login role Debezium uses.
std::string source_database() {
  static const std::string database = [] {
    auto name = pg().create_database("shop");
    pg().create_login_role("dbz", kPassword);
    pg().psql("ALTER ROLE dbz SUPERUSER REPLICATION");
    pg().psql("CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL);"
              "INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 5) g;",
              name);
    return name;
  }();
  return database;
}

std::string target_database() {
  static const std::string database = pg().create_database("warehouse");
  return database;
}

json source_config(const std::string& name, const std::string& prefix) {
  auto config = debezium_postgres_source(name, prefix, {pg().port(), source_database(), "dbz", kPassword});
  config["config"]["table.include.list"] = "public.customers";
  config["config"]["slot.drop.on.stop"] = "false";
  return config;
}

json sink_config(const std::string& name, const std::string& topic) {
  auto config = debezium_jdbc_sink(name, topic, {pg().port(), target_database()});
  config["config"]["delete.enabled"] = "true";
  return config;
}

RunResult cli(std::vector<std::string> args, RunOptions options = {}) {
  args.insert(args.end(), {"--connect-url", cluster().connect_url(), "--timeout", "30s"});
  return run_cdcctl(args, std::move(options));
}

json cli_json(std::vector<std::string> args) {
  args.insert(args.end(), {"-o", "json"});
  const auto result = cli(args);
  INFO(result.out, result.err);
  REQUIRE(result.exit_code == 0);
  return json::parse(result.out);
}

// What the worker says, over plain REST, as another tool would see it.
json rest_get(const std::string& path) {
  const auto result = run_process({"curl", "-s", "--max-time", "10", cluster().connect_url() + path});
  REQUIRE(result.exit_code == 0);
  return json::parse(result.out);
}

std::string connector_state(const std::string& name) {
  const auto status = rest_get("/connectors/" + name + "/status");
  return status.contains("connector") ? status["connector"]["state"].get<std::string>() : "MISSING";
}

std::vector<std::string> task_states(const std::string& name) {
  std::vector<std::string> states;
  const auto status = rest_get("/connectors/" + name + "/status");
  if (status.contains("tasks")) {
    for (const auto& task : status["tasks"]) states.push_back(task["state"]);
  }
  return states;
}

bool running_with_tasks(const std::string& name) {
  const auto tasks = task_states(name);
  return connector_state(name) == "RUNNING" && !tasks.empty() &&
         std::all_of(tasks.begin(), tasks.end(), [](const auto& state) { return state == "RUNNING"; });
}

// A deleted connector's task lets go of its slot a moment later.
void drop_slot_once_released(const std::string& slot) {
  CHECK(eventually([&] {
    return pg().psql("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "' AND active") == "0";
  }));
  pg().psql("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
}

class ConfigFile {
 public:
  explicit ConfigFile(const json& config) : path_(dir_.path() + "/connector.json") { write(config); }
  void write(const json& config) {
    std::ofstream out(path_, std::ios::trunc);
    out << config.dump(2);
  }
  const std::string& path() const { return path_; }

 private:
  TempDir dir_{"cdcctl-real-config"};
  std::string path_;
};

}  // namespace

TEST_SUITE("real connectors") {
  TEST_CASE("cluster info, health, plugins: what the real worker runs") {
    const auto info = cli_json({"cluster", "info"});
    CHECK(info["version"] == "4.3.2");
    CHECK(!info["kafka_cluster_id"].get<std::string>().empty());

    const auto health = cli({"cluster", "health"});
    INFO(health.out, health.err);
    CHECK(health.exit_code == 0);

    const auto plugins = cli({"plugins", "list"});
    INFO(plugins.out, plugins.err);
    CHECK(plugins.exit_code == 0);
    CHECK(plugins.out.find("io.debezium.connector.postgresql.PostgresConnector") != std::string::npos);
    CHECK(plugins.out.find("io.debezium.connector.jdbc.JdbcSinkConnector") != std::string::npos);
    CHECK(plugins.out.find("3.6.1.Final") != std::string::npos);

    const auto described = cli({"plugins", "describe", "PostgresConnector", "--search", "slot.name"});
    INFO(described.out, described.err);
    CHECK(described.exit_code == 0);
    CHECK(described.out.find("slot.name") != std::string::npos);
  }

  TEST_CASE("apply creates a running Debezium source, re-apply changes nothing, a change is one update") {
    const json config = source_config("shop-source", "shop");
    ConfigFile file(config);

    const auto created = cli({"connectors", "apply", "-f", file.path(), "--wait"});
    INFO(created.out, created.err, cluster().worker_log_tail(0));
    CHECK(created.exit_code == 0);
    CHECK(created.out.find("shop-source: created") != std::string::npos);
    CHECK(running_with_tasks("shop-source"));

    const auto again = cli({"connectors", "apply", "-f", file.path()});
    INFO(again.out, again.err);
    CHECK(again.exit_code == 0);
    CHECK(again.out.find("shop-source: unchanged") != std::string::npos);

    auto changed = config;
    changed["config"]["heartbeat.interval.ms"] = "5000";
    file.write(changed);
    const auto updated = cli({"connectors", "apply", "-f", file.path(), "--wait"});
    INFO(updated.out, updated.err);
    CHECK(updated.exit_code == 0);
    CHECK(updated.out.find("shop-source: updated (1 change)") != std::string::npos);
    CHECK(rest_get("/connectors/shop-source/config")["heartbeat.interval.ms"] == "5000");
    CHECK(eventually([] { return running_with_tasks("shop-source"); }));
  }

  TEST_CASE("list and describe a real source RUNNING and a real JDBC sink writing into PostgreSQL") {
    REQUIRE(eventually([] { return running_with_tasks("shop-source"); }));
    ConfigFile sink(sink_config("shop-sink", "shop.public.customers"));
    const auto created = cli({"connectors", "apply", "-f", sink.path(), "--wait"});
    INFO(created.out, created.err, cluster().worker_log_tail(0));
    REQUIRE(created.exit_code == 0);

    // The snapshot of five rows travels source → Kafka → sink → PostgreSQL.
    const auto rows = [] {
      return pg().psql("SELECT count(*) FROM shop_public_customers", target_database());
    };
    CHECK(eventually([&] {
      try {
        return rows() == "5";
      } catch (const std::exception&) {
        return false;  // the sink has not created the table yet
      }
    }));
    pg().psql("INSERT INTO customers VALUES (6, 'streamed')", source_database());
    CHECK(eventually([&] {
      return pg().psql("SELECT coalesce(max(name), '') FROM shop_public_customers WHERE id = 6", target_database())
                 .starts_with("streamed");
    }));

    const auto list = cli_json({"connectors", "list"});
    std::map<std::string, json> by_name;
    for (const auto& connector : list) by_name[connector["name"]] = connector;
    REQUIRE(by_name.contains("shop-source"));
    REQUIRE(by_name.contains("shop-sink"));
    CHECK(by_name["shop-source"]["type"] == "source");
    CHECK(by_name["shop-source"]["state"] == "RUNNING");
    CHECK(by_name["shop-source"]["tasks"] == json{{"running", 1}, {"total", 1}});
    CHECK(by_name["shop-sink"]["type"] == "sink");
    CHECK(by_name["shop-sink"]["state"] == "RUNNING");

    const auto table = cli({"connectors", "list"});
    CHECK(table.exit_code == 0);
    CHECK(table.out.find("io.debezium.connector.jdbc.JdbcSinkConnector") != std::string::npos);

    const auto described = cli({"connectors", "describe", "shop-source"});
    INFO(described.out, described.err);
    CHECK(described.exit_code == 0);
    CHECK(described.out.find("RUNNING") != std::string::npos);
    // The worker Connect says runs the task: its advertised REST host:port.
    CHECK(described.out.find(cluster().connect_url().substr(std::string("http://").size())) != std::string::npos);
    // Connect's topic tracking (KIP-558) names the topics each connector used.
    CHECK(eventually([] {
      const auto d = cli({"connectors", "describe", "shop-sink"});
      return d.out.find("shop.public.customers") != std::string::npos;
    }));

    const auto tasks = cli({"connectors", "tasks", "shop-sink"});
    CHECK(tasks.exit_code == 0);
    CHECK(tasks.out.find("RUNNING") != std::string::npos);
  }

  TEST_CASE("config masks the password the worker returns, unless --show-secrets") {
    const auto shown = cli({"connectors", "config", "shop-source"});
    INFO(shown.out, shown.err);
    CHECK(shown.exit_code == 0);
    CHECK(shown.out.find(kPassword) == std::string::npos);
    CHECK(shown.out.find("********") != std::string::npos);
    const auto as_json = cli({"connectors", "config", "shop-source", "-o", "json"});
    CHECK(as_json.out.find(kPassword) == std::string::npos);
    const auto revealed = cli({"connectors", "config", "shop-source", "--show-secrets"});
    CHECK(revealed.out.find(kPassword) != std::string::npos);
  }

  TEST_CASE("pause, resume and stop with --wait end in the state the worker reports") {
    REQUIRE(eventually([] { return running_with_tasks("shop-sink"); }));
    const auto paused = cli({"connectors", "pause", "shop-sink", "--wait"});
    INFO(paused.out, paused.err);
    CHECK(paused.exit_code == 0);
    CHECK(connector_state("shop-sink") == "PAUSED");
    CHECK(task_states("shop-sink") == std::vector<std::string>{"PAUSED"});

    const auto resumed = cli({"connectors", "resume", "shop-sink", "--wait"});
    INFO(resumed.out, resumed.err);
    CHECK(resumed.exit_code == 0);
    CHECK(running_with_tasks("shop-sink"));

    const auto stopped = cli({"connectors", "stop", "shop-sink", "--wait"});
    INFO(stopped.out, stopped.err);
    CHECK(stopped.exit_code == 0);
    CHECK(connector_state("shop-sink") == "STOPPED");
    CHECK(task_states("shop-sink").empty());

    const auto again = cli({"connectors", "resume", "shop-sink", "--wait"});
    CHECK(again.exit_code == 0);
    CHECK(running_with_tasks("shop-sink"));
  }

  TEST_CASE("validate reports the real worker's validation error") {
    auto bad = source_config("bad-source", "bad");
    bad["config"]["snapshot.mode"] = "sometimes";
    ConfigFile file(bad);
    const auto result = cli({"connectors", "validate", "-f", file.path()});
    INFO(result.out, result.err);
    CHECK(result.exit_code == 1);
    CHECK((result.out + result.err).find("snapshot.mode") != std::string::npos);
    CHECK(connector_state("bad-source") == "MISSING");
  }

  TEST_CASE("loggers: a level set through cdcctl is the level the worker reports") {
    const auto set = cli({"loggers", "set", "io.debezium.connector.postgresql", "DEBUG"});
    INFO(set.out, set.err);
    CHECK(set.exit_code == 0);
    CHECK(rest_get("/admin/loggers/io.debezium.connector.postgresql")["level"] == "DEBUG");
    const auto list = cli({"loggers", "list"});
    CHECK(list.out.find("io.debezium.connector.postgresql") != std::string::npos);
    CHECK(cli({"loggers", "set", "io.debezium.connector.postgresql", "INFO"}).exit_code == 0);
  }

  // A source whose task fails for real, with Debezium's own trace: its
  // publication does not exist and it may not create one. (A wrong password
  // does not do: Debezium retries a failed login for ever with the task
  // RUNNING, whatever errors.max.retries says.)
  TEST_CASE("a task failed for real: health is CRITICAL with the trace, restart of the failed task heals it") {
    auto config = source_config("fragile-source", "fragile");
    config["config"]["publication.autocreate.mode"] = "disabled";
    REQUIRE(curl_json("POST", cluster().connect_url() + "/connectors", config.dump()).exit_code == 0);
    REQUIRE(eventually([] { return task_states("fragile-source") == std::vector<std::string>{"FAILED"}; }));
    const auto trace = rest_get("/connectors/fragile-source/status")["tasks"][0]["trace"].get<std::string>();
    CHECK(trace.find("Publication autocreation is disabled") != std::string::npos);

    TempDir state("cdcctl-real-health");
    const std::string prometheus = state.path() + "/cdcctl.prom";
    const std::vector<std::string> health_flags{"health", "--state-file", state.path() + "/health.json", "--prometheus",
                                                prometheus};
    const auto critical = cli(health_flags);
    INFO(critical.out, critical.err);
    CHECK(critical.exit_code == 2);
    CHECK(critical.out.starts_with("CRITICAL - 1 of 3 connectors need attention: fragile-source task 0 FAILED: "
                                   "org.apache.kafka.connect.errors.ConnectException: Publication autocreation is "
                                   "disabled"));
    std::ifstream metrics(prometheus);
    const std::string text((std::istreambuf_iterator<char>(metrics)), std::istreambuf_iterator<char>());
    CAPTURE(text);
    CHECK(text.find("cdcctl_health_status 2") != std::string::npos);
    CHECK(text.find("connector=\"fragile-source\",task=\"0\",state=\"FAILED\"} 1") != std::string::npos);
    CHECK(text.find("connector=\"shop-source\",task=\"0\",state=\"RUNNING\"} 1") != std::string::npos);

    // Fixed at the source; --restart-failed restarts exactly the failed task.
    pg().psql("CREATE PUBLICATION fragile_publication FOR TABLE customers", source_database());
    auto restart_args = health_flags;
    restart_args.push_back("--restart-failed");
    const auto restarting = cli(restart_args);
    INFO(restarting.out, restarting.err);
    CHECK(restarting.exit_code == 1);  // WARNING while the restart is in progress
    CHECK(restarting.out.find("fragile-source task 0 FAILED; restarted (attempt 1 of 3)") != std::string::npos);
    CHECK(eventually([] { return running_with_tasks("fragile-source"); }));
    CHECK(eventually([&] { return cli(health_flags).exit_code == 0; }));
    // Only the failed task was restarted: the healthy connectors kept running.
    CHECK(running_with_tasks("shop-source"));
    CHECK(running_with_tasks("shop-sink"));
    CHECK(cli({"connectors", "delete", "fragile-source", "--yes", "--wait"}).exit_code == 0);
    drop_slot_once_released("fragile_slot");
  }

  TEST_CASE("restart --only-failed on a real failed task") {
    auto config = source_config("fragile2-source", "fragile2");
    config["config"]["publication.autocreate.mode"] = "disabled";
    REQUIRE(curl_json("POST", cluster().connect_url() + "/connectors", config.dump()).exit_code == 0);
    REQUIRE(eventually([] { return task_states("fragile2-source") == std::vector<std::string>{"FAILED"}; }));
    // The connector instance runs; only its task failed.
    const auto listed = cli({"connectors", "list", "--state", "FAILED", "-o", "name"});
    CHECK(listed.out == "fragile2-source\n");
    const auto describe = cli({"connectors", "describe", "fragile2-source"});
    CHECK(describe.out.find("Publication autocreation is disabled") != std::string::npos);

    pg().psql("CREATE PUBLICATION fragile2_publication FOR TABLE customers", source_database());
    const auto result = cli({"connectors", "restart", "--all", "--only-failed", "--include-tasks", "--wait"});
    INFO(result.out, result.err);
    CHECK(result.exit_code == 0);
    CHECK(result.out.find("fragile2-source") != std::string::npos);
    CHECK(result.out.find("shop-source: nothing to restart (no failed connector or task)") != std::string::npos);
    CHECK(running_with_tasks("fragile2-source"));
    CHECK(running_with_tasks("shop-source"));
    CHECK(cli({"connectors", "delete", "fragile2-source", "--yes", "--wait"}).exit_code == 0);
    drop_slot_once_released("fragile2_slot");
  }

  TEST_CASE("offsets get decodes Debezium's real offsets") {
    // An offset is committed within offset.flush.interval.ms after a change.
    pg().psql("UPDATE customers SET name = 'renamed' WHERE id = 1", source_database());
    json offsets;
    REQUIRE(eventually([&] {
      offsets = cli_json({"offsets", "get", "shop-source"});
      return !offsets.empty() && !offsets[0]["offsets"].empty() &&
             offsets[0]["offsets"][0]["offset"].contains("lsn");
    }));
    const auto& entry = offsets[0]["offsets"][0];
    CHECK(entry["partition"] == json{{"server", "shop"}});
    CHECK(entry["offset"]["lsn"].is_number_unsigned());
    const auto text = cli({"offsets", "get", "shop-source"});
    CHECK(text.out.find("{\"server\":\"shop\"}") != std::string::npos);
    CHECK(text.out.find("lsn ") != std::string::npos);
  }

  TEST_CASE("events tail decodes what real Debezium wrote") {
    pg().psql("UPDATE customers SET name = 'tailed' WHERE id = 4", source_database());
    RunResult tail;
    REQUIRE(eventually([&] {
      tail = run_cdcctl({"events", "tail", "shop.public.customers", "--last", "50", "--bootstrap-servers",
                         cluster().bootstrap_servers(), "-o", "wide"});
      return tail.out.find("\"tailed\"") != std::string::npos;
    }));
    INFO(tail.out, tail.err);
    CHECK(tail.exit_code == 0);
    CHECK(tail.out.find("  r  public.customers  {\"id\":1}") != std::string::npos);   // snapshot reads
    CHECK(tail.out.find("  c  public.customers  {\"id\":6}") != std::string::npos);   // a streamed insert
    CHECK(tail.out.find("  u  public.customers  {\"id\":4}") != std::string::npos);   // an update
  }

  TEST_CASE("offsets on real Connect (KIP-875): backup, reset, restore through stop, change, verify") {
    TempDir dir("cdcctl-real-offsets");
    const std::string backup = dir.path() + "/offsets.json";
    // Backed up at a stop, after the task's last offset flush: Debezium confirms
    // its position to the slot as it runs, and refuses to start from an offset
    // older than the slot's ("... is no longer available on the server").
    REQUIRE(cli({"connectors", "stop", "shop-source", "--wait"}).exit_code == 0);
    const auto saved = cli({"offsets", "backup", "shop-source", "-f", backup});
    INFO(saved.out, saved.err);
    REQUIRE(saved.exit_code == 0);
    const auto saved_offsets = rest_get("/connectors/shop-source/offsets")["offsets"];
    REQUIRE(saved_offsets.size() == 1);

    const auto reset = cli({"offsets", "reset", "shop-source", "--yes", "--leave-stopped"});
    INFO(reset.out, reset.err);
    CHECK(reset.exit_code == 0);
    CHECK(reset.out.find("4. leave it STOPPED, as it was") != std::string::npos);
    CHECK(connector_state("shop-source") == "STOPPED");
    CHECK(rest_get("/connectors/shop-source/offsets")["offsets"].empty());

    const auto restored = cli({"offsets", "restore", "-f", backup, "shop-source", "--yes", "--leave-stopped"});
    INFO(restored.out, restored.err);
    CHECK(restored.exit_code == 0);
    CHECK(rest_get("/connectors/shop-source/offsets")["offsets"] == saved_offsets);

    const auto resumed = cli({"connectors", "resume", "shop-source", "--wait"});
    INFO(resumed.out, resumed.err, cluster().worker_log_tail(0));
    CHECK(resumed.exit_code == 0);
    CHECK(running_with_tasks("shop-source"));
  }

  TEST_CASE("offsets set on the real sink rewinds its consumer group: rows removed downstream come back") {
    REQUIRE(eventually([] { return running_with_tasks("shop-sink"); }));
    const auto set = cli({"offsets", "set", "shop-sink", "--topic", "shop.public.customers", "--partition", "0",
                          "--offset", "0", "--yes", "--leave-stopped"});
    INFO(set.out, set.err);
    CHECK(set.exit_code == 0);
    CHECK(connector_state("shop-sink") == "STOPPED");
    const auto offsets = rest_get("/connectors/shop-sink/offsets")["offsets"];
    REQUIRE(offsets.size() == 1);
    CHECK(offsets[0]["partition"] == json{{"kafka_topic", "shop.public.customers"}, {"kafka_partition", 0}});
    CHECK(offsets[0]["offset"] == json{{"kafka_offset", 0}});

    pg().psql("DELETE FROM shop_public_customers WHERE id = 3", target_database());
    CHECK(cli({"connectors", "resume", "shop-sink", "--wait"}).exit_code == 0);
    CHECK(eventually([] {
      return pg().psql("SELECT count(*) FROM shop_public_customers WHERE id = 3", target_database()) == "1";
    }));
  }

  TEST_CASE("connectors resnapshot: Debezium snapshots again, on a fresh slot") {
    REQUIRE(eventually([] { return running_with_tasks("shop-source"); }));
    pg().psql("DELETE FROM shop_public_customers WHERE id = 2", target_database());
    const auto slot_before = pg().psql("SELECT restart_lsn FROM pg_replication_slots WHERE slot_name = 'shop_slot'");
    const auto result = cli({"connectors", "resnapshot", "shop-source", "--drop-slot", "--yes", "--pg",
                             pg().conninfo(source_database())});
    INFO(result.out, result.err, cluster().worker_log_tail(0));
    CHECK(result.exit_code == 0);
    CHECK(result.out.find("drop-slot: ok (dropped shop_slot") != std::string::npos);
    CHECK(result.out.find("wait-running: ok (connector and tasks RUNNING)") != std::string::npos);
    // Reported at once: either nothing committed yet or the snapshot in progress.
    CHECK((result.out.find("shop-source: no offsets yet") != std::string::npos ||
           result.out.find("shop-source: snapshot") != std::string::npos));
    // The snapshot re-reads every row; the sink writes row 2 again.
    CHECK(eventually([] {
      return pg().psql("SELECT count(*) FROM shop_public_customers WHERE id = 2", target_database()) == "1";
    }));
    CHECK(eventually([] { return running_with_tasks("shop-source"); }));
    CHECK(eventually([] {
      return pg().psql("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'shop_slot' AND active") == "1";
    }));
    CHECK(pg().psql("SELECT restart_lsn FROM pg_replication_slots WHERE slot_name = 'shop_slot'") != slot_before);
  }

  TEST_CASE("slots: the slot real Debezium holds is active and its drop refused; after delete it can go") {
    REQUIRE(eventually([] { return running_with_tasks("shop-source"); }));
    const auto conninfo = pg().conninfo(source_database());
    const auto listed = run_cdcctl({"slots", "list", "--pg", conninfo, "-o", "json"});
    INFO(listed.out, listed.err);
    REQUIRE(listed.exit_code == 0);
    bool found_active = false;
    for (const auto& slot : json::parse(listed.out)) {
      if (slot["name"] == "shop_slot") found_active = slot["active"] == true && slot["plugin"] == "pgoutput";
    }
    CHECK(found_active);

    const auto refused = run_cdcctl({"slots", "drop", "shop_slot", "--yes", "--pg", conninfo});
    INFO(refused.out, refused.err);
    CHECK(refused.exit_code == 1);
    CHECK(refused.err.find("refusing to drop an active slot: shop_slot") != std::string::npos);
    CHECK(pg().psql("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'shop_slot'") == "1");

    // Deleting both connectors; the source's slot is left (slot.drop.on.stop=false),
    // inactive, and then cdcctl drops it.
    for (const auto* name : {"shop-sink", "shop-source"}) {
      const auto deleted = cli({"connectors", "delete", name, "--yes", "--wait"});
      INFO(deleted.out, deleted.err);
      CHECK(deleted.exit_code == 0);
      CHECK(connector_state(name) == "MISSING");
    }
    REQUIRE(eventually([] {
      return pg().psql("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'shop_slot' AND NOT active") ==
             "1";
    }));
    const auto dropped = run_cdcctl({"slots", "drop", "shop_slot", "--yes", "--pg", conninfo});
    INFO(dropped.out, dropped.err);
    CHECK(dropped.exit_code == 0);
    CHECK(pg().psql("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'shop_slot'") == "0");

    // The legacy path on the real offsets topic: the deleted connector's offsets
    // are still there, read as a worker reads them, then removed with tombstones.
    const std::vector<std::string> via_topic{"--via-topic", "--offsets-topic", "_connect-offsets",
                                             "--bootstrap-servers", cluster().bootstrap_servers()};
    auto get_args = std::vector<std::string>{"offsets", "get", "--all"};
    get_args.insert(get_args.end(), via_topic.begin(), via_topic.end());
    const auto before = cli(get_args);
    INFO(before.out, before.err);
    CHECK(before.exit_code == 0);
    CHECK(before.out.find("shop-source") != std::string::npos);
    CHECK(before.out.find("{\"server\":\"shop\"}") != std::string::npos);
    auto reset_args = std::vector<std::string>{"offsets", "reset", "shop-source", "--yes"};
    reset_args.insert(reset_args.end(), via_topic.begin(), via_topic.end());
    const auto reset = cli(reset_args);
    INFO(reset.out, reset.err);
    CHECK(reset.exit_code == 0);
    const auto after = cli(get_args);
    CHECK(after.out.find("shop-source") == std::string::npos);
  }
}
