// lib/pg's replication stream against a real PostgreSQL 15: a pgoutput slot
// created with an exported snapshot, every kind of change decoded from the
// stream as the server sent it, and confirmed positions moving the slot's
// confirmed_flush_lsn. The foundation `cdcctl run` captures with.
#include <doctest/doctest.h>

#include <thread>

#include "cdc/pg_types.hpp"
#include "core/error.hpp"
#include "engine/pg_capture.hpp"
#include "pg/connection.hpp"
#include "pg/pgoutput.hpp"
#include "pg/replication.hpp"
#include "support/pg_cluster.hpp"

using namespace cdcctl;
using namespace cdcctl::testsupport;
using namespace std::chrono_literals;

namespace {

// Reads decoded messages until `count` Commits have arrived.
std::vector<pg::PgOutputMessage> read_transactions(pg::ReplicationStream& stream, int count, std::vector<pg::Lsn>* wal_ends = nullptr) {
  std::vector<pg::PgOutputMessage> messages;
  int commits = 0;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (commits < count) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    const auto payload = stream.read(1s);
    if (!payload) continue;
    const auto frame = pg::decode_frame(*payload);
    if (const auto* keepalive = std::get_if<pg::Keepalive>(&frame)) {
      if (keepalive->reply_requested) stream.confirm(0, 0);
      continue;
    }
    const auto& data = std::get<pg::XLogData>(frame);
    if (wal_ends) wal_ends->push_back(data.wal_end);
    messages.push_back(pg::decode_pgoutput(data.payload));
    if (std::holds_alternative<pg::CommitMessage>(messages.back())) ++commits;
  }
  return messages;
}

template <typename T>
std::vector<T> all_of(const std::vector<pg::PgOutputMessage>& messages) {
  std::vector<T> out;
  for (const auto& message : messages) {
    if (const auto* found = std::get_if<T>(&message)) out.push_back(*found);
  }
  return out;
}

}  // namespace

