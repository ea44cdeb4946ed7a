#pragma once
// PostgreSQL's logical replication stream, decoded: LSNs, the frames of the
// streaming replication protocol (XLogData 'w', keepalive 'k') and the
// pgoutput messages inside them (protocol version 1: Begin, Commit, Origin,
// Relation, Type, Insert, Update, Delete, Truncate, Message), with the
// relation cache a consumer keeps by OID. Pure functions over bytes: every
// length is checked, and a malformed message is an Error, never a crash.
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "pg/lsn.hpp"

namespace cdcctl::pg {

// PostgreSQL's timestamps count µs from 2000-01-01; Unix time from 1970.
constexpr std::int64_t kPostgresEpochOffsetUs = 946684800000000LL;
inline std::int64_t unix_micros(std::int64_t postgres_micros) { return postgres_micros + kPostgresEpochOffsetUs; }

// ---------------------------------------------------------------------------
// Frames of the replication connection (CopyData payloads).

struct XLogData {
  Lsn data_start = 0;
  Lsn wal_end = 0;
  std::int64_t send_time = 0;           // PostgreSQL µs
  std::span<const std::uint8_t> payload{};  // one pgoutput message
};

struct Keepalive {
  Lsn wal_end = 0;
  std::int64_t send_time = 0;
  bool reply_requested = false;
};

using ReplicationFrame = std::variant<XLogData, Keepalive>;
ReplicationFrame decode_frame(std::span<const std::uint8_t> copy_data);

// The standby status update 'r' (34 bytes): write/flush/apply positions and
// the client's clock (PostgreSQL µs). For a logical slot, flush becomes the
// slot's confirmed_flush_lsn.
std::vector<std::uint8_t> encode_status_update(Lsn write, Lsn flush, Lsn apply, std::int64_t client_time,
                                               bool reply_requested = false);

// ---------------------------------------------------------------------------
// pgoutput messages.

struct BeginMessage {
  Lsn final_lsn = 0;          // where the commit record starts
  std::int64_t commit_time = 0;  // PostgreSQL µs
  std::uint32_t xid = 0;
};

struct CommitMessage {
  std::uint8_t flags = 0;
  Lsn commit_lsn = 0;
  Lsn end_lsn = 0;            // the end of the commit record: what to confirm
  std::int64_t commit_time = 0;
};

struct OriginMessage {
  Lsn commit_lsn = 0;
  std::string name{};
};

struct RelationColumn {
  bool key = false;           // part of the replica identity
  std::string name{};
  std::uint32_t type_oid = 0;
  std::int32_t type_modifier = -1;
};

struct RelationMessage {
  std::uint32_t oid = 0;
  std::string schema{};       // "pg_catalog" when PostgreSQL sends ""
  std::string name{};
  char replica_identity = 'd';  // d default, n nothing, f full, i index
  std::vector<RelationColumn> columns{};
};

struct TypeMessage {
  std::uint32_t oid = 0;
  std::string schema{};
  std::string name{};
};

enum class ColumnValueKind : char { Null = 'n', UnchangedToast = 'u', Text = 't', Binary = 'b' };

struct ColumnValue {
  ColumnValueKind kind = ColumnValueKind::Null;
  std::string data{};         // the text (or binary) form for Text and Binary
};
using TupleData = std::vector<ColumnValue>;

struct InsertMessage {
  std::uint32_t relation = 0;
  TupleData new_tuple{};
};

struct UpdateMessage {
  std::uint32_t relation = 0;
  // 'K': the key changed (key columns set, the rest NULL); 'O': REPLICA
  // IDENTITY FULL's whole old row; none: neither.
  char old_kind = 0;
  std::optional<TupleData> old_tuple{};
  TupleData new_tuple{};
};

struct DeleteMessage {
  std::uint32_t relation = 0;
  char old_kind = 'K';
  TupleData old_tuple{};
};

struct TruncateMessage {
  bool cascade = false;
  bool restart_identity = false;
  std::vector<std::uint32_t> relations{};
};

struct LogicalMessage {
  bool transactional = false;
  Lsn lsn = 0;
  std::string prefix{};
  std::string content{};
};

using PgOutputMessage = std::variant<BeginMessage, CommitMessage, OriginMessage, RelationMessage, TypeMessage, InsertMessage,
                                     UpdateMessage, DeleteMessage, TruncateMessage, LogicalMessage>;

// One pgoutput message of protocol version 1. Streamed-transaction and
// two-phase messages (versions 2+) are refused with an Error naming them.
PgOutputMessage decode_pgoutput(std::span<const std::uint8_t> message);

// Relations (and user types) by OID, as the stream announced them; a
// Relation message replaces the previous definition (after ALTER TABLE).
class RelationCache {
 public:
  void apply(const RelationMessage& relation) { relations_[relation.oid] = relation; }
  void apply(const TypeMessage& type) { types_[type.oid] = type; }
  // Throws Error (failed) for an OID the stream never announced.
  const RelationMessage& relation(std::uint32_t oid) const;
  const TypeMessage* type(std::uint32_t oid) const;
  std::size_t size() const { return relations_.size(); }

 private:
  std::map<std::uint32_t, RelationMessage> relations_;
  std::map<std::uint32_t, TypeMessage> types_;
};

}  // namespace cdcctl::pg
