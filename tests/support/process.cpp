#include "support/process.hpp"

#include "core/subprocess.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <utility>

extern char** environ;

namespace cdcctl::testsupport {

namespace {

void set_cloexec(int fd) { ::fcntl(fd, F_SETFD, FD_CLOEXEC); }

struct Pipe {
  int read = -1;
  int write = -1;
  Pipe() {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    read = fds[0];
    write = fds[1];
    set_cloexec(read);
    set_cloexec(write);
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  void close_read() {
    if (read >= 0) ::close(read);
    read = -1;
  }
  void close_write() {
    if (write >= 0) ::close(write);
    write = -1;
  }
  int release_read() { return std::exchange(read, -1); }
  int release_write() { return std::exchange(write, -1); }
};

std::vector<std::string> build_environment(const RunOptions& options) {
  std::map<std::string, std::string> env;
  for (char** entry = environ; *entry; ++entry) {
    std::string text(*entry);
    auto eq = text.find('=');
    if (eq != std::string::npos) env[text.substr(0, eq)] = text.substr(eq + 1);
  }
  for (const auto& name : options.unset_env) {
    if (name.ends_with('*')) {
      const auto prefix = name.substr(0, name.size() - 1);
      std::erase_if(env, [&](const auto& item) { return item.first.starts_with(prefix); });
    } else {
      env.erase(name);
    }
  }
  for (const auto& [key, value] : options.env) env[key] = value;
  std::vector<std::string> out;
  for (const auto& [key, value] : env) out.push_back(key + "=" + value);
  return out;
}

// Forks and execs; the child gets the given pipe ends as fds 0, 1, 2.
pid_t spawn(const std::vector<std::string>& argv, const RunOptions& options, int in_fd, int out_fd, int err_fd) {
  std::vector<std::string> env_strings = build_environment(options);
  std::vector<char*> env_ptrs;
  for (auto& item : env_strings) env_ptrs.push_back(item.data());
  env_ptrs.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> arg_ptrs;
  for (auto& item : args) arg_ptrs.push_back(item.data());
  arg_ptrs.push_back(nullptr);

  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::setpgid(0, 0);  // its own process group, so a stop reaches its children too
    if (options.die_with_parent) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(126);  // the parent died before prctl took effect
    }
    sigset_t none;    // launchers block signals; their children must not inherit that
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::dup2(in_fd, 0);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    if (!options.cwd.empty() && ::chdir(options.cwd.c_str()) != 0) ::_exit(126);
    if (options.run_as) {
      if (::setgroups(0, nullptr) != 0 || ::setgid(options.run_as->second) != 0 ||
          ::setuid(options.run_as->first) != 0) {
        ::_exit(126);
      }
    }
    ::execve(arg_ptrs[0], arg_ptrs.data(), env_ptrs.data());
    ::execvpe(arg_ptrs[0], arg_ptrs.data(), env_ptrs.data());
    const std::string message = "exec " + argv[0] + ": " + std::strerror(errno) + "\n";
    [[maybe_unused]] auto n = ::write(2, message.data(), message.size());
    ::_exit(127);
  }
  return pid;
}

}  // namespace

RunResult run_process(const std::vector<std::string>& argv, const RunOptions& options) {
  Pipe in, out, err;
  const pid_t pid = spawn(argv, options, in.read, out.write, err.write);
  in.close_read();
  out.close_write();
  err.close_write();

  RunResult result;
  std::size_t written = 0;
  if (options.stdin_data.empty()) in.close_write();
  else ::fcntl(in.write, F_SETFL, O_NONBLOCK);
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  while (out.read >= 0 || err.read >= 0) {
    std::vector<pollfd> fds;
    if (out.read >= 0) fds.push_back({out.read, POLLIN, 0});
    if (err.read >= 0) fds.push_back({err.read, POLLIN, 0});
    if (in.write >= 0) fds.push_back({in.write, POLLOUT, 0});
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      ::kill(-pid, SIGKILL);
      break;
    }
    int ready = ::poll(fds.data(), fds.size(), static_cast<int>(std::min<long>(left.count(), 1000)));
    if (ready < 0 && errno != EINTR) break;
    for (const auto& fd : fds) {
      if (fd.revents == 0) continue;
      if (fd.fd == in.write) {
        auto n = ::write(in.write, options.stdin_data.data() + written, options.stdin_data.size() - written);
        if (n > 0) written += static_cast<std::size_t>(n);
        if (n < 0 || written == options.stdin_data.size()) in.close_write();
        continue;
      }
      char buffer[65536];
      auto n = ::read(fd.fd, buffer, sizeof buffer);
      std::string& sink = fd.fd == out.read ? result.out : result.err;
      if (n > 0) {
        sink.append(buffer, static_cast<std::size_t>(n));
      } else {
        if (fd.fd == out.read) out.close_read();
        else err.close_read();
      }
    }
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.exit_code = result.timed_out ? -1 : cdcctl::decode_wait_status(status);
  return result;
}