TEST_CASE("replication stream: slot with an exported snapshot, every change decoded, confirmed positions") {
  PgCluster pg;
  const auto db = pg.create_database("shop");
  pg.psql("CREATE TABLE orders (id int PRIMARY KEY, amount numeric(10,2), note text, big text);"
          "ALTER TABLE orders ALTER COLUMN big SET STORAGE EXTERNAL;"  // out of line, uncompressed: TOAST
          "CREATE TABLE audit (at int, line text); ALTER TABLE audit REPLICA IDENTITY FULL;"
          "INSERT INTO orders VALUES (1, 9.90, 'before the slot', NULL);"
          "CREATE PUBLICATION shop_pub FOR TABLE orders, audit;",
          db);

  auto stream = pg::ReplicationStream::open(pg.conninfo(db), 10s);
  const auto identity = stream.identify_system();
  CHECK(identity.database == db);
  CHECK(identity.timeline == 1);
  const auto slot = stream.create_logical_slot("shop_slot", /*export_snapshot=*/true);
  CHECK(slot.name == "shop_slot");
  CHECK(slot.plugin == "pgoutput");
  CHECK_FALSE(slot.snapshot_name.empty());
  CHECK(slot.consistent_point > 0);

  // The exported snapshot shows the table as of the slot's consistent point.
  {
    auto reader = pg::Connection::open(pg.conninfo(db), 10s);
    reader.exec("BEGIN ISOLATION LEVEL REPEATABLE READ");
    reader.exec("SET TRANSACTION SNAPSHOT '" + slot.snapshot_name + "'");
    pg.psql("INSERT INTO orders VALUES (2, 20.00, 'after the slot', NULL)", db);
    CHECK(reader.exec("SELECT count(*) FROM orders").text(0, 0) == "1");
    reader.exec("COMMIT");
  }

  pg.psql("UPDATE orders SET note = 'paid' WHERE id = 2;"
          "UPDATE orders SET id = 3 WHERE id = 2;"   // a key change sends the old key
          "DELETE FROM orders WHERE id = 1;",
          db);
  pg.psql("UPDATE orders SET big = repeat('x', 100000) WHERE id = 3", db);  // stored out of line (TOAST)
  pg.psql("UPDATE orders SET amount = 30 WHERE id = 3", db);                // big unchanged: not sent
  pg.psql("INSERT INTO audit VALUES (1, 'a'); UPDATE audit SET line = 'b'; DELETE FROM audit", db);
  pg.psql("TRUNCATE audit", db);
  pg.psql("BEGIN; SELECT pg_logical_emit_message(true, 'cdcctl', 'hello'); INSERT INTO audit VALUES (2, 'c'); COMMIT", db);

  stream.start("shop_slot", 0, {{"proto_version", "1"}, {"publication_names", "shop_pub"}, {"messages", "true"}});
  CHECK(stream.streaming());
  std::vector<pg::Lsn> wal_ends;
  const auto messages = read_transactions(stream, 7, &wal_ends);

  const auto begins = all_of<pg::BeginMessage>(messages);
  const auto commits = all_of<pg::CommitMessage>(messages);
  REQUIRE(begins.size() == 7);
  REQUIRE(commits.size() == 7);
  for (std::size_t i = 0; i < commits.size(); ++i) {
    CHECK(begins[i].final_lsn == commits[i].commit_lsn);
    CHECK(commits[i].end_lsn > commits[i].commit_lsn);
    if (i > 0) CHECK(commits[i].end_lsn > commits[i - 1].end_lsn);
  }
  CHECK(std::holds_alternative<pg::BeginMessage>(messages.front()));

  const auto relations = all_of<pg::RelationMessage>(messages);
  REQUIRE(relations.size() >= 2);
  const auto& orders = relations[0];
  CHECK(orders.schema == "public");
  CHECK(orders.name == "orders");
  CHECK(orders.replica_identity == 'd');
  REQUIRE(orders.columns.size() == 4);
  CHECK(orders.columns[0].name == "id");
  CHECK(orders.columns[0].key);
  CHECK(orders.columns[1].type_oid == 1700);  // numeric
  CHECK(orders.columns[1].type_modifier == ((10 << 16) | 2) + 4);

  const auto inserts = all_of<pg::InsertMessage>(messages);
  REQUIRE(inserts.size() == 3);  // order 2 (after the slot), audit 1 and 2; order 1 predates the slot
  CHECK(inserts[0].relation == orders.oid);
  CHECK(inserts[0].new_tuple[0].data == "2");
  CHECK(inserts[0].new_tuple[1].data == "20.00");
  CHECK(inserts[0].new_tuple[3].kind == pg::ColumnValueKind::Null);
  // The relation's type OID and modifier are all Debezium's mapping needs: numeric(10,2) 20.00 → 2000 → "B9A=".
  const cdc::PgColumnType amount{orders.columns[1].type_oid, orders.columns[1].type_modifier, {}, 0};
  CHECK(cdc::column_value(amount, inserts[0].new_tuple[1].data) == "B9A=");
  CHECK(cdc::column_schema(amount, true).parameters ==
        std::vector<std::pair<std::string, std::string>>{{"scale", "2"}, {"connect.decimal.precision", "10"}});

  const auto updates = all_of<pg::UpdateMessage>(messages);
  REQUIRE(updates.size() == 5);
  CHECK_FALSE(updates[0].old_tuple);              // note changed, key did not
  CHECK(updates[0].new_tuple[2].data == "paid");
  CHECK(updates[1].old_kind == 'K');              // the key changed: old key sent
  CHECK((*updates[1].old_tuple)[0].data == "2");
  CHECK((*updates[1].old_tuple)[2].kind == pg::ColumnValueKind::Null);
  CHECK(updates[1].new_tuple[0].data == "3");
  CHECK(updates[2].new_tuple[3].data.size() == 100000);
  CHECK(updates[3].new_tuple[1].data == "30.00");
  CHECK(updates[3].new_tuple[3].kind == pg::ColumnValueKind::UnchangedToast);
  CHECK(updates[4].old_kind == 'O');              // REPLICA IDENTITY FULL: the whole old row
  CHECK((*updates[4].old_tuple)[1].data == "a");

  const auto deletes = all_of<pg::DeleteMessage>(messages);
  REQUIRE(deletes.size() == 2);
  CHECK(deletes[0].old_kind == 'K');
  CHECK(deletes[0].old_tuple[0].data == "1");
  CHECK(deletes[1].old_kind == 'O');

  const auto truncates = all_of<pg::TruncateMessage>(messages);
  REQUIRE(truncates.size() == 1);
  REQUIRE(truncates[0].relations.size() == 1);
  CHECK(truncates[0].relations[0] == relations[1].oid);

  const auto logical = all_of<pg::LogicalMessage>(messages);
  REQUIRE(logical.size() == 1);
  CHECK(logical[0].transactional);
  CHECK(logical[0].prefix == "cdcctl");
  CHECK(logical[0].content == "hello");

  // Confirming the third transaction's end moves confirmed_flush_lsn there, and no further.
  const auto confirmed = commits[2].end_lsn;
  stream.confirm(confirmed, confirmed);
  std::string flushed;
  for (int attempt = 0; attempt < 50 && flushed != pg::format_lsn(confirmed); ++attempt) {
    std::this_thread::sleep_for(100ms);
    flushed = pg.psql("SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'shop_slot'", db);
  }
  CHECK(flushed == pg::format_lsn(confirmed));
  stream.stop();
  CHECK_FALSE(stream.streaming());

  // Restarting from the slot resends what was not confirmed: transactions 4 to 7.
  auto again = pg::ReplicationStream::open(pg.conninfo(db), 10s);
  again.start("shop_slot", 0, {{"proto_version", "1"}, {"publication_names", "shop_pub"}, {"messages", "true"}});
  const auto resent = read_transactions(again, 4);
  const auto resent_commits = all_of<pg::CommitMessage>(resent);
  REQUIRE(resent_commits.size() == 4);
  CHECK(resent_commits.front().end_lsn == commits[3].end_lsn);
  CHECK(resent_commits.back().end_lsn == commits[6].end_lsn);
  again.stop();

  auto admin = pg::ReplicationStream::open(pg.conninfo(db), 10s);
  admin.drop_slot("shop_slot");
  CHECK(pg.psql("SELECT count(*) FROM pg_replication_slots", db) == "0");
  CHECK_THROWS_AS(admin.start("no_such_slot", 0, {{"proto_version", "1"}, {"publication_names", "shop_pub"}}), Error);
}

