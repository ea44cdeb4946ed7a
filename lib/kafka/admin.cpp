#include "kafka/admin.hpp"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <regex>

#include "core/error.hpp"
#include "kafka/handles.hpp"

namespace cdcctl::kafka {

std::optional<std::set<int>> parse_api_support(const std::vector<std::string>& log_lines) {
  static const std::regex api_line(R"(ApiKey \S+ \((\d+)\) Versions \d+\.\.\d+)");
  std::set<int> keys;
  bool seen = false;
  for (const auto& line : log_lines) {
    std::smatch match;
    if (std::regex_search(line, match, api_line)) {
      seen = true;
      keys.insert(std::stoi(match[1].str()));
    }
  }
  if (!seen) return std::nullopt;
  return keys;
}

std::string kafka_topics_create_command(const std::string& bootstrap, const NewTopicRequest& request) {
  std::string command = "kafka-topics.sh --bootstrap-server " + bootstrap + " --create --topic " + request.name +
                        " --partitions " + std::to_string(request.partitions) + " --replication-factor " +
                        std::to_string(request.replication_factor);
  for (const auto& [key, value] : request.configs) command += " --config " + key + "=" + value;
  return command;
}

namespace {

struct OptionsDeleter {
  void operator()(rd_kafka_AdminOptions_t* options) const { rd_kafka_AdminOptions_destroy(options); }
};
struct NewTopicDeleter {
  void operator()(rd_kafka_NewTopic_t* topic) const { rd_kafka_NewTopic_destroy(topic); }
};
struct ConfigResourceDeleter {
  void operator()(rd_kafka_ConfigResource_t* resource) const { rd_kafka_ConfigResource_destroy(resource); }
};
using OptionsPtr = std::unique_ptr<rd_kafka_AdminOptions_t, OptionsDeleter>;
using NewTopicPtr = std::unique_ptr<rd_kafka_NewTopic_t, NewTopicDeleter>;
using ConfigResourcePtr = std::unique_ptr<rd_kafka_ConfigResource_t, ConfigResourceDeleter>;

// librdkafka logs each broker's ApiVersions answer under the "feature" debug
// context; the lines are kept here (from librdkafka's threads) so the admin
// client can tell an unsupported API before sending a request that a broker
// without it would leave unanswered until the timeout.
struct LogCapture {
  const Logger* logger = nullptr;
  std::mutex mutex;
  std::vector<std::string> api_lines;
};

void capture_log(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  auto* capture = static_cast<LogCapture*>(rd_kafka_opaque(rk));
  if (!capture) return;
  if (std::strcmp(facility, "APIVERSION") == 0) {
    std::lock_guard lock(capture->mutex);
    capture->api_lines.emplace_back(message);
  }
  forward_log_line(capture->logger, level, facility, message);
}

std::string api_name(ApiKey key) {
  switch (key) {
    case ApiKey::CreateTopics: return "CreateTopics";
    case ApiKey::DescribeConfigs: return "DescribeConfigs";
  }
  return "API " + std::to_string(static_cast<int>(key));
}

class RdKafkaTopicAdmin final : public TopicAdmin {
 public:
  RdKafkaTopicAdmin(const std::map<std::string, std::string>& properties, std::chrono::milliseconds timeout,
                    const Logger* logger)
      : capture_(std::make_unique<LogCapture>()), timeout_(timeout) {
    bootstrap_ = bootstrap_of(properties);
    capture_->logger = logger;
    auto settings = properties;
    auto& debug = settings["debug"];
    debug = debug.empty() ? "feature" : debug + ",feature";
    auto conf = make_conf(settings, logger);
    rd_kafka_conf_set_opaque(conf.get(), capture_.get());
    rd_kafka_conf_set_log_cb(conf.get(), capture_log);
    rk_ = make_handle(RD_KAFKA_PRODUCER, std::move(conf), "Kafka admin client");
  }

  std::string bootstrap_servers() const override { return bootstrap_; }

  int broker_count() override { return metadata(false)->broker_cnt; }

