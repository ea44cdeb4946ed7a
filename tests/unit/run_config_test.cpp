// What `cdcctl run` reads and the records it writes beside the change events:
// connector configs in Kafka Connect's JSON shape with Debezium's PostgreSQL
// keys, worker .properties, config providers, include/exclude filters, the
// files put together (load_run_config); heartbeats and transaction metadata
// as Debezium's JSON converter writes them (reference §2.9, §2.10); and the
// change mapper's transaction blocks, table/column filters and snapshot reads.
#include <doctest/doctest.h>

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include "cdc/debezium_event.hpp"
#include "core/error.hpp"
#include "engine/change_mapper.hpp"
#include "engine/run_config.hpp"

using namespace cdcctl;
using namespace cdcctl::engine;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

struct Scratch {
  fs::path path;
  Scratch() {
    std::string templ = (fs::temp_directory_path() / "cdcctl-unit-runcfg-XXXXXX").string();
    path = ::mkdtemp(templ.data());
  }
  ~Scratch() { fs::remove_all(path); }
  std::string write(const std::string& name, const std::string& content) const {
    const auto file = path / name;
    std::ofstream(file, std::ios::binary) << content;
    return file.string();
  }
};

// The error a call throws (nullopt when it throws nothing).
template <typename F>
std::optional<Error> error_of(F&& call) {
  try {
    call();
  } catch (const Error& error) {
    return error;
  }
  return std::nullopt;
}

// The smallest config the parser accepts.
json minimal(const std::string& name = "inv") {
  return {{"name", name},
          {"config",
           {{"connector.class", "io.debezium.connector.postgresql.PostgresConnector"},
            {"database.hostname", "db.internal"},
            {"database.user", "cdc"},
            {"database.dbname", "shop"},
            {"topic.prefix", "shop"}}}};
}

json with(const std::string& key, json value, json document = minimal()) {
  document["config"][key] = std::move(value);
  return document;
}

json without(const std::string& key, json document = minimal()) {
  document["config"].erase(key);
  return document;
}

PostgresConnectorConfig parse(const json& document) { return parse_connector_config(document, "c.json"); }

std::optional<Error> refusal(const json& document) {
  return error_of([&] { parse_connector_config(document, "c.json"); });
}

}  // namespace

// ---------------------------------------------------------------------------
// parse_connector_config

TEST_CASE("run config: a full Debezium PostgreSQL connector config maps to every field") {
  const json document = {
      {"name", "inventory"},
      {"config",
       {{"name", "inventory"},
        {"connector.class", "io.debezium.connector.postgresql.PostgresConnector"},
        {"tasks.max", "1"},
        {"plugin.name", "pgoutput"},
        {"database.hostname", "db.internal"},
        {"database.port", "6543"},
        {"database.user", "cdc"},
        {"database.password", "s3cr3t"},
        {"database.dbname", "shop"},
        {"database.sslmode", "require"},
        {"topic.prefix", "shop-prod.v1"},
        {"slot.name", "cdc_slot"},
        {"publication.name", "cdc_pub"},
        {"publication.autocreate.mode", "filtered"},
        {"table.include.list", "public.orders, public\\.order_.*"},
        {"column.exclude.list", "public.orders.secret"},
        {"snapshot.mode", "no_data"},
        {"tombstones.on.delete", "false"},
        {"heartbeat.interval.ms", "5000"},
        {"provide.transaction.metadata", "true"},
        {"decimal.handling.mode", "string"},
        {"time.precision.mode", "connect"},
        {"key.converter", "org.apache.kafka.connect.json.JsonConverter"},
        {"value.converter", "org.apache.kafka.connect.json.JsonConverter"},
        {"key.converter.schemas.enable", "false"},
        {"value.converter.schemas.enable", "false"},
        {"skipped.operations", "t,u"},
        {"slot.drop.on.stop", "true"},
        {"max.batch.size", "500"},
        {"status.update.interval.ms", "2500"},
        {"errors.log.enable", "true"},
        {"errors.log.include.messages", "true"}}}};
  const auto config = parse(document);
  CHECK(config.name == "inventory");
  CHECK(config.hostname == "db.internal");
  CHECK(config.port == "6543");
  CHECK(config.user == "cdc");
  CHECK(config.password == std::optional<std::string>("s3cr3t"));
  CHECK(config.dbname == "shop");
  CHECK(config.sslmode == "require");
  CHECK(config.topic_prefix == "shop-prod.v1");
  CHECK(config.slot == "cdc_slot");
  CHECK(config.publication == "cdc_pub");
  CHECK(config.autocreate == PublicationAutocreate::Filtered);
  CHECK(config.tables.include_patterns() == std::vector<std::string>{"public.orders", "public\\.order_.*"});
  CHECK(config.tables.matches("public.orders"));
  CHECK(config.tables.matches("public.order_items"));
  CHECK_FALSE(config.tables.matches("public.customers"));
  CHECK_FALSE(config.columns.empty());
  CHECK_FALSE(config.columns.matches("public.orders.secret"));
  CHECK(config.columns.matches("public.orders.id"));
  CHECK(config.snapshot_mode == SnapshotMode::NoData);
  CHECK(to_string(config.snapshot_mode) == "no_data");
  CHECK_FALSE(config.tombstones_on_delete);
  CHECK(config.heartbeat_interval == std::chrono::milliseconds(5000));
  CHECK(config.transaction_metadata);
  CHECK(config.types.decimal == cdc::DecimalHandling::String);
  CHECK(config.types.time == cdc::TimePrecision::Connect);
  CHECK_FALSE(config.key_schemas);
  CHECK_FALSE(config.value_schemas);
  CHECK(config.skipped_operations == std::set<char>{'t', 'u'});
  CHECK(config.slot_drop_on_stop);
  CHECK(config.max_batch_size == 500);
  CHECK(config.status_interval == std::chrono::milliseconds(2500));
  CHECK(config.warnings.empty());  // every key is known or a Connect framework key
}

TEST_CASE("run config: defaults follow Debezium's") {
  const auto config = parse(minimal());
  CHECK(config.name == "inv");
  CHECK(config.port == "5432");
  CHECK_FALSE(config.password.has_value());
  CHECK(config.sslmode.empty());
  CHECK(config.slot == "debezium");
  CHECK(config.publication == "dbz_publication");
  CHECK(config.autocreate == PublicationAutocreate::AllTables);
  CHECK(config.tables.empty());
  CHECK(config.columns.empty());
  CHECK(config.snapshot_mode == SnapshotMode::Initial);
  CHECK(to_string(config.snapshot_mode) == "initial");
  CHECK(config.tombstones_on_delete);
  CHECK(config.heartbeat_interval == std::chrono::milliseconds(0));
  CHECK_FALSE(config.transaction_metadata);
  CHECK(config.types.decimal == cdc::DecimalHandling::Precise);
  CHECK(config.types.time == cdc::TimePrecision::Adaptive);
  CHECK(config.key_schemas);
  CHECK(config.value_schemas);
  CHECK(config.skipped_operations == std::set<char>{'t'});
  CHECK_FALSE(config.slot_drop_on_stop);
  CHECK(config.max_batch_size == 2048);
  CHECK(config.status_interval == std::chrono::milliseconds(10000));
  CHECK(config.warnings.empty());
}

TEST_CASE("run config: the postgres alias - JSON numbers and booleans - every snapshot mode") {
  CHECK(parse(with("connector.class", "postgres")).name == "inv");
  CHECK(parse(with("connector.class", "Postgres")).name == "inv");
  auto typed = minimal();
  typed["config"]["database.port"] = 6543;
  typed["config"]["tasks.max"] = 1;
  typed["config"]["tombstones.on.delete"] = false;
  typed["config"]["provide.transaction.metadata"] = true;
  typed["config"]["heartbeat.interval.ms"] = 0;
  typed["config"]["max.batch.size"] = 100;
  const auto config = parse(typed);
  CHECK(config.port == "6543");
  CHECK_FALSE(config.tombstones_on_delete);
  CHECK(config.transaction_metadata);
  CHECK(config.max_batch_size == 100);
  CHECK(parse(with("tombstones.on.delete", "TRUE")).tombstones_on_delete);
  CHECK_FALSE(parse(with("tombstones.on.delete", "False")).tombstones_on_delete);

  CHECK(parse(with("snapshot.mode", "initial")).snapshot_mode == SnapshotMode::Initial);
  CHECK(parse(with("snapshot.mode", "always")).snapshot_mode == SnapshotMode::Always);
  CHECK(parse(with("snapshot.mode", "initial_only")).snapshot_mode == SnapshotMode::InitialOnly);
  CHECK(parse(with("snapshot.mode", "when_needed")).snapshot_mode == SnapshotMode::WhenNeeded);
  CHECK(to_string(SnapshotMode::Always) == "always");
  CHECK(to_string(SnapshotMode::InitialOnly) == "initial_only");
  CHECK(to_string(SnapshotMode::WhenNeeded) == "when_needed");

  CHECK(parse(with("publication.autocreate.mode", "disabled")).autocreate == PublicationAutocreate::Disabled);
  CHECK(parse(with("publication.autocreate.mode", "all_tables")).autocreate == PublicationAutocreate::AllTables);
  CHECK(parse(with("skipped.operations", "none")).skipped_operations.empty());
  CHECK(parse(with("skipped.operations", " c , d ")).skipped_operations == std::set<char>{'c', 'd'});
  CHECK(parse(with("time.precision.mode", "adaptive_time_microseconds")).types.time ==
        cdc::TimePrecision::AdaptiveTimeMicroseconds);
  CHECK(parse(with("decimal.handling.mode", "double")).types.decimal == cdc::DecimalHandling::Double);

  // What an unconvertible value does: fail (the default), or skip, said or not.
  const auto fails = parse(with("errors.tolerance", "none"));
  CHECK_FALSE(fails.skip_unconvertible);
  CHECK(fails.capture_options().mapper.on_conversion_error == MapperOptions::OnConversionError::Fail);
  auto tolerant = with("errors.tolerance", "all");
  tolerant["config"]["errors.log.enable"] = "true";
  const auto skips = parse(tolerant);
  CHECK(skips.skip_unconvertible);
  CHECK(skips.log_skipped);
  CHECK_FALSE(skips.log_values);  // errors.log.include.messages defaults to false: values stay out of logs
  CHECK(skips.capture_options().mapper.on_conversion_error == MapperOptions::OnConversionError::Skip);
  const auto warns = parse(with("event.processing.failure.handling.mode", "warn"));
  CHECK((warns.skip_unconvertible && warns.log_skipped && warns.log_values));
  const auto quiet = parse(with("event.processing.failure.handling.mode", "skip"));
  CHECK((quiet.skip_unconvertible && !quiet.log_skipped));
  CHECK(parse(with("include.schema.comments", "true")).capture_options().mapper.events.schema_comments);
  CHECK_FALSE(parse(with("event.processing.failure.handling.mode", "fail")).skip_unconvertible);
  CHECK_THROWS_WITH_AS(parse(with("errors.tolerance", "some")), "c.json (inv): errors.tolerance must be none or all, not 'some'", Error);
  CHECK_THROWS_WITH_AS(parse(with("event.processing.failure.handling.mode", "retry")),
                       doctest::Contains("must be fail, warn, skip or ignore"), Error);
  CHECK(parse(with("errors.log.enable", "true")).warnings.empty());  // a known key now
}

