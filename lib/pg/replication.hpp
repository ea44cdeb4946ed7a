#pragma once
// A logical replication connection (libpq, replication=database): identify
// the system, create and drop slots, start streaming pgoutput, read the
// CopyData frames with a timeout, and confirm positions with standby status
// updates. The frames are decoded by pgoutput.hpp.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "pg/connection.hpp"
#include "pg/lsn.hpp"

namespace cdcctl::pg {

// The settings pgoutput's text values follow (ISO dates, UTC times,
// postgres-style intervals): a snapshot connection reading the same tables
// must use them too, so a row reads the same in both.
inline constexpr const char* kDecodingSessionOptions = "-c DateStyle=ISO,YMD -c TimeZone=UTC -c IntervalStyle=postgres";

struct SystemIdentity {
  std::string system_id{};
  int timeline = 0;
  Lsn wal_position = 0;
  std::string database{};
};

struct CreatedSlot {
  std::string name{};
  Lsn consistent_point = 0;     // streaming from here sees every transaction after the snapshot
  std::string snapshot_name{};  // for SET TRANSACTION SNAPSHOT; valid until the next command here
  std::string plugin{};
};

// One CopyData payload as libpq handed it over, not copied: freed with
// PQfreemem when dropped. Reads as the bytes it holds.
class CopyData {
 public:
  CopyData(char* data, std::size_t size) : data_(data), size_(size) {}
  std::span<const std::uint8_t> bytes() const { return {reinterpret_cast<const std::uint8_t*>(data_.get()), size_}; }
  operator std::span<const std::uint8_t>() const { return bytes(); }  // NOLINT: reads as its bytes

 private:
  struct Free {
    void operator()(char* data) const;
  };
  std::unique_ptr<char, Free> data_;
  std::size_t size_ = 0;
};

class ReplicationStream {
 public:
  // Throws Error (unreachable) when the connection fails.
  static ReplicationStream open(const std::string& conninfo, std::chrono::milliseconds timeout,
                                const std::optional<std::string>& password = std::nullopt);

  SystemIdentity identify_system();
  // CREATE_REPLICATION_SLOT … LOGICAL pgoutput, exporting a snapshot when asked.
  CreatedSlot create_logical_slot(const std::string& name, bool export_snapshot, bool temporary = false);
  void drop_slot(const std::string& name);

  // START_REPLICATION SLOT … LOGICAL start (options: proto_version,
  // publication_names, messages …; names and values are quoted here).
  void start(const std::string& slot, Lsn start, const std::vector<std::pair<std::string, std::string>>& options);
  // The next CopyData payload, or nullopt when none arrives within timeout.
  // Throws Error (unreachable) when the connection is lost or the server
  // ends the stream.
  std::optional<CopyData> read(std::chrono::milliseconds timeout);
  // Standby status update: `flush` becomes the slot's confirmed_flush_lsn.
  void confirm(Lsn write, Lsn flush, bool reply_requested = false);
  // Ends the copy (CopyDone) and reads the server's end of it.
  void stop();

  bool streaming() const { return streaming_; }

 private:
  explicit ReplicationStream(Connection connection) : connection_(std::move(connection)) {}
  Connection connection_;
  bool streaming_ = false;
};

// Microseconds since 2000-01-01 UTC, PostgreSQL's clock, for status updates.
std::int64_t postgres_now();

}  // namespace cdcctl::pg
