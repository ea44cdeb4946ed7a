#include "kafka/handles.hpp"

#include "core/error.hpp"
#include "core/secrets.hpp"

namespace cdcctl::kafka {

namespace {

void log_to_logger(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  const auto* logger = static_cast<const Logger*>(rd_kafka_opaque(rk));
  if (!logger) return;
  const std::string line = std::string("librdkafka ") + facility + ": " + message;
  if (level <= 4) logger->verbose(line);  // errors and warnings
  else logger->debug(line);
}

}  // namespace

ConfPtr make_conf(const std::map<std::string, std::string>& properties, const Logger* logger) {
  ConfPtr conf(rd_kafka_conf_new());
  rd_kafka_conf_set_opaque(conf.get(), const_cast<Logger*>(logger));
  rd_kafka_conf_set_log_cb(conf.get(), log_to_logger);
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

KafkaPtr make_producer(const std::map<std::string, std::string>& properties, const Logger* logger) {
  auto conf = make_conf(properties, logger);
  char error[512] = {};
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), error, sizeof error);
  if (!rk) throw Error::usage("cannot create Kafka client", error);
  (void)conf.release();  // rd_kafka_new took ownership
  return KafkaPtr(rk);
}

std::string librdkafka_version_text() { return rd_kafka_version_str(); }

}  // namespace cdcctl::kafka
