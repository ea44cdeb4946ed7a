#include "core/text.hpp"
#include "http/client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>

#include "core/error.hpp"

namespace cdcctl::http {

namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct EasyDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(user);
  std::string line(data, size * count);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = ascii_lower(line.substr(0, colon));
    std::string value = line.substr(colon + 1);
    auto first = value.find_first_not_of(" \t");
    auto last = value.find_last_not_of(" \t\r\n");
    (*headers)[name] = first == std::string::npos ? "" : value.substr(first, last - first + 1);
  } else if (line.starts_with("HTTP/")) {
    headers->clear();  // a new response (after a redirect or 100-continue)
  }
  return size * count;
}

SlistPtr append(SlistPtr list, const std::string& line) {
  curl_slist* raw = curl_slist_append(list.get(), line.c_str());
  if (!raw) throw Error::failed("out of memory building HTTP headers");
  (void)list.release();
  return SlistPtr(raw);
}

}  // namespace

struct Client::Handle {
  std::unique_ptr<CURL, EasyDeleter> curl;
};

std::string_view method_name(Method method) {
  switch (method) {
    case Method::Get: return "GET";
    case Method::Post: return "POST";
    case Method::Put: return "PUT";
    case Method::Patch: return "PATCH";
    case Method::Delete: return "DELETE";
  }
  return "GET";
}

std::string Response::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

bool Response::is_json() const { return header("content-type").find("json") != std::string::npos; }

Client::Client(ClientOptions options) : options_(std::move(options)), handle_(std::make_unique<Handle>()) {
  global_init();
  handle_->curl.reset(curl_easy_init());
  if (!handle_->curl) throw Error::failed("cannot initialise libcurl");
}

Client::~Client() = default;
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;

Response Client::send(const Request& request, std::optional<std::chrono::milliseconds> timeout) {
  CURL* curl = handle_->curl.get();
  curl_easy_reset(curl);  // keeps the connection cache: keep-alive survives
  Response response;
  const auto method = method_name(request.method);
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, std::string(method).c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  const auto limit = std::max(timeout.value_or(options_.timeout), std::chrono::milliseconds(1));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(limit.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min(options_.connect_timeout, limit).count()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "cdcctl/" CDCCTL_VERSION);
  // gzip only: cheap for any server to produce; offering brotli invites slow
  // high-quality compression of large listings (seen: 40 ms -> 1.8 s).
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "gzip");
  if (request.method == Method::Get) curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);

  const auto& tls = options_.tls;
  if (!tls.ca_cert.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, tls.ca_cert.c_str());
  if (!tls.client_cert.empty()) curl_easy_setopt(curl, CURLOPT_SSLCERT, tls.client_cert.c_str());
  if (!tls.client_key.empty()) curl_easy_setopt(curl, CURLOPT_SSLKEY, tls.client_key.c_str());
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, tls.insecure ? 0L : 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, tls.insecure ? 0L : 2L);

  SlistPtr headers;
  headers = append(std::move(headers), "Accept: application/json");
  if (request.body) {
    headers = append(std::move(headers), "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body->c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body->size()));
  }
  const auto& auth = options_.auth;
  if (auth.bearer_token) {
    headers = append(std::move(headers), "Authorization: Bearer " + *auth.bearer_token);
  } else if (auth.user) {
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(curl, CURLOPT_USERNAME, auth.user->c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, auth.password.value_or("").c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());

  char error_buffer[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  if (options_.logger) options_.logger->verbose(std::string(method) + " " + request.url);

  const auto started = std::chrono::steady_clock::now();
  const CURLcode code = curl_easy_perform(curl);
  response.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  if (code != CURLE_OK) {
    std::string why = error_buffer[0] ? error_buffer : curl_easy_strerror(code);
    std::string hint = "check the URL and that the service is running";
    if (code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE ||
        code == CURLE_SSL_CONNECT_ERROR) {
      hint = "pass the server's CA with --cacert (or, only for testing, --insecure)";
    } else if (code == CURLE_OPERATION_TIMEDOUT) {
      hint = "the service did not answer within --timeout; raise it or check the service";
    }
    const bool never_sent = code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_COULDNT_RESOLVE_PROXY ||
                            code == CURLE_COULDNT_CONNECT || code == CURLE_SSL_CONNECT_ERROR ||
                            code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE ||
                            code == CURLE_SSL_CERTPROBLEM || code == CURLE_URL_MALFORMAT ||
                            code == CURLE_UNSUPPORTED_PROTOCOL;
    // A timeout before the connection was made sent nothing either: that
    // worker is down, and the next one may be tried.
    curl_off_t connect_time = 0;
    const bool connected = curl_easy_getinfo(curl, CURLINFO_CONNECT_TIME_T, &connect_time) == CURLE_OK && connect_time > 0;
    const bool never_connected = code == CURLE_OPERATION_TIMEDOUT && !connected;
    TransportError error(never_sent || never_connected ? TransportError::Stage::NotConnected
                                                       : TransportError::Stage::InFlight,
                         std::string(method) + " " + request.url + " failed", why, hint);
    if (code == CURLE_OPERATION_TIMEDOUT) error.set_timed_out();
    if (code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE || code == CURLE_SSL_CERTPROBLEM ||
        code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL) {
      error.set_permanent();
    }
    throw error;
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  if (options_.logger) {
    options_.logger->verbose(std::to_string(response.status) + " in " + std::to_string(response.elapsed.count()) +
                             " ms (" + std::to_string(response.body.size()) + " bytes)");
  }
  return response;
}

std::string curl_version_text() {
  const auto* info = curl_version_info(CURLVERSION_NOW);
  std::string text = info->version;
  if (info->ssl_version) text += std::string(" (") + info->ssl_version + ")";
  return text;
}

}  // namespace cdcctl::http

namespace cdcctl::http {

std::string encode_path_segment(std::string_view segment) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : segment) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

}  // namespace cdcctl::http
