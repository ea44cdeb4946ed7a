#pragma once
// What `cdcctl run` reads: a worker config (Kafka Connect's standalone
// worker .properties: bootstrap.servers, offset.storage.topic, librdkafka
// properties) and connector configs in Kafka Connect's JSON shape
// ({"name": …, "config": {…}}) with Debezium's PostgreSQL keys. Unknown keys
// are warnings (each once); invalid values and contradictory settings are
// usage errors that name the key and say what is accepted.
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cdc/pg_types.hpp"
#include "engine/pg_capture.hpp"

namespace cdcctl::engine {

inline constexpr const char* kPostgresConnectorClass = "io.debezium.connector.postgresql.PostgresConnector";

struct WorkerConfig {
  std::map<std::string, std::string> kafka{};  // bootstrap.servers and librdkafka properties
  std::string offsets_topic = "connect-offsets";
  std::string state_dir{};                     // status files and locks; empty: the default
  // offset.flush.interval.ms: Connect's default for transaction.boundary.interval.ms.
  std::optional<std::chrono::milliseconds> offset_flush_interval{};
};

enum class SnapshotMode { Initial, Always, NoData, InitialOnly, WhenNeeded };
enum class PublicationAutocreate { AllTables, Filtered, Disabled };

std::string to_string(SnapshotMode mode);

// Debezium's include/exclude lists: comma-separated regular expressions,
// each matched against the whole name.
class NameFilter {
 public:
  NameFilter() = default;
  NameFilter(const std::string& include, const std::string& exclude, const std::string& include_key,
             const std::string& exclude_key);
  bool empty() const { return include_.empty() && exclude_.empty(); }
  bool matches(const std::string& name) const;
  // The include list as written (for publication.autocreate.mode=filtered).
  const std::vector<std::string>& include_patterns() const { return include_text_; }

 private:
  std::vector<std::regex> include_;
  std::vector<std::regex> exclude_;
  std::vector<std::string> include_text_;
};

struct PostgresConnectorConfig {
  std::string name{};
  std::string hostname{};
  std::string port = "5432";
  std::string user{};
  std::optional<std::string> password{};
  std::string dbname{};
  std::string sslmode{};
  std::string topic_prefix{};
  std::string slot = "debezium";
  std::string publication = "dbz_publication";
  PublicationAutocreate autocreate = PublicationAutocreate::AllTables;
  NameFilter tables{};
  NameFilter columns{};
  NameFilter message_prefixes{};  // message.prefix.include.list / exclude.list
  SnapshotMode snapshot_mode = SnapshotMode::Initial;
  bool tombstones_on_delete = true;
  std::chrono::milliseconds heartbeat_interval{0};
  bool transaction_metadata = false;
  bool schema_comments = false;  // include.schema.comments
  // A value that cannot be converted: skip its event (errors.tolerance=all, or
  // event.processing.failure.handling.mode warn/skip/ignore) instead of
  // failing; say so (errors.log.enable, or warn) with the value
  // (errors.log.include.messages).
  bool skip_unconvertible = false;
  bool log_skipped = false;
  bool log_values = false;
  cdc::TypeMappingOptions types{};
  bool key_schemas = true;
  bool value_schemas = true;
  std::set<char> skipped_operations{'t'};
  bool slot_drop_on_stop = false;
  std::size_t max_batch_size = 2048;
  // transaction.boundary=interval: a Kafka transaction ends when it is this
  // old, whatever its size, or when PostgreSQL has nothing more to send
  // (unset: at max.batch.size events, a second, or nothing more to send).
  std::optional<std::chrono::milliseconds> transaction_interval{};
  bool transaction_interval_set = false;  // given by the connector, not the worker's default
  std::chrono::milliseconds status_interval{10000};
  std::vector<std::string> warnings{};  // unknown or ignored keys, one line each

  // libpq conninfo without the password (which goes to libpq separately).
  std::string conninfo() const;
  CaptureOptions capture_options() const;
};

// Parses a connector config; `source` names the file in messages.
PostgresConnectorConfig parse_connector_config(const nlohmann::json& document, const std::string& source);

// Parses a Java .properties worker config (key=value or key: value, # and !
// comments, backslash line continuations). Unknown keys become warnings.
WorkerConfig parse_worker_properties(const std::string& text, const std::string& source, std::vector<std::string>& warnings);

struct RunConfig {
  WorkerConfig worker{};
  std::vector<PostgresConnectorConfig> connectors{};
  std::vector<std::string> warnings{};
};

// Reads the files: JSON ones are connectors, the (at most one) other is the
// worker config. `embedded_bootstrap` supplies bootstrap.servers when
// --embedded-kafka runs the broker. Connector names and slot names must be
// unique across the files.
RunConfig load_run_config(const std::vector<std::string>& paths, const std::optional<std::string>& embedded_bootstrap);

// ${env:NAME} and ${file:PATH:KEY} (Kafka Connect's config providers),
// resolved in a value; Error (usage) naming `key` when one cannot be.
std::string resolve_config_providers(const std::string& value, const std::string& key);

}  // namespace cdcctl::engine
