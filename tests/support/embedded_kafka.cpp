#include "support/embedded_kafka.hpp"

namespace cdcctl::testsupport {

namespace {
std::vector<std::string> launcher_argv(const std::vector<std::string>& topics) {
  std::vector<std::string> argv{CDCCTL_EMBEDDED_KAFKA_BINARY};
  for (const auto& topic : topics) {
    argv.push_back("--topic");
    argv.push_back(topic);
  }
  return argv;
}
}  // namespace

EmbeddedKafka::EmbeddedKafka(const std::vector<std::string>& topics) : process_(launcher_argv(topics)) {}

}  // namespace cdcctl::testsupport
