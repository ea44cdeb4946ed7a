#include "kafka/handles.hpp"

#include "core/error.hpp"
#include "core/secrets.hpp"

namespace cdcctl::kafka {

ConfPtr make_conf(const std::map<std::string, std::string>& properties) {
  ConfPtr conf(rd_kafka_conf_new());
  char error[512] = {};
  for (const auto& [key, value] : properties) {
    if (rd_kafka_conf_set(conf.get(), key.c_str(), value.c_str(), error, sizeof error) != RD_KAFKA_CONF_OK) {
      const std::string shown = is_secret_key(key) ? std::string(kMask) : value;
      throw Error::usage("invalid Kafka property " + key + "=" + shown, error,
                         "see librdkafka's CONFIGURATION.md for property names and values");
    }
  }
  return conf;
}

KafkaPtr make_producer(const std::map<std::string, std::string>& properties) {
  auto conf = make_conf(properties);
  char error[512] = {};
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), error, sizeof error);
  if (!rk) throw Error::usage("cannot create Kafka client", error);
  (void)conf.release();  // rd_kafka_new took ownership
  return KafkaPtr(rk);
}

std::string librdkafka_version_text() { return rd_kafka_version_str(); }

}  // namespace cdcctl::kafka