  std::vector<TopicLayout> list_topics() override {
    const auto data = metadata(true);
    std::vector<TopicLayout> topics;
    for (int i = 0; i < data->topic_cnt; ++i) {
      const auto& topic = data->topics[i];
      if (topic.err) continue;
      TopicLayout layout{.name = topic.topic, .partitions = topic.partition_cnt};
      for (int p = 0; p < topic.partition_cnt; ++p) {
        const int replicas = topic.partitions[p].replica_cnt;
        layout.replication_factor = p == 0 ? replicas : std::min(layout.replication_factor, replicas);
      }
      topics.push_back(std::move(layout));
    }
    std::sort(topics.begin(), topics.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return topics;
  }

  std::map<std::string, TopicConfigs> describe_configs(const std::vector<std::string>& topics) override {
    std::map<std::string, TopicConfigs> described;
    if (topics.empty()) return described;
    require(ApiKey::DescribeConfigs, "read topic configurations with kafka-configs.sh --describe on a real broker");
    std::vector<ConfigResourcePtr> owned;
    std::vector<rd_kafka_ConfigResource_t*> resources;
    for (const auto& name : topics) {
      owned.emplace_back(rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, name.c_str()));
      resources.push_back(owned.back().get());
    }
    auto options = admin_options(RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
    QueuePtr queue(rd_kafka_queue_new(rk_.get()));
    rd_kafka_DescribeConfigs(rk_.get(), resources.data(), resources.size(), options.get(), queue.get());
    const auto event = wait_for(queue.get(), "describe topic configurations");
    const auto* result = rd_kafka_event_DescribeConfigs_result(event.get());
    std::size_t count = 0;
    const rd_kafka_ConfigResource_t** answered = rd_kafka_DescribeConfigs_result_resources(result, &count);
    for (std::size_t i = 0; i < count; ++i) {
      const auto* resource = answered[i];
      const std::string name = rd_kafka_ConfigResource_name(resource);
      if (const auto err = rd_kafka_ConfigResource_error(resource)) {
        if (err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
          throw Error::not_found("topic " + name + " does not exist", "Kafka at " + bootstrap_ + " does not know it");
        }
        const char* why = rd_kafka_ConfigResource_error_string(resource);
        throw Error::failed("cannot describe the configuration of topic " + name, why ? why : rd_kafka_err2str(err));
      }
      std::size_t entries = 0;
      const rd_kafka_ConfigEntry_t** configs = rd_kafka_ConfigResource_configs(resource, &entries);
      auto& values = described[name];
      for (std::size_t e = 0; e < entries; ++e) {
        const char* value = rd_kafka_ConfigEntry_value(configs[e]);
        values[rd_kafka_ConfigEntry_name(configs[e])] = {
            .value = value ? value : "",
            .is_default = rd_kafka_ConfigEntry_is_default(configs[e]) != 0,
            .source = rd_kafka_ConfigSource_name(rd_kafka_ConfigEntry_source(configs[e]))};
      }
    }
    return described;
  }

  void create_topic(const NewTopicRequest& request) override {
    require(ApiKey::CreateTopics, "create it on a broker that can: " + kafka_topics_create_command(bootstrap_, request));
    char error[512] = {};
    NewTopicPtr topic(rd_kafka_NewTopic_new(request.name.c_str(), request.partitions, request.replication_factor, error,
                                            sizeof error));
    if (!topic) throw Error::usage("invalid topic request for " + request.name, error);
    for (const auto& [key, value] : request.configs) {
      if (const auto err = rd_kafka_NewTopic_set_config(topic.get(), key.c_str(), value.c_str())) {
        throw Error::usage("invalid topic setting " + key + "=" + value, rd_kafka_err2str(err));
      }
    }
    auto options = admin_options(RD_KAFKA_ADMIN_OP_CREATETOPICS);
    char option_error[512] = {};
    rd_kafka_AdminOptions_set_operation_timeout(options.get(), timeout_ms(timeout_), option_error, sizeof option_error);
    QueuePtr queue(rd_kafka_queue_new(rk_.get()));
    rd_kafka_NewTopic_t* topics[] = {topic.get()};
    rd_kafka_CreateTopics(rk_.get(), topics, 1, options.get(), queue.get());
    const auto event = wait_for(queue.get(), "create topic " + request.name);
    const auto* result = rd_kafka_event_CreateTopics_result(event.get());
    std::size_t count = 0;
    const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(result, &count);
    for (std::size_t i = 0; i < count; ++i) {
      const auto err = rd_kafka_topic_result_error(results[i]);
      if (!err) continue;
      const char* why = rd_kafka_topic_result_error_string(results[i]);
      const std::string reason = why ? why : rd_kafka_err2str(err);
      if (err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        throw Error::failed("topic " + request.name + " already exists", reason, "run the command again to check it");
      }
      throw Error::failed("Kafka at " + bootstrap_ + " refused to create topic " + request.name, reason);
    }
  }

 private:
  MetadataPtr metadata(bool all_topics) {
    const rd_kafka_metadata_t* raw = nullptr;
    const auto err = rd_kafka_metadata(rk_.get(), all_topics ? 1 : 0, nullptr, &raw, timeout_ms(timeout_));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) throw kafka_unreachable(bootstrap_, err);
    connected_ = true;
    return MetadataPtr(raw);
  }

