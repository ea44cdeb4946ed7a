// `cdcctl pg preflight` against a real PostgreSQL 15: a misconfigured server
// and database are reported with the SQL that fixes them, and running that
// SQL makes the next preflight pass.
#include <doctest/doctest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "support/pg_cluster.hpp"
#include "support/process.hpp"

using namespace cdcctl::testsupport;
using nlohmann::json;

namespace {

// The findings of one run, by check and subject.
struct Preflight {
  int exit_code = -1;
  json report;
  std::string out;
  const json* find(const std::string& check, const std::string& subject) const {
    for (const auto& finding : report["findings"]) {
      if (finding["check"] == check && finding["subject"] == subject) return &finding;
    }
    return nullptr;
  }
  std::string status(const std::string& check, const std::string& subject) const {
    const auto* finding = find(check, subject);
    return finding ? finding->at("status").get<std::string>() : "(none)";
  }
  std::string fix(const std::string& check, const std::string& subject) const {
    const auto* finding = find(check, subject);
    return finding && finding->at("fix").is_string() ? finding->at("fix").get<std::string>() : "";
  }
};

Preflight preflight(const std::string& conninfo, std::vector<std::string> args) {
  args.insert(args.begin(), {"pg", "preflight", "--pg", conninfo, "-o", "json"});
  const auto result = run_cdcctl(args);
  INFO(result.err);
  REQUIRE(!result.out.empty());
  return {result.exit_code, json::parse(result.out), result.out};
}

// The SQL part of a fix (what comes before a "--" comment).
std::string sql_of(const std::string& fix) { return fix.substr(0, fix.find("  --")); }

}  // namespace

TEST_CASE("pg preflight: a database not ready for CDC, fixed with the SQL it prints") {
  PgCluster pg;
  const auto db = pg.create_database("inventory");
  pg.psql("CREATE SCHEMA \"Inventory\"", db);
  pg.psql("CREATE TABLE \"Inventory\".customers (id int PRIMARY KEY, name text)", db);
  pg.psql("CREATE TABLE \"Inventory\".\"Order \"\"Lines\"\"\" (order_id int, sku text)", db);  // no key, odd name
  pg.psql("CREATE TABLE \"Inventory\".audit (id int PRIMARY KEY)", db);
  pg.psql("CREATE ROLE \"cdc user\" LOGIN", db);
  pg.psql("GRANT USAGE ON SCHEMA \"Inventory\" TO \"cdc user\"", db);
  pg.psql("GRANT SELECT ON \"Inventory\".customers TO \"cdc user\"", db);
  pg.psql("CREATE PUBLICATION dbz_publication FOR TABLE \"Inventory\".customers", db);
  const std::string as_cdc = pg.conninfo(db) + " user='cdc user'";
  const std::vector<std::string> tables = {"--tables", "Inventory.customers,Inventory.Order \"Lines\",Inventory.missing"};

  auto run = preflight(as_cdc, tables);
  CHECK(run.exit_code == 2);
  CHECK(run.report["status"] == "FAIL");
  CHECK(run.report["user"] == "cdc user");
  CHECK(run.status("wal_level", "wal_level") == "OK");
  CHECK(run.status("replication_right", "cdc user") == "FAIL");
  CHECK(run.fix("replication_right", "cdc user") == "ALTER ROLE \"cdc user\" WITH REPLICATION;");
  CHECK(run.status("select", "Inventory.Order \"Lines\"") == "FAIL");
  CHECK(run.fix("select", "Inventory.Order \"Lines\"") ==
        "GRANT SELECT ON \"Inventory\".\"Order \"\"Lines\"\"\" TO \"cdc user\";");
  CHECK(run.status("replica_identity", "Inventory.Order \"Lines\"") == "WARN");
  CHECK(run.status("publication", "Inventory.Order \"Lines\"") == "FAIL");
  CHECK(run.status("tables", "Inventory.missing") == "WARN");
  CHECK(run.status("max_slot_wal_keep_size", "max_slot_wal_keep_size") == "WARN");
  CHECK(run.find("select", "Inventory.customers") == nullptr);  // fine: no finding
  CHECK(run.find("replica_identity", "Inventory.audit") == nullptr);  // not selected

  // Run every fix it printed, as the operator would (as a superuser).
  for (const auto& finding : run.report["findings"]) {
    if (!finding["fix"].is_string() || finding["check"] == "max_slot_wal_keep_size") continue;
    pg.psql(sql_of(finding["fix"].get<std::string>()), db);
  }
  pg.psql("ALTER SYSTEM SET max_slot_wal_keep_size = '10GB'");
  pg.psql("SELECT pg_reload_conf()");

  run = preflight(as_cdc, {"--tables", "Inventory.customers,Inventory.Order \"Lines\""});
  INFO(run.out);
  CHECK(run.exit_code == 0);
  CHECK(run.report["status"] == "OK");
  CHECK(run.status("replication_right", "cdc user") == "OK");
  CHECK(run.status("replica_identity", "Inventory.Order \"Lines\"") == "OK");  // FULL now
  // And the application can update the keyless table now that it is published.
  pg.psql("INSERT INTO \"Inventory\".\"Order \"\"Lines\"\"\" VALUES (1, 'a')", db);
  pg.psql("UPDATE \"Inventory\".\"Order \"\"Lines\"\"\" SET sku = 'b'", db);
}

