#include "pg/pgoutput.hpp"

#include "core/error.hpp"

namespace cdcctl::pg {

namespace {

// Big-endian reads with bounds checks over one message.
class Reader {
 public:
  Reader(std::span<const std::uint8_t> bytes, const char* what) : bytes_(bytes), what_(what) {}

  std::uint8_t u8() { return take(1)[0]; }
  std::uint16_t u16() { return static_cast<std::uint16_t>(be(take(2))); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(be(take(4))); }
  std::int32_t i32() { return static_cast<std::int32_t>(u32()); }
  std::uint64_t u64() { return be(take(8)); }
  std::int64_t i64() { return static_cast<std::int64_t>(u64()); }
  std::string string() {  // NUL-terminated
    for (std::size_t end = at_; end < bytes_.size(); ++end) {
      if (bytes_[end] == 0) {
        std::string out(reinterpret_cast<const char*>(bytes_.data() + at_), end - at_);
        at_ = end + 1;
        return out;
      }
    }
    fail("a string has no terminating NUL");
  }
  std::string bytes(std::size_t length) {
    const auto part = take(length);
    return std::string(reinterpret_cast<const char*>(part.data()), part.size());
  }
  std::span<const std::uint8_t> rest() {
    auto out = bytes_.subspan(at_);
    at_ = bytes_.size();
    return out;
  }
  bool done() const { return at_ == bytes_.size(); }
  [[noreturn]] void fail(const std::string& why) const {
    throw Error::failed(std::string("malformed ") + what_ + " from PostgreSQL", why + " (at byte " + std::to_string(at_) +
                                                                                   " of " + std::to_string(bytes_.size()) + ")");
  }

 private:
  std::span<const std::uint8_t> take(std::size_t count) {
    if (bytes_.size() - at_ < count) fail("it ends early");
    auto out = bytes_.subspan(at_, count);
    at_ += count;
    return out;
  }
  static std::uint64_t be(std::span<const std::uint8_t> part) {
    std::uint64_t value = 0;
    for (const auto byte : part) value = (value << 8) | byte;
    return value;
  }

  std::span<const std::uint8_t> bytes_;
  const char* what_;
  std::size_t at_ = 0;
};

TupleData read_tuple(Reader& reader) {
  const auto count = reader.u16();
  TupleData tuple;
  tuple.reserve(count);
  for (std::uint16_t i = 0; i < count; ++i) {
    ColumnValue value;
    const auto kind = static_cast<char>(reader.u8());
    switch (kind) {
      case 'n': value.kind = ColumnValueKind::Null; break;
      case 'u': value.kind = ColumnValueKind::UnchangedToast; break;
      case 't':
      case 'b': {
        value.kind = kind == 't' ? ColumnValueKind::Text : ColumnValueKind::Binary;
        const auto length = reader.i32();
        if (length < 0) reader.fail("a column has a negative length");
        value.data = reader.bytes(static_cast<std::size_t>(length));
        break;
      }
      default: reader.fail(std::string("unknown column kind '") + kind + "'");
    }
    tuple.push_back(std::move(value));
  }
  return tuple;
}

}  // namespace

ReplicationFrame decode_frame(std::span<const std::uint8_t> copy_data) {
  Reader reader(copy_data, "replication message");
  const auto type = static_cast<char>(reader.u8());
  if (type == 'w') {
    XLogData data;
    data.data_start = reader.u64();
    data.wal_end = reader.u64();
    data.send_time = reader.i64();
    data.payload = reader.rest();
    return data;
  }
  if (type == 'k') {
    Keepalive keepalive;
    keepalive.wal_end = reader.u64();
    keepalive.send_time = reader.i64();
    keepalive.reply_requested = reader.u8() != 0;
    return keepalive;
  }
  reader.fail(std::string("unknown message type '") + type + "'");
}

std::vector<std::uint8_t> encode_status_update(Lsn write, Lsn flush, Lsn apply, std::int64_t client_time,
                                               bool reply_requested) {
  std::vector<std::uint8_t> out;
  out.reserve(34);
  out.push_back('r');
  for (const std::uint64_t value : {write, flush, apply, static_cast<std::uint64_t>(client_time)}) {
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(value >> shift));
  }
  out.push_back(reply_requested ? 1 : 0);
  return out;
}

