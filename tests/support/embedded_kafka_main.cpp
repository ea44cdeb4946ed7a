// embedded-kafka: starts librdkafka's mock cluster (the real Kafka wire
// protocol on 127.0.0.1), prints the bootstrap address on the first line of
// stdout, and serves until stopped (see support/launcher.hpp).
//
// Limits of the mock in librdkafka 2.0: no CreateTopics, DeleteTopics,
// DescribeConfigs, AlterConfigs, ListGroups, DescribeGroups or DeleteRecords.
// Topics are created with --topic, or automatically on first use.
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "kafka/embedded_broker.hpp"
#include "support/launcher.hpp"

namespace {

constexpr const char* kUsage = "usage: embedded-kafka [--brokers N] [--topic NAME[:PARTITIONS]]...\n";

}  // namespace

int main(int argc, char** argv) {
  int brokers = 1;
  std::vector<std::pair<std::string, int>> topics;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--brokers" && i + 1 < argc) {
      brokers = std::atoi(argv[++i]);
    } else if (arg == "--topic" && i + 1 < argc) {
      std::string spec = argv[++i];
      auto colon = spec.find(':');
      int partitions = colon == std::string::npos ? 1 : std::atoi(spec.c_str() + colon + 1);
      topics.emplace_back(spec.substr(0, colon), partitions > 0 ? partitions : 1);
    } else {
      std::cerr << kUsage;
      return arg == "-h" || arg == "--help" ? 0 : 2;
    }
  }
  if (brokers < 1) {
    std::cerr << kUsage;
    return 2;
  }
  try {
    const cdcctl::testsupport::ShutdownSignals shutdown;  // before librdkafka's threads exist
    cdcctl::kafka::EmbeddedBroker broker(brokers);
    for (const auto& [name, partitions] : topics) broker.create_topic(name, partitions);
    std::cout << broker.bootstrap_servers() << std::endl;
    shutdown.wait();
  } catch (const cdcctl::Error& error) {
    std::cerr << "embedded-kafka: " << cdcctl::format_error(error);
    return 1;
  } catch (const std::exception& error) {
    std::cerr << "embedded-kafka: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
