// cdcctl dlq inspect|stats|lag against the embedded Kafka, on DLQ records
// written with Kafka Connect's exact context headers (and one by kcat -H, a
// peer client): binary and non-UTF-8 payloads, null keys and values.
#include <doctest/doctest.h>

#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/bytes.hpp"
#include "kafka/topic_io.hpp"
#include "support/embedded_kafka.hpp"
#include "support/process.hpp"

using namespace cdcctl::testsupport;
using cdcctl::kafka::Header;
using nlohmann::json;

namespace {

std::vector<Header> connect_headers(const std::string& topic, int partition, long long offset, const std::string& connector,
                                    const std::string& exception, const std::string& message) {
  return {{"__connect.errors.topic", topic},
          {"__connect.errors.partition", std::to_string(partition)},
          {"__connect.errors.offset", std::to_string(offset)},
          {"__connect.errors.connector.name", connector},
          {"__connect.errors.task.id", "0"},
          {"__connect.errors.stage", "TASK_PUT"},
          {"__connect.errors.class.name", "io.debezium.connector.jdbc.JdbcSinkConnectorTask"},
          {"__connect.errors.exception.class.name", exception},
          {"__connect.errors.exception.message", message},
          {"__connect.errors.exception.stacktrace", exception + ": " + message + "\n\tat io.debezium.X.put(X.java:42)"}};
}

constexpr const char* kConnect = "org.apache.kafka.connect.errors.ConnectException";
constexpr const char* kData = "org.apache.kafka.connect.errors.DataException";
const std::string kBinary("\xde\xad\xbe\xef\x1b[2J", 8);  // not UTF-8, and a terminal escape

// dlq-orders, 2 partitions:
//   p0: 0..5  orders records, ConnectException "Column 'email' value N …" (JSON values)
//       6     a binary value with an escape sequence, null key
//       7     a null value (tombstone) from payments
//   p1: 0..3  payments records, DataException "Unknown field 'x…'"
//       4     headers duplicated, plus an original header
struct Fixture {
  EmbeddedKafka kafka{{"dlq-orders:2", "orders:3", "payments:1"}};
  std::string bootstrap = kafka.bootstrap_servers();
  std::int64_t base_ms = 1795312800000;  // 2026-11-22T02:00:00Z

  Fixture() {
    cdcctl::kafka::Producer producer({{"bootstrap.servers", bootstrap}});
    for (int i = 0; i < 6; ++i) {
      producer.produce("dlq-orders", 0, "{\"id\":" + std::to_string(i) + "}",
                       "{\"id\":" + std::to_string(i) + ",\"email\":null}",
                       connect_headers("orders", i % 3, 100 + i, "jdbc-sink", kConnect,
                                       "Column 'email' value " + std::to_string(i) + " violates not-null constraint"),
                       base_ms + i * 1000);
    }
    producer.produce("dlq-orders", 0, std::nullopt, kBinary,
                     connect_headers("orders", 1, 200, "jdbc-sink", kConnect, "Column 'email' value 9 violates not-null constraint"),
                     base_ms + 6000);
    producer.produce("dlq-orders", 0, "{\"id\":7}", std::nullopt,
                     connect_headers("payments", 0, 300, "payments-sink", kData, "tombstone"), base_ms + 7000);
    for (int i = 0; i < 4; ++i) {
      producer.produce("dlq-orders", 1, "p" + std::to_string(i), "{\"amount\": 1." + std::to_string(i) + "}",
                       connect_headers("payments", 0, 10 + i, "payments-sink", kData, "Unknown field 'x" + std::to_string(i) + "'"),
                       base_ms + 10000 + i * 1000);
    }
    auto headers = connect_headers("payments", 0, 14, "payments-sink", kData, "Unknown field 'x4'");
    headers.insert(headers.begin(), {"traceparent", "00-4bf92f-01"});
    headers.push_back({"__connect.errors.exception.message", "Unknown field 'x4' again"});
    producer.produce("dlq-orders", 1, "p4", "{\"amount\": 1.4}", headers, base_ms + 14000);
    producer.flush(std::chrono::seconds(10));
  }

  RunResult cdcctl(std::vector<std::string> args) {
    args.insert(args.end(), {"--bootstrap-servers", bootstrap});
    return run_cdcctl(args);
  }

