#pragma once
// The embedded Kafka launcher (tests/support/embedded_kafka_main.cpp) run as
// a separate process, as a developer would run it: it prints its bootstrap
// address and serves until stopped.
#include <string>
#include <vector>

#include "support/process.hpp"

namespace cdcctl::testsupport {

class EmbeddedKafka {
 public:
  // topics: "name" or "name:partitions", created before the address is printed.
  explicit EmbeddedKafka(const std::vector<std::string>& topics = {});
  const std::string& bootstrap_servers() const { return process_.first_line(); }
  int stop() { return process_.stop(); }

 private:
  BackgroundProcess process_;
};

}  // namespace cdcctl::testsupport
