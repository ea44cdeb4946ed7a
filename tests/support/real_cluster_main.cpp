// real-cluster: starts the real systems of the `real` test tier (a KRaft Kafka
// broker and Kafka Connect workers with Debezium, see support/real_cluster.hpp)
// and prints, on the first line of stdout, the bootstrap servers followed by
// each worker's URL, separated by spaces. Serves until stopped (see
// support/launcher.hpp); scripts/real-cluster.sh runs it for a person.
#include <cstdlib>
#include <iostream>
#include <string>

#include "support/launcher.hpp"
#include "support/real_cluster.hpp"

namespace {

constexpr const char* kUsage = "usage: real-cluster [--workers N] [--name NAME]\n";

}  // namespace

int main(int argc, char** argv) {
  cdcctl::testsupport::RealClusterOptions options;
  options.name = "cluster";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--workers" && i + 1 < argc) {
      options.workers = std::atoi(argv[++i]);
    } else if (arg == "--name" && i + 1 < argc) {
      options.name = argv[++i];
    } else {
      std::cerr << kUsage;
      return arg == "-h" || arg == "--help" ? 0 : 2;
    }
  }
  if (options.workers < 0 || options.workers > 4) {
    std::cerr << "real-cluster: --workers takes 0 to 4\n" << kUsage;
    return 2;
  }
  try {
    const cdcctl::testsupport::ShutdownSignals shutdown;
    cdcctl::testsupport::RealCluster cluster(options);
    std::cout << cluster.bootstrap_servers();
    for (const auto& url : cluster.connect_urls()) std::cout << " " << url;
    std::cout << std::endl;
    std::cerr << "real-cluster: logs in " << cluster.log_dir() << "\n"
              << "real-cluster: worker restart command: " << cluster.worker_restart_command() << "\n";
    shutdown.wait();
  } catch (const std::exception& error) {
    std::cerr << "real-cluster: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
