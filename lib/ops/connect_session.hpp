#pragma once
// A Kafka Connect client built from resolved settings: worker URLs, TLS,
// basic or bearer auth, timeout and logging. Every command that talks to
// Connect starts here, so they all honour the same settings the same way.
#include <memory>

#include "connect/client.hpp"
#include "core/log.hpp"
#include "core/settings.hpp"
#include "http/client.hpp"

namespace cdcctl::ops {

class ConnectSession {
 public:
  ConnectSession(const Settings& settings, const Logger& logger);
  // client_ points at http_: neither may move.
  ConnectSession(const ConnectSession&) = delete;
  ConnectSession& operator=(const ConnectSession&) = delete;
  connect::Client& client() { return client_; }

 private:
  http::Client http_;
  connect::Client client_;
};

http::ClientOptions http_options(const Settings& settings, const Logger& logger);

}  // namespace cdcctl::ops