namespace {

// Keeps what the capture delivers, and what the slot had confirmed at that
// moment; `fail_after` makes it fail like a crash after the records were
// made durable but before the capture could confirm them.
class MemorySink final : public engine::RecordSink {
 public:
  explicit MemorySink(const PgCluster& pg, std::string db) : pg_(pg), db_(std::move(db)) {}
  struct Delivery {
    std::vector<engine::OutputRecord> records;
    cdc::PostgresOffset offset;
    std::string confirmed_at_delivery;
  };
  std::vector<Delivery> deliveries;
  std::vector<engine::OutputRecord> open_batch;
  int aborts = 0;
  int fail_after = -1;

  void write(const engine::OutputRecord& record) override { open_batch.push_back(record); }
  void commit(const cdc::PostgresOffset& offset) override {
    deliveries.push_back({std::move(open_batch), offset, pg_.psql("SELECT confirmed_flush_lsn FROM pg_replication_slots", db_)});
    open_batch.clear();
    if (fail_after >= 0 && static_cast<int>(deliveries.size()) > fail_after) throw std::runtime_error("sink crashed");
  }
  void abort() override {
    open_batch.clear();
    ++aborts;
  }

 private:
  const PgCluster& pg_;
  std::string db_;
};

// Events without schemas on topics "srv.…"; one transaction per batch, to
// see each one's offset.
engine::CaptureOptions capture_options(const PgCluster& pg, const std::string& db) {
  engine::CaptureOptions options;
  options.conninfo = pg.conninfo(db);
  options.mapper.events.topic_prefix = "srv";
  options.mapper.events.key_schemas = options.mapper.events.value_schemas = false;
  options.max_batch_records = 1;
  return options;
}

// Captures from `offset` until the sink holds `deliveries` batches (20 s at
// most), then stops; what the capture counted comes back.
engine::CaptureStats capture_until(const engine::CaptureOptions& options, MemorySink& sink,
                                   const std::optional<cdc::PostgresOffset>& offset, std::size_t deliveries) {
  engine::PgCapture capture(options, sink);
  capture.start(offset);
  capture.run_for(20s, [&] { return sink.deliveries.size() >= deliveries; });
  capture.close();
  return capture.stats();
}

}  // namespace