TEST_CASE("pg preflight: wal_level=replica and a full slot table are FAIL, with the settings to change") {
  PgCluster pg;
  pg.psql("ALTER SYSTEM SET wal_level = replica");
  pg.psql("ALTER SYSTEM SET max_replication_slots = 1");
  pg.restart();
  pg.psql("SELECT pg_create_physical_replication_slot('standby_1')");
  auto run = preflight(pg.conninfo(), {});
  CHECK(run.exit_code == 2);
  CHECK(run.status("wal_level", "wal_level") == "FAIL");
  CHECK(run.fix("wal_level", "wal_level") == "ALTER SYSTEM SET wal_level = logical;  -- then restart PostgreSQL");
  CHECK(run.status("replication_slots", "max_replication_slots") == "FAIL");
  CHECK(run.fix("replication_slots", "max_replication_slots").rfind("ALTER SYSTEM SET max_replication_slots = ", 0) == 0);

  // The text form: a verdict line, the table, then why and the fix.
  const auto text = run_cdcctl({"pg", "preflight", "--pg", pg.conninfo()});
  CHECK(text.exit_code == 2);
  CHECK(text.out.rfind("FAIL - preflight of ", 0) == 0);
  CHECK(text.out.find("why it matters, and the fix:") != std::string::npos);
  CHECK(text.out.find("      ALTER SYSTEM SET wal_level = logical;") != std::string::npos);
}

TEST_CASE("pg preflight reads a connector config: include list, publication mode, slot and heartbeat") {
  PgCluster pg;
  const auto db = pg.create_database("shop");
  pg.psql("CREATE TABLE public.orders (id int PRIMARY KEY)", db);
  pg.psql("CREATE TABLE public.order_lines (id int PRIMARY KEY)", db);
  pg.psql("CREATE TABLE public.sessions (id int PRIMARY KEY)", db);
  pg.psql("SELECT pg_create_logical_replication_slot('shop_slot', 'test_decoding')", db);
  pg.psql("ALTER SYSTEM SET max_slot_wal_keep_size = '10GB'");
  pg.psql("SELECT pg_reload_conf()");
  TempDir dir{"cdcctl-preflight"};
  const std::string config = dir.path() + "/shop.json";
  {
    std::ofstream file(config);
    file << json{{"name", "shop"},
                 {"config", {{"connector.class", "io.debezium.connector.postgresql.PostgresConnector"},
                             {"plugin.name", "pgoutput"},
                             {"table.include.list", "public\\.order.*,public\\.nothing_like_this"},
                             {"publication.autocreate.mode", "disabled"},
                             {"publication.name", "shop_pub"},
                             {"slot.name", "shop_slot"},
                             {"heartbeat.interval.ms", "10000"}}}}
                .dump();
  }
  auto run = preflight(pg.conninfo(db), {"--connector-config", config});
  CHECK(run.exit_code == 2);
  CHECK(run.status("tables", "public\\.nothing_like_this") == "WARN");
  const auto* selected = run.find("tables", db);
  REQUIRE(selected);
  CHECK(selected->at("message") == "2 table(s) selected");
  CHECK(run.status("publication", "shop_pub") == "FAIL");
  CHECK(run.fix("publication", "shop_pub") == "CREATE PUBLICATION \"shop_pub\" FOR TABLE \"public\".\"order_lines\", \"public\".\"orders\";");
  CHECK(run.status("slot", "shop_slot") == "FAIL");  // test_decoding, not pgoutput
  CHECK(run.find("heartbeat", db) == nullptr);   // heartbeats are configured

  // Not a PostgreSQL connector config: a usage error (exit 3 for a check command).
  {
    std::ofstream file(config);
    file << R"({"connector.class": "io.confluent.connect.jdbc.JdbcSinkConnector"})";
  }
  const auto result = run_cdcctl({"pg", "preflight", "--pg", pg.conninfo(db), "--connector-config", config});
  CHECK(result.exit_code == 3);
  CHECK(result.err.find("not a Debezium PostgreSQL connector") != std::string::npos);
}
