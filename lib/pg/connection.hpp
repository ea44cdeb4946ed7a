#pragma once
// libpq connections and results with RAII ownership. An empty conninfo means
// libpq's defaults, so PG* environment variables and ~/.pgpass apply as in psql.
#include <libpq-fe.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cdcctl::pg {

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
struct ConnDeleter {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};

class Result {
 public:
  explicit Result(PGresult* result) : result_(result) {}
  int rows() const { return PQntuples(result_.get()); }
  int columns() const { return PQnfields(result_.get()); }
  bool is_null(int row, int column) const { return PQgetisnull(result_.get(), row, column) == 1; }
  std::string text(int row, int column) const { return PQgetvalue(result_.get(), row, column); }
  std::optional<std::string> value(int row, int column) const;
  std::string column_name(int column) const { return PQfname(result_.get(), column); }
  PGresult* get() const { return result_.get(); }

 private:
  std::unique_ptr<PGresult, ResultDeleter> result_;
};

class Connection {
 public:
  // Throws Error (unreachable) with libpq's message when the connection or
  // authentication fails; the message never contains the password.
  // A password given here overrides the conninfo's and never shows in messages.
  // replication: a logical walsender connection (replication=database),
  // which takes replication commands through exec_simple.
  // session_options: server settings for the session ("-c DateStyle=ISO …"),
  // overridden by an options= the user's conninfo carries.
  static Connection open(const std::string& conninfo, std::chrono::milliseconds timeout,
                         const std::optional<std::string>& password = std::nullopt, bool replication = false,
                         const std::string& session_options = {});

  // Runs SQL with text parameters ($1, $2…); throws Error (failed) with the
  // server's message, detail and hint.
  Result exec(const std::string& sql, const std::vector<std::optional<std::string>>& params = {});
  // The simple query protocol (PQexec): the only one a walsender accepts.
  // PGRES_COPY_BOTH counts as success (START_REPLICATION).
  Result exec_simple(const std::string& sql);

  int server_version() const { return PQserverVersion(conn_.get()); }
  std::string describe() const;  // "user@host:port/db"
  PGconn* get() const { return conn_.get(); }

 private:
  explicit Connection(PGconn* conn) : conn_(conn) {}
  Result checked(PGresult* raw, bool copy_both_ok);
  std::unique_ptr<PGconn, ConnDeleter> conn_;
};

// "15.4" from 150004; "9.6.24" style for pre-10 servers.
std::string format_server_version(int version);
int libpq_version();

}  // namespace cdcctl::pg