TEST_CASE("run config: the connector name - outer - inner - missing - conflicting") {
  auto inner_only = minimal();
  inner_only.erase("name");
  inner_only["config"]["name"] = "from-config";
  CHECK(parse(inner_only).name == "from-config");
  CHECK(parse(with("name", "inv")).name == "inv");  // the same name twice is fine

  auto nameless = minimal();
  nameless.erase("name");
  auto error = refusal(nameless);
  REQUIRE(error);
  CHECK(std::string(error->what()) == "c.json has no connector name");
  CHECK(error->hint() == "add \"name\": \"…\"");
  CHECK(error->code() == ExitCode::Usage);

  CHECK_THROWS_WITH_AS(parse(with("name", "other")), "c.json names the connector 'inv' but its config says name=other", Error);

  CHECK_THROWS_WITH_AS(parse(json{{"name", "x"}}), "c.json is not a connector config: expected {\"name\": …, \"config\": {…}}", Error);
  CHECK_THROWS_WITH_AS(parse(json::array()), doctest::Contains("is not a connector config"), Error);
  CHECK_THROWS_WITH_AS(parse(json{{"name", "x"}, {"config", "text"}}), doctest::Contains("is not a connector config"), Error);
}

TEST_CASE("run config: required keys are named when missing or empty") {
  for (const std::string key : {"connector.class", "database.hostname", "database.user", "database.dbname", "topic.prefix"}) {
    CAPTURE(key);
    const auto error = refusal(without(key));
    REQUIRE(error);
    const std::string what = error->what();
    CHECK(what.starts_with("c.json (inv): "));
    CHECK(what.ends_with(key + " is required"));
    CHECK(error->code() == ExitCode::Usage);
    CHECK_THROWS_WITH_AS(parse(with(key, "")), doctest::Contains((key + " is required").c_str()), Error);
    CHECK(what == "c.json (inv): " + key + " is required");
  }
  // database.password is optional: PGPASSFILE or trust may supply it.
  CHECK_NOTHROW(parse(without("database.password")));
}

TEST_CASE("run config: refusals name the key and say what is accepted") {
  auto error = refusal(with("connector.class", "io.debezium.connector.mysql.MySqlConnector"));
  REQUIRE(error);
  CHECK(std::string(error->what()) ==
        "c.json (inv): connector.class io.debezium.connector.mysql.MySqlConnector is not one cdcctl run can host");
  CHECK(error->hint() == "use io.debezium.connector.postgresql.PostgresConnector (or its alias postgres)");

  error = refusal(with("plugin.name", "decoderbufs"));
  REQUIRE(error);
  CHECK(std::string(error->what()) == "c.json (inv): plugin.name decoderbufs is not supported: cdcctl run decodes pgoutput only");
  CHECK(error->hint() == "set plugin.name=pgoutput (built into PostgreSQL 10 and later)");
  CHECK_NOTHROW(parse(with("plugin.name", "pgoutput")));

  CHECK_THROWS_WITH_AS(parse(with("tasks.max", "2")),
                       "c.json (inv): tasks.max must be 1: the PostgreSQL connector reads one replication slot with one task",
                       Error);
  CHECK_THROWS_WITH_AS(parse(with("tasks.max", "0")), "c.json (inv): tasks.max must be a whole number of at least 1, not '0'", Error);
  CHECK_THROWS_WITH_AS(parse(with("tasks.max", "one")), "c.json (inv): tasks.max must be a whole number of at least 1, not 'one'",
                       Error);

  error = refusal(with("snapshot.mode", "never"));
  REQUIRE(error);
  CHECK(std::string(error->what()) == "c.json (inv): snapshot.mode=never was removed in Debezium 3");
  CHECK(error->hint() == "use snapshot.mode=no_data");
  CHECK(format_error(*error) == "error: c.json (inv): snapshot.mode=never was removed in Debezium 3\nhint: use snapshot.mode=no_data\n");
  CHECK_THROWS_WITH_AS(parse(with("snapshot.mode", "sometimes")),
                       "c.json (inv): snapshot.mode must be initial, always, no_data, initial_only or when_needed, not 'sometimes'",
                       Error);
  CHECK_THROWS_WITH_AS(parse(with("snapshot.mode", "Initial")), doctest::Contains("not 'Initial'"), Error);

  CHECK_THROWS_WITH_AS(parse(with("tombstones.on.delete", "yes")), "c.json (inv): tombstones.on.delete must be true or false, not 'yes'",
                       Error);
  CHECK_THROWS_WITH_AS(parse(with("provide.transaction.metadata", "1")),
                       "c.json (inv): provide.transaction.metadata must be true or false, not '1'", Error);
  CHECK_THROWS_WITH_AS(parse(with("value.converter.schemas.enable", "")),
                       "c.json (inv): value.converter.schemas.enable must be true or false, not ''", Error);
  CHECK_THROWS_WITH_AS(parse(with("slot.drop.on.stop", "on")), "c.json (inv): slot.drop.on.stop must be true or false, not 'on'", Error);

  CHECK_THROWS_WITH_AS(parse(with("heartbeat.interval.ms", "-1")),
                       "c.json (inv): heartbeat.interval.ms must be a whole number of at least 0, not '-1'", Error);
  CHECK_THROWS_WITH_AS(parse(with("heartbeat.interval.ms", -1)),
                       "c.json (inv): heartbeat.interval.ms must be a whole number of at least 0, not '-1'", Error);
  CHECK_THROWS_WITH_AS(parse(with("heartbeat.interval.ms", "10s")),
                       "c.json (inv): heartbeat.interval.ms must be a whole number of at least 0, not '10s'", Error);
  CHECK_THROWS_WITH_AS(parse(with("database.port", "abc")), "c.json (inv): database.port must be a whole number of at least 1, not 'abc'",
                       Error);
  CHECK_THROWS_WITH_AS(parse(with("max.batch.size", "0")), "c.json (inv): max.batch.size must be a whole number of at least 1, not '0'",
                       Error);
  CHECK_THROWS_WITH_AS(parse(with("status.update.interval.ms", "0")),
                       "c.json (inv): status.update.interval.ms must be a whole number of at least 1, not '0'", Error);

  error = refusal(with("table.exclude.list", "public.audit", with("table.include.list", "public.orders")));
  REQUIRE(error);
  CHECK(std::string(error->what()) == "c.json (inv): table.include.list and table.exclude.list cannot both be set");
  CHECK(error->hint() == "keep one: Debezium refuses a connector with both");
  CHECK_THROWS_WITH_AS(parse(with("column.exclude.list", "a.b.c", with("column.include.list", "a.b.d"))),
                       "c.json (inv): column.include.list and column.exclude.list cannot both be set", Error);

  error = refusal(with("table.include.list", "public.orders,public.(broken"));
  REQUIRE(error);
  CHECK(error->summary() == "c.json (inv): table.include.list holds an invalid regular expression 'public.(broken'");
  CHECK_FALSE(error->why().empty());  // the regex library's reason
  CHECK_THROWS_WITH_AS(parse(with("column.exclude.list", "[x")),
                       doctest::Contains("c.json (inv): column.exclude.list holds an invalid regular expression '[x'"), Error);

  error = refusal(with("value.converter", "io.confluent.connect.avro.AvroConverter"));
  REQUIRE(error);
  CHECK(std::string(error->what()) ==
        "c.json (inv): value.converter io.confluent.connect.avro.AvroConverter is not supported: "
        "cdcctl run writes Kafka Connect's JSON converter format");
  CHECK(error->hint() == "use org.apache.kafka.connect.json.JsonConverter");
  CHECK_THROWS_WITH_AS(parse(with("key.converter", "org.apache.kafka.connect.storage.StringConverter")),
                       doctest::Contains("c.json (inv): key.converter org.apache.kafka.connect.storage.StringConverter is not supported"),
                       Error);

  CHECK_THROWS_WITH_AS(parse(with("topic.prefix", "my prefix")),
                       "c.json (inv): topic.prefix 'my prefix' has characters Kafka topic names cannot hold: "
                       "allowed: letters, digits, '.', '_' and '-'",
                       Error);
  CHECK_THROWS_WITH_AS(parse(with("topic.prefix", "a/b")), doctest::Contains("topic.prefix 'a/b' has characters"), Error);
  CHECK_NOTHROW(parse(with("topic.prefix", "Prod_2.db-1")));

  CHECK_THROWS_WITH_AS(parse(with("skipped.operations", "x")), "c.json (inv): skipped.operations holds 'x': accepted: c, u, d, t, or none",
                       Error);
  CHECK_THROWS_WITH_AS(parse(with("skipped.operations", "c,update")), doctest::Contains("skipped.operations holds 'update'"), Error);

  CHECK_THROWS_WITH_AS(parse(with("publication.autocreate.mode", "some")),
                       "c.json (inv): publication.autocreate.mode must be all_tables, filtered or disabled, not 'some'", Error);
  CHECK_THROWS_WITH_AS(parse(with("publication.autocreate.mode", "filtered", with("table.exclude.list", "public.audit"))),
                       "c.json (inv): publication.autocreate.mode=filtered needs table.include.list: "
                       "an exclude list cannot say which tables to publish",
                       Error);
  CHECK_THROWS_WITH_AS(parse(with("decimal.handling.mode", "exact")),
                       "c.json (inv): invalid decimal.handling.mode 'exact': expected precise, double or string", Error);
  CHECK_THROWS_WITH_AS(parse(with("time.precision.mode", "nanos")), doctest::Contains("c.json (inv): invalid time.precision.mode 'nanos'"),
                       Error);
  CHECK_THROWS_WITH_AS(parse(with("database.port", json::object())),
                       "c.json (inv): database.port must be a string, a number or a boolean", Error);
  CHECK_THROWS_WITH_AS(parse(with("table.include.list", json::array({"public.a"}))),
                       "c.json (inv): table.include.list must be a string, a number or a boolean", Error);
}

