#pragma once
// A throwaway PostgreSQL cluster for one test binary or fixture: initdb into
// a temporary directory, wal_level=logical, a free port on 127.0.0.1 and a
// unix socket in the temporary directory. PostgreSQL refuses to run as root,
// so when the tests run as root the server runs as the `postgres` user.
// Stopped (immediate) and removed on destruction, also when a test fails.
#include <memory>
#include <optional>
#include <string>
#include <sys/types.h>

#include "support/process.hpp"

namespace cdcctl::testsupport {

class PgCluster;
// Asks PgCluster for a hot standby of `primary` instead of a fresh cluster.
struct StandbyOf {
  const PgCluster& primary;
};

class PgCluster {
 public:
  PgCluster();
  // A hot standby streaming from `primary` (pg_basebackup -R), on its own port.
  explicit PgCluster(StandbyOf standby);
  ~PgCluster();
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  int port() const { return port_; }
  const std::string& socket_dir() const { return socket_dir_; }
  // "host=SOCKET_DIR port=PORT user=postgres dbname=DB" (trust auth, no password)
  std::string conninfo(const std::string& database = "postgres") const;
  // "postgresql://postgres@127.0.0.1:PORT/DB" over TCP
  std::string uri(const std::string& database = "postgres") const;

  // Runs SQL through psql (ON_ERROR_STOP); returns its unaligned, tuples-only output.
  std::string psql(const std::string& sql, const std::string& database = "postgres") const;
  // A fresh database so tests never see each other's data.
  std::string create_database(const std::string& prefix);
  // Adds a role with a password (md5/scram over TCP), for auth tests.
  void create_login_role(const std::string& name, const std::string& password);

  const std::string& bin_dir() const { return bin_dir_; }
  // Restarts the server (fast shutdown), e.g. after ALTER SYSTEM of a setting
  // that needs it (wal_level, max_replication_slots).
  void restart();

 private:
  std::optional<std::pair<uid_t, gid_t>> server_user_;
  std::unique_ptr<TempDir> dir_;
  std::string bin_dir_;
  std::string data_dir_;
  std::string socket_dir_;
  std::string log_file_;
  int port_ = 0;
  int databases_ = 0;
  bool running_ = false;

  RunResult as_server_user(const std::vector<std::string>& argv) const;
  void prepare_directory();
  void start();
};

// The directory holding initdb/pg_ctl: $CDCCTL_TEST_PG_BIN or the newest
// /usr/lib/postgresql/*/bin.
std::string find_postgres_bin_dir();

}  // namespace cdcctl::testsupport
