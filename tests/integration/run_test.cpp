// `cdcctl run` end to end: a real PostgreSQL 15, the embedded Kafka broker in
// its own process (so it outlives the worker), and the cdcctl binary run as a
// user runs it. What a consumer sees in the topics, what the offsets topic
// holds, what the slot confirmed, and what the worker says.
#include <doctest/doctest.h>

#include <signal.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/files.hpp"
#include "kafka/topic_io.hpp"
#include "pg/connection.hpp"
#include "pg/lsn.hpp"
#include "support/run_chaos.hpp"
#include "support/run_setup.hpp"

using namespace cdcctl;
using namespace cdcctl::testsupport;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

// The connector of these tests: "inventory", events without the schema wrapper.
void write_inventory(RunSetup& setup, const nlohmann::ordered_json& extra = nlohmann::ordered_json::object()) {
  nlohmann::ordered_json config = {{"key.converter.schemas.enable", "false"}, {"value.converter.schemas.enable", "false"}};
  config.update(extra);
  setup.write_connector("inventory", config);
}

std::vector<json> values_of(const std::vector<kafka::Record>& records) {
  std::vector<json> out;
  for (const auto& record : records) out.push_back(record.value ? json::parse(*record.value) : json(nullptr));
  return out;
}

}  // namespace

