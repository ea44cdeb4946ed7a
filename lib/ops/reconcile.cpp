#include "core/text.hpp"
#include "ops/reconcile.hpp"

#include <algorithm>
#include <future>
#include <regex>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/units.hpp"
#include "ops/preflight.hpp"

namespace cdcctl::ops {

using nlohmann::json;

ReconcileMode parse_reconcile_mode(std::string_view text) {
  if (text == "count") return ReconcileMode::Count;
  if (text == "checksum") return ReconcileMode::Checksum;
  if (text == "rows") return ReconcileMode::Rows;
  throw Error::usage("unknown --mode '" + std::string(text) + "'", "expected count, checksum or rows");
}

std::string_view mode_name(ReconcileMode mode) {
  switch (mode) {
    case ReconcileMode::Count: return "count";
    case ReconcileMode::Checksum: return "checksum";
    case ReconcileMode::Rows: return "rows";
  }
  return "?";
}

std::string_view severity_name(Severity severity) {
  switch (severity) {
    case Severity::None: return "NONE";
    case Severity::Low: return "LOW";
    case Severity::Medium: return "MEDIUM";
    case Severity::High: return "HIGH";
    case Severity::Critical: return "CRITICAL";
  }
  return "?";
}

Severity severity_for(std::uint64_t differing_rows, std::uint64_t rows) {
  if (differing_rows == 0) return Severity::None;
  // Compared in integers: differing/rows < 0.1 % ⇔ differing * 1000 < rows.
  const auto base = static_cast<unsigned __int128>(std::max<std::uint64_t>(rows, 1));
  const auto diff = static_cast<unsigned __int128>(differing_rows);
  if (diff * 1000 < base) return Severity::Low;
  if (diff * 100 < base) return Severity::Medium;
  if (diff * 10 < base) return Severity::High;
  return Severity::Critical;
}

std::string_view difference_name(DifferenceKind kind) {
  switch (kind) {
    case DifferenceKind::Missing: return "missing";
    case DifferenceKind::Extra: return "extra";
    case DifferenceKind::Changed: return "changed";
  }
  return "?";
}

std::string_view stop_reason_name(StopReason reason) {
  switch (reason) {
    case StopReason::None: return "";
    case StopReason::MaxDiffs: return "max-diffs";
    case StopReason::MaxTime: return "max-time";
    case StopReason::Interrupted: return "interrupted";
  }
  return "?";
}

// ---------------------------------------------------------------------------
// Which tables

TablePair parse_table_pair(std::string_view text) {
  // '=' inside double quotes belongs to a name.
  bool quoted = false;
  std::size_t split = std::string_view::npos;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '"') quoted = !quoted;
    if (text[i] == '=' && !quoted) {
      split = i;
      break;
    }
  }
  if (split == std::string_view::npos) {
    const auto name = parse_table_name(text);
    return {name, name};
  }
  return {parse_table_name(text.substr(0, split)), parse_table_name(text.substr(split + 1))};
}

