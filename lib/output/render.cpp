#include "output/render.hpp"

#include <cctype>
#include <cstdlib>

#include <yaml-cpp/yaml.h>

namespace cdcctl::output {

namespace {

// True when a plain YAML scalar would read back as something other than this
// string: another type ("true", "8083", "null"), or broken syntax.
bool needs_quotes(const std::string& text) {
  if (text.empty() || text.front() == ' ' || text.back() == ' ') return true;
  if (text.find_first_of(":#{}[],&*!|>'\"%@`\n\t\\") != std::string::npos) return true;
  if (text.front() == '-' || text.front() == '?' || text.front() == '.' || text.front() == '+') return true;
  std::string lower;
  for (char c : text) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  for (const char* word : {"true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"}) {
    if (lower == word) return true;
  }
  char* end = nullptr;
  std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();  // a number
}

void emit(YAML::Emitter& out, const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::object:
      out << YAML::BeginMap;
      for (const auto& [key, item] : value.items()) {
        out << YAML::Key << key << YAML::Value;
        emit(out, item);
      }
      out << YAML::EndMap;
      break;
    case nlohmann::json::value_t::array:
      out << YAML::BeginSeq;
      for (const auto& item : value) emit(out, item);
      out << YAML::EndSeq;
      break;
    case nlohmann::json::value_t::string: {
      const auto& text = value.get_ref<const std::string&>();
      if (needs_quotes(text)) out << YAML::DoubleQuoted;
      out << text;
      break;
    }
    case nlohmann::json::value_t::boolean:
      out << value.get<bool>();
      break;
    case nlohmann::json::value_t::number_integer:
      out << value.get<std::int64_t>();
      break;
    case nlohmann::json::value_t::number_unsigned:
      out << value.get<std::uint64_t>();
      break;
    case nlohmann::json::value_t::number_float:
      out << value.get<double>();
      break;
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded:
    case nlohmann::json::value_t::binary:
      out << YAML::Null;
      break;
  }
}

}  // namespace

std::string to_yaml(const nlohmann::json& value) {
  YAML::Emitter out;
  out.SetIndent(2);
  emit(out, value);
  return std::string(out.c_str()) + "\n";
}

void render_json(const nlohmann::json& value, std::ostream& out) {
  // Invalid UTF-8 (a Latin-1 byte in a hostname) becomes U+FFFD instead of an exception.
  out << value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

void render_yaml(const nlohmann::json& value, std::ostream& out) { out << to_yaml(value); }

void render(const Document& document, Format format, const TableOptions& options, std::ostream& out) {
  switch (format) {
    case Format::Table:
    case Format::Wide: {
      TableOptions table_options = options;
      table_options.wide = format == Format::Wide;
      render_table(document.table, table_options, out);
      break;
    }
    case Format::Json: render_json(document.data, out); break;
    case Format::Yaml: render_yaml(document.data, out); break;
    case Format::Name:
      for (const auto& name : document.names) out << name << '\n';
      break;
    case Format::Csv: render_csv(document.table, out); break;
  }
}

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void render_csv(const Table& table, std::ostream& out) {
  const auto line = [&](const auto& cells, auto text_of) {
    bool first = true;
    for (const auto& cell : cells) {
      out << (first ? "" : ",") << csv_field(text_of(cell));
      first = false;
    }
    out << "\r\n";
  };
  line(table.columns, [](const Column& column) { return column.header; });
  for (const auto& row : table.rows) line(row, [](const Cell& cell) { return cell.text; });
}

}  // namespace cdcctl::output
