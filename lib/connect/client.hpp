#pragma once
// Kafka Connect REST client. Talks to one of several workers of a cluster:
// when a worker cannot be reached the next URL is tried. HTTP errors become
// cdcctl::Error carrying Connect's error_code/message.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "http/client.hpp"

namespace cdcctl::connect {

struct ServerInfo {
  std::string version;
  std::string commit;
  std::string kafka_cluster_id;
  std::string worker_url;  // the worker that answered
};

class Client {
 public:
  Client(http::Client& http, std::vector<std::string> worker_urls);

  ServerInfo server_info();

  // Sends a request to the first worker that answers and returns its
  // response, whatever the status. Throws Error (unreachable) when none does.
  http::Response send(http::Method method, const std::string& path, const std::optional<std::string>& body = {});

  // As send(), but non-2xx statuses throw Error with Connect's message.
  nlohmann::json call(http::Method method, const std::string& path, const std::optional<std::string>& body = {});

  const std::string& current_url() const { return worker_urls_.at(current_); }

 private:
  http::Client* http_;
  std::vector<std::string> worker_urls_;
  std::size_t current_ = 0;
};

// Turns a non-2xx response into an Error: 404 → not found, 401/403 →
// unreachable (authentication), other statuses → failed. Non-JSON bodies
// (proxy HTML pages) are summarised rather than dumped.
Error error_from_response(const http::Response& response, const std::string& what);

}  // namespace cdcctl::connect
