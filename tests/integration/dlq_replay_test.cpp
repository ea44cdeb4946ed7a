// cdcctl dlq replay against the embedded Kafka: 10,000 DLQ records across
// three original topics, the replay killed with SIGKILL midway and run
// again. Read back from the targets: nothing lost, every record with its
// key, value, timestamp and headers, and the only records delivered twice
// are those of the batch in flight at the kill (the embedded broker neither
// hides unfinished transactions nor keeps transactional offsets, so this is
// what it can show; a real broker would show no duplicate at all).
#include <doctest/doctest.h>

#include <csignal>
#include <map>
#include <thread>

#include <nlohmann/json.hpp>

#include "kafka/topic_io.hpp"
#include "support/embedded_kafka.hpp"
#include "support/process.hpp"

using namespace cdcctl::testsupport;
using cdcctl::kafka::Header;
using cdcctl::kafka::Record;

namespace {

constexpr int kRecords = 10'000;
constexpr int kBatch = 500;
const std::vector<std::pair<std::string, int>> kTargets = {{"orders", 3}, {"payments", 2}, {"customers", 1}};
constexpr std::int64_t kBase = 1795312800000;

struct Original {
  std::string topic;
  int partition;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::int64_t timestamp;
  std::vector<Header> headers;  // the record's own, before Connect's
};

Original original(int i) {
  const auto& [topic, partitions] = kTargets[static_cast<std::size_t>(i % 3)];
  Original o{topic, i % partitions, "key-" + std::to_string(i), "{\"n\":" + std::to_string(i) + "}", kBase + i, {}};
  if (i % 97 == 0) o.key.reset();
  if (i % 50 == 0) o.value = std::string("\x00\xff\xfe", 3) + std::to_string(i);  // binary, not UTF-8
  if (i % 211 == 0) o.value.reset();
  if (i % 2 == 0) o.headers = {{"traceparent", "00-" + std::to_string(i) + "-01"}, {"tag", "a"}, {"tag", std::nullopt}};
  return o;
}

std::vector<Header> dlq_headers(const Original& o, int i) {
  auto headers = o.headers;
  const std::vector<Header> context = {{"__connect.errors.topic", o.topic},
                                       {"__connect.errors.partition", std::to_string(o.partition)},
                                       {"__connect.errors.offset", std::to_string(1000 + i)},
                                       {"__connect.errors.connector.name", "jdbc-sink"},
                                       {"__connect.errors.task.id", "0"},
                                       {"__connect.errors.stage", "TASK_PUT"},
                                       {"__connect.errors.exception.class.name", "java.sql.SQLException"},
                                       {"__connect.errors.exception.message", "connection refused"}};
  headers.insert(headers.end(), context.begin(), context.end());
  return headers;
}

// The DLQ: record i at partition i % 2 (so at offset i / 2 there).
void fill_dlq(const std::string& bootstrap) {
  cdcctl::kafka::Producer producer({{"bootstrap.servers", bootstrap}});
  for (int i = 0; i < kRecords; ++i) {
    const auto o = original(i);
    producer.produce("dlq-big", i % 2, o.key, o.value, dlq_headers(o, i), o.timestamp);
  }
  producer.flush(std::chrono::seconds(30));
}

std::vector<Record> read_all(const std::string& bootstrap, const std::string& topic) {
  cdcctl::kafka::Consumer consumer({{"bootstrap.servers", bootstrap}});
  std::vector<Record> records;
  consumer.read(topic, consumer.whole_topic(topic, std::chrono::seconds(10)),
                [&](const Record& record) {
                  records.push_back(record);
                  return true;
                },
                std::chrono::seconds(20));
  return records;
}

std::optional<std::string> header(const Record& record, const std::string& name) {
  for (const auto& [key, value] : record.headers) {
    if (key == name) return value;
  }
  return std::nullopt;
}

// The group's position in each partition of the DLQ (0 where it has none).
std::vector<std::int64_t> group_positions(const std::string& bootstrap, const std::string& group, const std::string& dlq,
                                          int partitions) {
  cdcctl::kafka::GroupOffsets offsets({{"bootstrap.servers", bootstrap}}, group);
  std::vector<std::int32_t> all;
  for (int p = 0; p < partitions; ++p) all.push_back(p);
  std::vector<std::int64_t> positions;
  for (const auto& offset : offsets.committed(dlq, all, std::chrono::seconds(10))) positions.push_back(offset.value_or(0));
  return positions;
}

std::int64_t group_position(const std::string& bootstrap, const std::string& group, const std::string& dlq = "dlq-big",
                            int partitions = 2) {
  std::int64_t total = 0;
  for (const auto position : group_positions(bootstrap, group, dlq, partitions)) total += position;
  return total;
}

std::size_t target_records(const std::string& bootstrap) {
  std::size_t total = 0;
  for (const auto& [topic, partitions] : kTargets) total += read_all(bootstrap, topic).size();
  return total;
}

}  // namespace

