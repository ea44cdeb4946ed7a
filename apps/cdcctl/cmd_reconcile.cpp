// cdcctl reconcile: proves a target holds what its source holds — row counts,
// checksums, or the exact rows that differ (hash bisection).
#include <iostream>

#include "app.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "core/interrupt.hpp"
#include "core/units.hpp"
#include "ops/reconcile.hpp"
#include "output/progress.hpp"

namespace cdcctl::app {

namespace {

using nlohmann::json;

struct ReconcileFlags {
  std::string source;
  std::string target;
  std::string source_password_file;
  std::string target_password_file;
  std::vector<std::string> tables;
  std::string tables_file;
  std::string connector_config;
  std::string sink_config;
  std::string mode = "rows";
  std::vector<std::string> columns;
  std::vector<std::string> exclude_columns;
  std::vector<std::string> maps;
  std::vector<std::string> key;
  std::string where;
  std::string source_where;
  std::string target_where;
  std::string ignore_recent;
  std::string updated_column;
  std::uint64_t max_diffs = 0;
  std::string max_time;
  int timestamp_precision = 6;
  bool exact_numerics = false;
  bool show_values = false;
  int bisection_factor = 32;
  std::uint64_t bisection_threshold = 8192;
  std::string interval;
};

std::vector<std::string> split_all(const std::vector<std::string>& lists) {
  std::vector<std::string> out;
  for (const auto& list : lists) {
    for (auto& item : split_list(list)) out.push_back(std::move(item));
  }
  return out;
}

ops::ReconcileOptions options_from(const ReconcileFlags& flags) {
  ops::ReconcileOptions options;
  options.mode = ops::parse_reconcile_mode(flags.mode);
  options.columns = split_all(flags.columns);
  options.exclude_columns = split_all(flags.exclude_columns);
  for (const auto& map : flags.maps) {
    const auto at = map.find('=');
    if (at == std::string::npos || at == 0 || at + 1 == map.size()) {
      throw Error::usage("invalid --map '" + map + "'", "expected SOURCE_COLUMN=TARGET_COLUMN");
    }
    options.column_map[map.substr(0, at)] = map.substr(at + 1);
  }
  options.key = split_all(flags.key);
  options.source_where = flags.source_where.empty() ? flags.where : flags.source_where;
  options.target_where = flags.target_where.empty() ? flags.where : flags.target_where;
  if (!flags.ignore_recent.empty()) {
    if (flags.updated_column.empty()) {
      throw Error::usage("--ignore-recent needs --updated-column", "it names the column that says when a row last changed");
    }
    options.ignore_recent = parse_duration(flags.ignore_recent);
    options.updated_column = flags.updated_column;
  } else if (!flags.updated_column.empty()) {
    throw Error::usage("--updated-column is used with --ignore-recent", "", "e.g. --ignore-recent 30s --updated-column updated_at");
  }
  options.max_diffs = flags.max_diffs;
  if (!flags.max_time.empty()) options.max_time = parse_duration(flags.max_time);
  if (flags.timestamp_precision != 0 && flags.timestamp_precision != 3 && flags.timestamp_precision != 6) {
    throw Error::usage("--timestamp-precision must be 0, 3 or 6", "seconds, milliseconds or microseconds");
  }
  options.canonical.timestamp_precision = flags.timestamp_precision;
  options.canonical.exact_numerics = flags.exact_numerics;
  options.keep_values = flags.show_values;
  if (flags.bisection_factor < 2 || flags.bisection_factor > 1024) throw Error::usage("--bisection-factor must be 2 to 1024");
  if (flags.bisection_threshold < 1) throw Error::usage("--bisection-threshold must be at least 1");
  options.bisection_factor = flags.bisection_factor;
  options.bisection_threshold = flags.bisection_threshold;
  return options;
}

// A database given as postgresql://…, pg:…, odbc:…, or the name of a context
// (its PostgreSQL connection).
std::string resolve_database(AppContext& context, const std::string& flag, const char* setting, const char* which) {
  std::string spec = flag;
  if (spec.empty()) spec = context.settings().get(setting).value_or("");
  if (spec.empty()) {
    throw Error::usage(std::string("no ") + which + " database", "",
                       std::string("give --") + which + " (postgresql://…, pg:CONNINFO, odbc:DSN=…, or a context name)");
  }
  if (spec.starts_with("context:") || (spec.find(':') == std::string::npos && spec.find('=') == std::string::npos)) {
    const auto name = spec.starts_with("context:") ? spec.substr(8) : spec;
    const auto names = context.context_names();
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      throw Error::not_found("no context named '" + name + "'", "", "cdcctl context list shows the contexts");
    }
    return "pg:" + context.settings_for(name).pg_conninfo();
  }
  return spec;
}

std::optional<std::string> resolve_password(AppContext& context, const std::string& file, const char* setting) {
  if (!file.empty()) return read_secret_file(file);
  return context.settings().get(setting);
}

std::vector<ops::TablePair> resolve_tables(const ReconcileFlags& flags, ops::ReconcileSide& source) {
  std::vector<ops::TablePair> tables;
  for (const auto& table : flags.tables) tables.push_back(ops::parse_table_pair(table));
  if (!flags.tables_file.empty()) {
    for (auto& pair : ops::parse_tables_file(read_file(flags.tables_file), flags.tables_file)) tables.push_back(std::move(pair));
  }
  if (!flags.connector_config.empty()) {
    const auto parse = [](const std::string& path) {
      try {
        return json::parse(path == "-" ? std::string(std::istreambuf_iterator<char>(std::cin), {}) : read_file(path));
      } catch (const json::parse_error& e) {
        throw Error::usage("cannot read " + path, e.what());
      }
    };
    const auto source_config = parse(flags.connector_config);
    std::optional<json> sink_config;
    if (!flags.sink_config.empty()) sink_config = parse(flags.sink_config);
    for (auto& pair : ops::tables_from_connectors(source_config, sink_config ? &*sink_config : nullptr, source.list_tables(),
                                                  flags.connector_config)) {
      tables.push_back(std::move(pair));
    }
  }
  if (tables.empty()) {
    throw Error::usage("no tables to reconcile", "", "give --table SOURCE[=TARGET], --tables-file FILE or --connector-config FILE");
  }
  return tables;
}

std::string count_text(const std::optional<std::uint64_t>& value) { return value ? std::to_string(*value) : "-"; }

std::string table_status(const ops::TableResult& table) {
  if (!table.error.empty()) return "ERROR";
  if (table.matched()) return "MATCH";
  if (table.stopped != ops::StopReason::None && table.differing_rows() == 0) return "INCOMPLETE";
  return "MISMATCH";
}

output::Document report_document(const ops::ReconcileReport& report) {
  output::Document document;
  document.table.columns = {{"SOURCE TABLE"},         {"TARGET TABLE"},       {"SOURCE ROWS", false, true, false},
                            {"TARGET ROWS", false, true, false}, {"MISSING", false, true, false}, {"EXTRA", false, true, false},
                            {"CHANGED", false, true, false},     {"CHECKSUM", true},   {"SEVERITY"},
                            {"STATUS"},               {"KEY", true},         {"DURATION", true, true, false},
                            {"ERROR", true}};
  for (const auto& table : report.tables) {
    const auto status = table_status(table);
    const auto severity = table.severity(report.mode);
    const std::string severity_text = severity == ops::Severity::None ? "-" : std::string(ops::severity_name(severity));
    const std::string checksum = table.checksum_match ? (*table.checksum_match ? "match" : "differs") : "-";
    const bool rows = report.mode == ops::ReconcileMode::Rows;
    std::string key;
    for (const auto& column : table.key) key += (key.empty() ? "" : ",") + column;
    document.table.rows.push_back({table.tables.source.display(), table.tables.target.display(), count_text(table.source_rows),
                                   count_text(table.target_rows), rows ? std::to_string(table.missing) : "-",
                                   rows ? std::to_string(table.extra) : "-", rows ? std::to_string(table.changed) : "-",
                                   checksum,
                                   output::Cell(severity_text, severity >= ops::Severity::High ? output::Color::Red
                                                               : severity != ops::Severity::None ? output::Color::Yellow
                                                                                                 : output::Color::None),
                                   output::Cell(status, status == "MATCH" ? output::Color::Green : output::Color::Red),
                                   key.empty() ? "-" : key, format_duration(table.duration),
                                   table.error.empty() ? "-" : table.error});
    if (!table.matched()) document.names.push_back(table.tables.source.display());
  }
  return document;
}

void print_details(const ops::ReconcileReport& report, bool wide, std::ostream& out) {
  const std::size_t shown = wide ? SIZE_MAX : 20;
  for (const auto& table : report.tables) {
    if (!table.error.empty()) {
      out << "\n" << table.tables.source.display() << ": error: " << table.error << "\n";
      continue;
    }
    if (table.matched() && table.notes.empty()) continue;
    out << "\n" << table.tables.source.display() << " → " << table.tables.target.display() << ":\n";
    for (const auto& note : table.notes) out << "  note: " << note << "\n";
    std::size_t count = 0;
    for (const auto& difference : table.differences) {
      if (count++ == shown) {
        out << "  … " << (table.differences.size() - shown) << " more (-o wide or -o json lists them all)\n";
        break;
      }
      out << "  " << ops::difference_name(difference.kind) << "  " << ops::format_key(table.key, difference.key);
      if (!difference.columns.empty()) {
        out << "  (";
        for (std::size_t i = 0; i < difference.columns.size(); ++i) {
          const auto& column = difference.columns[i];
          out << (i ? ", " : "") << column.column;
          if (column.source || column.target) {
            out << ": " << column.source.value_or("NULL") << " → " << column.target.value_or("NULL");
          }
        }
        out << ")";
      }
      out << "\n";
    }
    for (const auto& advice : ops::recommendations(table, report.mode)) out << "  hint: " << advice << "\n";
  }
}

std::string summary_line(const ops::ReconcileReport& report) {
  std::size_t differing = 0;
  for (const auto& table : report.tables) differing += !table.matched();
  std::string line = report.status() + ": ";
  if (report.status() == "PASS") {
    line += std::to_string(report.tables.size()) + (report.tables.size() == 1 ? " table matches" : " tables match");
  } else if (report.status() == "NO_DATA") {
    line += "no rows on either side";
  } else {
    line += std::to_string(differing) + " of " + std::to_string(report.tables.size()) +
            (report.tables.size() == 1 ? " table differs" : " tables differ");
  }
  line += " (mode " + std::string(ops::mode_name(report.mode)) + ", " +
          format_duration(std::chrono::milliseconds(report.finished_ms - report.started_ms)) + ")";
  if (report.stopped != ops::StopReason::None) line += ", stopped: " + std::string(ops::stop_reason_name(report.stopped));
  for (const auto& table : report.tables) {
    if (table.stopped == ops::StopReason::MaxDiffs) {
      line += ", " + table.tables.source.display() + " stopped at --max-diffs";
    }
  }
  return line;
}

ExitCode run_once(AppContext& context, const ReconcileFlags& flags, const ops::ReconcileOptions& options, bool repeating) {
  const auto settings = context.settings();
  const auto source_spec = resolve_database(context, flags.source, "reconcile-source", "source");
  const auto target_spec = resolve_database(context, flags.target, "reconcile-target", "target");
  auto source = ops::open_side(source_spec, resolve_password(context, flags.source_password_file, "reconcile-source-password"),
                               settings.timeout());
  auto target = ops::open_side(target_spec, resolve_password(context, flags.target_password_file, "reconcile-target-password"),
                               settings.timeout());
  const auto tables = resolve_tables(flags, *source);
  context.logger().verbose("source: " + source->describe());
  context.logger().verbose("target: " + target->describe());

  output::ProgressBar progress(*context.io.err, context.io.terminal.stderr_is_tty && !context.flags.quiet, "reconcile", 0);
  std::string label;
  std::uint64_t known_total = 0;
  const auto report = ops::reconcile(*source, *target, tables, options,
                                     [&](const ops::TablePair& table, std::uint64_t done, std::uint64_t total) {
                                       if (table.source.display() != label || total != known_total) {
                                         label = table.source.display();
                                         known_total = total;
                                         progress.reset(label, total);
                                       }
                                       progress.update(done);
                                     });
  progress.finish();

  const auto format = context.format();
  auto& out = *context.io.out;
  if (format == output::Format::Json || format == output::Format::Yaml) {
    const auto data = ops::to_json(report, options);
    if (repeating && format == output::Format::Json) {
      out << data.dump() << std::endl;  // one line per run: a log a service can ship
    } else {
      output::Document document;
      document.data = data;
      output::render(document, format, context.table_options(), out);
    }
  } else {
    const auto document = report_document(report);
    if (format == output::Format::Table || format == output::Format::Wide) out << summary_line(report) << "\n";
    output::render(document, format, context.table_options(), out);
    if (format == output::Format::Table || format == output::Format::Wide) print_details(report, format == output::Format::Wide, out);
    out.flush();
  }
  if (report.stopped == ops::StopReason::Interrupted) return ExitCode::Interrupted;
  return report.status() == "FAIL" ? ExitCode::Failed : ExitCode::Ok;
}

ExitCode reconcile(AppContext& context, const ReconcileFlags& flags) {
  const auto options = options_from(flags);
  const InterruptGuard guard;
  if (flags.interval.empty()) return run_once(context, flags, options, false);
  const auto interval = parse_duration(flags.interval);
  if (interval < std::chrono::seconds(1)) throw Error::usage("--interval must be at least 1s");
  // A service: every run is reported; a failed run (unreachable database…)
  // is logged and retried at the next interval rather than ending the loop.
  for (;;) {
    try {
      const auto code = run_once(context, flags, options, true);
      if (code == ExitCode::Interrupted) return code;
    } catch (const Error& error) {
      context.logger().warn(format_error(error));
    }
    context.logger().verbose("next run in " + format_duration(interval));
    if (!sleep_unless_interrupted(interval)) return ExitCode::Interrupted;
  }
}

}  // namespace

