// Dead-letter queues without a broker: bytes made safe to show, Kafka
// Connect's context headers, the headers of a replayed record, filters,
// message patterns, grouping and backlog verdicts.
#include <doctest/doctest.h>

#include "core/bytes.hpp"
#include "core/error.hpp"
#include "core/units.hpp"
#include "kafka/dlq_record.hpp"
#include "ops/dlq.hpp"
#include "ops/dlq_replay.hpp"

using namespace cdcctl;
using namespace cdcctl::ops;
using cdcctl::kafka::Header;
using cdcctl::kafka::Record;

namespace {

// The header set Kafka Connect's DeadLetterQueueReporter writes.
std::vector<Header> connect_headers(const std::string& topic, int partition, long long offset,
                                    const std::string& message = "Column 'email' cannot be null") {
  return {{"__connect.errors.topic", topic},
          {"__connect.errors.partition", std::to_string(partition)},
          {"__connect.errors.offset", std::to_string(offset)},
          {"__connect.errors.connector.name", "jdbc-sink"},
          {"__connect.errors.task.id", "0"},
          {"__connect.errors.stage", "TASK_PUT"},
          {"__connect.errors.class.name", "io.debezium.connector.jdbc.JdbcSinkConnectorTask"},
          {"__connect.errors.exception.class.name", "org.apache.kafka.connect.errors.ConnectException"},
          {"__connect.errors.exception.message", message},
          {"__connect.errors.exception.stacktrace", "org.apache.kafka.connect.errors.ConnectException: x\n\tat A.b(A.java:1)"}};
}

Record dlq_record(std::int32_t partition, std::int64_t offset, std::vector<Header> headers, std::int64_t timestamp = 1000) {
  return {.topic = "dlq-orders",
          .partition = partition,
          .offset = offset,
          .timestamp_ms = timestamp,
          .key = std::string("{\"id\":42}"),
          .value = std::string("{\"id\":42,\"email\":null}"),
          .headers = std::move(headers)};
}

}  // namespace

TEST_CASE("base64 round trip, including binary and every padding length") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  const std::string binary("\x00\xff\x10\x80\x7f", 5);
  CHECK(base64_decode(base64_encode(binary)) == binary);
  CHECK(base64_decode("Zm8=") == "fo");
  CHECK_FALSE(base64_decode("Zm8"));    // not a multiple of 4
  CHECK_FALSE(base64_decode("Z=m8"));   // padding inside
  CHECK_FALSE(base64_decode("Zm8*"));   // not in the alphabet
}

TEST_CASE("printable UTF-8 is what may reach a terminal as text") {
  CHECK(is_printable_utf8("plain text\twith tab\nand newline"));
  CHECK(is_printable_utf8("Zürich, 東京, 🎉"));
  CHECK_FALSE(is_printable_utf8("\x1b[31mred"));       // an escape sequence
  CHECK_FALSE(is_printable_utf8(std::string("a\0b", 3)));
  CHECK_FALSE(is_printable_utf8("\xff\xfe"));          // not UTF-8
  CHECK_FALSE(is_printable_utf8("\xc0\xaf"));          // overlong
  CHECK_FALSE(is_printable_utf8("\xed\xa0\x80"));      // a surrogate
  CHECK_FALSE(is_printable_utf8("\xc2\x85"));          // a C1 control
  CHECK(is_valid_utf8("\xc2\x85"));
  CHECK(truncate_utf8("añb", 2) == "a");  // never half of ñ
  CHECK(truncate_utf8("añb", 3) == "añ");
  CHECK(truncate_utf8("abc", 10) == "abc");
}

