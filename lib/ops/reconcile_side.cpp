#include "core/text.hpp"
#include "ops/reconcile_side.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/secrets.hpp"
#include "odbc/connection.hpp"
#include "pg/connection.hpp"

namespace cdcctl::ops {

std::string_view engine_name(Engine engine) {
  switch (engine) {
    case Engine::Postgres: return "PostgreSQL";
    case Engine::Sqlite: return "SQLite";
    case Engine::Generic: return "ODBC";
  }
  return "?";
}

TableName parse_table_name(std::string_view text) {
  std::vector<std::string> parts(1);
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      if (quoted && i + 1 < text.size() && text[i + 1] == '"') {
        parts.back() += '"';
        ++i;
      } else {
        quoted = !quoted;
      }
    } else if (c == '.' && !quoted) {
      parts.emplace_back();
    } else {
      parts.back() += c;
    }
  }
  if (quoted || parts.size() > 3 || std::any_of(parts.begin(), parts.end(), [](const auto& p) { return p.empty(); })) {
    throw Error::usage("invalid table name '" + std::string(text) + "'",
                       "expected [schema.]table, with \"double quotes\" around names holding dots");
  }
  // A three-part name (catalog.schema.table) keeps schema and table.
  if (parts.size() == 1) return {"", parts[0]};
  return {parts[parts.size() - 2], parts.back()};
}

// ---------------------------------------------------------------------------
// SQL

std::string Dialect::identifier(const std::string& name) const {
  const char close = quote == "[" ? ']' : quote[0];
  std::string out = quote;
  for (const char c : name) {
    out += c;
    if (c == close) out += c;
  }
  out += close;
  return out;
}

std::string Dialect::table(const TableName& table) const {
  if (engine == Engine::Sqlite || table.schema.empty()) return identifier(table.name);
  return identifier(table.schema) + "." + identifier(table.name);
}

std::string Dialect::literal(const std::string& value, ValueKind kind) const {
  if (kind == ValueKind::Integer && !value.empty() &&
      std::all_of(value.begin() + (value[0] == '-' ? 1 : 0), value.end(), [](unsigned char c) { return std::isdigit(c); }) &&
      value != "-") {
    return value;
  }
  std::string out = string_prefix + "'";
  for (const char c : value) {
    out += c;
    if (c == '\'' || (c == '\\' && backslash_escapes)) out += c;
  }
  return out + "'";
}

std::string Dialect::recent_comparison(const std::string& column, const std::string& op, const std::string& cutoff) const {
  switch (engine) {
    case Engine::Postgres: return column + " " + op + " " + literal(cutoff, ValueKind::Text);
    // SQLite keeps times as text in several forms ("…T…", offsets): compare them as Julian days.
    case Engine::Sqlite: return "julianday(" + column + ") " + op + " julianday(" + literal(cutoff, ValueKind::Text) + ")";
    case Engine::Generic: {
      // ISO 8601 with a T and milliseconds: SQL Server's datetime takes no more
      // digits, and reads this form the same under every DATEFORMAT.
      std::string iso = cutoff.substr(0, 19);
      if (iso.size() > 10) iso[10] = 'T';
      const auto dot = cutoff.find('.');
      std::string millis = dot == std::string::npos ? "" : cutoff.substr(dot + 1, 3);
      millis.resize(3, '0');
      return column + " " + op + " " + literal(iso + "." + millis, ValueKind::Text);
    }
  }
  return column + " " + op + " " + literal(cutoff, ValueKind::Text);
}

std::string Dialect::ordered(const CompareColumn& column) const {
  const auto name = identifier(column.name);
  if (engine == Engine::Postgres && column.collatable &&
      (column.kind == ValueKind::Text || column.kind == ValueKind::FixedText || column.kind == ValueKind::Other)) {
    return name + " COLLATE \"C\"";
  }
  return name;
}

