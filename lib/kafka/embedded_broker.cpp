#include "kafka/embedded_broker.hpp"

#include <librdkafka/rdkafka_mock.h>

#include "core/error.hpp"

namespace cdcctl::kafka {

EmbeddedBroker::EmbeddedBroker(int brokers) {
  // A handle whose only job is to own the mock cluster's threads. Its
  // socket settings are the broker side's: without TCP_NODELAY a response
  // that follows an unacknowledged one waits for the client's delayed ACK,
  // about 40 ms, which a real broker (it sets TCP_NODELAY) never adds.
  owner_ = make_producer({{"log_level", "3"}, {"socket.nagle.disable", "true"}});
  cluster_ = rd_kafka_mock_cluster_new(owner_.get(), brokers);
  if (!cluster_) throw Error::failed("cannot start the embedded Kafka broker");
}

EmbeddedBroker::~EmbeddedBroker() {
  if (cluster_) rd_kafka_mock_cluster_destroy(cluster_);
}

std::string EmbeddedBroker::bootstrap_servers() const { return rd_kafka_mock_cluster_bootstraps(cluster_); }

void EmbeddedBroker::create_topic(const std::string& name, int partitions, int replication_factor) {
  auto err = rd_kafka_mock_topic_create(cluster_, name.c_str(), partitions, replication_factor);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw Error::failed("cannot create topic " + name + " on the embedded broker", rd_kafka_err2str(err));
  }
}

}  // namespace cdcctl::kafka