TEST_CASE("Kafka Connect's context headers are decoded") {
  const auto context = kafka::read_dlq_context(connect_headers("orders", 3, 1042));
  CHECK(context.original_topic == "orders");
  CHECK(context.original_partition == 3);
  CHECK(context.original_offset == 1042);
  CHECK(context.connector == "jdbc-sink");
  CHECK(context.task_id == "0");
  CHECK(context.stage == "TASK_PUT");
  CHECK(context.exception_class == "org.apache.kafka.connect.errors.ConnectException");
  CHECK(context.exception_message == "Column 'email' cannot be null");
  CHECK(context.stacktrace->starts_with("org.apache.kafka.connect.errors.ConnectException: x"));
  CHECK(context.replay_count == 0);

  SUBCASE("a null message, a later duplicate, a bad number") {
    std::vector<Header> headers = {{"__connect.errors.exception.message", std::nullopt},
                                   {"__connect.errors.partition", "x"},
                                   {"__connect.errors.topic", "first"},
                                   {"__connect.errors.topic", "second"},
                                   {"cdcctl.replay.count", "2"}};
    const auto odd = kafka::read_dlq_context(headers);
    CHECK_FALSE(odd.exception_message);
    CHECK_FALSE(odd.original_partition);
    CHECK(odd.original_topic == "second");
    CHECK(odd.replay_count == 2);
    CHECK_FALSE(odd.connector);
  }
}

TEST_CASE("a replayed record keeps its own headers and says where it came from") {
  auto headers = connect_headers("orders", 3, 1042);
  headers.insert(headers.begin(), {"traceparent", "00-abc-01"});
  headers.insert(headers.begin() + 1, {"tag", "a"});
  headers.push_back({"tag", "b"});  // a duplicate, kept in place
  headers.push_back({"cdcctl.replay.count", "1"});
  headers.push_back({"cdcctl.replay.source", "dlq-orders/0/3"});
  const auto record = dlq_record(2, 77, headers);
  const auto replayed = kafka::replay_headers(record, kafka::read_dlq_context(record.headers));
  const std::vector<Header> expected = {{"traceparent", "00-abc-01"},
                                        {"tag", "a"},
                                        {"tag", "b"},
                                        {"cdcctl.replay.count", "2"},
                                        {"cdcctl.replay.source", "dlq-orders/2/77"}};
  CHECK(replayed == expected);
}

TEST_CASE("payloads are shown as JSON, text or base64, never raw bytes") {
  const auto json_view = view_payload(std::string("{\"id\":42,\"tags\":[\"a\"]}"), 0);
  CHECK(json_view.kind == PayloadView::Kind::Json);
  CHECK(json_view.text == "{\n  \"id\": 42,\n  \"tags\": [\n    \"a\"\n  ]\n}");
  CHECK(view_payload(std::string("hello wörld"), 0).kind == PayloadView::Kind::Text);
  CHECK(view_payload(std::string("42"), 0).kind == PayloadView::Kind::Text);
  CHECK(view_payload(std::string("{not json"), 0).kind == PayloadView::Kind::Text);
  const auto binary = view_payload(std::string("\x00\x01\xff\x1b", 4), 0);
  CHECK(binary.kind == PayloadView::Kind::Base64);
  CHECK(binary.text == "AAH/Gw==");
  CHECK(binary.size == 4);
  const auto none = view_payload(std::nullopt, 0);
  CHECK(none.kind == PayloadView::Kind::Null);
  const auto cut = view_payload(std::string("ñññ"), 3);
  CHECK(cut.truncated);
  CHECK(cut.text == "ñ");
}

TEST_CASE("filters on connector, original topic, exception and payload") {
  const auto record = dlq_record(0, 1, connect_headers("orders", 0, 5));
  const auto context = kafka::read_dlq_context(record.headers);
  CHECK(DlqFilter().matches(record, context));
  CHECK(DlqFilter().empty());
  CHECK(DlqFilter({.connector = "jdbc-sink"}).matches(record, context));
  CHECK_FALSE(DlqFilter({.connector = "other"}).matches(record, context));
  CHECK(DlqFilter({.original_topic = "orders"}).matches(record, context));
  CHECK_FALSE(DlqFilter({.original_topic = "payments"}).matches(record, context));
  CHECK(DlqFilter({.exception = "ConnectException: Column"}).matches(record, context));
  CHECK_FALSE(DlqFilter({.exception = "DataException"}).matches(record, context));
  CHECK(DlqFilter({.grep = "\"email\":null"}).matches(record, context));
  CHECK_FALSE(DlqFilter({.grep = "nobody"}).matches(record, context));
  CHECK_THROWS_AS(DlqFilter({.grep = "(unclosed"}), Error);
}

