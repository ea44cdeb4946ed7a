#include "odbc/connection.hpp"

#include <algorithm>
#include <cstring>

#include "core/error.hpp"
#include "core/secrets.hpp"

namespace cdcctl::odbc {

void HandleDeleter::operator()(void* handle) const {
  if (!handle) return;
  // SQLDisconnect on a handle that never connected only returns 08003.
  if (type == SQL_HANDLE_DBC) SQLDisconnect(handle);
  SQLFreeHandle(type, handle);
}

std::string diagnostics(SQLSMALLINT type, void* handle) {
  std::string out;
  for (SQLSMALLINT record = 1;; ++record) {
    SQLCHAR state[6] = {};
    SQLINTEGER native = 0;
    SQLCHAR message[1024] = {};
    SQLSMALLINT length = 0;
    const auto rc = SQLGetDiagRec(type, handle, record, state, &native, message, sizeof message, &length);
    if (!SQL_SUCCEEDED(rc)) break;
    if (!out.empty()) out += "; ";
    out += "[" + std::string(reinterpret_cast<char*>(state)) + "] " + reinterpret_cast<char*>(message);
  }
  return out.empty() ? "no diagnostics from the driver" : out;
}

namespace {

Handle allocate(SQLSMALLINT type, void* parent) {
  SQLHANDLE handle = SQL_NULL_HANDLE;
  const auto rc = SQLAllocHandle(type, parent, &handle);
  if (!SQL_SUCCEEDED(rc)) {
    throw Error::failed("cannot allocate an ODBC handle",
                        parent ? diagnostics(type == SQL_HANDLE_STMT ? SQL_HANDLE_DBC : SQL_HANDLE_ENV, parent) : "");
  }
  return Handle(handle, HandleDeleter{type});
}

void check(SQLRETURN rc, SQLSMALLINT type, void* handle, const std::string& what) {
  if (SQL_SUCCEEDED(rc) || rc == SQL_NO_DATA) return;
  throw Error::failed(what, diagnostics(type, handle));
}

std::string hex(const unsigned char* data, std::size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 15];
  }
  return out;
}

bool is_binary(SQLSMALLINT type) { return type == SQL_BINARY || type == SQL_VARBINARY || type == SQL_LONGVARBINARY; }

}  // namespace

Cursor::Cursor(Handle statement) : statement_(std::move(statement)), buffer_(64 * 1024) {
  SQLSMALLINT count = 0;
  check(SQLNumResultCols(statement_.get(), &count), SQL_HANDLE_STMT, statement_.get(), "cannot read the result columns");
  for (SQLSMALLINT i = 1; i <= count; ++i) {
    SQLCHAR name[256] = {};
    SQLSMALLINT name_length = 0, type = 0, digits = 0, nullable = 0;
    SQLULEN size = 0;
    check(SQLDescribeCol(statement_.get(), i, name, sizeof name, &name_length, &type, &size, &digits, &nullable),
          SQL_HANDLE_STMT, statement_.get(), "cannot describe a result column");
    columns_.push_back({reinterpret_cast<char*>(name), type});
  }
}

bool Cursor::fetch() {
  const auto rc = SQLFetch(statement_.get());
  if (rc == SQL_NO_DATA) return false;
  check(rc, SQL_HANDLE_STMT, statement_.get(), "cannot fetch a row");
  return true;
}

