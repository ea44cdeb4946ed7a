// The capture's CPU per change without PostgreSQL or Kafka: pgoutput Insert
// frames for the capture benchmark's table (id int, qty int, note text,
// at timestamptz) decoded and mapped to Debezium records, schemas on as in
// bench/capture.sh. On a 2-core machine shared with the walsender and the
// broker this cost bounds the capture rate, and unlike the end-to-end
// benchmark it is steady enough to compare one change of the code with the
// next. Prints ns per change and the bytes of one record.
//   capture-perftest [CHANGES [schemas|noschemas]]   (default 1,000,000 schemas)
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "engine/change_mapper.hpp"
#include "pg/pgoutput.hpp"

using namespace cdcctl;

namespace {

void put_u16(std::vector<std::uint8_t>& out, std::uint16_t value) {
  out.push_back(static_cast<std::uint8_t>(value >> 8));
  out.push_back(static_cast<std::uint8_t>(value));
}

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(value >> shift));
}

// An Insert as pgoutput (proto_version 1) sends it: every column as text.
std::vector<std::uint8_t> insert_frame(std::uint32_t relation, const std::vector<std::string>& columns) {
  std::vector<std::uint8_t> out{'I'};
  put_u32(out, relation);
  out.push_back('N');
  put_u16(out, static_cast<std::uint16_t>(columns.size()));
  for (const auto& column : columns) {
    out.push_back('t');
    put_u32(out, static_cast<std::uint32_t>(column.size()));
    out.insert(out.end(), column.begin(), column.end());
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const long changes = argc > 1 ? std::stol(argv[1]) : 1000000;
  engine::MapperOptions options;
  options.events.topic_prefix = "bench1";
  options.database = "postgres";
  options.events.key_schemas = options.events.value_schemas = !(argc > 2 && std::string(argv[2]) == "noschemas");
  engine::ChangeMapper mapper(options, [](const std::string&, const std::string&) {
    engine::TableFacts facts;
    facts.primary_key = {"id"};
    facts.not_null = {"id", "qty", "at"};
    return facts;
  });
  pg::RelationMessage relation;
  relation.oid = 16385;
  relation.schema = "public";
  relation.name = "t";
  relation.replica_identity = 'd';
  relation.columns = {{true, "id", 23, -1}, {false, "qty", 23, -1}, {false, "note", 25, -1}, {false, "at", 1184, -1}};
  mapper.relation(relation);

  // A window of distinct frames, as a transaction's rows differ.
  std::vector<std::vector<std::uint8_t>> frames;
  for (int i = 0; i < 1024; ++i) {
    const auto id = std::to_string(100001 + i);
    frames.push_back(insert_frame(relation.oid, {id, std::to_string(i % 100), "bulk " + id,
                                                 "2026-11-22 20:47:41.60" + std::to_string(1000 + i) + "+00"}));
  }
  mapper.begin({0x9000000, 817000000000000LL, 100724});
  std::size_t bytes = 0, record_bytes = 0;
  const auto started = std::chrono::steady_clock::now();
  for (long i = 0; i < changes; ++i) {
    const auto& frame = frames[static_cast<std::size_t>(i) % frames.size()];
    auto message = pg::decode_pgoutput(frame);
    auto records = mapper.change(std::move(message), 0x1000000 + static_cast<pg::Lsn>(i) * 136, 1763844461000000000LL + i);
    for (const auto& record : records) bytes += record.value ? record.value->size() : 0;
    if (i == 0) record_bytes = bytes + (records.empty() || !records[0].key ? 0 : records[0].key->size());
  }
  const auto elapsed = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - started).count();
  std::printf("decode + map %ld inserts: %.0f ns per change, %.0f MB of values, %zu bytes per record (key + value)\n",
              changes, elapsed / static_cast<double>(changes), static_cast<double>(bytes) / 1e6, record_bytes);
  return 0;
}
