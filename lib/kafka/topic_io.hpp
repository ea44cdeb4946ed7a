#pragma once
// Reading and writing records of a topic with librdkafka: a consumer that
// reads partitions from a start offset up to where they ended when asked
// (no consumer group is joined, nothing is committed), and a producer that
// writes to chosen partitions and waits for every delivery report.
//
// These are the building blocks for the offsets-topic codec and the DLQ
// commands; they hold librdkafka handles and never print.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/log.hpp"
#include "kafka/handles.hpp"

namespace cdcctl::kafka {

using Header = std::pair<std::string, std::optional<std::string>>;

struct Record {
  std::string topic{};
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::int64_t timestamp_ms = -1;  // -1 when the record has none
  std::optional<std::string> key{};    // nullopt: a null key
  std::optional<std::string> value{};  // nullopt: a null value (a tombstone)
  std::vector<Header> headers{};       // in order, duplicates kept
};

// A record as librdkafka holds it: nothing copied, valid only during the
// callback it is given to. For scans that look at most records and keep
// few; to_record() makes an owned copy.
struct RecordView {
  const rd_kafka_message_t* message = nullptr;
  std::string_view topic{};
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::int64_t timestamp_ms = -1;
  std::optional<std::string_view> key{};
  std::optional<std::string_view> value{};

  // Calls visit(name, value) for each header in order, duplicates included.
  template <typename Visit>
  void for_each_header(Visit&& visit) const {
    rd_kafka_headers_t* headers = nullptr;
    if (rd_kafka_message_headers(message, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR || !headers) return;
    const char* name = nullptr;
    const void* data = nullptr;
    std::size_t size = 0;
    for (std::size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &data, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i) {
      visit(std::string_view(name),
            data ? std::optional<std::string_view>(std::string_view(static_cast<const char*>(data), size)) : std::nullopt);
    }
  }
  Record to_record() const;
};

struct Watermarks {
  std::int64_t low = 0;   // the first offset still in the partition
  std::int64_t high = 0;  // the offset the next record will get
};

// A partition to read, from `start` (inclusive) to `end` (exclusive).
struct PartitionRange {
  std::int32_t partition = 0;
  std::int64_t start = 0;
  std::int64_t end = 0;
};

// Records the ranges hold (end - start summed, empty ranges as 0).
std::uint64_t records_in(const std::vector<PartitionRange>& ranges);

class Consumer {
 public:
  Consumer(const std::map<std::string, std::string>& properties, const Logger* logger = nullptr);

  // Partitions of the topic; Error (not found) when the broker lacks it.
  int partition_count(const std::string& topic, std::chrono::milliseconds timeout);
  // Every topic name the cluster reports, sorted.
  std::vector<std::string> topic_names(std::chrono::milliseconds timeout);
  Watermarks watermarks(const std::string& topic, std::int32_t partition, std::chrono::milliseconds timeout);
  // For each partition, the first offset whose timestamp is at or after
  // timestamp_ms, or nullopt when no record is that new (ListOffsets).
  std::vector<std::optional<std::int64_t>> offsets_for_times(const std::string& topic,
                                                             const std::vector<std::int32_t>& partitions,
                                                             std::int64_t timestamp_ms, std::chrono::milliseconds timeout);

  // Ranges covering every partition from the low to the high watermark.
  std::vector<PartitionRange> whole_topic(const std::string& topic, std::chrono::milliseconds timeout);

  // Calls on_record for each record of the ranges in partition order of
  // arrival (offset order within a partition) until every range is read or
  // on_record returns false. Error (unreachable) when nothing arrives for
  // idle_timeout while ranges are still open.
  void read(const std::string& topic, const std::vector<PartitionRange>& ranges,
            const std::function<bool(const Record&)>& on_record, std::chrono::milliseconds idle_timeout);
  // The same without copying each record out of librdkafka's buffers. When
  // given, keep_going is asked at least every 200 ms, also while nothing
  // arrives, and a false answer ends the read.
  void read_views(const std::string& topic, const std::vector<PartitionRange>& ranges,
                  const std::function<bool(const RecordView&)>& on_record, std::chrono::milliseconds idle_timeout,
                  const std::function<bool()>& keep_going = {});
  // Reads each partition from its range's start and goes on as new records
  // arrive (ends are ignored) until on_record returns false or keep_going()
  // does, which is asked at least every 200 ms.
  void follow_views(const std::string& topic, const std::vector<PartitionRange>& starts,
                    const std::function<bool(const RecordView&)>& on_record, const std::function<bool()>& keep_going);

