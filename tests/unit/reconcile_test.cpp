// reconcile: the canonical text that makes engines agree, the SQL built per
// engine, table naming from connector configs, severity, and the bisection
// itself over in-memory sides (which rows it reads, what it reports, when it
// stops).
#include <doctest/doctest.h>

#include <algorithm>
#include <map>

#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "ops/reconcile.hpp"

using namespace cdcctl;
using namespace cdcctl::ops;
using nlohmann::json;

TEST_CASE("canonical numbers: by value, scale kept only when asked") {
  CHECK(canonical_decimal("1.10") == "1.1");
  CHECK(canonical_decimal("1.10", true) == "1.10");
  CHECK(canonical_decimal("+007") == "7");
  CHECK(canonical_decimal("-0.000") == "0");
  CHECK(canonical_decimal("1.5e3") == "1500");
  CHECK(canonical_decimal("1.5E-7") == "0.00000015");
  CHECK(canonical_decimal(".5") == "0.5");
  CHECK(canonical_decimal("12abc") == "12abc");  // not a number: kept, so it shows as a difference
  const CanonicalOptions options;
  CHECK(canonical_value(ValueKind::Float8, std::string("0.30000000000000004"), options) == "0.3");
  CHECK(canonical_value(ValueKind::Float8, std::string("1e20"), options) == "100000000000000000000");
  CHECK(canonical_value(ValueKind::Float4, std::string("1.10000002384"), options) == "1.1");
  CHECK(canonical_value(ValueKind::Float8, std::string("inf"), options) == "Infinity");
  CHECK(canonical_value(ValueKind::Float8, std::string("NaN"), options) == "NaN");
  CHECK(canonical_value(ValueKind::Integer, std::string("42.0"), options) == "42");
}

TEST_CASE("canonical timestamps: UTC, declared precision, PostgreSQL's ISO form") {
  CHECK(canonical_timestamp("2024-05-01T10:00:00.1234564+02:00", 6) == "2024-05-01 08:00:00.123456");
  CHECK(canonical_timestamp("2024-05-01 10:00:00.500", 6) == "2024-05-01 10:00:00.5");
  CHECK(canonical_timestamp("2024-05-01 10:00:00.123456", 3) == "2024-05-01 10:00:00.123");
  CHECK(canonical_timestamp("2024-05-01 10:00:00.999", 0) == "2024-05-01 10:00:00");
  CHECK(canonical_timestamp("2024-05-01 10:00:00Z", 6) == "2024-05-01 10:00:00");
  CHECK(canonical_timestamp("2024-01-01 00:30:00+01", 6) == "2023-12-31 23:30:00");
  CHECK(canonical_timestamp("2024-02-28T23:00:00-02:00", 6) == "2024-02-29 01:00:00");
  CHECK(canonical_timestamp("2024-05-01", 6) == "2024-05-01 00:00:00");
  CHECK(canonical_timestamp("yesterday", 6) == "yesterday");
  // SQL Server: datetimeoffset with a space before the offset, datetime2 with seven
  // digits (PostgreSQL rounds the seventh on input; so does the canonical form).
  CHECK(canonical_timestamp("2024-05-01 10:00:00.1234567 +02:00", 6) == "2024-05-01 08:00:00.123457");
  CHECK(canonical_timestamp("2024-12-31 23:59:59.9999996", 6) == "2025-01-01 00:00:00");
  CHECK(canonical_timestamp("2024-05-01 10:00:00.1234567", 3) == "2024-05-01 10:00:00.123");
  CHECK(canonical_timestamp("1969-12-31 23:59:59.5", 6) == "1969-12-31 23:59:59.5");
  CHECK(canonical_time("12:34:56.789123", 3) == "12:34:56.789");
  CHECK(canonical_time("12:34", 6) == "12:34:00");
}

