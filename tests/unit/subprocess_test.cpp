// Running user commands without a shell, Ctrl-C handling, and the state-file lock.
#include <doctest/doctest.h>

#include <filesystem>
#include <unistd.h>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/interrupt.hpp"
#include "core/subprocess.hpp"

using namespace cdcctl;
using namespace std::chrono_literals;

TEST_CASE("command lines split into words the way a shell splits them, and no further") {
  using V = std::vector<std::string>;
  CHECK(split_command_line("systemctl restart kafka-connect", "cmd") == V{"systemctl", "restart", "kafka-connect"});
  CHECK(split_command_line("  ssh  host   'sudo systemctl restart connect' ", "cmd") ==
        V{"ssh", "host", "sudo systemctl restart connect"});
  CHECK(split_command_line(R"(echo "a \"b\" $HOME" c\ d)", "cmd") == V{"echo", "a \"b\" $HOME", "c d"});
  CHECK(split_command_line("notify ''", "cmd") == V{"notify", ""});
  CHECK(split_command_line("a;b|c", "cmd") == V{"a;b|c"});  // no shell syntax
  CHECK_THROWS_AS(split_command_line("echo 'open", "cmd"), Error);
  CHECK_THROWS_AS(split_command_line("echo \"open", "cmd"), Error);
  CHECK_THROWS_AS(split_command_line("   ", "cmd"), Error);
}

TEST_CASE("placeholders are substituted per argument; unknown ones are refused") {
  const std::map<std::string, std::string> values = {{"host", "connect-1"}, {"url", "http://connect-1:8083"}};
  CHECK(expand_placeholders({"ssh", "{host}", "curl {url}/"}, values, "cmd") ==
        std::vector<std::string>{"ssh", "connect-1", "curl http://connect-1:8083/"});
  try {
    expand_placeholders({"kubectl", "delete", "pod", "{pod}"}, values, "--restart-command");
    FAIL("accepted an unknown placeholder");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::Usage);
    CHECK(e.hint() == "known placeholders: {host}, {url}");
  }
}

TEST_CASE("run_command feeds stdin, captures output and the exit status") {
  CommandOptions options;
  options.stdin_data = "{\"status\":\"CRITICAL\"}";
  options.extra_env = {{"CDCCTL_TEST_VALUE", "42"}};
  auto result = run_command({"/bin/sh", "-c", "cat; echo \" $CDCCTL_TEST_VALUE\"; echo oops >&2; exit 3"}, options);
  CHECK(result.exit_code == 3);
  CHECK_FALSE(result.ok());
  CHECK(result.describe() == "exit 3");
  CHECK(result.output == "{\"status\":\"CRITICAL\"} 42\noops\n");

  result = run_command({"true"});
  CHECK(result.ok());

  CommandOptions quick;
  quick.timeout = 200ms;
  result = run_command({"sleep", "30"}, quick);
  CHECK(result.timed_out);
  CHECK(result.describe() == "timed out");

  CHECK_THROWS_AS(run_command({"/nonexistent/cdcctl-notify"}), Error);
}

TEST_CASE("run_command ends with the program, not with what it left running, and survives a closed stdin") {
  // A restart command that starts a service in the background: done when the
  // script exits, and the service (holding the output pipe) is not killed.
  // Waiting for the pipe instead would outlast the timeout and kill the service.
  CommandOptions options;
  options.timeout = 6s;
  auto result = run_command({"/bin/sh", "-c", "sleep 12 & echo started"}, options);
  CHECK_FALSE(result.timed_out);
  CHECK(result.ok());
  CHECK(result.output == "started\n");

  // A hook that never reads a large report must not take cdcctl down with SIGPIPE.
  CommandOptions big;
  big.stdin_data.assign(1 << 20, 'x');
  result = run_command({"true"}, big);
  CHECK(result.ok());
}

TEST_CASE("a held lock makes a second taker wait, then fail with a clear error") {
  const auto dir = std::filesystem::temp_directory_path() / ("cdcctl-lock-" + std::to_string(::getpid()));
  const auto path = dir / "health.json.lock";
  {
    FileLock first(path, 1s);
    try {
      FileLock second(path, 100ms);
      FAIL("took a held lock");
    } catch (const Error& e) {
      CHECK(std::string(e.why()).find("another cdcctl run") != std::string::npos);
    }
  }
  FileLock again(path, 100ms);  // released with the first
  std::filesystem::remove_all(dir);
}

TEST_CASE("an interrupt cuts a sleep short") {
  clear_interrupt();
  CHECK(sleep_unless_interrupted(10ms));
  request_interrupt();
  CHECK(interrupt_requested());
  CHECK_FALSE(sleep_unless_interrupted(10s));
  clear_interrupt();
}