namespace {

// (k1 > v1 OR (k1 = v1 AND (k2 > v2 OR (k2 = v2 AND k3 >= v3)))) for a lower
// bound; with < and a final < for an upper one. Spelled out instead of a row
// comparison so every engine (SQL Server has none) understands it.
std::string bound_predicate(const Dialect& dialect, const SideQuery& query, const KeyValues& bound, bool lower) {
  const std::size_t n = std::min(bound.size(), query.split_columns);
  std::string sql;
  for (std::size_t i = n; i-- > 0;) {
    const auto& column = query.columns[i];
    const auto left = dialect.ordered(column);
    const auto value = dialect.literal(bound[i], column.kind);
    const std::string strict = lower ? " > " : " < ";
    if (i == n - 1) {
      sql = left + (lower ? " >= " : " < ") + value;
    } else {
      sql = "(" + left + strict + value + " OR (" + left + " = " + value + " AND " + sql + "))";
    }
  }
  return sql;
}

std::string key_equals(const Dialect& dialect, const SideQuery& query, const KeyValues& key) {
  std::string sql;
  for (std::size_t i = 0; i < query.key_columns && i < key.size(); ++i) {
    if (!sql.empty()) sql += " AND ";
    sql += dialect.identifier(query.columns[i].name) + " = " + dialect.literal(key[i], query.columns[i].kind);
  }
  return "(" + sql + ")";
}

std::string select_list(const Dialect& dialect, const SideQuery& query, std::size_t count) {
  std::string sql;
  for (std::size_t i = 0; i < count; ++i) {
    if (!sql.empty()) sql += ", ";
    const auto& column = query.columns[i];
    sql += dialect.engine == Engine::Postgres
               ? postgres_canonical_expression(dialect.identifier(column.name), column.kind, query.canonical)
               : dialect.identifier(column.name);
  }
  return sql;
}

std::string key_order(const Dialect& dialect, const SideQuery& query, std::size_t count) {
  std::string sql;
  for (std::size_t i = 0; i < count; ++i) sql += (i ? ", " : "") + dialect.ordered(query.columns[i]);
  return sql;
}

}  // namespace

std::string Dialect::where(const SideQuery& query, const Segment& segment) const {
  std::vector<std::string> terms;
  if (!query.where.empty()) terms.push_back("(" + query.where + ")");
  if (segment.lower) terms.push_back(bound_predicate(*this, query, *segment.lower, true));
  if (segment.upper) terms.push_back(bound_predicate(*this, query, *segment.upper, false));
  if (!query.updated_column.empty() && !query.recent_cutoff.empty()) {
    const auto column = identifier(query.updated_column);
    terms.push_back("(" + column + " IS NULL OR " + recent_comparison(column, "<", query.recent_cutoff) + ")");
  }
  if (query.null_keys_only) {
    std::string any;
    for (std::size_t i = 0; i < query.key_columns; ++i) {
      any += (i ? " OR " : "") + identifier(query.columns[i].name) + " IS NULL";
    }
    terms.push_back("(" + any + ")");
  }
  if (!query.excluded_keys.empty()) {
    std::string any;
    if (query.key_columns == 1) {
      for (const auto& key : query.excluded_keys) any += (any.empty() ? "" : ", ") + literal(key.at(0), query.columns[0].kind);
      terms.push_back("NOT (" + identifier(query.columns[0].name) + " IN (" + any + "))");
    } else {
      for (const auto& key : query.excluded_keys) any += (any.empty() ? "" : " OR ") + key_equals(*this, query, key);
      terms.push_back("NOT (" + any + ")");
    }
  }
  std::string sql;
  for (const auto& term : terms) sql += (sql.empty() ? " WHERE " : " AND ") + term;
  return sql;
}

std::string Dialect::count_sql(const SideQuery& query, const Segment& segment) const {
  return "SELECT count(*) FROM " + table(query.table) + where(query, segment);
}

