// The pgoutput decoder and the replication frames, over bytes laid out as
// the reference (§1.2, §1.4) describes them; malformed input is an Error.
#include <doctest/doctest.h>

#include <initializer_list>

#include "core/error.hpp"
#include "pg/pgoutput.hpp"

using namespace cdcctl;
using namespace cdcctl::pg;

namespace {

// Builds messages the way PostgreSQL writes them: big-endian integers,
// NUL-terminated strings.
struct Bytes {
  std::vector<std::uint8_t> data;
  Bytes& byte(char c) {
    data.push_back(static_cast<std::uint8_t>(c));
    return *this;
  }
  Bytes& be(std::uint64_t value, int size) {
    for (int shift = (size - 1) * 8; shift >= 0; shift -= 8) data.push_back(static_cast<std::uint8_t>(value >> shift));
    return *this;
  }
  Bytes& i16(std::uint16_t v) { return be(v, 2); }
  Bytes& i32(std::uint32_t v) { return be(v, 4); }
  Bytes& i64(std::uint64_t v) { return be(v, 8); }
  Bytes& str(const std::string& text) {
    for (const char c : text) byte(c);
    return byte('\0');
  }
  Bytes& text_column(const std::string& text) {
    byte('t').i32(static_cast<std::uint32_t>(text.size()));
    for (const char c : text) byte(c);
    return *this;
  }
};

}  // namespace

TEST_CASE("LSNs in PostgreSQL's text form") {
  CHECK(format_lsn(0) == "0/0");
  CHECK(format_lsn(0x16B374D848ull) == "16/B374D848");
  CHECK(parse_lsn("16/B374D848") == 0x16B374D848ull);
  CHECK(parse_lsn("0/16b3778") == 0x16B3778ull);
  CHECK_THROWS_AS(parse_lsn("16B374D848"), Error);
  CHECK_THROWS_AS(parse_lsn("0/XYZ"), Error);
  CHECK_THROWS_AS(parse_lsn("123456789/0"), Error);
}

TEST_CASE("replication frames: XLogData, keepalive, and the status update") {
  Bytes w;
  w.byte('w').i64(0x1000).i64(0x2000).i64(12345).byte('B');
  const auto frame = decode_frame(w.data);
  REQUIRE(std::holds_alternative<XLogData>(frame));
  const auto& data = std::get<XLogData>(frame);
  CHECK(data.data_start == 0x1000);
  CHECK(data.wal_end == 0x2000);
  CHECK(data.send_time == 12345);
  REQUIRE(data.payload.size() == 1);
  CHECK(data.payload[0] == 'B');

  Bytes k;
  k.byte('k').i64(0x3000).i64(99).byte('\1');
  const auto keepalive = std::get<Keepalive>(decode_frame(k.data));
  CHECK(keepalive.wal_end == 0x3000);
  CHECK(keepalive.reply_requested);

  const auto update = encode_status_update(0x10, 0x20, 0x30, 0x40, true);
  Bytes expected;
  expected.byte('r').i64(0x10).i64(0x20).i64(0x30).i64(0x40).byte('\1');
  CHECK(update == expected.data);
  CHECK(update.size() == 34);

  Bytes bad;
  bad.byte('k').i64(1);
  CHECK_THROWS_WITH_AS(decode_frame(bad.data), doctest::Contains("malformed replication message"), Error);
  CHECK_THROWS_AS(decode_frame(Bytes{}.byte('x').data), Error);
}