TEST_CASE("run config: unknown keys warn once each and name the key") {
  auto document = with("database.server.name", "legacy");
  document["config"]["snapshot.fetch.size"] = 10240;
  document["config"]["transforms"] = "unwrap";
  const auto config = parse(document);
  CHECK(config.warnings == std::vector<std::string>{"c.json (inv): ignoring unknown key database.server.name",
                                                    "c.json (inv): ignoring unknown key snapshot.fetch.size",
                                                    "c.json (inv): ignoring unknown key transforms"});
  // Connect framework keys are accepted silently.
  auto framework = minimal();
  for (const auto* key : {"tasks.max", "errors.log.enable", "errors.log.include.messages", "key.converter.schemas.enable",
                          "value.converter.schemas.enable"}) {
    framework["config"][key] = std::string(key) == "tasks.max" ? "1" : "true";
  }
  framework["config"]["key.converter"] = "org.apache.kafka.connect.json.JsonConverter";
  CHECK(parse(framework).warnings.empty());
}

TEST_CASE("run config: conninfo never holds the password and capture_options carries the settings") {
  auto document = minimal();
  document["config"]["database.password"] = "pa'ss\\word";
  document["config"]["database.port"] = "6543";
  document["config"]["database.sslmode"] = "verify-full";
  document["config"]["heartbeat.interval.ms"] = "3000";
  document["config"]["provide.transaction.metadata"] = "true";
  document["config"]["topic.prefix"] = "shop-prod";
  document["config"]["table.include.list"] = "public\\.ord.*,inventory.items";
  document["config"]["column.exclude.list"] = "public.orders.card_number";
  document["config"]["value.converter.schemas.enable"] = "false";
  document["config"]["tombstones.on.delete"] = "false";
  document["config"]["skipped.operations"] = "none";
  document["config"]["max.batch.size"] = "64";
  document["config"]["status.update.interval.ms"] = "1500";
  document["config"]["slot.name"] = "s1";
  document["config"]["publication.name"] = "p1";
  document["config"]["decimal.handling.mode"] = "double";
  const auto config = parse(document);
  const auto conninfo = config.conninfo();
  CHECK(conninfo == "host='db.internal' port='6543' user='cdc' dbname='shop' application_name='cdcctl-inv' sslmode='verify-full'");
  CHECK(conninfo.find("pa") == std::string::npos);
  CHECK(conninfo.find("password") == std::string::npos);
  CHECK(parse(minimal()).conninfo() == "host='db.internal' port='5432' user='cdc' dbname='shop' application_name='cdcctl-inv'");

  const auto options = config.capture_options();
  CHECK(options.conninfo == conninfo);
  CHECK(options.password == std::optional<std::string>("pa'ss\\word"));
  CHECK(options.slot == "s1");
  CHECK(options.publication == "p1");
  CHECK(options.status_interval == std::chrono::milliseconds(1500));
  CHECK(options.max_batch_records == 64);
  CHECK(options.heartbeat_interval == std::chrono::milliseconds(3000));
  CHECK(options.mapper.events.topic_prefix == "shop-prod");
  CHECK(options.mapper.events.key_schemas);
  CHECK_FALSE(options.mapper.events.value_schemas);
  CHECK(options.mapper.events.types.decimal == cdc::DecimalHandling::Double);
  CHECK(options.mapper.database == "shop");
  CHECK_FALSE(options.mapper.tombstones_on_delete);
  CHECK(options.mapper.skipped_operations.empty());
  CHECK(options.mapper.transaction_metadata);

  REQUIRE(options.mapper.include_table);
  CHECK(options.mapper.include_table("public", "orders"));
  CHECK(options.mapper.include_table("public", "ord"));
  CHECK(options.mapper.include_table("inventory", "items"));
  CHECK_FALSE(options.mapper.include_table("public", "customers"));
  CHECK_FALSE(options.mapper.include_table("xpublic", "orders"));
  CHECK_FALSE(options.mapper.include_table("inventory", "items_old"));  // full match, not a search
  CHECK_FALSE(options.mapper.include_table("archive", "inventory.items"));

  REQUIRE(options.mapper.include_column);
  CHECK_FALSE(options.mapper.include_column("public", "orders", "card_number"));
  CHECK(options.mapper.include_column("public", "orders", "card_number_last4"));
  CHECK(options.mapper.include_column("public", "orders", "id"));
  CHECK(options.mapper.include_column("public", "refunds", "card_number"));

  // No lists: no filter functions, everything is captured.
  const auto all = parse(minimal()).capture_options();
  CHECK_FALSE(all.mapper.include_table);
  CHECK_FALSE(all.mapper.include_column);
  CHECK_FALSE(all.mapper.transaction_metadata);
  CHECK(all.heartbeat_interval == std::chrono::milliseconds(0));
  CHECK(all.mapper.skipped_operations == std::set<char>{'t'});
  CHECK_FALSE(all.password.has_value());

  // Column include list: only the listed columns (keys are kept by the mapper).
  const auto narrow = parse(with("column.include.list", "public\\.orders\\.(id|total)")).capture_options();
  REQUIRE(narrow.mapper.include_column);
  CHECK(narrow.mapper.include_column("public", "orders", "total"));
  CHECK_FALSE(narrow.mapper.include_column("public", "orders", "note"));
  CHECK_FALSE(narrow.mapper.include_column("public", "orders", "total2"));
  // Table exclude list.
  const auto excluded = parse(with("table.exclude.list", "public\\.audit_.*")).capture_options();
  REQUIRE(excluded.mapper.include_table);
  CHECK_FALSE(excluded.mapper.include_table("public", "audit_log"));
  CHECK(excluded.mapper.include_table("public", "orders"));
}

TEST_CASE("run config: NameFilter matches whole names") {
  const NameFilter include("public\\.ord.*", "", "table.include.list", "table.exclude.list");
  CHECK_FALSE(include.empty());
  CHECK(include.matches("public.orders"));
  CHECK(include.matches("public.ord"));
  CHECK_FALSE(include.matches("xpublic.orders"));
  CHECK_FALSE(include.matches("public.customers"));
  CHECK_FALSE(include.matches("public_ord"));  // the dot is escaped

  const NameFilter several("s1\\.a, s2\\..*", "", "i", "e");
  CHECK(several.matches("s1.a"));
  CHECK(several.matches("s2.anything"));
  CHECK_FALSE(several.matches("s1.ab"));
  CHECK(several.include_patterns() == std::vector<std::string>{"s1\\.a", "s2\\..*"});

  const NameFilter exclude("", "public\\.audit.*,public.tmp", "i", "e");
  CHECK_FALSE(exclude.empty());
  CHECK_FALSE(exclude.matches("public.audit"));
  CHECK_FALSE(exclude.matches("public.audit_2024"));
  CHECK_FALSE(exclude.matches("public.tmp"));
  CHECK(exclude.matches("public.tmp2"));
  CHECK(exclude.matches("other.audit"));
  CHECK(exclude.include_patterns().empty());

  const NameFilter none;
  CHECK(none.empty());
  CHECK(none.matches("anything.at_all"));
  CHECK(NameFilter(" , ", "", "i", "e").empty());  // blank items are dropped

  CHECK_THROWS_WITH_AS(NameFilter("a", "b", "table.include.list", "table.exclude.list"),
                       "table.include.list and table.exclude.list cannot both be set", Error);
  CHECK_THROWS_WITH_AS(NameFilter("ok,(", "", "column.include.list", "column.exclude.list"),
                       doctest::Contains("column.include.list holds an invalid regular expression '('"), Error);

  CHECK(include.matches("PUBLIC.Orders"));
  CHECK_FALSE(exclude.matches("public.AUDIT"));
  const NameFilter quantified("public\\.t{1\\,3}", "", "i", "e");
  CHECK(quantified.matches("public.ttt"));
}

