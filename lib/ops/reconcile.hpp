#pragma once
// `cdcctl reconcile`: proves a target table holds what its source holds.
//
//   count     row counts on both sides;
//   checksum  counts plus an order-independent hash of every row's canonical
//             text (reconcile_canonical.hpp), computed inside PostgreSQL;
//   rows      hash bisection: the key range is cut into segments whose counts
//             and hashes are compared on both sides at once; only segments
//             that differ are cut again, and small ones are downloaded and
//             compared row by row, giving the keys of missing, extra and
//             changed rows and the columns that differ.
//
// Both sides are ReconcileSide objects, so the algorithm is tested with any
// pair of engines and runs the two sides' queries in parallel.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ops/reconcile_side.hpp"

namespace cdcctl::ops {

enum class ReconcileMode { Count, Checksum, Rows };
ReconcileMode parse_reconcile_mode(std::string_view text);
std::string_view mode_name(ReconcileMode mode);

enum class Severity { None, Low, Medium, High, Critical };
std::string_view severity_name(Severity severity);
// LOW < 0.1 %, MEDIUM < 1 %, HIGH < 10 %, CRITICAL from 10 % of the larger
// side's rows (or any checksum mismatch).
Severity severity_for(std::uint64_t differing_rows, std::uint64_t rows);

struct TablePair {
  TableName source{};
  TableName target{};
};
// "dbo.customers=customers" or "public.orders" (same name on both sides).
TablePair parse_table_pair(std::string_view text);
// One pair per line; blank lines and # comments are skipped.
std::vector<TablePair> parse_tables_file(std::string_view text, const std::string& origin);
// The tables a Debezium source connector captures (table.include.list and
// friends applied to the source's tables), each with the target table a sink
// writes it to: the Debezium JDBC sink's collection.name.format (dots become
// underscores), the Confluent JDBC sink's table.name.format ([schema.]table),
// after the sink's RegexRouter transforms. Without a sink config the target
// table has the source's name.
std::vector<TablePair> tables_from_connectors(const nlohmann::json& source_config, const nlohmann::json* sink_config,
                                              const std::vector<TableName>& source_tables, const std::string& origin);

struct ReconcileOptions {
  ReconcileMode mode = ReconcileMode::Rows;
  std::vector<std::string> columns{};          // source names; empty: every column both sides have
  std::vector<std::string> exclude_columns{};  // source names
  std::map<std::string, std::string> column_map{};  // source name -> target name
  std::vector<std::string> key{};              // source names; empty: the primary key
  std::string source_where{};
  std::string target_where{};
  std::string updated_column{};                // with ignore_recent
  std::optional<std::chrono::milliseconds> ignore_recent{};
  std::uint64_t max_diffs = 0;                 // 0: no limit
  std::optional<std::chrono::milliseconds> max_time{};
  bool keep_values = false;                    // report the differing values, not only column names
  CanonicalOptions canonical{};
  int bisection_factor = 32;
  std::uint64_t bisection_threshold = 8192;    // segments this small are downloaded
  std::size_t max_recent_keys = 100000;
};

enum class DifferenceKind { Missing, Extra, Changed };
std::string_view difference_name(DifferenceKind kind);

struct ColumnDifference {
  std::string column{};  // source name
  std::optional<std::string> source{};
  std::optional<std::string> target{};
};

struct RowDifference {
  DifferenceKind kind = DifferenceKind::Missing;
  KeyValues key{};
  std::vector<ColumnDifference> columns{};  // changed rows: the columns that differ
};

enum class StopReason { None, MaxDiffs, MaxTime, Interrupted };
std::string_view stop_reason_name(StopReason reason);

struct TableResult {
  TablePair tables{};
  std::vector<std::string> key{};       // source names
  std::vector<std::string> columns{};   // compared, source names
  std::vector<std::string> notes{};     // columns left out and why
  std::optional<std::uint64_t> source_rows{};
  std::optional<std::uint64_t> target_rows{};
  std::optional<bool> checksum_match{};
  std::uint64_t missing = 0, extra = 0, changed = 0;
  std::vector<RowDifference> differences{};
  std::uint64_t recent_rows_skipped = 0;
  std::uint64_t segments_compared = 0;
  std::uint64_t rows_downloaded = 0;
  StopReason stopped = StopReason::None;
  std::string error{};                  // set when the table could not be compared
  std::chrono::milliseconds duration{};

  bool matched() const;
  std::uint64_t differing_rows() const;  // missing+extra+changed, or the count difference
  Severity severity(ReconcileMode mode) const;
};

struct ReconcileReport {
  ReconcileMode mode = ReconcileMode::Rows;
  std::string source{};
  std::string target{};
  std::int64_t started_ms = 0;
  std::int64_t finished_ms = 0;
  std::vector<TableResult> tables{};
  StopReason stopped = StopReason::None;

  std::string status() const;  // PASS, FAIL or NO_DATA
  bool complete() const;
};

// Called as rows are verified (done of total; total 0 while unknown).
using ReconcileProgress = std::function<void(const TablePair& table, std::uint64_t done, std::uint64_t total)>;

TableResult reconcile_table(ReconcileSide& source, ReconcileSide& target, const TablePair& tables,
                            const ReconcileOptions& options, const ReconcileProgress& progress = {},
                            std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max());

ReconcileReport reconcile(ReconcileSide& source, ReconcileSide& target, const std::vector<TablePair>& tables,
                          const ReconcileOptions& options, const ReconcileProgress& progress = {});

nlohmann::json to_json(const ReconcileReport& report, const ReconcileOptions& options);
std::vector<std::string> recommendations(const TableResult& table, ReconcileMode mode);
// "id=5" or "tenant=acme, id=7"
std::string format_key(const std::vector<std::string>& columns, const KeyValues& key);

}  // namespace cdcctl::ops
