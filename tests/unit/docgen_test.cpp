#include <doctest/doctest.h>

#include "output/docgen.hpp"

using namespace cdcctl::output;

namespace {

CommandSpec sample() {
  CommandSpec root{.name = "cdcctl", .description = "Operate CDC pipelines"};
  root.options = {{.short_name = "o", .long_name = "output", .value_name = "FORMAT", .description = "output format",
                   .completion = {.choices = {"table", "json"}}},
                  {.long_name = "context", .value_name = "NAME", .description = "context to use",
                   .completion = {.dynamic_args = "context list -o name"}},
                  {.long_name = "quiet", .description = "print only errors"}};
  CommandSpec context{.name = "context", .description = "Manage contexts"};
  CommandSpec use{.name = "use", .description = "Use a context", .details = "Makes NAME current.\n\n.dot line"};
  use.positionals = {{.name = "name", .description = "the context", .required = true,
                      .completion = {.dynamic_args = "context list -o name"}}};
  use.examples = {"cdcctl context use prod"};
  context.subcommands = {use};
  root.subcommands = {context};
  return root;
}

}  // namespace

TEST_CASE("bash completion knows every command path, option and value source") {
  const auto script = bash_completion(sample());
  CHECK(script.find("complete -o default -F _cdcctl cdcctl") != std::string::npos);
  CHECK(script.find("\"cdcctl context\"|\"cdcctl context use\")") != std::string::npos);
  CHECK(script.find("-o|--output) COMPREPLY=($(compgen -W 'table json'") != std::string::npos);
  CHECK(script.find("context list -o name") != std::string::npos);
  // Global options are offered under subcommands too.
  const auto use_case = script.find("\"cdcctl context use\")\n");
  REQUIRE(use_case != std::string::npos);
  CHECK(script.find("--quiet", use_case) != std::string::npos);
}

TEST_CASE("zsh and fish completions describe commands") {
  const auto zsh = zsh_completion(sample());
  CHECK(zsh.starts_with("#compdef cdcctl\n"));
  CHECK(zsh.find("'use:Use a context'") != std::string::npos);
  const auto fish = fish_completion(sample());
  CHECK(fish.find("complete -c cdcctl -n \"test (__cdcctl_path) = 'cdcctl context'\" -a use -d 'Use a context'") !=
        std::string::npos);
  CHECK(fish.find("-l output -x -a 'table json'") != std::string::npos);
}

TEST_CASE("man pages: one per command, escaped roff, extra sections on the main page") {
  ManInfo info{.version = "1.2.3", .extra_sections = {{"EXIT STATUS", {{"0", "OK: success"}}}}};
  const auto pages = man_pages(sample(), info);
  REQUIRE(pages.size() == 3);
  CHECK(pages[0].first == "cdcctl.1");
  CHECK(pages[2].first == "cdcctl-context-use.1");
  const auto& main_page = pages[0].second;
  CHECK(main_page.find(".TH CDCCTL 1 \"\" \"cdcctl 1.2.3\"") != std::string::npos);
  CHECK(main_page.find(".SH EXIT STATUS") != std::string::npos);
  CHECK(main_page.find("\\fB\\-o\\fR, \\fB\\-\\-output\\fR \\fIFORMAT\\fR") != std::string::npos);
  const auto& use_page = pages[2].second;
  CHECK(use_page.find("\\&.dot line") != std::string::npos);  // a leading dot would be a roff request
  CHECK(use_page.find(".SH EXIT STATUS") == std::string::npos);
  CHECK(use_page.find("cdcctl context use prod") != std::string::npos);
  CHECK(roff_escape("a-b\\c") == "a\\-b\\ec");
}