std::string Dialect::aggregate_sql(const SideQuery& query, const Segment& segment) const {
  // Each canonical value is computed once in the inner query; the outer one
  // builds the row text ("<bytes>:<value>", NULL as "-1:") and sums the
  // first 64 bits of its MD5. concat() is cheaper than a chain of ||.
  std::string values, row;
  for (std::size_t i = 0; i < query.columns.size(); ++i) {
    const auto& column = query.columns[i];
    const auto name = "c" + std::to_string(i);
    values += (i ? ", " : "") + postgres_canonical_expression(identifier(column.name), column.kind, query.canonical) + " AS " + name;
    const auto bytes = utf8 ? "octet_length(" + name + ")" : "octet_length(convert_to(" + name + ", 'UTF8'))";
    row += (i ? ", " : "") + std::string("coalesce(") + bytes + ", -1), ':', " + name;
  }
  const auto text = "concat(" + row + ")";
  std::string hashed;
  if (query.postgres_row_hash) {
    // Stable across versions (hash partitioning relies on it); both sides
    // run it on the same text, so the encoding does not matter.
    hashed = "hashtextextended(" + text + ", 0)";
  } else {
    const auto md5 = utf8 ? "md5(" + text + ")" : "md5(convert_to(" + text + ", 'UTF8'))";
    hashed = "('x' || left(" + md5 + ", 16))::bit(64)::bigint";
  }
  return "SELECT count(*), coalesce(sum(" + hashed + "), 0)::text FROM (SELECT " + values + " FROM " + table(query.table) +
         where(query, segment) + ") cdcctl_rows";
}

std::string Dialect::rows_sql(const SideQuery& query, const Segment& segment) const {
  return "SELECT " + select_list(*this, query, query.columns.size()) + " FROM " + table(query.table) + where(query, segment);
}

std::string Dialect::split_sql(const SideQuery& query, const Segment& segment, std::uint64_t step) const {
  std::string keys;
  for (std::size_t i = 0; i < query.split_columns; ++i) keys += (i ? ", " : "") + identifier(query.columns[i].name);
  return "SELECT " + keys + " FROM (SELECT " + keys + ", row_number() OVER (ORDER BY " +
         key_order(*this, query, query.split_columns) + ") AS cdcctl_row FROM " + table(query.table) +
         where(query, segment) + ") cdcctl_keys WHERE cdcctl_row % " + std::to_string(step) + " = 0 ORDER BY cdcctl_row";
}

std::string Dialect::key_range_sql(const SideQuery& query, const Segment& segment) const {
  const auto key = identifier(query.columns.at(0).name);
  return "SELECT min(" + key + "), max(" + key + ") FROM " + table(query.table) + where(query, segment);
}

std::string Dialect::recent_keys_sql(const SideQuery& query) const {
  SideQuery recent = query;
  recent.updated_column.clear();
  recent.excluded_keys.clear();
  const auto column = identifier(query.updated_column);
  const auto filter = where(recent, {});
  return "SELECT " + select_list(*this, query, query.key_columns) + " FROM " + table(query.table) + filter +
         (filter.empty() ? " WHERE " : " AND ") + recent_comparison(column, ">=", query.recent_cutoff);
}

// ---------------------------------------------------------------------------
// Transports: libpq and ODBC, both reduced to "run SQL, get rows of text".

namespace {

using RawRow = std::vector<std::optional<std::string>>;
using RowSink = std::function<void(RawRow&&)>;

class Transport {
 public:
  virtual ~Transport() = default;
  virtual void query(const std::string& sql, const RowSink& sink) = 0;
  virtual void exec(const std::string& sql) { query(sql, [](RawRow&&) {}); }
  // Catalog functions for engines without a SQL catalog cdcctl knows.
  virtual std::optional<TableShape> catalog_shape(const TableName&) { return std::nullopt; }
  virtual std::vector<TableName> catalog_tables() { return {}; }
};

class PgTransport final : public Transport {
 public:
  explicit PgTransport(pg::Connection connection) : connection_(std::move(connection)) {}
  void query(const std::string& sql, const RowSink& sink) override {
    auto result = connection_.exec(sql);
    for (int row = 0; row < result.rows(); ++row) {
      RawRow values;
      values.reserve(static_cast<std::size_t>(result.columns()));
      for (int column = 0; column < result.columns(); ++column) values.push_back(result.value(row, column));
      sink(std::move(values));
    }
  }

