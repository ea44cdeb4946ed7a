#pragma once
// unixODBC with RAII ownership: one environment per connection, statements
// freed when their cursor goes away. Text is read with SQLGetData in a loop so
// values of any length arrive whole; binary columns arrive as lower-case hex.
#include <sql.h>
#include <sqlext.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cdcctl::odbc {

struct HandleDeleter {
  SQLSMALLINT type;
  void operator()(void* handle) const;
};
using Handle = std::unique_ptr<void, HandleDeleter>;

struct ColumnInfo {
  std::string name;
  SQLSMALLINT sql_type = 0;  // SQL_INTEGER, SQL_VARCHAR, …
};

// One open result set. Values of the current row are read once, in order
// (ODBC drivers may refuse to go back to an earlier column).
class Cursor {
 public:
  explicit Cursor(Handle statement);
  const std::vector<ColumnInfo>& columns() const { return columns_; }
  // Advances to the next row; false at the end.
  bool fetch();
  // Column `index` (0-based) of the current row as text; nullopt for NULL.
  std::optional<std::string> text(int index);

 private:
  Handle statement_;
  std::vector<ColumnInfo> columns_;
  std::vector<char> buffer_;
};

class Connection {
 public:
  // Throws Error (unreachable) with the driver manager's diagnostics; the
  // connection string is shown with its password masked.
  static Connection open(const std::string& connection_string, std::chrono::milliseconds timeout);

  Cursor query(const std::string& sql);
  void exec(const std::string& sql);
  std::string dbms_name() const;     // "PostgreSQL", "SQLite", "Microsoft SQL Server"…
  std::string dbms_version() const;
  std::string identifier_quote() const;  // usually "\"", "`" for MySQL

  struct CatalogColumn {
    std::string schema;
    std::string name;
    std::string type;
    bool nullable = true;
  };
  // Catalog functions (SQLColumns / SQLPrimaryKeys) for one table; schema may
  // be empty. Only the table of exactly this name is read (the arguments are
  // search patterns where '_' matches any character); Error (usage) when an
  // unqualified name exists in several schemas.
  std::vector<CatalogColumn> table_columns(const std::string& schema, const std::string& table);
  std::vector<std::string> primary_key(const std::string& schema, const std::string& table);
  // Every table (SQLTables with type TABLE) as schema and name.
  std::vector<std::pair<std::string, std::string>> tables();

 private:
  Connection(Handle environment, Handle connection) : environment_(std::move(environment)), connection_(std::move(connection)) {}
  std::string info(SQLUSMALLINT type) const;
  Handle new_statement();
  // Member order matters: the connection is freed before its environment.
  Handle environment_;
  Handle connection_;
};

// The diagnostic records of a handle, "[SQLSTATE] message; …".
std::string diagnostics(SQLSMALLINT type, void* handle);

}  // namespace cdcctl::odbc