TEST_SUITE("dlq replay") {
  TEST_CASE("killed midway and run again: nothing lost, only the batch in flight twice, every record intact") {
    EmbeddedKafka kafka({"dlq-big:2", "orders:3", "payments:2", "customers:1"});
    const auto bootstrap = kafka.bootstrap_servers();
    fill_dlq(bootstrap);
    const std::string group = "cdcctl-replay-dlq-big";

    // Run 1, slowed down so it can be killed between transactions' ends.
    std::int64_t at_kill = 0;
    {
      BackgroundProcess first({CDCCTL_BINARY, "dlq", "replay", "dlq-big", "--yes", "--rate", "2000/s", "--batch",
                               std::to_string(kBatch), "--bootstrap-servers", bootstrap});
      CHECK(first.first_line().starts_with("replaying dlq-big from the position of group cdcctl-replay-dlq-big: up to "
                                           "10000 record(s) (p0 0..5000, p1 0..5000) to their original topics"));
      for (int i = 0; i < 600 && at_kill < 2 * kBatch; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        at_kill = group_position(bootstrap, group);
      }
      ::kill(first.pid(), SIGKILL);
      first.stop();
    }
    const auto positions_at_kill = group_positions(bootstrap, group, "dlq-big", 2);
    const auto resumed_from = positions_at_kill[0] + positions_at_kill[1];
    INFO("position at the kill: ", resumed_from);
    REQUIRE(resumed_from >= 2 * kBatch);
    REQUIRE(resumed_from < kRecords);  // killed midway

    // Run 2 continues from the group's position.
    const auto second = run_cdcctl({"dlq", "replay", "dlq-big", "--yes", "--bootstrap-servers", bootstrap});
    INFO(second.out, second.err);
    REQUIRE(second.exit_code == 0);
    CHECK(second.out.find("replayed " + std::to_string(kRecords - resumed_from) + " record(s)") != std::string::npos);
    CHECK(second.out.find("group cdcctl-replay-dlq-big now at p0 5000, p1 5000") != std::string::npos);

    // Read back every target.
    std::map<std::string, int> seen;  // cdcctl.replay.source → deliveries
    std::map<std::string, cdcctl::kafka::Record> by_source;
    for (const auto& [topic, partitions] : kTargets) {
      for (const auto& record : read_all(bootstrap, topic)) {
        const auto source = header(record, "cdcctl.replay.source");
        REQUIRE(source);
        ++seen[*source];
        by_source[*source] = record;
      }
    }
    int mismatches = 0;
    for (int i = 0; i < kRecords; ++i) {
      const auto source = "dlq-big/" + std::to_string(i % 2) + "/" + std::to_string(i / 2);
      const auto found = by_source.find(source);
      if (found == by_source.end()) {
        FAIL_CHECK("record lost: " << source);
        continue;
      }
      const auto& record = found->second;
      const auto o = original(i);
      auto expected_headers = o.headers;
      expected_headers.push_back({"cdcctl.replay.count", "1"});
      expected_headers.push_back({"cdcctl.replay.source", source});
      const bool same = record.topic == o.topic && record.partition == o.partition && record.key == o.key &&
                        record.value == o.value && record.timestamp_ms == o.timestamp && record.headers == expected_headers;
      if (!same && ++mismatches <= 5) FAIL_CHECK("record " << source << " differs from the original");
    }
    CHECK(mismatches == 0);
    CHECK(seen.size() == static_cast<std::size_t>(kRecords));

    // Twice: only records after the position the kill left, at most one batch.
    int twice = 0;
    for (const auto& [source, count] : seen) {
      CHECK(count <= 2);
      if (count < 2) continue;
      ++twice;
      // "dlq-big/P/OFFSET": a record of the batch in flight lies at or after
      // the position the kill left in its partition.
      const auto partition = static_cast<std::size_t>(std::stoi(source.substr(8, 1)));
      const auto offset = std::stoll(source.substr(10));
      CHECK(offset >= positions_at_kill[partition]);
    }
    MESSAGE("killed at position ", resumed_from, " of ", kRecords, "; delivered twice: ", twice);
    CHECK(twice <= kBatch);

    // Run 3 finds nothing to do and delivers nothing.
    const auto before = target_records(bootstrap);
    const auto third = run_cdcctl({"dlq", "replay", "dlq-big", "--yes", "--bootstrap-servers", bootstrap});
    CHECK(third.exit_code == 0);
    CHECK(third.out.find("nothing to replay: group cdcctl-replay-dlq-big is at the end of every partition") !=
          std::string::npos);
    CHECK(target_records(bootstrap) == before);
  }

  TEST_CASE("dry run, loop protection, records without an origin, and refusals") {
    EmbeddedKafka kafka({"dlq-small:1", "orders:3", "payments:2"});
    const auto bootstrap = kafka.bootstrap_servers();
    {
      cdcctl::kafka::Producer producer({{"bootstrap.servers", bootstrap}});
      auto tired = dlq_headers(original(0), 0);  // orders, replayed 3 times already
      tired.push_back({"cdcctl.replay.count", "3"});
      producer.produce("dlq-small", 0, "a", "{}", tired, kBase);
      producer.produce("dlq-small", 0, "b", "{}", dlq_headers(original(1), 1), kBase + 1);       // payments
      producer.produce("dlq-small", 0, "c", "{}", {{"__connect.errors.stage", "KEY_CONVERTER"}}, kBase + 2);  // no origin
      producer.produce("dlq-small", 0, "d", "{}", dlq_headers(original(3), 3), kBase + 3);       // orders
      producer.flush(std::chrono::seconds(10));
    }
    auto cdcctl = [&](std::vector<std::string> args) {
      args.insert(args.end(), {"--bootstrap-servers", bootstrap});
      return run_cdcctl(args);
    };

    const auto dry = cdcctl({"dlq", "replay", "dlq-small", "--dry-run"});
    INFO(dry.out, dry.err);
    REQUIRE(dry.exit_code == 0);
    CHECK(dry.out.find("  dlq-small 0@0 skipped: replayed --max-replays times already\n") != std::string::npos);
    CHECK(dry.out.find("  dlq-small 0@1 -> payments partition 1\n") != std::string::npos);
    CHECK(dry.out.find("  dlq-small 0@2 skipped: no __connect.errors.topic header (give --to)\n") != std::string::npos);
    CHECK(dry.out.find("would replay 2 record(s): orders 1, payments 1\n") != std::string::npos);
    CHECK(dry.out.find("would skip 2 record(s): 1 no __connect.errors.topic header (give --to); 1 replayed --max-replays "
                       "times already\n") != std::string::npos);
    CHECK(read_all(bootstrap, "orders").empty());
    CHECK(read_all(bootstrap, "payments").empty());
    CHECK(group_position(bootstrap, "cdcctl-replay-dlq-small", "dlq-small", 1) == 0);

    CHECK(cdcctl({"dlq", "replay", "dlq-small", "--to", "dlq-small", "--yes"}).exit_code == 2);
    const auto unconfirmed = cdcctl({"dlq", "replay", "dlq-small"});
    CHECK(unconfirmed.exit_code == 2);
    CHECK(unconfirmed.err.find("refusing to replay up to 4 record(s)") != std::string::npos);
    const auto missing = cdcctl({"dlq", "replay", "dlq-small", "--to", "no-such-topic", "--yes"});
    CHECK(missing.exit_code == 4);
    CHECK(missing.err.find("cannot replay to no-such-topic: the topic does not exist") != std::string::npos);
    CHECK(read_all(bootstrap, "orders").empty());

    // --limit stops after that many replayed records; the rerun continues after them.
    const auto limited = cdcctl({"dlq", "replay", "dlq-small", "--yes", "--limit", "1"});
    INFO(limited.out, limited.err);
    REQUIRE(limited.exit_code == 0);
    CHECK(limited.out.find("replayed 1 record(s): payments 1 in 1 transaction(s)\n") != std::string::npos);
    CHECK(limited.out.find("stopped at --limit 1; run again to continue") != std::string::npos);
    CHECK(read_all(bootstrap, "payments").size() == 1);
    CHECK(group_position(bootstrap, "cdcctl-replay-dlq-small", "dlq-small", 1) == 2);

    const auto real = cdcctl({"dlq", "replay", "dlq-small", "--yes", "--max-replays", "3", "-o", "json"});
    INFO(real.out, real.err);
    REQUIRE(real.exit_code == 0);
    const auto report = nlohmann::json::parse(real.out);
    CHECK(report["replayed"] == 1);  // the rest after --limit: record d
    CHECK(report["skipped"].size() == 1);
    CHECK(report["skipped"]["no __connect.errors.topic header (give --to)"] == 1);
    CHECK(report["positions"][0]["offset"] == 4);
    const auto orders = read_all(bootstrap, "orders");
    REQUIRE(orders.size() == 1);
    CHECK(orders[0].key == "d");
    CHECK(header(orders[0], "cdcctl.replay.count") == "1");
    CHECK(read_all(bootstrap, "payments").size() == 1);
  }

  TEST_CASE("Ctrl-C commits what was produced and exits 130; the rerun finishes without duplicates") {
    EmbeddedKafka kafka({"dlq-big:2", "orders:3", "payments:2", "customers:1"});
    const auto bootstrap = kafka.bootstrap_servers();
    fill_dlq(bootstrap);
    const std::string group = "cdcctl-replay-dlq-big";
    {
      BackgroundProcess replay({CDCCTL_BINARY, "dlq", "replay", "dlq-big", "--yes", "--rate", "1000/s", "--batch", "100",
                                "--bootstrap-servers", bootstrap});
      for (int i = 0; i < 600 && group_position(bootstrap, group) < 200; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      ::kill(replay.pid(), SIGINT);
      const auto status = replay.wait_exit(std::chrono::seconds(30));
      REQUIRE(status);
      CHECK(*status == 130);
    }
    const auto stopped_at = group_position(bootstrap, group);
    CHECK(stopped_at < kRecords);
    // Everything produced before the interrupt was committed with its
    // position: the targets hold exactly the records before it.
    CHECK(target_records(bootstrap) == static_cast<std::size_t>(stopped_at));
    const auto rerun = run_cdcctl({"dlq", "replay", "dlq-big", "--yes", "--bootstrap-servers", bootstrap});
    REQUIRE(rerun.exit_code == 0);
    CHECK(target_records(bootstrap) == static_cast<std::size_t>(kRecords));
  }
}
