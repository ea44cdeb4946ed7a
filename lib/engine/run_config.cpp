#include "engine/run_config.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <limits>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/text.hpp"
#include "core/units.hpp"
#include "pg/slots.hpp"

namespace cdcctl::engine {

namespace {

using Json = nlohmann::json;

// Keys a Kafka Connect worker or connector carries that mean nothing to a
// single-process worker: accepted silently.
const std::set<std::string> kConnectFrameworkKeys = {
    "connector.class", "tasks.max", "name",
    "key.converter", "value.converter", "key.converter.schemas.enable", "value.converter.schemas.enable"};

bool parse_bool(const std::string& text, const std::string& key) {
  const auto value = ascii_lower(text);
  if (value == "true") return true;
  if (value == "false") return false;
  throw Error::usage(key + " must be true or false, not '" + text + "'");
}

std::int64_t parse_count(const std::string& text, const std::string& key, std::int64_t minimum) {
  std::size_t used = 0;
  std::int64_t value = 0;
  try {
    value = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty() || value < minimum) {
    throw Error::usage(key + " must be a whole number of at least " + std::to_string(minimum) + ", not '" + text + "'");
  }
  return value;
}

std::string value_text(const Json& value, const std::string& key) {
  if (value.is_string()) return resolve_config_providers(value.get<std::string>(), key);
  if (value.is_number_integer() || value.is_number_unsigned()) return std::to_string(value.get<std::int64_t>());
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  throw Error::usage(key + " must be a string, a number or a boolean");
}

std::string trim(std::string text);

// Debezium's list of regular expressions: split on commas, except "\,",
// which is a comma inside a pattern.
std::vector<std::string> split_regex_list(const std::string& list) {
  std::vector<std::string> patterns;
  std::string current;
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (list[i] == '\\' && i + 1 < list.size() && list[i + 1] == ',') {
      current += ',';
      ++i;
    } else if (list[i] == ',') {
      patterns.push_back(current);
      current.clear();
    } else {
      current += list[i];
    }
  }
  patterns.push_back(current);
  std::vector<std::string> out;
  for (auto& pattern : patterns) {
    pattern = trim(pattern);
    if (!pattern.empty()) out.push_back(std::move(pattern));
  }
  return out;
}

std::string trim(std::string text) {
  const auto first = text.find_first_not_of(" \t\r\n\f");
  if (first == std::string::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n\f");
  return text.substr(first, last - first + 1);
}

}  // namespace

std::string to_string(SnapshotMode mode) {
  switch (mode) {
    case SnapshotMode::Initial: return "initial";
    case SnapshotMode::Always: return "always";
    case SnapshotMode::NoData: return "no_data";
    case SnapshotMode::InitialOnly: return "initial_only";
    case SnapshotMode::WhenNeeded: return "when_needed";
  }
  return "initial";
}

NameFilter::NameFilter(const std::string& include, const std::string& exclude, const std::string& include_key,
                       const std::string& exclude_key) {
  if (!include.empty() && !exclude.empty()) {
    throw Error::usage(include_key + " and " + exclude_key + " cannot both be set", {},
                       "keep one: Debezium refuses a connector with both");
  }
  const auto compile = [](const std::string& list, const std::string& key, std::vector<std::regex>& into,
                          std::vector<std::string>* text) {
    for (const auto& pattern : split_regex_list(list)) {
      try {
        // Debezium matches these lists without regard to case.
        into.emplace_back(pattern, std::regex::ECMAScript | std::regex::icase | std::regex::optimize);
      } catch (const std::regex_error& error) {
        throw Error::usage(key + " holds an invalid regular expression '" + pattern + "'", error.what());
      }
      if (text) text->push_back(pattern);
    }
  };
  compile(include, include_key, include_, &include_text_);
  compile(exclude, exclude_key, exclude_, nullptr);
}

bool NameFilter::matches(const std::string& name) const {
  const auto any = [&](const std::vector<std::regex>& list) {
    return std::any_of(list.begin(), list.end(), [&](const std::regex& pattern) { return std::regex_match(name, pattern); });
  };
  if (!include_.empty()) return any(include_);
  return !any(exclude_);
}

std::string resolve_config_providers(const std::string& value, const std::string& key) {
  std::string out;
  std::size_t at = 0;
  while (at < value.size()) {
    const auto open = value.find("${", at);
    if (open == std::string::npos) break;
    const auto close = value.find('}', open);
    if (close == std::string::npos) break;
    out += value.substr(at, open - at);
    const std::string reference = value.substr(open + 2, close - open - 2);
    if (reference.starts_with("env:")) {
      const auto name = reference.substr(4);
      const char* found = std::getenv(name.c_str());
      if (!found) throw Error::usage(key + " refers to environment variable " + name + ", which is not set");
      out += found;
    } else if (reference.starts_with("file:")) {
      // ${file:PATH:KEY}: KEY of the .properties file at PATH (Connect's FileConfigProvider).
      const auto rest = reference.substr(5);
      const auto colon = rest.rfind(':');
      if (colon == std::string::npos || colon == 0) {
        throw Error::usage(key + " has a ${file:…} reference without a key", {}, "write ${file:/path/to/file.properties:key}");
      }
      const auto path = rest.substr(0, colon);
      const auto name = rest.substr(colon + 1);
      std::vector<std::string> ignored;
      std::map<std::string, std::string> entries;
      std::string text;
      try {
        text = read_file(path);
      } catch (const Error& error) {
        throw Error::usage(key + " refers to " + path + ", which cannot be read", error.why());
      }
      // Reuse the .properties reader: every key is "unknown" to it, so read raw pairs.
      std::size_t line_start = 0;
      bool found = false;
      while (line_start <= text.size() && !found) {
        auto line_end = text.find('\n', line_start);
        if (line_end == std::string::npos) line_end = text.size();
        const auto line = trim(text.substr(line_start, line_end - line_start));
        line_start = line_end + 1;
        if (line.empty() || line[0] == '#' || line[0] == '!') continue;
        const auto separator = line.find_first_of("=:");
        if (separator == std::string::npos) continue;
        if (trim(line.substr(0, separator)) == name) {
          out += trim(line.substr(separator + 1));
          found = true;
        }
      }
      if (!found) throw Error::usage(key + " refers to key " + name + " of " + path + ", which has no such key");
    } else {
      throw Error::usage(key + " uses config provider '${" + reference.substr(0, reference.find(':')) + ":…}'",
                         "only ${env:NAME} and ${file:PATH:KEY} are supported");
    }
    at = close + 1;
  }
  out += value.substr(std::min(at, value.size()));
  return out;
}

std::string PostgresConnectorConfig::conninfo() const {
  std::vector<std::pair<std::string, std::string>> pairs = {
      {"host", hostname}, {"port", port}, {"user", user}, {"dbname", dbname}, {"application_name", "cdcctl-" + name}};
  if (!sslmode.empty()) pairs.emplace_back("sslmode", sslmode);
  return pg::conninfo(pairs);
}

CaptureOptions PostgresConnectorConfig::capture_options() const {
  CaptureOptions options;
  options.conninfo = conninfo();
  options.password = password;
  options.slot = slot;
  options.publication = publication;
  options.status_interval = status_interval;
  options.max_batch_records = max_batch_size;
  if (transaction_interval) {
    options.max_batch_records = std::numeric_limits<std::size_t>::max();
    options.max_batch_wait = *transaction_interval;
  }
  options.heartbeat_interval = heartbeat_interval;
  options.mapper.events.topic_prefix = topic_prefix;
  options.mapper.events.types = types;
  options.mapper.events.key_schemas = key_schemas;
  options.mapper.events.value_schemas = value_schemas;
  options.mapper.database = dbname;
  options.mapper.tombstones_on_delete = tombstones_on_delete;
  options.mapper.skipped_operations = skipped_operations;
  options.mapper.transaction_metadata = transaction_metadata;
  options.mapper.events.schema_comments = schema_comments;
  options.mapper.on_conversion_error =
      skip_unconvertible ? MapperOptions::OnConversionError::Skip : MapperOptions::OnConversionError::Fail;
  options.mapper.log_skipped = log_skipped;
  options.mapper.log_values = log_values;
  if (!tables.empty()) {
    options.mapper.include_table = [filter = tables](const std::string& schema, const std::string& table) {
      return filter.matches(schema + "." + table);
    };
  }
  if (!columns.empty()) {
    options.mapper.include_column = [filter = columns](const std::string& schema, const std::string& table,
                                                       const std::string& column) {
      return filter.matches(schema + "." + table + "." + column);
    };
  }
  if (!message_prefixes.empty()) {
    options.mapper.include_message = [filter = message_prefixes](const std::string& prefix) { return filter.matches(prefix); };
  }
  return options;
}

PostgresConnectorConfig parse_connector_config(const Json& document, const std::string& source) {
  if (!document.is_object() || !document.contains("config") || !document["config"].is_object()) {
    throw Error::usage(source + " is not a connector config", "expected {\"name\": …, \"config\": {…}}");
  }
  PostgresConnectorConfig config;
  const auto& settings = document["config"];
  if (document.contains("name") && document["name"].is_string()) config.name = document["name"].get<std::string>();
  if (settings.contains("name") && settings["name"].is_string()) {
    const auto inner = settings["name"].get<std::string>();
    if (!config.name.empty() && inner != config.name) {
      throw Error::usage(source + " names the connector '" + config.name + "' but its config says name=" + inner);
    }
    config.name = inner;
  }
  if (config.name.empty()) throw Error::usage(source + " has no connector name", {}, "add \"name\": \"…\"");
  const std::string where = source + " (" + config.name + "): ";

  std::map<std::string, std::string> values;
  for (const auto& [key, value] : settings.items()) {
    try {
      values[key] = value_text(value, key);
    } catch (const Error& error) {
      throw Error::usage(where + error.summary(), error.why(), error.hint());
    }
  }
  std::set<std::string> used;
  const auto get = [&](const std::string& key) -> std::optional<std::string> {
    used.insert(key);
    const auto found = values.find(key);
    if (found == values.end()) return std::nullopt;
    return found->second;
  };
  const auto require = [&](const std::string& key) {
    auto value = get(key);
    if (!value || value->empty()) throw Error::usage(key + " is required");
    return *value;
  };
  const auto wrap = [&](auto&& parse) {
    try {
      parse();
    } catch (const Error& error) {
      throw Error::usage(where + error.summary(), error.why(), error.hint());
    }
  };

  wrap([&] {
    const auto connector_class = require("connector.class");
    if (connector_class != kPostgresConnectorClass && ascii_lower(connector_class) != "postgres") {
      throw Error::usage("connector.class " + connector_class + " is not one cdcctl run can host",
                         {}, std::string("use ") + kPostgresConnectorClass + " (or its alias postgres)");
    }
    if (auto tasks = get("tasks.max"); tasks && parse_count(*tasks, "tasks.max", 1) != 1) {
      throw Error::usage("tasks.max must be 1", "the PostgreSQL connector reads one replication slot with one task");
    }
    if (auto plugin = get("plugin.name"); plugin && *plugin != "pgoutput") {
      throw Error::usage("plugin.name " + *plugin + " is not supported", "cdcctl run decodes pgoutput only",
                         "set plugin.name=pgoutput (built into PostgreSQL 10 and later)");
    }
    for (const auto* converter : {"key.converter", "value.converter"}) {
      if (auto value = get(converter); value && *value != "org.apache.kafka.connect.json.JsonConverter") {
        throw Error::usage(std::string(converter) + " " + *value + " is not supported",
                           "cdcctl run writes Kafka Connect's JSON converter format",
                           "use org.apache.kafka.connect.json.JsonConverter");
      }
    }
    config.hostname = require("database.hostname");
    if (auto port = get("database.port")) {
      parse_count(*port, "database.port", 1);
      config.port = *port;
    }
    config.user = require("database.user");
    config.password = get("database.password");
    config.dbname = require("database.dbname");
    config.sslmode = get("database.sslmode").value_or("");
    config.topic_prefix = require("topic.prefix");
    if (config.topic_prefix.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") !=
        std::string::npos) {
      throw Error::usage("topic.prefix '" + config.topic_prefix + "' has characters Kafka topic names cannot hold",
                         "allowed: letters, digits, '.', '_' and '-'");
    }
    config.slot = get("slot.name").value_or(config.slot);
    config.publication = get("publication.name").value_or(config.publication);
    if (auto mode = get("publication.autocreate.mode")) {
      if (*mode == "all_tables") config.autocreate = PublicationAutocreate::AllTables;
      else if (*mode == "filtered") config.autocreate = PublicationAutocreate::Filtered;
      else if (*mode == "disabled") config.autocreate = PublicationAutocreate::Disabled;
      else throw Error::usage("publication.autocreate.mode must be all_tables, filtered or disabled, not '" + *mode + "'");
    }
    config.tables = NameFilter(get("table.include.list").value_or(""), get("table.exclude.list").value_or(""),
                               "table.include.list", "table.exclude.list");
    config.columns = NameFilter(get("column.include.list").value_or(""), get("column.exclude.list").value_or(""),
                                "column.include.list", "column.exclude.list");
    if (auto mode = get("hstore.handling.mode"); mode && *mode != "json") {
      throw Error::usage("hstore.handling.mode " + *mode + " is not supported",
                         "cdcctl run writes hstore values as JSON strings (io.debezium.data.Json)",
                         "remove the key or set it to json");
    }
    config.message_prefixes =
        NameFilter(get("message.prefix.include.list").value_or(""), get("message.prefix.exclude.list").value_or(""),
                   "message.prefix.include.list", "message.prefix.exclude.list");
    if (config.autocreate == PublicationAutocreate::Filtered && config.tables.include_patterns().empty() &&
        !config.tables.empty()) {
      throw Error::usage("publication.autocreate.mode=filtered needs table.include.list",
                         "an exclude list cannot say which tables to publish");
    }
    if (auto mode = get("snapshot.mode")) {
      if (*mode == "initial") config.snapshot_mode = SnapshotMode::Initial;
      else if (*mode == "always") config.snapshot_mode = SnapshotMode::Always;
      else if (*mode == "no_data") config.snapshot_mode = SnapshotMode::NoData;
      else if (*mode == "initial_only") config.snapshot_mode = SnapshotMode::InitialOnly;
      else if (*mode == "when_needed") config.snapshot_mode = SnapshotMode::WhenNeeded;
      else if (*mode == "never") {
        throw Error::usage("snapshot.mode=never was removed in Debezium 3", {}, "use snapshot.mode=no_data");
      } else {
        throw Error::usage("snapshot.mode must be initial, always, no_data, initial_only or when_needed, not '" + *mode + "'");
      }
    }
    if (auto value = get("tombstones.on.delete")) config.tombstones_on_delete = parse_bool(*value, "tombstones.on.delete");
    if (auto value = get("heartbeat.interval.ms")) {
      config.heartbeat_interval = std::chrono::milliseconds(parse_count(*value, "heartbeat.interval.ms", 0));
    }
    if (auto value = get("provide.transaction.metadata")) {
      config.transaction_metadata = parse_bool(*value, "provide.transaction.metadata");
    }
    // Kafka Connect's error handling (KIP-298) and Debezium's own: either
    // one asking to go on makes an unconvertible value skip its event.
    if (auto value = get("errors.tolerance")) {
      const auto tolerance = ascii_lower(*value);
      if (tolerance != "none" && tolerance != "all") {
        throw Error::usage("errors.tolerance must be none or all, not '" + *value + "'");
      }
      config.skip_unconvertible = tolerance == "all";
    }
    if (auto value = get("errors.log.enable")) config.log_skipped = parse_bool(*value, "errors.log.enable");
    if (auto value = get("errors.log.include.messages")) {
      config.log_values = parse_bool(*value, "errors.log.include.messages");
    }
    if (auto value = get("event.processing.failure.handling.mode")) {
      const auto mode = ascii_lower(*value);
      if (mode == "warn") {
        config.skip_unconvertible = true;
        config.log_skipped = true;
        config.log_values = true;
      } else if (mode == "skip" || mode == "ignore") {
        config.skip_unconvertible = true;
      } else if (mode != "fail") {
        throw Error::usage("event.processing.failure.handling.mode must be fail, warn, skip or ignore, not '" + *value + "'");
      }
    }
    if (auto value = get("include.schema.comments")) {
      config.schema_comments = parse_bool(*value, "include.schema.comments");
    }
    if (auto value = get("decimal.handling.mode")) config.types.decimal = cdc::parse_decimal_handling(*value);
    if (auto value = get("time.precision.mode")) config.types.time = cdc::parse_time_precision(*value);
    if (auto value = get("key.converter.schemas.enable")) config.key_schemas = parse_bool(*value, "key.converter.schemas.enable");
    if (auto value = get("value.converter.schemas.enable")) {
      config.value_schemas = parse_bool(*value, "value.converter.schemas.enable");
    }
    if (auto value = get("skipped.operations")) {
      config.skipped_operations.clear();
      for (const auto& item : split_list(*value)) {
        if (item == "none") continue;
        if (item.size() != 1 || std::string("cudt").find(item[0]) == std::string::npos) {
          throw Error::usage("skipped.operations holds '" + item + "'", "accepted: c, u, d, t, or none");
        }
        config.skipped_operations.insert(item[0]);
      }
    }
    if (auto value = get("slot.drop.on.stop")) config.slot_drop_on_stop = parse_bool(*value, "slot.drop.on.stop");
    if (auto value = get("max.batch.size")) config.max_batch_size = static_cast<std::size_t>(parse_count(*value, "max.batch.size", 1));
    if (auto value = get("status.update.interval.ms")) {
      config.status_interval = std::chrono::milliseconds(parse_count(*value, "status.update.interval.ms", 1));
    }
    // Kafka Connect's exactly-once source keys (KIP-618): a Kafka transaction
    // per poll batch (max.batch.size events), or per interval. As in Connect,
    // the interval has no effect under another boundary, and case is ignored.
    const auto interval = get("transaction.boundary.interval.ms");
    if (auto boundary = get("transaction.boundary")) {
      const auto mode = ascii_lower(*boundary);
      if (mode == "interval") {
        // Connect's default is the worker's offset.flush.interval.ms (applied
        // by load_run_config), 60 s unless set.
        config.transaction_interval = std::chrono::milliseconds(
            interval ? parse_count(*interval, "transaction.boundary.interval.ms", 0) : 60000);
        config.transaction_interval_set = interval.has_value();
      } else if (mode != "poll") {
        throw Error::usage("transaction.boundary " + *boundary + " is not supported", {},
                           "use poll (a Kafka transaction per max.batch.size events) or interval");
      }
    }
  });
  for (const auto& [key, value] : values) {
    if (used.contains(key) || kConnectFrameworkKeys.contains(key)) continue;
    config.warnings.push_back(where + "ignoring unknown key " + key);
  }
  return config;
}

WorkerConfig parse_worker_properties(const std::string& text, const std::string& source, std::vector<std::string>& warnings) {
  WorkerConfig worker;
  std::string logical;
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    auto line = text.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto trimmed = trim(line);
    if (logical.empty() && (trimmed.empty() || trimmed[0] == '#' || trimmed[0] == '!')) continue;
    // A line continues when it ends in an odd number of backslashes (an
    // even number are escaped backslashes).
    const auto last_other = trimmed.find_last_not_of('\\');
    const auto backslashes = trimmed.size() - (last_other == std::string::npos ? 0 : last_other + 1);
    if (backslashes % 2 == 1) {
      logical += trimmed.substr(0, trimmed.size() - 1);
      continue;
    }
    logical += trimmed;
    lines.push_back(logical);
    logical.clear();
    if (end == text.size()) break;
  }
  if (!logical.empty()) lines.push_back(logical);
  for (const auto& line : lines) {
    // Java's rule: the key ends at the first '=', ':' or blank.
    const auto separator = line.find_first_of("=: \t\f");
    const auto key = trim(line.substr(0, separator));
    auto value = separator == std::string::npos ? std::string() : trim(line.substr(separator));
    if (!value.empty() && (value[0] == '=' || value[0] == ':')) value = trim(value.substr(1));
    // Escapes: "\\" is a backslash, "\t" a tab, "\n" a newline; any other escaped character is itself.
    std::string unescaped;
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (value[i] == '\\' && i + 1 < value.size()) {
        const char next = value[++i];
        unescaped += next == 't' ? '\t' : next == 'n' ? '\n' : next == 'r' ? '\r' : next;
      } else {
        unescaped += value[i];
      }
    }
    value = unescaped;
    value = resolve_config_providers(value, key);
    if (key == "bootstrap.servers") {
      worker.kafka["bootstrap.servers"] = value;
    } else if (key == "offset.storage.topic") {
      worker.offsets_topic = value;
    } else if (key == "state.dir") {
      worker.state_dir = value;
    } else if (key == "offset.flush.interval.ms") {
      worker.offset_flush_interval = std::chrono::milliseconds(parse_count(value, key, 0));
    } else if (key.starts_with("producer.") || key.starts_with("kafka.")) {
      worker.kafka[key.substr(key.find('.') + 1)] = value;
    } else if (key.starts_with("security.") || key.starts_with("sasl.") || key.starts_with("ssl.") || key == "client.id") {
      worker.kafka[key] = value;  // the same names in Connect and librdkafka
    } else if (key == "key.converter" || key == "value.converter" || key == "key.converter.schemas.enable" ||
               key == "value.converter.schemas.enable" ||
               key == "offset.storage.file.filename" || key == "plugin.path" || key == "group.id" ||
               key.starts_with("offset.storage.") || key.starts_with("config.storage.") ||
               key.starts_with("status.storage.") || key == "exactly.once.source.support") {
      // Connect worker settings with no meaning for a single-process worker.
    } else {
      warnings.push_back(source + ": ignoring unknown worker key " + key);
    }
  }
  return worker;
}

