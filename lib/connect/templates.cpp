#include "connect/templates.hpp"

#include "connect/templates_data.hpp"

namespace cdcctl::connect {

std::vector<std::string> template_names() {
  std::vector<std::string> names;
  for (const auto& entry : kTemplates) names.emplace_back(entry.name);
  return names;
}

std::optional<std::string_view> connector_template(std::string_view name) {
  for (const auto& entry : kTemplates) {
    if (entry.name == name) return entry.text;
  }
  return std::nullopt;
}

}  // namespace cdcctl::connect