TEST_CASE("message patterns group failures that differ only in values") {
  CHECK(message_pattern("Column 'id' value 42 out of range") == "Column '…' value N out of range");
  CHECK(message_pattern("Column 'id' value 43 out of range") == "Column '…' value N out of range");
  CHECK(message_pattern("offset 1042 in partition 3") == "offset N in partition N");
  CHECK(message_pattern("row 3f2a9c1e-0b7d-4e21-9a53-2c8f6d1e7b40 missing") == "row UUID missing");
  CHECK(message_pattern("took 12.5 ms at 0x7f3a") == "took N ms at N");
  CHECK(message_pattern("utf8 and java.lang.Long2 stay") == "utf8 and java.lang.Long2 stay");
  CHECK(message_pattern("Unrecognized token \"abc\": was expecting") == "Unrecognized token \"…\": was expecting");
  CHECK(message_pattern("") == "");
  CHECK(message_pattern(std::string(400, 'x')).size() == 300 + std::string("…").size());
}

TEST_CASE("stats group by failure, connector, topic and stage, largest first") {
  DlqStatsBuilder builder("dlq-orders", 2);
  auto add = [&](std::int32_t partition, std::int64_t offset, const std::string& topic, const std::string& message,
                 std::int64_t time, std::vector<Header> extra = {}) {
    auto headers = connect_headers(topic, 0, offset, message);
    headers.insert(headers.end(), extra.begin(), extra.end());
    const auto record = dlq_record(partition, offset, headers, time);
    builder.scanned();
    builder.add(record, kafka::read_dlq_context(record.headers));
  };
  add(0, 1, "orders", "Column 'a' value 1", 5000);
  add(0, 2, "orders", "Column 'b' value 2", 3000);
  add(1, 7, "orders", "Column 'c' value 3", 9000, {{"cdcctl.replay.count", "1"}});
  add(1, 8, "payments", "Column 'a' value 1", 4000);
  const auto stats = builder.finish();
  CHECK(stats.scanned == 4);
  CHECK(stats.matched == 4);
  CHECK(stats.first_ms == 3000);
  CHECK(stats.last_ms == 9000);
  CHECK(stats.replayed_before == 1);
  REQUIRE(stats.groups.size() == 2);
  const auto& top = stats.groups[0];
  CHECK(top.count == 3);
  CHECK(top.original_topic == "orders");
  CHECK(top.message_pattern == "Column '…' value N");
  CHECK(top.first_ms == 3000);
  CHECK(top.last_ms == 9000);
  CHECK(top.examples == std::vector<std::pair<std::int32_t, std::int64_t>>{{0, 1}, {0, 2}});
  CHECK(stats.groups[1].original_topic == "payments");
  const auto json = to_json(stats);
  CHECK(json["groups"][0]["first_seen"] == "1970-01-01T00:00:03.000Z");
  CHECK(json["groups"][0]["examples"][1]["offset"] == 2);
}

TEST_CASE("a record as a JSON Lines object keeps every byte") {
  auto headers = connect_headers("orders", 3, 1042);
  headers.push_back({"blob", std::string("\x00\xff", 2)});
  headers.push_back({"blob", std::nullopt});
  auto record = dlq_record(1, 9, headers, 1795312800123);
  record.key = std::nullopt;
  record.value = std::string("\xde\xad\xbe\xef");
  const auto json = dlq_record_json(record, kafka::read_dlq_context(record.headers), false);
  CHECK(json["timestamp"] == "2026-11-22T02:00:00.123Z");
  CHECK(json["original"]["partition"] == 3);
  CHECK(json["key"].is_null());
  CHECK(json["value"] == "3q2+7w==");
  CHECK(json["exception"]["class"] == "org.apache.kafka.connect.errors.ConnectException");
  CHECK_FALSE(json["exception"].contains("stacktrace"));
  const auto& list = json["headers"];
  REQUIRE(list.size() == headers.size());
  CHECK(list[0]["key"] == "__connect.errors.topic");
  CHECK(list[0]["value"] == base64_encode("orders"));
  CHECK(list[list.size() - 2]["value"] == "AP8=");
  CHECK(list[list.size() - 1]["value"].is_null());
  CHECK(dlq_record_json(record, kafka::read_dlq_context(record.headers), true)["exception"]["stacktrace"]
            .get<std::string>()
            .starts_with("org.apache"));
}

