#include <doctest/doctest.h>

#include <sstream>

#include "core/error.hpp"
#include "core/terminal.hpp"
#include "output/progress.hpp"
#include "output/render.hpp"

using namespace cdcctl;
using namespace cdcctl::output;

namespace {

Table connectors() {
  Table table;
  table.columns = {{"NAME"}, {"STATE", false, false, false}, {"TASKS", false, true, false}, {"WORKER", true}};
  table.rows = {{"orders-source", {"RUNNING", Color::Green}, "1/1", "w1:8083"},
                {"inventory-sink-with-a-long-name", {"FAILED", Color::Red}, "0/12", "w2:8083"}};
  return table;
}

std::string rendered(const Document& document, Format format, TableOptions options = {}) {
  std::ostringstream out;
  render(document, format, options, out);
  return out.str();
}

}  // namespace

TEST_CASE("tables pad columns, right-align numbers and hide wide-only columns") {
  Document document{.table = connectors()};
  CHECK(rendered(document, Format::Table) ==
        "NAME                              STATE     TASKS\n"
        "orders-source                     RUNNING     1/1\n"
        "inventory-sink-with-a-long-name   FAILED     0/12\n");
  CHECK(rendered(document, Format::Wide) ==
        "NAME                              STATE     TASKS   WORKER\n"
        "orders-source                     RUNNING     1/1   w1:8083\n"
        "inventory-sink-with-a-long-name   FAILED     0/12   w2:8083\n");
}

TEST_CASE("tables fit the terminal by cutting flexible columns with an ellipsis") {
  Document document{.table = connectors()};
  const auto text = rendered(document, Format::Table, {.width = 32});
  CHECK(text ==
        "NAME             STATE     TASKS\n"
        "orders-source    RUNNING     1/1\n"
        "inventory-sin…   FAILED     0/12\n");
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) CHECK(display_width(line) <= 32);
}

TEST_CASE("colour codes only when colour is on") {
  Document document{.table = connectors()};
  CHECK(rendered(document, Format::Table).find('\033') == std::string::npos);
  const auto coloured = rendered(document, Format::Table, {.color = true});
  CHECK(coloured.find("\033[32mRUNNING\033[0m") != std::string::npos);
  CHECK(coloured.find("\033[31mFAILED\033[0m") != std::string::npos);
}

TEST_CASE("colour decision: TTY, --no-color and NO_COLOR") {
  CHECK(should_use_color(true, false, std::nullopt));
  CHECK_FALSE(should_use_color(false, false, std::nullopt));
  CHECK_FALSE(should_use_color(true, true, std::nullopt));
  CHECK_FALSE(should_use_color(true, false, std::string("1")));
  CHECK(should_use_color(true, false, std::string("")));  // no-color.org: only a non-empty value counts
}

TEST_CASE("json, yaml and name renderings of the same document") {
  Document document;
  document.data = {{"name", "orders"}, {"port", "8083"}, {"enabled", "true"}, {"tasks", 3},
                   {"trace", nullptr}, {"topics", {"a", "b"}}, {"note", "key: value # x"}};
  document.names = {"orders", "inventory"};
  CHECK(rendered(document, Format::Json) == document.data.dump(2) + "\n");
  CHECK(nlohmann::json::parse(rendered(document, Format::Json)) == document.data);
  const auto yaml = rendered(document, Format::Yaml);
  CHECK(yaml.find("name: orders\n") != std::string::npos);
  CHECK(yaml.find("port: \"8083\"\n") != std::string::npos);     // a string stays a string
  CHECK(yaml.find("enabled: \"true\"\n") != std::string::npos);
  CHECK(yaml.find("tasks: 3\n") != std::string::npos);
  CHECK(yaml.find("trace: ~\n") != std::string::npos);
  CHECK(yaml.find("note: \"key: value # x\"\n") != std::string::npos);
  CHECK(yaml.find("topics:\n  - a\n  - b\n") != std::string::npos);
  CHECK(rendered(document, Format::Name) == "orders\ninventory\n");
}

TEST_CASE("output format names") {
  CHECK(parse_format("wide") == Format::Wide);
  CHECK(format_name(Format::Yaml) == "yaml");
  try {
    parse_format("xml");
    FAIL("xml accepted");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::Usage);
    CHECK(e.hint().find("table, wide, json, yaml, name") != std::string::npos);
  }
}

TEST_CASE("truncation counts characters, not bytes") {
  CHECK(display_width("größe") == 5);
  CHECK(truncate_to_width("größenordnung", 6) == "größe…");
  CHECK(truncate_to_width("short", 10) == "short");
}

TEST_CASE("progress bars draw only when enabled") {
  std::ostringstream quiet;
  {
    ProgressBar bar(quiet, false, "scanning", 100);
    bar.update(50);
    bar.finish();
  }
  CHECK(quiet.str().empty());

  std::ostringstream tty;
  ProgressBar bar(tty, true, "scanning", 200, 60);
  bar.update(50);
  CHECK(tty.str().find("scanning [") != std::string::npos);
  CHECK(tty.str().find("50/200  25%") != std::string::npos);
  CHECK(bar.line(200).find("200/200 100%") != std::string::npos);
  CHECK(bar.line(0).size() <= 60);
  bar.finish();
  CHECK(tty.str().ends_with("\r\033[K"));
  ProgressBar counter(tty, true, "records", 0);
  CHECK(counter.line(42) == "records 42");
}