std::vector<TablePair> parse_tables_file(std::string_view text, const std::string& origin) {
  std::vector<TablePair> out;
  std::size_t line_number = 0;
  while (!text.empty()) {
    const auto end = text.find('\n');
    std::string line(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++line_number;
    if (const auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    line.erase(0, line.find_first_not_of(" \t\r"));
    line.erase(line.find_last_not_of(" \t\r") + 1);
    if (line.empty()) continue;
    try {
      out.push_back(parse_table_pair(line));
    } catch (const Error& error) {
      throw Error::usage(origin + ":" + std::to_string(line_number) + ": " + error.summary(), error.why());
    }
  }
  if (out.empty()) throw Error::usage(origin + " names no tables", "expected one 'source[=target]' per line");
  return out;
}

namespace {

const json& config_of(const json& document) {
  return document.contains("config") && document["config"].is_object() ? document["config"] : document;
}

std::string config_string(const json& config, const char* key, const std::string& fallback = {}) {
  if (!config.contains(key)) return fallback;
  return config[key].is_string() ? config[key].get<std::string>() : config[key].dump();
}

// The sink's RegexRouter transforms, in order, applied to a topic name.
std::string route_topic(const json& sink, std::string topic) {
  for (const auto& name : split_list(config_string(sink, "transforms"))) {
    const std::string prefix = "transforms." + name + ".";
    if (config_string(sink, (prefix + "type").c_str()).find("RegexRouter") == std::string::npos) continue;
    const auto pattern = config_string(sink, (prefix + "regex").c_str());
    const auto replacement = config_string(sink, (prefix + "replacement").c_str());
    try {
      const std::regex regex(pattern);
      if (std::regex_match(topic, regex)) topic = std::regex_replace(topic, regex, replacement);
    } catch (const std::regex_error& e) {
      throw Error::usage("invalid regex in " + prefix + "regex: '" + pattern + "'", e.what());
    }
  }
  return topic;
}

}  // namespace

std::vector<TablePair> tables_from_connectors(const json& source_document, const json* sink_document,
                                              const std::vector<TableName>& source_tables, const std::string& origin) {
  const json& source = config_of(source_document);
  if (!source.is_object()) throw Error::usage(origin + " is not a connector config", "expected a JSON object");
  PreflightOptions selection;
  selection.include_regex = split_list(config_string(source, "table.include.list", config_string(source, "table.whitelist")));
  selection.exclude_regex = split_list(config_string(source, "table.exclude.list", config_string(source, "table.blacklist")));
  selection.schema_include = split_list(config_string(source, "schema.include.list"));
  selection.schema_exclude = split_list(config_string(source, "schema.exclude.list"));
  std::vector<TableFacts> all;
  for (const auto& table : source_tables) {
    TableFacts facts;
    facts.schema = table.schema;
    facts.name = table.name;
    all.push_back(facts);
  }
  const auto selected = select_tables(all, selection);
  if (!selected.unmatched.empty()) {
    std::string list;
    for (const auto& pattern : selected.unmatched) list += (list.empty() ? "" : ", ") + pattern;
    throw Error::not_found("table.include.list of " + origin + " matches no source table: " + list);
  }
  if (selected.tables.empty()) throw Error::not_found(origin + " selects no source table");
  const auto prefix = config_string(source, "topic.prefix", config_string(source, "database.server.name"));
  std::vector<TablePair> out;
  for (const auto& table : selected.tables) {
    TablePair pair{{table.schema, table.name}, {table.schema, table.name}};
    if (sink_document) {
      const json& sink = config_of(*sink_document);
      if (prefix.empty()) throw Error::usage(origin + " has no topic.prefix", "the target table is named after the topic");
      const auto topic = route_topic(sink, prefix + "." + (table.schema.empty() ? "" : table.schema + ".") + table.name);
      const auto sink_class = config_string(sink, "connector.class");
      const bool debezium = sink_class.find("io.debezium") != std::string::npos;
      std::string format = config_string(sink, "collection.name.format", config_string(sink, "table.name.format", "${topic}"));
      for (auto at = format.find("${topic}"); at != std::string::npos; at = format.find("${topic}")) format.replace(at, 8, topic);
      if (debezium) {
        std::replace(format.begin(), format.end(), '.', '_');
        pair.target = {"", format};
      } else {
        pair.target = parse_table_name(format);
      }
    }
    out.push_back(std::move(pair));
  }
  return out;
}

// ---------------------------------------------------------------------------
// Preparing a table: which columns, which key, how each side reads them.

namespace {


const ColumnShape* find_column(const TableShape& shape, const std::string& name) {
  for (const auto& column : shape.columns) {
    if (column.name == name) return &column;
  }
  // Unquoted identifiers fold differently per engine (SQL Server keeps
  // CustomerId, PostgreSQL makes it customerid): fall back to any case.
  for (const auto& column : shape.columns) {
    if (ascii_lower(column.name) == ascii_lower(name)) return &column;
  }
  return nullptr;
}

struct ColumnPair {
  const ColumnShape* source;
  const ColumnShape* target;
};

struct PreparedTable {
  SideQuery source{};
  SideQuery target{};
  std::vector<std::string> key{};
  std::vector<std::string> columns{};
  std::vector<ValueKind> key_kinds{};
  std::vector<std::string> notes{};
  bool source_key_nullable = false;  // the catalog allows NULL in a key column
  bool target_key_nullable = false;
};

// Rows whose key holds a NULL fall into no key range and match nothing:
// refuse such a key instead of silently leaving them out.
void refuse_null_keys(ReconcileSide& side, const SideQuery& query, const std::vector<std::string>& key, const char* which) {
  SideQuery nulls = query;
  nulls.null_keys_only = true;
  const auto rows = side.count(nulls, {});
  if (rows == 0) return;
  std::string names;
  for (const auto& name : key) names += (names.empty() ? "" : ",") + name;
  throw Error::usage("the key (" + names + ") is NULL in " + std::to_string(rows) + " " + which + " rows",
                     "rows without a key cannot be matched", "choose a key without NULLs (--key), or leave those rows out (--where)");
}

ValueKind side_kind(Engine engine, ValueKind own, ValueKind common) {
  if (engine != Engine::Postgres) return common;
  // PostgreSQL reads its own type; only a 4-byte float on the other side
  // lowers a double to 4-byte precision.
  if (own == ValueKind::Float8 && common == ValueKind::Float4) return ValueKind::Float4;
  return own;
}

// Key types whose literals every engine reads, so both sides can be cut at
// the same bounds. Where two engines order them differently (a case-blind
// collation, SQL Server's uniqueidentifier order), a row may land in another
// segment on each side: both segments then differ, are read, and the row is
// matched across them (record_unmatched) — slower, never wrong.
bool splittable(ValueKind kind, Engine source, Engine target) {
  switch (kind) {
    case ValueKind::Integer:
    case ValueKind::Decimal:
    case ValueKind::Date:
    case ValueKind::Text:
    case ValueKind::FixedText:
    case ValueKind::Uuid: return true;
    default: break;
  }
  // Between two PostgreSQL databases every type reads its own text back.
  return source == Engine::Postgres && target == Engine::Postgres && kind != ValueKind::Binary;
}

PreparedTable prepare(ReconcileSide& source, ReconcileSide& target, const TablePair& tables, const ReconcileOptions& options) {
  const auto source_shape = source.table_shape(tables.source);
  const auto target_shape = target.table_shape(tables.target);
  const auto where = [&](const std::string& side) { return side + " table " + (side == "source" ? source_shape : target_shape).table.display(); };

  const auto target_of = [&](const ColumnShape& column) -> const ColumnShape* {
    if (auto mapped = options.column_map.find(column.name); mapped != options.column_map.end()) {
      const auto* found = find_column(target_shape, mapped->second);
      if (!found) throw Error::usage("--map " + mapped->first + "=" + mapped->second + ": the " + where("target") + " has no column " + mapped->second);
      return found;
    }
    return find_column(target_shape, column.name);
  };
  for (const auto& [from, to] : options.column_map) {
    if (!find_column(source_shape, from)) throw Error::usage("--map " + from + "=" + to + ": the " + where("source") + " has no column " + from);
  }

  PreparedTable prepared;
  // The key.
  std::vector<std::string> key = options.key;
  if (key.empty()) key = source_shape.primary_key;
  if (key.empty() && !target_shape.primary_key.empty()) {
    for (const auto& name : target_shape.primary_key) {
      const ColumnShape* match = nullptr;
      for (const auto& column : source_shape.columns) {
        if (const auto* t = target_of(column); t && t->name == name) match = &column;
      }
      if (!match) { key.clear(); break; }
      key.push_back(match->name);
    }
  }
  if (key.empty()) {
    throw Error::usage(tables.source.display() + " has no primary key on either side",
                       "reconcile needs a unique key to match rows", "name one with --key COLUMN[,COLUMN…]");
  }
  std::vector<ColumnPair> pairs;
  for (const auto& name : key) {
    const auto* s = find_column(source_shape, name);
    if (!s) throw Error::usage("key column " + name + " is not in the " + where("source"));
    const auto* t = target_of(*s);
    if (!t) throw Error::usage("key column " + name + " is not in the " + where("target"), "", "map it with --map " + name + "=TARGET_COLUMN");
    pairs.push_back({s, t});
  }
  // The compared columns: keys first, then the others in source order.
  for (const auto& name : options.columns) {
    if (!find_column(source_shape, name)) throw Error::usage("--columns: the " + where("source") + " has no column " + name);
  }
  for (const auto& name : options.exclude_columns) {
    if (!find_column(source_shape, name)) throw Error::usage("--exclude-columns: the " + where("source") + " has no column " + name);
  }
  const auto listed = [](const std::vector<std::string>& list, const std::string& name) {
    return std::any_of(list.begin(), list.end(), [&](const auto& entry) { return ascii_lower(entry) == ascii_lower(name); });
  };
  for (const auto& column : source_shape.columns) {
    if (std::any_of(pairs.begin(), pairs.end(), [&](const auto& pair) { return pair.source == &column; })) continue;
    if (!options.columns.empty() && !listed(options.columns, column.name)) continue;
    if (listed(options.exclude_columns, column.name)) continue;
    const auto* t = target_of(column);
    if (!t) {
      if (!options.columns.empty()) throw Error::usage("--columns: the " + where("target") + " has no column " + column.name, "", "map it with --map " + column.name + "=TARGET_COLUMN");
      prepared.notes.push_back("not compared: " + column.name + " (only in the source)");
      continue;
    }
    pairs.push_back({&column, t});
  }
  for (const auto& column : target_shape.columns) {
    if (!std::any_of(pairs.begin(), pairs.end(), [&](const auto& pair) { return pair.target == &column; }) && options.columns.empty()) {
      bool excluded = false;
      for (const auto& s : source_shape.columns) {
        if (target_of(s) == &column) excluded = true;
      }
      if (!excluded) prepared.notes.push_back("not compared: " + column.name + " (only in the target)");
    }
  }

  const auto fill = [&](SideQuery& query, const TableShape& shape, Engine engine, bool is_source) {
    query.table = shape.table;
    query.key_columns = key.size();
    query.canonical = options.canonical;
    for (const auto& pair : pairs) {
      const auto common = common_kind(pair.source->kind, pair.target->kind);
      const auto* own = is_source ? pair.source : pair.target;
      query.columns.push_back({own->name, side_kind(engine, own->kind, common), own->collatable});
    }
    query.where = is_source ? options.source_where : options.target_where;
  };
  fill(prepared.source, source_shape, source.engine(), true);
  fill(prepared.target, target_shape, target.engine(), false);
  std::size_t split = 0;
  for (std::size_t i = 0; i < key.size(); ++i) {
    const auto kind = common_kind(pairs[i].source->kind, pairs[i].target->kind);
    prepared.key_kinds.push_back(kind);
    if (split == i && splittable(kind, source.engine(), target.engine())) ++split;
  }
  prepared.source.split_columns = prepared.target.split_columns = split;
  prepared.source.postgres_row_hash = prepared.target.postgres_row_hash =
      source.engine() == Engine::Postgres && target.engine() == Engine::Postgres && source.utf8() && target.utf8();
  if (!options.updated_column.empty() && options.ignore_recent) {
    const auto* s = find_column(source_shape, options.updated_column);
    if (!s) throw Error::usage("--updated-column: the " + where("source") + " has no column " + options.updated_column);
    const auto* t = target_of(*s);
    if (!t) throw Error::usage("--updated-column: the " + where("target") + " has no column " + options.updated_column);
    prepared.source.updated_column = s->name;
    prepared.target.updated_column = t->name;
  }
  for (const auto& pair : pairs) prepared.columns.push_back(pair.source->name);
  for (std::size_t i = 0; i < key.size(); ++i) {
    prepared.source_key_nullable = prepared.source_key_nullable || pairs[i].source->nullable;
    prepared.target_key_nullable = prepared.target_key_nullable || pairs[i].target->nullable;
  }
  prepared.key = key;
  return prepared;
}

// Runs the source's work on another thread and the target's here.
template <class SourceWork, class TargetWork>
auto on_both(SourceWork&& source_work, TargetWork&& target_work) {
  auto source_future = std::async(std::launch::async, std::forward<SourceWork>(source_work));
  auto target_result = target_work();
  auto source_result = source_future.get();
  return std::pair{std::move(source_result), std::move(target_result)};
}

std::string key_text(const Row& row, std::size_t key_columns) {
  std::string text;
  for (std::size_t i = 0; i < key_columns && i < row.size(); ++i) {
    if (i) text += '\x1f';
    text += row[i] ? *row[i] : std::string("\x1e");
  }
  return text;
}

KeyValues key_of(const Row& row, std::size_t key_columns) {
  KeyValues key;
  for (std::size_t i = 0; i < key_columns && i < row.size(); ++i) key.push_back(row[i].value_or(""));
  return key;
}

// Orders keys the way people read them: integers by value, the rest bytewise.
bool key_less(const KeyValues& a, const KeyValues& b, const std::vector<ValueKind>& kinds) {
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (a[i] == b[i]) continue;
    if (i < kinds.size() && kinds[i] == ValueKind::Integer) {
      const bool a_negative = a[i].starts_with('-'), b_negative = b[i].starts_with('-');
      if (a_negative != b_negative) return a_negative;
      if (a[i].size() != b[i].size()) return (a[i].size() < b[i].size()) != a_negative;
      return (a[i] < b[i]) != a_negative;
    }
    return a[i] < b[i];
  }
  return a.size() < b.size();
}

class TableReconciler {
 public:
  TableReconciler(ReconcileSide& source, ReconcileSide& target, PreparedTable& prepared, const ReconcileOptions& options,
                  TableResult& result, const ReconcileProgress& progress, std::chrono::steady_clock::time_point deadline)
      : source_(source), target_(target), prepared_(prepared), options_(options), result_(result), progress_(progress),
        deadline_(deadline) {}

  void run() {
    switch (options_.mode) {
      case ReconcileMode::Count: {
        auto [s, t] = on_both([&] { return source_.count(prepared_.source, {}); }, [&] { return target_.count(prepared_.target, {}); });
        result_.source_rows = s;
        result_.target_rows = t;
        report_progress(std::max(s, t), std::max(s, t));
        break;
      }
      case ReconcileMode::Checksum: {
        auto [s, t] = on_both([&] { return source_.aggregate(prepared_.source, {}); },
                              [&] { return target_.aggregate(prepared_.target, {}); });
        result_.source_rows = s.count;
        result_.target_rows = t.count;
        result_.checksum_match = s == t;
        result_.segments_compared = 1;
        report_progress(std::max(s.count, t.count), std::max(s.count, t.count));
        break;
      }
      case ReconcileMode::Rows: bisect(); break;
    }
    // A Ctrl-C while the last query ran still ends the run as interrupted.
    if (result_.stopped == StopReason::None && interrupt_requested()) result_.stopped = StopReason::Interrupted;
  }

 private:
  struct Pending {
    Segment segment;
    std::uint64_t source_rows = 0;
    std::uint64_t target_rows = 0;
  };

  bool should_stop() {
    if (result_.stopped != StopReason::None) return true;
    if (interrupt_requested()) result_.stopped = StopReason::Interrupted;
    else if (std::chrono::steady_clock::now() >= deadline_) result_.stopped = StopReason::MaxTime;
    else if (options_.max_diffs > 0 && differences_found() >= options_.max_diffs) result_.stopped = StopReason::MaxDiffs;
    return result_.stopped != StopReason::None;
  }

  std::uint64_t differences_found() const { return changed_.size() + unmatched_.size(); }

  void report_progress(std::uint64_t done, std::uint64_t total) {
    if (progress_) progress_(result_.tables, done, total);
  }

  // Cuts a segment into about bisection_factor parts; empty when it cannot be cut.
  std::vector<Segment> split(const Segment& segment, std::uint64_t source_rows, std::uint64_t target_rows, bool counts_known) {
    const auto& sq = prepared_.source;
    const auto& tq = prepared_.target;
    if (sq.split_columns == 0) return {};
    const int pieces = std::max(2, options_.bisection_factor);
    std::vector<KeyValues> bounds;
    if (sq.split_columns == 1 && prepared_.key_kinds[0] == ValueKind::Integer) {
      auto [s, t] = on_both([&] { return source_.integer_key_range(sq, segment); },
                            [&] { return target_.integer_key_range(tq, segment); });
      if (!s && !t) return {};
      const std::int64_t lo = std::min(s ? s->first : t->first, t ? t->first : s->first);
      const std::int64_t hi = std::max(s ? s->second : t->second, t ? t->second : s->second);
      const __int128 width = static_cast<__int128>(hi) - lo + 1;
      for (int i = 1; i < pieces; ++i) {
        const auto bound = static_cast<std::int64_t>(lo + width * i / pieces);
        if (bound > lo && (bounds.empty() || bounds.back()[0] != std::to_string(bound))) bounds.push_back({std::to_string(bound)});
      }
    } else {
      if (!counts_known) {
        auto [s, t] = on_both([&] { return source_.count(sq, segment); }, [&] { return target_.count(tq, segment); });
        source_rows = s;
        target_rows = t;
      }
      // Sample the side with more rows: its keys cut the range more evenly.
      const bool from_source = source_rows >= target_rows;
      const auto rows = std::max(source_rows, target_rows);
      if (rows < 2) return {};
      auto points = from_source ? source_.split_points(sq, segment, rows, pieces) : target_.split_points(tq, segment, rows, pieces);
      for (auto& point : points) {
        if (bounds.empty() || bounds.back() != point) bounds.push_back(std::move(point));
      }
      // A bound equal to the segment's own lower bound would make an empty part.
      if (!bounds.empty() && segment.lower && bounds.front() == *segment.lower) bounds.erase(bounds.begin());
    }
    if (bounds.empty()) return {};
    std::vector<Segment> parts;
    std::optional<KeyValues> lower = segment.lower;
    for (auto& bound : bounds) {
      parts.push_back({lower, bound});
      lower = bound;
    }
    parts.push_back({lower, segment.upper});
    return parts;
  }

  void bisect() {
    auto level = split({}, 0, 0, false);
    bool first_level = true;
    std::uint64_t total = 0, verified = 0;
    if (level.empty()) {
      // Nothing to cut on (or at most one row): compare the whole table.
      const auto rows = download({});
      result_.source_rows = rows.first;
      result_.target_rows = rows.second;
      report_progress(std::max(rows.first, rows.second), std::max(rows.first, rows.second));
      return;
    }
    std::uint64_t source_total = 0, target_total = 0;
    while (!level.empty() && !should_stop()) {
      // Counts and hashes of every segment of this level, both sides at once.
      auto [source_aggregates, target_aggregates] = on_both(
          [&] { return aggregates(source_, prepared_.source, level); }, [&] { return aggregates(target_, prepared_.target, level); });
      if (source_aggregates.size() < level.size() || target_aggregates.size() < level.size()) {
        should_stop();
        break;
      }
      result_.segments_compared += level.size();
      std::vector<Pending> differing;
      for (std::size_t i = 0; i < level.size(); ++i) {
        const auto& s = source_aggregates[i];
        const auto& t = target_aggregates[i];
        if (first_level) {
          source_total += s.count;
          target_total += t.count;
        }
        if (s == t) {
          verified += s.count;
        } else {
          differing.push_back({level[i], s.count, t.count});
        }
      }
      if (first_level) {
        result_.source_rows = source_total;
        result_.target_rows = target_total;
        total = std::max(source_total, target_total);
        first_level = false;
      }
      report_progress(verified, total);
      std::vector<Segment> next;
      for (const auto& pending : differing) {
        if (should_stop()) break;
        const auto rows = std::max(pending.source_rows, pending.target_rows);
        std::vector<Segment> parts;
        if (rows > options_.bisection_threshold) parts = split(pending.segment, pending.source_rows, pending.target_rows, true);
        if (parts.empty()) {
          download(pending.segment);
          verified += rows;
          report_progress(verified, total);
        } else {
          for (auto& part : parts) next.push_back(std::move(part));
        }
      }
      level = std::move(next);
    }
    should_stop();
  }

  std::vector<Aggregate> aggregates(ReconcileSide& side, const SideQuery& query, const std::vector<Segment>& segments) {
    std::vector<Aggregate> out;
    for (const auto& segment : segments) {
      // Both threads check; the flags they read are only ever set.
      if (interrupt_requested() || std::chrono::steady_clock::now() >= deadline_) break;
      out.push_back(side.aggregate(query, segment));
    }
    return out;
  }

  // Reads a segment on both sides and compares it row by row; returns the
  // row counts of the two sides.
  std::pair<std::uint64_t, std::uint64_t> download(const Segment& segment) {
    auto [source_rows, target_rows] = on_both(
        [&] {
          std::vector<Row> rows;
          source_.read_rows(prepared_.source, segment, [&](Row&& row) { rows.push_back(std::move(row)); });
          return rows;
        },
        [&] {
          std::vector<Row> rows;
          target_.read_rows(prepared_.target, segment, [&](Row&& row) { rows.push_back(std::move(row)); });
          return rows;
        });
    result_.rows_downloaded += source_rows.size() + target_rows.size();
    const auto key_columns = prepared_.source.key_columns;
    std::unordered_map<std::string, std::size_t> by_key;
    by_key.reserve(source_rows.size());
    for (std::size_t i = 0; i < source_rows.size(); ++i) {
      if (!by_key.emplace(key_text(source_rows[i], key_columns), i).second) duplicate_key(source_rows[i], "source");
    }
    std::vector<bool> seen(source_rows.size(), false);
    std::unordered_set<std::string> target_keys;
    for (auto& row : target_rows) {
      auto text = key_text(row, key_columns);
      if (!target_keys.insert(text).second) duplicate_key(row, "target");
      const auto found = by_key.find(text);
      if (found == by_key.end()) {
        record_unmatched(std::move(text), DifferenceKind::Extra, std::move(row));
      } else {
        seen[found->second] = true;
        compare(source_rows[found->second], row);
      }
    }
    for (std::size_t i = 0; i < source_rows.size(); ++i) {
      if (!seen[i]) record_unmatched(key_text(source_rows[i], key_columns), DifferenceKind::Missing, std::move(source_rows[i]));
    }
    return {source_rows.size(), target_rows.size()};
  }

  void duplicate_key(const Row& row, const std::string& side) {
    throw Error::usage("the key of " + result_.tables.source.display() + " is not unique on the " + side + " side",
                       format_key(prepared_.key, key_of(row, prepared_.source.key_columns)) + " appears more than once",
                       "name a unique key with --key COLUMN[,COLUMN…]");
  }

  void compare(const Row& source_row, const Row& target_row) {
    RowDifference difference;
    difference.kind = DifferenceKind::Changed;
    for (std::size_t i = prepared_.source.key_columns; i < source_row.size() && i < target_row.size(); ++i) {
      if (source_row[i] != target_row[i]) {
        ColumnDifference column{prepared_.columns[i], {}, {}};
        if (options_.keep_values) {
          column.source = source_row[i];
          column.target = target_row[i];
        }
        difference.columns.push_back(std::move(column));
      }
    }
    if (difference.columns.empty()) return;
    difference.key = key_of(source_row, prepared_.source.key_columns);
    changed_.push_back(std::move(difference));
  }

  // A row on one side only. When the other side's row turned up in another
  // segment (the engines cut a range differently, e.g. under another
  // collation), the two are compared after all.
  void record_unmatched(std::string key, DifferenceKind kind, Row row) {
    auto found = unmatched_.find(key);
    if (found != unmatched_.end() && found->second.first != kind) {
      auto other = std::move(found->second.second);
      const bool row_is_source = kind == DifferenceKind::Missing;
      unmatched_.erase(found);
      compare(row_is_source ? row : other, row_is_source ? other : row);
      return;
    }
    unmatched_.emplace(std::move(key), std::pair{kind, std::move(row)});
  }

 public:
  void finish() {
    if (result_.stopped != StopReason::None && !unmatched_.empty()) {
      result_.notes.push_back("stopped early: a row listed as missing or extra may have its counterpart in a part of "
                              "the table not compared yet");
    }
    for (auto& [key, entry] : unmatched_) {
      RowDifference difference;
      difference.kind = entry.first;
      difference.key = key_of(entry.second, prepared_.source.key_columns);
      (entry.first == DifferenceKind::Missing ? result_.missing : result_.extra) += 1;
      result_.differences.push_back(std::move(difference));
    }
    result_.changed = changed_.size();
    for (auto& difference : changed_) result_.differences.push_back(std::move(difference));
    const auto& kinds = prepared_.key_kinds;
    std::sort(result_.differences.begin(), result_.differences.end(),
              [&](const RowDifference& a, const RowDifference& b) { return key_less(a.key, b.key, kinds); });
    if (options_.max_diffs > 0 && result_.differences.size() > options_.max_diffs) {
      result_.differences.resize(options_.max_diffs);
    }
  }

 private:
  ReconcileSide& source_;
  ReconcileSide& target_;
  PreparedTable& prepared_;
  const ReconcileOptions& options_;
  TableResult& result_;
  const ReconcileProgress& progress_;
  std::chrono::steady_clock::time_point deadline_;
  std::vector<RowDifference> changed_;
  std::unordered_map<std::string, std::pair<DifferenceKind, Row>> unmatched_;
};

// Ends the per-table snapshot on both sides whatever happens.
struct TableScope {
  ReconcileSide& source;
  ReconcileSide& target;
  TableScope(ReconcileSide& s, ReconcileSide& t) : source(s), target(t) {
    source.begin_table();
    target.begin_table();
  }
  ~TableScope() {
    try {
      source.end_table();
    } catch (...) {
    }
    try {
      target.end_table();
    } catch (...) {
    }
  }
};

std::string utc_cutoff(std::chrono::milliseconds ago) {
  const auto now_us = std::chrono::duration_cast<std::chrono::microseconds>(WallClock::now().time_since_epoch()).count();
  return canonical_timestamp(format_timestamp_usec(now_us - ago.count() * 1000), 6);
}

}  // namespace

bool TableResult::matched() const {
  return error.empty() && stopped == StopReason::None && source_rows == target_rows && checksum_match.value_or(true) &&
         missing + extra + changed == 0;
}

std::uint64_t TableResult::differing_rows() const {
  const auto diff = missing + extra + changed;
  if (diff > 0) return diff;
  if (source_rows && target_rows) return *source_rows > *target_rows ? *source_rows - *target_rows : *target_rows - *source_rows;
  return 0;
}

Severity TableResult::severity(ReconcileMode mode) const {
  if (!error.empty() || matched()) return Severity::None;
  if (mode == ReconcileMode::Checksum && checksum_match == false) return Severity::Critical;
  return severity_for(differing_rows(), std::max(source_rows.value_or(0), target_rows.value_or(0)));
}

TableResult reconcile_table(ReconcileSide& source, ReconcileSide& target, const TablePair& tables,
                            const ReconcileOptions& options, const ReconcileProgress& progress,
                            std::chrono::steady_clock::time_point deadline) {
  TableResult result;
  result.tables = tables;
  const auto started = std::chrono::steady_clock::now();
  try {
    auto prepared = prepare(source, target, tables, options);
    result.tables = {prepared.source.table, prepared.target.table};
    result.key = prepared.key;
    result.columns = prepared.columns;
    result.notes = prepared.notes;
    TableScope scope(source, target);
    if (options.ignore_recent && !prepared.source.updated_column.empty()) {
      const auto cutoff = utc_cutoff(*options.ignore_recent);
      prepared.source.recent_cutoff = prepared.target.recent_cutoff = cutoff;
      auto [s, t] = on_both([&] { return source.recent_keys(prepared.source, options.max_recent_keys); },
                            [&] { return target.recent_keys(prepared.target, options.max_recent_keys); });
      std::set<KeyValues> keys(s.begin(), s.end());
      keys.insert(t.begin(), t.end());
      result.recent_rows_skipped = keys.size();
      if (keys.size() <= options.max_recent_keys) {
        prepared.source.excluded_keys.assign(keys.begin(), keys.end());
        prepared.target.excluded_keys = prepared.source.excluded_keys;
      } else {
        result.notes.push_back("more than " + std::to_string(options.max_recent_keys) +
                               " recent rows: each side leaves out only its own; rows changed on one side may show as differences");
      }
    }
    if (prepared.source_key_nullable) refuse_null_keys(source, prepared.source, prepared.key, "source");
    if (prepared.target_key_nullable) refuse_null_keys(target, prepared.target, prepared.key, "target");
    TableReconciler reconciler(source, target, prepared, options, result, progress, deadline);
    reconciler.run();
    reconciler.finish();
  } catch (const Error& error) {
    result.error = error.detail();
    if (!error.hint().empty()) result.error += " (" + error.hint() + ")";
  } catch (const std::exception& error) {
    result.error = error.what();
  }
  result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  return result;
}

ReconcileReport reconcile(ReconcileSide& source, ReconcileSide& target, const std::vector<TablePair>& tables,
                          const ReconcileOptions& options, const ReconcileProgress& progress) {
  ReconcileReport report;
  report.mode = options.mode;
  report.source = source.describe();
  report.target = target.describe();
  const auto now_ms = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(WallClock::now().time_since_epoch()).count();
  };
  report.started_ms = now_ms();
  const auto deadline = options.max_time ? std::chrono::steady_clock::now() + *options.max_time
                                         : std::chrono::steady_clock::time_point::max();
  for (const auto& pair : tables) {
    if (interrupt_requested()) {
      report.stopped = StopReason::Interrupted;
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      report.stopped = StopReason::MaxTime;
      break;
    }
    report.tables.push_back(reconcile_table(source, target, pair, options, progress, deadline));
    if (report.tables.back().stopped == StopReason::Interrupted || report.tables.back().stopped == StopReason::MaxTime) {
      report.stopped = report.tables.back().stopped;
      break;
    }
  }
  report.finished_ms = now_ms();
  return report;
}

