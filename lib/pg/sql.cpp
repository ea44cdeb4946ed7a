#include "pg/sql.hpp"

namespace cdcctl::pg {

std::string quote_identifier(const std::string& name) {
  std::string quoted = "\"";
  for (const char c : name) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string quote_literal(const std::string& value) {
  const bool backslash = value.find('\\') != std::string::npos;
  std::string quoted = backslash ? "E'" : "'";
  for (const char c : value) {
    if (c == '\'' || (backslash && c == '\\')) quoted += c;
    quoted += c;
  }
  return quoted + "'";
}

std::string qualified_name(const std::string& schema, const std::string& table) {
  return quote_identifier(schema) + "." + quote_identifier(table);
}

}  // namespace cdcctl::pg