TEST_CASE("cdcctl run: snapshot then stream into Kafka, offsets as Debezium writes them, graceful stop, restart resumes") {
  RunSetup setup("run", {"srv.public.items:3", "connect-offsets:25"},
                 "CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, price numeric(10,2), tags text[]);"
                 "CREATE TABLE audit (at timestamptz, line text);"
                 "INSERT INTO items VALUES (1, 'one', 1.50, '{a,b}'), (2, 'two', NULL, NULL), (3, 'three', 3.00, '{}');"
                 "INSERT INTO audit VALUES (now(), 'not captured')");
  write_inventory(setup, {{"table.include.list", "public\\.items"},
                          {"heartbeat.interval.ms", "500"},
                          {"message.prefix.exclude.list", "secret.*"}});
  std::ofstream(setup.worker_path, std::ios::app) << "producer.queue.buffering.max.messages=50000\n";

  auto worker = setup.start({"--metrics-interval", "1s"});
  REQUIRE_MESSAGE(wait_until([&] { return setup.status().value("state", "") == "RUNNING"; }, 60s), setup.log());

  // The snapshot: three reads, marked first … last, no record of the audit table.
  auto records = setup.read("srv.public.items");
  REQUIRE(records.size() == 3);
  std::map<int, json> reads;
  for (const auto& value : values_of(records)) reads[value["after"]["id"].get<int>()] = value;
  CHECK(reads[1]["op"] == "r");
  CHECK(reads[1]["after"] == json{{"id", 1}, {"name", "one"}, {"price", "AJY="}, {"tags", {"a", "b"}}});
  std::multiset<std::string> markers;
  for (const auto& [id, value] : reads) markers.insert(value["source"]["snapshot"].get<std::string>());
  CHECK(markers == std::multiset<std::string>{"first", "true", "last"});
  CHECK(setup.read("connect-offsets").size() >= 1);

  // Logical decoding messages (checked below), then streaming: a create, an
  // update, a delete with its tombstone, a primary-key change.
  setup.pg.psql("BEGIN; INSERT INTO audit VALUES (now(), 'paid');"
                "SELECT pg_logical_emit_message(true, 'outbox', 'order 7 paid'); COMMIT",
                setup.db);
  setup.pg.psql("SELECT pg_logical_emit_message(false, 'secret-audit', 'hidden')", setup.db);
  setup.pg.psql("SELECT pg_logical_emit_message(false, 'audit', convert_to('x', 'UTF8'))", setup.db);
  setup.pg.psql("INSERT INTO items VALUES (4, 'four', 4.00, '{x}')", setup.db);
  setup.pg.psql("UPDATE items SET name = 'ONE' WHERE id = 1", setup.db);
  setup.pg.psql("DELETE FROM items WHERE id = 2", setup.db);
  setup.pg.psql("BEGIN; UPDATE items SET id = 30 WHERE id = 3; INSERT INTO audit VALUES (now(), 'x'); COMMIT", setup.db);
  REQUIRE_MESSAGE(wait_until([&] { return setup.read("srv.public.items").size() >= 3 + 1 + 1 + 2 + 3; }, 30s), setup.log());
  records = setup.read("srv.public.items");
  CHECK(records.size() == 10);
  std::map<std::string, std::vector<std::string>> ops_by_key;  // in partition order = commit order per key
  for (const auto& record : records) {
    ops_by_key[record.key.value_or("null")].push_back(record.value ? json::parse(*record.value)["op"].get<std::string>() : "tombstone");
  }
  CHECK(ops_by_key[R"({"id":1})"] == std::vector<std::string>{"r", "u"});
  CHECK(ops_by_key[R"({"id":2})"] == std::vector<std::string>{"r", "d", "tombstone"});
  CHECK(ops_by_key[R"({"id":3})"] == std::vector<std::string>{"r", "d", "tombstone"});
  CHECK(ops_by_key[R"({"id":30})"] == std::vector<std::string>{"c"});
  CHECK(ops_by_key[R"({"id":4})"] == std::vector<std::string>{"c"});
  for (const auto& record : records) {
    if (record.key == R"({"id":30})") {
      const auto header = std::find_if(record.headers.begin(), record.headers.end(),
                                       [](const auto& h) { return h.first == "__debezium.oldkey"; });
      REQUIRE(header != record.headers.end());
      CHECK(header->second == R"({"id":3})");
    }
  }

  // Heartbeats go to Debezium's heartbeat topic with the server name key.
  REQUIRE(wait_until([&] { return !setup.read("__debezium-heartbeat.srv").empty(); }, 10s));
  const auto heartbeat = setup.read("__debezium-heartbeat.srv").front();
  CHECK(heartbeat.key == R"({"serverName":"srv"})");
  CHECK(json::parse(*heartbeat.value).contains("ts_ms"));

  // --status shows the running connector and Debezium's metric names.
  REQUIRE(wait_until([&] { return setup.status()["metrics"].value("TotalNumberOfEventsSeen", 0) >= 6; }, 10s));
  auto status = setup.cdcctl({"run", "--status", "--state-dir", setup.dir.path() + "/state", "-o", "json"});
  CHECK(status.exit_code == 0);
  const auto reported = json::parse(status.out);
  REQUIRE(reported.size() == 1);
  CHECK(reported[0]["state"] == "RUNNING");
  CHECK(reported[0]["metrics"]["Connected"] == true);
  CHECK(reported[0]["metrics"]["TotalNumberOfEventsSeen"] == 6);  // two messages, c, u, d, and the key change
  CHECK(reported[0]["metrics"]["NumberOfCommittedTransactions"] == 5);
  CHECK(reported[0]["metrics"]["SnapshotCompleted"] == true);
  CHECK(reported[0]["metrics"]["RowsScanned"] == 3);
  // The producer queue's size as the worker config set it, and what is free of it.
  CHECK(reported[0]["metrics"]["QueueTotalCapacity"] == 50000);
  CHECK(reported[0]["metrics"]["QueueRemainingCapacity"].get<int>() > 0);
  CHECK(reported[0]["metrics"]["QueueRemainingCapacity"].get<int>() <= 50000);
  status = setup.cdcctl({"run", "--status", "--state-dir", setup.dir.path() + "/state"});
  CHECK(status.out.find("inventory") != std::string::npos);
  CHECK(status.out.find("RUNNING") != std::string::npos);

  // The logical decoding messages: to srv.message keyed by prefix, a
  // transactional one with its transaction's id, one outside any transaction
  // without; an excluded prefix is not sent.
  REQUIRE_MESSAGE(wait_until([&] { return setup.read("srv.message").size() >= 2; }, 30s), setup.log());
  std::this_thread::sleep_for(500ms);
  auto messages = setup.read("srv.message");
  REQUIRE(messages.size() == 2);
  std::map<std::string, json> by_prefix;
  for (const auto& record : messages) by_prefix[json::parse(*record.key)["prefix"].get<std::string>()] = json::parse(*record.value);
  REQUIRE(by_prefix.size() == 2);
  CHECK(by_prefix["outbox"]["op"] == "m");
  CHECK(by_prefix["outbox"]["message"] == json{{"prefix", "outbox"}, {"content", "b3JkZXIgNyBwYWlk"}});  // base64 of the text
  CHECK(by_prefix["outbox"]["source"]["txId"].is_number());
  CHECK(by_prefix["outbox"]["source"]["table"] == "");
  CHECK(by_prefix["audit"]["message"]["content"] == "eA==");
  CHECK(by_prefix["audit"]["source"]["txId"].is_null());
  CHECK(by_prefix["audit"]["source"]["lsn"].get<std::uint64_t>() > by_prefix["outbox"]["source"]["lsn"].get<std::uint64_t>());

  // SIGTERM: the open transaction is finished and confirmed, exit 0.
  CHECK(worker->stop() == 0);
  const auto log = setup.log();
  CHECK(log.find("created replication slot debezium") != std::string::npos);
  CHECK(log.find("snapshot completed: 3 row(s)") != std::string::npos);
  CHECK(log.find("inventory: metrics {") != std::string::npos);
  CHECK(log.find("stopped after") != std::string::npos);

  // The offsets topic: Debezium's key and value; the slot confirmed what the last offset says.
  const auto offsets = setup.read("connect-offsets");
  REQUIRE(!offsets.empty());
  CHECK(offsets.back().key == R"(["inventory",{"server":"srv"}])");
  const auto last = json::parse(*offsets.back().value);
  CHECK(last["messageType"] == "COMMIT");
  CHECK(last.contains("lsn_proc"));
  CHECK(last.contains("txId"));
  CHECK(last.contains("ts_usec"));
  CHECK(setup.confirmed_flush_lsn() == pg::format_lsn(last["lsn_commit"].get<std::uint64_t>()));
  // The first snapshot offsets carry Debezium's snapshot flags.
  const auto first = json::parse(*offsets.front().value);
  CHECK(first["snapshot"] == "INITIAL");
  const auto completed = std::find_if(offsets.begin(), offsets.end(), [](const auto& record) {
    return json::parse(*record.value).value("snapshot_completed", false);
  });
  REQUIRE(completed != offsets.end());
  CHECK(json::parse(*completed->value)["last_snapshot_record"] == true);
  CHECK(status.exit_code == 0);
  CHECK(setup.cdcctl({"run", "--status", "--state-dir", setup.dir.path() + "/state"}).exit_code == 1);  // STOPPED

  // Changes while stopped come after a restart, once; nothing is snapshotted or sent again.
  setup.pg.psql("INSERT INTO items VALUES (5, 'five', 5.00, NULL)", setup.db);
  worker = setup.start({"--log-format", "json"});
  REQUIRE_MESSAGE(wait_until([&] { return setup.read("srv.public.items").size() >= 11; }, 60s), setup.log());
  std::this_thread::sleep_for(1s);
  records = setup.read("srv.public.items");
  CHECK(records.size() == 11);
  CHECK(json::parse(*records.back().value)["after"]["id"] == 5);
  CHECK(setup.read("srv.message").size() == 2);  // not sent again
  CHECK(worker->stop() == 0);
  // JSON logs: one object per line, with the resumed offset.
  bool resumed = false;
  std::istringstream lines(setup.log());
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] != '{') continue;
    const auto entry = json::parse(line);
    CHECK(entry.contains("ts"));
    CHECK(entry.contains("level"));
    if (entry["message"].get<std::string>().find("resuming from the stored offset") != std::string::npos) resumed = true;
  }
  CHECK(resumed);

  // The slot dropped behind the worker's back: starting again would skip the
  // changes since the offset, so it refuses (snapshot.mode=initial) and says why.
  setup.pg.psql("SELECT pg_drop_replication_slot('debezium')", setup.db);
  worker = setup.start();
  const auto exited = worker->wait_exit(60s);
  REQUIRE(exited.has_value());
  CHECK(*exited == 1);
  CHECK(setup.log().find("replication slot debezium does not exist, but connect-offsets holds an offset") != std::string::npos);
  CHECK(setup.status()["state"] == "FAILED");
}