// ---------------------------------------------------------------------------
// Config providers

TEST_CASE("run config: ${env:NAME} and ${file:PATH:KEY} config providers") {
  ::setenv("CDCCTL_RUNCFG_TEST_USER", "alice", 1);
  ::setenv("CDCCTL_RUNCFG_TEST_PW", "s3cr3t=!", 1);
  ::unsetenv("CDCCTL_RUNCFG_TEST_UNSET");
  CHECK(resolve_config_providers("${env:CDCCTL_RUNCFG_TEST_USER}", "database.user") == "alice");
  CHECK(resolve_config_providers("pre-${env:CDCCTL_RUNCFG_TEST_USER}-mid-${env:CDCCTL_RUNCFG_TEST_PW}-post", "k") ==
        "pre-alice-mid-s3cr3t=!-post");
  CHECK(resolve_config_providers("plain value", "k") == "plain value");
  CHECK(resolve_config_providers("", "k").empty());
  CHECK(resolve_config_providers("unclosed ${env:CDCCTL_RUNCFG_TEST_USER", "k") == "unclosed ${env:CDCCTL_RUNCFG_TEST_USER");
  CHECK(resolve_config_providers("$notareference {x}", "k") == "$notareference {x}");

  auto error = error_of([] { resolve_config_providers("${env:CDCCTL_RUNCFG_TEST_UNSET}", "database.password"); });
  REQUIRE(error);
  CHECK(std::string(error->what()) == "database.password refers to environment variable CDCCTL_RUNCFG_TEST_UNSET, which is not set");
  CHECK(error->code() == ExitCode::Usage);

  Scratch dir;
  const auto secrets = dir.write("secrets.properties",
                                 "# database secrets\n"
                                 "! another comment\n"
                                 "\n"
                                 "user = bob\n"
                                 "password: p@ss=word:1\n"
                                 "   spaced.key   =   spaced value   \n"
                                 "pass=prefix-only\n"
                                 "empty=\n");
  CHECK(resolve_config_providers("${file:" + secrets + ":user}", "database.user") == "bob");
  CHECK(resolve_config_providers("${file:" + secrets + ":password}", "database.password") == "p@ss=word:1");
  CHECK(resolve_config_providers("${file:" + secrets + ":spaced.key}", "k") == "spaced value");
  CHECK(resolve_config_providers("${file:" + secrets + ":pass}", "k") == "prefix-only");
  CHECK(resolve_config_providers("${file:" + secrets + ":empty}", "k").empty());
  CHECK(resolve_config_providers("u=${file:" + secrets + ":user};p=${env:CDCCTL_RUNCFG_TEST_USER}", "k") == "u=bob;p=alice");

  error = error_of([&] { resolve_config_providers("${file:" + secrets + ":nope}", "database.password"); });
  REQUIRE(error);
  CHECK(std::string(error->what()) == "database.password refers to key nope of " + secrets + ", which has no such key");

  error = error_of([] { resolve_config_providers("${file:/etc/secrets.properties}", "database.password"); });
  REQUIRE(error);
  CHECK(error->summary() == "database.password has a ${file:…} reference without a key");
  CHECK(error->hint() == "write ${file:/path/to/file.properties:key}");

  error = error_of([] { resolve_config_providers("${vault:secret/db:password}", "database.password"); });
  REQUIRE(error);
  CHECK(std::string(error->what()) ==
        "database.password uses config provider '${vault:…}': only ${env:NAME} and ${file:PATH:KEY} are supported");
  CHECK(error->code() == ExitCode::Usage);

  // A file that cannot be read: the error says which file.
  const auto missing = (dir.path / "absent.properties").string();
  error = error_of([&] { resolve_config_providers("${file:" + missing + ":password}", "database.password"); });
  REQUIRE(error);
  CHECK(error->code() == ExitCode::Usage);
  CHECK(std::string(error->what()).find(missing) != std::string::npos);
  CHECK(std::string(error->what()).find("database.password") != std::string::npos);

  // Providers inside a connector config: resolved before parsing, errors prefixed.
  auto document = minimal();
  document["config"]["database.password"] = "${env:CDCCTL_RUNCFG_TEST_PW}";
  document["config"]["database.user"] = "${file:" + secrets + ":user}";
  const auto config = parse(document);
  CHECK(config.password == std::optional<std::string>("s3cr3t=!"));
  CHECK(config.user == "bob");
  CHECK(config.conninfo().find("s3cr3t") == std::string::npos);
  CHECK_THROWS_WITH_AS(parse(with("database.password", "${env:CDCCTL_RUNCFG_TEST_UNSET}")),
                       "c.json (inv): database.password refers to environment variable CDCCTL_RUNCFG_TEST_UNSET, which is not set",
                       Error);
  ::unsetenv("CDCCTL_RUNCFG_TEST_USER");
  ::unsetenv("CDCCTL_RUNCFG_TEST_PW");
}

// ---------------------------------------------------------------------------
// Worker .properties

TEST_CASE("run config: worker properties map Connect and librdkafka settings") {
  ::setenv("CDCCTL_RUNCFG_TEST_SASL", "from-env", 1);
  const std::string text =
      "# Kafka Connect standalone worker\n"
      "! a comment in the other style\n"
      "\n"
      "bootstrap.servers=broker1:9092,broker2:9092\n"
      "offset.storage.topic = my-offsets\n"
      "state.dir: /var/lib/cdcctl\n"
      "producer.linger.ms=5\n"
      "kafka.compression.type=zstd\n"
      "security.protocol=SASL_SSL\n"
      "sasl.mechanism=SCRAM-SHA-512\n"
      "sasl.username=${env:CDCCTL_RUNCFG_TEST_SASL}\n"
      "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\\n"
      "    username=\"cdc\" \\\n"
      "    password=\"secret\";\n"
      "ssl.ca.location=/etc/ssl/ca.pem\n"
      "client.id=cdcctl-1\n"
      "   # an indented comment\n"
      "key.converter=org.apache.kafka.connect.json.JsonConverter\n"
      "value.converter=org.apache.kafka.connect.json.JsonConverter\n"
      "key.converter.schemas.enable=true\n"
      "offset.flush.interval.ms=10000\n"
      "plugin.path=/usr/share/java\n"
      "offset.storage.file.filename=/tmp/connect.offsets\n"
      "offset.storage.replication.factor=3\n"
      "group.id=connect-cluster\n"
      "config.storage.topic=connect-configs\n"
      "status.storage.topic=connect-status\n"
      "exactly.once.source.support=enabled\n"
      "rest.port=8083\n"
      "listeners=http://0.0.0.0:8083\n";
  std::vector<std::string> warnings;
  const auto worker = parse_worker_properties(text, "w.properties", warnings);
  CHECK(worker.kafka == std::map<std::string, std::string>{
                            {"bootstrap.servers", "broker1:9092,broker2:9092"},
                            {"linger.ms", "5"},
                            {"compression.type", "zstd"},
                            {"security.protocol", "SASL_SSL"},
                            {"sasl.mechanism", "SCRAM-SHA-512"},
                            {"sasl.username", "from-env"},
                            {"sasl.jaas.config",
                             "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"cdc\" password=\"secret\";"},
                            {"ssl.ca.location", "/etc/ssl/ca.pem"},
                            {"client.id", "cdcctl-1"}});
  CHECK(worker.offsets_topic == "my-offsets");
  CHECK(worker.state_dir == "/var/lib/cdcctl");
  CHECK(warnings == std::vector<std::string>{"w.properties: ignoring unknown worker key rest.port",
                                             "w.properties: ignoring unknown worker key listeners"});
  ::unsetenv("CDCCTL_RUNCFG_TEST_SASL");
}

