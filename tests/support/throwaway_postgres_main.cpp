// throwaway-postgres: starts the test harness's PostgreSQL 15 cluster
// (temporary directory, wal_level=logical, free port, runs as `postgres`
// when root), prints its conninfo on the first line of stdout, and serves
// until SIGINT/SIGTERM, then stops it and removes every file.
#include <signal.h>

#include <iostream>

#include "support/pg_cluster.hpp"

int main() {
  try {
    cdcctl::testsupport::PgCluster cluster;
    // Block the stop signals only now: pg_ctl's children must not inherit a mask.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    std::cout << cluster.conninfo() << std::endl;
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
  } catch (const std::exception& error) {
    std::cerr << "throwaway-postgres: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