RunResult run_cdcctl(const std::vector<std::string>& args, RunOptions options) {
  std::vector<std::string> argv{CDCCTL_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  options.unset_env.insert(options.unset_env.end(), {"CDCCTL_*", "PG*", "NO_COLOR", "COLUMNS", "XDG_CONFIG_HOME"});
  if (!options.env.contains("HOME")) {
    // Never read or write the developer's real contexts file.
    options.env["HOME"] = "/nonexistent-cdcctl-test-home";
  }
  return run_process(argv, options);
}

RunResult curl_json(const std::string& method, const std::string& url, const std::string& body) {
  RunOptions options;
  options.stdin_data = body;
  return run_process({"curl", "-sf", "-X", method, "-H", "Content-Type: application/json", "--data-binary", "@-", url},
                     options);
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv, const RunOptions& options) {
  Pipe in, out;
  const pid_t pid = spawn(argv, options, in.read, out.write, 2);
  in.close_read();
  out.close_write();
  pid_ = pid;
  stdin_fd_ = in.release_write();
  stdout_fd_ = out.release_read();
  // Read the first line (the service's address) with a deadline.
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  while (first_line_.find('\n') == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd fd{stdout_fd_, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&fd, 1, static_cast<int>(left.count())) <= 0) {
      stop();
      throw std::runtime_error("timed out waiting for " + argv[0] + " to print its address");
    }
    char buffer[256];
    auto n = ::read(stdout_fd_, buffer, sizeof buffer);
    if (n <= 0) {
      stop();
      throw std::runtime_error(argv[0] + " exited before printing its address (status " +
                               std::to_string(status_) + ")");
    }
    first_line_.append(buffer, static_cast<std::size_t>(n));
  }
  buffered_ = first_line_.substr(first_line_.find('\n') + 1);
  first_line_ = first_line_.substr(0, first_line_.find('\n'));
}

std::optional<std::string> BackgroundProcess::next_line(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (buffered_.find('\n') == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd fd{stdout_fd_, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&fd, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
    char buffer[256];
    const auto n = ::read(stdout_fd_, buffer, sizeof buffer);
    if (n <= 0) return std::nullopt;
    buffered_.append(buffer, static_cast<std::size_t>(n));
  }
  const auto end = buffered_.find('\n');
  auto line = buffered_.substr(0, end);
  buffered_.erase(0, end + 1);
  return line;
}

BackgroundProcess::~BackgroundProcess() { stop(); }

std::optional<int> BackgroundProcess::wait_exit(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return status_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) != pid_) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    ::usleep(50'000);
  }
  status_ = cdcctl::decode_wait_status(status);
  pid_ = -1;
  return status_;
}

int BackgroundProcess::stop() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    bool exited = false;
    for (int i = 0; i < 100 && !exited; ++i) {  // up to 10 s of grace
      exited = ::waitpid(pid_, &status, WNOHANG) == pid_;
      if (!exited) ::usleep(100'000);
    }
    if (!exited) {
      ::kill(-pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
    status_ = cdcctl::decode_wait_status(status);
    pid_ = -1;
  }
  if (stdin_fd_ >= 0) ::close(std::exchange(stdin_fd_, -1));
  if (stdout_fd_ >= 0) ::close(std::exchange(stdout_fd_, -1));
  return status_;
}

TempDir::TempDir(const std::string& prefix) {
  std::string templ = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (!::mkdtemp(templ.data())) throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
  path_ = templ;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

int free_tcp_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot find a free port");
  }
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

}  // namespace cdcctl::testsupport
