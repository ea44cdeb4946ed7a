#include "support/run_chaos.hpp"

#include <doctest/doctest.h>
#include <signal.h>

#include <atomic>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "kafka/topic_io.hpp"
#include "pg/connection.hpp"
#include "pg/lsn.hpp"

namespace cdcctl::testsupport {

using json = nlohmann::json;
using namespace std::chrono_literals;


// The offset each restarted worker resumed from, in order, from its log.
std::vector<std::uint64_t> resume_points(const std::string& log) {
  std::vector<std::uint64_t> points;
  std::istringstream lines(log);
  const std::string marker = "resuming from the stored offset ";
  for (std::string line; std::getline(lines, line);) {
    const auto at = line.find(marker);
    if (at == std::string::npos) continue;
    const auto offset = json::parse(line.substr(at + marker.size()));
    points.push_back(offset.contains("lsn_commit") ? offset["lsn_commit"].get<std::uint64_t>() : offset["lsn"].get<std::uint64_t>());
  }
  return points;
}

// Each transaction's commit end position by txId, read (without consuming)
// from a test_decoding slot created before the workload.
std::map<std::int64_t, std::uint64_t> commit_positions(RunSetup& setup, const std::string& slot) {
  auto conn = pg::Connection::open(setup.pg.conninfo(setup.db), 10s);
  const auto rows = conn.exec(
      "SELECT lsn::text, substr(data, 8) FROM pg_logical_slot_peek_changes($1, NULL, NULL, 'include-xids', '1') "
      "WHERE data LIKE 'COMMIT %'",
      {slot});
  std::map<std::int64_t, std::uint64_t> out;
  for (int row = 0; row < rows.rows(); ++row) out[std::stoll(rows.text(row, 1))] = pg::parse_lsn(rows.text(row, 0));
  conn.exec("SELECT pg_drop_replication_slot($1)", {slot});
  return out;
}

// The data topic's change events, in partition order (per key: the order a consumer sees).
std::vector<SeenChange> changes_in(const RunSetup& setup, const std::string& topic) {
  std::vector<SeenChange> out;
  for (const auto& record : setup.read(topic)) {
    if (!record.value) continue;
    const auto value = json::parse(*record.value);
    SeenChange change;
    change.partition = record.partition;
    change.offset = record.offset;
    change.key = record.key.value_or("");
    change.op = value["op"].get<std::string>()[0];
    change.lsn = value["source"]["lsn"].get<std::uint64_t>();
    change.tx_id = value["source"]["txId"].get<std::int64_t>();
    if (value["after"].is_object()) change.v = value["after"]["v"].get<int>();
    out.push_back(change);
  }
  return out;
}

std::map<std::string, std::optional<int>> table_state(const RunSetup& setup) {
  std::map<std::string, std::optional<int>> table;
  std::istringstream rows(setup.pg.psql("SELECT id, v FROM t ORDER BY id", setup.db));
  for (std::string line; std::getline(rows, line);) {
    const auto bar = line.find('|');
    table["{\"id\":" + line.substr(0, bar) + "}"] = std::stoi(line.substr(bar + 1));
  }
  return table;
}


void check_exactly_once_across_sigkills(RunSetup& setup, bool broker_hides_aborted) {
  setup.write_connector("inventory", {{"key.converter.schemas.enable", "false"},
                                      {"value.converter.schemas.enable", "false"},
                                      {"heartbeat.interval.ms", "1000"}});
  // A second slot, never advanced, lets the test read each transaction's
  // commit position afterwards (test_decoding puts it on the COMMIT row).
  setup.pg.psql("SELECT pg_create_logical_replication_slot('eo_commits', 'test_decoding')", setup.db);
  auto worker = setup.start();
  REQUIRE_MESSAGE(wait_until([&] { return setup.status().value("state", "") == "RUNNING"; }, 120s), setup.log());

  // A serial workload (commit order = LSN order): single-row inserts, updates
  // and deletes, one 100,000-row transaction, then 10-statement transactions.
  std::atomic<int> phase{0};
  std::uint64_t inserts = 0, updates = 0, deletes = 0;
  std::int64_t big_xid = 0;
  // A jthread: a failed REQUIRE below stops and joins it instead of aborting the test run.
  std::jthread workload([&](std::stop_token stopped) {
    auto conn = pg::Connection::open(setup.pg.conninfo(setup.db), 10s);
    std::mt19937 random(20261122);
    std::vector<int> live;
    int next_id = 1;
    const auto one_change = [&](std::string& sql) {
      const auto roll = random() % 100;
      if (live.size() < 100 || roll < 55) {
        sql += "INSERT INTO t VALUES (" + std::to_string(next_id) + ", 0, 'row');";
        live.push_back(next_id++);
        ++inserts;
      } else if (roll < 85) {
        sql += "UPDATE t SET v = v + 1 WHERE id = " + std::to_string(live[random() % live.size()]) + ";";
        ++updates;
      } else {
        const auto index = random() % live.size();
        sql += "DELETE FROM t WHERE id = " + std::to_string(live[index]) + ";";
        live[index] = live.back();
        live.pop_back();
        ++deletes;
      }
    };
    phase = 1;
    for (int i = 0; i < 50000 && !stopped.stop_requested(); ++i) {
      std::string sql;
      one_change(sql);
      conn.exec_simple(sql);
    }
    phase = 2;
    conn.exec_simple("BEGIN");
    big_xid = std::stoll(conn.exec("SELECT txid_current()::text").text(0, 0));
    conn.exec_simple("INSERT INTO t SELECT g, 1, 'bulk' FROM generate_series(" + std::to_string(next_id) + ", " +
                     std::to_string(next_id + 99999) + ") g");
    conn.exec_simple("COMMIT");
    next_id += 100000;
    inserts += 100000;
    phase = 3;
    for (int i = 0; i < 5000 && !stopped.stop_requested(); ++i) {
      std::string sql = "BEGIN;";
      for (int s = 0; s < 10; ++s) one_change(sql);
      conn.exec_simple(sql + "COMMIT;");
    }
    phase = 4;
  });

  // SIGKILL the worker at random points and start it again at once: among
  // the single-row transactions; in the middle of delivering the
  // 100,000-row transaction (its records are written, its Kafka transaction
  // not committed); and in the middle of the restarted worker delivering it
  // again.
  std::mt19937 random(7);
  std::vector<std::vector<std::int64_t>> data_marks;  // per kill: high watermarks of the data topic
  const auto total = [&](const std::vector<std::int64_t>& marks) {
    std::int64_t sum = 0;
    for (const auto mark : marks) sum += mark;
    return sum;
  };
  const auto kill_and_restart = [&] {
    ::kill(worker->pid(), SIGKILL);
    REQUIRE(worker->wait_exit(10s).has_value());
    // What the killed worker had already sent still reaches the broker from
    // the socket's buffer: wait until the topic stops growing.
    auto marks = setup.high_watermarks("srv.public.t");
    for (;;) {
      std::this_thread::sleep_for(300ms);
      auto again = setup.high_watermarks("srv.public.t");
      if (again == marks) break;
      marks = std::move(again);
    }
    data_marks.push_back(marks);
    worker = setup.start();
  };
  while (phase < 1) std::this_thread::sleep_for(5ms);
  std::this_thread::sleep_for(std::chrono::milliseconds(300 + random() % 1500));
  kill_and_restart();
  while (phase < 2) std::this_thread::sleep_for(5ms);
  const std::int64_t before_bulk = static_cast<std::int64_t>(inserts + updates + deletes * 2);  // deletes add a tombstone
  for (int kill = 0; kill < 2; ++kill) {
    const std::int64_t target = (kill == 0 ? before_bulk : total(data_marks.back())) + 20000 + random() % 40000;
    REQUIRE_MESSAGE(wait_until([&] { return total(setup.high_watermarks("srv.public.t")) >= target; }, 120s), setup.log());
    kill_and_restart();
  }
  workload.join();
  const auto end_lsn = pg::parse_lsn(setup.pg.psql("SELECT pg_current_wal_lsn()", setup.db));
  // Heartbeats confirm idle positions, so the slot catches up to the end of the workload.
  REQUIRE_MESSAGE(wait_until([&] { return pg::parse_lsn(setup.confirmed_flush_lsn()) >= end_lsn; }, 240s), setup.log());
  CHECK(worker->stop() == 0);

  const auto resumed = resume_points(setup.log());
  REQUIRE(resumed.size() == 3);  // each restart read the offsets topic
  std::string resumed_text;
  for (const auto point : resumed) resumed_text += " " + std::to_string(point);
  INFO("restarts resumed after lsn_commit" << resumed_text << "; the 100,000-row transaction is txId " << big_xid);
  const auto seen = changes_in(setup, "srv.public.t");
  const auto commit_end = commit_positions(setup, "eo_commits");
  // Repeats are told apart by the offset each restart resumed from, not by
  // when records reached the broker (a killed worker's last bytes may land
  // after its successor started). A transaction whose commit ends at or
  // before a restart's resume point was committed before that restart:
  // neither it nor a later run may send it again. One committing after it was
  // in the Kafka transaction in flight at that kill (which a real broker
  // hides) and may come once more. The comparison is by commit, not by each
  // change's own position: an idle heartbeat stores the position PostgreSQL
  // has decoded up to, which can lie inside a transaction not yet committed.
  // And a kill can only have caused a repeat of what its run had already
  // written: a change with no copy below the topic's end at that kill was
  // not yet sent, whatever its transaction.
  std::map<std::pair<std::uint64_t, char>, int> copies;
  std::map<std::pair<std::uint64_t, char>, const SeenChange*> first_copy;
  for (const auto& change : seen) {
    ++copies[{change.lsn, change.op}];
    auto& first = first_copy[{change.lsn, change.op}];
    if (!first || change.offset < first->offset) first = &change;
  }
  REQUIRE(data_marks.size() == resumed.size());
  std::size_t repeats = 0;
  for (const auto& [change, count] : copies) {
    const auto& first = *first_copy[change];
    const auto committed = commit_end.find(first.tx_id);
    REQUIRE_MESSAGE(committed != commit_end.end(), "txId " << first.tx_id << " has no COMMIT in the slot");
    int allowed = 1;
    for (std::size_t kill = 0; kill < resumed.size(); ++kill) {
      const bool written_before_kill = first.offset < data_marks[kill][static_cast<std::size_t>(first.partition)];
      // A real broker hides the aborted Kafka transaction of a killed
      // worker from a read_committed consumer: nothing may repeat there.
      allowed += !broker_hides_aborted && committed->second > resumed[kill] && written_before_kill ? 1 : 0;
    }
    CHECK_MESSAGE(count <= allowed, "lsn " << change.first << " (txId " << first.tx_id << ", commit ends at "
                                           << committed->second << ") sent " << count << " times; allowed " << allowed);
    repeats += static_cast<std::size_t>(count - 1);
  }
  MESSAGE("records: " << seen.size() << "; repeats of transactions in flight at the kills: " << repeats);
  // 1. Nothing lost: every change of the workload is there.
  std::uint64_t c = 0, u = 0, d = 0;
  for (const auto& [change, count] : copies) (change.second == 'c' ? c : change.second == 'u' ? u : d) += 1;
  CHECK(c == inserts);
  CHECK(u == updates);
  CHECK(d == deletes);
  // 2. What a consumer keeps (the last copy of each change, as a real broker
  //    would show only the committed one): per key in commit order, and
  //    replaying it gives the table.
  std::map<std::pair<std::uint64_t, char>, std::size_t> last_copy;
  for (std::size_t i = 0; i < seen.size(); ++i) last_copy[{seen[i].lsn, seen[i].op}] = i;
  std::map<std::string, std::uint64_t> last_lsn;
  std::map<std::string, std::optional<int>> state;
  std::size_t bulk_events = 0;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    const auto& change = seen[i];
    if (last_copy[{change.lsn, change.op}] != i) continue;
    if (change.tx_id == big_xid) ++bulk_events;
    auto& previous = last_lsn[change.key];
    CHECK(change.lsn > previous);
    previous = change.lsn;
    state[change.key] = change.op == 'd' ? std::nullopt : change.v;
  }
  CHECK(bulk_events == 100000);
  std::erase_if(state, [](const auto& entry) { return !entry.second.has_value(); });
  CHECK(state == table_state(setup));
  // 3. The offsets topic's last record is what the slot confirmed.
  const auto offsets = setup.read("connect-offsets");
  REQUIRE(!offsets.empty());
  const auto last = json::parse(*offsets.back().value);
  CHECK(setup.confirmed_flush_lsn() == pg::format_lsn(last["lsn_commit"].get<std::uint64_t>()));
}

}  // namespace cdcctl::testsupport
