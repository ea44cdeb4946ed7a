#include <doctest/doctest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "core/config_file.hpp"
#include "core/error.hpp"
#include "core/files.hpp"

using namespace cdcctl;
namespace fs = std::filesystem;

namespace {
struct ScratchDir {
  fs::path path;
  ScratchDir() {
    std::string templ = (fs::temp_directory_path() / "cdcctl-unit-XXXXXX").string();
    path = ::mkdtemp(templ.data());
  }
  ~ScratchDir() { fs::remove_all(path); }
};
}  // namespace

TEST_CASE("contexts survive a save and load unchanged") {
  ScratchDir dir;
  ConfigFile config;
  config.current_context = "prod";
  config.contexts["prod"] = {{"connect-url", "https://a:8083,https://b:8083"},
                             {"pg", "host=db port=5432 dbname=app"},
                             {"timeout", "45s"},
                             {"insecure", "false"},
                             {"kafka.security.protocol", "SASL_SSL"},
                             {"kafka.sasl.jaas.config", "x required password=\"p: #q\";"}};
  config.contexts["empty"] = {};
  const auto path = dir.path / "nested" / "config.yaml";
  save_config(path, config);
  auto loaded = load_config(path);
  CHECK(loaded.current_context == "prod");
  CHECK(loaded.contexts == config.contexts);
}

TEST_CASE("the contexts file is private and written atomically") {
  ScratchDir dir;
  const auto path = dir.path / "cdcctl" / "config.yaml";
  ConfigFile config;
  config.contexts["a"] = {{"pg", "host=x"}};
  save_config(path, config);
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  REQUIRE(::stat(path.parent_path().c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0700);
  // Overwrite: still 0600 even if someone loosened it, and no temp files left behind.
  fs::permissions(path, fs::perms::all);
  save_config(path, config);
  REQUIRE(::stat(path.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  int entries = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(path.parent_path())) ++entries;
  CHECK(entries == 1);
}

TEST_CASE("a missing file is empty, a malformed one is a usage error naming it") {
  ScratchDir dir;
  CHECK(load_config(dir.path / "absent.yaml").contexts.empty());
  const auto bad = dir.path / "bad.yaml";
  std::ofstream(bad) << "contexts: [unclosed\n";
  try {
    load_config(bad);
    FAIL("malformed file accepted");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::Usage);
    CHECK(std::string(e.what()).find(bad.string()) != std::string::npos);
  }
  std::ofstream(bad, std::ios::trunc) << "contexts:\n  prod:\n    connect-url: [a, b]\n";
  CHECK_THROWS_AS(load_config(bad), Error);
}

TEST_CASE("JSON config files are read too") {
  auto config = parse_config(R"({"current-context": "x", "contexts": {"x": {"pg": "host=y", "kafka": {"acks": "all"}}}})",
                             "inline");
  CHECK(config.current_context == "x");
  CHECK(config.contexts.at("x").at("pg") == "host=y");
  CHECK(config.contexts.at("x").at("kafka.acks") == "all");
}

TEST_CASE("where the contexts file lives") {
  CHECK(default_config_path(fixed_environment({{"CDCCTL_CONFIG", "/etc/cdcctl.yaml"}})) == "/etc/cdcctl.yaml");
  CHECK(default_config_path(fixed_environment({{"XDG_CONFIG_HOME", "/x"}, {"HOME", "/h"}})) ==
        "/x/cdcctl/config.yaml");
  CHECK(default_config_path(fixed_environment({{"HOME", "/h"}})) == "/h/.config/cdcctl/config.yaml");
  ScratchDir dir;
  fs::create_directories(dir.path / "cdcctl");
  std::ofstream(dir.path / "cdcctl" / "config.json") << "{}";
  CHECK(default_config_path(fixed_environment({{"XDG_CONFIG_HOME", dir.path.string()}})) ==
        dir.path / "cdcctl" / "config.json");
}

TEST_CASE("secret files lose one trailing newline only") {
  ScratchDir dir;
  std::ofstream(dir.path / "p") << "pa ss\n";
  CHECK(read_secret_file(dir.path / "p") == "pa ss");
  std::ofstream(dir.path / "q") << "x\n\n";
  CHECK(read_secret_file(dir.path / "q") == "x\n");
  CHECK_THROWS_AS(read_secret_file(dir.path / "missing"), Error);
}

TEST_CASE("the example contexts file in examples/ is valid") {
  const auto config = load_config(fs::path(CDCCTL_SOURCE_DIR) / "examples" / "config.yaml");
  CHECK(config.current_context == "staging");
  REQUIRE(config.contexts.contains("prod"));
  CHECK(config.contexts.at("prod").at("kafka.security.protocol") == "SASL_SSL");
  CHECK(config.contexts.at("staging").at("pg") == "postgresql://cdc@db.staging/app");
}
