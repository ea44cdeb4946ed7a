#pragma once
// Kafka Connect schemas and the JsonConverter's rendering of them: the
// "schema" half of {"schema": …, "payload": …}, byte for byte in the
// converter's key order (type, fields/items, optional, name, version, doc,
// parameters, default, field).
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace cdcctl::cdc {

using OrderedJson = nlohmann::ordered_json;

struct ConnectSchema {
  std::string type{};        // as the JsonConverter names them: int8…int64, float, double, boolean, string, bytes, struct, array
  bool optional = true;
  std::string name{};        // logical type, e.g. "io.debezium.time.MicroTimestamp"
  std::optional<int> version{};
  std::string doc{};
  std::vector<std::pair<std::string, std::string>> parameters{};
  std::optional<OrderedJson> default_value{};
  std::vector<std::pair<std::string, ConnectSchema>> fields{};  // struct members, in order
  std::vector<ConnectSchema> items{};                           // array: exactly one element schema

  // The schema node; with a field name, as a member of a struct.
  OrderedJson to_json(const std::string& field = {}) const;
};

}  // namespace cdcctl::cdc
