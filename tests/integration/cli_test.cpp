// The cdcctl binary as a user runs it: argv, environment, stdin, exit codes
// and what lands on stdout, stderr and disk. No services needed.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <nlohmann/json.hpp>

#include "support/process.hpp"

using namespace cdcctl::testsupport;
namespace fs = std::filesystem;

namespace {

struct Home {
  TempDir dir{"cdcctl-home"};
  RunOptions options(std::map<std::string, std::string> extra = {}) const {
    RunOptions o;
    o.env = std::move(extra);
    o.env["HOME"] = dir.path();
    return o;
  }
  fs::path config() const { return fs::path(dir.path()) / ".config" / "cdcctl" / "config.yaml"; }
};

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("version names cdcctl and its libraries, as text and JSON") {
  auto text = run_cdcctl({"version"});
  CHECK(text.exit_code == 0);
  CHECK(text.out.find("cdcctl 0.") == 0);
  for (const char* library : {"librdkafka 2.", "libpq 1", "libcurl 7."}) {
    CAPTURE(library);
    CHECK(text.out.find(library) != std::string::npos);
  }
  auto json = run_cdcctl({"version", "-o", "json"});
  REQUIRE(json.exit_code == 0);
  auto data = nlohmann::json::parse(json.out);
  CHECK(data["librdkafka"].get<std::string>().starts_with("2."));
  CHECK(run_cdcctl({"--version"}).out == text.out);
}

TEST_CASE("a first context is created, private, and becomes current") {
  Home home;
  auto set = run_cdcctl({"context", "set", "prod", "--connect-url", "https://connect-1:8083,https://connect-2:8083",
                         "--bootstrap-servers", "kafka:9092", "--pg", "host=db user=cdc password=hunter2",
                         "-X", "sasl.password=kafka-secret", "--timeout", "45s"},
                        home.options());
  CHECK(set.exit_code == 0);
  CHECK(set.out.find("Context \"prod\" created and in use") != std::string::npos);
  struct stat info {};
  REQUIRE(::stat(home.config().c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  const auto file = slurp(home.config());
  CHECK(file.find("current-context: prod") != std::string::npos);
  CHECK(file.find("sasl.password: \"kafka-secret\"") != std::string::npos);

  auto current = run_cdcctl({"context", "current"}, home.options());
  CHECK(current.out == "prod\n");

  SUBCASE("secrets are masked in every rendering unless --show-secrets") {
    for (const char* format : {"table", "wide", "json", "yaml"}) {
      CAPTURE(format);
      auto shown = run_cdcctl({"context", "show", "-o", format}, home.options());
      CHECK(shown.exit_code == 0);
      CHECK(shown.out.find("hunter2") == std::string::npos);
      CHECK(shown.out.find("kafka-secret") == std::string::npos);
      CHECK(shown.out.find("********") != std::string::npos);
      auto listed = run_cdcctl({"context", "list", "-o", format}, home.options());
      CHECK(listed.out.find("hunter2") == std::string::npos);
    }
    auto revealed = run_cdcctl({"context", "show", "-o", "json", "--show-secrets"}, home.options());
    auto data = nlohmann::json::parse(revealed.out);
    CHECK(data["settings"]["pg"] == "host=db user=cdc password=hunter2");
    CHECK(data["settings"]["kafka"]["sasl.password"] == "kafka-secret");
  }

  SUBCASE("flags beat environment beat context, and --effective says which won") {
    auto effective = run_cdcctl({"context", "show", "--effective", "-o", "json", "--bootstrap-servers", "flag:9092"},
                                home.options({{"CDCCTL_TIMEOUT", "5s"}, {"CDCCTL_BOOTSTRAP_SERVERS", "env:9092"}}));
    REQUIRE(effective.exit_code == 0);
    auto data = nlohmann::json::parse(effective.out);
    CHECK(data["context"] == "prod");
    CHECK(data["settings"]["bootstrap-servers"]["value"] == "flag:9092");
    CHECK(data["settings"]["bootstrap-servers"]["source"] == "flag");
    CHECK(data["settings"]["timeout"]["value"] == "5s");
    CHECK(data["settings"]["timeout"]["source"] == "environment");
    CHECK(data["settings"]["connect-url"]["source"] == "context");
    CHECK(data["settings"]["pg"]["value"] == "host=db user=cdc password=********");
  }

  SUBCASE("updating keeps other settings; --unset removes one") {
    CHECK(run_cdcctl({"context", "set", "prod", "--timeout", "10s", "--unset", "pg"}, home.options()).exit_code == 0);
    auto data = nlohmann::json::parse(run_cdcctl({"context", "show", "-o", "json"}, home.options()).out);
    CHECK(data["settings"]["timeout"] == "10s");
    CHECK(data["settings"]["connect-url"] == "https://connect-1:8083,https://connect-2:8083");
    CHECK_FALSE(data["settings"].contains("pg"));
    auto bad = run_cdcctl({"context", "set", "prod", "--unset", "colour"}, home.options());
    CHECK(bad.exit_code == 2);
    CHECK(bad.err.find("unknown setting 'colour'") != std::string::npos);
  }

  SUBCASE("passwords come from stdin, never argv") {
    auto piped = run_cdcctl({"context", "set", "prod", "--connect-user", "ops", "--password-stdin"},
                            [&] { auto o = home.options(); o.stdin_data = "pa55word\n"; return o; }());
    CHECK(piped.exit_code == 0);
    CHECK(slurp(home.config()).find("connect-password: \"pa55word\"") != std::string::npos);
    CHECK(run_cdcctl({"context", "show"}, home.options()).out.find("pa55word") == std::string::npos);
    CHECK(run_cdcctl({"context", "set", "prod", "--connect-password", "x"}, home.options()).exit_code == 2);
  }

  SUBCASE("switching contexts") {
    run_cdcctl({"context", "set", "dev", "--connect-url", "http://localhost:8083"}, home.options());
    CHECK(run_cdcctl({"context", "current"}, home.options()).out == "prod\n");  // only the first becomes current
    auto use = run_cdcctl({"context", "use", "dev"}, home.options());
    CHECK(use.exit_code == 0);
    CHECK(use.out == "Switched to context \"dev\".\n");
    CHECK(run_cdcctl({"context", "list", "-o", "name"}, home.options()).out == "dev\nprod\n");
    auto table = run_cdcctl({"context", "list"}, home.options()).out;
    CHECK(table.find("*         dev") != std::string::npos);
    auto missing = run_cdcctl({"context", "use", "staging"}, home.options());
    CHECK(missing.exit_code == 4);
    CHECK(missing.err == "error: context 'staging' not found\nhint: list contexts with: cdcctl context list\n");
    auto via_env = run_cdcctl({"context", "show", "--effective", "-o", "json"},
                              home.options({{"CDCCTL_CONTEXT", "prod"}}));
    CHECK(nlohmann::json::parse(via_env.out)["context"] == "prod");
  }

  SUBCASE("deleting asks first, and refuses without --yes when not on a terminal") {
    const auto before = slurp(home.config());
    auto refused = run_cdcctl({"context", "delete", "prod"}, home.options());
    CHECK(refused.exit_code == 2);
    CHECK(refused.err.find("refusing to delete context prod without confirmation") != std::string::npos);
    CHECK(refused.err.find("--yes") != std::string::npos);
    CHECK(slurp(home.config()) == before);
    auto dry = run_cdcctl({"context", "delete", "prod", "--dry-run"}, home.options());
    CHECK(dry.exit_code == 0);
    CHECK(dry.out.find("Would delete context prod") != std::string::npos);
    CHECK(slurp(home.config()) == before);
    auto missing = run_cdcctl({"context", "delete", "prod", "ghost", "--yes"}, home.options());
    CHECK(missing.exit_code == 4);
    CHECK(slurp(home.config()) == before);  // all or nothing
    auto done = run_cdcctl({"context", "delete", "prod", "--yes"}, home.options());
    CHECK(done.exit_code == 0);
    CHECK(run_cdcctl({"context", "list", "-o", "name"}, home.options()).out.empty());
    auto none = run_cdcctl({"context", "current"}, home.options());
    CHECK(none.exit_code == 4);
  }
}

TEST_CASE("the contexts file location follows --config, CDCCTL_CONFIG and XDG_CONFIG_HOME") {
  Home home;
  const auto explicit_path = fs::path(home.dir.path()) / "elsewhere.yaml";
  CHECK(run_cdcctl({"context", "set", "a", "--pg", "host=x", "--config", explicit_path.string()}, home.options())
            .exit_code == 0);
  CHECK(fs::exists(explicit_path));
  CHECK(run_cdcctl({"context", "list", "-o", "name"}, home.options({{"CDCCTL_CONFIG", explicit_path.string()}})).out ==
        "a\n");
  const auto xdg = fs::path(home.dir.path()) / "xdg";
  CHECK(run_cdcctl({"context", "set", "b", "--pg", "host=y"}, home.options({{"XDG_CONFIG_HOME", xdg.string()}}))
            .exit_code == 0);
  CHECK(fs::exists(xdg / "cdcctl" / "config.yaml"));
}

TEST_CASE("a broken contexts file is reported, not overwritten") {
  Home home;
  fs::create_directories(home.config().parent_path());
  std::ofstream(home.config()) << "contexts: [oops\n";
  auto listed = run_cdcctl({"context", "list"}, home.options());
  CHECK(listed.exit_code == 2);
  CHECK(listed.err.find("cannot parse config file " + home.config().string()) != std::string::npos);
  auto set = run_cdcctl({"context", "set", "x", "--pg", "host=y"}, home.options());
  CHECK(set.exit_code == 2);
  CHECK(slurp(home.config()) == "contexts: [oops\n");
}

TEST_CASE("bad flags and values are usage errors (exit 2) on stderr") {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"ping", "--timeout", "soon", "--pg", "host=x"},
           {"ping", "-X", "novalue", "--bootstrap-servers", "x:1"},
           {"ping", "--bootstrap-servers", "127.0.0.1:1", "-X", "no.such.property=1"},
           {"version", "--no-such-flag"},
           {"ping", "carrier-pigeon", "--pg", "host=x"}}) {
    auto result = run_cdcctl(args);
    CAPTURE(result.err);
    CHECK(result.exit_code == 2);
    CHECK(result.out.empty());
    CHECK(result.err.starts_with("error: "));
  }
}

