// `cdcctl reconcile` against real databases: two PostgreSQL 15 databases
// (libpq and psqlODBC) and a SQLite file through the SQLite ODBC driver.
// Every difference a pipeline can cause is planted and must come back with
// the right key and column; equal data written by another engine must pass.
#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "support/pg_cluster.hpp"
#include "support/process.hpp"

using namespace cdcctl::testsupport;
using nlohmann::json;

namespace {

struct Reconciled {
  int exit_code = -1;
  json report;
  std::string err;
};

Reconciled reconcile(std::vector<std::string> args, RunOptions options = {}) {
  args.insert(args.begin(), "reconcile");
  args.insert(args.end(), {"-o", "json"});
  const auto result = run_cdcctl(args, options);
  INFO(result.err);
  INFO(result.out);
  REQUIRE(!result.out.empty());
  return {result.exit_code, json::parse(result.out), result.err};
}

// "kind key-values [columns]" for each ROW_MISMATCH of the first table.
std::set<std::string> row_mismatches(const json& report, size_t table = 0) {
  std::set<std::string> out;
  for (const auto& item : report["tables"][table]["discrepancies"]) {
    if (item["issue_type"] != "ROW_MISMATCH") continue;
    std::string line = item["kind"].get<std::string>();
    // In the table's key order (the JSON object itself is sorted by name).
    for (const auto& column : report["tables"][table]["key"]) {
      const auto name = column.get<std::string>();
      line += " " + name + "=" + item["key"][name].get<std::string>();
    }
    if (item.contains("columns")) {
      for (const auto& column : item["columns"]) line += " [" + column.get<std::string>() + "]";
    }
    out.insert(line);
  }
  return out;
}

// The shared library of an ODBC driver, wherever the distribution put it.
std::string odbc_driver(const std::string& file) {
  for (const auto& dir : {"/usr/lib/x86_64-linux-gnu/odbc", "/usr/lib/aarch64-linux-gnu/odbc", "/usr/lib/odbc", "/usr/lib64"}) {
    if (std::filesystem::exists(std::string(dir) + "/" + file)) return std::string(dir) + "/" + file;
  }
  FAIL("ODBC driver " << file << " is not installed (scripts/install-deps.sh installs it)");
  return {};
}

// The same 100k customers in any PostgreSQL database.
const char* kCustomers =
    "CREATE TABLE customers (id bigint PRIMARY KEY, name text, email text, note text, balance numeric, score float8,"
    " active boolean, created_at timestamptz, payload bytea, ref uuid);"
    "INSERT INTO customers SELECT g, 'name ' || g, 'u' || g || '@example.org', CASE WHEN g % 3 = 0 THEN NULL ELSE 'n' END,"
    " g * 1.5, g / 3.0, g % 2 = 0, timestamptz '2024-01-01 00:00:00+00' + g * interval '1.123456 second',"
    " convert_to(lpad(to_hex(g), 8, '0'), 'UTF8'), ('00000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid"
    " FROM generate_series(1, 100000) g;";

}  // namespace

