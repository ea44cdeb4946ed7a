#include "connect/client.hpp"

#include "core/error.hpp"

namespace cdcctl::connect {

Client::Client(http::Client& http, std::vector<std::string> worker_urls)
    : http_(&http), worker_urls_(std::move(worker_urls)) {
  if (worker_urls_.empty()) {
    throw Error::usage("no Kafka Connect URL configured", {},
                       "pass --connect-url URL, set CDCCTL_CONNECT_URL, or add connect-url to a context");
  }
}

http::Response Client::send(http::Method method, const std::string& path, const std::optional<std::string>& body) {
  std::optional<Error> last_error;
  for (std::size_t attempt = 0; attempt < worker_urls_.size(); ++attempt) {
    const std::size_t index = (current_ + attempt) % worker_urls_.size();
    try {
      auto response = http_->send({method, worker_urls_[index] + path, body});
      current_ = index;  // stick to the worker that answered
      return response;
    } catch (const Error& error) {
      if (error.code() != ExitCode::Unreachable) throw;
      last_error = error;
      if (http_->options().logger && worker_urls_.size() > 1) {
        http_->options().logger->verbose("worker " + worker_urls_[index] + " unreachable, trying the next");
      }
    }
  }
  if (worker_urls_.size() == 1) throw *last_error;
  throw Error::unreachable("no Kafka Connect worker could be reached (" + std::to_string(worker_urls_.size()) +
                               " tried)",
                           last_error->why(), last_error->hint());
}

nlohmann::json Client::call(http::Method method, const std::string& path, const std::optional<std::string>& body) {
  auto response = send(method, path, body);
  const std::string what = std::string(http::method_name(method)) + " " + path;
  if (response.status < 200 || response.status >= 300) throw error_from_response(response, what);
  if (response.body.empty()) return nullptr;
  try {
    return nlohmann::json::parse(response.body);
  } catch (const nlohmann::json::parse_error&) {
    throw Error::failed(what + ": the worker sent a response that is not valid JSON",
                        std::to_string(response.body.size()) + " bytes, possibly cut off",
                        "retry; if it persists, check proxies between cdcctl and the worker");
  }
}

ServerInfo Client::server_info() {
  auto body = call(http::Method::Get, "/");
  ServerInfo info;
  info.version = body.value("version", "");
  info.commit = body.value("commit", "");
  info.kafka_cluster_id = body.value("kafka_cluster_id", "");
  info.worker_url = current_url();
  return info;
}

Error error_from_response(const http::Response& response, const std::string& what) {
  std::string message;
  if (response.is_json() || (!response.body.empty() && response.body.front() == '{')) {
    try {
      auto body = nlohmann::json::parse(response.body);
      if (body.is_object() && body.contains("message") && body["message"].is_string()) {
        message = body["message"].get<std::string>();
      }
    } catch (const nlohmann::json::parse_error&) {
    }
  }
  const std::string status = "HTTP " + std::to_string(response.status);
  if (message.empty()) {
    message = response.header("content-type").find("html") != std::string::npos
                  ? status + " with an HTML page (a proxy or the worker's web server answered, not Connect)"
                  : status;
  } else {
    message = status + ": " + message;
  }
  switch (response.status) {
    case 401:
    case 403:
      return Error::unreachable(what + " was refused", message,
                                "check --connect-user and the password file, or the bearer token");
    case 404: return Error::not_found(what, message);
    case 409:
      return Error::failed(what, message, "the Connect cluster is rebalancing; retry in a few seconds");
    default: return Error::failed(what, message);
  }
}

}  // namespace cdcctl::connect
