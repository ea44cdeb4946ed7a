#pragma once
// The versions of cdcctl and of the libraries it runs with, for
// `cdcctl version` and bug reports.
#include <nlohmann/json.hpp>

namespace cdcctl::ops {

// {"cdcctl", "librdkafka", "libpq", "libcurl", "compiler"}, all strings.
nlohmann::json dependency_versions();

}  // namespace cdcctl::ops
