#include "kafka/cluster.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "kafka/handles.hpp"

namespace cdcctl::kafka {

ClusterInfo describe_cluster(const std::map<std::string, std::string>& properties, std::chrono::milliseconds timeout,
                             const Logger* logger) {
  const auto bootstrap = bootstrap_of(properties);
  auto rk = make_producer(properties, logger);
  const rd_kafka_metadata_t* raw = nullptr;
  const rd_kafka_resp_err_t err = rd_kafka_metadata(rk.get(), 1, nullptr, &raw, timeout_ms(timeout));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) throw kafka_unreachable(bootstrap, err);
  MetadataPtr metadata(raw);
  ClusterInfo info;
  info.controller_id = rd_kafka_controllerid(rk.get(), 0);
  if (char* id = rd_kafka_clusterid(rk.get(), 0)) {
    info.cluster_id = id;
    rd_kafka_mem_free(rk.get(), id);
  }
  for (int i = 0; i < metadata->broker_cnt; ++i) {
    const auto& broker = metadata->brokers[i];
    info.brokers.push_back({broker.id, broker.host, broker.port});
  }
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    const auto& topic = metadata->topics[i];
    info.topics.push_back({topic.topic, topic.partition_cnt,
                           topic.err ? rd_kafka_err2str(topic.err) : std::string()});
  }
  std::sort(info.brokers.begin(), info.brokers.end(), [](auto& a, auto& b) { return a.id < b.id; });
  std::sort(info.topics.begin(), info.topics.end(), [](auto& a, auto& b) { return a.name < b.name; });
  return info;
}

}  // namespace cdcctl::kafka
