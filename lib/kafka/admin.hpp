#pragma once
// Topic administration: what the cluster holds (metadata), each topic's
// effective configuration (DescribeConfigs) and topic creation
// (CreateTopics). Behind an interface so the planning, diffing and lint
// logic in lib/ops is tested with a fake, and so a broker that lacks an
// admin API (librdkafka's mock cluster implements none) is reported at once
// instead of after a request timeout.
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/log.hpp"

namespace cdcctl::kafka {

// A topic as metadata shows it.
struct TopicLayout {
  std::string name{};
  int partitions = 0;
  int replication_factor = 0;  // the smallest replica count over its partitions
};

// One effective configuration value of a topic.
struct ConfigValue {
  std::string value{};
  bool is_default = false;  // the broker's or Kafka's default, not set on the topic
  std::string source{};     // DYNAMIC_TOPIC_CONFIG, DEFAULT_CONFIG, … as the broker says
};

using TopicConfigs = std::map<std::string, ConfigValue>;

// A CreateTopics request for one topic.
struct NewTopicRequest {
  std::string name{};
  int partitions = 1;
  int replication_factor = 1;
  std::map<std::string, std::string> configs{};
};

// `kafka-topics.sh --bootstrap-server B --create --topic T …`: the same
// request with Kafka's own tool, for dry runs and brokers we cannot ask.
std::string kafka_topics_create_command(const std::string& bootstrap, const NewTopicRequest& request);

class TopicAdmin {
 public:
  virtual ~TopicAdmin() = default;

  // "host:port,…" — for messages and the kafka-configs commands we print.
  virtual std::string bootstrap_servers() const = 0;
  virtual int broker_count() = 0;
  // Every topic of the cluster (internal "__" topics included), by name.
  virtual std::vector<TopicLayout> list_topics() = 0;
  // Effective configuration of each named topic. Error (failed) naming the
  // API when the broker does not support DescribeConfigs.
  virtual std::map<std::string, TopicConfigs> describe_configs(const std::vector<std::string>& topics) = 0;
  // Creates the topic and waits for the controller to confirm. Error
  // (failed) with the broker's message when it refuses, or naming the API
  // when the broker does not support CreateTopics.
  virtual void create_topic(const NewTopicRequest& request) = 0;
};

// The admin client over librdkafka; requests are bounded by timeout.
std::unique_ptr<TopicAdmin> make_topic_admin(const std::map<std::string, std::string>& properties,
                                             std::chrono::milliseconds timeout, const Logger* logger = nullptr);

// Kafka protocol API keys the admin calls need.
enum class ApiKey : int { CreateTopics = 19, DescribeConfigs = 32 };

// The API keys a broker advertised, read from librdkafka's "feature" debug
// lines ("ApiKey CreateTopics (19) Versions 0..4"). nullopt when no such
// line was seen, i.e. unknown (the admin call is then tried as usual).
std::optional<std::set<int>> parse_api_support(const std::vector<std::string>& log_lines);

}  // namespace cdcctl::kafka
