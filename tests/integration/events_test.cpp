// cdcctl events inspect|tail on the embedded Kafka: Debezium events written
// as the JSON converter writes them (with and without the schema wrapper),
// a tombstone, heartbeats and transaction records; --follow prints events
// that arrive after it started.
#include <doctest/doctest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "kafka/topic_io.hpp"
#include "support/embedded_kafka.hpp"
#include "support/process.hpp"

using namespace cdcctl::testsupport;
using nlohmann::json;

namespace {

constexpr std::int64_t kBase = 1795312800000;  // 2026-11-22T02:00:00Z

// Ordered, as Debezium writes its fields.
using ordered = nlohmann::ordered_json;

std::string change(const std::string& op, const ordered& before, const ordered& after) {
  return ordered{{"before", before},
              {"after", after},
              {"source", {{"connector", "postgresql"}, {"name", "inventory"}, {"schema", "public"}, {"table", "customers"}}},
              {"op", op},
              {"ts_ms", kBase}}
      .dump();
}

std::string wrapped(const std::string& payload) {
  return R"({"schema":{"type":"struct","name":"inventory.public.customers.Envelope"},"payload":)" + payload + "}";
}

}  // namespace

TEST_SUITE("events") {
  TEST_CASE("inspect and tail decode change events into one line each") {
    EmbeddedKafka kafka({"inventory.public.customers:1", "inventory.transaction:1", "__debezium-heartbeat.inventory:1"});
    const auto bootstrap = kafka.bootstrap_servers();
    {
      cdcctl::kafka::Producer producer({{"bootstrap.servers", bootstrap}});
      const std::string topic = "inventory.public.customers";
      producer.produce(topic, 0, R"({"id":1001})", change("r", nullptr, {{"id", 1001}, {"email", "a@x"}}), {}, kBase);
      producer.produce(topic, 0, R"({"schema":{"type":"struct"},"payload":{"id":1001}})",
                       wrapped(change("u", {{"id", 1001}, {"email", "a@x"}}, {{"id", 1001}, {"email", "b@x"}})), {}, kBase + 1);
      producer.produce(topic, 0, R"({"id":1001})", change("d", {{"id", 1001}, {"email", "b@x"}}, nullptr), {}, kBase + 2);
      producer.produce(topic, 0, R"({"id":1001})", std::nullopt, {}, kBase + 3);
      producer.produce("inventory.transaction", 0, R"({"id":"556:24023128"})",
                       R"({"status":"END","id":"556:24023128","event_count":3,"data_collections":[],"ts_ms":1})", {}, kBase);
      producer.produce("__debezium-heartbeat.inventory", 0, R"({"serverName":"inventory"})", R"({"ts_ms":1795312800000})",
                       {}, kBase);
      producer.flush(std::chrono::seconds(10));
    }
    auto cdcctl = [&](std::vector<std::string> args) {
      args.insert(args.end(), {"--bootstrap-servers", bootstrap});
      return run_cdcctl(args);
    };

    const auto inspect = cdcctl({"events", "inspect", "inventory.public.customers"});
    INFO(inspect.out, inspect.err);
    REQUIRE(inspect.exit_code == 0);
    CHECK(inspect.out ==
          "2026-11-22T02:00:00.000Z  0@0  r  public.customers  {\"id\":1001}  {\"id\":1001,\"email\":\"a@x\"}\n"
          "2026-11-22T02:00:00.001Z  0@1  u  public.customers  {\"id\":1001}  email: \"a@x\" → \"b@x\"\n"
          "2026-11-22T02:00:00.002Z  0@2  d  public.customers  {\"id\":1001}  {\"id\":1001,\"email\":\"b@x\"}\n"
          "2026-11-22T02:00:00.003Z  0@3  -  public.customers  {\"id\":1001}  tombstone\n");
    CHECK(cdcctl({"events", "inspect", "inventory.transaction"}).out.find("END  tx 556:24023128 (3 events)") != std::string::npos);
    CHECK(cdcctl({"events", "tail", "__debezium-heartbeat.inventory"}).out.find("0@0  heartbeat") != std::string::npos);

    const auto last = cdcctl({"events", "tail", "inventory.public.customers", "--last", "2", "-o", "json"});
    REQUIRE(last.exit_code == 0);
    std::istringstream lines(last.out);
    std::string first;
    std::getline(lines, first);
    const auto record = json::parse(first);
    CHECK(record["offset"] == 2);
    CHECK(record["key"] == json{{"id", 1001}});
    CHECK(record["value"]["op"] == "d");
    CHECK(record["timestamp"] == "2026-11-22T02:00:00.002Z");

    CHECK(cdcctl({"events", "inspect", "no-such-topic"}).exit_code == 4);
  }

  TEST_CASE("tail --follow prints events that arrive after it started") {
    EmbeddedKafka kafka({"inventory.public.orders:2"});
    const auto bootstrap = kafka.bootstrap_servers();
    cdcctl::kafka::Producer producer({{"bootstrap.servers", bootstrap}});
    const auto order = [](int id, int qty) {
      return ordered{{"before", nullptr},
                  {"after", {{"id", id}, {"qty", qty}}},
                  {"source", {{"schema", "public"}, {"table", "orders"}}},
                  {"op", "c"},
                  {"ts_ms", kBase}}
          .dump();
    };
    producer.produce("inventory.public.orders", 0, R"({"id":1})", order(1, 5), {}, kBase);
    producer.flush(std::chrono::seconds(10));

    BackgroundProcess tail({CDCCTL_BINARY, "events", "tail", "inventory.public.orders", "--last", "1", "--follow",
                            "--bootstrap-servers", bootstrap});
    CHECK(tail.first_line().ends_with("0@0  c  public.orders  {\"id\":1}  {\"id\":1,\"qty\":5}"));
    producer.produce("inventory.public.orders", 1, R"({"id":2})", order(2, 7), {}, kBase + 5);
    producer.flush(std::chrono::seconds(10));
    const auto next = tail.next_line(std::chrono::seconds(30));
    REQUIRE(next);
    CHECK(next->ends_with("1@0  c  public.orders  {\"id\":2}  {\"id\":2,\"qty\":7}"));
    CHECK(tail.stop() == 0);  // Ctrl-C (SIGTERM here) ends a follow cleanly
  }
}
