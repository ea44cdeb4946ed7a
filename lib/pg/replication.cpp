#include "pg/replication.hpp"

#include <poll.h>

#include <algorithm>

#include <cerrno>
#include <cstring>

#include "core/error.hpp"
#include "pg/pgoutput.hpp"
#include "pg/sql.hpp"

namespace cdcctl::pg {

namespace {

std::string last_error(PGconn* conn) {
  std::string text = PQerrorMessage(conn);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

std::int64_t postgres_now() {
  const auto now = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch());
  return now.count() - kPostgresEpochOffsetUs;
}

ReplicationStream ReplicationStream::open(const std::string& conninfo, std::chrono::milliseconds timeout,
                                          const std::optional<std::string>& password) {
  return ReplicationStream(Connection::open(conninfo, timeout, password, /*replication=*/true, kDecodingSessionOptions));
}

SystemIdentity ReplicationStream::identify_system() {
  auto result = connection_.exec_simple("IDENTIFY_SYSTEM");
  if (result.rows() != 1 || result.columns() < 4) throw Error::failed("IDENTIFY_SYSTEM answered with an unexpected shape");
  return {result.text(0, 0), std::stoi(result.text(0, 1)), parse_lsn(result.text(0, 2)), result.text(0, 3)};
}

CreatedSlot ReplicationStream::create_logical_slot(const std::string& name, bool export_snapshot, bool temporary) {
  // The legacy keyword form works on every version from 10 on.
  auto result = connection_.exec_simple("CREATE_REPLICATION_SLOT " + quote_identifier(name) + (temporary ? " TEMPORARY" : "") +
                                        " LOGICAL pgoutput " + (export_snapshot ? "EXPORT_SNAPSHOT" : "NOEXPORT_SNAPSHOT"));
  if (result.rows() != 1 || result.columns() < 4) throw Error::failed("CREATE_REPLICATION_SLOT answered with an unexpected shape");
  return {result.text(0, 0), parse_lsn(result.text(0, 1)), result.value(0, 2).value_or(""), result.text(0, 3)};
}

void ReplicationStream::drop_slot(const std::string& name) {
  connection_.exec_simple("DROP_REPLICATION_SLOT " + quote_identifier(name) + " WAIT");
}

void ReplicationStream::start(const std::string& slot, Lsn start,
                              const std::vector<std::pair<std::string, std::string>>& options) {
  std::string sql = "START_REPLICATION SLOT " + quote_identifier(slot) + " LOGICAL " + format_lsn(start);
  if (!options.empty()) {
    sql += " (";
    for (std::size_t i = 0; i < options.size(); ++i) {
      sql += (i ? ", " : "") + quote_identifier(options[i].first) + " " + quote_literal(options[i].second);
    }
    sql += ")";
  }
  connection_.exec_simple(sql);
  streaming_ = true;
}

void CopyData::Free::operator()(char* data) const { PQfreemem(data); }

std::optional<CopyData> ReplicationStream::read(std::chrono::milliseconds timeout) {
  PGconn* conn = connection_.get();
  // Asked for only when there is nothing buffered and a wait is wanted: under
  // load a frame is already there, and reading the clock per frame shows.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  for (;;) {
    char* raw = nullptr;
    const int length = PQgetCopyData(conn, &raw, /*async=*/1);
    if (length > 0) return CopyData(raw, static_cast<std::size_t>(length));  // else libpq handed over nothing
    if (length == -1) {
      streaming_ = false;
      Result end(PQgetResult(conn));
      throw Error::unreachable("PostgreSQL ended the replication stream",
                               end.get() && PQresultErrorMessage(end.get())[0] ? PQresultErrorMessage(end.get()) : last_error(conn));
    }
    if (length == -2) {
      streaming_ = false;
      throw Error::unreachable("lost the replication connection to PostgreSQL", last_error(conn));
    }
    // Nothing buffered: wait for the socket, then let libpq read what came.
    // A zero timeout still looks at the socket once, so read(0ms) tells
    // whether the server has sent more without waiting for it.
    if (!deadline && timeout.count() > 0) deadline = std::chrono::steady_clock::now() + timeout;
    std::chrono::milliseconds::rep left = 0;
    if (deadline) {
      const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - std::chrono::steady_clock::now());
      left = std::max<std::chrono::milliseconds::rep>(0, remaining.count());
    }
    pollfd descriptor{PQsocket(conn), POLLIN, 0};
    const int ready = ::poll(&descriptor, 1, static_cast<int>(left));
    if (ready < 0 && errno != EINTR) throw Error::unreachable("cannot wait for PostgreSQL", std::strerror(errno));
    if (ready == 0 && left == 0) return std::nullopt;
    if (ready > 0 && PQconsumeInput(conn) == 0) {
      streaming_ = false;
      throw Error::unreachable("lost the replication connection to PostgreSQL", last_error(conn));
    }
  }
}

void ReplicationStream::confirm(Lsn write, Lsn flush, bool reply_requested) {
  const auto message = encode_status_update(write, flush, flush, postgres_now(), reply_requested);
  PGconn* conn = connection_.get();
  if (PQputCopyData(conn, reinterpret_cast<const char*>(message.data()), static_cast<int>(message.size())) != 1 ||
      PQflush(conn) != 0) {
    throw Error::unreachable("cannot send a status update to PostgreSQL", last_error(conn));
  }
}

void ReplicationStream::stop() {
  if (!streaming_) return;
  streaming_ = false;
  PGconn* conn = connection_.get();
  if (PQputCopyEnd(conn, nullptr) != 1 || PQflush(conn) != 0) return;
  // Drain what the server still sends until it ends the copy.
  for (;;) {
    char* raw = nullptr;
    const int length = PQgetCopyData(conn, &raw, /*async=*/0);
    if (length < 0) break;
    const CopyData dropped(raw, static_cast<std::size_t>(length));
  }
  while (PGresult* result = PQgetResult(conn)) PQclear(result);
}

}  // namespace cdcctl::pg