 private:
  void consume(const std::string& topic, const std::vector<PartitionRange>& ranges,
               const std::function<bool(const RecordView&)>& on_record, std::chrono::milliseconds idle_timeout,
               bool follow, const std::function<bool()>& keep_going);

  KafkaPtr rk_;
  std::string bootstrap_;
};

// A consumer group's committed offsets, read (OffsetFetch) and written
// (OffsetCommit) without joining the group: its members are not rebalanced.
// Offsets are the next offset to read per partition.
class GroupOffsets {
 public:
  GroupOffsets(const std::map<std::string, std::string>& properties, std::string group, const Logger* logger = nullptr);
  ~GroupOffsets();
  GroupOffsets(const GroupOffsets&) = delete;
  GroupOffsets& operator=(const GroupOffsets&) = delete;

  const std::string& group() const { return group_; }
  // nullopt where the group has no offset.
  std::vector<std::optional<std::int64_t>> committed(const std::string& topic, const std::vector<std::int32_t>& partitions,
                                                     std::chrono::milliseconds timeout);
  void commit(const std::string& topic, const std::vector<std::pair<std::int32_t, std::int64_t>>& offsets,
              std::chrono::milliseconds timeout);

 private:
  KafkaPtr rk_;
  std::string group_;
  std::string bootstrap_;
};

class Producer {
 public:
  Producer(const std::map<std::string, std::string>& properties, const Logger* logger = nullptr);
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Queues one record for the given partition (or the key's partition by
  // the murmur2 partitioner when partition is nullopt). timestamp_ms 0 lets
  // the client stamp it.
  void produce(const std::string& topic, std::optional<std::int32_t> partition, const std::optional<std::string>& key,
               const std::optional<std::string>& value, const std::vector<Header>& headers = {},
               std::int64_t timestamp_ms = 0);
  // Waits for every queued record's delivery report; Error (failed) with the
  // first delivery error, or (unreachable) when the timeout passes first.
  void flush(std::chrono::milliseconds timeout);

  // Transactions (the properties must set transactional.id). Records
  // produced between begin and commit become visible to read_committed
  // consumers together, with the consumer offsets sent in between; an error
  // that needs it aborts the transaction before it is thrown.
  void init_transactions(std::chrono::milliseconds timeout);
  void begin_transaction();
  // Commits a consumer group's offsets (the next offset to read per
  // partition) as part of the open transaction.
  void send_offsets_to_transaction(const std::string& group, const std::string& topic,
                                   const std::vector<std::pair<std::int32_t, std::int64_t>>& offsets,
                                   std::chrono::milliseconds timeout);
  void commit_transaction(std::chrono::milliseconds timeout);
  void abort_transaction(std::chrono::milliseconds timeout);

  // Records queued in librdkafka and not yet acknowledged by the brokers.
  int queue_length() const;
  // The queue's size in records (queue.buffering.max.messages), as librdkafka was configured.
  int queue_capacity() const;
  // Learns the cluster's brokers and the leaders of every existing topic now,
  // so the first records do not wait for librdkafka's metadata timers.
  void load_metadata(std::chrono::milliseconds timeout);

  // Delivery reports counted, not kept: a transaction of a million records
  // must not hold a million positions.
  struct Delivery {
    std::int64_t pending = 0;
    std::string first_error{};
  };

 private:
  void abort_quietly(std::chrono::milliseconds timeout) noexcept;

  rd_kafka_topic_t* topic_handle(const std::string& topic);

  std::unique_ptr<Delivery> delivery_;  // a stable address for the delivery callback
  KafkaPtr rk_;
  std::string bootstrap_;
  // Looked up once per topic (after rk_: destroyed before the handle).
  std::map<std::string, TopicPtr, std::less<>> topics_;
  std::uint64_t produced_ = 0;
};

}  // namespace cdcctl::kafka
