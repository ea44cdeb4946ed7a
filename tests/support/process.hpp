#pragma once
// Running programs from tests as a user would: argv, environment, standard
// input, and everything they print plus their exit code.
#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cdcctl::testsupport {

struct RunOptions {
  std::map<std::string, std::string> env{};      // set (overrides)
  std::vector<std::string> unset_env{};          // removed from the inherited environment
  std::string stdin_data{};
  std::chrono::seconds timeout{120};             // killed after this; exit_code is then -1
  std::optional<std::pair<uid_t, gid_t>> run_as{}; // drop privileges in the child (root only)
  std::string cwd{};
  // The child is killed (SIGKILL) when the process that started it dies, also
  // by SIGKILL: for services that do not watch their standard input (JVMs).
  bool die_with_parent = false;
};

struct RunResult {
  int exit_code = -1;  // 128+N when killed by signal N
  std::string out;
  std::string err;
  bool timed_out = false;
};

RunResult run_process(const std::vector<std::string>& argv, const RunOptions& options = {});

// The cdcctl binary under test, with a hermetic environment: a private
// XDG_CONFIG_HOME and no CDCCTL_*/PG*/NO_COLOR leaking in from the caller.
RunResult run_cdcctl(const std::vector<std::string>& args, RunOptions options = {});

// `curl -sf -X METHOD` with a JSON body, as another tool would talk to a
// REST API behind cdcctl's back (exit code 0 on a 2xx answer).
RunResult curl_json(const std::string& method, const std::string& url, const std::string& body);

// A long-running child (a service launcher). Its first stdout line is read
// on start (launchers print their address there). Stopped on destruction.
class BackgroundProcess {
 public:
  explicit BackgroundProcess(const std::vector<std::string>& argv, const RunOptions& options = {});
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  const std::string& first_line() const { return first_line_; }
  // The next line the child prints after the first, or nullopt when none
  // comes within the timeout (or the child closed its output).
  std::optional<std::string> next_line(std::chrono::milliseconds timeout);
  pid_t pid() const { return pid_; }
  // SIGTERM, then SIGKILL after a grace period; returns the exit status.
  int stop();
  // Waits for the child to exit by itself; its exit status, or nullopt when
  // it is still running after the timeout.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  std::string first_line_;
  std::string buffered_;  // output read past the last line handed out
  int status_ = -1;
};

// A private temporary directory removed (recursively) on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "cdcctl-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

int free_tcp_port();

}  // namespace cdcctl::testsupport