 private:
  pg::Connection connection_;
};

class OdbcTransport final : public Transport {
 public:
  explicit OdbcTransport(odbc::Connection connection) : connection_(std::move(connection)) {}
  void query(const std::string& sql, const RowSink& sink) override {
    auto cursor = connection_.query(sql);
    const auto columns = static_cast<int>(cursor.columns().size());
    while (cursor.fetch()) {
      RawRow values;
      values.reserve(static_cast<std::size_t>(columns));
      for (int column = 0; column < columns; ++column) values.push_back(cursor.text(column));
      sink(std::move(values));
    }
  }
  std::optional<TableShape> catalog_shape(const TableName& table) override {
    TableShape shape;
    shape.table = table;
    for (auto& column : connection_.table_columns(table.schema, table.name)) {
      shape.table.schema = column.schema;
      shape.columns.push_back({column.name, column.type, kind_of_type(column.type), column.nullable});
    }
    if (shape.columns.empty()) return std::nullopt;
    shape.primary_key = connection_.primary_key(shape.table.schema, table.name);
    return shape;
  }
  std::vector<TableName> catalog_tables() override {
    std::vector<TableName> out;
    for (auto& [schema, name] : connection_.tables()) out.push_back({schema, name});
    return out;
  }
  odbc::Connection& connection() { return connection_; }

 private:
  odbc::Connection connection_;
};

std::string single_value(Transport& transport, const std::string& sql) {
  std::optional<std::string> value;
  transport.query(sql, [&](RawRow&& row) {
    if (!value && !row.empty()) value = row[0].value_or("");
  });
  return value.value_or("");
}

std::uint64_t to_count(const std::optional<std::string>& text) {
  return text && !text->empty() ? std::stoull(canonical_decimal(*text)) : 0;
}

class SqlSide final : public ReconcileSide {
 public:
  // snapshot_per_table: wrap each table's queries in one REPEATABLE READ
  // transaction (libpq; psqlODBC manages transactions itself).
  SqlSide(std::unique_ptr<Transport> transport, Dialect dialect, std::string description, bool snapshot_per_table)
      : transport_(std::move(transport)),
        dialect_(std::move(dialect)),
        description_(std::move(description)),
        snapshot_per_table_(snapshot_per_table) {}

  std::string describe() const override { return description_; }
  Engine engine() const override { return dialect_.engine; }
  bool utf8() const override { return dialect_.utf8; }

  TableShape table_shape(const TableName& table) override {
    auto shape = dialect_.engine == Engine::Postgres ? postgres_shape(table)
                 : dialect_.engine == Engine::Sqlite ? sqlite_shape(table)
                                                     : transport_->catalog_shape(table);
    if (!shape) {
      // Unquoted names fold to lower case in PostgreSQL and most engines.
      TableName folded{ascii_lower(table.schema), ascii_lower(table.name)};
      if (!(folded == table)) return table_shape(folded);
      throw Error::not_found("table " + table.display() + " does not exist on " + description_);
    }
    return *shape;
  }

  std::vector<TableName> list_tables() override {
    std::vector<TableName> out;
    if (dialect_.engine == Engine::Postgres) {
      transport_->query(
          "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
          "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
          "AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 1, 2",
          [&](RawRow&& row) { out.push_back({row[0].value_or(""), row[1].value_or("")}); });
    } else if (dialect_.engine == Engine::Sqlite) {
      transport_->query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY 1",
                        [&](RawRow&& row) { out.push_back({"", row[0].value_or("")}); });
    } else {
      out = transport_->catalog_tables();
    }
    return out;
  }

  void begin_table() override {
    // One snapshot for every query of a table, so the bisection compares
    // one state of this side, not a moving one.
    if (snapshot_per_table_) transport_->exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  }
  void end_table() override {
    if (snapshot_per_table_) transport_->exec("COMMIT");
  }

  std::uint64_t count(const SideQuery& query, const Segment& segment) override {
    return to_count(single_value(*transport_, dialect_.count_sql(query, segment)));
  }

  Aggregate aggregate(const SideQuery& query, const Segment& segment) override {
    Aggregate aggregate;
    if (dialect_.engine == Engine::Postgres) {
      transport_->query(dialect_.aggregate_sql(query, segment), [&](RawRow&& row) {
        aggregate.count = to_count(row.at(0));
        aggregate.hash_sum = parse_int128(row.at(1).value_or("0"));
      });
      return aggregate;
    }
    std::string text;
    read_rows(query, segment, [&](Row&& row) {
      text.clear();
      for (const auto& value : row) append_row_value(text, value);
      aggregate.add(row_hash(text));
    });
    return aggregate;
  }

