#include "core/subprocess.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "core/error.hpp"

extern char** environ;

namespace cdcctl {

std::vector<std::string> split_command_line(std::string_view line, const std::string& origin) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::exchange(word, {}));
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\'') {
      const auto end = line.find('\'', i + 1);
      if (end == std::string_view::npos) {
        throw Error::usage("invalid " + origin, "unterminated ' quote", "close the quote");
      }
      word.append(line.substr(i + 1, end - i - 1));
      i = end;
    } else if (c == '"') {
      bool closed = false;
      for (++i; i < line.size(); ++i) {
        if (line[i] == '"') {
          closed = true;
          break;
        }
        // Inside double quotes a backslash escapes only what a shell lets it escape.
        if (line[i] == '\\' && i + 1 < line.size() && std::string_view("\"\\$`").find(line[i + 1]) != std::string_view::npos) ++i;
        word.push_back(line[i]);
      }
      if (!closed) throw Error::usage("invalid " + origin, "unterminated \" quote", "close the quote");
    } else if (c == '\\') {
      if (i + 1 >= line.size()) throw Error::usage("invalid " + origin, "a trailing backslash escapes nothing");
      word.push_back(line[++i]);
    } else {
      word.push_back(c);
    }
  }
  if (in_word) words.push_back(word);
  if (words.empty()) throw Error::usage("invalid " + origin, "the command is empty");
  return words;
}

std::vector<std::string> shell_command(const std::string& line) { return {"/bin/sh", "-c", line}; }

std::string CommandResult::describe() const {
  if (timed_out) return "timed out";
  if (signal != 0) return "killed by signal " + std::to_string(signal);
  return "exit " + std::to_string(exit_code);
}

namespace {

// Both ends closed on destruction unless released to the child.
struct Pipe {
  int read = -1;
  int write = -1;
  Pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw Error::failed("cannot start command", std::string("pipe: ") + std::strerror(errno));
    read = fds[0];
    write = fds[1];
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  void close_read() {
    if (read >= 0) ::close(std::exchange(read, -1));
  }
  void close_write() {
    if (write >= 0) ::close(std::exchange(write, -1));
  }
};

}  // namespace

int decode_wait_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

