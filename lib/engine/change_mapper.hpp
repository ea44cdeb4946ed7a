#pragma once
// The heart of the PostgreSQL source: decoded pgoutput changes in, Debezium
// records out (reference §2.5). Inserts become "c", updates "u" (with the
// old row under REPLICA IDENTITY FULL), deletes "d" followed by a tombstone,
// a primary-key change a "d" + tombstone for the old key and a "c" for the
// new one (with Debezium's __debezium.newkey / __debezium.oldkey headers),
// truncates "t" when not skipped; unchanged TOAST values come from the old
// row when PostgreSQL sent one, else as Debezium's placeholder.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "cdc/debezium_event.hpp"
#include "pg/pgoutput.hpp"

namespace cdcctl::engine {

// What pgoutput's Relation message does not say about a table: its primary
// key (the key flags mark the replica identity, every column under FULL),
// which columns are NOT NULL, and the labels of enum columns.
struct TableFacts {
  std::vector<std::string> primary_key{};
  std::set<std::string> not_null{};
  std::map<std::string, std::vector<std::string>> enum_labels{};  // by column
  std::map<std::string, std::string> defaults{};                   // DEFAULT expressions, by column
  std::map<std::string, std::string> type_names{};                 // non-built-in types (hstore…), by column
  std::map<std::string, std::string> comments{};                   // COMMENT ON COLUMN, by column
  // A domain column maps as its base type (oid, typmod), as Debezium does.
  std::map<std::string, std::pair<std::uint32_t, std::int32_t>> domain_bases{};
  std::map<std::string, std::uint32_t> enum_array_elements{};  // an array of an enum: its element type
};
using TableFactsLookup = std::function<TableFacts(const std::string& schema, const std::string& table)>;

struct MapperOptions {
  cdc::EventOptions events{};
  std::string database{};
  bool tombstones_on_delete = true;
  std::set<char> skipped_operations{'t'};  // skipped.operations (Debezium's default skips truncates)
  bool transaction_metadata = false;       // provide.transaction.metadata
  // table.include/exclude.list and column.include/exclude.list; unset means
  // everything. Key columns are always kept.
  std::function<bool(const std::string& schema, const std::string& table)> include_table{};
  std::function<bool(const std::string& schema, const std::string& table, const std::string& column)> include_column{};
  // message.prefix.include/exclude.list; unset means every prefix.
  std::function<bool(const std::string& prefix)> include_message{};
  // A value that cannot be converted (cdc::ConversionError): Fail ends the
  // connector with the table, column, LSN and value; Skip drops the event
  // (Kafka Connect's errors.tolerance=all, Debezium's
  // event.processing.failure.handling.mode=warn|skip), telling `warn` when
  // log_skipped, with the value when log_values (errors.log.enable,
  // errors.log.include.messages).
  enum class OnConversionError { Fail, Skip };
  OnConversionError on_conversion_error = OnConversionError::Fail;
  bool log_skipped = false;
  bool log_values = false;
  std::function<void(const std::string&)> warn{};
  // Debezium 3.x's __debezium.context.runId header: one id per start of the
  // connector's task (a UUID). Empty: a new one for this mapper.
  std::string run_id{};
};

struct OutputRecord {
  std::string topic{};
  std::optional<std::string> key{};
  std::optional<std::string> value{};  // nullopt: a tombstone
  std::vector<std::pair<std::string, std::string>> headers{};
};

class ChangeMapper {
 public:
  ChangeMapper(MapperOptions options, TableFactsLookup facts);

  void relation(const pg::RelationMessage& relation);
  // With transaction metadata on, begin and commit return the BEGIN and
  // END records for the <prefix>.transaction topic; otherwise nothing.
  std::vector<OutputRecord> begin(const pg::BeginMessage& begin, pg::Lsn lsn = 0);
  // The records for one change at `lsn`; processed_ns is the connector's clock.
  // Taken by value: the column values move into the event instead of being copied.
  std::vector<OutputRecord> change(pg::PgOutputMessage message, pg::Lsn lsn, std::int64_t processed_ns);
  std::vector<OutputRecord> commit(const pg::CommitMessage& commit);
  // A logical decoding message at `lsn` (op "m" on <prefix>.message): inside
  // the open transaction when transactional, else on its own, timed by the
  // connector's clock and without a txId. Nothing when its prefix is filtered out.
  std::vector<OutputRecord> message(const pg::LogicalMessage& message, pg::Lsn lsn, std::int64_t processed_ns);
  // A row the initial snapshot read from the table `oid` (described with
  // relation() first): op "r", with the snapshot marker in source.snapshot.
  std::vector<OutputRecord> snapshot_read(std::uint32_t oid, const pg::TupleData& row, cdc::SourceInfo source,
                                          std::int64_t processed_ns);
  bool captures(std::uint32_t oid) const { return table(oid).captured; }

  pg::Lsn last_commit_lsn() const { return last_commit_lsn_; }

 private:
  struct Table {
    pg::RelationMessage relation;
    cdc::EventEncoder encoder;
    bool captured = true;
    std::vector<std::size_t> kept_columns{};  // indexes into pgoutput's tuples; empty: all
  };
  cdc::Row row_of(const Table& table, pg::TupleData tuple) const;
  std::optional<cdc::TransactionBlock> transaction_block(const Table& table, pg::Lsn lsn);
  std::optional<cdc::TransactionBlock> transaction_block(const std::string& collection, pg::Lsn lsn);
  // One more event of the open transaction in `collection`: its order there.
  std::int64_t count_event(const std::string& collection);
  const Table& table(std::uint32_t oid) const;
  cdc::SourceInfo source(pg::Lsn lsn) const;
  std::vector<OutputRecord> truncate(const pg::TruncateMessage& message, pg::Lsn lsn, std::int64_t processed_ns);

  MapperOptions options_;
  TableFactsLookup facts_;
  std::map<std::uint32_t, Table> tables_;
  std::optional<pg::BeginMessage> transaction_;
  pg::Lsn last_commit_lsn_ = 0;
  std::int64_t last_commit_us_ = 0;  // the last commit's time, µs since 1970
  std::vector<std::pair<std::string, std::string>> context_headers_;
  std::string message_collection_;  // the END record's name for messages
  std::vector<std::pair<std::string, std::string>> with_context(std::vector<std::pair<std::string, std::string>> headers) const;
  std::vector<OutputRecord> convert_change(pg::PgOutputMessage message, pg::Lsn lsn, std::int64_t processed_ns);
  std::vector<OutputRecord> convert_snapshot_read(std::uint32_t oid, const pg::TupleData& row, cdc::SourceInfo source,
                                                  std::int64_t processed_ns);
  // Fails or skips (see MapperOptions::on_conversion_error); `where` says
  // at which position.
  std::vector<OutputRecord> conversion_failed(const cdc::ConversionError& error, const std::string& where) const;
  // Transaction metadata of the open transaction: event counts overall and
  // per table, in the order the tables first appeared.
  std::int64_t total_order_ = 0;
  std::vector<cdc::DataCollectionCount> collection_counts_;
};

// pgoutput's tuple as encoder cells: 'n' NULL, 'u' unavailable, 't' text.
cdc::Row to_row(pg::TupleData tuple);

}  // namespace cdcctl::engine
