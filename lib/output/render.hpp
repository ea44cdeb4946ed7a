#pragma once
// One result, five renderings. A command builds a Document (the table for
// people, the JSON data for scripts, the names for `-o name`) and hands it to
// render(); the JSON shape is the stable, documented one.
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "output/format.hpp"
#include "output/table.hpp"

namespace cdcctl::output {

struct Document {
  Table table{};
  nlohmann::json data{};
  std::vector<std::string> names{};
};

void render(const Document& document, Format format, const TableOptions& options, std::ostream& out);

// Two-space indented JSON followed by a newline.
void render_json(const nlohmann::json& value, std::ostream& out);
// Block-style YAML of the same data (strings quoted when YAML would misread them).
void render_yaml(const nlohmann::json& value, std::ostream& out);
// RFC 4180: every column (wide ones too), a header line, CRLF line ends,
// fields quoted when they hold a comma, quote or line break.
void render_csv(const Table& table, std::ostream& out);
std::string csv_field(std::string_view text);
std::string to_yaml(const nlohmann::json& value);

}  // namespace cdcctl::output
