#include "output/format.hpp"

#include <string>

#include "core/error.hpp"

namespace cdcctl::output {

Format parse_format(std::string_view name) {
  if (name == "table") return Format::Table;
  if (name == "wide") return Format::Wide;
  if (name == "json") return Format::Json;
  if (name == "yaml") return Format::Yaml;
  if (name == "name") return Format::Name;
  if (name == "csv") return Format::Csv;
  throw Error::usage("unknown output format '" + std::string(name) + "'", {},
                     "use one of: table, wide, json, yaml, name, csv");
}

std::string_view format_name(Format format) {
  switch (format) {
    case Format::Table: return "table";
    case Format::Wide: return "wide";
    case Format::Json: return "json";
    case Format::Yaml: return "yaml";
    case Format::Name: return "name";
    case Format::Csv: return "csv";
  }
  return "table";
}

}  // namespace cdcctl::output
