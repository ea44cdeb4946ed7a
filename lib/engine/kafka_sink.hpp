#pragma once
// The capture's Kafka side, exactly once: each batch of records and the
// Debezium offset that ends it go to Kafka in one transaction (its
// transactional.id is per connector, so a restarted worker fences the old
// one), the offset into Kafka Connect's offsets topic with Connect's key and
// partitioner. On start the worker reads its offset back from that topic.
//
// Memory stays bounded however large a transaction is: records stream into
// librdkafka's queue, which is capped and drained while they are produced.
#include <chrono>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "cdc/postgres_offset.hpp"
#include "core/log.hpp"
#include "engine/pg_capture.hpp"
#include "kafka/topic_io.hpp"

namespace cdcctl::engine {

struct KafkaSinkOptions {
  std::map<std::string, std::string> properties{};  // bootstrap.servers and librdkafka properties
  std::string connector{};                          // the connector's name: the offset key's first element
  std::string topic_prefix{};                       // the offset key's {"server": …}
  std::string offsets_topic = "connect-offsets";
  std::chrono::milliseconds timeout{60000};
};

// "cdcctl-<connector>": one producer identity per connector.
std::string transactional_id(const std::string& connector);

// The capture producer's librdkafka settings: the worker's, plus the
// transactional.id, which is always cdcctl's, and defaults the worker may
// override (transaction timeout, a 16 MB queue, 5 ms linger, no Nagle).
std::map<std::string, std::string> capture_producer_properties(const KafkaSinkOptions& options);

class KafkaSink final : public RecordSink {
 public:
  KafkaSink(KafkaSinkOptions options, const Logger* logger = nullptr);

  void write(const OutputRecord& record) override;
  void commit(const cdc::PostgresOffset& offset) override;
  void abort() override;

  std::uint64_t transactions() const { return transactions_; }
  int queue_length() const { return producer_.queue_length(); }
  int queue_capacity() const { return producer_.queue_capacity(); }

 private:
  KafkaSinkOptions options_;
  std::string offset_key_;
  kafka::Producer producer_;
  bool open_ = false;
  std::uint64_t transactions_ = 0;
};

// The connector's offset in the offsets topic: the last record with its key
// (compared as JSON, so spacing does not matter) wins; a tombstone removes
// it. nullopt when there is none, or the topic does not exist yet. Records of
// aborted transactions are not read (read_committed).
std::optional<nlohmann::json> read_connector_offset(const std::map<std::string, std::string>& properties,
                                                    const std::string& offsets_topic, const std::string& connector,
                                                    const nlohmann::json& partition, std::chrono::milliseconds timeout,
                                                    const Logger* logger = nullptr);

}  // namespace cdcctl::engine