TEST_CASE("cdcctl run: bad configs are refused before anything starts; --dry-run says what would run") {
  TempDir dir("cdcctl-run-config");
  const auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir.path() + "/" + name) << text;
    return dir.path() + "/" + name;
  };
  const auto connector = [&](const json& extra) {
    json config = {{"connector.class", "postgres"}, {"database.hostname", "db.internal"}, {"database.user", "cdc"},
                   {"database.password", "s3cret-pw"}, {"database.dbname", "shop"}, {"topic.prefix", "shop"}};
    config.update(extra);
    return json{{"name", "shop"}, {"config", config}}.dump();
  };
  const auto worker = write("worker.properties", "bootstrap.servers=kafka:9092\nlinger.ms=5\n");

  auto result = run_cdcctl({"run", worker, write("a.json", connector({{"plugin.name", "decoderbufs"}}))});
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("plugin.name decoderbufs is not supported") != std::string::npos);
  result = run_cdcctl({"run", worker, write("b.json", connector({{"snapshot.mode", "never"}}))});
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("no_data") != std::string::npos);
  result = run_cdcctl({"run", worker, write("c.json", connector({{"table.include.list", "public.a"}, {"table.exclude.list", "public.b"}}))});
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("cannot both be set") != std::string::npos);
  result = run_cdcctl({"run", write("d.json", connector(json::object()))});
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("--embedded-kafka") != std::string::npos);
  result = run_cdcctl({"run"});
  CHECK(result.exit_code == 2);

  result = run_cdcctl({"run", "--dry-run", worker, write("e.json", connector({{"snapshot.mode", "no_data"}, {"surprise.key", "1"}}))});
  CHECK(result.exit_code == 0);
  CHECK(result.out.find("shop: would capture cdc@db.internal:5432/shop through slot debezium") != std::string::npos);
  CHECK(result.out.find("snapshot.mode=no_data") != std::string::npos);
  CHECK(result.out.find("offsets: connect-offsets on kafka:9092") != std::string::npos);
  CHECK(result.err.find("ignoring unknown key surprise.key") != std::string::npos);
  CHECK(result.err.find("linger.ms") != std::string::npos);  // not a Connect worker key
  CHECK(result.out.find("s3cret-pw") == std::string::npos);
  CHECK(result.err.find("s3cret-pw") == std::string::npos);
}

