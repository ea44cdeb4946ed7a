#pragma once
// File helpers with the guarantees operators need: a config or state file is
// either the old version or the new one, never half-written, and private.
#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

namespace cdcctl {

// Writes content to path atomically (temp file in the same directory, fsync,
// rename) with the given mode; creates missing parent directories with 0700.
void write_file_atomically(const std::filesystem::path& path, std::string_view content,
                           std::filesystem::perms mode = std::filesystem::perms::owner_read |
                                                         std::filesystem::perms::owner_write);

// Whole file as a string; throws Error (usage) naming the path when unreadable.
std::string read_file(const std::filesystem::path& path);

// A secret read from a file: the content with one trailing newline removed,
// so `echo pass > file` works as users expect.
std::string read_secret_file(const std::filesystem::path& path);

}  // namespace cdcctl

namespace cdcctl {

// An exclusive advisory lock (flock) on a lock file beside a state file, so
// two overlapping cron runs take turns instead of interleaving their
// read-modify-write of the state. Released when destroyed (or when the
// process dies: the kernel drops flock locks with the descriptor).
class FileLock {
 public:
  // Waits up to `wait` for the lock; throws Error (failed) naming the file
  // when another process still holds it after that.
  FileLock(const std::filesystem::path& lock_path, std::chrono::milliseconds wait);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace cdcctl