  // Fails at once when the broker's ApiVersions answer lacks the API. The
  // answer is logged while the first connection is set up, so a metadata
  // request beforehand makes sure it has arrived.
  void require(ApiKey key, const std::string& hint) {
    if (!connected_) (void)metadata(false);
    std::optional<std::set<int>> supported;
    {
      std::lock_guard lock(capture_->mutex);
      supported = parse_api_support(capture_->api_lines);
    }
    if (supported && !supported->contains(static_cast<int>(key))) {
      const auto name = api_name(key);
      throw Error::failed("Kafka at " + bootstrap_ + ": broker does not support " + name,
                          "its ApiVersions answer lacks API key " + std::to_string(static_cast<int>(key)) + " (" + name +
                              "); the embedded broker (librdkafka's mock cluster) implements no admin APIs",
                          hint);
    }
  }

  OptionsPtr admin_options(rd_kafka_admin_op_t op) {
    OptionsPtr options(rd_kafka_AdminOptions_new(rk_.get(), op));
    char error[512] = {};
    rd_kafka_AdminOptions_set_request_timeout(options.get(), timeout_ms(timeout_), error, sizeof error);
    return options;
  }

  EventPtr wait_for(rd_kafka_queue_t* queue, const std::string& what) {
    // The request timeout ends the request; the poll waits a little longer
    // so librdkafka's own timeout error is what we report.
    EventPtr event(rd_kafka_queue_poll(queue, timeout_ms(timeout_ + std::chrono::seconds(5))));
    if (!event) {
      throw Error::unreachable("Kafka at " + bootstrap_ + " did not answer in time", "while trying to " + what,
                               "raise --timeout for a slow cluster");
    }
    if (const auto err = rd_kafka_event_error(event.get())) {
      const std::string why = rd_kafka_event_error_string(event.get());
      if (err == RD_KAFKA_RESP_ERR__TIMED_OUT) {
        throw Error::unreachable("Kafka at " + bootstrap_ + " did not answer in time", "cannot " + what + ": " + why,
                                 "raise --timeout for a slow cluster");
      }
      throw Error::failed("cannot " + what, why);
    }
    return event;
  }

  std::unique_ptr<LogCapture> capture_;  // a stable address for librdkafka's log callback
  KafkaPtr rk_;                          // destroyed first: no callback outlives capture_
  std::string bootstrap_;
  std::chrono::milliseconds timeout_;
  bool connected_ = false;
};

}  // namespace

std::unique_ptr<TopicAdmin> make_topic_admin(const std::map<std::string, std::string>& properties,
                                             std::chrono::milliseconds timeout, const Logger* logger) {
  return std::make_unique<RdKafkaTopicAdmin>(properties, timeout, logger);
}

}  // namespace cdcctl::kafka
