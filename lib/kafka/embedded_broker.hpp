#pragma once
// An in-process Kafka broker for development, demos and tests: librdkafka's
// mock cluster, which speaks the real Kafka wire protocol over TCP on
// 127.0.0.1 so any client (cdcctl, kcat, confluent-kafka) can connect.
//
// Not durable, and in librdkafka 2.0 it does not implement CreateTopics,
// DeleteTopics, DescribeConfigs, AlterConfigs, ListGroups, DescribeGroups or
// DeleteRecords: such requests time out. Topics are created through
// create_topic() (or automatically on first produce/metadata request).
#include <memory>
#include <string>

#include "kafka/handles.hpp"

struct rd_kafka_mock_cluster_s;

namespace cdcctl::kafka {

class EmbeddedBroker {
 public:
  explicit EmbeddedBroker(int brokers = 1);
  ~EmbeddedBroker();
  EmbeddedBroker(const EmbeddedBroker&) = delete;
  EmbeddedBroker& operator=(const EmbeddedBroker&) = delete;

  // "127.0.0.1:PORT[,…]"
  std::string bootstrap_servers() const;
  void create_topic(const std::string& name, int partitions, int replication_factor = 1);

 private:
  KafkaPtr owner_;  // the mock cluster lives inside this handle
  rd_kafka_mock_cluster_s* cluster_ = nullptr;  // owned by owner_
};

}  // namespace cdcctl::kafka