TEST_CASE("run config: worker properties defaults - CRLF - last line without newline - appends warnings") {
  std::vector<std::string> warnings{"earlier warning"};
  const auto empty = parse_worker_properties("", "w.properties", warnings);
  CHECK(empty.kafka.empty());
  CHECK(empty.offsets_topic == "connect-offsets");
  CHECK(empty.state_dir.empty());
  CHECK(warnings == std::vector<std::string>{"earlier warning"});

  const auto crlf = parse_worker_properties("bootstrap.servers=k:9092\r\nproducer.acks=all\r\nmystery=1", "w.properties", warnings);
  CHECK(crlf.kafka == std::map<std::string, std::string>{{"bootstrap.servers", "k:9092"}, {"acks", "all"}});
  CHECK(warnings == std::vector<std::string>{"earlier warning", "w.properties: ignoring unknown worker key mystery"});

  // A continuation on the last line, and a comment-looking line inside a continuation.
  warnings.clear();
  const auto continued = parse_worker_properties("bootstrap.servers=a:1,\\\n  b:2,\\\n  #c:3", "w.properties", warnings);
  CHECK(continued.kafka.at("bootstrap.servers") == "a:1,b:2,#c:3");
  CHECK(warnings.empty());

  // The first '=' or ':' separates: values may hold the other.
  const auto separators = parse_worker_properties("kafka.ssl.endpoint.identification.algorithm:https\n"
                                                  "producer.transactional.id=a:b=c\n",
                                                  "w.properties", warnings);
  CHECK(separators.kafka == std::map<std::string, std::string>{{"ssl.endpoint.identification.algorithm", "https"},
                                                               {"transactional.id", "a:b=c"}});

  // continuation, and "\\" in a value is one backslash:
  const auto escaped = parse_worker_properties("ssl.key.password=abc\\\\\nclient.id=y\n", "w.properties", warnings);
  CHECK(escaped.kafka.at("ssl.key.password") == "abc\\");
  CHECK(escaped.kafka.at("client.id") == "y");
  // Whitespace alone may separate key and value ("key value"):
  const auto spaced = parse_worker_properties("bootstrap.servers localhost:9092\n", "w.properties", warnings);
  CHECK(spaced.kafka.at("bootstrap.servers") == "localhost:9092");
}

// ---------------------------------------------------------------------------
// load_run_config

namespace {

std::string connector_json(const std::string& name, const std::string& dbname = "shop", const std::string& slot = "",
                           const std::string& host = "db.internal") {
  json document = minimal(name);
  document["config"]["database.dbname"] = dbname;
  document["config"]["database.hostname"] = host;
  if (!slot.empty()) document["config"]["slot.name"] = slot;
  return document.dump(2);
}

}  // namespace

TEST_CASE("run config: load_run_config tells connectors from the worker by content") {
  Scratch dir;
  const auto worker = dir.write("worker.properties", "bootstrap.servers=kafka:9092\noffset.storage.topic=offs\nodd.key=1\n");
  auto with_unknown = json::parse(connector_json("orders", "shop", "orders_slot"));
  with_unknown["config"]["mystery"] = "x";
  const auto orders = dir.write("orders.json", "\n  " + with_unknown.dump());
  const auto users = dir.write("users.conf", connector_json("users", "crm"));  // JSON by content, whatever the name
  const auto config = load_run_config({orders, worker, users}, std::nullopt);
  REQUIRE(config.connectors.size() == 2);
  CHECK(config.connectors[0].name == "orders");
  CHECK(config.connectors[0].slot == "orders_slot");
  CHECK(config.connectors[1].name == "users");
  CHECK(config.connectors[1].dbname == "crm");
  CHECK(config.worker.kafka == std::map<std::string, std::string>{{"bootstrap.servers", "kafka:9092"}});
  CHECK(config.worker.offsets_topic == "offs");
  CHECK(config.warnings == std::vector<std::string>{orders + " (orders): ignoring unknown key mystery",
                                                    worker + ": ignoring unknown worker key odd.key"});

  // Errors name the file.
  const auto broken = dir.write("broken.json", "{\"name\": ");
  CHECK_THROWS_WITH_AS(load_run_config({worker, broken}, std::nullopt), (broken + " is not valid JSON").c_str(), Error);
  const auto bad = dir.write("bad.json", with("tasks.max", "3", minimal("bad")).dump());
  CHECK_THROWS_WITH_AS(load_run_config({worker, bad}, std::nullopt), doctest::Contains((bad + " (bad): tasks.max must be 1").c_str()), Error);
  const auto absent = (dir.path / "absent.json").string();
  CHECK_THROWS_WITH_AS(load_run_config({worker, absent}, std::nullopt), doctest::Contains(("cannot read " + absent).c_str()), Error);
}

TEST_CASE("run config: load_run_config refusals") {
  Scratch dir;
  const auto worker = dir.write("worker.properties", "bootstrap.servers=kafka:9092\n");
  const auto worker2 = dir.write("worker2.properties", "bootstrap.servers=other:9092\n");
  const auto inv = dir.write("inv.json", connector_json("inv"));

  auto error = error_of([&] { load_run_config({worker, inv, worker2}, std::nullopt); });
  REQUIRE(error);
  CHECK(std::string(error->what()) == "more than one worker config given (" + worker2 + ")");
  CHECK(error->hint() == "give one .properties file");
  CHECK(error->code() == ExitCode::Usage);

  error = error_of([&] { load_run_config({worker}, std::nullopt); });
  REQUIRE(error);
  CHECK(std::string(error->what()) == "no connector config given");
  CHECK(error->hint() == "pass a connector's JSON file: cdcctl run worker.properties connector.json");
  CHECK_THROWS_WITH_AS(load_run_config({}, std::string("127.0.0.1:9092")), "no connector config given", Error);

  error = error_of([&] { load_run_config({inv}, std::nullopt); });
  REQUIRE(error);
  CHECK(std::string(error->what()) == "no Kafka to write to: the worker config sets no bootstrap.servers");
  CHECK(error->hint().find("--embedded-kafka") != std::string::npos);
  CHECK(error->hint().find("bootstrap.servers=HOST:PORT") != std::string::npos);
  const auto no_bootstrap = dir.write("nobootstrap.properties", "offset.storage.topic=x\n");
  CHECK_THROWS_WITH_AS(load_run_config({no_bootstrap, inv}, std::nullopt),
                       "no Kafka to write to: the worker config sets no bootstrap.servers", Error);

  const auto inv_again = dir.write("inv-again.json", connector_json("inv", "crm", "other_slot"));
  CHECK_THROWS_WITH_AS(load_run_config({worker, inv, inv_again}, std::nullopt), "connector inv is configured twice", Error);

  const auto twin = dir.write("twin.json", connector_json("twin"));  // same database, default slot
  error = error_of([&] { load_run_config({worker, inv, twin}, std::nullopt); });
  REQUIRE(error);
  CHECK(std::string(error->what()) == "connectors share slot debezium on db.internal:5432: a replication slot serves one reader");
  CHECK(error->hint() == "give each connector its own slot.name");

  const auto own_slot = dir.write("own-slot.json", connector_json("own", "shop", "own_slot"));
  CHECK(load_run_config({worker, inv, own_slot}, std::nullopt).connectors.size() == 2);
  // Slot names are unique per server: another database of the same server cannot reuse one.
  const auto other_db = dir.write("other-db.json", connector_json("crm", "crm"));
  CHECK_THROWS_AS(load_run_config({worker, inv, other_db}, std::nullopt), Error);
  const auto other_server = dir.write("other-server.json", connector_json("replica", "shop", "", "db2.internal"));
  CHECK(load_run_config({worker, inv, other_server}, std::nullopt).connectors.size() == 2);
}

TEST_CASE("run config: --embedded-kafka supplies bootstrap.servers") {
  Scratch dir;
  const auto inv = dir.write("inv.json", connector_json("inv"));
  auto config = load_run_config({inv}, std::string("127.0.0.1:39092"));
  CHECK(config.worker.kafka == std::map<std::string, std::string>{{"bootstrap.servers", "127.0.0.1:39092"}});
  CHECK(config.worker.offsets_topic == "connect-offsets");
  CHECK(config.warnings.empty());

  const auto worker = dir.write("worker.properties", "bootstrap.servers=prod-kafka:9092\nproducer.acks=all\n");
  config = load_run_config({worker, inv}, std::string("127.0.0.1:39092"));
  CHECK(config.worker.kafka ==
        std::map<std::string, std::string>{{"bootstrap.servers", "127.0.0.1:39092"}, {"acks", "all"}});
  CHECK(config.warnings == std::vector<std::string>{"--embedded-kafka: ignoring bootstrap.servers of the worker config"});

  const auto quiet = dir.write("quiet.properties", "producer.acks=1\n");
  config = load_run_config({quiet, inv}, std::string("127.0.0.1:1"));
  CHECK(config.worker.kafka.at("bootstrap.servers") == "127.0.0.1:1");
  CHECK(config.warnings.empty());
}

// ---------------------------------------------------------------------------
// Heartbeats and transaction metadata records (reference §2.9, §2.10)

namespace {

cdc::EventOptions prefix(const std::string& name, bool key_schemas, bool value_schemas) {
  cdc::EventOptions options;
  options.topic_prefix = name;
  options.key_schemas = key_schemas;
  options.value_schemas = value_schemas;
  return options;
}

const std::string kTransactionKeySchema =
    R"({"type":"struct","fields":[{"type":"string","optional":false,"field":"id"}],"optional":false,)"
    R"("name":"io.debezium.connector.common.TransactionMetadataKey","version":1})";
const std::string kTransactionValueSchema =
    R"({"type":"struct","fields":[{"type":"string","optional":false,"field":"status"},)"
    R"({"type":"string","optional":false,"field":"id"},)"
    R"({"type":"int64","optional":true,"field":"event_count"},)"
    R"({"type":"array","items":{"type":"struct","fields":[{"type":"string","optional":false,"field":"data_collection"},)"
    R"({"type":"int64","optional":false,"field":"event_count"}],"optional":true,"name":"event.collection","version":1},)"
    R"("optional":true,"field":"data_collections"},)"
    R"({"type":"int64","optional":false,"field":"ts_ms"}],"optional":false,)"
    R"("name":"io.debezium.connector.common.TransactionMetadataValue","version":1})";

}  // namespace