TEST_CASE("pgoutput v1: a transaction with a relation, an insert, an update with its key, a delete and a truncate") {
  Bytes begin;
  begin.byte('B').i64(0x5000).i64(700000000).i32(742);
  const auto b = std::get<BeginMessage>(decode_pgoutput(begin.data));
  CHECK(b.final_lsn == 0x5000);
  CHECK(b.commit_time == 700000000);
  CHECK(b.xid == 742);
  CHECK(unix_micros(0) == 946684800000000LL);

  Bytes relation;
  relation.byte('R').i32(16384).str("public").str("orders").byte('d').i16(3);
  relation.byte('\1').str("id").i32(23).i32(0xFFFFFFFF);
  relation.byte('\0').str("amount").i32(1700).i32(655366);
  relation.byte('\0').str("note").i32(25).i32(0xFFFFFFFF);
  const auto r = std::get<RelationMessage>(decode_pgoutput(relation.data));
  CHECK(r.oid == 16384);
  CHECK(r.schema == "public");
  CHECK(r.name == "orders");
  CHECK(r.replica_identity == 'd');
  REQUIRE(r.columns.size() == 3);
  CHECK(r.columns[0].key);
  CHECK_FALSE(r.columns[1].key);
  CHECK(r.columns[1].type_oid == 1700);
  CHECK(r.columns[1].type_modifier == 655366);
  CHECK(r.columns[2].type_modifier == -1);

  Bytes insert;
  insert.byte('I').i32(16384).byte('N').i16(3).text_column("1").text_column("9.90").byte('n');
  const auto i = std::get<InsertMessage>(decode_pgoutput(insert.data));
  REQUIRE(i.new_tuple.size() == 3);
  CHECK(i.new_tuple[1].kind == ColumnValueKind::Text);
  CHECK(i.new_tuple[1].data == "9.90");
  CHECK(i.new_tuple[2].kind == ColumnValueKind::Null);

  Bytes update;  // the key changed: 'K' with the key column, then the new row with an unchanged TOAST value
  update.byte('U').i32(16384).byte('K').i16(3).text_column("1").byte('n').byte('n');
  update.byte('N').i16(3).text_column("2").text_column("9.90").byte('u');
  const auto u = std::get<UpdateMessage>(decode_pgoutput(update.data));
  CHECK(u.old_kind == 'K');
  REQUIRE(u.old_tuple);
  CHECK((*u.old_tuple)[0].data == "1");
  CHECK(u.new_tuple[0].data == "2");
  CHECK(u.new_tuple[2].kind == ColumnValueKind::UnchangedToast);

  Bytes plain_update;
  plain_update.byte('U').i32(16384).byte('N').i16(1).text_column("x");
  CHECK_FALSE(std::get<UpdateMessage>(decode_pgoutput(plain_update.data)).old_tuple);

  Bytes del;
  del.byte('D').i32(16384).byte('O').i16(1).text_column("2");
  const auto d = std::get<DeleteMessage>(decode_pgoutput(del.data));
  CHECK(d.old_kind == 'O');
  CHECK(d.old_tuple[0].data == "2");

  Bytes truncate;
  truncate.byte('T').i32(2).byte('\3').i32(16384).i32(16390);
  const auto t = std::get<TruncateMessage>(decode_pgoutput(truncate.data));
  CHECK(t.cascade);
  CHECK(t.restart_identity);
  CHECK(t.relations == std::vector<std::uint32_t>{16384, 16390});

  Bytes commit;
  commit.byte('C').byte('\0').i64(0x5000).i64(0x5030).i64(700000001);
  const auto c = std::get<CommitMessage>(decode_pgoutput(commit.data));
  CHECK(c.commit_lsn == 0x5000);
  CHECK(c.end_lsn == 0x5030);

  RelationCache cache;
  cache.apply(r);
  CHECK(cache.relation(16384).name == "orders");
  CHECK_THROWS_WITH_AS(cache.relation(1), doctest::Contains("before describing it"), Error);
}

TEST_CASE("pgoutput: origin, type, logical message; malformed and unsupported messages") {
  Bytes origin;
  origin.byte('O').i64(0x77).str("node_a");
  CHECK(std::get<OriginMessage>(decode_pgoutput(origin.data)).name == "node_a");

  Bytes type;
  type.byte('Y').i32(16500).str("").str("mood");
  const auto y = std::get<TypeMessage>(decode_pgoutput(type.data));
  CHECK(y.schema == "pg_catalog");
  CHECK(y.name == "mood");

  Bytes message;
  message.byte('M').byte('\1').i64(0x99).str("cdcctl").i32(5);
  for (const char ch : std::string("hello")) message.byte(ch);
  const auto m = std::get<LogicalMessage>(decode_pgoutput(message.data));
  CHECK(m.transactional);
  CHECK(m.prefix == "cdcctl");
  CHECK(m.content == "hello");

  Bytes short_insert;
  short_insert.byte('I').i32(1).byte('N').i16(1).byte('t').i32(10).byte('a');
  CHECK_THROWS_WITH_AS(decode_pgoutput(short_insert.data), doctest::Contains("ends early"), Error);
  Bytes no_nul;
  no_nul.byte('O').i64(1).byte('a');
  CHECK_THROWS_WITH_AS(decode_pgoutput(no_nul.data), doctest::Contains("no terminating NUL"), Error);
  Bytes trailing;
  trailing.byte('B').i64(1).i64(2).i32(3).byte('x');
  CHECK_THROWS_WITH_AS(decode_pgoutput(trailing.data), doctest::Contains("bytes left"), Error);
  Bytes bad_kind;
  bad_kind.byte('I').i32(1).byte('N').i16(1).byte('z');
  CHECK_THROWS_WITH_AS(decode_pgoutput(bad_kind.data), doctest::Contains("unknown column kind 'z'"), Error);
  CHECK_THROWS_WITH_AS(decode_pgoutput(Bytes{}.byte('S').i32(1).byte('\1').data), doctest::Contains("protocol version 2"), Error);
  CHECK_THROWS_AS(decode_pgoutput(Bytes{}.data), Error);
}