TEST_CASE("cdcctl run: exactly once across SIGKILLs — nothing lost, nothing committed sent twice, per-key order kept") {
  RunSetup setup("eo", {"srv.public.t:32", "connect-offsets:25", "__debezium-heartbeat.srv:1"},
                 "CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL, pad text)");
  // librdkafka's mock broker does not hide an aborted transaction's records
  // from read_committed consumers: the check allows what was in flight.
  check_exactly_once_across_sigkills(setup, /*broker_hides_aborted=*/false);
}

namespace {

std::uint64_t lsn_after(const std::string& log, const std::string& marker) {
  const auto at = log.find(marker);
  REQUIRE(at != std::string::npos);
  const auto start = at + marker.size();
  return pg::parse_lsn(log.substr(start, log.find_first_of(" \n", start) - start));
}

}  // namespace

TEST_CASE("cdcctl run: an initial snapshot of 100,000 rows while they are written loses and repeats nothing") {
  RunSetup setup("snap", {"srv.public.t:16", "connect-offsets:25"},
                 "CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL, pad text);"
                 "INSERT INTO t SELECT g, 0, repeat('p', 50) FROM generate_series(1, 100000) g");
  write_inventory(setup);
  std::atomic<bool> writing{true};
  std::atomic<int> statements{0};
  std::jthread writer([&](std::stop_token stopped) {
    auto conn = pg::Connection::open(setup.pg.conninfo(setup.db), 10s);
    std::mt19937 random(99);
    int next_id = 100001;
    while (writing && !stopped.stop_requested()) {
      const auto roll = random() % 3;
      if (roll == 0) conn.exec_simple("INSERT INTO t VALUES (" + std::to_string(next_id++) + ", 0, 'new')");
      else if (roll == 1) conn.exec_simple("UPDATE t SET v = v + 1 WHERE id = " + std::to_string(1 + random() % 100000));
      else conn.exec_simple("DELETE FROM t WHERE id = " + std::to_string(1 + random() % 100000));
      ++statements;
    }
  });
  auto worker = setup.start();
  const bool snapshot_done = wait_until([&] { return setup.log().find("snapshot completed") != std::string::npos; }, 120s);
  std::this_thread::sleep_for(500ms);  // and some streaming after it
  writing = false;
  writer.join();
  REQUIRE_MESSAGE(snapshot_done, setup.log());
  // Wait until every committed change is in Kafka: the replay must equal the table.
  const auto table = table_state(setup);
  std::map<std::string, std::optional<int>> state;
  std::vector<SeenChange> changes;
  wait_until([&] {
    changes = changes_in(setup, "srv.public.t");
    state.clear();
    for (const auto& change : changes) state[change.key] = change.op == 'd' ? std::nullopt : change.v;
    std::erase_if(state, [](const auto& entry) { return !entry.second.has_value(); });
    return state == table;
  }, 60s);
  CHECK(worker->stop() == 0);
  CHECK(state == table);
  const auto consistent_point = lsn_after(setup.log(), "created replication slot debezium at ");
  std::size_t reads = 0, streamed = 0;
  std::set<std::pair<std::uint64_t, char>> distinct;
  for (const auto& change : changes) {
    if (change.op == 'r') {
      ++reads;
      CHECK(change.lsn == consistent_point);
    } else {
      ++streamed;
      CHECK(change.lsn >= consistent_point);  // nothing the snapshot already holds
      CHECK(distinct.insert({change.lsn, change.op}).second);  // and nothing twice
    }
  }
  // Every row the snapshot saw is read once; rows deleted before it are not.
  std::set<std::string> read_keys;
  for (const auto& change : changes) {
    if (change.op == 'r') CHECK(read_keys.insert(change.key).second);
  }
  MESSAGE("statements during the run: " << statements.load() << "; snapshot reads: " << reads << ", streamed changes: " << streamed);
  CHECK(reads > 90000);
  CHECK(streamed > 0);
}