bool ReconcileReport::complete() const {
  return stopped == StopReason::None &&
         std::all_of(tables.begin(), tables.end(), [](const auto& table) { return table.stopped == StopReason::None; });
}

std::string ReconcileReport::status() const {
  if (!complete()) return "FAIL";
  if (!std::all_of(tables.begin(), tables.end(), [](const auto& table) { return table.matched(); })) return "FAIL";
  const bool empty = std::all_of(tables.begin(), tables.end(), [](const auto& table) {
    return table.source_rows.value_or(0) == 0 && table.target_rows.value_or(0) == 0;
  });
  return empty ? "NO_DATA" : "PASS";
}

std::string format_key(const std::vector<std::string>& columns, const KeyValues& key) {
  std::string out;
  for (std::size_t i = 0; i < key.size(); ++i) {
    if (i) out += ", ";
    out += (i < columns.size() ? columns[i] : "?") + "=" + key[i];
  }
  return out;
}

std::vector<std::string> recommendations(const TableResult& table, ReconcileMode mode) {
  std::vector<std::string> out;
  if (!table.error.empty()) {
    out.push_back("fix the error above and run again");
    return out;
  }
  if (table.stopped == StopReason::MaxTime) out.push_back("the check stopped at --max-time: raise it, or reconcile fewer tables per run");
  if (table.stopped == StopReason::MaxDiffs) out.push_back("the check stopped at --max-diffs: the counts are a lower bound");
  if (table.matched()) return out;
  const bool counts_differ = table.source_rows != table.target_rows;
  if (mode != ReconcileMode::Rows && (counts_differ || table.checksum_match == false)) {
    out.push_back("run with --mode rows to find the keys of the rows that differ");
  }
  if (table.missing > 0) {
    out.push_back("rows missing in the target: check the sink connector's status and DLQ (cdcctl dlq stats), then re-send "
                  "them with an incremental snapshot of these keys");
  }
  if (table.extra > 0) {
    out.push_back("rows only in the target: deletes did not arrive; check tombstones.on.delete on the source and "
                  "delete.enabled on the sink");
  }
  if (table.changed > 0) {
    std::map<std::string, std::uint64_t> by_column;
    for (const auto& difference : table.differences) {
      for (const auto& column : difference.columns) ++by_column[column.column];
    }
    std::string columns;
    for (const auto& [name, count] : by_column) columns += (columns.empty() ? "" : ", ") + name;
    out.push_back("rows with other values in the target (" + columns +
                  "): when every row differs in the same column, suspect a type mapping or precision difference "
                  "(--timestamp-precision, --exclude-columns); otherwise updates were lost");
  }
  if (table.recent_rows_skipped == 0 && table.stopped == StopReason::None && table.differing_rows() > 0) {
    out.push_back("if the pipeline is busy, leave out rows still in flight with --ignore-recent 1m --updated-column COLUMN");
  }
  return out;
}