TEST_CASE("tables fit COLUMNS when set (e.g. piping into a pager)") {
  Home home;
  run_cdcctl({"context", "set", "a-context-with-a-rather-long-name", "--connect-url",
              "https://connect-with-a-very-long-host-name.example.internal:8083"},
             home.options());
  auto narrow = run_cdcctl({"context", "list"}, home.options({{"COLUMNS", "60"}}));
  CHECK(narrow.exit_code == 0);
  std::istringstream lines(narrow.out);
  for (std::string line; std::getline(lines, line);) {
    CAPTURE(line);
    CHECK(line.size() <= 62);  // "…" is 3 bytes for one column
  }
  CHECK(narrow.out.find("…") != std::string::npos);
  auto wide = run_cdcctl({"context", "list"}, home.options());
  CHECK(wide.out.find("https://connect-with-a-very-long-host-name.example.internal:8083") != std::string::npos);
}

TEST_CASE("no colour when output is not a terminal") {
  // A table with a state column and an error: both are coloured on a terminal (tty_test).
  auto pinged = run_cdcctl({"ping", "connect", "--connect-url", "http://127.0.0.1:1", "--timeout", "1s"});
  CHECK(pinged.exit_code == 3);
  CHECK(pinged.out.find("unreachable") != std::string::npos);
  CHECK(pinged.out.find('\033') == std::string::npos);
  auto failed = run_cdcctl({"context", "use", "ghost"});
  CHECK(failed.err.starts_with("error: "));
  CHECK(failed.err.find('\033') == std::string::npos);
}

