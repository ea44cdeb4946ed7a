// The offsets-topic path: Kafka's murmur2 partitioner, Connect's offset key
// codec, replaying the topic as a worker does, and the rules that decide
// when writing tombstones is allowed.
#include <doctest/doctest.h>

#include "core/error.hpp"
#include "kafka/connect_offsets.hpp"
#include "kafka/murmur2.hpp"
#include "ops/connectors.hpp"
#include "ops/offsets_topic.hpp"

using namespace cdcctl;
using namespace cdcctl::ops;
using nlohmann::json;

TEST_CASE("murmur2 gives the Java client's values (Kafka's UtilsTest vectors)") {
  const std::pair<const char*, std::int32_t> vectors[] = {
      {"21", -973932308},
      {"foobar", -790332482},
      {"a-little-bit-long-string", -985981536},
      {"a-little-bit-longer-string", -1486304829},
      {"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971},
      {"abc", 479470107},
  };
  for (const auto& [input, expected] : vectors) {
    CAPTURE(input);
    CHECK(static_cast<std::int32_t>(kafka::murmur2(input)) == expected);
  }
  // toPositive drops the sign bit before the modulo, as the Java partitioner does.
  CHECK(kafka::default_partition("21", 25) == static_cast<int>((static_cast<std::uint32_t>(-973932308) & 0x7fffffffU) % 25));
  CHECK(kafka::default_partition("", 1) == 0);
  CHECK_THROWS(kafka::default_partition("x", 0));
}

TEST_CASE("Connect offset keys parse whatever their whitespace or field order; other shapes do not") {
  const auto compact = kafka::parse_connect_offset_key(R"(["inventory",{"server":"inventory","database":"inv"}])");
  const auto spaced = kafka::parse_connect_offset_key(R"([ "inventory" , { "database" : "inv", "server" : "inventory" } ])");
  REQUIRE(compact);
  REQUIRE(spaced);
  CHECK(compact->connector == "inventory");
  CHECK(compact->partition == spaced->partition);
  CHECK_FALSE(kafka::parse_connect_offset_key("not json"));
  CHECK_FALSE(kafka::parse_connect_offset_key(R"({"connector":"x"})"));
  CHECK_FALSE(kafka::parse_connect_offset_key(R"([1,{}])"));
  CHECK_FALSE(kafka::parse_connect_offset_key(R"(["only-one"])"));
  CHECK(kafka::encode_connect_offset_key("inventory", {{"server", "inventory"}}) == R"(["inventory",{"server":"inventory"}])");
}

namespace {

kafka::Record record(int partition, std::int64_t offset, std::optional<std::string> key, std::optional<std::string> value) {
  kafka::Record r;
  r.topic = "connect-offsets";
  r.partition = partition;
  r.offset = offset;
  r.key = std::move(key);
  r.value = std::move(value);
  return r;
}

}  // namespace

TEST_CASE("replaying the offsets topic: latest record per key and partition, tombstones remove, junk is counted") {
  const std::string a = R"(["inventory",{"server":"inventory"}])";
  const std::string a_spaced = R"(["inventory", {"server": "inventory"}])";
  const std::string other = R"(["inventory-2",{"server":"inventory"}])";
  OffsetsTopicReplay replay(25);
  replay.add(record(3, 0, a, R"({"lsn":1})"));
  replay.add(record(3, 1, a, R"({"lsn":2})"));          // supersedes offset 0
  replay.add(record(7, 0, a, R"({"lsn":9})"));          // same bytes, another partition: its own entry
  replay.add(record(3, 2, a_spaced, R"({"lsn":3})"));   // other bytes: its own key
  replay.add(record(4, 0, other, R"({"lsn":4})"));
  replay.add(record(4, 1, std::nullopt, "x"));          // no key
  replay.add(record(4, 2, "garbage", "x"));             // not an offset key
  replay.add(record(7, 1, a, std::nullopt));            // tombstone for partition 7 only

  const auto live = replay.live("inventory");
  REQUIRE(live.size() == 2);
  CHECK(live[0].topic_partition == 3);
  CHECK(live[0].record_offset == 1);
  CHECK(live[0].offset["lsn"] == 2);
  CHECK(live[0].expected_partition == kafka::default_partition(a, 25));
  CHECK(live[1].key == a_spaced);
  CHECK(live[1].partition == json{{"server", "inventory"}});
  CHECK(replay.records() == 8);
  CHECK(replay.unreadable() == 2);
  CHECK(replay.connectors() == std::map<std::string, std::size_t>{{"inventory", 2}, {"inventory-2", 1}});

  const auto offsets = to_connector_offsets("inventory", live);
  CHECK(offsets.type == "source");
  CHECK(offsets.offsets.size() == 2);
  CHECK(records_json(live)[0]["topic_partition"] == 3);

  // A connector with no live key is "not found" (exit 4), naming those that have some.
  try {
    require_keys(replay, "inventroy", "connect-offsets");
    FAIL("no error");
  } catch (const Error& error) {
    CHECK(error.code() == ExitCode::NotFound);
    CHECK(error.hint().find("inventory, inventory-2") != std::string::npos);
  }
}

TEST_CASE("tombstones need the connector gone from Connect or the operator's word") {
  CHECK(check_topic_reset(nullptr, "inventory", true) == "--i-have-stopped-the-workers was given");
  try {
    check_topic_reset(nullptr, "inventory", false);
    FAIL("allowed");
  } catch (const Error& error) {
    CHECK(error.code() == ExitCode::Failed);
    CHECK(error.hint().find("--i-have-stopped-the-workers") != std::string::npos);
  }
}

TEST_CASE("names chosen from a list follow the same rules as connectors on a cluster") {
  const std::vector<std::string> names = {"b", "a", "orders"};
  CHECK(select_names(names, {{}, std::nullopt, true}, "") == std::vector<std::string>{"a", "b", "orders"});
  CHECK(select_names(names, {{}, "a|b", false}, "") == std::vector<std::string>{"a", "b"});
  CHECK(select_names(names, {{"orders"}, std::nullopt, false}, "") == std::vector<std::string>{"orders"});
  CHECK_THROWS_AS(select_names(names, {{"nope"}, std::nullopt, false}, "hint"), Error);
  CHECK_THROWS_AS(select_names(names, {{}, std::nullopt, false}, "hint"), Error);
  CHECK_THROWS_AS(select_names(names, {{"a"}, std::nullopt, true}, "hint"), Error);
}
