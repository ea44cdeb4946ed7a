#pragma once
// Secret masking. Any key that names a secret has its value replaced by
// kMask in every output and log line unless the user passes --show-secrets.
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace cdcctl {

inline constexpr std::string_view kMask = "********";

// True for keys such as "database.password", "sasl.jaas.config",
// "ssl.key.password", "ssl.keystore.key", "connect-token", "aws.secret.access.key".
bool is_secret_key(std::string_view key);

// Masks, recursively, the string values of secret keys in JSON objects.
nlohmann::json mask_secrets(const nlohmann::json& value);

// Masks the password inside a libpq conninfo ("password=..."), a URI
// ("postgresql://user:pass@host/db" or "?password=") and "user:pass@" in URLs.
std::string mask_url_or_conninfo(std::string_view text);

}  // namespace cdcctl
