// The CLI layer run in-process with captured streams and a fixed environment.
#include <doctest/doctest.h>

#include <filesystem>
#include <sstream>

#include "app.hpp"

using namespace cdcctl;

namespace {

struct Outcome {
  int code;
  std::string out;
  std::string err;
};

Outcome run(std::vector<std::string> args, std::map<std::string, std::string> env = {}, std::string input = {}) {
  std::istringstream in(input);
  std::ostringstream out, err;
  std::vector<const char*> argv{"cdcctl"};
  for (const auto& arg : args) argv.push_back(arg.c_str());
  if (!env.contains("HOME")) env["HOME"] = "/nonexistent-cdcctl-unit-home";
  app::IO io{&in, &out, &err, fixed_environment(env), TerminalInfo{}};
  const int code = app::run(static_cast<int>(argv.size()), argv.data(), io);
  return {code, out.str(), err.str()};
}

}  // namespace

TEST_CASE("usage errors exit 2 and say where to look") {
  auto outcome = run({"no-such-command"});
  CHECK(outcome.code == 2);
  CHECK(outcome.err.starts_with("error: "));
  CHECK(outcome.err.find("hint: see 'cdcctl --help'") != std::string::npos);
  CHECK(outcome.out.empty());

  outcome = run({"context"});
  CHECK(outcome.code == 2);
  CHECK(outcome.err.find("cdcctl context --help") != std::string::npos);

  outcome = run({"version", "-o", "xml"});
  CHECK(outcome.code == 2);
  CHECK(outcome.err.find("unknown output format 'xml'") != std::string::npos);
}

TEST_CASE("--version and help exit 0 on stdout") {
  auto outcome = run({"--version"});
  CHECK(outcome.code == 0);
  CHECK(outcome.out.starts_with("cdcctl " CDCCTL_VERSION "\n"));
  CHECK(outcome.out.find("librdkafka") != std::string::npos);
  outcome = run({"context", "--help"});
  CHECK(outcome.code == 0);
  CHECK(outcome.out.find("use") != std::string::npos);
  CHECK(run({}).code == 0);
}

TEST_CASE("ping with nothing configured is a usage error") {
  auto outcome = run({"ping"});
  CHECK(outcome.code == 2);
  CHECK(outcome.err.find("nothing to ping") != std::string::npos);
}

TEST_CASE("a context named by --context must exist") {
  auto outcome = run({"ping", "--context", "ghost", "--config", "/nonexistent/config.yaml"});
  CHECK(outcome.code == 4);
  CHECK(outcome.err.find("context 'ghost' not found") != std::string::npos);
}

TEST_CASE("global flags work after the subcommand too") {
  auto outcome = run({"version", "-o", "json"});
  CHECK(outcome.code == 0);
  CHECK(nlohmann::json::parse(outcome.out).contains("librdkafka"));
}

TEST_CASE("every visible command appears in the completion scripts") {
  const auto bash = run({"completion", "bash"});
  REQUIRE(bash.code == 0);
  for (const char* path : {"cdcctl context use", "cdcctl context set", "cdcctl context delete", "cdcctl ping",
                           "cdcctl version", "cdcctl completion"}) {
    CAPTURE(path);
    CHECK(bash.out.find(std::string("\"") + path + "\"") != std::string::npos);
  }
  CHECK(bash.out.find("generate-docs") == std::string::npos);  // hidden
  CHECK(run({"completion", "tcsh"}).code == 2);
}
