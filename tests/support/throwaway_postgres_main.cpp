// throwaway-postgres: starts the test harness's PostgreSQL 15 cluster
// (temporary directory, wal_level=logical, free port, runs as `postgres`
// when root), prints its conninfo on the first line of stdout, and serves
// until stopped (see support/launcher.hpp), then stops it and removes every
// file.
#include <iostream>

#include "support/launcher.hpp"
#include "support/pg_cluster.hpp"

int main() {
  try {
    const cdcctl::testsupport::ShutdownSignals shutdown;  // pg_ctl's children get a clean mask
    cdcctl::testsupport::PgCluster cluster;
    std::cout << cluster.conninfo() << std::endl;
    shutdown.wait();
  } catch (const std::exception& error) {
    std::cerr << "throwaway-postgres: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
