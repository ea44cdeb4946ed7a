#pragma once
// Running the user's own commands: notification hooks and worker restart
// commands. No shell is involved unless the user asks for one, so names and
// URLs substituted into a command can never be read as shell syntax.
#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace cdcctl {

// Splits a command line into argv the way a POSIX shell splits words, and
// nothing more: whitespace separates words, '…' keeps text literally, "…"
// and backslash escape. No variables, globbing, pipes or redirections.
// Throws Error (usage) on an unterminated quote or an empty command.
std::vector<std::string> split_command_line(std::string_view line, const std::string& origin);

// The argv that runs `line` through /bin/sh -c, for users who ask for a shell.
std::vector<std::string> shell_command(const std::string& line);

struct CommandOptions {
  std::string stdin_data{};
  std::map<std::string, std::string> extra_env{};  // added to the inherited environment
  std::chrono::milliseconds timeout{60'000};       // the command's process group is killed after this
  std::size_t max_output = 64 * 1024;              // keep at most this much of stdout+stderr (the tail)
};

struct CommandResult {
  int exit_code = -1;      // 128+N when killed by signal N
  int signal = 0;          // N when killed by signal N
  bool timed_out = false;
  std::string output{};    // stdout and stderr interleaved, the last max_output bytes
  bool ok() const { return exit_code == 0 && !timed_out; }
  // "exit 3", "killed by signal 9", "timed out after 60s", for messages.
  std::string describe() const;
};

// Runs argv (PATH lookup for a bare name) in its own process group, feeds
// stdin_data, captures the output and waits. Ctrl-C at the terminal does not
// reach the child: a restart command half done is worse than one finished.
// Throws Error (failed) when the program cannot be started at all.
CommandResult run_command(const std::vector<std::string>& argv, const CommandOptions& options = {});

// A waitpid() status as shells report it: the exit code, or 128+N when
// killed by signal N (-1 for anything else).
int decode_wait_status(int status);

// Replaces {name} placeholders in each argument; unknown placeholders are
// a usage error naming the known ones.
std::vector<std::string> expand_placeholders(const std::vector<std::string>& argv,
                                             const std::map<std::string, std::string>& values,
                                             const std::string& origin);

}  // namespace cdcctl
