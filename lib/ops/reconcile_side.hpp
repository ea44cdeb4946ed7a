#pragma once
// One side of a reconcile: a database reached through libpq or ODBC, asked
// for counts, aggregate hashes, key split points and rows of one table. The
// SQL is built here per engine: PostgreSQL (libpq or psqlODBC) canonicalises
// and hashes inside the server; other engines (SQLite, SQL Server, MySQL…)
// send raw values that are canonicalised and hashed as they stream in.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ops/reconcile_canonical.hpp"

namespace cdcctl::ops {

enum class Engine { Postgres, Sqlite, Generic };
std::string_view engine_name(Engine engine);

struct TableName {
  std::string schema{};  // empty: the engine's default (search_path, main, dbo…)
  std::string name{};
  std::string display() const { return schema.empty() ? name : schema + "." + name; }
  bool operator==(const TableName&) const = default;
};
// "dbo.customers", "customers", "\"My Schema\".\"Order.Lines\"".
TableName parse_table_name(std::string_view text);

struct ColumnShape {
  std::string name{};
  std::string type{};  // as the catalog names it
  ValueKind kind = ValueKind::Other;
  bool nullable = true;
  bool collatable = true;  // PostgreSQL: the type takes a COLLATE clause
};
struct TableShape {
  TableName table{};                    // resolved (schema filled in where the engine has one)
  std::vector<ColumnShape> columns{};   // in table order
  std::vector<std::string> primary_key{};
};

struct CompareColumn {
  std::string name{};  // on this side
  ValueKind kind = ValueKind::Other;  // how its values are read
  bool collatable = true;
};

using KeyValues = std::vector<std::string>;
using Row = std::vector<std::optional<std::string>>;  // canonical values in column order

// A half-open key range [lower, upper) over the first split_columns key
// columns; an absent bound is open.
struct Segment {
  std::optional<KeyValues> lower{};
  std::optional<KeyValues> upper{};
};

// What to read on one side.
struct SideQuery {
  TableName table{};
  std::vector<CompareColumn> columns{};  // keys first
  std::size_t key_columns = 0;
  std::size_t split_columns = 0;         // a prefix of the key that ranges are cut on
  std::string where{};                   // the user's filter, in this side's SQL
  std::string updated_column{};          // with recent_cutoff: rows changed at or after it are left out
  std::string recent_cutoff{};           // "YYYY-MM-DD HH:MM:SS.ffffff" UTC
  std::vector<KeyValues> excluded_keys{};  // canonical keys left out on both sides
  CanonicalOptions canonical{};
  // Both sides are PostgreSQL: rows are hashed with its hashtextextended()
  // (about twice as fast as md5) instead of the MD5 every engine can match.
  bool postgres_row_hash = false;
  // Only rows with a NULL in a key column (to refuse such a key).
  bool null_keys_only = false;
};

// SQL building, exposed for tests.
struct Dialect {
  Engine engine = Engine::Postgres;
  std::string quote = "\"";
  bool utf8 = true;  // PostgreSQL: the server encoding is UTF-8
  bool backslash_escapes = false;  // MySQL/MariaDB: '\' escapes inside string literals
  std::string string_prefix{};     // "N" on SQL Server, for Unicode literals
  std::string identifier(const std::string& name) const;
  std::string table(const TableName& table) const;
  std::string literal(const std::string& value, ValueKind kind) const;
  // `column OP cutoff` for --ignore-recent, in a form the engine compares as time.
  std::string recent_comparison(const std::string& column, const std::string& op, const std::string& cutoff) const;
  // A key column in comparisons and ORDER BY: text in PostgreSQL compares
  // bytewise (COLLATE "C") so both sides cut ranges the same way.
  std::string ordered(const CompareColumn& column) const;
  std::string where(const SideQuery& query, const Segment& segment) const;
  std::string count_sql(const SideQuery& query, const Segment& segment) const;
  std::string aggregate_sql(const SideQuery& query, const Segment& segment) const;  // PostgreSQL only
  std::string rows_sql(const SideQuery& query, const Segment& segment) const;
  std::string split_sql(const SideQuery& query, const Segment& segment, std::uint64_t step) const;
  std::string key_range_sql(const SideQuery& query, const Segment& segment) const;
  std::string recent_keys_sql(const SideQuery& query) const;
};

class ReconcileSide {
 public:
  virtual ~ReconcileSide() = default;
  virtual std::string describe() const = 0;  // engine and where, never a password
  virtual Engine engine() const = 0;
  // Text is stored as UTF-8 (always true outside PostgreSQL: drivers hand it over so).
  virtual bool utf8() const { return true; }
  // Throws Error (not found) when the table does not exist.
  virtual TableShape table_shape(const TableName& table) = 0;
  virtual std::vector<TableName> list_tables() = 0;
  // Called before and after the queries of one table: PostgreSQL reads the
  // whole table from one snapshot.
  virtual void begin_table() {}
  virtual void end_table() {}
  virtual std::uint64_t count(const SideQuery& query, const Segment& segment) = 0;
  virtual Aggregate aggregate(const SideQuery& query, const Segment& segment) = 0;
  virtual void read_rows(const SideQuery& query, const Segment& segment, const std::function<void(Row&&)>& row) = 0;
  // Keys that cut the segment into about `pieces` parts of equal row count.
  virtual std::vector<KeyValues> split_points(const SideQuery& query, const Segment& segment, std::uint64_t rows,
                                              int pieces) = 0;
  // min and max of the first key column (an integer) in the segment.
  virtual std::optional<std::pair<std::int64_t, std::int64_t>> integer_key_range(const SideQuery& query,
                                                                                 const Segment& segment) = 0;
  // Canonical keys of rows changed at or after the cutoff (at most `limit`+1).
  virtual std::vector<KeyValues> recent_keys(const SideQuery& query, std::size_t limit) = 0;
};

// "postgresql://…", "postgres://…", "pg:CONNINFO" (libpq; "pg:" alone means
// libpq's defaults) or "odbc:CONNECTION-STRING". A password, when given, is
// passed to the driver without appearing in any message.
std::unique_ptr<ReconcileSide> open_side(const std::string& spec, const std::optional<std::string>& password,
                                         std::chrono::milliseconds timeout);
// The spec with its password masked, for messages.
std::string describe_spec(const std::string& spec);

}  // namespace cdcctl::ops
