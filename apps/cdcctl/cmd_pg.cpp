// cdcctl pg preflight: what a Debezium PostgreSQL connector needs from the
// database, checked before deploying it.
#include <iostream>

#include "app.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "core/units.hpp"
#include "findings_output.hpp"
#include "ops/preflight.hpp"
#include "pg/connection.hpp"

namespace cdcctl::app {

namespace {

using nlohmann::json;

struct PreflightFlags {
  std::vector<std::string> tables;
  std::string connector_config;
  std::string publication;
  std::string slot;
};

ops::PreflightOptions options_from(const PreflightFlags& flags) {
  ops::PreflightOptions options;
  if (!flags.connector_config.empty()) {
    try {
      options = ops::preflight_options_from_connector(json::parse(read_file(flags.connector_config)), flags.connector_config);
    } catch (const json::parse_error& e) {
      throw Error::usage("cannot read " + flags.connector_config, e.what());
    }
  }
  for (const auto& list : flags.tables) {
    for (auto& name : split_list(list)) options.tables.push_back(std::move(name));
  }
  if (!flags.publication.empty()) options.publication = flags.publication;
  if (!flags.slot.empty()) options.slot_name = flags.slot;
  return options;
}

ExitCode preflight(AppContext& context, const PreflightFlags& flags) {
  const auto options = options_from(flags);
  const auto settings = context.settings();
  auto connection = pg::Connection::open(settings.pg_conninfo(), settings.timeout());
  const auto facts = ops::gather_preflight_facts(connection, options);
  const auto findings = ops::evaluate_preflight(facts, options);
  const auto status = ops::worst(findings);

  const auto format = context.format();
  auto& out = *context.io.out;
  if (format == output::Format::Json || format == output::Format::Yaml) {
    output::Document document;
    document.data = ops::to_json(findings, facts);
    output::render(document, format, context.table_options(), out);
    return static_cast<ExitCode>(static_cast<int>(status));
  }
  out << verdict_name(status) << " - preflight of " << connection.describe() << " as " << facts.user << " (PostgreSQL "
      << pg::format_server_version(facts.server_version) << ")\n";
  output::Document document;
  document.table.columns = {{"STATUS", false, false, false}, {"CHECK"}, {"SUBJECT"}, {"FINDING"}, {"WHY", true}, {"FIX", true}};
  for (const auto& finding : findings) {
    const std::string verdict(verdict_name(finding.status));
    document.table.rows.push_back({{verdict, output::state_color(verdict)},
                                   finding.check, finding.subject, finding.message, finding.why.empty() ? "-" : finding.why,
                                   finding.fix.empty() ? "-" : finding.fix});
    document.names.push_back(finding.check);
  }
  output::render(document, format, context.table_options(), out);
  if (format != output::Format::Wide) {
    std::vector<WhyAndFix> notes;
    for (const auto& finding : findings) notes.push_back({finding.status, finding.subject, finding.why, finding.fix});
    print_why_and_fix(out, notes);
  }
  return static_cast<ExitCode>(static_cast<int>(status));
}

}  // namespace

void add_pg_commands(CLI::App& app, AppContext& context) {
  auto* group = app.add_subcommand("pg", "PostgreSQL checks for change data capture");
  group->require_subcommand(1);
  auto flags = std::make_shared<PreflightFlags>();
  auto* command = group->add_subcommand("preflight", "Check that the database is ready for a Debezium PostgreSQL connector");
  command->add_option("--tables", flags->tables, "the tables to capture: schema.table, comma-separated (a bare name is public.NAME)")
      ->type_name("LIST");
  auto* config = command->add_option("--connector-config", flags->connector_config,
                                     "read tables, publication, slot and heartbeat from a connector config (JSON)")
                     ->type_name("FILE");
  context.completions[config] = {.files = true};
  command->add_option("--publication", flags->publication, "publication name (default dbz_publication, or the config's)")
      ->type_name("NAME");
  command->add_option("--slot", flags->slot, "slot name (default debezium, or the config's slot.name)")->type_name("NAME");
  context.document(command,
                   "Connects as the connector would (--pg, the context, PG* variables) and checks: wal_level = logical; "
                   "free capacity in max_replication_slots and max_wal_senders; the user's REPLICATION right (or "
                   "superuser, or rds_replication); SELECT on every table; that the publication exists and covers "
                   "the tables (or can be created per publication.autocreate.mode); each table's primary key and "
                   "REPLICA IDENTITY; max_slot_wal_keep_size; the slot if it exists; and whether other databases on "
                   "the server are busier (then heartbeats are needed). Tables come from --tables or the connector "
                   "config's table.include.list/exclude.list and schema lists (regular expressions, matched "
                   "case-insensitively against schema.table, as Debezium does); without either, every table.\n"
                   "\n"
                   "Each finding is OK, WARN or FAIL with why it matters and the exact SQL to fix it (identifiers "
                   "quoted). Exit 0 when all are OK, 1 with a WARN, 2 with a FAIL, 3 when the database cannot be "
                   "reached.",
                   {"cdcctl pg preflight --tables inventory.customers,inventory.orders",
                    "cdcctl pg preflight --connector-config inventory-source.json -o wide",
                    "cdcctl pg preflight --pg 'host=db user=debezium dbname=inventory' -o json"});
  command->callback([&context, flags] {
    context.error_exit_code = static_cast<int>(CheckStatus::Unknown);
    context.action = [&context, flags] { return preflight(context, *flags); };
  });
}

}  // namespace cdcctl::app
