#pragma once
// HTTP over libcurl: one easy handle per client so connections are kept alive
// between requests; TLS verification on unless --insecure; proxies from the
// standard environment variables (libcurl's own handling).
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/log.hpp"

namespace cdcctl::http {

enum class Method { Get, Post, Put, Patch, Delete };
std::string_view method_name(Method method);

struct TlsOptions {
  std::string ca_cert;
  std::string client_cert;
  std::string client_key;
  bool insecure = false;
};

struct Auth {
  std::optional<std::string> user;
  std::optional<std::string> password;
  std::optional<std::string> bearer_token;
};

struct ClientOptions {
  TlsOptions tls;
  Auth auth;
  std::chrono::milliseconds timeout{30'000};         // whole request
  std::chrono::milliseconds connect_timeout{10'000};
  const Logger* logger = nullptr;                     // -v logs each request
};

struct Request {
  Method method = Method::Get;
  std::string url;
  std::optional<std::string> body;  // sent as application/json
};

struct Response {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::chrono::milliseconds elapsed{0};

  std::string header(const std::string& lower_name) const;
  bool is_json() const;
};

class Client {
 public:
  explicit Client(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;

  // Any HTTP status is a Response; failing to get one (DNS, refused, TLS,
  // timeout) throws Error with ExitCode::Unreachable.
  Response send(const Request& request);

  const ClientOptions& options() const { return options_; }

 private:
  struct Handle;
  ClientOptions options_;
  std::unique_ptr<Handle> handle_;
};

// libcurl's version string, for `cdcctl version`.
std::string curl_version_text();

}  // namespace cdcctl::http
