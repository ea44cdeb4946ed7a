// Debezium change events read back as one line each: with and without the
// JSON converter's schema wrapper, tombstones, heartbeats, transactions.
#include <doctest/doctest.h>

#include "cdc/event_summary.hpp"

using namespace cdcctl::cdc;

namespace {

const std::string kUpdate =
    R"({"before":{"id":1001,"email":"a@x","name":"Ann"},"after":{"id":1001,"email":"b@x","name":"Ann"},)"
    R"("source":{"version":"3.0.0.Final","connector":"postgresql","name":"inventory","schema":"public",)"
    R"("table":"customers","txId":556,"lsn":24023128},"op":"u","ts_ms":1795312800123})";

}  // namespace

TEST_CASE("an update shows the columns that changed, before and after") {
  const auto event = summarize_event("inventory.public.customers", R"({"id":1001})", kUpdate);
  CHECK(event.kind == EventSummary::Kind::Change);
  CHECK(event.op == "u");
  CHECK(event.table == "public.customers");
  CHECK(event.key == R"({"id":1001})");
  REQUIRE(event.changes.size() == 1);
  CHECK(event.changes[0].column == "email");
  CHECK(event.changes[0].before == R"("a@x")");
  CHECK(event.changes[0].after == R"("b@x")");
  CHECK(event.ts_ms == 1795312800123);
  CHECK(event_line(event) == R"(u  public.customers  {"id":1001}  email: "a@x" → "b@x")");
}

TEST_CASE("the schema wrapper of the JSON converter is looked through, for key and value") {
  const std::string key = R"({"schema":{"type":"struct","fields":[]},"payload":{"id":1001}})";
  const std::string value = R"({"schema":{"type":"struct","name":"inventory.public.customers.Envelope"},"payload":)" + kUpdate + "}";
  const auto event = summarize_event("inventory.public.customers", key, value);
  CHECK(event.key == R"({"id":1001})");
  CHECK(event.changes.size() == 1);
  const auto wrapped_tombstone = summarize_event("inventory.public.customers", key, R"({"schema":null,"payload":null})");
  CHECK(wrapped_tombstone.kind == EventSummary::Kind::Tombstone);
}

TEST_CASE("creates, snapshot reads, deletes and truncates") {
  const auto create = summarize_event("inventory.public.orders", R"({"id":7})",
                                      R"({"before":null,"after":{"id":7,"qty":2},"source":{"schema":"public","table":"orders"},"op":"c","ts_ms":1})");
  CHECK(event_line(create) == R"(c  public.orders  {"id":7}  {"id":7,"qty":2})");
  const auto read = summarize_event("inventory.public.orders", R"({"id":7})",
                                    R"({"before":null,"after":{"id":7,"qty":2},"source":{"schema":"public","table":"orders","snapshot":"true"},"op":"r","ts_ms":1})");
  CHECK(read.op == "r");
  const auto removed = summarize_event("inventory.public.orders", R"({"id":7})",
                                       R"({"before":{"id":7,"qty":2},"after":null,"source":{"schema":"public","table":"orders"},"op":"d","ts_ms":1})");
  CHECK(event_line(removed) == R"(d  public.orders  {"id":7}  {"id":7,"qty":2})");
  const auto keyless_delete = summarize_event("inventory.public.log", std::nullopt,
                                              R"({"before":null,"after":null,"source":{"schema":"public","table":"log"},"op":"d","ts_ms":1})");
  CHECK(event_line(keyless_delete) == "d  public.log  null  (old row not captured)");
  const auto truncate = summarize_event("inventory.public.orders", std::nullopt,
                                        R"({"before":null,"after":null,"source":{"schema":"public","table":"orders"},"op":"t","ts_ms":1})");
  CHECK(event_line(truncate) == "t  public.orders  null  TRUNCATE");
}

TEST_CASE("an update without the old row (REPLICA IDENTITY DEFAULT) shows the new one") {
  const auto event = summarize_event("inventory.public.orders", R"({"id":7})",
                                     R"({"before":null,"after":{"id":7,"qty":3},"source":{"schema":"public","table":"orders"},"op":"u","ts_ms":1})");
  CHECK(event.changes.empty());
  CHECK(event_line(event) ==
        R"(u  public.orders  {"id":7}  {"id":7,"qty":3}  [old values not captured (REPLICA IDENTITY DEFAULT)])");
}

TEST_CASE("tombstones, heartbeats, transactions and records that are not events") {
  const auto tombstone = summarize_event("inventory.public.orders", R"({"id":7})", std::nullopt);
  CHECK(event_line(tombstone) == R"(-  public.orders  {"id":7}  tombstone)");
  const auto heartbeat = summarize_event("__debezium-heartbeat.inventory", R"({"serverName":"inventory"})",
                                         R"({"ts_ms":1795312800123})");
  CHECK(heartbeat.kind == EventSummary::Kind::Heartbeat);
  CHECK(heartbeat.ts_ms == 1795312800123);
  const auto begin = summarize_event("inventory.transaction", R"({"id":"556:24023128"})",
                                     R"({"status":"BEGIN","id":"556:24023128","event_count":null,"data_collections":null,"ts_ms":1})");
  CHECK(event_line(begin) == "BEGIN  tx 556:24023128");
  const auto end = summarize_event("inventory.transaction", R"({"id":"556:24023128"})",
                                   R"({"status":"END","id":"556:24023128","event_count":3,"data_collections":[],"ts_ms":1})");
  CHECK(event_line(end) == "END  tx 556:24023128 (3 events)");
  const auto binary = summarize_event("inventory.public.orders", std::string("\x00\xff", 2), std::string("\x01\x02\x03", 3));
  CHECK(binary.kind == EventSummary::Kind::Other);
  CHECK(binary.key == "base64:AP8=");
  CHECK(event_line(binary) == "?  public.orders  not JSON (3 bytes)");
  CHECK(summarize_event("t", std::nullopt, R"({"hello":"world"})").detail == "not a Debezium change event");
}

TEST_CASE("long lines are cut to the terminal's width") {
  const auto event = summarize_event("inventory.public.customers", R"({"id":1001})", kUpdate);
  const auto line = event_line(event, 30);
  CHECK(line == "u  public.customers  {\"id\":10…");  // 29 bytes and the ellipsis
}