PgOutputMessage decode_pgoutput(std::span<const std::uint8_t> message) {
  Reader reader(message, "pgoutput message");
  const auto type = static_cast<char>(reader.u8());
  PgOutputMessage out;
  switch (type) {
    case 'B': {
      BeginMessage begin;
      begin.final_lsn = reader.u64();
      begin.commit_time = reader.i64();
      begin.xid = reader.u32();
      out = begin;
      break;
    }
    case 'C': {
      CommitMessage commit;
      commit.flags = reader.u8();
      commit.commit_lsn = reader.u64();
      commit.end_lsn = reader.u64();
      commit.commit_time = reader.i64();
      out = commit;
      break;
    }
    case 'O': {
      OriginMessage origin;
      origin.commit_lsn = reader.u64();
      origin.name = reader.string();
      out = std::move(origin);
      break;
    }
    case 'R': {
      RelationMessage relation;
      relation.oid = reader.u32();
      relation.schema = reader.string();
      if (relation.schema.empty()) relation.schema = "pg_catalog";
      relation.name = reader.string();
      relation.replica_identity = static_cast<char>(reader.u8());
      const auto count = reader.u16();
      for (std::uint16_t i = 0; i < count; ++i) {
        RelationColumn column;
        column.key = (reader.u8() & 1) != 0;
        column.name = reader.string();
        column.type_oid = reader.u32();
        column.type_modifier = reader.i32();
        relation.columns.push_back(std::move(column));
      }
      out = std::move(relation);
      break;
    }
    case 'Y': {
      TypeMessage type_message;
      type_message.oid = reader.u32();
      type_message.schema = reader.string();
      if (type_message.schema.empty()) type_message.schema = "pg_catalog";
      type_message.name = reader.string();
      out = std::move(type_message);
      break;
    }
    case 'I': {
      InsertMessage insert;
      insert.relation = reader.u32();
      if (reader.u8() != 'N') reader.fail("an insert has no new tuple");
      insert.new_tuple = read_tuple(reader);
      out = std::move(insert);
      break;
    }
    case 'U': {
      UpdateMessage update;
      update.relation = reader.u32();
      auto kind = static_cast<char>(reader.u8());
      if (kind == 'K' || kind == 'O') {
        update.old_kind = kind;
        update.old_tuple = read_tuple(reader);
        kind = static_cast<char>(reader.u8());
      }
      if (kind != 'N') reader.fail("an update has no new tuple");
      update.new_tuple = read_tuple(reader);
      out = std::move(update);
      break;
    }
    case 'D': {
      DeleteMessage del;
      del.relation = reader.u32();
      del.old_kind = static_cast<char>(reader.u8());
      if (del.old_kind != 'K' && del.old_kind != 'O') reader.fail("a delete has no old tuple");
      del.old_tuple = read_tuple(reader);
      out = std::move(del);
      break;
    }
    case 'T': {
      TruncateMessage truncate;
      const auto count = reader.u32();
      const auto options = reader.u8();
      truncate.cascade = (options & 1) != 0;
      truncate.restart_identity = (options & 2) != 0;
      for (std::uint32_t i = 0; i < count; ++i) truncate.relations.push_back(reader.u32());
      out = std::move(truncate);
      break;
    }
    case 'M': {
      LogicalMessage logical;
      logical.transactional = (reader.u8() & 1) != 0;
      logical.lsn = reader.u64();
      logical.prefix = reader.string();
      const auto length = reader.i32();
      if (length < 0) reader.fail("a message has a negative length");
      logical.content = reader.bytes(static_cast<std::size_t>(length));
      out = std::move(logical);
      break;
    }
    case 'S':
    case 'E':
    case 'c':
    case 'A':
      reader.fail(std::string("streamed-transaction message '") + type + "' needs protocol version 2, not requested");
    case 'b':
    case 'P':
    case 'K':
    case 'r':
    case 'p':
      reader.fail(std::string("two-phase message '") + type + "' needs protocol version 3, not requested");
    default: reader.fail(std::string("unknown message type '") + type + "'");
  }
  if (!reader.done()) reader.fail("bytes left after the message");
  return out;
}

const RelationMessage& RelationCache::relation(std::uint32_t oid) const {
  const auto found = relations_.find(oid);
  if (found == relations_.end()) {
    throw Error::failed("pgoutput sent a change for relation " + std::to_string(oid) + " before describing it");
  }
  return found->second;
}

const TypeMessage* RelationCache::type(std::uint32_t oid) const {
  const auto found = types_.find(oid);
  return found == types_.end() ? nullptr : &found->second;
}

}  // namespace cdcctl::pg