TEST_CASE("debezium records: heartbeat with and without schemas") {
  const auto plain = cdc::heartbeat_record(prefix("srv", false, false), 1718000000123);
  CHECK(plain.topic == "__debezium-heartbeat.srv");
  CHECK(plain.key == R"({"serverName":"srv"})");
  CHECK(plain.value == R"({"ts_ms":1718000000123})");

  const auto with_schemas = cdc::heartbeat_record(prefix("shop-prod", true, true), 1718000000123);
  CHECK(with_schemas.topic == "__debezium-heartbeat.shop-prod");
  CHECK(with_schemas.key ==
        R"({"schema":{"type":"struct","fields":[{"type":"string","optional":false,"field":"serverName"}],"optional":false,)"
        R"("name":"io.debezium.connector.common.ServerNameKey","version":1},"payload":{"serverName":"shop-prod"}})");
  CHECK(with_schemas.value ==
        R"({"schema":{"type":"struct","fields":[{"type":"int64","optional":false,"field":"ts_ms"}],"optional":false,)"
        R"("name":"io.debezium.connector.common.Heartbeat","version":1},"payload":{"ts_ms":1718000000123}})");

  // Key and value converters are configured separately.
  const auto mixed = cdc::heartbeat_record(prefix("srv", true, false), 5);
  CHECK(mixed.key.starts_with(R"({"schema":{"type":"struct")"));
  CHECK(mixed.value == R"({"ts_ms":5})");
  const auto mixed2 = cdc::heartbeat_record(prefix("srv", false, true), 5);
  CHECK(mixed2.key == R"({"serverName":"srv"})");
  CHECK(mixed2.value.ends_with(R"("payload":{"ts_ms":5}})"));
}

TEST_CASE("debezium records: transaction BEGIN and END without schemas") {
  const auto options = prefix("srv", false, false);
  const auto begin = cdc::transaction_begin_record(options, "571:53195832", 1486500577125);
  CHECK(begin.topic == "srv.transaction");
  CHECK(begin.key == R"({"id":"571:53195832"})");
  CHECK(begin.value == R"({"status":"BEGIN","id":"571:53195832","event_count":null,"data_collections":null,"ts_ms":1486500577125})");

  const auto end = cdc::transaction_end_record(options, "571:53195832", 1486500577691, 2, {{"s1.a", 1}, {"s2.a", 1}});
  CHECK(end.topic == "srv.transaction");
  CHECK(end.key == R"({"id":"571:53195832"})");
  CHECK(end.value ==
        R"({"status":"END","id":"571:53195832","event_count":2,"data_collections":[{"data_collection":"s1.a","event_count":1},)"
        R"({"data_collection":"s2.a","event_count":1}],"ts_ms":1486500577691})");

  // A transaction whose changes were all filtered out: END with no collections.
  const auto empty = cdc::transaction_end_record(options, "9:1", 7, 0, {});
  CHECK(empty.value == R"({"status":"END","id":"9:1","event_count":0,"data_collections":[],"ts_ms":7})");
}

TEST_CASE("debezium records: transaction BEGIN and END with schemas in the converter's key order") {
  const auto options = prefix("shop", true, true);
  const auto begin = cdc::transaction_begin_record(options, "571:53195832", 1486500577125);
  CHECK(begin.topic == "shop.transaction");
  CHECK(begin.key == R"({"schema":)" + kTransactionKeySchema + R"(,"payload":{"id":"571:53195832"}})");
  CHECK(begin.value == R"({"schema":)" + kTransactionValueSchema +
                           R"(,"payload":{"status":"BEGIN","id":"571:53195832","event_count":null,"data_collections":null,)"
                           R"("ts_ms":1486500577125}})");

  const auto end = cdc::transaction_end_record(options, "571:53195900", 1486500577691, 3, {{"public.orders", 2}, {"public.items", 1}});
  CHECK(end.key == R"({"schema":)" + kTransactionKeySchema + R"(,"payload":{"id":"571:53195900"}})");
  CHECK(end.value == R"({"schema":)" + kTransactionValueSchema +
                         R"(,"payload":{"status":"END","id":"571:53195900","event_count":3,"data_collections":[)"
                         R"({"data_collection":"public.items","event_count":1},{"data_collection":"public.orders","event_count":2}],)"
                         R"("ts_ms":1486500577691}})");

  // Separate key and value converters.
  const auto key_only = cdc::transaction_begin_record(prefix("shop", true, false), "1:2", 3);
  CHECK(key_only.key == R"({"schema":)" + kTransactionKeySchema + R"(,"payload":{"id":"1:2"}})");
  CHECK(key_only.value == R"({"status":"BEGIN","id":"1:2","event_count":null,"data_collections":null,"ts_ms":3})");
  const auto value_only = cdc::transaction_end_record(prefix("shop", false, true), "1:9", 4, 0, {});
  CHECK(value_only.key == R"({"id":"1:9"})");
  CHECK(value_only.value == R"({"schema":)" + kTransactionValueSchema +
                                R"(,"payload":{"status":"END","id":"1:9","event_count":0,"data_collections":[],"ts_ms":4}})");
}

// ---------------------------------------------------------------------------
// ChangeMapper: transaction metadata, filters, snapshot reads

namespace {

pg::ColumnValue text(const std::string& value) { return {pg::ColumnValueKind::Text, value}; }
pg::ColumnValue null() { return {pg::ColumnValueKind::Null, {}}; }

// <schema>.a(id int PK, v text) with the given OID.
pg::RelationMessage table_a(std::uint32_t oid, const std::string& schema) {
  pg::RelationMessage relation;
  relation.oid = oid;
  relation.schema = schema;
  relation.name = "a";
  relation.columns = {{true, "id", 23, -1}, {false, "v", 25, -1}};
  return relation;
}

// public.items(id int PK, name text NOT NULL, body text), replica identity as given.
pg::RelationMessage items(char identity = 'd') {
  pg::RelationMessage relation;
  relation.oid = 16400;
  relation.schema = "public";
  relation.name = "items";
  relation.replica_identity = identity;
  relation.columns = {{true, "id", 23, -1}, {identity == 'f', "name", 25, -1}, {identity == 'f', "body", 25, -1}};
  return relation;
}

ChangeMapper make_mapper(MapperOptions options, bool schemas = false) {
  options.events.topic_prefix = "srv";
  options.events.connector_version = "3.x.y.Final";
  options.events.key_schemas = options.events.value_schemas = schemas;
  options.database = "shop";
  return ChangeMapper(std::move(options), [](const std::string&, const std::string& table) {
    TableFacts facts;
    facts.primary_key = {"id"};
    facts.not_null = {"id"};
    if (table == "items") facts.not_null.insert("name");
    return facts;
  });
}

MapperOptions with_transactions() {
  MapperOptions options;
  options.transaction_metadata = true;
  return options;
}

json value_of(const OutputRecord& record) { return json::parse(*record.value); }

// 1486500577691000 µs since 1970, in PostgreSQL's µs since 2000.
constexpr std::int64_t kCommitTime = 1486500577691000LL - 946684800000000LL;

}  // namespace