RunConfig load_run_config(const std::vector<std::string>& paths, const std::optional<std::string>& embedded_bootstrap) {
  RunConfig config;
  bool have_worker = false;
  for (const auto& path : paths) {
    const auto text = read_file(path);
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && text[first] == '{') {
      const auto document = Json::parse(text, nullptr, false);
      if (document.is_discarded()) throw Error::usage(path + " is not valid JSON");
      auto connector = parse_connector_config(document, path);
      for (auto& warning : connector.warnings) config.warnings.push_back(warning);
      config.connectors.push_back(std::move(connector));
    } else {
      if (have_worker) throw Error::usage("more than one worker config given (" + path + ")", {}, "give one .properties file");
      config.worker = parse_worker_properties(text, path, config.warnings);
      have_worker = true;
    }
  }
  for (auto& connector : config.connectors) {
    if (connector.transaction_interval && !connector.transaction_interval_set && config.worker.offset_flush_interval) {
      connector.transaction_interval = config.worker.offset_flush_interval;
    }
  }
  if (config.connectors.empty()) {
    throw Error::usage("no connector config given", {}, "pass a connector's JSON file: cdcctl run worker.properties connector.json");
  }
  std::set<std::string> names, slots;
  for (const auto& connector : config.connectors) {
    if (!names.insert(connector.name).second) throw Error::usage("connector " + connector.name + " is configured twice");
    // Slot names are unique per PostgreSQL server, not per database.
    if (!slots.insert(connector.hostname + ":" + connector.port + "/" + connector.slot).second) {
      throw Error::usage("connectors share slot " + connector.slot + " on " + connector.hostname + ":" + connector.port,
                         "a replication slot serves one reader", "give each connector its own slot.name");
    }
  }
  if (embedded_bootstrap) {
    if (config.worker.kafka.contains("bootstrap.servers")) {
      config.warnings.push_back("--embedded-kafka: ignoring bootstrap.servers of the worker config");
    }
    config.worker.kafka["bootstrap.servers"] = *embedded_bootstrap;
  } else if (!config.worker.kafka.contains("bootstrap.servers")) {
    throw Error::usage("no Kafka to write to", "the worker config sets no bootstrap.servers",
                       "give a worker .properties with bootstrap.servers=HOST:PORT, or --embedded-kafka for a throwaway broker");
  }
  return config;
}

}  // namespace cdcctl::engine
