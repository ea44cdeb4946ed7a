// Completions and man pages are generated from the CLI definition and checked
// in; this fails when they are stale (fix: cmake --build build --target docs),
// and checks that what is generated is valid for its consumer.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "support/process.hpp"

using namespace cdcctl::testsupport;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<std::string> files_in(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEST_CASE("checked-in completions and man pages match the CLI definition") {
  TempDir out;
  auto generated = run_cdcctl({"generate-docs", "--out", out.path()});
  REQUIRE(generated.exit_code == 0);
  const fs::path source(CDCCTL_SOURCE_DIR);
  for (const char* dir : {"completions", "man"}) {
    CAPTURE(dir);
    const auto fresh = files_in(fs::path(out.path()) / dir);
    REQUIRE_FALSE(fresh.empty());
    CHECK_MESSAGE(files_in(source / dir) == fresh, "stale: run `cmake --build build --target docs` and commit");
    for (const auto& name : fresh) {
      CAPTURE(name);
      CHECK_MESSAGE(slurp(source / dir / name) == slurp(fs::path(out.path()) / dir / name),
                    "stale: run `cmake --build build --target docs` and commit");
    }
  }
}

TEST_CASE("cdcctl completion prints the same scripts that are checked in") {
  const fs::path source(CDCCTL_SOURCE_DIR);
  CHECK(run_cdcctl({"completion", "bash"}).out == slurp(source / "completions" / "cdcctl.bash"));
  CHECK(run_cdcctl({"completion", "zsh"}).out == slurp(source / "completions" / "_cdcctl"));
  CHECK(run_cdcctl({"completion", "fish"}).out == slurp(source / "completions" / "cdcctl.fish"));
}

TEST_CASE("the bash completion is valid bash and completes as a user expects") {
  const fs::path script = fs::path(CDCCTL_SOURCE_DIR) / "completions" / "cdcctl.bash";
  CHECK(run_process({"bash", "-n", script.string()}).exit_code == 0);
  // Drive the completion function as bash would, with the binary on PATH.
  TempDir home;
  const std::string bin_dir = fs::path(CDCCTL_BINARY).parent_path().string();
  auto complete = [&](const std::string& line) {
    const std::string program =
        "source '" + script.string() + "'\n"
        "COMP_WORDS=(" + line + ")\n"
        "COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))\n"
        "_cdcctl\n"
        "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
    RunOptions options;
    options.env = {{"HOME", home.path()}, {"PATH", bin_dir + ":/usr/bin:/bin"}};
    options.unset_env = {"CDCCTL_*", "XDG_CONFIG_HOME"};
    return run_process({"bash", "-c", program}, options).out;
  };
  CHECK(complete("cdcctl co") == "context\nconnectors\ncompletion\n");
  CHECK(complete("cdcctl context u") == "use\n");
  CHECK(complete("cdcctl -o j") == "json\n");
  CHECK(complete("cdcctl completion z") == "zsh\n");
  CHECK(complete("cdcctl context delete --dr") == "--dry-run\n");
  // Live context names, by calling cdcctl itself.
  RunOptions options;
  options.env = {{"HOME", home.path()}};
  run_cdcctl({"context", "set", "prod-eu", "--pg", "host=a"}, options);
  run_cdcctl({"context", "set", "prod-us", "--pg", "host=b"}, options);
  CHECK(complete("cdcctl context use prod") == "prod-eu\nprod-us\n");
  CHECK(complete("cdcctl ping --context prod-u") == "prod-us\n");
}

TEST_CASE("man pages render without warnings") {
  if (!fs::exists("/usr/bin/groff")) {
    MESSAGE("groff is not installed: skipping the rendering check");
    return;
  }
  for (const auto& name : files_in(fs::path(CDCCTL_SOURCE_DIR) / "man")) {
    CAPTURE(name);
    auto rendered = run_process(
        {"groff", "-k", "-man", "-Tutf8", "-ww", "-P-cbou", (fs::path(CDCCTL_SOURCE_DIR) / "man" / name).string()});
    CHECK(rendered.exit_code == 0);
    CHECK(rendered.err.empty());
    CHECK(rendered.out.find("NAME") != std::string::npos);
  }
}