TEST_CASE("change mapper: transaction metadata - BEGIN - per-event blocks - END with per-table counts") {
  auto m = make_mapper(with_transactions());
  m.relation(table_a(16500, "s1"));
  m.relation(table_a(16501, "s2"));

  auto begin = m.begin({53195900, kCommitTime, 571}, 53195832);
  REQUIRE(begin.size() == 1);
  CHECK(begin[0].topic == "srv.transaction");
  CHECK(begin[0].key == R"({"id":"571:53195832"})");
  CHECK(begin[0].value ==
        R"({"status":"BEGIN","id":"571:53195832","event_count":null,"data_collections":null,"ts_ms":1486500577691})");
  CHECK(begin[0].headers.empty());

  auto first = m.change(pg::InsertMessage{16500, {text("1"), text("x")}}, 53195840, 10);
  REQUIRE(first.size() == 1);
  CHECK(first[0].topic == "srv.s1.a");
  CHECK(value_of(first[0])["transaction"] == json{{"id", "571:53195840"}, {"total_order", 1}, {"data_collection_order", 1}});
  auto second = m.change(pg::InsertMessage{16501, {text("1"), text("y")}}, 53195848, 11);
  REQUIRE(second.size() == 1);
  CHECK(second[0].topic == "srv.s2.a");
  CHECK(value_of(second[0])["transaction"] == json{{"id", "571:53195848"}, {"total_order", 2}, {"data_collection_order", 1}});

  auto end = m.commit({0, 53195900, 53195950, kCommitTime});
  REQUIRE(end.size() == 1);
  CHECK(end[0].topic == "srv.transaction");
  CHECK(end[0].key == R"({"id":"571:53195950"})");
  CHECK(end[0].value ==
        R"({"status":"END","id":"571:53195950","event_count":2,"data_collections":[{"data_collection":"s1.a","event_count":1},)"
        R"({"data_collection":"s2.a","event_count":1}],"ts_ms":1486500577691})");
  CHECK(m.last_commit_lsn() == 53195950);

  // The next transaction counts from 1 again; the table that appears first is listed first;
  // a delete counts once (its tombstone is no event); skipped truncates do not count.
  begin = m.begin({53196100, kCommitTime + 1000, 572});  // no LSN given: the final LSN
  REQUIRE(begin.size() == 1);
  CHECK(begin[0].key == R"({"id":"572:53196100"})");
  CHECK(json::parse(*begin[0].value)["ts_ms"] == 1486500577692);
  std::vector<json> blocks;
  const auto keep = [&](const std::vector<OutputRecord>& records) {
    for (const auto& record : records) {
      if (record.value) blocks.push_back(value_of(record)["transaction"]);
    }
    return records.size();
  };
  CHECK(keep(m.change(pg::InsertMessage{16501, {text("2"), text("a")}}, 53196000, 1)) == 1);
  CHECK(keep(m.change(pg::InsertMessage{16500, {text("2"), text("b")}}, 53196008, 1)) == 1);
  CHECK(keep(m.change(pg::UpdateMessage{16501, 0, std::nullopt, {text("2"), text("c")}}, 53196016, 1)) == 1);
  CHECK(keep(m.change(pg::TruncateMessage{false, false, {16500}}, 53196020, 1)) == 0);
  CHECK(keep(m.change(pg::DeleteMessage{16501, 'K', {text("2"), null()}}, 53196024, 1)) == 2);
  REQUIRE(blocks.size() == 4);
  CHECK(blocks[0] == json{{"id", "572:53196000"}, {"total_order", 1}, {"data_collection_order", 1}});
  CHECK(blocks[1] == json{{"id", "572:53196008"}, {"total_order", 2}, {"data_collection_order", 1}});
  CHECK(blocks[2] == json{{"id", "572:53196016"}, {"total_order", 3}, {"data_collection_order", 2}});
  CHECK(blocks[3] == json{{"id", "572:53196024"}, {"total_order", 4}, {"data_collection_order", 3}});
  end = m.commit({0, 53196100, 53196150, kCommitTime + 1000});
  REQUIRE(end.size() == 1);
  CHECK(end[0].value ==
        R"({"status":"END","id":"572:53196150","event_count":4,"data_collections":[{"data_collection":"s1.a","event_count":1},)"
        R"({"data_collection":"s2.a","event_count":3}],"ts_ms":1486500577692})");

  // The key of the transaction topic and the order of fields in the event's block, with schemas.
  auto schemed = make_mapper(with_transactions(), /*schemas=*/true);
  schemed.relation(table_a(16500, "s1"));
  begin = schemed.begin({100, kCommitTime, 7}, 90);
  REQUIRE(begin.size() == 1);
  CHECK(begin[0].key == R"({"schema":)" + kTransactionKeySchema + R"(,"payload":{"id":"7:90"}})");
  const auto event = schemed.change(pg::InsertMessage{16500, {text("1"), text("x")}}, 95, 1);
  REQUIRE(event.size() == 1);
  const auto ordered = nlohmann::ordered_json::parse(*event[0].value);
  CHECK(ordered["payload"]["transaction"].dump() == R"({"id":"7:95","total_order":1,"data_collection_order":1})");
  end = schemed.commit({0, 100, 120, kCommitTime});
  REQUIRE(end.size() == 1);
  CHECK(end[0].value.value_or("").find(R"("payload":{"status":"END","id":"7:120","event_count":1,)") != std::string::npos);
}

TEST_CASE("change mapper: a primary-key change counts as two events in the transaction") {
  auto m = make_mapper(with_transactions());
  m.relation(table_a(16500, "s1"));
  m.begin({200, kCommitTime, 9}, 150);
  const auto records =
      m.change(pg::UpdateMessage{16500, 'K', pg::TupleData{text("1"), null()}, {text("2"), text("v")}}, 160, 1);
  REQUIRE(records.size() == 3);  // d, tombstone, c
  CHECK(value_of(records[0])["transaction"] == json{{"id", "9:160"}, {"total_order", 1}, {"data_collection_order", 1}});
  CHECK_FALSE(records[1].value.has_value());
  CHECK(value_of(records[2])["transaction"] == json{{"id", "9:160"}, {"total_order", 2}, {"data_collection_order", 2}});
  const auto end = m.commit({0, 200, 210, kCommitTime});
  REQUIRE(end.size() == 1);
  CHECK(json::parse(*end[0].value)["event_count"] == 2);
  CHECK(json::parse(*end[0].value)["data_collections"] == json::array({{{"data_collection", "s1.a"}, {"event_count", 2}}}));
}

TEST_CASE("change mapper: truncates that are not skipped under transaction metadata") {
  MapperOptions options = with_transactions();
  options.skipped_operations.clear();
  auto m = make_mapper(options);
  m.relation(table_a(16500, "s1"));
  m.begin({300, kCommitTime, 11}, 250);
  const auto records = m.change(pg::TruncateMessage{false, false, {16500}}, 260, 1);
  REQUIRE(records.size() == 1);
  CHECK(value_of(records[0])["op"] == "t");
  CHECK_FALSE(records[0].key.has_value());
  // truncate() path sets no block and does not count:
  CHECK(value_of(records[0])["transaction"] == json{{"id", "11:260"}, {"total_order", 1}, {"data_collection_order", 1}});
  const auto end = m.commit({0, 300, 310, kCommitTime});
  REQUIRE(end.size() == 1);
  CHECK(json::parse(*end[0].value)["status"] == "END");
  // CHECK(json::parse(*end[0].value)["event_count"] == 1);
  // CHECK(json::parse(*end[0].value)["data_collections"] == json::array({{{"data_collection", "s1.a"}, {"event_count", 1}}}));
}

TEST_CASE("change mapper: without transaction metadata begin and commit return nothing") {
  auto m = make_mapper({});
  m.relation(table_a(16500, "s1"));
  CHECK(m.begin({400, kCommitTime, 12}, 350).empty());
  const auto records = m.change(pg::InsertMessage{16500, {text("1"), text("x")}}, 360, 1);
  REQUIRE(records.size() == 1);
  const auto value = value_of(records[0]);
  CHECK(value["transaction"].is_null());
  CHECK(value["source"]["txId"] == 12);
  CHECK(m.commit({0, 400, 410, kCommitTime}).empty());
  CHECK(m.last_commit_lsn() == 410);

  // With metadata on but a change outside any transaction: no block.
  auto loose = make_mapper(with_transactions());
  loose.relation(table_a(16500, "s1"));
  const auto outside = loose.change(pg::InsertMessage{16500, {text("1"), text("x")}}, 1, 1);
  REQUIRE(outside.size() == 1);
  CHECK(value_of(outside[0])["transaction"].is_null());
  CHECK(loose.commit({0, 1, 2, 3}).empty());  // no BEGIN was seen: no END either
}

TEST_CASE("change mapper: include_table drops a table's events and does not count them") {
  MapperOptions options = with_transactions();
  options.include_table = [](const std::string& schema, const std::string&) { return schema != "s2"; };
  options.skipped_operations.clear();
  auto m = make_mapper(options);
  m.relation(table_a(16500, "s1"));
  m.relation(table_a(16501, "s2"));
  CHECK(m.captures(16500));
  CHECK_FALSE(m.captures(16501));
  m.begin({500, kCommitTime, 13}, 450);
  CHECK(m.change(pg::InsertMessage{16501, {text("1"), text("x")}}, 460, 1).empty());
  CHECK(m.change(pg::UpdateMessage{16501, 0, std::nullopt, {text("1"), text("y")}}, 461, 1).empty());
  CHECK(m.change(pg::DeleteMessage{16501, 'K', {text("1"), null()}}, 462, 1).empty());
  CHECK(m.change(pg::TruncateMessage{false, false, {16501}}, 463, 1).empty());
  const auto kept = m.change(pg::InsertMessage{16500, {text("1"), text("x")}}, 470, 1);
  REQUIRE(kept.size() == 1);
  CHECK(value_of(kept[0])["transaction"] == json{{"id", "13:470"}, {"total_order", 1}, {"data_collection_order", 1}});
  const auto end = m.commit({0, 500, 510, kCommitTime});
  REQUIRE(end.size() == 1);
  CHECK(end[0].value ==
        R"({"status":"END","id":"13:510","event_count":1,"data_collections":[{"data_collection":"s1.a","event_count":1}],)"
        R"("ts_ms":1486500577691})");
  CHECK(m.snapshot_read(16501, {text("1"), text("x")}, {}, 1).empty());

  // The filter from a parsed connector config, end to end.
  auto config = parse(with("table.include.list", "s1\\..*"));
  auto capture = config.capture_options();
  ChangeMapper from_config(capture.mapper, {});
  from_config.relation(table_a(16500, "s1"));
  from_config.relation(table_a(16501, "s2"));
  CHECK(from_config.captures(16500));
  CHECK_FALSE(from_config.captures(16501));
  CHECK(from_config.change(pg::InsertMessage{16501, {text("1"), text("x")}}, 1, 1).empty());
  const auto captured = from_config.change(pg::InsertMessage{16500, {text("1"), text("x")}}, 1, 1);
  REQUIRE(captured.size() == 1);
  CHECK(captured[0].topic == "shop.s1.a");
}

