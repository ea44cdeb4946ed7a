#pragma once
// What the service launchers (embedded-kafka, connect-double, throwaway-postgres)
// share: they print their address and serve until SIGINT/SIGTERM, or until
// their standard input closes when it is a pipe, socket or terminal, so a
// parent holding a pipe stops them by closing it (or by dying).
namespace cdcctl::testsupport {

class ShutdownSignals {
 public:
  // Blocks SIGINT and SIGTERM: construct it before any thread starts so every
  // thread inherits the mask and the signals arrive only through wait().
  // Ignores SIGPIPE so a reader going away cannot kill a server mid-write.
  ShutdownSignals();
  ~ShutdownSignals();
  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;

  void wait() const;

 private:
  int signal_fd_ = -1;
};

}  // namespace cdcctl::testsupport
