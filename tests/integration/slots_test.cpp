// `cdcctl slots list|check|drop|create` against a real PostgreSQL 15: WAL
// really retained by a slot, a slot really held by pg_recvlogical, a slot
// really lost past max_slot_wal_keep_size.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/pg_cluster.hpp"
#include "support/process.hpp"

using namespace cdcctl::testsupport;
using nlohmann::json;

namespace {

struct Slots {
  PgCluster pg;
  TempDir state{"cdcctl-slots"};
  // Capped, as it should be in production; the default (-1) is a WARNING of its own.
  Slots() { set_keep_size("4GB"); }
  void set_keep_size(const std::string& size) {
    pg.psql("ALTER SYSTEM SET max_slot_wal_keep_size = '" + size + "'");
    pg.psql("SELECT pg_reload_conf()");
  }
  RunResult run(std::vector<std::string> args) {
    args.insert(args.end(), {"--pg", pg.conninfo()});
    RunOptions options;
    options.env["XDG_STATE_HOME"] = state.path();
    return run_cdcctl(args, options);
  }
  // About `megabytes` MB of WAL.
  void write_wal(int megabytes) {
    pg.psql("CREATE TABLE IF NOT EXISTS filler (g int, pad text)");
    pg.psql("INSERT INTO filler SELECT g, repeat('x', 100) FROM generate_series(1, " + std::to_string(megabytes * 6500) + ") g");
  }
  std::string active(const std::string& slot) {
    return pg.psql("SELECT active FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
  }
  void wait_active(const std::string& slot, const std::string& wanted) {
    for (int i = 0; i < 100 && active(slot) != wanted; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    REQUIRE(active(slot) == wanted);
  }
  std::unique_ptr<BackgroundProcess> hold(const std::string& slot) {
    if (pg.psql("SELECT count(*) FROM pg_publication WHERE pubname = 'slots_pub'") == "0") {
      pg.psql("CREATE PUBLICATION slots_pub");  // pgoutput needs one named
    }
    auto reader = std::make_unique<BackgroundProcess>(std::vector<std::string>{
        "sh", "-c",
        "echo started; exec " + pg.bin_dir() + "/pg_recvlogical --no-loop -d '" + pg.uri() + "' --slot " + slot +
            " --start -o proto_version=1 -o publication_names=slots_pub -f /dev/null"});
    wait_active(slot, "t");
    return reader;
  }
};

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("slots create is idempotent and checks names before asking the server") {
  Slots s;
  auto result = s.run({"slots", "create", "debezium"});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(result.out.find("created logical slot debezium (pgoutput, database postgres)") != std::string::npos);
  result = s.run({"slots", "create", "debezium"});
  CHECK(result.exit_code == 0);
  CHECK(result.out.find("already exists") != std::string::npos);
  result = s.run({"slots", "create", "debezium", "--physical"});
  CHECK(result.exit_code == 1);
  CHECK(result.err.find("already exists as a different slot") != std::string::npos);
  for (const char* bad : {"Debezium", "my slot", "x'; DROP TABLE t; --"}) {
    result = s.run({"slots", "create", bad});
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("lower-case letters, digits and underscores") != std::string::npos);
  }
  CHECK(s.pg.psql("SELECT count(*) FROM pg_replication_slots") == "1");
}

TEST_CASE("slots list and check measure WAL really retained, and the thresholds trip") {
  Slots s;
  s.set_keep_size("-1");
  REQUIRE(s.run({"slots", "create", "debezium"}).exit_code == 0);
  REQUIRE(s.run({"slots", "create", "standby_1", "--physical"}).exit_code == 0);
  s.write_wal(256);  // a few hundred MB, really kept on disk for the slots

  auto result = s.run({"slots", "list", "-o", "json"});
  REQUIRE(result.exit_code == 0);
  const auto slots = json::parse(result.out);
  REQUIRE(slots.size() == 2);
  CHECK(slots[0]["name"] == "debezium");
  CHECK(slots[0]["plugin"] == "pgoutput");
  CHECK(slots[0]["active"] == false);
  CHECK(slots[0]["retained_bytes"].get<long long>() > 200LL * 1024 * 1024);
  CHECK(slots[0]["wal_status"] == "reserved");
  CHECK(slots[0]["inactive_since"].is_null());  // PostgreSQL 15 does not record it
  CHECK(slots[1]["type"] == "physical");
  CHECK(slots[1]["plugin"].is_null());

  // Retained WAL: over 200 MiB is past the warning, under critical; then critical.
  const std::string prom = s.state.path() + "/slots.prom";
  result = s.run({"slots", "check", "--warn-retained", "100MB", "--crit-retained", "1GB", "--prometheus", prom});
  INFO(result.out);
  CHECK(result.exit_code == 1);
  CHECK(result.out.rfind("WARNING - 2 of 2 slot(s) need attention: debezium retains", 0) == 0);
  CHECK(result.out.find("max_slot_wal_keep_size = -1") != std::string::npos);
  const auto textfile = read_text(prom);
  CHECK(textfile.find("# TYPE cdcctl_pg_slot_retained_wal_bytes gauge") != std::string::npos);
  CHECK(textfile.find("cdcctl_pg_slot_retained_wal_bytes{server=") != std::string::npos);
  CHECK(textfile.find("cdcctl_pg_slots_status{server=") != std::string::npos);

  result = s.run({"slots", "check", "--warn-retained", "50MB", "--crit-retained", "200MB", "-o", "json"});
  CHECK(result.exit_code == 2);
  const auto report = json::parse(result.out);
  CHECK(report["status"] == "CRITICAL");
  CHECK(report["slots"][0]["status"] == "CRITICAL");
  CHECK(report["server"]["max_slot_wal_keep_size"] == -1);
  CHECK(report["server"]["version"].get<int>() >= 150000);

  // Under the thresholds and with the WAL capped: OK.
  s.set_keep_size("1GB");
  result = s.run({"slots", "check", "--warn-retained", "500MB", "--crit-retained", "1GB"});
  CHECK(result.exit_code == 0);
  CHECK(result.out.rfind("OK - 2 replication slot(s)", 0) == 0);
  // safe_wal_size now exists (about 1 GB minus what is retained).
  result = s.run({"slots", "check", "--warn-retained", "500MB", "--crit-retained", "1GB", "--crit-safe-wal", "2GB"});
  CHECK(result.exit_code == 2);
  CHECK(result.out.find("safe_wal_size") != std::string::npos);
}

TEST_CASE("slots check remembers since when a slot is inactive, and forgets it once active") {
  Slots s;
  REQUIRE(s.run({"slots", "create", "debezium"}).exit_code == 0);
  const std::vector<std::string> check = {"slots", "check", "--warn-inactive", "1s", "--crit-inactive", "1h",
                                          "--warn-retained", "1GB", "--crit-retained", "2GB"};
  auto result = s.run(check);
  CHECK(result.exit_code == 0);  // just seen inactive
  std::this_thread::sleep_for(std::chrono::milliseconds(1300));
  result = s.run(check);
  CHECK(result.exit_code == 1);
  CHECK(result.out.find("debezium inactive for ") != std::string::npos);
  CHECK(result.out.find("s (warning at 1s)") != std::string::npos);
  const auto state = json::parse(read_text(s.state.path() + "/cdcctl/slots.json"));
  CHECK(state["version"] == 1);
  CHECK(state["targets"].begin().value()["first_seen_inactive"].contains("debezium"));

  // A consumer connects: OK, and the memory is cleared.
  auto reader = s.hold("debezium");
  result = s.run(check);
  CHECK(result.exit_code == 0);
  CHECK(json::parse(read_text(s.state.path() + "/cdcctl/slots.json"))["targets"].begin().value()["first_seen_inactive"].empty());
  // --no-state: nothing remembered, nothing written.
  reader->stop();
  s.wait_active("debezium", "f");
  result = s.run({"slots", "check", "--no-state", "--warn-inactive", "1s", "--crit-inactive", "1h"});
  CHECK(result.exit_code == 0);
}

TEST_CASE("a slot past max_slot_wal_keep_size is lost, and slots check says CRITICAL") {
  Slots s;
  s.set_keep_size("32MB");
  REQUIRE(s.run({"slots", "create", "doomed"}).exit_code == 0);
  for (int round = 0; round < 4; ++round) {
    s.write_wal(24);
    s.pg.psql("CHECKPOINT");
  }
  s.pg.psql("SELECT pg_switch_wal()");
  s.pg.psql("CHECKPOINT");
  const auto status = s.pg.psql("SELECT wal_status FROM pg_replication_slots WHERE slot_name = 'doomed'");
  REQUIRE((status == "lost" || status == "unreserved"));
  auto result = s.run({"slots", "check"});
  INFO(result.out);
  CHECK(result.exit_code == 2);
  CHECK(result.out.find("doomed wal_status " + status) != std::string::npos);
}

TEST_CASE("slots drop refuses an active slot with its pid, --terminate ends the reader; --dry-run and not-found") {
  Slots s;
  REQUIRE(s.run({"slots", "create", "busy"}).exit_code == 0);
  REQUIRE(s.run({"slots", "create", "idle"}).exit_code == 0);
  auto reader = s.hold("busy");
  const auto pid = s.pg.psql("SELECT active_pid FROM pg_replication_slots WHERE slot_name = 'busy'");

  auto result = s.run({"slots", "drop", "busy", "--yes"});
  CHECK(result.exit_code == 1);
  CHECK(result.err.find("refusing to drop an active slot: busy (pid " + pid + ")") != std::string::npos);
  CHECK(result.err.find("--terminate") != std::string::npos);
  CHECK(result.out.find("ACTIVE, held by pid " + pid) != std::string::npos);

  result = s.run({"slots", "drop", "idle", "--dry-run"});
  CHECK(result.exit_code == 0);
  CHECK(result.out.find("drop logical slot idle") != std::string::npos);
  result = s.run({"slots", "drop", "idle"});  // not a terminal, no --yes
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("without confirmation") != std::string::npos);
  CHECK(s.pg.psql("SELECT count(*) FROM pg_replication_slots") == "2");