TEST_CASE("the backlog of a group, with thresholds for cron") {
  std::vector<PartitionLag> partitions = {{.partition = 0, .low = 0, .high = 100, .committed = 60},
                                          {.partition = 1, .low = 10, .high = 50},                  // never committed
                                          {.partition = 2, .low = 30, .high = 40, .committed = 5}};  // below low: deleted
  const auto ok = assess_lag("dlq-orders", "replayer", partitions, {});
  CHECK(ok.partitions[0].lag == 40);
  CHECK(ok.partitions[1].lag == 40);
  CHECK(ok.partitions[2].lag == 10);
  CHECK(ok.total == 90);
  CHECK(ok.status == CheckStatus::Ok);
  CHECK(ok.summary == "OK - 90 records in dlq-orders not yet consumed by group replayer");
  CHECK(assess_lag("t", "g", partitions, {.warn = 90}).status == CheckStatus::Warning);
  const auto critical = assess_lag("t", "g", partitions, {.warn = 10, .crit = 50});
  CHECK(critical.status == CheckStatus::Critical);
  CHECK(critical.summary.ends_with("(warn 10, crit 50)"));
  CHECK(to_json(critical)["partitions"][1]["committed"].is_null());
}

TEST_CASE("Kafka record times are shown to the millisecond") {
  CHECK(format_timestamp_ms(0) == "1970-01-01T00:00:00.000Z");
  CHECK(format_timestamp_ms(1795312800123) == "2026-11-22T02:00:00.123Z");
  CHECK(format_timestamp_ms(-1) == "1969-12-31T23:59:59.999Z");
}

TEST_CASE("replay goes back to the original topic and partition, or to --to") {
  const auto context = kafka::read_dlq_context(connect_headers("orders", 3, 1042));
  const auto back = decide_replay(context, {.dlq_topic = "dlq-orders"});
  CHECK(back.skip == SkipReason::None);
  CHECK(back.topic == "orders");
  CHECK(back.partition == 3);
  const auto elsewhere = decide_replay(context, {.dlq_topic = "dlq-orders", .to = "orders-retry"});
  CHECK(elsewhere.topic == "orders-retry");
  CHECK_FALSE(elsewhere.partition);  // the key decides there

  SUBCASE("records that must not be replayed") {
    CHECK(decide_replay(kafka::read_dlq_context({}), {.dlq_topic = "dlq-orders"}).skip == SkipReason::NoOriginalTopic);
    CHECK(decide_replay(kafka::read_dlq_context({}), {.dlq_topic = "dlq-orders", .to = "orders"}).skip == SkipReason::None);
    CHECK(decide_replay(kafka::read_dlq_context(connect_headers("dlq-orders", 0, 1)), {.dlq_topic = "dlq-orders"}).skip ==
          SkipReason::IntoDlqItself);
    auto headers = connect_headers("orders", 0, 1);
    headers.push_back({"cdcctl.replay.count", "3"});
    const auto tired = kafka::read_dlq_context(headers);
    CHECK(decide_replay(tired, {.dlq_topic = "dlq-orders"}).skip == SkipReason::TooManyReplays);
    CHECK(decide_replay(tired, {.dlq_topic = "dlq-orders", .max_replays = 4}).skip == SkipReason::None);
  }
  SUBCASE("routing that can only loop is refused up front") {
    CHECK_THROWS_WITH_AS(check_replay_routing({.dlq_topic = "dlq-orders", .to = "dlq-orders"}),
                         doctest::Contains("refusing to replay dlq-orders into itself"), Error);
    CHECK_THROWS_AS(check_replay_routing({.dlq_topic = "dlq-orders", .max_replays = 0}), Error);
    CHECK_NOTHROW(check_replay_routing({.dlq_topic = "dlq-orders"}));
  }
  CHECK(default_replay_group("dlq-orders") == "cdcctl-replay-dlq-orders");
}

TEST_CASE("a slow replay keeps each transaction to about ten seconds") {
  CHECK(batch_for_rate(500, std::nullopt) == 500);
  CHECK(batch_for_rate(500, 1000.0) == 500);
  CHECK(batch_for_rate(500, 20.0) == 200);
  CHECK(batch_for_rate(500, 0.05) == 1);
  CHECK(batch_for_rate(0, std::nullopt) == 1);
}
