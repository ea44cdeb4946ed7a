#include "core/files.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>
#include <vector>

#include "core/error.hpp"

namespace cdcctl {

namespace fs = std::filesystem;

namespace {

// Closes the descriptor and removes the temp file unless released.
class TempFile {
 public:
  TempFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(path_.c_str());
  }
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  void close_fd() {
    const int fd = std::exchange(fd_, -1);
    if (fd >= 0 && ::close(fd) != 0) throw_errno("close");
  }
  void commit() { committed_ = true; }
  [[noreturn]] void throw_errno(const char* step) const {
    throw Error::failed("cannot write " + path_, std::string(step) + ": " + std::strerror(errno));
  }

 private:
  int fd_;
  std::string path_;
  bool committed_ = false;
};

}  // namespace

namespace {

// Holds off SIGINT/SIGTERM/SIGHUP while a file is being replaced, so Ctrl-C
// cannot leave a temp file behind; a signal that arrived is delivered when
// this goes out of scope, after the rename.
class DeferSignals {
 public:
  DeferSignals() {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGHUP);
    ::pthread_sigmask(SIG_BLOCK, &signals, &previous_);
  }
  ~DeferSignals() { ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }
  DeferSignals(const DeferSignals&) = delete;
  DeferSignals& operator=(const DeferSignals&) = delete;

 private:
  sigset_t previous_{};
};

}  // namespace

void write_file_atomically(const fs::path& path, std::string_view content, fs::perms mode) {
  const DeferSignals defer;
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec) throw Error::failed("cannot create directory " + dir.string(), ec.message());
    fs::permissions(dir, fs::perms::owner_all, ec);
  }
  std::string templ = (dir / ("." + path.filename().string() + ".XXXXXX")).string();
  std::vector<char> buffer(templ.begin(), templ.end());
  buffer.push_back('\0');
  int fd = ::mkstemp(buffer.data());
  if (fd < 0) {
    throw Error::failed("cannot write " + path.string(), std::string("create temp file: ") + std::strerror(errno));
  }
  TempFile temp(fd, buffer.data());
  if (::fchmod(temp.fd(), static_cast<mode_t>(mode)) != 0) temp.throw_errno("chmod");
  std::size_t written = 0;
  while (written < content.size()) {
    auto n = ::write(temp.fd(), content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      temp.throw_errno("write");
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(temp.fd()) != 0) temp.throw_errno("fsync");
  temp.close_fd();
  if (::rename(temp.path().c_str(), path.c_str()) != 0) temp.throw_errno("rename");
  temp.commit();
  // Make the rename itself durable.
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error::usage("cannot read " + path.string(), std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string read_secret_file(const fs::path& path) {
  std::string content = read_file(path);
  if (content.ends_with("\r\n")) content.resize(content.size() - 2);
  else if (content.ends_with('\n')) content.pop_back();
  return content;
}

FileLock::FileLock(const fs::path& lock_path, std::chrono::milliseconds wait) {
  std::error_code ec;
  if (lock_path.has_parent_path() && !fs::exists(lock_path.parent_path(), ec)) {
    fs::create_directories(lock_path.parent_path(), ec);
    if (ec) throw Error::failed("cannot create directory " + lock_path.parent_path().string(), ec.message());
    fs::permissions(lock_path.parent_path(), fs::perms::owner_all, ec);
  }
  fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) throw Error::failed("cannot open lock file " + lock_path.string(), std::strerror(errno));
  // Polling with LOCK_NB keeps the wait bounded without relying on signals.
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    if (error == EINTR) continue;
    if (error != EWOULDBLOCK || std::chrono::steady_clock::now() >= deadline) {
      ::close(fd_);
      fd_ = -1;
      if (error != EWOULDBLOCK) throw Error::failed("cannot lock " + lock_path.string(), std::strerror(error));
      throw Error::failed("cannot lock " + lock_path.string(),
                          "another cdcctl run still holds it after " + std::to_string(wait.count()) + " ms",
                          "runs overlap: make the interval longer than a run takes, or lower --timeout");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

}  // namespace cdcctl