TEST_CASE("cdcctl run: PostgreSQL restarted mid-stream — the worker reconnects and loses nothing") {
  RunSetup setup("pgrestart", {"srv.public.t:8", "connect-offsets:25"}, "CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL, pad text)");
  write_inventory(setup);
  auto worker = setup.start();
  REQUIRE_MESSAGE(wait_until([&] { return setup.status().value("state", "") == "RUNNING"; }, 60s), setup.log());
  std::atomic<bool> restarted{false};
  std::atomic<int> inserted{0};
  std::jthread writer([&](std::stop_token stopped) {
    std::optional<pg::Connection> conn;
    for (int id = 1; id <= 3000 && !stopped.stop_requested();) {
      try {
        if (!conn) conn.emplace(pg::Connection::open(setup.pg.conninfo(setup.db), 10s));
        conn->exec_simple("INSERT INTO t VALUES (" + std::to_string(id) + ", " + std::to_string(id) + ", 'x')");
        ++id;
        ++inserted;
      } catch (const std::exception&) {
        conn.reset();  // the server is restarting: try again
        std::this_thread::sleep_for(100ms);
        // The insert may have committed before the connection broke.
        try {
          auto check = pg::Connection::open(setup.pg.conninfo(setup.db), 10s);
          if (check.exec("SELECT 1 FROM t WHERE id = " + std::to_string(id)).rows() == 1) {
            ++id;
            ++inserted;
          }
        } catch (const std::exception&) {
        }
      }
      if (id == 1500 && !restarted) std::this_thread::sleep_for(1ms);
    }
  });
  REQUIRE(wait_until([&] { return inserted >= 1000; }, 60s));
  // WAL after the last captured commit (a checkpoint record), which the
  // worker must confirm for the walsender to finish at the fast shutdown.
  setup.pg.psql("CHECKPOINT", setup.db);
  setup.pg.restart();
  restarted = true;
  writer.join();
  REQUIRE_MESSAGE(wait_until([&] { return setup.log().find("reconnected to PostgreSQL") != std::string::npos; }, 60s), setup.log());
  REQUIRE_MESSAGE(wait_until([&] {
    std::set<std::string> keys;
    for (const auto& change : changes_in(setup, "srv.public.t")) keys.insert(change.key);
    return keys.size() == 3000;
  }, 60s), setup.log());
  CHECK(worker->stop() == 0);
  const auto log = setup.log();
  CHECK(log.find("lost PostgreSQL") != std::string::npos);
  // Repeats (records of the Kafka transaction aborted at the loss, which a
  // real broker hides) only from the position the worker resumed after.
  const auto resumed = lsn_after(log, "reconnected to PostgreSQL; resuming after ");
  std::map<std::pair<std::uint64_t, char>, int> copies;
  for (const auto& change : changes_in(setup, "srv.public.t")) ++copies[{change.lsn, change.op}];
  for (const auto& [change, count] : copies) {
    if (count > 1) CHECK(change.first >= resumed);
  }
  CHECK(copies.size() == 3000);
}
