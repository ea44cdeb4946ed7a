// pg preflight rules over gathered facts (no server), table selection as
// Debezium does it, and SQL quoting.
#include <doctest/doctest.h>

#include "core/error.hpp"
#include "ops/preflight.hpp"
#include "pg/sql.hpp"

using namespace cdcctl;
using namespace cdcctl::ops;

namespace {

PreflightFacts ready() {
  PreflightFacts facts;
  facts.server_version = 150004;
  facts.database = "inventory";
  facts.user = "debezium";
  facts.wal_level = "logical";
  facts.max_replication_slots = 10;
  facts.slots_used = 2;
  facts.max_wal_senders = 10;
  facts.walsenders_used = 1;
  facts.max_slot_wal_keep_size_mb = 51200;
  facts.replication_role = true;
  facts.tables = {{"inventory", "customers", 'd', true, true, true}, {"inventory", "orders", 'd', true, true, true}};
  facts.publication = PublicationFacts{};
  return facts;
}

// A copy, so a finding of a temporary result can be looked at safely.
std::optional<PreflightFinding> find(const std::vector<PreflightFinding>& findings, const std::string& check,
                                     const std::string& subject) {
  for (const auto& finding : findings) {
    if (finding.check == check && finding.subject == subject) return finding;
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("a ready database is all OK") {
  const auto findings = evaluate_preflight(ready(), {});
  CHECK(worst(findings) == CheckStatus::Ok);
  CHECK(find(findings, "publication", "dbz_publication")->message == "exists");
}

TEST_CASE("each rule: what fails, what warns, and the fix") {
  auto facts = ready();
  facts.wal_level = "replica";
  facts.slots_used = 10;
  facts.walsenders_used = 9;  // one free: exactly what the connector needs
  facts.replication_role = false;
  facts.tables[0].can_select = false;
  facts.tables[1].has_primary_key = false;
  facts.tables[1].in_publication = false;
  facts.max_slot_wal_keep_size_mb = -1;
  facts.other_busy_databases = {"billing"};
  const auto findings = evaluate_preflight(facts, {});
  CHECK(worst(findings) == CheckStatus::Critical);
  CHECK(find(findings, "wal_level", "wal_level")->status == CheckStatus::Critical);
  CHECK(find(findings, "replication_slots", "max_replication_slots")->status == CheckStatus::Critical);
  CHECK(find(findings, "wal_senders", "max_wal_senders")->status == CheckStatus::Warning);
  CHECK(find(findings, "replication_right", "debezium")->fix == "ALTER ROLE \"debezium\" WITH REPLICATION;");
  CHECK(find(findings, "select", "inventory.customers")->fix == "GRANT SELECT ON \"inventory\".\"customers\" TO \"debezium\";");
  CHECK(find(findings, "replica_identity", "inventory.orders")->status == CheckStatus::Warning);
  CHECK(find(findings, "publication", "inventory.orders")->fix ==
        "ALTER PUBLICATION \"dbz_publication\" ADD TABLE \"inventory\".\"orders\";");
  CHECK(find(findings, "max_slot_wal_keep_size", "max_slot_wal_keep_size")->status == CheckStatus::Warning);
  CHECK(find(findings, "heartbeat", "inventory")->status == CheckStatus::Warning);
  // Heartbeats configured: no advice.
  PreflightOptions with_heartbeat;
  with_heartbeat.heartbeat_configured = true;
  CHECK(find(evaluate_preflight(facts, with_heartbeat), "heartbeat", "inventory") == std::nullopt);
  // On RDS the right is a role.
  facts.rds_replication = false;
  CHECK(find(evaluate_preflight(facts, {}), "replication_right", "debezium")->fix == "GRANT rds_replication TO \"debezium\";");
}

TEST_CASE("a missing publication depends on publication.autocreate.mode and the user's rights") {
  auto facts = ready();
  facts.publication.reset();
  PreflightOptions options;
  CHECK(find(evaluate_preflight(facts, options), "publication", "dbz_publication")->status == CheckStatus::Critical);  // all_tables needs a superuser
  facts.superuser = true;
  CHECK(find(evaluate_preflight(facts, options), "publication", "dbz_publication")->status == CheckStatus::Ok);
  options.autocreate_mode = "disabled";
  const auto disabled = find(evaluate_preflight(facts, options), "publication", "dbz_publication");
  CHECK(disabled->status == CheckStatus::Critical);
  CHECK(disabled->fix == "CREATE PUBLICATION \"dbz_publication\" FOR TABLE \"inventory\".\"customers\", \"inventory\".\"orders\";");
}

TEST_CASE("an existing slot must be logical, pgoutput, of this database and idle") {
  auto facts = ready();
  pg::ReplicationSlot slot;
  slot.name = "debezium";
  slot.slot_type = "logical";
  slot.plugin = "pgoutput";
  slot.database = "inventory";
  facts.slot = slot;
  CHECK(find(evaluate_preflight(facts, {}), "slot", "debezium")->status == CheckStatus::Ok);
  facts.slot->database = "other";
  CHECK(find(evaluate_preflight(facts, {}), "slot", "debezium")->status == CheckStatus::Critical);
  facts.slot->database = "inventory";
  facts.slot->plugin = "wal2json";
  CHECK(find(evaluate_preflight(facts, {}), "slot", "debezium")->fix.rfind("SELECT pg_drop_replication_slot('debezium');", 0) == 0);
  facts.slot->plugin = "pgoutput";
  facts.slot->active = true;
  CHECK(find(evaluate_preflight(facts, {}), "slot", "debezium")->status == CheckStatus::Warning);
}

TEST_CASE("tables are chosen as Debezium chooses them: whole-name regexes, case-insensitive, excludes win") {
  const std::vector<TableFacts> all = {{"inventory", "customers"}, {"inventory", "orders"}, {"public", "Orders"}, {"audit", "log"}};
  PreflightOptions options;
  options.include_regex = {"inventory\\..*", "public\\.orders", "nothing\\..*"};
  options.exclude_regex = {".*\\.customers"};
  auto selection = select_tables(all, options);
  REQUIRE(selection.tables.size() == 2);
  CHECK(selection.tables[0].name == "orders");
  CHECK(selection.tables[1].name == "Orders");
  CHECK(selection.unmatched == std::vector<std::string>{"nothing\\..*"});
  PreflightOptions schemas;
  schemas.schema_exclude = {"audit"};
  CHECK(select_tables(all, schemas).tables.size() == 3);
  PreflightOptions exact;
  exact.tables = {"inventory.orders", "customers", "public.customers"};
  selection = select_tables(all, exact);
  CHECK(selection.tables.size() == 1);
  CHECK(selection.unmatched == std::vector<std::string>{"customers", "public.customers"});
  PreflightOptions bad;
  bad.include_regex = {"("};
  CHECK_THROWS_AS(select_tables(all, bad), Error);
}

TEST_CASE("connector configs give the preflight its options") {
  const auto options = preflight_options_from_connector(
      {{"name", "inv"},
       {"config", {{"connector.class", "io.debezium.connector.postgresql.PostgresConnector"},
                   {"table.include.list", "inventory\\.customers, inventory\\.orders"},
                   {"slot.name", "inv"},
                   {"heartbeat.interval.ms", "0"}}}},
      "inv.json");
  CHECK(options.include_regex == std::vector<std::string>{"inventory\\.customers", "inventory\\.orders"});
  CHECK(options.slot_name == "inv");
  CHECK(options.plugin == "decoderbufs");  // Debezium's default, which preflight warns about
  CHECK(options.heartbeat_configured == false);
  CHECK_THROWS_AS(preflight_options_from_connector({{"connector.class", "FileStreamSource"}}, "x.json"), Error);
}

TEST_CASE("identifiers and literals are quoted as PostgreSQL reads them") {
  CHECK(pg::quote_identifier("orders") == "\"orders\"");
  CHECK(pg::quote_identifier("Order \"Lines\"") == "\"Order \"\"Lines\"\"\"");
  CHECK(pg::qualified_name("Inventory", "user") == "\"Inventory\".\"user\"");
  CHECK(pg::quote_literal("o'neil") == "'o''neil'");
  CHECK(pg::quote_literal("a\\b") == "E'a\\\\b'");
}
