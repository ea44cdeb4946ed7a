#include "ops/version.hpp"

#include "http/client.hpp"
#include "kafka/handles.hpp"
#include "pg/connection.hpp"

namespace cdcctl::ops {

nlohmann::json dependency_versions() {
  return {
      {"cdcctl", CDCCTL_VERSION},
      {"librdkafka", kafka::librdkafka_version_text()},
      {"libpq", pg::format_server_version(pg::libpq_version())},
      {"libcurl", http::curl_version_text()},
      {"compiler", "GCC " __VERSION__},
  };
}

}  // namespace cdcctl::ops
