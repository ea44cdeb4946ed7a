// Each real service the tests rely on is started and stopped here, and cdcctl
// is shown reaching it (and failing clearly when it cannot): a throwaway
// PostgreSQL 15, the embedded Kafka launcher (with kcat as an independent
// client), and the Kafka Connect double, in-process and as its launcher.
#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/connect_double.hpp"
#include "support/embedded_kafka.hpp"
#include "support/pg_cluster.hpp"
#include "support/process.hpp"

using namespace cdcctl::testsupport;

namespace {

nlohmann::json ping_json(const std::vector<std::string>& args, RunOptions options = {}) {
  std::vector<std::string> argv{"ping", "-o", "json"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto result = run_cdcctl(argv, std::move(options));
  INFO(result.err);
  auto data = nlohmann::json::parse(result.out);
  data["exit_code"] = result.exit_code;
  data["stderr"] = result.err;
  return data;
}

nlohmann::json service(const nlohmann::json& data, const std::string& name) {
  for (const auto& entry : data["services"]) {
    if (entry["service"] == name) return entry;
  }
  return nullptr;
}

bool have_kcat() { return std::filesystem::exists("/usr/bin/kcat"); }

}  // namespace

TEST_CASE("a throwaway PostgreSQL 15 with logical decoding") {
  PgCluster pg;
  CHECK(pg.psql("SHOW wal_level") == "logical");
  CHECK(std::stoi(pg.psql("SHOW max_replication_slots")) >= 10);
  CHECK(std::stoi(pg.psql("SHOW max_wal_senders")) >= 10);
  CHECK(pg.psql("SELECT current_setting('server_version_num')::int / 10000") == "15");
  // The server is not running as root, and the socket lives in the private directory.
  CHECK(pg.psql("SELECT setting FROM pg_settings WHERE name = 'unix_socket_directories'") == pg.socket_dir());
  // A logical slot can be created: what capture and slot hygiene build on.
  CHECK(pg.psql("SELECT slot_name FROM pg_create_logical_replication_slot('harness_slot', 'pgoutput')") ==
        "harness_slot");
  pg.psql("SELECT pg_drop_replication_slot('harness_slot')");
  const auto db1 = pg.create_database("isolated");
  const auto db2 = pg.create_database("isolated");
  CHECK(db1 != db2);
  pg.psql("CREATE TABLE t (id int)", db1);
  CHECK(pg.psql("SELECT count(*) FROM pg_tables WHERE tablename = 't'", db2) == "0");

  SUBCASE("cdcctl ping reaches it over the socket, a URI, and PG* variables") {
    auto data = ping_json({"postgres", "--pg", pg.conninfo()});
    CHECK(data["exit_code"] == 0);
    auto check = service(data, "postgres");
    CHECK(check["ok"] == true);
    CHECK(check["version"].get<std::string>().starts_with("15."));
    CHECK(check["detail"].get<std::string>().find("wal_level=logical") != std::string::npos);

    CHECK(service(ping_json({"postgres", "--pg", pg.uri()}), "postgres")["ok"] == true);

    RunOptions env;
    env.env = {{"PGHOST", "127.0.0.1"}, {"PGPORT", std::to_string(pg.port())}, {"PGUSER", "postgres"}};
    auto via_env = ping_json({}, env);  // PGHOST alone makes PostgreSQL a configured service
    CHECK(via_env["exit_code"] == 0);
    CHECK(service(via_env, "postgres")["ok"] == true);
  }

  SUBCASE("a wrong password is exit 3, and the password never shows") {
    pg.create_login_role("app_user", "right-password");
    const std::string conninfo =
        "host=127.0.0.1 port=" + std::to_string(pg.port()) + " user=app_user dbname=postgres password=wrong-password";
    auto table = run_cdcctl({"ping", "postgres", "--pg", conninfo});
    CHECK(table.exit_code == 3);
    CHECK(table.out.find("unreachable") != std::string::npos);
    CHECK(table.out.find("wrong-password") == std::string::npos);
    CHECK(table.err.find("wrong-password") == std::string::npos);
    CHECK(table.out.find("password authentication failed") != std::string::npos);

    RunOptions with_env;
    with_env.env = {{"PGPASSWORD", "right-password"}};
    auto ok = ping_json({"postgres", "--pg",
                         "host=127.0.0.1 port=" + std::to_string(pg.port()) + " user=app_user dbname=postgres"},
                        with_env);
    CHECK(ok["exit_code"] == 0);

    // ~/.pgpass (here through PGPASSFILE), as psql reads it.
    TempDir dir;
    const auto pgpass = dir.path() + "/pgpass";
    std::ofstream(pgpass) << "127.0.0.1:" << pg.port() << ":*:app_user:right-password\n";
    std::filesystem::permissions(pgpass, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    RunOptions with_pgpass;
    with_pgpass.env = {{"PGPASSFILE", pgpass}};
    auto via_pgpass = ping_json({"postgres", "--pg",
                                 "host=127.0.0.1 port=" + std::to_string(pg.port()) + " user=app_user dbname=postgres"},
                                with_pgpass);
    CHECK(via_pgpass["exit_code"] == 0);
  }
}

TEST_CASE("cdcctl ping says UNREACHABLE (exit 3) for a PostgreSQL that is not there") {
  auto data = ping_json({"postgres", "--pg", "host=127.0.0.1 port=" + std::to_string(free_tcp_port()),
                         "--timeout", "3s"});
  CHECK(data["exit_code"] == 3);
  CHECK(service(data, "postgres")["ok"] == false);
  CHECK(service(data, "postgres")["error"].get<std::string>().find("Connection refused") != std::string::npos);
}

TEST_CASE("the embedded Kafka launcher serves real clients over TCP") {
  EmbeddedKafka kafka({"orders:3", "inventory"});
  const auto bootstrap = kafka.bootstrap_servers();
  CHECK(bootstrap.starts_with("127.0.0.1:"));

  auto data = ping_json({"kafka", "--bootstrap-servers", bootstrap});
  CHECK(data["exit_code"] == 0);
  auto check = service(data, "kafka");
  CHECK(check["ok"] == true);
  CHECK(check["detail"].get<std::string>().find("1 broker, 2 topics") != std::string::npos);

  if (have_kcat()) {
    // An independent client: kcat produces, lists metadata and consumes.
    RunOptions produce;
    produce.stdin_data = "k1:hello\nk2:world\n";
    auto produced = run_process({"kcat", "-b", bootstrap, "-t", "orders", "-p", "1", "-K", ":", "-P"}, produce);
    CHECK(produced.exit_code == 0);
    auto listed = run_process({"kcat", "-b", bootstrap, "-L", "-t", "orders"});
    CHECK(listed.out.find("topic \"orders\" with 3 partitions") != std::string::npos);
    auto consumed = run_process({"kcat", "-b", bootstrap, "-t", "orders", "-p", "1", "-C", "-e", "-f", "%k=%s\n"});
    CHECK(consumed.exit_code == 0);
    CHECK(consumed.out == "k1=hello\nk2=world\n");
  } else {
    MESSAGE("kcat is not installed: skipping the peer-client part (scripts/install-deps.sh installs it)");
  }

  SUBCASE("librdkafka properties from -X and -F reach the client") {
    cdcctl::testsupport::TempDir dir;
    const auto props = dir.path() + "/client.properties";
    std::ofstream(props) << "client.id=from-file\nsocket.timeout.ms=5000\n";
    auto with_file = ping_json({"kafka", "--bootstrap-servers", bootstrap, "-F", props});
    CHECK(with_file["exit_code"] == 0);
    auto bad = run_cdcctl({"ping", "kafka", "--bootstrap-servers", bootstrap, "-X", "sasl.password=hidden",
                           "-X", "acks=sometimes"});
    CHECK(bad.exit_code == 2);
    CHECK(bad.err.find("invalid Kafka property acks=sometimes") != std::string::npos);
  }

  CHECK(kafka.stop() == 0);  // SIGTERM: a clean exit
  auto gone = ping_json({"kafka", "--bootstrap-servers", bootstrap, "--timeout", "2s"});
  CHECK(gone["exit_code"] == 3);
  CHECK(service(gone, "kafka")["ok"] == false);
}

TEST_CASE("the Connect double answers cdcctl like a worker") {
  ConnectDoubleOptions options;
  options.version = "3.9.0";
  ConnectDouble connect(options);
  auto data = ping_json({"connect", "--connect-url", connect.url()});
  CHECK(data["exit_code"] == 0);
  auto check = service(data, "connect");
  CHECK(check["ok"] == true);
  CHECK(check["version"] == "3.9.0");
  CHECK(connect.request_log() == std::vector<std::string>{"GET /"});

  SUBCASE("the next worker is tried when one cannot be reached") {
    const auto dead = "http://127.0.0.1:" + std::to_string(free_tcp_port());
    auto failover = ping_json({"connect", "--connect-url", dead + "," + connect.url()});
    CHECK(failover["exit_code"] == 0);
    CHECK(service(failover, "connect")["endpoint"] == connect.url());
  }

  SUBCASE("a passing proxy error page is retried; a persistent one is reported, not dumped") {
    connect.html_error_next_requests(1, 502);
    CHECK(run_cdcctl({"ping", "connect", "--connect-url", connect.url()}).exit_code == 0);
    CHECK(connect.request_log().size() == 3);  // the first GET /, then the failed one and its retry

    connect.html_error_next_requests(1000, 502);
    auto result = run_cdcctl({"ping", "connect", "--connect-url", connect.url(), "--timeout", "1s"});
    CHECK(result.exit_code == 3);
    CHECK(result.out.find("HTTP 502 with an HTML page") != std::string::npos);
    CHECK(result.out.find("gave up after") != std::string::npos);
    CHECK(result.out.find("<html") == std::string::npos);
  }

  SUBCASE("a truncated JSON body is retried, and a clear error when it persists") {
    connect.truncate_next_responses(1);
    CHECK(ping_json({"connect", "--connect-url", connect.url()})["exit_code"] == 0);
    connect.truncate_next_responses(1000);
    auto result = ping_json({"connect", "--connect-url", connect.url(), "--timeout", "1s"});
    CHECK(result["exit_code"] == 1);  // it answered, wrongly: FAILED, not UNREACHABLE
    CHECK(service(result, "connect")["error"].get<std::string>().find("not valid JSON") != std::string::npos);
  }

  SUBCASE("--timeout bounds a slow worker") {
    connect.delay_responses(std::chrono::milliseconds(3000));
    auto result = ping_json({"connect", "--connect-url", connect.url(), "--timeout", "500ms"});
    CHECK(result["exit_code"] == 3);
    CHECK(service(result, "connect")["error"].get<std::string>().find("timed out") != std::string::npos);
    connect.delay_responses(std::chrono::milliseconds(0));
  }
}

TEST_CASE("Connect credentials come from a password file, the environment or a token file") {
  ConnectDoubleOptions basic;
  basic.basic_auth_user = "ops";
  basic.basic_auth_password = "s3cret";
  ConnectDouble connect(basic);
  auto refused = run_cdcctl({"ping", "connect", "--connect-url", connect.url()});
  CHECK(refused.exit_code == 3);
  CHECK(refused.out.find("HTTP 401") != std::string::npos);

  TempDir dir;
  const auto password_file = dir.path() + "/password";
  std::ofstream(password_file) << "s3cret\n";
  auto with_file = run_cdcctl({"ping", "connect", "--connect-url", connect.url(), "--connect-user", "ops",
                               "--connect-password-file", password_file, "-v"});
  CHECK(with_file.exit_code == 0);
  CHECK(with_file.err.find("GET " + connect.url() + "/") != std::string::npos);  // -v shows requests
  CHECK(with_file.err.find("s3cret") == std::string::npos);

  RunOptions env;
  env.env = {{"CDCCTL_CONNECT_USER", "ops"}, {"CDCCTL_CONNECT_PASSWORD", "s3cret"}};
  CHECK(run_cdcctl({"ping", "connect", "--connect-url", connect.url()}, env).exit_code == 0);

  ConnectDoubleOptions with_token;
  with_token.bearer_token = "tok-123";
  ConnectDouble bearer(with_token);
  const auto token_file = dir.path() + "/token";
  std::ofstream(token_file) << "tok-123";
  CHECK(run_cdcctl({"ping", "connect", "--connect-url", bearer.url(), "--connect-token-file", token_file}).exit_code ==
        0);
  CHECK(run_cdcctl({"ping", "connect", "--connect-url", bearer.url()}).exit_code == 3);
}

TEST_CASE("one context, three services: the whole set-up a user starts with") {
  PgCluster pg;
  EmbeddedKafka kafka;
  ConnectDouble connect;
  TempDir home;
  RunOptions options;
  options.env = {{"HOME", home.path()}};
  auto set = run_cdcctl({"context", "set", "local", "--connect-url", connect.url(), "--bootstrap-servers",
                         kafka.bootstrap_servers(), "--pg", pg.conninfo()},
                        options);
  REQUIRE(set.exit_code == 0);
  auto table = run_cdcctl({"ping"}, options);
  CHECK(table.exit_code == 0);
  for (const char* name : {"connect", "kafka", "postgres"}) {
    CAPTURE(name);
    CHECK(table.out.find(name) != std::string::npos);
  }
  CHECK(table.out.find("unreachable") == std::string::npos);
  auto names = run_cdcctl({"ping", "-o", "name"}, options);
  CHECK(names.out == "connect\nkafka\npostgres\n");

  // One service down: exit 3, the others still reported.
  kafka.stop();
  auto degraded = run_cdcctl({"ping", "--timeout", "2s", "-o", "json"}, options);
  CHECK(degraded.exit_code == 3);
  auto data = nlohmann::json::parse(degraded.out);
  CHECK(data["context"] == "local");
  CHECK(service(data, "kafka")["ok"] == false);
  CHECK(service(data, "connect")["ok"] == true);
  CHECK(service(data, "postgres")["ok"] == true);
}

TEST_CASE("the connect-double launcher prints its URL and serves until stopped") {
  BackgroundProcess launcher({CDCCTL_CONNECT_DOUBLE_BINARY, "--version", "4.0.0"});
  const auto url = launcher.first_line();
  CHECK(url.starts_with("http://127.0.0.1:"));
  auto data = ping_json({"connect", "--connect-url", url});
  CHECK(service(data, "connect")["version"] == "4.0.0");
  CHECK(launcher.stop() == 0);
  CHECK(run_cdcctl({"ping", "connect", "--connect-url", url, "--timeout", "2s"}).exit_code == 3);
}
