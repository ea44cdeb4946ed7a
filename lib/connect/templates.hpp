#pragma once
// Starting configs for common connectors (`cdcctl connectors new`). The text
// is examples/connectors/NAME.json, embedded at build time, so the examples
// and the command can never disagree.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cdcctl::connect {

std::vector<std::string> template_names();
std::optional<std::string_view> connector_template(std::string_view name);

}  // namespace cdcctl::connect
