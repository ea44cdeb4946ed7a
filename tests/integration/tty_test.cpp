// What a person at a terminal sees: confirmation prompts and colour. The
// command runs under script(1), which gives it a pseudo-terminal.
#include <doctest/doctest.h>

#include <filesystem>

#include "support/connect_double.hpp"
#include "support/process.hpp"

using namespace cdcctl::testsupport;

namespace {

std::string quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs cdcctl on a pseudo-terminal; stdout and stderr both arrive on out.
RunResult on_terminal(const std::vector<std::string>& args, const std::string& typed, RunOptions options) {
  std::string command = quote(CDCCTL_BINARY);
  for (const auto& arg : args) command += " " + quote(arg);
  options.stdin_data = typed;
  options.unset_env.insert(options.unset_env.end(), {"CDCCTL_*", "NO_COLOR", "XDG_CONFIG_HOME"});
  return run_process({"script", "-q", "-e", "-c", command, "/dev/null"}, options);
}

}  // namespace

TEST_CASE("destructive actions ask on a terminal, and only 'y' goes ahead") {
  if (!std::filesystem::exists("/usr/bin/script")) {
    MESSAGE("script(1) is not installed: skipping");
    return;
  }
  TempDir home;
  RunOptions options;
  options.env = {{"HOME", home.path()}};
  REQUIRE(run_cdcctl({"context", "set", "keep", "--pg", "host=a"}, options).exit_code == 0);

  auto declined = on_terminal({"context", "delete", "keep"}, "n\n", options);
  CHECK(declined.exit_code == 1);
  CHECK(declined.out.find("delete context keep? [y/N]") != std::string::npos);
  CHECK(declined.out.find("Nothing deleted.") != std::string::npos);
  CHECK(run_cdcctl({"context", "list", "-o", "name"}, options).out == "keep\n");

  auto empty_answer = on_terminal({"context", "delete", "keep"}, "\n", options);
  CHECK(empty_answer.exit_code == 1);  // the default is No

  auto accepted = on_terminal({"context", "delete", "keep"}, "y\n", options);
  CHECK(accepted.exit_code == 0);
  CHECK(accepted.out.find("Deleted context keep.") != std::string::npos);
  CHECK(run_cdcctl({"context", "list", "-o", "name"}, options).out.empty());
}

TEST_CASE("colour on a terminal, never with NO_COLOR or --no-color") {
  if (!std::filesystem::exists("/usr/bin/script")) {
    MESSAGE("script(1) is not installed: skipping");
    return;
  }
  ConnectDouble connect;
  RunOptions options;
  options.env = {{"HOME", "/nonexistent"}};
  auto coloured = on_terminal({"ping", "connect", "--connect-url", connect.url()}, "", options);
  CHECK(coloured.exit_code == 0);
  CHECK(coloured.out.find("\033[32mok\033[0m") != std::string::npos);

  auto flag = on_terminal({"ping", "connect", "--connect-url", connect.url(), "--no-color"}, "", options);
  CHECK(flag.out.find('\033') == std::string::npos);
  CHECK(flag.out.find("ok") != std::string::npos);

  // on_terminal strips an inherited NO_COLOR; set it inside the terminal session instead.
  auto env_off = run_process({"script", "-q", "-e", "-c",
                              "NO_COLOR=1 " + quote(CDCCTL_BINARY) + " ping connect --connect-url " + connect.url(),
                              "/dev/null"},
                             options);
  CHECK(env_off.exit_code == 0);
  CHECK(env_off.out.find('\033') == std::string::npos);

  auto error = on_terminal({"context", "use", "ghost"}, "", options);
  CHECK(error.exit_code == 4);
  CHECK(error.out.find("\033[31merror:\033[0m context 'ghost' not found") != std::string::npos);
}