TEST_CASE("canonical values of other kinds, NULL distinct from the empty string") {
  const CanonicalOptions options;
  CHECK(canonical_value(ValueKind::Boolean, std::string("t"), options) == "1");
  CHECK(canonical_value(ValueKind::Boolean, std::string("FALSE"), options) == "0");
  CHECK(canonical_value(ValueKind::Uuid, std::string("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"), options) ==
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
  CHECK(canonical_value(ValueKind::Binary, std::string("\\xDEADBEEF"), options) == "deadbeef");
  CHECK(canonical_value(ValueKind::Date, std::string("2024-05-01 00:00:00"), options) == "2024-05-01");
  CHECK_FALSE(canonical_value(ValueKind::Text, std::nullopt, options).has_value());

  std::string null_text, empty_text;
  append_row_value(null_text, std::nullopt);
  append_row_value(empty_text, std::string());
  CHECK(null_text == "-1:");
  CHECK(empty_text == "0:");
  CHECK(row_hash(null_text) != row_hash(empty_text));
  // Two columns cannot run together: ("ab", "c") and ("a", "bc") differ.
  std::string first, second;
  append_row_value(first, std::string("ab"));
  append_row_value(first, std::string("c"));
  append_row_value(second, std::string("a"));
  append_row_value(second, std::string("bc"));
  CHECK(first != second);
}

TEST_CASE("the row hash is PostgreSQL's ('x'||left(md5(t),16))::bit(64)::bigint") {
  // select ('x'||left(md5('abc'),16))::bit(64)::bigint  →  -8070080442485551184
  CHECK(row_hash("abc") == -8070080442485551184LL);
  Aggregate a, b;
  a.add(row_hash("x"));
  a.add(row_hash("y"));
  b.add(row_hash("y"));
  b.add(row_hash("x"));
  CHECK(a == b);  // order-independent
  CHECK(to_string(static_cast<__int128>(-8070080442485551184LL) * 1000) == "-8070080442485551184000");
  CHECK(parse_int128("4866284897816816017712") == static_cast<__int128>(4866284897816816017LL) * 1000 + 712);
}

TEST_CASE("kinds from catalog type names of several engines") {
  CHECK(kind_of_type("bigint") == ValueKind::Integer);
  CHECK(kind_of_type("INTEGER") == ValueKind::Integer);
  CHECK(kind_of_type("numeric(12,2)") == ValueKind::Decimal);
  CHECK(kind_of_type("money") == ValueKind::Decimal);
  CHECK(kind_of_type("double precision") == ValueKind::Float8);
  CHECK(kind_of_type("real") == ValueKind::Float4);
  CHECK(kind_of_type("timestamp with time zone") == ValueKind::TimestampTz);
  CHECK(kind_of_type("timestamp(3) without time zone") == ValueKind::Timestamp);
  CHECK(kind_of_type("DATETIME2") == ValueKind::Timestamp);
  CHECK(kind_of_type("datetimeoffset") == ValueKind::TimestampTz);
  CHECK(kind_of_type("time without time zone") == ValueKind::Time);
  CHECK(kind_of_type("uniqueidentifier") == ValueKind::Uuid);
  CHECK(kind_of_type("character varying(20)") == ValueKind::Text);
  CHECK(kind_of_type("NVARCHAR(50)") == ValueKind::Text);
  CHECK(kind_of_type("bytea") == ValueKind::Binary);
  CHECK(kind_of_type("bit") == ValueKind::Boolean);
  CHECK(kind_of_type("integer[]") == ValueKind::Other);
  CHECK(kind_of_type("character(10)") == ValueKind::FixedText);
  CHECK(kind_of_type("NCHAR(3)") == ValueKind::FixedText);
  CHECK(kind_of_type("character varying(10)") == ValueKind::Text);
  CHECK(canonical_value(ValueKind::FixedText, std::string("AB   "), CanonicalOptions{}) == "AB");
  CHECK(kind_of_type("interval") == ValueKind::Other);
  // SQLite keeps timestamps as TEXT: the typed side decides.
  CHECK(common_kind(ValueKind::Text, ValueKind::TimestampTz) == ValueKind::TimestampTz);
  CHECK(common_kind(ValueKind::Float8, ValueKind::Float4) == ValueKind::Float4);
}

TEST_CASE("PostgreSQL computes the canonical text in SQL") {
  CanonicalOptions options;
  CHECK(postgres_canonical_expression("\"b\"", ValueKind::Decimal, options) == "trim_scale(\"b\"::numeric)::text");
  CHECK(postgres_canonical_expression("\"t\"", ValueKind::TimestampTz, options) == "(\"t\" AT TIME ZONE 'UTC')::text");
  options.timestamp_precision = 3;
  options.exact_numerics = true;
  CHECK(postgres_canonical_expression("\"b\"", ValueKind::Decimal, options) == "\"b\"::numeric::text");
  CHECK(postgres_canonical_expression("\"t\"", ValueKind::Timestamp, options) ==
        "date_trunc('milliseconds', \"t\"::timestamp)::text");
}

TEST_CASE("table names and pairs") {
  CHECK(parse_table_name("dbo.customers") == TableName{"dbo", "customers"});
  CHECK(parse_table_name("customers") == TableName{"", "customers"});
  CHECK(parse_table_name("\"My Schema\".\"Order.Lines\"") == TableName{"My Schema", "Order.Lines"});
  CHECK(parse_table_name("shop.dbo.customers") == TableName{"dbo", "customers"});
  CHECK_THROWS_AS(parse_table_name("a..b"), Error);
  CHECK_THROWS_AS(parse_table_name("\"open"), Error);
  const auto pair = parse_table_pair("dbo.customers=public.customers");
  CHECK(pair.source == TableName{"dbo", "customers"});
  CHECK(pair.target == TableName{"public", "customers"});
  CHECK(parse_table_pair("\"a=b\"").target == TableName{"", "a=b"});
  const auto pairs = parse_tables_file("# tables\ndbo.a=a\n\n  b  # same name\n", "tables.txt");
  REQUIRE(pairs.size() == 2);
  CHECK(pairs[1].source == TableName{"", "b"});
  CHECK_THROWS_WITH_AS(parse_tables_file("a\nx..y\n", "tables.txt"), doctest::Contains("tables.txt:2"), Error);
  CHECK_THROWS_AS(parse_tables_file("# nothing\n", "tables.txt"), Error);
}

TEST_CASE("SQL: composite key ranges spelled out, text compared bytewise in PostgreSQL, literals quoted") {
  SideQuery query;
  query.table = {"public", "order lines"};
  query.columns = {{"tenant", ValueKind::Text}, {"id", ValueKind::Integer}, {"note", ValueKind::Text}};
  query.key_columns = 2;
  query.split_columns = 2;
  query.where = "deleted = false";
  Dialect postgres;
  const auto where = postgres.where(query, {KeyValues{"o'hara", "5"}, KeyValues{"zed", "1"}});
  CHECK(where ==
        " WHERE (deleted = false) AND (\"tenant\" COLLATE \"C\" > 'o''hara' OR (\"tenant\" COLLATE \"C\" = 'o''hara' AND \"id\" >= 5))"
        " AND (\"tenant\" COLLATE \"C\" < 'zed' OR (\"tenant\" COLLATE \"C\" = 'zed' AND \"id\" < 1))");
  CHECK(postgres.count_sql(query, {}) == "SELECT count(*) FROM \"public\".\"order lines\" WHERE (deleted = false)");
  CHECK(postgres.aggregate_sql(query, {}).find("md5(concat(coalesce(octet_length(c0), -1), ':', c0") != std::string::npos);

  Dialect sqlite;
  sqlite.engine = Engine::Sqlite;
  query.where.clear();
  query.excluded_keys = {{"a", "1"}, {"b", "2"}};
  CHECK(sqlite.where(query, {std::nullopt, KeyValues{"m", "9"}}) ==
        " WHERE (\"tenant\" < 'm' OR (\"tenant\" = 'm' AND \"id\" < 9))"
        " AND NOT ((\"tenant\" = 'a' AND \"id\" = 1) OR (\"tenant\" = 'b' AND \"id\" = 2))");
  CHECK(sqlite.table(query.table) == "\"order lines\"");
  CHECK(sqlite.split_sql(query, {}, 100).find("WHERE cdcctl_row % 100 = 0") != std::string::npos);

  Dialect mssql;
  mssql.engine = Engine::Generic;
  mssql.quote = "[";
  CHECK(mssql.identifier("a]b") == "[a]]b]");
  CHECK(mssql.literal("1; DROP TABLE x", ValueKind::Integer) == "'1; DROP TABLE x'");
  CHECK(mssql.literal("-12", ValueKind::Integer) == "-12");
  mssql.string_prefix = "N";
  CHECK(mssql.literal("Zoë", ValueKind::Text) == "N'Zoë'");
  CHECK(mssql.recent_comparison("[updated]", "<", "2026-11-22 10:00:00.123456") == "[updated] < N'2026-11-22T10:00:00.123'");
  CHECK(sqlite.recent_comparison("\"updated\"", ">=", "2026-11-22 10:00:00") ==
        "julianday(\"updated\") >= julianday('2026-11-22 10:00:00')");
  Dialect mysql;
  mysql.engine = Engine::Generic;
  mysql.quote = "`";
  mysql.backslash_escapes = true;
  CHECK(mysql.literal("x\\' OR 1=1 -- ", ValueKind::Text) == "'x\\\\'' OR 1=1 -- '");

  // Only the rows whose key is NULL, to refuse such a key.
  SideQuery nulls = query;
  nulls.excluded_keys.clear();
  nulls.null_keys_only = true;
  CHECK(sqlite.where(nulls, {}) == " WHERE (\"tenant\" IS NULL OR \"id\" IS NULL)");
}

TEST_CASE("severity by the share of differing rows") {
  CHECK(severity_for(0, 1000) == Severity::None);
  CHECK(severity_for(1, 100000) == Severity::Low);
  CHECK(severity_for(100, 100000) == Severity::Medium);   // 0.1 %
  CHECK(severity_for(1000, 100000) == Severity::High);    // 1 %
  CHECK(severity_for(9999, 100000) == Severity::High);
  CHECK(severity_for(10000, 100000) == Severity::Critical);  // 10 %
  CHECK(severity_for(5, 0) == Severity::Critical);
}

TEST_CASE("target tables from a source and a sink connector config") {
  const std::vector<TableName> source_tables = {{"inventory", "customers"}, {"inventory", "orders"}, {"audit", "log"}};
  const json source = {{"name", "inv"},
                       {"config",
                        {{"connector.class", "io.debezium.connector.sqlserver.SqlServerConnector"},
                         {"topic.prefix", "srv"},
                         {"table.include.list", "inventory\\..*"}}}};
  auto pairs = tables_from_connectors(source, nullptr, source_tables, "source.json");
  REQUIRE(pairs.size() == 2);
  CHECK(pairs[0].target == TableName{"inventory", "customers"});

  const json debezium_sink = {{"connector.class", "io.debezium.connector.jdbc.JdbcSinkConnector"}};
  pairs = tables_from_connectors(source, &debezium_sink, source_tables, "source.json");
  CHECK(pairs[1].target == TableName{"", "srv_inventory_orders"});

  const json confluent_sink = {{"connector.class", "io.confluent.connect.jdbc.JdbcSinkConnector"},
                               {"transforms", "route"},
                               {"transforms.route.type", "org.apache.kafka.connect.transforms.RegexRouter"},
                               {"transforms.route.regex", "srv\\.inventory\\.(.*)"},
                               {"transforms.route.replacement", "public.$1"}};
  pairs = tables_from_connectors(source, &confluent_sink, source_tables, "source.json");
  CHECK(pairs[0].target == TableName{"public", "customers"});

  const json unmatched = {{"table.include.list", "inventory\\.customers,nosuch\\.table"}};
  CHECK_THROWS_WITH_AS(tables_from_connectors(unmatched, nullptr, source_tables, "source.json"),
                       doctest::Contains("nosuch"), Error);
}

// ---------------------------------------------------------------------------
// The bisection over in-memory sides.

namespace {

// A table held in memory with an integer key in column 0; answers the
// questions a database would, and counts how many rows it had to send.
class MemorySide final : public ReconcileSide {
 public:
  TableShape shape;
  std::map<std::int64_t, Row> rows;
  std::uint64_t rows_sent = 0;
  int aggregates = 0;

  MemorySide() {
    shape.table = {"public", "items"};
    shape.columns = {{"id", "bigint", ValueKind::Integer, false}, {"name", "text", ValueKind::Text, true},
                     {"price", "numeric", ValueKind::Decimal, true}};
    shape.primary_key = {"id"};
  }
  void fill(std::int64_t first, std::int64_t last) {
    for (auto id = first; id <= last; ++id) rows[id] = {std::to_string(id), "item " + std::to_string(id), "1.50"};
  }

  std::string describe() const override { return "memory"; }
  Engine engine() const override { return Engine::Sqlite; }
  TableShape table_shape(const TableName& table) override {
    if (table.name != shape.table.name) throw Error::not_found("table " + table.display() + " does not exist");
    return shape;
  }
  std::vector<TableName> list_tables() override { return {shape.table}; }

  std::vector<const Row*> in(const SideQuery& query, const Segment& segment) const {
    std::vector<const Row*> out;
    for (const auto& [id, row] : rows) {
      if (segment.lower && id < std::stoll(segment.lower->at(0))) continue;
      if (segment.upper && id >= std::stoll(segment.upper->at(0))) continue;
      const bool excluded = std::any_of(query.excluded_keys.begin(), query.excluded_keys.end(),
                                        [&](const KeyValues& key) { return key.at(0) == std::to_string(id); });
      if (!excluded) out.push_back(&row);
    }
    return out;
  }
  Row canonical(const SideQuery& query, const Row& row) const {
    Row out;
    for (std::size_t i = 0; i < query.columns.size(); ++i) {
      std::size_t index = 0;
      while (shape.columns[index].name != query.columns[i].name) ++index;
      out.push_back(canonical_value(query.columns[i].kind, row[index], query.canonical));
    }
    return out;
  }
  std::uint64_t count(const SideQuery& query, const Segment& segment) override { return in(query, segment).size(); }
  Aggregate aggregate(const SideQuery& query, const Segment& segment) override {
    ++aggregates;
    Aggregate aggregate;
    for (const auto* row : in(query, segment)) {
      std::string text;
      for (const auto& value : canonical(query, *row)) append_row_value(text, value);
      aggregate.add(row_hash(text));
    }
    return aggregate;
  }
  void read_rows(const SideQuery& query, const Segment& segment, const std::function<void(Row&&)>& sink) override {
    for (const auto* row : in(query, segment)) {
      ++rows_sent;
      sink(canonical(query, *row));
    }
  }
  std::vector<KeyValues> split_points(const SideQuery&, const Segment&, std::uint64_t, int) override { return {}; }
  std::optional<std::pair<std::int64_t, std::int64_t>> integer_key_range(const SideQuery& query, const Segment& segment) override {
    const auto found = in(query, segment);
    if (found.empty()) return std::nullopt;
    return std::pair{std::stoll(*found.front()->at(0)), std::stoll(*found.back()->at(0))};
  }
  std::vector<KeyValues> recent_keys(const SideQuery&, std::size_t) override { return {}; }
};

ReconcileOptions small_segments() {
  ReconcileOptions options;
  options.bisection_factor = 8;
  options.bisection_threshold = 50;
  return options;
}

}  // namespace

TEST_CASE("bisection finds missing, extra and changed rows while reading a small part of the table") {
  MemorySide source, target;
  source.fill(1, 20000);
  target.fill(1, 20000);
  target.rows.erase(500);                                        // missing in the target
  target.rows[30000] = {"30000", "stray", "2"};                  // extra in the target
  target.rows[777][1] = "renamed";                               // changed
  target.rows[9000][2] = "1.5";                                  // the same number: not a difference
  target.rows[12345][1] = std::nullopt;                          // NULL against a value

  const auto result = reconcile_table(source, target, {{"", "items"}, {"", "items"}}, small_segments());
  CHECK(result.error.empty());
  CHECK(result.source_rows == 20000);
  CHECK(result.target_rows == 20000);
  CHECK(result.missing == 1);
  CHECK(result.extra == 1);
  CHECK(result.changed == 2);
  REQUIRE(result.differences.size() == 4);
  CHECK(result.differences[0].kind == DifferenceKind::Missing);
  CHECK(result.differences[0].key == KeyValues{"500"});
  CHECK(result.differences[1].key == KeyValues{"777"});
  REQUIRE(result.differences[1].columns.size() == 1);
  CHECK(result.differences[1].columns[0].column == "name");
  CHECK(result.differences[2].key == KeyValues{"12345"});
  CHECK(result.differences[3].kind == DifferenceKind::Extra);
  CHECK(result.differences[3].key == KeyValues{"30000"});
  CHECK_FALSE(result.matched());
  CHECK(result.severity(ReconcileMode::Rows) == Severity::Low);
  // Only the segments holding a difference were read row by row.
  CHECK(source.rows_sent < 1000);
  CHECK(target.rows_sent < 1000);
  CHECK(result.rows_downloaded == source.rows_sent + target.rows_sent);
}

TEST_CASE("identical tables match at every mode, and --max-diffs stops early") {
  MemorySide source, target;
  source.fill(1, 5000);
  target.fill(1, 5000);
  for (const auto mode : {ReconcileMode::Count, ReconcileMode::Checksum, ReconcileMode::Rows}) {
    auto options = small_segments();
    options.mode = mode;
    const auto result = reconcile_table(source, target, {{"", "items"}, {"", "items"}}, options);
    CHECK(result.matched());
    CHECK(result.source_rows == 5000);
  }
  CHECK(source.rows_sent == 0);  // a match never downloads rows

  for (std::int64_t id = 1; id <= 5000; id += 10) target.rows[id][1] = "changed";
  auto options = small_segments();
  options.max_diffs = 20;
  const auto result = reconcile_table(source, target, {{"", "items"}, {"", "items"}}, options);
  CHECK(result.stopped == StopReason::MaxDiffs);
  CHECK(result.changed >= 20);
  CHECK(result.changed < 500);
  CHECK(result.differences.size() == 20);

  options.max_diffs = 0;
  options.mode = ReconcileMode::Checksum;
  const auto checksum = reconcile_table(source, target, {{"", "items"}, {"", "items"}}, options);
  CHECK(checksum.checksum_match == false);
  CHECK(checksum.severity(ReconcileMode::Checksum) == Severity::Critical);
  CHECK(recommendations(checksum, ReconcileMode::Checksum).front().find("--mode rows") != std::string::npos);
}

TEST_CASE("columns: --exclude-columns, --map, --columns and a table without a key") {
  MemorySide source, target;
  source.fill(1, 100);
  target.fill(1, 100);
  target.shape.columns[1].name = "title";  // renamed in the target
  for (auto& [id, row] : target.rows) row[1] = "other";

  auto result = reconcile_table(source, target, {{"", "items"}, {"", "items"}}, small_segments());
  CHECK(result.matched());  // name is only in the source, title only in the target
  CHECK(result.notes == std::vector<std::string>{"not compared: name (only in the source)", "not compared: title (only in the target)"});

  auto options = small_segments();
  options.column_map = {{"name", "title"}};
  result = reconcile_table(source, target, {{"", "items"}, {"", "items"}}, options);
  CHECK(result.changed == 100);
  CHECK(result.severity(ReconcileMode::Rows) == Severity::Critical);

  options.exclude_columns = {"name"};
  CHECK(reconcile_table(source, target, {{"", "items"}, {"", "items"}}, options).matched());

  options = small_segments();
  options.columns = {"nosuch"};
  CHECK(reconcile_table(source, target, {{"", "items"}, {"", "items"}}, options).error.find("no column nosuch") != std::string::npos);

  source.shape.primary_key.clear();
  target.shape.primary_key.clear();
  result = reconcile_table(source, target, {{"", "items"}, {"", "items"}}, small_segments());
  CHECK(result.error.find("has no primary key") != std::string::npos);
  CHECK(result.error.find("--key") != std::string::npos);
  options = small_segments();
  options.key = {"id"};
  CHECK(reconcile_table(source, target, {{"", "items"}, {"", "items"}}, options).error.empty());
}

TEST_CASE("the JSON report: status, totals, issue types") {
  MemorySide source, target;
  source.fill(1, 1000);
  target.fill(1, 999);
  ReconcileReport report = reconcile(source, target, {{{"", "items"}, {"", "items"}}}, small_segments());
  auto data = to_json(report, small_segments());
  CHECK(data["status"] == "FAIL");
  CHECK(data["complete"] == true);
  CHECK(data["totals"]["missing"] == 1);
  const auto& table = data["tables"][0];
  CHECK(table["status"] == "MISMATCH");
  CHECK(table["severity"] == "MEDIUM");  // 1 of 1000 is 0.1 %
  CHECK(table["discrepancies"][0]["issue_type"] == "ROW_COUNT_MISMATCH");
  CHECK(table["discrepancies"][1] == json{{"issue_type", "ROW_MISMATCH"}, {"kind", "missing"}, {"key", {{"id", "1000"}}}});
  CHECK(table["key"] == json{"id"});

  MemorySide empty_source, empty_target;
  report = reconcile(empty_source, empty_target, {{{"", "items"}, {"", "items"}}}, small_segments());
  CHECK(report.status() == "NO_DATA");

  source.fill(1, 1000);
  target.fill(1, 1000);
  report = reconcile(source, target, {{{"", "items"}, {"", "items"}}, {{"", "nosuch"}, {"", "nosuch"}}}, small_segments());
  data = to_json(report, small_segments());
  CHECK(data["status"] == "FAIL");
  CHECK(data["totals"]["matched"] == 1);
  CHECK(data["totals"]["errors"] == 1);
  CHECK(data["tables"][1]["error"].get<std::string>().find("does not exist") != std::string::npos);
}

TEST_CASE("an interrupt stops with a partial report") {
  MemorySide source, target;
  source.fill(1, 1000);
  target.fill(1, 1000);
  request_interrupt();
  const auto report = reconcile(source, target, {{{"", "items"}, {"", "items"}}}, small_segments());
  clear_interrupt();
  CHECK(report.stopped == StopReason::Interrupted);
  CHECK_FALSE(report.complete());
  CHECK(report.status() == "FAIL");
}