TEST_CASE("capture: transactions delivered with their offset, the LSN confirmed only afterwards, a restart skips what was delivered") {
  PgCluster pg;
  const auto db = pg.create_database("capture");
  pg.psql("CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, at timestamptz);"
          "CREATE PUBLICATION dbz_publication FOR TABLE items",
          db);
  pg::ReplicationStream::open(pg.conninfo(db), 10s).create_logical_slot("debezium", false);
  for (int i = 1; i <= 3; ++i) {
    pg.psql("INSERT INTO items VALUES (" + std::to_string(i) + ", 'item " + std::to_string(i) + "', '2024-06-10 08:13:20.5+02')", db);
  }

  auto options = capture_options(pg, db);
  MemorySink sink(pg, db);
  capture_until(options, sink, std::nullopt, 3);
  REQUIRE(sink.deliveries.size() == 3);
  const auto& first = sink.deliveries[0];
  REQUIRE(first.records.size() == 1);
  CHECK(first.records[0].topic == "srv.public.items");
  CHECK(first.records[0].key == R"({"id":1})");
  const auto value = nlohmann::json::parse(*first.records[0].value);
  CHECK(value["op"] == "c");
  CHECK(value["after"] == nlohmann::json{{"id", 1}, {"name", "item 1"}, {"at", "2024-06-10T06:13:20.500000Z"}});
  CHECK(value["source"]["db"] == db);
  CHECK(first.offset.message_type == "COMMIT");
  CHECK(first.offset.lsn_commit == first.offset.lsn_proc);
  // Each transaction was delivered before its LSN was confirmed to PostgreSQL.
  for (const auto& delivery : sink.deliveries) {
    CHECK(pg::parse_lsn(delivery.confirmed_at_delivery) < *delivery.offset.lsn_commit);
  }
  CHECK(pg.psql("SELECT confirmed_flush_lsn FROM pg_replication_slots", db) == pg::format_lsn(*sink.deliveries[2].offset.lsn_commit));

  // A crash after the sink made transaction 4 durable, before the LSN was confirmed.
  pg.psql("UPDATE items SET name = 'renamed' WHERE id = 1", db);
  sink.fail_after = 3;
  {
    engine::PgCapture capture(options, sink);
    capture.start(sink.deliveries[2].offset);
    CHECK_THROWS_WITH(capture.run_for(20s, [&] { return sink.deliveries.size() >= 4; }), "sink crashed");
  }
  REQUIRE(sink.deliveries.size() == 4);
  CHECK(pg.psql("SELECT confirmed_flush_lsn FROM pg_replication_slots", db) == pg::format_lsn(*sink.deliveries[2].offset.lsn_commit));

  // The restart resumes from the sink's offset. Its lsn_proc is made to lag its lsn_commit (as
  // Debezium's offsets may), so PostgreSQL resends transaction 4: the capture must skip it.
  pg.psql("DELETE FROM items WHERE id = 2", db);
  sink.fail_after = -1;
  auto resume = sink.deliveries[3].offset;
  resume.lsn_proc = sink.deliveries[2].offset.lsn_commit;
  CHECK(capture_until(options, sink, resume, 5).skipped_transactions == 1);
  REQUIRE(sink.deliveries.size() == 5);
  REQUIRE(sink.deliveries[4].records.size() == 2);  // the delete and its tombstone
  CHECK(nlohmann::json::parse(*sink.deliveries[4].records[0].value)["op"] == "d");
  CHECK_FALSE(sink.deliveries[4].records[1].value.has_value());
}