  result = s.run({"slots", "drop", "busy", "idle", "--terminate", "--yes"});
  INFO(result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.out.find("terminated walsender pid " + pid) != std::string::npos);
  CHECK(s.pg.psql("SELECT count(*) FROM pg_replication_slots") == "0");
  CHECK(reader->stop() != 0);  // pg_recvlogical lost its connection

  result = s.run({"slots", "drop", "ghost", "--yes"});
  CHECK(result.exit_code == 4);
}

TEST_CASE("slots drop --inactive-for picks the slots slots check has seen inactive long enough") {
  Slots s;
  REQUIRE(s.run({"slots", "create", "stale"}).exit_code == 0);
  auto result = s.run({"slots", "drop", "--inactive-for", "1s", "--yes"});
  CHECK(result.exit_code == 0);  // never seen by slots check: time unknown, nothing picked
  CHECK(result.err.find("no known inactive time") != std::string::npos);
  REQUIRE(s.run({"slots", "check", "--warn-retained", "1GB", "--crit-retained", "2GB"}).exit_code == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1300));
  REQUIRE(s.run({"slots", "create", "fresh"}).exit_code == 0);
  result = s.run({"slots", "drop", "--inactive-for", "1s", "--yes"});
  INFO(result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.out.find("dropped stale") != std::string::npos);
  CHECK(s.pg.psql("SELECT string_agg(slot_name, ',') FROM pg_replication_slots") == "fresh");
}