  std::vector<json> json_lines(std::vector<std::string> args) {
    args.insert(args.end(), {"-o", "json"});
    const auto result = cdcctl(args);
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    std::vector<json> lines;
    std::istringstream in(result.out);
    std::string line;
    while (std::getline(in, line)) lines.push_back(json::parse(line));
    return lines;
  }
};

std::set<std::string> coordinates(const std::vector<json>& lines) {
  std::set<std::string> seen;
  for (const auto& line : lines) seen.insert(std::to_string(line["partition"].get<int>()) + "@" + std::to_string(line["offset"].get<long long>()));
  return seen;
}

}  // namespace

TEST_SUITE("dlq") {
  TEST_CASE("inspect shows where each record came from, why it failed, and its payload safely") {
    Fixture f;
    const auto result = f.cdcctl({"dlq", "inspect", "dlq-orders"});
    INFO(result.out, result.err);
    REQUIRE(result.exit_code == 0);
    const auto& out = result.out;
    CHECK(out.find("dlq-orders 0@0  2026-11-22T02:00:00.000Z\n") != std::string::npos);
    CHECK(out.find("  original   orders 0@100\n") != std::string::npos);
    CHECK(out.find("  connector  jdbc-sink, task 0, stage TASK_PUT, in io.debezium.connector.jdbc.JdbcSinkConnectorTask\n") !=
          std::string::npos);
    CHECK(out.find("  exception  org.apache.kafka.connect.errors.ConnectException: Column 'email' value 0 violates "
                   "not-null constraint\n") != std::string::npos);
    CHECK(out.find("  key        (json, 8 bytes)\n      {\n        \"id\": 0\n      }\n") != std::string::npos);
    CHECK(out.find("  value      (json, 21 bytes)\n      {\n        \"email\": null,\n        \"id\": 0\n      }\n") !=
          std::string::npos);
    // Binary: base64, and the escape sequence never reaches the terminal.
    CHECK(out.find("  key        null\n") != std::string::npos);
    CHECK(out.find("  value      (base64, 8 bytes) " + cdcctl::base64_encode(kBinary) + "\n") != std::string::npos);
    CHECK(out.find('\x1b') == std::string::npos);
    CHECK(out.find("dlq-orders 0@7") != std::string::npos);
    CHECK(out.find("  original   payments 0@300\n") != std::string::npos);
    // The later of two duplicate headers wins; original headers are listed.
    CHECK(out.find("Unknown field 'x4' again") != std::string::npos);
    CHECK(out.find("  headers    traceparent=00-4bf92f-01\n") != std::string::npos);
    CHECK(out.find("stacktrace") == std::string::npos);
    CHECK(out.find("dlq-orders 0@0") < out.find("dlq-orders 1@0"));  // partition by partition
    CHECK(result.err.find("13 of 13 record(s) read from dlq-orders") != std::string::npos);

    const auto traces = f.cdcctl({"dlq", "inspect", "dlq-orders", "--partition", "1", "--last", "1", "--stacktrace"});
    CHECK(traces.out.find("  stacktrace\n      org.apache.kafka.connect.errors.DataException: Unknown field 'x4'\n"
                          "      \tat io.debezium.X.put(X.java:42)\n") != std::string::npos);
    const auto cut = f.cdcctl({"dlq", "inspect", "dlq-orders", "--partition", "0", "--last", "8", "--max-bytes", "10"});
    CHECK(cut.out.find("(json, 21 bytes, cut at --max-bytes)\n      {\n        \"email…\n") != std::string::npos);
  }

  TEST_CASE("inspect windows and filters") {
    Fixture f;
    CHECK(coordinates(f.json_lines({"dlq", "inspect", "dlq-orders", "--last", "2"})) ==
          std::set<std::string>{"0@6", "0@7", "1@3", "1@4"});
    CHECK(coordinates(f.json_lines({"dlq", "inspect", "dlq-orders", "--from-offset", "6"})) ==
          std::set<std::string>{"0@6", "0@7"});
    CHECK(coordinates(f.json_lines({"dlq", "inspect", "dlq-orders", "--partition", "1", "--from-offset", "3"})) ==
          std::set<std::string>{"1@3", "1@4"});
    CHECK(coordinates(f.json_lines({"dlq", "inspect", "dlq-orders", "--since", "2026-11-22T02:00:12Z", "--until",
                                    "2026-11-22T02:00:14Z"})) == std::set<std::string>{"1@2", "1@3"});
    CHECK(f.json_lines({"dlq", "inspect", "dlq-orders", "--since", "1m"}).empty());  // all records are older
    CHECK(f.json_lines({"dlq", "inspect", "dlq-orders", "--connector", "payments-sink"}).size() == 6);
    CHECK(coordinates(f.json_lines({"dlq", "inspect", "dlq-orders", "--original-topic", "payments", "--partition", "0"})) ==
          std::set<std::string>{"0@7"});
    CHECK(f.json_lines({"dlq", "inspect", "dlq-orders", "--exception", "DataException: Unknown field 'x[0-2]'"}).size() == 3);
    CHECK(coordinates(f.json_lines({"dlq", "inspect", "dlq-orders", "--grep", "amount.: 1\\.3"})) ==
          std::set<std::string>{"1@3"});

    CHECK(f.cdcctl({"dlq", "inspect", "dlq-orders", "--last", "2", "--from-offset", "1"}).exit_code == 2);
    CHECK(f.cdcctl({"dlq", "inspect", "dlq-orders", "--grep", "(unclosed"}).exit_code == 2);
    CHECK(f.cdcctl({"dlq", "inspect", "dlq-orders", "--since", "yesterday-ish"}).exit_code == 2);
    const auto missing = f.cdcctl({"dlq", "inspect", "no-such-dlq"});
    CHECK(missing.exit_code == 4);
    CHECK(missing.err.find("topic no-such-dlq does not exist") != std::string::npos);
    CHECK(f.cdcctl({"dlq", "inspect", "dlq-orders", "--partition", "5"}).exit_code == 4);
  }

  TEST_CASE("inspect -o json keeps every byte and header, in order") {
    Fixture f;
    const auto lines = f.json_lines({"dlq", "inspect", "dlq-orders", "--from-offset", "0"});
    REQUIRE(lines.size() == 13);
    const auto binary = std::find_if(lines.begin(), lines.end(), [](const json& l) { return l["offset"] == 6 && l["partition"] == 0; });
    REQUIRE(binary != lines.end());
    CHECK((*binary)["key"].is_null());
    CHECK(cdcctl::base64_decode((*binary)["value"].get<std::string>()) == kBinary);
    CHECK((*binary)["original"] == json{{"topic", "orders"}, {"partition", 1}, {"offset", 200}});
    const auto tombstone = std::find_if(lines.begin(), lines.end(), [](const json& l) { return l["offset"] == 7; });
    CHECK((*tombstone)["value"].is_null());
    const auto duplicated = std::find_if(lines.begin(), lines.end(), [](const json& l) { return l["partition"] == 1 && l["offset"] == 4; });
    const auto& headers = (*duplicated)["headers"];
    REQUIRE(headers.size() == 12);
    CHECK(headers[0]["key"] == "traceparent");
    CHECK(headers[9]["key"] == "__connect.errors.exception.message");
    CHECK(headers[11]["key"] == "__connect.errors.exception.message");
    CHECK(cdcctl::base64_decode(headers[11]["value"].get<std::string>()) == "Unknown field 'x4' again");
    CHECK((*duplicated)["exception"]["message"] == "Unknown field 'x4' again");
    CHECK((*duplicated)["timestamp"] == "2026-11-22T02:00:14.000Z");
  }

  TEST_CASE("a DLQ record written by kcat -H reads the same") {
    Fixture f;
    const auto produced = run_process(
        {"kcat", "-b", f.bootstrap, "-P", "-t", "dlq-orders", "-p", "1", "-k", "kcat-key", "-H",
         "__connect.errors.topic=orders", "-H", "__connect.errors.partition=2", "-H", "__connect.errors.offset=999", "-H",
         "__connect.errors.connector.name=jdbc-sink", "-H", "__connect.errors.task.id=1", "-H",
         "__connect.errors.stage=VALUE_CONVERTER", "-H",
         "__connect.errors.exception.class.name=org.apache.kafka.connect.errors.DataException", "-H",
         "__connect.errors.exception.message=Converting byte[] to Kafka Connect data failed"},
        {.stdin_data = "not json at all\n"});
    REQUIRE(produced.exit_code == 0);
    const auto lines = f.json_lines({"dlq", "inspect", "dlq-orders", "--partition", "1", "--last", "1"});
    REQUIRE(lines.size() == 1);
    CHECK(lines[0]["original"] == json{{"topic", "orders"}, {"partition", 2}, {"offset", 999}});
    CHECK(lines[0]["task"] == "1");
    CHECK(lines[0]["stage"] == "VALUE_CONVERTER");
    CHECK(lines[0]["exception"]["message"] == "Converting byte[] to Kafka Connect data failed");
    CHECK(cdcctl::base64_decode(lines[0]["key"].get<std::string>()) == "kcat-key");
    const auto text = f.cdcctl({"dlq", "inspect", "dlq-orders", "--partition", "1", "--last", "1"});
    CHECK(text.out.find("  value      (text, 15 bytes) not json at all\n") != std::string::npos);
  }

  TEST_CASE("stats: what broke and since when") {
    Fixture f;
    const auto result = f.cdcctl({"dlq", "stats", "dlq-orders", "-o", "json"});
    INFO(result.out, result.err);
    REQUIRE(result.exit_code == 0);
    const auto stats = json::parse(result.out);
    CHECK(stats["matched"] == 13);
    CHECK(stats["first_seen"] == "2026-11-22T02:00:00.000Z");
    CHECK(stats["last_seen"] == "2026-11-22T02:00:14.000Z");
    const auto& groups = stats["groups"];
    REQUIRE(groups.size() == 4);
    CHECK(groups[0]["count"] == 7);
    CHECK(groups[0]["exception_class"] == kConnect);
    CHECK(groups[0]["message_pattern"] == "Column '…' value N violates not-null constraint");
    CHECK(groups[0]["connector"] == "jdbc-sink");
    CHECK(groups[0]["original_topic"] == "orders");
    CHECK(groups[0]["first_seen"] == "2026-11-22T02:00:00.000Z");
    CHECK(groups[0]["last_seen"] == "2026-11-22T02:00:06.000Z");
    CHECK(groups[0]["examples"].size() == 3);
    CHECK(groups[1]["count"] == 4);
    CHECK(groups[1]["message_pattern"] == "Unknown field '…'");
    CHECK(groups[2]["message_pattern"] == "tombstone");  // count 1, seen first
    CHECK(groups[3]["message_pattern"] == "Unknown field '…' again");

    const auto table = f.cdcctl({"dlq", "stats", "dlq-orders", "--connector", "jdbc-sink"});
    CHECK(table.out.starts_with("dlq-orders: 7 records matched of 13 read, first 2026-11-22T02:00:00.000Z, last "
                                "2026-11-22T02:00:06.000Z\n"));
    CHECK(table.out.find("ConnectException") != std::string::npos);
    CHECK(table.out.find("DataException") == std::string::npos);
    const auto windowed = json::parse(f.cdcctl({"dlq", "stats", "dlq-orders", "--since", "2026-11-22T02:00:10Z", "-o", "json"}).out);
    CHECK(windowed["matched"] == 5);
  }

  TEST_CASE("lag: records a group has not consumed, with monitoring exit codes") {
    Fixture f;
    const auto none = f.cdcctl({"dlq", "lag", "dlq-orders", "--group", "replayer", "--warn", "5", "--crit", "12", "-o", "json"});
    INFO(none.out, none.err);
    CHECK(none.exit_code == 2);
    const auto report = json::parse(none.out);
    CHECK(report["total"] == 13);
    CHECK(report["partitions"][0]["committed"].is_null());

    cdcctl::kafka::GroupOffsets({{"bootstrap.servers", f.bootstrap}}, "replayer")
        .commit("dlq-orders", {{0, 6}, {1, 5}}, std::chrono::seconds(10));
    const auto partly = f.cdcctl({"dlq", "lag", "dlq-orders", "--group", "replayer", "--warn", "1", "--crit", "12"});
    CHECK(partly.exit_code == 1);
    CHECK(partly.out.starts_with("WARNING - 2 records in dlq-orders not yet consumed by group replayer (warn 1, crit 12)\n"));
    cdcctl::kafka::GroupOffsets({{"bootstrap.servers", f.bootstrap}}, "replayer")
        .commit("dlq-orders", {{0, 8}}, std::chrono::seconds(10));
    CHECK(f.cdcctl({"dlq", "lag", "dlq-orders", "--group", "replayer", "--warn", "1"}).exit_code == 0);
    CHECK(f.cdcctl({"dlq", "lag", "dlq-orders", "--group", "replayer", "--warn", "5", "--crit", "1"}).exit_code == 3);
    CHECK(f.cdcctl({"dlq", "lag", "no-such-dlq", "--group", "replayer"}).exit_code == 3);
  }
}