TEST_CASE("table facts: key order, NOT NULL, enum labels (commas kept), defaults, extension types, comments") {
  PgCluster pg;
  const auto db = pg.create_database("facts");
  pg.psql("CREATE EXTENSION hstore;"
          "CREATE TYPE odd AS ENUM ('plain', 'with, comma', 'quote\"d');"
          "CREATE TABLE t (b int, a int NOT NULL DEFAULT 7, e odd, h hstore, c text, PRIMARY KEY (a, b));"
          "COMMENT ON COLUMN t.c IS 'the comment'",
          db);
  auto catalog = pg::Connection::open(pg.conninfo(db), 10s);
  const auto facts = engine::table_facts(catalog, "public", "t");
  CHECK(facts.primary_key == std::vector<std::string>{"a", "b"});
  CHECK(facts.not_null == std::set<std::string>{"a", "b"});
  CHECK(facts.enum_labels.at("e") == std::vector<std::string>{"plain", "with, comma", "quote\"d"});
  CHECK(facts.defaults.at("a") == "7");
  CHECK(facts.type_names == std::map<std::string, std::string>{{"h", "hstore"}});
  CHECK(facts.comments == std::map<std::string, std::string>{{"c", "the comment"}});
}

TEST_CASE("capture: a message outside any transaction has its own offset, and is not sent again after a restart") {
  PgCluster pg;
  const auto db = pg.create_database("messages");
  pg.psql("CREATE TABLE items (id int PRIMARY KEY); CREATE PUBLICATION dbz_publication FOR TABLE items", db);
  pg::ReplicationStream::open(pg.conninfo(db), 10s).create_logical_slot("debezium", false);
  pg.psql("SELECT pg_logical_emit_message(false, 'audit', 'one')", db);
  pg.psql("INSERT INTO items VALUES (1)", db);
  pg.psql("SELECT pg_logical_emit_message(false, 'audit', 'two')", db);

  auto options = capture_options(pg, db);
  MemorySink sink(pg, db);
  // The sink makes the third delivery (message "two") durable, then crashes
  // before its position is confirmed: PostgreSQL will send it again.
  sink.fail_after = 2;
  {
    engine::PgCapture capture(options, sink);
    capture.start(std::nullopt);
    CHECK_THROWS_WITH(capture.run_for(20s, [&] { return sink.deliveries.size() >= 3; }), "sink crashed");
  }
  REQUIRE(sink.deliveries.size() == 3);
  const auto content = [](const engine::OutputRecord& record) {
    return nlohmann::json::parse(*record.value)["message"]["content"].get<std::string>();
  };
  REQUIRE(sink.deliveries[0].records.size() == 1);
  CHECK(sink.deliveries[0].records[0].topic == "srv.message");
  CHECK(content(sink.deliveries[0].records[0]) == "b25l");  // "one"
  CHECK(sink.deliveries[0].offset.message_type == "MESSAGE");
  CHECK_FALSE(sink.deliveries[0].offset.tx_id.has_value());
  CHECK(sink.deliveries[1].offset.message_type == "COMMIT");
  CHECK(content(sink.deliveries[2].records[0]) == "dHdv");  // "two"
  CHECK(*sink.deliveries[2].offset.lsn_commit > *sink.deliveries[1].offset.lsn_commit);

  sink.fail_after = -1;
  pg.psql("INSERT INTO items VALUES (2)", db);
  // Resumed with lsn_proc behind (as Debezium's offsets may be): PostgreSQL
  // streams from the insert's commit again and resends "two".
  auto resume = sink.deliveries[2].offset;
  resume.lsn_proc = sink.deliveries[1].offset.lsn_commit;
  engine::PgCapture capture(options, sink);
  capture.start(resume);
  capture.run_for(20s, [&] { return sink.deliveries.size() >= 4; });
  std::this_thread::sleep_for(300ms);
  capture.run_for(500ms);
  capture.close();
  REQUIRE(sink.deliveries.size() == 4);  // the insert only: "two" was not sent again
  CHECK(sink.deliveries[3].records[0].topic == "srv.public.items");
  CHECK(nlohmann::json::parse(*sink.deliveries[3].records[0].value)["after"]["id"] == 2);
}

