#include "pg/connection.hpp"

#include <algorithm>
#include <cstdlib>

#include "core/error.hpp"
#include "core/secrets.hpp"

namespace cdcctl::pg {

std::optional<std::string> Result::value(int row, int column) const {
  if (is_null(row, column)) return std::nullopt;
  return text(row, column);
}

namespace {

std::string trim(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

Connection Connection::open(const std::string& conninfo, std::chrono::milliseconds timeout,
                            const std::optional<std::string>& password, bool replication,
                            const std::string& session_options) {
  const auto seconds = std::max<std::int64_t>(2, (timeout.count() + 999) / 1000);
  const std::string timeout_text = std::to_string(seconds);
  // Keyword/value arrays so the user's conninfo (or URI) stays intact. With
  // expand_dbname, later keywords override earlier ones, so our defaults go
  // first and anything the user wrote (connect_timeout=…) wins.
  const bool user_timeout = conninfo.find("connect_timeout") != std::string::npos || std::getenv("PGCONNECT_TIMEOUT");
  std::vector<const char*> keywords = {"connect_timeout", "fallback_application_name", "options", "dbname"};
  std::vector<const char*> values = {user_timeout ? nullptr : timeout_text.c_str(), "cdcctl",
                                     session_options.empty() ? nullptr : session_options.c_str(), conninfo.c_str()};
  if (password) {
    keywords.push_back("password");
    values.push_back(password->c_str());
  }
  if (replication) {
    keywords.push_back("replication");
    values.push_back("database");
  }
  keywords.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* raw = PQconnectdbParams(keywords.data(), values.data(), /*expand_dbname=*/1);
  if (!raw) throw Error::failed("cannot allocate a PostgreSQL connection");
  Connection connection(raw);
  if (PQstatus(raw) != CONNECTION_OK) {
    const std::string message = trim(PQerrorMessage(raw));
    std::string hint = "check --pg (or PGHOST/PGPORT/PGUSER/PGDATABASE) and that the server accepts connections";
    if (message.find("password") != std::string::npos || message.find("authentication") != std::string::npos) {
      hint = "check the user and password (PGPASSWORD, ~/.pgpass or passfile=…)";
    }
    throw Error::unreachable("cannot connect to PostgreSQL" +
                                 (conninfo.empty() ? std::string() : " (" + mask_url_or_conninfo(conninfo) + ")"),
                             message, hint);
  }
  return connection;
}

Result Connection::exec(const std::string& sql, const std::vector<std::optional<std::string>>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& param : params) values.push_back(param ? param->c_str() : nullptr);
  return checked(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                              nullptr, 0),
                 false);
}

Result Connection::exec_simple(const std::string& sql) { return checked(PQexec(conn_.get(), sql.c_str()), true); }

Result Connection::checked(PGresult* raw, bool copy_both_ok) {
  Result result(raw);
  const auto status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && !(copy_both_ok && status == PGRES_COPY_BOTH)) {
    if (PQstatus(conn_.get()) == CONNECTION_BAD) {
      throw Error::unreachable("lost the connection to PostgreSQL", trim(PQerrorMessage(conn_.get())));
    }
    auto field = [&](int code) {
      const char* text = PQresultErrorField(result.get(), code);
      return text ? std::string(text) : std::string();
    };
    std::string why = field(PG_DIAG_MESSAGE_PRIMARY);
    if (auto detail = field(PG_DIAG_MESSAGE_DETAIL); !detail.empty()) why += " (" + detail + ")";
    throw Error::failed("PostgreSQL query failed", why.empty() ? trim(PQerrorMessage(conn_.get())) : why,
                        field(PG_DIAG_MESSAGE_HINT));
  }
  return result;
}

std::string Connection::describe() const {
  const char* host = PQhost(conn_.get());
  std::string where = host ? host : "";
  if (where.starts_with("/")) where = "socket " + where;
  return std::string(PQuser(conn_.get())) + "@" + where + ":" + PQport(conn_.get()) + "/" + PQdb(conn_.get());
}

std::string format_server_version(int version) {
  if (version >= 100000) return std::to_string(version / 10000) + "." + std::to_string(version % 10000);
  return std::to_string(version / 10000) + "." + std::to_string(version / 100 % 100) + "." +
         std::to_string(version % 100);
}

int libpq_version() { return PQlibVersion(); }

}  // namespace cdcctl::pg
