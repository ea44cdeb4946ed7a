// embedded-kafka: starts librdkafka's mock cluster (the real Kafka wire
// protocol on 127.0.0.1), prints the bootstrap address on the first line of
// stdout, and serves until SIGINT/SIGTERM (or, with --stop-on-eof, until its
// standard input closes, so a parent can stop it by closing a pipe).
//
// Limits of the mock in librdkafka 2.0: no CreateTopics, DeleteTopics,
// DescribeConfigs, AlterConfigs, ListGroups, DescribeGroups or DeleteRecords.
// Topics are created with --topic, or automatically on first use.
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "kafka/embedded_broker.hpp"

namespace {

void usage() {
  std::cerr << "usage: embedded-kafka [--brokers N] [--topic NAME[:PARTITIONS]]... [--stop-on-eof]\n";
}

}  // namespace

int main(int argc, char** argv) {
  int brokers = 1;
  bool stop_on_eof = false;
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
    } else if (arg == "--stop-on-eof") {
      stop_on_eof = true;
    } else if (arg == "-h" || arg == "--help") {
      usage();
      return 0;
    } else {
      usage();
      return 2;
    }
  }
  if (brokers < 1) {
    usage();
    return 2;
  }

  // Block the stop signals before librdkafka starts its threads, so they
  // inherit the mask and the signals are collected here with sigtimedwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  try {
    cdcctl::kafka::EmbeddedBroker broker(brokers);
    for (const auto& [name, partitions] : topics) broker.create_topic(name, partitions);
    std::cout << broker.bootstrap_servers() << std::endl;

    const timespec tick{0, 200'000'000};
    while (true) {
      if (sigtimedwait(&stop_signals, nullptr, &tick) > 0) break;
      if (stop_on_eof) {
        pollfd in{STDIN_FILENO, POLLIN, 0};
        if (poll(&in, 1, 0) > 0) {
          char buffer[256];
          if (read(STDIN_FILENO, buffer, sizeof buffer) <= 0) break;
        }
      }
    }
  } catch (const cdcctl::Error& error) {
    std::cerr << cdcctl::format_error(error);
    return 1;
  }
  return 0;
}
