#include "ops/connect_session.hpp"

namespace cdcctl::ops {

http::ClientOptions http_options(const Settings& settings, const Logger& logger) {
  http::ClientOptions options;
  options.timeout = settings.timeout();
  options.logger = &logger;
  options.tls = {settings.get("cacert").value_or(""), settings.get("cert").value_or(""),
                 settings.get("key").value_or(""), settings.get_bool("insecure")};
  if (settings.prefer_bearer_token()) {
    options.auth.bearer_token = settings.connect_token();
  } else if (auto user = settings.connect_user()) {
    options.auth.user = user;
    options.auth.password = settings.connect_password();
  }
  return options;
}

ConnectSession::ConnectSession(const Settings& settings, const Logger& logger)
    : http_(http_options(settings, logger)),
      client_(http_, settings.connect_urls(), {.timeout = settings.timeout(), .logger = &logger}) {}

}  // namespace cdcctl::ops