std::optional<std::string> Cursor::text(int index) {
  const bool binary = is_binary(columns_.at(static_cast<std::size_t>(index)).sql_type);
  const SQLSMALLINT c_type = binary ? SQL_C_BINARY : SQL_C_CHAR;
  std::string value;
  // A long value comes in pieces: each call returns what fits and 01004
  // (truncated) until the last piece.
  for (;;) {
    SQLLEN indicator = 0;
    const auto rc = SQLGetData(statement_.get(), static_cast<SQLUSMALLINT>(index + 1), c_type, buffer_.data(),
                               static_cast<SQLLEN>(buffer_.size()), &indicator);
    if (rc == SQL_NO_DATA) break;
    check(rc, SQL_HANDLE_STMT, statement_.get(), "cannot read column " + columns_[static_cast<std::size_t>(index)].name);
    if (indicator == SQL_NULL_DATA) return std::nullopt;
    const std::size_t room = binary ? buffer_.size() : buffer_.size() - 1;  // text pieces end with a NUL
    std::size_t got = room;
    if (rc == SQL_SUCCESS || (indicator != SQL_NO_TOTAL && static_cast<std::size_t>(indicator) <= room)) {
      got = static_cast<std::size_t>(indicator);
    } else if (!binary) {
      // A driver may stop a piece short of the buffer rather than split a
      // multibyte character: the NUL says where it ended.
      got = ::strnlen(buffer_.data(), room);
    }
    if (binary) {
      value += hex(reinterpret_cast<const unsigned char*>(buffer_.data()), got);
    } else {
      value.append(buffer_.data(), got);
    }
    if (rc == SQL_SUCCESS) break;
  }
  return value;
}

Connection Connection::open(const std::string& connection_string, std::chrono::milliseconds timeout) {
  auto environment = allocate(SQL_HANDLE_ENV, SQL_NULL_HANDLE);
  SQLSetEnvAttr(environment.get(), SQL_ATTR_ODBC_VERSION, reinterpret_cast<SQLPOINTER>(SQL_OV_ODBC3), 0);
  auto connection = allocate(SQL_HANDLE_DBC, environment.get());
  const auto seconds = static_cast<SQLULEN>(std::max<std::int64_t>(1, (timeout.count() + 999) / 1000));
  SQLSetConnectAttr(connection.get(), SQL_ATTR_LOGIN_TIMEOUT, reinterpret_cast<SQLPOINTER>(seconds), 0);
  SQLCHAR completed[2048] = {};
  SQLSMALLINT completed_length = 0;
  std::string input = connection_string;
  const auto rc = SQLDriverConnect(connection.get(), nullptr, reinterpret_cast<SQLCHAR*>(input.data()), SQL_NTS, completed,
                                   sizeof completed, &completed_length, SQL_DRIVER_NOPROMPT);
  if (!SQL_SUCCEEDED(rc)) {
    const std::string why = diagnostics(SQL_HANDLE_DBC, connection.get());
    std::string hint = "check the DSN or driver name (odbcinst -q -d lists the drivers) and that the database is reachable";
    if (why.find("IM002") != std::string::npos) hint = "no such DSN or driver: odbcinst -q -d lists drivers, odbcinst -q -s DSNs";
    throw Error::unreachable("cannot connect through ODBC (" + mask_url_or_conninfo(connection_string) + ")",
                             mask_url_or_conninfo(why), hint);
  }
  return Connection(std::move(environment), std::move(connection));
}

Handle Connection::new_statement() { return allocate(SQL_HANDLE_STMT, connection_.get()); }

Cursor Connection::query(const std::string& sql) {
  auto statement = new_statement();
  std::string text = sql;
  const auto rc = SQLExecDirect(statement.get(), reinterpret_cast<SQLCHAR*>(text.data()), SQL_NTS);
  if (!SQL_SUCCEEDED(rc) && rc != SQL_NO_DATA) {
    throw Error::failed("ODBC query failed", diagnostics(SQL_HANDLE_STMT, statement.get()));
  }
  return Cursor(std::move(statement));
}

void Connection::exec(const std::string& sql) { query(sql); }

std::string Connection::info(SQLUSMALLINT type) const {
  SQLCHAR value[256] = {};
  SQLSMALLINT length = 0;
  if (!SQL_SUCCEEDED(SQLGetInfo(connection_.get(), type, value, sizeof value, &length))) return "";
  return reinterpret_cast<char*>(value);
}

std::string Connection::dbms_name() const { return info(SQL_DBMS_NAME); }
std::string Connection::dbms_version() const { return info(SQL_DBMS_VER); }
std::string Connection::identifier_quote() const {
  auto quote = info(SQL_IDENTIFIER_QUOTE_CHAR);
  return quote == " " || quote.empty() ? "\"" : quote;
}

