#pragma once
// RAII ownership of librdkafka handles and a configuration builder with
// clear errors for bad properties.
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "core/error.hpp"
#include "core/log.hpp"

namespace cdcctl::kafka {

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
struct KafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
struct MetadataDeleter {
  void operator()(const rd_kafka_metadata_t* metadata) const { rd_kafka_metadata_destroy(metadata); }
};

struct QueueDeleter {
  void operator()(rd_kafka_queue_t* queue) const { rd_kafka_queue_destroy(queue); }
};
struct EventDeleter {
  void operator()(rd_kafka_event_t* event) const { rd_kafka_event_destroy(event); }
};

struct TopicDeleter {
  void operator()(rd_kafka_topic_t* topic) const { rd_kafka_topic_destroy(topic); }
};

using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;
using KafkaPtr = std::unique_ptr<rd_kafka_t, KafkaDeleter>;
using MetadataPtr = std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter>;
using QueuePtr = std::unique_ptr<rd_kafka_queue_t, QueueDeleter>;
using EventPtr = std::unique_ptr<rd_kafka_event_t, EventDeleter>;
using TopicPtr = std::unique_ptr<rd_kafka_topic_t, TopicDeleter>;

// Builds a configuration; an unknown property or invalid value is a usage
// error naming the property (values of secret properties are never shown).
// librdkafka's own log lines go to the logger (shown with -v), not straight
// to stderr; without a logger they are dropped and errors surface as Error.
ConfPtr make_conf(const std::map<std::string, std::string>& properties, const Logger* logger = nullptr);

// A client handle of the type from a configuration (which it takes over);
// Error (usage) naming `what` when librdkafka refuses the configuration.
KafkaPtr make_handle(rd_kafka_type_t type, ConfPtr conf, const std::string& what);

// A producer handle: the cheapest handle that can ask for metadata.
KafkaPtr make_producer(const std::map<std::string, std::string>& properties, const Logger* logger = nullptr);

std::string librdkafka_version_text();

// bootstrap.servers of the properties; Error (usage) with what to do when
// it is missing or empty.
std::string bootstrap_of(const std::map<std::string, std::string>& properties);

// "cannot reach Kafka at BOOTSTRAP: <librdkafka's reason>" (unreachable).
Error kafka_unreachable(const std::string& bootstrap, rd_kafka_resp_err_t err);

// A timeout as librdkafka's int milliseconds: at least 1, at most a day.
int timeout_ms(std::chrono::milliseconds timeout);

// Forwards one librdkafka log line to the logger: errors and warnings with
// -v, the rest with -vv. No-op without a logger.
void forward_log_line(const Logger* logger, int level, const char* facility, const char* message);

}  // namespace cdcctl::kafka