TEST_CASE("context set checks what it stores") {
  Home home;
  auto bad_timeout = run_cdcctl({"context", "set", "x", "--timeout", "banana"}, home.options());
  CHECK(bad_timeout.exit_code == 2);
  CHECK_FALSE(fs::exists(home.config()));
  CHECK(run_cdcctl({"context", "set", "x", "--timeout", "0s"}, home.options()).exit_code == 2);
  auto empty = run_cdcctl({"context", "set", "x", "--password-stdin"}, home.options());
  CHECK(empty.exit_code == 2);
  CHECK(empty.err.find("no Connect password on standard input") != std::string::npos);
  // Relative paths are stored absolute, so the context works from any directory.
  auto options = home.options();
  options.cwd = home.dir.path();
  CHECK(run_cdcctl({"context", "set", "x", "--connect-password-file", "secrets/pass", "--cacert", "./ca.pem"}, options)
            .exit_code == 0);
  const auto stored = slurp(home.config());
  CHECK(stored.find("connect-password-file: \"" + home.dir.path() + "/secrets/pass\"") != std::string::npos);
  CHECK(stored.find("cacert: \"" + home.dir.path() + "/ca.pem\"") != std::string::npos);
  // Repeating --connect-url adds workers.
  CHECK(run_cdcctl({"context", "set", "x", "--connect-url", "http://a:8083", "--connect-url", "http://b:8083"},
                   home.options())
            .exit_code == 0);
  CHECK(slurp(home.config()).find("connect-url: \"http://a:8083,http://b:8083\"") != std::string::npos);
}

TEST_CASE("a JSON contexts file stays JSON") {
  Home home;
  const auto json_path = fs::path(home.dir.path()) / "config.json";
  std::ofstream(json_path) << R"({"current-context": "a", "contexts": {"a": {"pg": "host=x"}}})";
  CHECK(run_cdcctl({"context", "set", "b", "--pg", "host=y", "--config", json_path.string()}, home.options())
            .exit_code == 0);
  auto data = nlohmann::json::parse(slurp(json_path));
  CHECK(data["contexts"]["b"]["pg"] == "host=y");
  CHECK(data["current-context"] == "a");
}

TEST_CASE("ping: a named service that is not configured is a usage error") {
  auto result = run_cdcctl({"ping", "connect", "--bootstrap-servers", "127.0.0.1:1"});
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("connect is not configured") != std::string::npos);
}