  void read_rows(const SideQuery& query, const Segment& segment, const std::function<void(Row&&)>& sink) override {
    const bool canonical_in_sql = dialect_.engine == Engine::Postgres;
    transport_->query(dialect_.rows_sql(query, segment), [&](RawRow&& raw) {
      if (!canonical_in_sql) {
        for (std::size_t i = 0; i < raw.size() && i < query.columns.size(); ++i) {
          raw[i] = canonical_value(query.columns[i].kind, raw[i], query.canonical);
        }
      }
      sink(std::move(raw));
    });
  }

  std::vector<KeyValues> split_points(const SideQuery& query, const Segment& segment, std::uint64_t rows,
                                      int pieces) override {
    const std::uint64_t step = std::max<std::uint64_t>(1, (rows + static_cast<std::uint64_t>(pieces) - 1) /
                                                              static_cast<std::uint64_t>(pieces));
    std::vector<KeyValues> out;
    transport_->query(dialect_.split_sql(query, segment, step), [&](RawRow&& row) {
      KeyValues key;
      for (auto& value : row) {
        if (!value) return;  // a NULL key cannot bound a range
        key.push_back(std::move(*value));
      }
      out.push_back(std::move(key));
    });
    return out;
  }

  std::optional<std::pair<std::int64_t, std::int64_t>> integer_key_range(const SideQuery& query,
                                                                         const Segment& segment) override {
    std::optional<std::pair<std::int64_t, std::int64_t>> range;
    transport_->query(dialect_.key_range_sql(query, segment), [&](RawRow&& row) {
      if (row.size() >= 2 && row[0] && row[1]) {
        range = std::pair{std::stoll(canonical_decimal(*row[0])), std::stoll(canonical_decimal(*row[1]))};
      }
    });
    return range;
  }

  std::vector<KeyValues> recent_keys(const SideQuery& query, std::size_t limit) override {
    std::vector<KeyValues> out;
    const bool canonical_in_sql = dialect_.engine == Engine::Postgres;
    transport_->query(dialect_.recent_keys_sql(query), [&](RawRow&& row) {
      if (out.size() > limit) return;
      KeyValues key;
      for (std::size_t i = 0; i < row.size(); ++i) {
        auto value = canonical_in_sql ? row[i] : canonical_value(query.columns[i].kind, row[i], query.canonical);
        key.push_back(value.value_or(""));
      }
      out.push_back(std::move(key));
    });
    return out;
  }

 private:

  std::optional<TableShape> postgres_shape(const TableName& table) {
    const std::string regclass = table.schema.empty() ? dialect_.identifier(table.name)
                                                      : dialect_.identifier(table.schema) + "." + dialect_.identifier(table.name);
    TableShape shape;
    std::vector<std::pair<int, std::string>> key;
    transport_->query(
        "SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull, "
        "a.attcollation <> 0, "
        "(SELECT k.ord FROM pg_index i, unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) "
        "WHERE i.indrelid = c.oid AND i.indisprimary AND k.attnum = a.attnum) "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid "
        "WHERE c.oid = to_regclass(" + dialect_.literal(regclass, ValueKind::Text) + ") AND a.attnum > 0 "
        "AND NOT a.attisdropped ORDER BY a.attnum",
        [&](RawRow&& row) {
          shape.table = {row[0].value_or(""), row[1].value_or("")};
          const auto type = row[3].value_or("");
          shape.columns.push_back({row[2].value_or(""), type, kind_of_type(type), row[4] == "t", row[5] == "t"});
          if (row[6]) key.emplace_back(std::stoi(*row[6]), row[2].value_or(""));
        });
    if (shape.columns.empty()) return std::nullopt;
    std::sort(key.begin(), key.end());
    for (auto& [position, name] : key) shape.primary_key.push_back(name);
    return shape;
  }

  std::optional<TableShape> sqlite_shape(const TableName& table) {
    TableShape shape;
    shape.table = {"", table.name};
    std::vector<std::pair<int, std::string>> key;
    // pragma_table_info gives the key in declaration order through pk (1, 2, …),
    // which SQLPrimaryKeys of the SQLite driver does not.
    transport_->query("SELECT name, type, pk, \"notnull\" FROM pragma_table_info(" +
                          dialect_.literal(table.name, ValueKind::Text) + ") ORDER BY cid",
                      [&](RawRow&& row) {
                        const auto type = row[1].value_or("");
                        auto kind = kind_of_type(type);
                        // SQLite has one floating type, 8 bytes, whatever it is called.
                        if (kind == ValueKind::Float4) kind = ValueKind::Float8;
                        shape.columns.push_back({row[0].value_or(""), type, kind, row[3] != "1"});
                        const int pk = row[2] ? std::stoi(*row[2]) : 0;
                        if (pk > 0) key.emplace_back(pk, row[0].value_or(""));
                      });
    if (shape.columns.empty()) return std::nullopt;
    std::sort(key.begin(), key.end());
    for (auto& [position, name] : key) shape.primary_key.push_back(name);
    return shape;
  }

