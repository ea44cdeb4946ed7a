#pragma once
// `pg preflight`: everything a Debezium PostgreSQL connector (or cdcctl run)
// needs from the database, checked before deploying. Facts are gathered in
// one pass (gather_preflight_facts), then judged by a pure function, so each
// rule is tested without a server. Each finding says what is wrong, why it
// matters and the exact SQL that fixes it.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/exit_codes.hpp"
#include "pg/connection.hpp"
#include "pg/slots.hpp"

namespace cdcctl::ops {

struct PreflightOptions {
  std::vector<std::string> tables{};          // exact schema.table (a bare name means public.name)
  std::vector<std::string> include_regex{};   // table.include.list: regexes over schema.table
  std::vector<std::string> exclude_regex{};   // table.exclude.list
  std::vector<std::string> schema_include{};  // schema.include.list
  std::vector<std::string> schema_exclude{};  // schema.exclude.list
  std::string publication = "dbz_publication";
  std::string autocreate_mode = "all_tables";  // all_tables | filtered | disabled
  std::string slot_name = "debezium";
  std::string plugin = "pgoutput";
  std::optional<bool> heartbeat_configured{};  // known when a connector config was read
};

// From a connector config ({"name", "config": {…}} or the flat config).
// Error (usage) when it is not a Debezium PostgreSQL connector config.
PreflightOptions preflight_options_from_connector(const nlohmann::json& document, const std::string& origin);

struct TableFacts {
  std::string schema{};
  std::string name{};
  char replica_identity = 'd';  // d default, n nothing, f full, i index
  bool has_primary_key = false;
  bool can_select = false;
  bool in_publication = false;
};

struct PublicationFacts {
  bool all_tables = false;
  bool insert = true, update = true, del = true, truncate = true;
};

struct PreflightFacts {
  int server_version = 0;
  std::string database{};
  std::string user{};
  std::string wal_level{};
  int max_replication_slots = 0;
  int slots_used = 0;
  int max_wal_senders = 0;
  int walsenders_used = 0;
  std::optional<std::int64_t> max_slot_wal_keep_size_mb{};  // -1 unlimited; nullopt before 13
  bool superuser = false;
  bool replication_role = false;
  std::optional<bool> rds_replication{};  // nullopt when the role does not exist (not RDS)
  bool can_create_publication = false;    // superuser, or CREATE on the database
  std::vector<TableFacts> tables{};       // every user table of the database
  std::optional<PublicationFacts> publication{};
  std::optional<pg::ReplicationSlot> slot{};
  std::int64_t this_database_commits = 0;
  std::int64_t other_databases_commits = 0;
  std::vector<std::string> other_busy_databases{};
};

PreflightFacts gather_preflight_facts(pg::Connection& connection, const PreflightOptions& options);

struct PreflightFinding {
  std::string check{};    // wal_level, replication_slots, …
  CheckStatus status = CheckStatus::Ok;  // Ok, Warning (WARN), Critical (FAIL)
  std::string subject{};  // what it is about (a table, the publication, …)
  std::string message{};
  std::string why{};
  std::string fix{};      // SQL, empty when nothing to do
};

struct TableSelection {
  std::vector<TableFacts> tables{};
  std::vector<std::string> unmatched{};  // patterns or names that matched no table
};
TableSelection select_tables(const std::vector<TableFacts>& all, const PreflightOptions& options);

std::vector<PreflightFinding> evaluate_preflight(const PreflightFacts& facts, const PreflightOptions& options);
CheckStatus worst(const std::vector<PreflightFinding>& findings);
nlohmann::json to_json(const std::vector<PreflightFinding>& findings, const PreflightFacts& facts);

}  // namespace cdcctl::ops