json to_json(const ReconcileReport& report, const ReconcileOptions& options) {
  json tables = json::array();
  std::uint64_t source_rows = 0, target_rows = 0, missing = 0, extra = 0, changed = 0;
  int matched = 0, mismatched = 0, errors = 0;
  for (const auto& table : report.tables) {
    const auto opt = [](const std::optional<std::uint64_t>& value) { return value ? json(*value) : json(nullptr); };
    json discrepancies = json::array();
    if (table.error.empty()) {
      if (table.source_rows != table.target_rows) {
        discrepancies.push_back({{"issue_type", "ROW_COUNT_MISMATCH"},
                                 {"source_rows", opt(table.source_rows)},
                                 {"target_rows", opt(table.target_rows)}});
      }
      if (table.checksum_match == false) discrepancies.push_back({{"issue_type", "CHECKSUM_MISMATCH"}});
      for (const auto& difference : table.differences) {
        json key = json::object();
        for (std::size_t i = 0; i < difference.key.size() && i < table.key.size(); ++i) key[table.key[i]] = difference.key[i];
        json item = {{"issue_type", "ROW_MISMATCH"}, {"kind", difference_name(difference.kind)}, {"key", key}};
        if (difference.kind == DifferenceKind::Changed) {
          json columns = json::array();
          json values = json::object();
          for (const auto& column : difference.columns) {
            columns.push_back(column.column);
            if (options.keep_values) {
              values[column.column] = {{"source", column.source ? json(*column.source) : json(nullptr)},
                                       {"target", column.target ? json(*column.target) : json(nullptr)}};
            }
          }
          item["columns"] = columns;
          if (options.keep_values) item["values"] = values;
        }
        discrepancies.push_back(std::move(item));
      }
    }
    const std::string status = !table.error.empty() ? "ERROR" : table.matched() ? "MATCH" : table.stopped != StopReason::None && table.differing_rows() == 0 ? "INCOMPLETE" : "MISMATCH";
    if (status == "ERROR") ++errors;
    else if (status == "MATCH") ++matched;
    else ++mismatched;
    source_rows += table.source_rows.value_or(0);
    target_rows += table.target_rows.value_or(0);
    missing += table.missing;
    extra += table.extra;
    changed += table.changed;
    const auto severity = table.severity(report.mode);
    tables.push_back({
        {"source_table", table.tables.source.display()},
        {"target_table", table.tables.target.display()},
        {"status", status},
        {"severity", severity == Severity::None ? json(nullptr) : json(severity_name(severity))},
        {"source_rows", opt(table.source_rows)},
        {"target_rows", opt(table.target_rows)},
        {"missing", table.missing},
        {"extra", table.extra},
        {"changed", table.changed},
        {"checksum_match", table.checksum_match ? json(*table.checksum_match) : json(nullptr)},
        {"key", table.key},
        {"columns", table.columns},
        {"notes", table.notes},
        {"recent_rows_skipped", table.recent_rows_skipped},
        {"segments_compared", table.segments_compared},
        {"rows_downloaded", table.rows_downloaded},
        {"complete", table.stopped == StopReason::None && table.error.empty()},
        {"stopped_by", table.stopped == StopReason::None ? json(nullptr) : json(stop_reason_name(table.stopped))},
        {"duration_ms", table.duration.count()},
        {"error", table.error.empty() ? json(nullptr) : json(table.error)},
        {"discrepancies", discrepancies},
        {"recommendations", recommendations(table, report.mode)},
    });
  }
  return {
      {"status", report.status()},
      {"mode", mode_name(report.mode)},
      {"source", report.source},
      {"target", report.target},
      {"started_at", format_timestamp_ms(report.started_ms)},
      {"finished_at", format_timestamp_ms(report.finished_ms)},
      {"duration_ms", report.finished_ms - report.started_ms},
      {"complete", report.complete()},
      {"stopped_by", report.stopped == StopReason::None ? json(nullptr) : json(stop_reason_name(report.stopped))},
      {"totals",
       {{"tables", report.tables.size()},
        {"matched", matched},
        {"mismatched", mismatched},
        {"errors", errors},
        {"source_rows", source_rows},
        {"target_rows", target_rows},
        {"missing", missing},
        {"extra", extra},
        {"changed", changed}}},
      {"tables", tables},
  };
}

}  // namespace cdcctl::ops