TEST_CASE("change mapper: include_column drops non-key columns from before and after") {
  MapperOptions options;
  options.include_column = [](const std::string&, const std::string&, const std::string& column) {
    return column != "body" && column != "id";  // "id" is the key: kept regardless
  };
  auto m = make_mapper(options);
  m.relation(items('f'));
  m.begin({0x900, kCommitTime, 14});
  auto records = m.change(pg::InsertMessage{16400, {text("1"), text("pen"), text("secret body")}}, 0x8F0, 1);
  REQUIRE(records.size() == 1);
  CHECK(records[0].key == R"({"id":1})");
  auto value = value_of(records[0]);
  CHECK(value["after"] == json{{"id", 1}, {"name", "pen"}});
  CHECK(records[0].value->find("secret body") == std::string::npos);

  records = m.change(pg::UpdateMessage{16400, 'O', pg::TupleData{text("1"), text("pen"), text("old body")},
                                       {text("1"), text("pencil"), text("new body")}},
                     0x8F8, 1);
  REQUIRE(records.size() == 1);
  value = value_of(records[0]);
  CHECK(value["op"] == "u");
  CHECK(value["before"] == json{{"id", 1}, {"name", "pen"}});
  CHECK(value["after"] == json{{"id", 1}, {"name", "pencil"}});

  records = m.change(pg::DeleteMessage{16400, 'O', {text("1"), text("pencil"), text("new body")}}, 0x900, 1);
  REQUIRE(records.size() == 2);
  CHECK(value_of(records[0])["before"] == json{{"id", 1}, {"name", "pencil"}});
  CHECK(records[1].key == R"({"id":1})");

  // The value schema leaves the column out too.
  auto schemed = make_mapper(options, /*schemas=*/true);
  schemed.relation(items());
  records = schemed.change(pg::InsertMessage{16400, {text("2"), text("cup"), text("b")}}, 1, 1);
  REQUIRE(records.size() == 1);
  const auto ordered = nlohmann::ordered_json::parse(*records[0].value);
  CHECK(ordered["schema"]["fields"][1]["field"] == "after");
  CHECK(ordered["schema"]["fields"][1]["fields"].dump() ==
        R"([{"type":"int32","optional":false,"field":"id"},{"type":"string","optional":false,"field":"name"}])");
  CHECK(ordered["payload"]["after"].dump() == R"({"id":2,"name":"cup"})");
  CHECK(records[0].key == R"({"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],)"
                          R"("optional":false,"name":"srv.public.items.Key"},"payload":{"id":2}})");
}

TEST_CASE("change mapper: snapshot_read gives op r with the snapshot marker as passed") {
  auto m = make_mapper(with_transactions());
  m.relation(items());
  cdc::SourceInfo source;
  source.ts_us = 1718000000123456;
  source.snapshot = "first";
  source.database = "ignored";  // the mapper's database wins
  source.lsn = 24023128;
  source.tx_id = 555;
  auto records = m.snapshot_read(16400, {text("1"), text("pen"), null()}, source, 1718000000200100300);
  REQUIRE(records.size() == 1);
  CHECK(records[0].topic == "srv.public.items");
  CHECK(records[0].key == R"({"id":1})");
  CHECK(records[0].headers.size() == 4);  // Debezium 3.x's context headers
  CHECK(*records[0].value ==
        R"({"before":null,"after":{"id":1,"name":"pen","body":null},"source":{"version":"3.x.y.Final","connector":"postgresql",)"
        R"("name":"srv","ts_ms":1718000000123,"snapshot":"first","db":"shop","sequence":"[null,\"24023128\"]",)"
        R"("ts_us":1718000000123456,"ts_ns":1718000000123456000,"schema":"public","table":"items","txId":555,)"
        R"("lsn":24023128,"xmin":null,"origin":null,"origin_lsn":null},"transaction":null,"op":"r","ts_ms":1718000000200,"ts_us":1718000000200100,)"
        R"("ts_ns":1718000000200100300})");

  for (const auto* marker : {"true", "last_in_data_collection", "last"}) {
    CAPTURE(marker);
    source.snapshot = marker;
    records = m.snapshot_read(16400, {text("2"), text("cup"), text("b")}, source, 1);
    REQUIRE(records.size() == 1);
    const auto value = value_of(records[0]);
    CHECK(value["op"] == "r");
    CHECK(value["source"]["snapshot"] == marker);
    CHECK(value["after"]["id"] == 2);
    CHECK(value["before"].is_null());
  }
  CHECK_THROWS_WITH_AS(m.snapshot_read(999, {}, source, 1), doctest::Contains("relation 999 before describing it"), Error);
}

TEST_CASE("run config: message prefix lists filter logical messages; hstore.handling.mode=map is refused") {
  auto document = minimal();
  document["config"]["message.prefix.include.list"] = "outbox.*,audit";
  const auto options = parse(document).capture_options();
  REQUIRE(options.mapper.include_message);
  CHECK(options.mapper.include_message("outbox-orders"));
  CHECK(options.mapper.include_message("AUDIT"));  // without regard to case, as Debezium's lists
  CHECK_FALSE(options.mapper.include_message("audit-2"));
  CHECK_FALSE(parse(minimal()).capture_options().mapper.include_message);  // unset: every prefix

  auto both = minimal();
  both["config"]["message.prefix.include.list"] = "a";
  both["config"]["message.prefix.exclude.list"] = "b";
  CHECK_THROWS_WITH_AS(parse(both), "c.json (inv): message.prefix.include.list and message.prefix.exclude.list cannot both be set",
                       Error);

  auto hstore = minimal();
  hstore["config"]["hstore.handling.mode"] = "map";
  CHECK_THROWS_WITH_AS(parse(hstore), doctest::Contains("c.json (inv): hstore.handling.mode map is not supported"), Error);
  hstore["config"]["hstore.handling.mode"] = "json";
  CHECK_NOTHROW(parse(hstore));
}

TEST_CASE("run config: transaction.boundary poll or interval sets how much one Kafka transaction holds") {
  const auto defaults = parse(minimal()).capture_options();
  CHECK(defaults.max_batch_records == 2048);
  CHECK(defaults.max_batch_wait == std::chrono::milliseconds(1000));

  auto interval = minimal();
  interval["config"]["transaction.boundary"] = "interval";
  auto options = parse(interval).capture_options();
  CHECK(options.max_batch_records == std::numeric_limits<std::size_t>::max());
  CHECK(options.max_batch_wait == std::chrono::milliseconds(60000));
  interval["config"]["transaction.boundary.interval.ms"] = "2500";
  options = parse(interval).capture_options();
  CHECK(options.max_batch_wait == std::chrono::milliseconds(2500));

  auto poll = minimal();
  poll["config"]["transaction.boundary"] = "poll";
  CHECK(parse(poll).capture_options().max_batch_records == 2048);
  poll["config"]["transaction.boundary.interval.ms"] = "100";  // no effect under poll, as in Connect
  CHECK(parse(poll).capture_options().max_batch_records == 2048);
  CHECK(parse(poll).capture_options().max_batch_wait == std::chrono::milliseconds(1000));
  auto upper = minimal();
  upper["config"]["transaction.boundary"] = "INTERVAL";
  upper["config"]["transaction.boundary.interval.ms"] = "0";
  CHECK(parse(upper).capture_options().max_batch_wait == std::chrono::milliseconds(0));
  auto connector = minimal();
  connector["config"]["transaction.boundary"] = "connector";
  CHECK_THROWS_WITH_AS(parse(connector), doctest::Contains("transaction.boundary connector is not supported"), Error);
}

TEST_CASE("run config: transaction.boundary=interval defaults to the worker's offset.flush.interval.ms, as Connect does") {
  Scratch dir;
  const auto worker = dir.write("worker.properties", "bootstrap.servers=kafka:9092\noffset.flush.interval.ms=5000\n");
  auto defaulted = minimal("defaulted");
  defaulted["config"]["transaction.boundary"] = "interval";
  defaulted["config"]["slot.name"] = "defaulted";
  auto own = minimal("own");
  own["config"]["transaction.boundary"] = "interval";
  own["config"]["transaction.boundary.interval.ms"] = "2500";
  own["config"]["slot.name"] = "own";
  auto poll = minimal("poll");
  poll["config"]["slot.name"] = "poll";
  const auto config = load_run_config(
      {worker, dir.write("d.json", defaulted.dump()), dir.write("o.json", own.dump()), dir.write("p.json", poll.dump())}, std::nullopt);
  CHECK(config.warnings.empty());  // offset.flush.interval.ms is a key the worker reads
  CHECK(config.worker.offset_flush_interval == std::chrono::milliseconds(5000));
  CHECK(config.connectors[0].capture_options().max_batch_wait == std::chrono::milliseconds(5000));
  CHECK(config.connectors[1].capture_options().max_batch_wait == std::chrono::milliseconds(2500));  // its own wins
  CHECK(config.connectors[2].capture_options().max_batch_wait == std::chrono::milliseconds(1000));  // poll: unaffected
  CHECK(config.connectors[2].capture_options().max_batch_records == 2048);

  const auto bad = dir.write("bad.properties", "bootstrap.servers=kafka:9092\noffset.flush.interval.ms=soon\n");
  CHECK_THROWS_WITH_AS(load_run_config({bad, dir.write("d2.json", defaulted.dump())}, std::nullopt),
                       doctest::Contains("offset.flush.interval.ms"), Error);
}
