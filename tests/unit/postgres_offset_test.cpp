// The Debezium PostgreSQL offset as `cdcctl run` writes it: the same bytes
// Debezium writes (reference §3), read back the same way, and the resume
// position either connector derives from it.
#include <doctest/doctest.h>

#include "cdc/postgres_offset.hpp"
#include "kafka/connect_offsets.hpp"

using namespace cdcctl;
using namespace cdcctl::cdc;
using nlohmann::json;

TEST_CASE("offsets written as Debezium writes them, and read back") {
  PostgresOffset streaming;
  streaming.lsn = streaming.lsn_proc = streaming.lsn_commit = 24023128;
  streaming.tx_id = 556;
  streaming.ts_usec = 1559033904863000;
  streaming.message_type = "COMMIT";
  const auto text = encode_postgres_offset(streaming);
  CHECK(text == R"({"lsn_proc":24023128,"messageType":"COMMIT","lsn_commit":24023128,"lsn":24023128,"txId":556,"ts_usec":1559033904863000})");
  const auto back = decode_postgres_offset(json::parse(text));
  REQUIRE(back);
  CHECK(back->lsn_commit == 24023128u);
  CHECK(back->tx_id == 556);
  CHECK(back->message_type == "COMMIT");

  PostgresOffset snapshot;
  snapshot.lsn = 24023128;
  snapshot.tx_id = 555;
  snapshot.ts_usec = 1559033904863000;
  snapshot.snapshot = "INITIAL";
  CHECK(encode_postgres_offset(snapshot) ==
        R"({"last_snapshot_record":false,"lsn":24023128,"txId":555,"ts_usec":1559033904863000,"snapshot":"INITIAL","snapshot_completed":false})");

  CHECK(kafka::encode_connect_offset_key("inventory", postgres_offset_partition("srv")) == R"(["inventory",{"server":"srv"}])");
}

TEST_CASE("where streaming resumes after an offset") {
  PostgresOffset streaming;
  streaming.lsn = 300;
  streaming.lsn_proc = 280;
  streaming.lsn_commit = 290;
  auto point = resume_point(streaming);
  CHECK(point.start == 280);
  CHECK(point.delivered_through == 290);
  CHECK_FALSE(point.snapshot_unfinished);

  PostgresOffset old_style;  // only lsn and lsn_proc
  old_style.lsn = old_style.lsn_proc = 500;
  CHECK(resume_point(old_style).delivered_through == 500);

  PostgresOffset in_snapshot;
  in_snapshot.lsn = 100;
  in_snapshot.snapshot = "INITIAL";
  point = resume_point(in_snapshot);
  CHECK(point.snapshot_unfinished);
  CHECK(point.start == 100);
  CHECK(point.delivered_through == 0);
  in_snapshot.last_snapshot_record = in_snapshot.snapshot_completed = true;
  CHECK_FALSE(resume_point(in_snapshot).snapshot_unfinished);
}

TEST_CASE("an offset Debezium stored inside a transaction: where its sent events end") {
  // Debezium flushed after an event of transaction 557: that event's LSN is
  // past the last commit.
  const auto inside = decode_postgres_offset(json::parse(
      R"({"lsn_proc":700,"lsn_events_processed":1,"messageType":"UPDATE","lsn_commit":650,"lsn":700,"txId":557,"ts_usec":1})"));
  REQUIRE(inside);
  CHECK(inside->events_processed == 1);
  auto point = resume_point(*inside);
  CHECK(point.start == 700);
  CHECK(point.delivered_through == 650);
  REQUIRE(point.inside);
  CHECK(point.inside->tx_id == 557);
  CHECK(point.inside->event_lsn == 700u);
  CHECK(point.inside->events_at_lsn == 1);
  // Written back as it was read.
  CHECK(encode_postgres_offset(*inside) ==
        R"({"lsn_proc":700,"lsn_events_processed":1,"messageType":"UPDATE","lsn_commit":650,"lsn":700,"txId":557,"ts_usec":1})");

  // A commit's offset (its last event before its commit), a heartbeat's (all
  // at one position) and a snapshot's are not inside a transaction.
  PostgresOffset commit;
  commit.lsn = 640;
  commit.lsn_proc = commit.lsn_commit = 650;
  CHECK_FALSE(resume_point(commit).inside);
  PostgresOffset heartbeat;
  heartbeat.lsn = heartbeat.lsn_proc = heartbeat.lsn_commit = 900;
  CHECK_FALSE(resume_point(heartbeat).inside);
  PostgresOffset snapshot;
  snapshot.lsn = 900;
  snapshot.lsn_commit = 100;
  snapshot.snapshot = "INITIAL";
  CHECK_FALSE(resume_point(snapshot).inside);
  CHECK(encode_postgres_offset(commit).find("lsn_events_processed") == std::string::npos);

  // Stored at the transaction's BEGIN: its position is the first change's,
  // and none of the events there was sent.
  PostgresOffset at_begin;
  at_begin.lsn = at_begin.lsn_proc = 660;
  at_begin.lsn_commit = 650;
  at_begin.tx_id = 558;
  at_begin.message_type = "BEGIN";
  point = resume_point(at_begin);
  REQUIRE(point.inside);
  CHECK(point.inside->event_lsn == 660u);
  CHECK(point.inside->events_at_lsn == 0);
}
