#pragma once
// What a Kafka cluster looks like from a client: brokers, topics, cluster id.
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/log.hpp"

namespace cdcctl::kafka {

struct BrokerInfo {
  std::int32_t id = 0;
  std::string host;
  int port = 0;
};

struct TopicInfo {
  std::string name;
  int partitions = 0;
  std::string error;  // per-topic error from the broker, empty when fine
};

struct ClusterInfo {
  std::string cluster_id;
  std::int32_t controller_id = -1;
  std::vector<BrokerInfo> brokers;
  std::vector<TopicInfo> topics;  // internal topics (leading "__") included
};

// Throws Error (unreachable) when no broker answers within the timeout.
ClusterInfo describe_cluster(const std::map<std::string, std::string>& properties, std::chrono::milliseconds timeout,
                             const Logger* logger = nullptr);

}  // namespace cdcctl::kafka
