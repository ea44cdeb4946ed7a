#pragma once
// SQL text that cdcctl shows or runs: identifiers and literals quoted the way
// PostgreSQL's quote_ident/quote_literal would, so a table called
// "Order Lines" or a role called o'neil comes out right.
#include <string>

namespace cdcctl::pg {

// Always double-quoted, embedded quotes doubled: "Order ""Lines""".
std::string quote_identifier(const std::string& name);
// 'it''s'; an E'' literal when there is a backslash.
std::string quote_literal(const std::string& value);
// "schema"."table"
std::string qualified_name(const std::string& schema, const std::string& table);

}  // namespace cdcctl::pg
