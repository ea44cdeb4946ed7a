#pragma once
#include <string_view>

namespace cdcctl::output {

// -o table|wide|json|yaml|name|csv
enum class Format { Table, Wide, Json, Yaml, Name, Csv };

// Throws Error (usage) listing the accepted names.
Format parse_format(std::string_view name);
std::string_view format_name(Format format);

}  // namespace cdcctl::output