TEST_CASE("slots check is UNKNOWN (exit 3) when PostgreSQL cannot be reached, and still writes the textfile") {
  TempDir dir{"cdcctl-slots"};
  const std::string prom = dir.path() + "/slots.prom";
  RunOptions options;
  options.env["XDG_STATE_HOME"] = dir.path();
  const auto result = run_cdcctl({"slots", "check", "--pg", "host=127.0.0.1 port=9 user=nobody connect_timeout=2",
                                  "--prometheus", prom}, options);
  CHECK(result.exit_code == 3);
  CHECK(result.out.rfind("UNKNOWN - cannot check replication slots", 0) == 0);
  CHECK(read_text(prom).find("cdcctl_pg_up{server=") != std::string::npos);
  CHECK(read_text(prom).find("} 0\n") != std::string::npos);
  // Usage errors are UNKNOWN too, for a monitoring plugin.
  CHECK(run_cdcctl({"slots", "check", "--warn-retained", "lots"}, options).exit_code == 3);
}

TEST_CASE("on a standby, slots list and check measure from the last received WAL, without an SQL error") {
  PgCluster primary;
  PgCluster standby(StandbyOf{primary});  // pg_basebackup -R: a hot standby streaming from the primary
  REQUIRE(standby.psql("SELECT pg_is_in_recovery()") == "t");
  standby.psql("SELECT pg_create_physical_replication_slot('cascade_1', true)");
  primary.psql("CREATE TABLE filler AS SELECT g, repeat('x', 100) AS pad FROM generate_series(1, 150000) g");
  const auto target = primary.psql("SELECT pg_current_wal_lsn()");
  for (int i = 0; i < 100 && standby.psql("SELECT pg_last_wal_replay_lsn() >= '" + target + "'::pg_lsn") != "t"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  TempDir state{"cdcctl-slots"};
  RunOptions options;
  options.env["XDG_STATE_HOME"] = state.path();
  auto result = run_cdcctl({"slots", "list", "-o", "json", "--pg", standby.conninfo()}, options);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  const auto slots = json::parse(result.out);
  REQUIRE(slots.size() == 1);
  CHECK(slots[0]["name"] == "cascade_1");
  CHECK(slots[0]["retained_bytes"].get<long long>() > 10LL * 1024 * 1024);

  result = run_cdcctl({"slots", "check", "-o", "json", "--pg", standby.conninfo(), "--warn-retained", "1MB",
                       "--crit-retained", "1GB"}, options);
  CHECK(result.exit_code == 1);
  const auto report = json::parse(result.out);
  CHECK(report["server"]["in_recovery"] == true);
  CHECK(report["slots"][0]["status"] == "WARNING");
}