CommandResult run_command(const std::vector<std::string>& argv, const CommandOptions& options) {
  if (argv.empty()) throw Error::usage("cannot run an empty command");
  std::vector<std::string> env_strings;
  for (char** entry = environ; *entry; ++entry) {
    const std::string_view text(*entry);
    const auto eq = text.find('=');
    if (eq != std::string_view::npos && options.extra_env.contains(std::string(text.substr(0, eq)))) continue;
    env_strings.emplace_back(text);
  }
  for (const auto& [key, value] : options.extra_env) env_strings.push_back(key + "=" + value);
  std::vector<char*> env_ptrs;
  for (auto& item : env_strings) env_ptrs.push_back(item.data());
  env_ptrs.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> arg_ptrs;
  for (auto& item : args) arg_ptrs.push_back(item.data());
  arg_ptrs.push_back(nullptr);

  Pipe in, out, exec_error;
  const pid_t pid = ::fork();
  if (pid < 0) throw Error::failed("cannot start " + argv[0], std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    ::signal(SIGHUP, SIG_DFL);
    ::signal(SIGPIPE, SIG_DFL);
    ::dup2(in.read, 0);
    ::dup2(out.write, 1);
    ::dup2(out.write, 2);
    ::execvpe(arg_ptrs[0], arg_ptrs.data(), env_ptrs.data());
    const int error = errno;
    [[maybe_unused]] auto n = ::write(exec_error.write, &error, sizeof error);
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also here: the child may not have run setpgid yet when a timeout kills the group
  in.close_read();
  out.close_write();
  exec_error.close_write();

  int exec_errno = 0;
  ssize_t got = 0;
  do {
    got = ::read(exec_error.read, &exec_errno, sizeof exec_errno);
  } while (got < 0 && errno == EINTR);  // Ctrl-C under an InterruptGuard must not pass for a good exec
  if (got == static_cast<ssize_t>(sizeof exec_errno)) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    throw Error::failed("cannot run " + argv[0], std::strerror(exec_errno),
                        "check the command: it must be a program on PATH or a path to one");
  }

  // A command that stops reading its input must not kill cdcctl with SIGPIPE.
  struct IgnoreSigpipe {
    struct sigaction previous {};
    IgnoreSigpipe() {
      struct sigaction ignore {};
      ignore.sa_handler = SIG_IGN;
      sigemptyset(&ignore.sa_mask);
      ::sigaction(SIGPIPE, &ignore, &previous);
    }
    ~IgnoreSigpipe() { ::sigaction(SIGPIPE, &previous, nullptr); }
  } ignore_sigpipe;

  CommandResult result;
  std::size_t written = 0;
  if (options.stdin_data.empty()) in.close_write();
  else ::fcntl(in.write, F_SETFL, O_NONBLOCK);
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  char buffer[8192];
  int status = 0;
  bool exited = false;
  // The command is done when the program itself exits: something it left
  // running in the background (a restarted service) may keep the output
  // pipe open, and must neither hold us until the timeout nor be killed.
  while (!exited) {
    const pid_t waited = ::waitpid(pid, &status, WNOHANG);
    if (waited == pid) exited = true;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (!exited && left.count() <= 0) {
      result.timed_out = true;
      ::kill(-pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      exited = true;
    }
    pollfd fds[2] = {{out.read, POLLIN, 0}, {in.write, POLLOUT, 0}};
    const nfds_t count = in.write >= 0 ? 2 : 1;
    // After the exit only collect what is already buffered; before it, wait a little.
    const int wait_ms = exited ? 0 : static_cast<int>(std::clamp<long>(left.count(), 0, 50));
    const int ready = out.read >= 0 || count == 2 ? ::poll(fds, count, wait_ms) : (::usleep(static_cast<useconds_t>(wait_ms) * 1000), 0);
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    if (count == 2 && fds[1].revents != 0) {
      const auto n = ::write(in.write, options.stdin_data.data() + written, options.stdin_data.size() - written);
      if (n > 0) written += static_cast<std::size_t>(n);
      // A command that does not read its input (or exits) is fine: stop feeding it.
      if (n < 0 && errno != EAGAIN && errno != EINTR) in.close_write();
      if (written >= options.stdin_data.size()) in.close_write();
    }
    if (out.read >= 0 && fds[0].revents != 0) {
      const auto n = ::read(out.read, buffer, sizeof buffer);
      if (n > 0) {
        result.output.append(buffer, static_cast<std::size_t>(n));
        if (result.output.size() > options.max_output) result.output.erase(0, result.output.size() - options.max_output);
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        out.close_read();
      }
    }
  }
  // Drain what the program wrote just before it exited.
  if (out.read >= 0) {
    ::fcntl(out.read, F_SETFL, O_NONBLOCK);
    ssize_t n = 0;
    while ((n = ::read(out.read, buffer, sizeof buffer)) > 0) {
      result.output.append(buffer, static_cast<std::size_t>(n));
      if (result.output.size() > options.max_output) result.output.erase(0, result.output.size() - options.max_output);
    }
  }
  in.close_write();
  result.exit_code = decode_wait_status(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

std::vector<std::string> expand_placeholders(const std::vector<std::string>& argv,
                                             const std::map<std::string, std::string>& values,
                                             const std::string& origin) {
  std::vector<std::string> expanded;
  for (const auto& arg : argv) {
    std::string text;
    for (std::size_t i = 0; i < arg.size(); ++i) {
      if (arg[i] != '{') {
        text.push_back(arg[i]);
        continue;
      }
      const auto close = arg.find('}', i);
      const std::string name = close == std::string::npos ? std::string() : arg.substr(i + 1, close - i - 1);
      const auto it = values.find(name);
      if (it == values.end()) {
        std::string known;
        for (const auto& [key, value] : values) known += (known.empty() ? "{" : ", {") + key + "}";
        throw Error::usage("invalid " + origin, "unknown placeholder in '" + arg + "'", "known placeholders: " + known);
      }
      text += it->second;
      i = close;
    }
    expanded.push_back(text);
  }
  return expanded;
}

}  // namespace cdcctl