void add_reconcile_command(CLI::App& app, AppContext& context) {
  auto flags = std::make_shared<ReconcileFlags>();
  auto* command = app.add_subcommand("reconcile", "Prove the target matches the source: counts, checksums, the rows that differ");
  command->add_option("--source", flags->source, "source database: postgresql://…, pg:CONNINFO, odbc:CONNECTION-STRING or a context name")
      ->type_name("DATABASE");
  command->add_option("--target", flags->target, "target database, in the same forms")->type_name("DATABASE");
  auto* source_password = command->add_option("--source-password-file", flags->source_password_file,
                                               "read the source's password from FILE (or CDCCTL_RECONCILE_SOURCE_PASSWORD)")
                              ->type_name("FILE");
  auto* target_password = command->add_option("--target-password-file", flags->target_password_file,
                                               "read the target's password from FILE (or CDCCTL_RECONCILE_TARGET_PASSWORD)")
                              ->type_name("FILE");
  context.completions[source_password] = {.files = true};
  context.completions[target_password] = {.files = true};
  command->add_option("--table", flags->tables, "SOURCE[=TARGET] table, [schema.]name (repeatable)")->type_name("TABLE");
  auto* tables_file = command->add_option("--tables-file", flags->tables_file, "one SOURCE[=TARGET] table per line")->type_name("FILE");
  context.completions[tables_file] = {.files = true};
  auto* connector = command->add_option("--connector-config", flags->connector_config,
                                        "the source connector's config: its table.include.list selects the tables")
                        ->type_name("FILE");
  context.completions[connector] = {.files = true};
  auto* sink = command->add_option("--sink-config", flags->sink_config,
                                   "the sink connector's config: names the target tables (table.name.format, RegexRouter)")
                   ->type_name("FILE");
  context.completions[sink] = {.files = true};
  auto* mode = command->add_option("--mode", flags->mode, "count, checksum or rows (default rows)")->type_name("MODE");
  context.completions[mode] = {.choices = {"count", "checksum", "rows"}};
  command->add_option("--columns", flags->columns, "compare only these columns (source names, comma-separated)")->type_name("LIST");
  command->add_option("--exclude-columns", flags->exclude_columns, "leave these columns out (source names)")->type_name("LIST");
  command->add_option("--map", flags->maps, "SOURCE_COLUMN=TARGET_COLUMN for a column named differently (repeatable)")
      ->type_name("PAIR");
  command->add_option("--key", flags->key, "key columns (source names) when there is no primary key or another is wanted")
      ->type_name("LIST");
  command->add_option("--where", flags->where, "SQL filter applied on both sides")->type_name("SQL");
  command->add_option("--source-where", flags->source_where, "SQL filter for the source only (overrides --where)")->type_name("SQL");
  command->add_option("--target-where", flags->target_where, "SQL filter for the target only (overrides --where)")->type_name("SQL");
  command->add_option("--ignore-recent", flags->ignore_recent, "leave out rows changed this recently on either side")
      ->type_name("DURATION");
  command->add_option("--updated-column", flags->updated_column, "the column holding when a row last changed (source name)")
      ->type_name("COLUMN");
  command->add_option("--max-diffs", flags->max_diffs, "stop a table after N differing rows (0: no limit)")->type_name("N");
  command->add_option("--max-time", flags->max_time, "stop after this long with a partial report")->type_name("DURATION");
  auto* precision = command->add_option("--timestamp-precision", flags->timestamp_precision,
                                        "fractional digits of timestamps compared: 0, 3 or 6 (default 6)")
                        ->type_name("DIGITS");
  context.completions[precision] = {.choices = {"0", "3", "6"}};
  command->add_flag("--exact-numerics", flags->exact_numerics, "numerics must match in scale too (1.10 differs from 1.1)");
  command->add_flag("--show-values", flags->show_values, "show the differing values, not only the column names");
  command->add_option("--bisection-factor", flags->bisection_factor, "segments each differing range is cut into (default 32)")
      ->type_name("N");
  command->add_option("--bisection-threshold", flags->bisection_threshold,
                      "segments with at most this many rows are compared row by row (default 8192)")
      ->type_name("ROWS");
  command->add_option("--interval", flags->interval, "run again every DURATION until stopped (for a service; cron is simpler)")
      ->type_name("DURATION");
  context.document(
      command,
      "Compares tables of a source database with their copies in a target database. Each side is PostgreSQL through "
      "libpq (postgresql://…, pg:CONNINFO; PG* variables and ~/.pgpass apply) or any database through ODBC "
      "(odbc:DSN=…, odbc:Driver=…;…: SQL Server, SQLite, MySQL, PostgreSQL via psqlODBC), or the PostgreSQL of a named "
      "context. Passwords come from --source-password-file/--target-password-file, CDCCTL_RECONCILE_SOURCE_PASSWORD/"
      "CDCCTL_RECONCILE_TARGET_PASSWORD, the DSN or ~/.pgpass, never from argv; they are masked in every message.\n"
      "\n"
      "--mode count compares row counts. --mode checksum adds an order-independent hash of every row (the sum of the "
      "first 64 bits of the MD5 of each row's canonical text), computed inside PostgreSQL and, for other engines, by "
      "cdcctl as the rows stream in. --mode rows (the default) finds the rows: it cuts the key range into "
      "--bisection-factor segments, compares their counts and hashes on both sides at once, cuts again only the "
      "segments that differ, and reads segments of at most --bisection-threshold rows to name the keys of missing "
      "rows (in the source only), extra rows (in the target only) and changed rows with the columns that differ.\n"
      "\n"
      "The canonical text makes equal values hash equally across engines: integers and numerics by value (1.10 is "
      "1.1 unless --exact-numerics), floats at 15 significant digits (6 for 4-byte floats), booleans as 0/1, binary "
      "as hex, UUIDs in lower case, timestamps in UTC truncated to --timestamp-precision digits, NULL distinct from "
      "the empty string. Columns are matched by name (any case) and --map; columns on one side only are listed as "
      "not compared. The key is the primary key (--key for another); ranges are cut on integer, text and UUID keys "
      "(any type between two PostgreSQL databases). PostgreSQL sides read each table from one snapshot.\n"
      "\n"
      "--ignore-recent 30s --updated-column updated_at leaves out rows changed in the last 30 seconds on either side, "
      "so rows still in flight are not reported. --max-diffs and --max-time stop early with a partial report.\n"
      "\n"
      "Severity per table, by differing rows over the larger side's rows: LOW < 0.1 %, MEDIUM < 1 %, HIGH < 10 %, "
      "CRITICAL from 10 % or on any checksum mismatch. -o json gives status PASS, FAIL or NO_DATA, totals and per "
      "table the discrepancies (ROW_COUNT_MISMATCH, CHECKSUM_MISMATCH, ROW_MISMATCH with kind and key) and "
      "recommendations; -o csv one line per table. Exit 0 when everything matched (or there were no rows), 1 on any "
      "difference, incomplete check or error, 2 on bad flags, 130 when interrupted (the partial report is printed).",
      {"cdcctl reconcile --source 'odbc:DSN=mssql;Database=shop' --target postgresql://app@pg/shop --table dbo.customers=public.customers",
       "cdcctl reconcile --source pg:service=src --target pg:service=dst --tables-file tables.txt --mode checksum -o json",
       "cdcctl reconcile --source prod-src --target prod-dst --connector-config source.json --sink-config sink.json "
       "--ignore-recent 1m --updated-column updated_at --max-time 10m",
       "cdcctl reconcile --source 'odbc:Driver=SQLite3;Database=/data/app.db' --target postgresql:///app --table orders "
       "--key tenant,order_id --max-diffs 100 --show-values"});
  command->callback([&context, flags] {
    // The contract: 0 matched, 1 differences or any error, 130 interrupted.
    context.error_exit_code = static_cast<int>(ExitCode::Failed);
    context.action = [&context, flags] { return reconcile(context, *flags); };
  });
}

}  // namespace cdcctl::app
