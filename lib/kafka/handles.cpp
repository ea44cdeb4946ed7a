#include "kafka/handles.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/secrets.hpp"

namespace cdcctl::kafka {

namespace {

void log_to_logger(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  forward_log_line(static_cast<const Logger*>(rd_kafka_opaque(rk)), level, facility, message);
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

KafkaPtr make_handle(rd_kafka_type_t type, ConfPtr conf, const std::string& what) {
  char error[512] = {};
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), error, sizeof error);
  if (!rk) throw Error::usage("cannot create " + what, error);
  (void)conf.release();  // rd_kafka_new took ownership
  return KafkaPtr(rk);
}

KafkaPtr make_producer(const std::map<std::string, std::string>& properties, const Logger* logger) {
  return make_handle(RD_KAFKA_PRODUCER, make_conf(properties, logger), "Kafka client");
}

std::string librdkafka_version_text() { return rd_kafka_version_str(); }

std::string bootstrap_of(const std::map<std::string, std::string>& properties) {
  const auto found = properties.find("bootstrap.servers");
  if (found == properties.end() || found->second.empty()) {
    throw Error::usage("no Kafka bootstrap servers configured", {},
                       "pass --bootstrap-servers HOST:PORT, set CDCCTL_BOOTSTRAP_SERVERS, or add it to a context");
  }
  return found->second;
}

Error kafka_unreachable(const std::string& bootstrap, rd_kafka_resp_err_t err) {
  return Error::unreachable("cannot reach Kafka at " + bootstrap, rd_kafka_err2str(err),
                            "check --bootstrap-servers, the network, and security settings (-X security.protocol=…)");
}

int timeout_ms(std::chrono::milliseconds timeout) {
  return static_cast<int>(std::clamp<std::int64_t>(timeout.count(), 1, 24LL * 3600 * 1000));
}

void forward_log_line(const Logger* logger, int level, const char* facility, const char* message) {
  if (!logger) return;
  const std::string line = std::string("librdkafka ") + facility + ": " + message;
  if (level <= 4) logger->verbose(line);  // errors and warnings
  else logger->debug(line);
}

}  // namespace cdcctl::kafka