TEST_CASE("capture: taking over Debezium's offset stored inside a transaction sends only the rest of it") {
  PgCluster pg;
  const auto db = pg.create_database("takeover");
  pg.psql("CREATE TABLE items (id int PRIMARY KEY, name text); CREATE PUBLICATION dbz_publication FOR TABLE items", db);
  // One slot per run: each resumed run must find the transaction still unconfirmed.
  for (const auto* slot : {"debezium", "resume_plain", "resume_counted", "resume_begin"}) {
    pg::ReplicationStream::open(pg.conninfo(db), 10s).create_logical_slot(slot, false);
  }
  pg.psql("INSERT INTO items VALUES (1, 'before')", db);
  // One transaction: two inserts, a primary-key change (a delete, its
  // tombstone and a create, all at one LSN), one more insert.
  pg.psql("BEGIN; INSERT INTO items VALUES (10, 'a'); INSERT INTO items VALUES (11, 'b');"
          "UPDATE items SET id = 12 WHERE id = 10; INSERT INTO items VALUES (13, 'c'); COMMIT",
          db);

  auto options = capture_options(pg, db);
  MemorySink sink(pg, db);
  capture_until(options, sink, std::nullopt, 2);
  REQUIRE(sink.deliveries.size() == 2);
  const auto& whole = sink.deliveries[1].records;
  REQUIRE(whole.size() == 6);  // c 10, c 11, d 10, tombstone, c 12, c 13
  const auto source_of = [](const engine::OutputRecord& record) { return nlohmann::json::parse(*record.value)["source"]; };
  const auto event_lsn = [&](std::size_t index) { return source_of(whole[index])["lsn"].get<std::uint64_t>(); };
  const auto described = [](const std::vector<engine::OutputRecord>& records) {
    std::vector<std::string> out;
    for (const auto& record : records) {
      if (!record.value) {
        out.push_back("tombstone");
        continue;
      }
      const auto value = nlohmann::json::parse(*record.value);
      const auto& row = value["op"] == "d" ? value["before"] : value["after"];
      out.push_back(value["op"].get<std::string>() + " " + std::to_string(row["id"].get<int>()));
    }
    return out;
  };
  REQUIRE(described(whole) == std::vector<std::string>{"c 10", "c 11", "d 10", "tombstone", "c 12", "c 13"});
  CHECK(event_lsn(2) == event_lsn(4));  // the primary-key change's events share its LSN

  // What Debezium stores after sending the second insert: that event's LSN,
  // the last commit before the transaction, the transaction's xid.
  cdc::PostgresOffset debezium;
  debezium.lsn = debezium.lsn_proc = event_lsn(1);
  debezium.lsn_commit = sink.deliveries[0].offset.lsn_commit;
  debezium.tx_id = source_of(whole[0])["txId"].get<std::int64_t>();
  debezium.message_type = "INSERT";
  const auto resumed_from = [&](const std::string& slot, const cdc::PostgresOffset& offset) {
    MemorySink resumed(pg, db);
    auto slot_options = options;
    slot_options.slot = slot;
    capture_until(slot_options, resumed, offset, 1);
    REQUIRE(resumed.deliveries.size() == 1);
    CHECK(resumed.deliveries[0].offset.lsn_commit == sink.deliveries[1].offset.lsn_commit);
    return described(resumed.deliveries[0].records);
  };
  CHECK(resumed_from("resume_plain", debezium) == std::vector<std::string>{"d 10", "tombstone", "c 12", "c 13"});

  // Stored after the primary-key change's first event (lsn_events_processed
  // 1): its create is still to send, the delete and its tombstone are not.
  debezium.lsn = debezium.lsn_proc = event_lsn(2);
  debezium.message_type = "DELETE";
  debezium.events_processed = 1;
  CHECK(resumed_from("resume_counted", debezium) == std::vector<std::string>{"c 12", "c 13"});

  // Stored at the transaction's BEGIN (transaction metadata on): its position
  // is the first change's, and nothing of the transaction was sent.
  debezium.lsn = debezium.lsn_proc = event_lsn(0);
  debezium.message_type = "BEGIN";
  debezium.events_processed.reset();
  CHECK(resumed_from("resume_begin", debezium) == std::vector<std::string>{"c 10", "c 11", "d 10", "tombstone", "c 12", "c 13"});
}
