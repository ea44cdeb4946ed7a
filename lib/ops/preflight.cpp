#include "ops/preflight.hpp"

#include <algorithm>
#include <regex>

#include "core/error.hpp"
#include "core/units.hpp"
#include "pg/sql.hpp"

namespace cdcctl::ops {

using nlohmann::json;

namespace {

int to_int(const std::string& text) { return text.empty() ? 0 : std::stoi(text); }

}  // namespace

PreflightOptions preflight_options_from_connector(const json& document, const std::string& origin) {
  const json config = document.contains("config") && document["config"].is_object() ? document["config"] : document;
  if (!config.is_object()) throw Error::usage(origin + " is not a connector config", "expected a JSON object");
  const auto get = [&](const char* key, const std::string& fallback = {}) {
    if (!config.contains(key)) return fallback;
    return config[key].is_string() ? config[key].get<std::string>() : config[key].dump();
  };
  const auto connector_class = get("connector.class");
  if (connector_class != "io.debezium.connector.postgresql.PostgresConnector" && connector_class != "postgres") {
    throw Error::usage(origin + " is not a Debezium PostgreSQL connector",
                       connector_class.empty() ? "it has no connector.class" : "its class is " + connector_class);
  }
  const auto plugin = get("plugin.name", "decoderbufs");
  PreflightOptions options;
  options.include_regex = split_list(get("table.include.list", get("table.whitelist")));
  options.exclude_regex = split_list(get("table.exclude.list", get("table.blacklist")));
  options.schema_include = split_list(get("schema.include.list"));
  options.schema_exclude = split_list(get("schema.exclude.list"));
  options.publication = get("publication.name", "dbz_publication");
  options.autocreate_mode = get("publication.autocreate.mode", "all_tables");
  options.slot_name = get("slot.name", "debezium");
  options.plugin = plugin;
  const auto heartbeat = get("heartbeat.interval.ms", "0");
  options.heartbeat_configured = !heartbeat.empty() && heartbeat != "0";
  return options;
}

PreflightFacts gather_preflight_facts(pg::Connection& connection, const PreflightOptions& options) {
  PreflightFacts facts;
  facts.server_version = connection.server_version();
  auto server = connection.exec(
      "SELECT current_database(), current_user, current_setting('wal_level'), "
      "current_setting('max_replication_slots'), (SELECT count(*) FROM pg_replication_slots), "
      "current_setting('max_wal_senders'), (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'walsender'), "
      "r.rolsuper, r.rolreplication, (SELECT setting FROM pg_settings WHERE name = 'max_slot_wal_keep_size'), "
      "has_database_privilege(current_database(), 'CREATE') "
      "FROM pg_roles r WHERE r.rolname = current_user");
  facts.database = server.text(0, 0);
  facts.user = server.text(0, 1);
  facts.wal_level = server.text(0, 2);
  facts.max_replication_slots = to_int(server.text(0, 3));
  facts.slots_used = to_int(server.text(0, 4));
  facts.max_wal_senders = to_int(server.text(0, 5));
  facts.walsenders_used = to_int(server.text(0, 6));
  facts.superuser = server.text(0, 7) == "t";
  facts.replication_role = server.text(0, 8) == "t";
  if (auto keep = server.value(0, 9)) facts.max_slot_wal_keep_size_mb = std::stoll(*keep);
  facts.can_create_publication = facts.superuser || server.text(0, 10) == "t";
  auto rds = connection.exec(
      "SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rds_replication') "
      "THEN pg_has_role(current_user, 'rds_replication', 'member') END");
  if (auto member = rds.value(0, 0)) facts.rds_replication = *member == "t";

  auto tables = connection.exec(
      "SELECT n.nspname, c.relname, c.relreplident, "
      "EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary), "
      "has_table_privilege(c.oid, 'SELECT') "
      "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
      "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%' "
      "ORDER BY 1, 2");
  for (int row = 0; row < tables.rows(); ++row) {
    TableFacts table;
    table.schema = tables.text(row, 0);
    table.name = tables.text(row, 1);
    table.replica_identity = tables.text(row, 2).empty() ? 'd' : tables.text(row, 2)[0];
    table.has_primary_key = tables.text(row, 3) == "t";
    table.can_select = tables.text(row, 4) == "t";
    facts.tables.push_back(std::move(table));
  }

  const std::string truncate_column = facts.server_version >= 110000 ? "pubtruncate" : "true";
  auto publication = connection.exec("SELECT puballtables, pubinsert, pubupdate, pubdelete, " + truncate_column +
                                         " FROM pg_publication WHERE pubname = $1",
                                     {options.publication});
  if (publication.rows() == 1) {
    PublicationFacts pub;
    pub.all_tables = publication.text(0, 0) == "t";
    pub.insert = publication.text(0, 1) == "t";
    pub.update = publication.text(0, 2) == "t";
    pub.del = publication.text(0, 3) == "t";
    pub.truncate = publication.text(0, 4) == "t";
    facts.publication = pub;
    auto covered = connection.exec("SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = $1",
                                   {options.publication});
    for (int row = 0; row < covered.rows(); ++row) {
      for (auto& table : facts.tables) {
        if (table.schema == covered.text(row, 0) && table.name == covered.text(row, 1)) table.in_publication = true;
      }
    }
  }
  facts.slot = pg::find_slot(connection, options.slot_name);

  auto activity = connection.exec(
      "SELECT datname, xact_commit FROM pg_stat_database WHERE datname IS NOT NULL "
      "AND datname NOT IN ('template0', 'template1')");
  for (int row = 0; row < activity.rows(); ++row) {
    const auto commits = std::stoll(activity.text(row, 1));
    if (activity.text(row, 0) == facts.database) facts.this_database_commits = commits;
    else facts.other_databases_commits += commits;
  }
  for (int row = 0; row < activity.rows(); ++row) {
    const auto commits = std::stoll(activity.text(row, 1));
    if (activity.text(row, 0) != facts.database && commits >= std::max<std::int64_t>(1000, facts.this_database_commits)) {
      facts.other_busy_databases.push_back(activity.text(row, 0));
    }
  }
  return facts;
}

TableSelection select_tables(const std::vector<TableFacts>& all, const PreflightOptions& options) {
  TableSelection selection;
  const auto full_name = [](const TableFacts& table) { return table.schema + "." + table.name; };
  if (!options.tables.empty()) {
    for (const auto& wanted : options.tables) {
      const std::string name = wanted.find('.') == std::string::npos ? "public." + wanted : wanted;
      auto found = std::find_if(all.begin(), all.end(), [&](const auto& table) { return full_name(table) == name; });
      if (found == all.end()) selection.unmatched.push_back(wanted);
      else selection.tables.push_back(*found);
    }
    return selection;
  }
  // Debezium matches these lists case-insensitively against the whole name.
  const auto compile = [](const std::vector<std::string>& patterns) {
    std::vector<std::pair<std::string, std::regex>> compiled;
    for (const auto& pattern : patterns) {
      try {
        compiled.emplace_back(pattern, std::regex(pattern, std::regex::ECMAScript | std::regex::icase));
      } catch (const std::regex_error& e) {
        throw Error::usage("invalid regular expression '" + pattern + "'", e.what());
      }
    }
    return compiled;
  };
  const auto include = compile(options.include_regex);
  const auto exclude = compile(options.exclude_regex);
  const auto schema_include = compile(options.schema_include);
  const auto schema_exclude = compile(options.schema_exclude);
  std::vector<bool> used(include.size(), false);
  for (const auto& table : all) {
    const std::string name = full_name(table);
    const auto matches = [](const auto& list, const std::string& text) {
      return std::any_of(list.begin(), list.end(), [&](const auto& entry) { return std::regex_match(text, entry.second); });
    };
    if (!schema_include.empty() && !matches(schema_include, table.schema)) continue;
    if (matches(schema_exclude, table.schema)) continue;
    if (!include.empty()) {
      bool any = false;
      for (std::size_t i = 0; i < include.size(); ++i) {
        if (std::regex_match(name, include[i].second)) used[i] = any = true;
      }
      if (!any) continue;
    }
    if (matches(exclude, name)) continue;
    selection.tables.push_back(table);
  }
  for (std::size_t i = 0; i < include.size(); ++i) {
    if (!used[i]) selection.unmatched.push_back(include[i].first);
  }
  return selection;
}

namespace {

struct Findings {
  std::vector<PreflightFinding> list;
  void add(std::string check, CheckStatus status, std::string subject, std::string message, std::string why = {},
           std::string fix = {}) {
    list.push_back({std::move(check), status, std::move(subject), std::move(message), std::move(why), std::move(fix)});
  }
};

constexpr auto OK = CheckStatus::Ok;
constexpr auto WARN = CheckStatus::Warning;
constexpr auto FAIL = CheckStatus::Critical;

void capacity(Findings& findings, const std::string& check, const std::string& setting, int used, int max, int needed,
              const std::string& what) {
  const int free = max - used;
  const std::string counts = std::to_string(used) + " of " + std::to_string(max) + " in use";
  const std::string fix = "ALTER SYSTEM SET " + setting + " = " + std::to_string(std::max(max, used + needed) + 4) +
                          ";  -- then restart PostgreSQL";
  if (free < needed) {
    findings.add(check, FAIL, setting, counts + ", none free", "the connector needs " + what + " and cannot start without it", fix);
  } else if (free == needed && needed > 0) {
    findings.add(check, WARN, setting, counts + ": only the one the connector needs is free",
                 "the next connector, a standby or pg_basebackup will find none", fix);
  } else {
    findings.add(check, OK, setting, counts);
  }
}

}  // namespace

std::vector<PreflightFinding> evaluate_preflight(const PreflightFacts& facts, const PreflightOptions& options) {
  Findings findings;
  const std::string user = pg::quote_identifier(facts.user);

  if (facts.wal_level == "logical") {
    findings.add("wal_level", OK, "wal_level", "logical");
  } else {
    findings.add("wal_level", FAIL, "wal_level", "is " + facts.wal_level + ", not logical",
                 "logical decoding, and so any CDC connector, needs wal_level = logical",
                 "ALTER SYSTEM SET wal_level = logical;  -- then restart PostgreSQL");
  }

  if (options.plugin != "pgoutput") {
    findings.add("plugin", WARN, "plugin.name", "is " + options.plugin,
                 "pgoutput is built into PostgreSQL 10+; other plugins must be installed on the server (and cdcctl run "
                 "supports only pgoutput)",
                 "set \"plugin.name\": \"pgoutput\" in the connector config");
  }

  capacity(findings, "replication_slots", "max_replication_slots", facts.slots_used, facts.max_replication_slots,
           facts.slot ? 0 : 1, "a replication slot");
  capacity(findings, "wal_senders", "max_wal_senders", facts.walsenders_used, facts.max_wal_senders, 1,
           "a WAL sender for its replication connection");

  if (facts.superuser) {
    findings.add("replication_right", OK, facts.user, "is a superuser");
  } else if (facts.replication_role) {
    findings.add("replication_right", OK, facts.user, "has the REPLICATION attribute");
  } else if (facts.rds_replication.value_or(false)) {
    findings.add("replication_right", OK, facts.user, "is a member of rds_replication");
  } else {
    findings.add("replication_right", FAIL, facts.user, "may not open a replication connection",
                 "the connector streams changes over the replication protocol, which needs REPLICATION (or "
                 "rds_replication on Amazon RDS)",
                 facts.rds_replication ? "GRANT rds_replication TO " + user + ";"
                                       : "ALTER ROLE " + user + " WITH REPLICATION;");
  }

  const auto selection = select_tables(facts.tables, options);
  for (const auto& pattern : selection.unmatched) {
    findings.add("tables", WARN, pattern, "matches no table in database " + facts.database,
                 "a typo here means a table is silently not captured");
  }
  if (selection.tables.empty()) {
    findings.add("tables", WARN, facts.database, "no table selected",
                 "nothing would be captured; check --tables or the connector's table.include.list");
  } else {
    findings.add("tables", OK, facts.database, std::to_string(selection.tables.size()) + " table(s) selected");
  }

  for (const auto& table : selection.tables) {
    const std::string name = table.schema + "." + table.name;
    const std::string quoted = pg::qualified_name(table.schema, table.name);
    if (!table.can_select) {
      findings.add("select", FAIL, name, facts.user + " may not SELECT from it",
                   "the initial snapshot reads every row", "GRANT SELECT ON " + quoted + " TO " + user + ";");
    }
    if (table.replica_identity == 'n') {
      findings.add("replica_identity", FAIL, name, "REPLICA IDENTITY NOTHING",
                   "once the table is published, UPDATE and DELETE on it fail for the application, and change "
                   "events could carry no key",
                   "ALTER TABLE " + quoted + " REPLICA IDENTITY FULL;  -- or add a primary key");
    } else if (table.replica_identity == 'd' && !table.has_primary_key) {
      findings.add("replica_identity", WARN, name, "no primary key and REPLICA IDENTITY DEFAULT",
                   "updates and deletes will lack keys: once the table is published, PostgreSQL refuses UPDATE and "
                   "DELETE on it (\"does not have a replica identity\"), and events carry no key for Kafka",
                   "ALTER TABLE " + quoted + " REPLICA IDENTITY FULL;  -- or add a primary key");
    } else if (table.replica_identity == 'f') {
      findings.add("replica_identity", OK, name, "REPLICA IDENTITY FULL (old rows are logged in full: more WAL)");
    }
  }

  const std::string publication = pg::quote_identifier(options.publication);
  auto table_list = [&] {
    std::string list;
    for (const auto& table : selection.tables) list += (list.empty() ? "" : ", ") + pg::qualified_name(table.schema, table.name);
    return list;
  };
  if (!facts.publication) {
    const std::string create = selection.tables.empty() ? "CREATE PUBLICATION " + publication + " FOR ALL TABLES;"
                                                        : "CREATE PUBLICATION " + publication + " FOR TABLE " + table_list() + ";";
    if (options.autocreate_mode == "disabled") {
      findings.add("publication", FAIL, options.publication, "does not exist and publication.autocreate.mode is disabled",
                   "pgoutput streams only what a publication covers", create);
    } else if (options.autocreate_mode == "all_tables" && !facts.superuser) {
      findings.add("publication", FAIL, options.publication,
                   "does not exist, and " + facts.user + " cannot create it FOR ALL TABLES (superusers only)",
                   "the connector would fail at start", create + "  -- as a superuser, or the tables' owner");
    } else if (options.autocreate_mode == "filtered" && !facts.can_create_publication) {
      findings.add("publication", FAIL, options.publication,
                   "does not exist, and " + facts.user + " lacks CREATE on database " + facts.database,
                   "the connector would fail at start", create);
    } else {
      findings.add("publication", OK, options.publication,
                   "does not exist yet; the connector will create it (" + options.autocreate_mode + ")");
    }
  } else {
    const auto& pub = *facts.publication;
    if (pub.all_tables) findings.add("publication", OK, options.publication, "exists, FOR ALL TABLES");
    else findings.add("publication", OK, options.publication, "exists");
    if (!pub.all_tables) {
      for (const auto& table : selection.tables) {
        if (table.in_publication) continue;
        const std::string name = table.schema + "." + table.name;
        findings.add("publication", FAIL, name, "is not in publication " + options.publication,
                     "its changes would not be captured",
                     "ALTER PUBLICATION " + publication + " ADD TABLE " + pg::qualified_name(table.schema, table.name) + ";");
      }
    }
    std::vector<std::string> missing;
    if (!pub.insert) missing.push_back("insert");
    if (!pub.update) missing.push_back("update");
    if (!pub.del) missing.push_back("delete");
    if (!missing.empty()) {
      std::string list;
      for (const auto& op : missing) list += (list.empty() ? "" : ", ") + op;
      findings.add("publication", WARN, options.publication, "does not publish " + list,
                   "those changes never reach the connector",
                   "ALTER PUBLICATION " + publication + " SET (publish = 'insert, update, delete, truncate');");
    }
  }

  if (!facts.max_slot_wal_keep_size_mb) {
    findings.add("max_slot_wal_keep_size", WARN, "max_slot_wal_keep_size",
                 "PostgreSQL " + pg::format_server_version(facts.server_version) + " cannot cap the WAL a slot keeps",
                 "a stalled connector can fill the disk; watch it with cdcctl slots check");
  } else if (*facts.max_slot_wal_keep_size_mb < 0) {
    findings.add("max_slot_wal_keep_size", WARN, "max_slot_wal_keep_size", "is -1 (unlimited)",
                 "a stalled or deleted connector's slot keeps WAL until the disk is full and the primary stops",
                 "ALTER SYSTEM SET max_slot_wal_keep_size = '50GB'; SELECT pg_reload_conf();");
  } else {
    findings.add("max_slot_wal_keep_size", OK, "max_slot_wal_keep_size",
                 format_bytes(static_cast<std::uint64_t>(*facts.max_slot_wal_keep_size_mb) * 1024 * 1024));
  }

  if (facts.slot) {
    const auto& slot = *facts.slot;
    if (slot.slot_type != "logical" || slot.plugin != options.plugin) {
      findings.add("slot", FAIL, slot.name,
                   "exists as a " + slot.slot_type + " slot" + (slot.plugin.empty() ? "" : " for " + slot.plugin) +
                       ", not " + options.plugin,
                   "the connector cannot use it",
                   "SELECT pg_drop_replication_slot(" + pg::quote_literal(slot.name) + ");  -- if nothing else uses it");
    } else if (slot.database != facts.database) {
      findings.add("slot", FAIL, slot.name, "belongs to database " + slot.database + ", not " + facts.database,
                   "a logical slot decodes one database", "use another slot.name");
    } else if (slot.active) {
      findings.add("slot", WARN, slot.name,
                   "is in use by pid " + (slot.active_pid ? std::to_string(*slot.active_pid) : std::string("?")),
                   "two consumers cannot share a slot; is another connector using this slot.name?");
    } else {
      findings.add("slot", OK, slot.name,
                   "exists (" + slot.plugin + "); the connector resumes from it" +
                       (slot.retained_bytes ? ", " + format_bytes(*slot.retained_bytes) + " of WAL retained" : ""));
    }
  } else {
    findings.add("slot", OK, options.slot_name, "does not exist yet; the connector creates it");
  }

  if (!facts.other_busy_databases.empty() && options.heartbeat_configured != true) {
    std::string names;
    for (const auto& name : facts.other_busy_databases) names += (names.empty() ? "" : ", ") + name;
    findings.add("heartbeat", WARN, facts.database, "other databases on the server are busier: " + names,
                 "a slot confirms progress only when its own database changes, so while this one is quiet the WAL "
                 "written for the others piles up behind the slot",
                 "set \"heartbeat.interval.ms\": \"10000\" (and a heartbeat.action.query that writes to a small table) "
                 "in the connector config");
  }
  return findings.list;
}

CheckStatus worst(const std::vector<PreflightFinding>& findings) {
  CheckStatus status = CheckStatus::Ok;
  for (const auto& finding : findings) status = std::max(status, finding.status);
  return status;
}

json to_json(const std::vector<PreflightFinding>& findings, const PreflightFacts& facts) {
  json list = json::array();
  for (const auto& finding : findings) {
    list.push_back({{"check", finding.check},
                    {"status", verdict_name(finding.status)},
                    {"subject", finding.subject},
                    {"message", finding.message},
                    {"why", finding.why.empty() ? json(nullptr) : json(finding.why)},
                    {"fix", finding.fix.empty() ? json(nullptr) : json(finding.fix)}});
  }
  const auto status = worst(findings);
  return {{"status", verdict_name(status)},
          {"exit_code", static_cast<int>(status)},
          {"database", facts.database},
          {"user", facts.user},
          {"server_version", pg::format_server_version(facts.server_version)},
          {"findings", list}};
}

}  // namespace cdcctl::ops