TEST_CASE("reconcile: identical 100k-row tables pass at every mode; each planted difference is found with its key and column") {
  PgCluster pg;
  const auto source_db = pg.create_database("source");
  const auto target_db = pg.create_database("target");
  pg.psql(kCustomers, source_db);
  pg.psql(kCustomers, target_db);
  const std::vector<std::string> sides = {"--source", pg.uri(source_db), "--target", "pg:" + pg.conninfo(target_db),
                                          "--table", "customers"};
  const auto with = [&](std::vector<std::string> extra) {
    auto args = sides;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };

  for (const std::string mode : {"count", "checksum", "rows"}) {
    CAPTURE(mode);
    const auto run = reconcile(with({"--mode", mode}));
    CHECK(run.exit_code == 0);
    CHECK(run.report["status"] == "PASS");
    CHECK(run.report["mode"] == mode);
    CHECK(run.report["tables"][0]["source_rows"] == 100000);
    CHECK(run.report["tables"][0]["target_rows"] == 100000);
    CHECK(run.report["tables"][0]["status"] == "MATCH");
    CHECK(run.report["tables"][0]["discrepancies"].empty());
  }

  pg.psql("DELETE FROM customers WHERE id = 500;"                                              // missing
          "INSERT INTO customers (id, name) VALUES (100001, 'stray');"                         // extra
          "UPDATE customers SET email = 'changed@example.org' WHERE id = 777;"                 // changed column
          "UPDATE customers SET note = '' WHERE id = 900;"                                     // NULL vs ''
          "UPDATE customers SET balance = 1.1 WHERE id = 1000;"                                // 1500.0 vs 1.1: a real change
          "UPDATE customers SET created_at = date_trunc('milliseconds', created_at) WHERE id = 1234;",  // precision
          target_db);
  pg.psql("UPDATE customers SET balance = 1.10 WHERE id = 1000; UPDATE customers SET balance = 2.50 WHERE id = 2000",
          source_db);
  pg.psql("UPDATE customers SET balance = 2.5 WHERE id = 2000", target_db);  // 2.50 vs 2.5: the same number

  auto run = reconcile(with({}));
  CHECK(run.exit_code == 1);
  CHECK(run.report["status"] == "FAIL");
  const auto& table = run.report["tables"][0];
  CHECK(table["status"] == "MISMATCH");
  CHECK(table["severity"] == "LOW");
  CHECK(table["missing"] == 1);
  CHECK(table["extra"] == 1);
  CHECK(table["changed"] == 3);
  CHECK(row_mismatches(run.report) == std::set<std::string>{"missing id=500", "extra id=100001",
                                                            "changed id=777 [email]", "changed id=900 [note]",
                                                            "changed id=1234 [created_at]"});
  CHECK(table["rows_downloaded"].get<int>() < 100000);  // bisection, not a full download
  CHECK(run.report["totals"]["missing"] == 1);
  CHECK_FALSE(table["recommendations"].empty());

  // Scale counts when asked: 1.10 against 1.1 and 2.50 against 2.5.
  run = reconcile(with({"--exact-numerics"}));
  CHECK(row_mismatches(run.report).count("changed id=1000 [balance]") == 1);
  CHECK(row_mismatches(run.report).count("changed id=2000 [balance]") == 1);
  // Milliseconds are enough for this target.
  run = reconcile(with({"--timestamp-precision", "3"}));
  CHECK(row_mismatches(run.report).count("changed id=1234 [created_at]") == 0);
  CHECK(row_mismatches(run.report).count("changed id=777 [email]") == 1);
  // --show-values gives both sides of a change.
  run = reconcile(with({"--show-values", "--columns", "email"}));
  for (const auto& item : run.report["tables"][0]["discrepancies"]) {
    if (item["issue_type"] == "ROW_MISMATCH" && item["kind"] == "changed") {
      CHECK(item["values"]["email"] == json{{"source", "u777@example.org"}, {"target", "changed@example.org"}});
    }
  }

  // The checksum finds that something differs, the count cannot (one lost, one stray).
  run = reconcile(with({"--mode", "checksum"}));
  CHECK(run.exit_code == 1);
  CHECK(run.report["tables"][0]["discrepancies"] == json::array({{{"issue_type", "CHECKSUM_MISMATCH"}}}));
  CHECK(run.report["tables"][0]["severity"] == "CRITICAL");
  run = reconcile(with({"--mode", "count"}));
  CHECK(run.exit_code == 0);
  pg.psql("DELETE FROM customers WHERE id = 100001", target_db);
  run = reconcile(with({"--mode", "count"}));
  CHECK(run.exit_code == 1);
  CHECK(run.report["tables"][0]["discrepancies"][0] ==
        json{{"issue_type", "ROW_COUNT_MISMATCH"}, {"source_rows", 100000}, {"target_rows", 99999}});

  // For people: a table and the keys; for spreadsheets: CSV.
  auto args = with({});
  args.insert(args.begin(), "reconcile");
  auto text = run_cdcctl(args);
  CHECK(text.exit_code == 1);
  CHECK(text.out.find("FAIL: 1 of 1 table differs") == 0);
  CHECK(text.out.find("missing  id=500") != std::string::npos);
  CHECK(text.out.find("changed  id=777  (email)") != std::string::npos);
  args.insert(args.end(), {"-o", "csv"});
  text = run_cdcctl(args);
  CHECK(text.out.find("SOURCE TABLE,TARGET TABLE,SOURCE ROWS,TARGET ROWS,MISSING,EXTRA,CHANGED") == 0);
  CHECK(text.out.find("\r\npublic.customers,public.customers,100000,99999,1,0,3,") != std::string::npos);
}

