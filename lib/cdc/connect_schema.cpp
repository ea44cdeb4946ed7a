#include "cdc/connect_schema.hpp"

namespace cdcctl::cdc {

OrderedJson ConnectSchema::to_json(const std::string& field) const {
  OrderedJson node = OrderedJson::object();
  node["type"] = type;
  if (type == "struct") {
    node["fields"] = OrderedJson::array();
    for (const auto& [member, schema] : fields) node["fields"].push_back(schema.to_json(member));
  }
  if (type == "array" && !items.empty()) node["items"] = items.front().to_json();
  node["optional"] = optional;
  if (!name.empty()) node["name"] = name;
  if (version) node["version"] = *version;
  if (!doc.empty()) node["doc"] = doc;
  if (!parameters.empty()) {
    node["parameters"] = OrderedJson::object();
    for (const auto& [key, value] : parameters) node["parameters"][key] = value;
  }
  if (default_value) node["default"] = *default_value;
  if (!field.empty()) node["field"] = field;
  return node;
}

}  // namespace cdcctl::cdc