namespace {

SQLCHAR* catalog_text(std::string& text) { return text.empty() ? nullptr : reinterpret_cast<SQLCHAR*>(text.data()); }

}  // namespace

std::vector<Connection::CatalogColumn> Connection::table_columns(const std::string& schema, const std::string& table) {
  auto statement = new_statement();
  std::string schema_text = schema, table_text = table;
  check(SQLColumns(statement.get(), nullptr, 0, catalog_text(schema_text), SQL_NTS, catalog_text(table_text), SQL_NTS,
                   nullptr, 0),
        SQL_HANDLE_STMT, statement.get(), "cannot list the columns of " + table);
  Cursor cursor(std::move(statement));
  // TABLE_SCHEM is column 2, TABLE_NAME 3, COLUMN_NAME 4, TYPE_NAME 6,
  // NULLABLE 11, ORDINAL_POSITION 17.
  std::vector<std::pair<int, CatalogColumn>> found;
  std::vector<std::string> schemas;
  while (cursor.fetch()) {
    std::vector<std::optional<std::string>> values;
    for (int i = 0; i < static_cast<int>(cursor.columns().size()) && i < 17; ++i) values.push_back(cursor.text(i));
    if (values.size() < 6 || !values[3] || values[2] != table) continue;
    const auto column_schema = values[1].value_or("");
    if (std::find(schemas.begin(), schemas.end(), column_schema) == schemas.end()) schemas.push_back(column_schema);
    const int position = values.size() >= 17 && values[16] ? std::stoi(*values[16]) : static_cast<int>(found.size()) + 1;
    const bool nullable = !(values.size() >= 11 && values[10] == "0");
    found.push_back({position, {column_schema, *values[3], values[5].value_or(""), nullable}});
  }
  if (schemas.size() > 1) {
    std::string list;
    for (const auto& name : schemas) list += (list.empty() ? "" : ", ") + name;
    throw Error::usage("table " + table + " exists in several schemas (" + list + ")", "", "name it as SCHEMA." + table);
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<CatalogColumn> out;
  for (auto& entry : found) out.push_back(std::move(entry.second));
  return out;
}

std::vector<std::string> Connection::primary_key(const std::string& schema, const std::string& table) {
  auto statement = new_statement();
  std::string schema_text = schema, table_text = table;
  check(SQLPrimaryKeys(statement.get(), nullptr, 0, catalog_text(schema_text), SQL_NTS, catalog_text(table_text), SQL_NTS),
        SQL_HANDLE_STMT, statement.get(), "cannot read the primary key of " + table);
  Cursor cursor(std::move(statement));
  // COLUMN_NAME is column 4, KEY_SEQ column 5.
  std::vector<std::pair<int, std::string>> found;
  while (cursor.fetch()) {
    std::vector<std::optional<std::string>> values;
    for (int i = 0; i < 5 && i < static_cast<int>(cursor.columns().size()); ++i) values.push_back(cursor.text(i));
    if (values.size() < 5 || !values[3]) continue;
    found.emplace_back(values[4] ? std::stoi(*values[4]) : 0, *values[3]);
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> out;
  for (auto& [sequence, name] : found) out.push_back(std::move(name));
  return out;
}

std::vector<std::pair<std::string, std::string>> Connection::tables() {
  auto statement = new_statement();
  std::string type = "TABLE";
  check(SQLTables(statement.get(), nullptr, 0, nullptr, 0, nullptr, 0, reinterpret_cast<SQLCHAR*>(type.data()), SQL_NTS),
        SQL_HANDLE_STMT, statement.get(), "cannot list the tables");
  Cursor cursor(std::move(statement));
  // TABLE_SCHEM is column 2, TABLE_NAME column 3.
  std::vector<std::pair<std::string, std::string>> out;
  while (cursor.fetch()) {
    cursor.text(0);
    auto schema = cursor.text(1);
    auto name = cursor.text(2);
    if (name) out.emplace_back(schema.value_or(""), *name);
  }
  return out;
}

}  // namespace cdcctl::odbc