TEST_CASE("reconcile: composite text+uuid keys, a table without a key, --max-diffs and --ignore-recent") {
  PgCluster pg;
  const auto source_db = pg.create_database("source");
  const auto target_db = pg.create_database("target");
  const std::string schema =
      "CREATE TABLE events (tenant text, id uuid, payload text, PRIMARY KEY (tenant, id));"
      "INSERT INTO events SELECT 'tenant-' || (g % 7), md5(g::text)::uuid, 'payload ' || g FROM generate_series(1, 20000) g;"
      "CREATE TABLE nokey (a int, b text); INSERT INTO nokey SELECT g, 'b' || g FROM generate_series(1, 100) g;"
      "CREATE TABLE orders (id int PRIMARY KEY, status text, updated_at timestamptz);"
      "INSERT INTO orders SELECT g, 'new', timestamptz '2024-01-01 00:00:00+00' FROM generate_series(1, 1000) g;";
  pg.psql(schema, source_db);
  pg.psql(schema, target_db);
  const auto key_of = [&](int g) { return pg.psql("SELECT 'tenant-' || (" + std::to_string(g) + " % 7) || ' ' || md5('" + std::to_string(g) + "')::uuid", source_db); };
  pg.psql("UPDATE events SET payload = 'lost update' WHERE id IN (md5('17')::uuid, md5('18000')::uuid);"
          "DELETE FROM events WHERE id = md5('4242')::uuid", target_db);

  const std::vector<std::string> sides = {"--source", "pg:" + pg.conninfo(source_db), "--target", "pg:" + pg.conninfo(target_db)};
  const auto with = [&](std::vector<std::string> extra) {
    auto args = sides;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  // Small segments so the bisection cuts a composite key several levels deep.
  auto run = reconcile(with({"--table", "public.events", "--bisection-factor", "4", "--bisection-threshold", "100"}));
  CHECK(run.exit_code == 1);
  CHECK(run.report["tables"][0]["key"] == json{"tenant", "id"});
  INFO(run.report["tables"][0]["discrepancies"].dump());
  const auto split = [](const std::string& text) { return std::pair{text.substr(0, text.find(' ')), text.substr(text.find(' ') + 1)}; };
  const auto [t17, u17] = split(key_of(17));
  const auto [t18, u18] = split(key_of(18000));
  const auto [t42, u42] = split(key_of(4242));
  CHECK(row_mismatches(run.report) == std::set<std::string>{"changed tenant=" + t17 + " id=" + u17 + " [payload]",
                                                            "changed tenant=" + t18 + " id=" + u18 + " [payload]",
                                                            "missing tenant=" + t42 + " id=" + u42});
  CHECK(run.report["tables"][0]["rows_downloaded"].get<int>() < 2000);

  // No primary key: a clear error, then --key.
  run = reconcile(with({"--table", "nokey"}));
  CHECK(run.exit_code == 1);
  CHECK(run.report["tables"][0]["status"] == "ERROR");
  CHECK(run.report["tables"][0]["error"].get<std::string>().find("has no primary key") != std::string::npos);
  CHECK(run.report["tables"][0]["error"].get<std::string>().find("--key") != std::string::npos);
  run = reconcile(with({"--table", "nokey", "--key", "a"}));
  CHECK(run.exit_code == 0);
  CHECK(run.report["status"] == "PASS");

  // --max-diffs: a badly broken table stops early with a partial report.
  pg.psql("UPDATE events SET payload = 'broken' WHERE tenant = 'tenant-3'", target_db);
  run = reconcile(with({"--table", "events", "--max-diffs", "10", "--bisection-threshold", "100"}));
  CHECK(run.exit_code == 1);
  CHECK(run.report["complete"] == false);
  CHECK(run.report["tables"][0]["stopped_by"] == "max-diffs");
  CHECK(row_mismatches(run.report).size() == 10);
  CHECK(run.report["tables"][0]["changed"].get<int>() < 2857);  // tenant-3 has 2857 rows: it stopped early

  // --ignore-recent: rows changed in the last minutes on either side are not reported.
  pg.psql("UPDATE orders SET status = 'paid', updated_at = now() WHERE id <= 5", source_db);     // not replicated yet
  pg.psql("UPDATE orders SET status = 'shipped', updated_at = now() WHERE id = 900", target_db);  // target ahead
  pg.psql("UPDATE orders SET status = 'lost' WHERE id = 10", target_db);                           // a real difference
  run = reconcile(with({"--table", "orders"}));
  CHECK(run.report["tables"][0]["changed"] == 7);
  run = reconcile(with({"--table", "orders", "--ignore-recent", "10m", "--updated-column", "updated_at"}));
  CHECK(run.exit_code == 1);
  CHECK(run.report["tables"][0]["recent_rows_skipped"] == 6);
  CHECK(row_mismatches(run.report) == std::set<std::string>{"changed id=10 [status]"});
  pg.psql("UPDATE orders SET status = 'new' WHERE id = 10", target_db);
  run = reconcile(with({"--table", "orders", "--ignore-recent", "10m", "--updated-column", "updated_at", "--mode", "checksum"}));
  CHECK(run.exit_code == 0);
  CHECK(run.report["status"] == "PASS");
  CHECK(run.report["tables"][0]["source_rows"] == 994);
}

TEST_CASE("reconcile across engines: SQLite through ODBC against PostgreSQL, and PostgreSQL through psqlODBC") {
  PgCluster pg;
  const auto target_db = pg.create_database("target");
  pg.psql(kCustomers, target_db);
  TempDir dir;
  const std::string sqlite_file = dir.path() + "/source.db";
  // The same logical rows as kCustomers, the way SQLite stores them.
  const auto sqlite = run_process(
      {"sqlite3", sqlite_file,
       "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, email TEXT, note TEXT, balance NUMERIC, score REAL,"
       " active BOOLEAN, created_at TIMESTAMP, payload BLOB, ref TEXT);"
       "WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < 100000)"
       " INSERT INTO customers SELECT x, 'name ' || x, 'u' || x || '@example.org', CASE WHEN x % 3 = 0 THEN NULL ELSE 'n' END,"
       " x * 1.5, x / 3.0, x % 2 = 0,"
       " strftime('%Y-%m-%dT%H:%M:%S', 1704067200 + x * 1123456 / 1000000, 'unixepoch') ||"
       "   printf('.%06d+00:00', x * 1123456 % 1000000),"
       " CAST(printf('%08x', x) AS BLOB), printf('00000000-0000-4000-8000-%012X', x) FROM g;"});
  REQUIRE_MESSAGE(sqlite.exit_code == 0, sqlite.err);
  // ISO 8601 text with an offset, computed by hand above: check one against PostgreSQL's.
  const auto sqlite_date = run_process({"sqlite3", sqlite_file, "SELECT created_at FROM customers WHERE id = 99999"});
  CHECK(sqlite_date.out == pg.psql("SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US') || '+00:00' FROM customers WHERE id = 99999", target_db) + "\n");

  const std::string source = "odbc:Driver=" + odbc_driver("libsqlite3odbc.so") + ";Database=" + sqlite_file;
  auto run = reconcile({"--source", source, "--target", pg.uri(target_db), "--table", "customers=public.customers"});
  CHECK(run.exit_code == 0);
  CHECK(run.report["status"] == "PASS");
  CHECK(run.report["source"].get<std::string>().find("SQLite") == 0);
  CHECK(run.report["tables"][0]["columns"].size() == 10);
  CHECK(run.report["tables"][0]["source_rows"] == 100000);

  run_process({"sqlite3", sqlite_file, "UPDATE customers SET score = 0.5 WHERE id = 4321; DELETE FROM customers WHERE id = 99;"});
  run = reconcile({"--source", source, "--target", pg.uri(target_db), "--table", "customers=public.customers"});
  CHECK(run.exit_code == 1);
  CHECK(row_mismatches(run.report) == std::set<std::string>{"changed id=4321 [score]", "extra id=99"});

  // SQLite lets a TEXT PRIMARY KEY hold NULL: such rows could match nothing, so the key is refused.
  run_process({"sqlite3", sqlite_file, "CREATE TABLE tags (name TEXT PRIMARY KEY, n INTEGER); INSERT INTO tags VALUES (NULL, 1), ('a', 2)"});
  pg.psql("CREATE TABLE tags (name text PRIMARY KEY, n int); INSERT INTO tags VALUES ('a', 2)", target_db);
  run = reconcile({"--source", source, "--target", pg.uri(target_db), "--table", "tags"});
  CHECK(run.exit_code == 1);
  CHECK(run.report["tables"][0]["error"].get<std::string>().find("the key (name) is NULL in 1 source rows") == 0);

  // PostgreSQL through psqlODBC, with a password that never reaches argv or output.
  pg.create_login_role("reconciler", "s3cret-pw");
  pg.psql("GRANT SELECT ON customers TO reconciler", target_db);
  const auto source_db = pg.create_database("source");
  pg.psql(kCustomers, source_db);
  pg.psql("GRANT SELECT ON customers TO reconciler", source_db);
  pg.psql("UPDATE customers SET name = 'renamed' WHERE id = 31337", source_db);
  const std::string psqlodbc = "odbc:Driver=" + odbc_driver("psqlodbcw.so") + ";Server=127.0.0.1;Port=" +
                               std::to_string(pg.port()) + ";Database=" + source_db + ";UID=reconciler";
  RunOptions with_password;
  with_password.env["CDCCTL_RECONCILE_SOURCE_PASSWORD"] = "s3cret-pw";
  run = reconcile({"--source", psqlodbc, "--target", pg.uri(target_db), "--table", "customers", "-v"}, with_password);
  CHECK(run.exit_code == 1);
  CHECK(run.report["source"].get<std::string>().find("PostgreSQL") == 0);
  CHECK(row_mismatches(run.report) == std::set<std::string>{"changed id=31337 [name]"});
  CHECK(run.report.dump().find("s3cret") == std::string::npos);
  CHECK(run.err.find("s3cret") == std::string::npos);

  // A wrong password from a file: exit 1, the message names the failure and masks the secret.
  const std::string password_file = dir.path() + "/password";
  std::ofstream(password_file) << "wrong-pw\n";
  const auto failed = run_cdcctl({"reconcile", "--source", psqlodbc + ";PWD=inline-pw", "--source-password-file", password_file,
                                  "--target", pg.uri(target_db), "--table", "customers"});
  CHECK(failed.exit_code == 1);
  CHECK(failed.err.find("cannot connect through ODBC") != std::string::npos);
  CHECK(failed.err.find("wrong-pw") == std::string::npos);
  CHECK(failed.err.find("inline-pw") == std::string::npos);
}

TEST_CASE("reconcile: usage errors, unknown tables, --interval as a service") {
  PgCluster pg;
  const auto db = pg.create_database("app");
  pg.psql("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'a'), (2, 'b')", db);
  const std::string side = "pg:" + pg.conninfo(db);

  auto result = run_cdcctl({"reconcile", "--source", side, "--target", side});
  CHECK(result.exit_code == 1);
  CHECK(result.err.find("no tables to reconcile") != std::string::npos);
  result = run_cdcctl({"reconcile", "--source", "mysql://x", "--target", side, "--table", "t"});
  CHECK(result.exit_code == 1);
  CHECK(result.err.find("cannot tell what database") != std::string::npos);
  result = run_cdcctl({"reconcile", "--source", side, "--target", side, "--table", "t", "--mode", "fast"});
  CHECK(result.exit_code == 1);
  CHECK(result.err.find("unknown --mode 'fast'") != std::string::npos);
  result = run_cdcctl({"reconcile", "--source", side, "--target", side, "--table", "t", "--ignore-recent", "30s"});
  CHECK(result.err.find("--ignore-recent needs --updated-column") != std::string::npos);
  result = run_cdcctl({"reconcile", "--source", side, "--target", side, "--table", "t=nosuch"});
  CHECK(result.exit_code == 1);
  CHECK(result.out.find("nosuch does not exist") != std::string::npos);
  // The same database on both sides through a context name and an environment variable.
  RunOptions env;
  env.env["CDCCTL_RECONCILE_TARGET"] = side;
  const auto same = reconcile({"--source", side, "--table", "t"}, env);
  CHECK(same.exit_code == 0);
  CHECK(same.report["status"] == "PASS");

  // Tables from the connectors: the source's include list, the Debezium JDBC sink's naming.
  pg.psql("CREATE TABLE srv_public_t AS SELECT * FROM t; CREATE TABLE skipped (id int PRIMARY KEY)", db);
  TempDir configs;
  std::ofstream(configs.path() + "/source.json")
      << R"({"name": "src", "config": {"connector.class": "io.debezium.connector.postgresql.PostgresConnector",
            "topic.prefix": "srv", "table.include.list": "public\\.t"}})";
  std::ofstream(configs.path() + "/sink.json")
      << R"({"name": "sink", "config": {"connector.class": "io.debezium.connector.jdbc.JdbcSinkConnector"}})";
  const auto from_configs = reconcile({"--source", side, "--target", side, "--connector-config", configs.path() + "/source.json",
                                       "--sink-config", configs.path() + "/sink.json"});
  CHECK(from_configs.exit_code == 0);
  REQUIRE(from_configs.report["tables"].size() == 1);
  CHECK(from_configs.report["tables"][0]["source_table"] == "public.t");
  CHECK(from_configs.report["tables"][0]["target_table"] == "public.srv_public_t");

  // On a terminal (script(1) gives it one) a progress bar is drawn on stderr, then cleared.
  if (std::filesystem::exists("/usr/bin/script")) {
    RunOptions terminal;
    terminal.unset_env = {"CDCCTL_*", "NO_COLOR"};
    const std::string command = std::string(CDCCTL_BINARY) + " reconcile --source '" + side + "' --target '" + side + "' --table t";
    const auto drawn = run_process({"script", "-q", "-e", "-c", command, "/dev/null"}, terminal);
    CHECK(drawn.exit_code == 0);
    CHECK(drawn.out.find("public.t [") != std::string::npos);
    CHECK(drawn.out.find("2/2 100%") != std::string::npos);
    CHECK(drawn.out.find("PASS: 1 table matches") != std::string::npos);
  }

  // --interval: one JSON line per run until SIGINT (exit 130).
  BackgroundProcess service({CDCCTL_BINARY, "reconcile", "--source", side, "--target", side, "--table", "t", "--interval", "1s",
                             "-o", "json"});
  const auto first = json::parse(service.first_line());
  CHECK(first["status"] == "PASS");
  const auto second = service.next_line(std::chrono::seconds(10));
  REQUIRE(second);
  CHECK(json::parse(*second)["status"] == "PASS");
  ::kill(service.pid(), SIGINT);
  const auto status = service.wait_exit(std::chrono::seconds(10));
  REQUIRE(status);
  CHECK(*status == 130);
}
