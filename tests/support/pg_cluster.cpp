#include "support/pg_cluster.hpp"

#include <pwd.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace cdcctl::testsupport {

namespace fs = std::filesystem;

std::string find_postgres_bin_dir() {
  if (const char* configured = std::getenv("CDCCTL_TEST_PG_BIN")) return configured;
  std::string best;
  int best_version = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const auto bin = entry.path() / "bin";
    int version = std::atoi(entry.path().filename().c_str());
    // The project targets PostgreSQL 15: use it when installed, else the newest.
    if (fs::exists(bin / "initdb") && (version == 15 || (best_version != 15 && version > best_version))) {
      best_version = version;
      best = bin.string();
    }
  }
  if (best.empty()) {
    throw std::runtime_error("no PostgreSQL server found under /usr/lib/postgresql (install postgresql-15: "
                             "scripts/install-deps.sh)");
  }
  return best;
}

namespace {

std::string tail_of_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto text = buffer.str();
  return text.size() > 2000 ? text.substr(text.size() - 2000) : text;
}

}  // namespace

void PgCluster::prepare_directory() {
  bin_dir_ = find_postgres_bin_dir();
  dir_ = std::make_unique<TempDir>("cdcctl-pg");
  data_dir_ = dir_->path() + "/data";
  socket_dir_ = dir_->path();
  log_file_ = dir_->path() + "/server.log";
  port_ = free_tcp_port();
  // Who owns this cluster: tests/support/stop-stray-clusters.sh stops clusters
  // whose owner died without tearing them down (a crash, a kill -9).
  std::ofstream(dir_->path() + "/owner.pid") << ::getpid() << "\n";

  if (::geteuid() == 0) {
    const passwd* user = ::getpwnam("postgres");
    if (!user) throw std::runtime_error("running as root but there is no 'postgres' user to run PostgreSQL as");
    server_user_ = std::make_pair(user->pw_uid, user->pw_gid);
    if (::chown(dir_->path().c_str(), user->pw_uid, user->pw_gid) != 0) {
      throw std::runtime_error("cannot hand " + dir_->path() + " to the postgres user");
    }
  }
}

void PgCluster::start() {
  auto result = as_server_user({bin_dir_ + "/pg_ctl", "-D", data_dir_, "-l", log_file_, "-w", "-t", "60", "start"});
  if (result.exit_code != 0) {
    throw std::runtime_error("pg_ctl start failed:\n" + result.out + result.err + "\nserver log:\n" +
                             tail_of_file(log_file_));
  }
  running_ = true;
}

PgCluster::PgCluster(StandbyOf standby) {
  const PgCluster& primary = standby.primary;
  prepare_directory();
  auto backup = as_server_user({bin_dir_ + "/pg_basebackup", "-h", primary.socket_dir(), "-p", std::to_string(primary.port()),
                                "-U", "postgres", "-D", data_dir_, "-R", "-X", "stream", "--no-sync", "-c", "fast"});
  if (backup.exit_code != 0) throw std::runtime_error("pg_basebackup failed:\n" + backup.out + backup.err);
  {
    // The copied postgresql.conf names the primary's port and socket; later lines win.
    std::ofstream conf(data_dir_ + "/postgresql.conf", std::ios::app);
    conf << "\n# cdcctl test harness: standby\n"
         << "port = " << port_ << "\n"
         << "unix_socket_directories = '" << socket_dir_ << "'\n"
         << "hot_standby = on\n"
         << "hot_standby_feedback = on\n";
  }
  if (server_user_) {
    [[maybe_unused]] int rc = ::chown((data_dir_ + "/postgresql.conf").c_str(), server_user_->first, server_user_->second);
  }
  start();
}

PgCluster::PgCluster() {
  prepare_directory();

  auto init = as_server_user({bin_dir_ + "/initdb", "-D", data_dir_, "-U", "postgres", "--auth=trust",
                              "--encoding=UTF8", "--locale=C", "--no-sync"});
  if (init.exit_code != 0) throw std::runtime_error("initdb failed:\n" + init.out + init.err);

  {
    std::ofstream conf(data_dir_ + "/postgresql.conf", std::ios::app);
    conf << "\n# cdcctl test harness\n"
         << "listen_addresses = '127.0.0.1'\n"
         << "port = " << port_ << "\n"
         << "unix_socket_directories = '" << socket_dir_ << "'\n"
         << "wal_level = logical\n"
         << "max_replication_slots = 20\n"
         << "max_wal_senders = 20\n"
         << "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"  // throwaway data: speed wins
         << "shared_buffers = 32MB\n"
         << "log_min_messages = warning\n";
  }
  {
    // Password logins over TCP for auth tests; trust on the socket for the harness.
    std::ofstream hba(data_dir_ + "/pg_hba.conf", std::ios::trunc);
    hba << "local all all trust\n"
        << "local replication all trust\n"
        << "host all postgres 127.0.0.1/32 trust\n"
        << "host replication postgres 127.0.0.1/32 trust\n"
        << "host all all 127.0.0.1/32 scram-sha-256\n"
        << "host replication all 127.0.0.1/32 scram-sha-256\n";
  }
  if (server_user_) {
    for (const char* file : {"/postgresql.conf", "/pg_hba.conf"}) {
      [[maybe_unused]] int rc = ::chown((data_dir_ + file).c_str(), server_user_->first, server_user_->second);
    }
  }

  start();
}

void PgCluster::restart() {
  auto result = as_server_user({bin_dir_ + "/pg_ctl", "-D", data_dir_, "-l", log_file_, "-m", "fast", "-w", "-t", "60", "restart"});
  if (result.exit_code != 0) {
    throw std::runtime_error("pg_ctl restart failed:\n" + result.out + result.err + "\nserver log:\n" + tail_of_file(log_file_));
  }
}

PgCluster::~PgCluster() {
  if (running_) as_server_user({bin_dir_ + "/pg_ctl", "-D", data_dir_, "-m", "immediate", "-w", "stop"});
}

RunResult PgCluster::as_server_user(const std::vector<std::string>& argv) const {
  RunOptions options;
  options.run_as = server_user_;
  options.cwd = dir_->path();
  options.unset_env = {"PG*"};
  options.timeout = std::chrono::seconds(120);
  return run_process(argv, options);
}

std::string PgCluster::conninfo(const std::string& database) const {
  return "host=" + socket_dir_ + " port=" + std::to_string(port_) + " user=postgres dbname=" + database;
}

std::string PgCluster::uri(const std::string& database) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

std::string PgCluster::psql(const std::string& sql, const std::string& database) const {
  RunOptions options;
  options.unset_env = {"PG*"};
  auto result = run_process({bin_dir_ + "/psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d",
                             conninfo(database), "-c", sql},
                            options);
  if (result.exit_code != 0) throw std::runtime_error("psql failed: " + sql + "\n" + result.err);
  while (!result.out.empty() && result.out.back() == '\n') result.out.pop_back();
  return result.out;
}

std::string PgCluster::create_database(const std::string& prefix) {
  const std::string name = prefix + "_" + std::to_string(++databases_);
  psql("CREATE DATABASE " + name);
  return name;
}

void PgCluster::create_login_role(const std::string& name, const std::string& password) {
  psql("CREATE ROLE " + name + " LOGIN PASSWORD '" + password + "'");
}

}  // namespace cdcctl::testsupport
