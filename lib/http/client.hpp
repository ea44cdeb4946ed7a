#pragma once
// HTTP over libcurl: one easy handle per client so connections are kept alive
// between requests; TLS verification on unless --insecure; proxies from the
// standard environment variables (libcurl's own handling).
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/error.hpp"
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
  std::chrono::milliseconds connect_timeout{5'000};  // a worker that does not accept in 5 s is down
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

// Failing to get any HTTP response. Whether the server may have acted on the
// request decides whether a non-idempotent request can be sent again.
class TransportError : public Error {
 public:
  enum class Stage {
    NotConnected,  // DNS, refused, TLS handshake: the request never reached the server
    InFlight,      // reset or timed out after sending: the server may have acted on it
  };
  TransportError(Stage stage, std::string what, std::string why, std::string hint)
      : Error(ExitCode::Unreachable, std::move(what), std::move(why), std::move(hint)), stage_(stage) {}
  Stage stage() const { return stage_; }
  bool timed_out() const { return timed_out_; }
  void set_timed_out() { timed_out_ = true; }
  // Certificate and URL problems: sending again cannot help.
  bool permanent() const { return permanent_; }
  void set_permanent() { permanent_ = true; }

 private:
  Stage stage_;
  bool timed_out_ = false;
  bool permanent_ = false;
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
  // timeout) throws TransportError (ExitCode::Unreachable). timeout, when
  // given, replaces the client's for this request (to fit a deadline).
  Response send(const Request& request, std::optional<std::chrono::milliseconds> timeout = std::nullopt);

  const ClientOptions& options() const { return options_; }

 private:
  struct Handle;
  ClientOptions options_;
  std::unique_ptr<Handle> handle_;
};

// libcurl's version string, for `cdcctl version`.
std::string curl_version_text();

}  // namespace cdcctl::http

namespace cdcctl::http {

// Percent-encodes one path segment (a connector or logger name) so names
// with spaces, slashes or '?' reach the server intact.
std::string encode_path_segment(std::string_view segment);

}  // namespace cdcctl::http