  std::unique_ptr<Transport> transport_;
  Dialect dialect_;
  std::string description_;
  bool snapshot_per_table_;
};


// Settings every PostgreSQL session of reconcile runs with: read only, UTC
// (timestamps without a zone are compared as written; literals are UTC),
// UTF-8 text.
constexpr const char* kPostgresSession[] = {"SET default_transaction_read_only = on", "SET TimeZone = 'UTC'",
                                            "SET DateStyle = 'ISO, YMD'", "SET client_encoding = 'UTF8'",
                                            "SET standard_conforming_strings = on"};

// Hashing inside the server works on its encoding's bytes; only a UTF-8
// (or plain ASCII) database can skip converting each row first.
bool server_is_utf8(Transport& transport) {
  const auto encoding = single_value(transport, "SHOW server_encoding");
  return encoding == "UTF8" || encoding == "SQL_ASCII";
}

}  // namespace

std::string describe_spec(const std::string& spec) { return mask_url_or_conninfo(spec); }

std::unique_ptr<ReconcileSide> open_side(const std::string& spec, const std::optional<std::string>& password,
                                         std::chrono::milliseconds timeout) {
  if (spec.starts_with("odbc:")) {
    std::string connection_string = spec.substr(5);
    if (password) {
      std::string braced = "{";
      for (const char c : *password) braced += c == '}' ? std::string("}}") : std::string(1, c);
      connection_string += (connection_string.empty() || connection_string.back() == ';' ? "" : ";") + std::string("PWD=") +
                           braced + "}";
    }
    auto connection = odbc::Connection::open(connection_string, timeout);
    const auto dbms = connection.dbms_name();
    const auto name = ascii_lower(dbms);
    Dialect dialect;
    dialect.engine = name.find("postgres") != std::string::npos ? Engine::Postgres
                     : name.find("sqlite") != std::string::npos ? Engine::Sqlite
                                                                : Engine::Generic;
    dialect.quote = connection.identifier_quote();
    dialect.backslash_escapes = name.find("mysql") != std::string::npos || name.find("mariadb") != std::string::npos;
    if (name.find("sql server") != std::string::npos) dialect.string_prefix = "N";
    const std::string description = dbms + " " + connection.dbms_version() + " via ODBC (" + describe_spec(spec.substr(5)) + ")";
    auto transport = std::make_unique<OdbcTransport>(std::move(connection));
    if (dialect.engine == Engine::Postgres) {
      for (const char* sql : kPostgresSession) transport->exec(sql);
      dialect.utf8 = server_is_utf8(*transport);
    }
    return std::make_unique<SqlSide>(std::move(transport), dialect, description, false);
  }
  std::string conninfo;
  if (spec.starts_with("postgresql://") || spec.starts_with("postgres://")) {
    conninfo = spec;
  } else if (spec.starts_with("pg:")) {
    conninfo = spec.substr(3);
  } else {
    throw Error::usage("cannot tell what database '" + describe_spec(spec) + "' is",
                       "expected postgresql://…, pg:CONNINFO or odbc:CONNECTION-STRING",
                       "e.g. --source 'odbc:DSN=mssql' --target postgresql://app@db/app");
  }
  auto connection = pg::Connection::open(conninfo, timeout, password);
  const std::string description = "PostgreSQL " + pg::format_server_version(connection.server_version()) + " " +
                                  connection.describe();
  for (const char* sql : kPostgresSession) connection.exec(sql);
  auto transport = std::make_unique<PgTransport>(std::move(connection));
  Dialect dialect;
  dialect.utf8 = server_is_utf8(*transport);
  return std::make_unique<SqlSide>(std::move(transport), dialect, description, true);
}

}  // namespace cdcctl::ops
