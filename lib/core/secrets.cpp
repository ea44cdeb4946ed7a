#include "core/text.hpp"
#include "core/secrets.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <regex>

#include <nlohmann/json.hpp>

namespace cdcctl {


bool is_secret_key(std::string_view key) {
  const std::string k = ascii_lower(key);
  constexpr std::array needles{"password", "passwd", "secret", "token", "credential",
                               "sasl.jaas.config", "ssl.key", "api.key", "apikey",
                               "private.key", "private-key", "user.info", "userinfo"};
  for (std::string_view needle : needles) {
    if (k.find(needle) != std::string::npos) return true;
  }
  return false;
}

nlohmann::json mask_secrets(const nlohmann::json& value) {
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : value) out.push_back(mask_secrets(item));
    return out;
  }
  if (!value.is_object()) return value;
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, item] : value.items()) {
    if (is_secret_key(key) && (item.is_string() || item.is_number())) {
      out[key] = std::string(kMask);
    } else if (item.is_string()) {
      out[key] = mask_url_or_conninfo(item.get<std::string>());
    } else {
      out[key] = mask_secrets(item);
    }
  }
  return out;
}

std::string mask_url_or_conninfo(std::string_view text) {
  std::string out(text);
  const std::string mask(kMask);
  // scheme://user:password@host
  static const std::regex userinfo(R"(([A-Za-z][A-Za-z0-9+.-]*://[^/:@\s]*):([^@/\s]*)@)");
  out = std::regex_replace(out, userinfo, "$1:" + mask + "@");
  // ODBC: PWD=secret; or PWD={se;cret} (braces quote, "}}" is a literal brace)
  static const std::regex odbc(R"((\b(?:PWD|Password)\s*=\s*)(\{(?:[^}]|\}\})*\}|[^;{]*))", std::regex::icase);
  // PWD is no libpq keyword: masked wherever it appears; Password= only in
  // strings that are ODBC's (the libpq rule below would cut it at a space).
  static const std::regex pwd(R"((\bPWD\s*=\s*)(\{(?:[^}]|\}\})*\}|[^;{]*))", std::regex::icase);
  out = std::regex_replace(out, pwd, "$1" + mask);
  static const std::regex odbc_string(R"(\b(?:DSN|DRIVER|FILEDSN)\s*=)", std::regex::icase);
  if (std::regex_search(out, odbc_string)) out = std::regex_replace(out, odbc, "$1" + mask);
  // password=... in a conninfo string (possibly quoted) or a URI query
  // Any key ending in "password" (password, sslpassword, …), quoted or not.
  static const std::regex quoted(R"(([\w.-]*password\s*=\s*)'(?:[^'\\]|\\.)*')", std::regex::icase);
  out = std::regex_replace(out, quoted, "$1" + mask);
  static const std::regex bare(R"(([\w.-]*password\s*=\s*)(?!\*{8})[^\s&']+)", std::regex::icase);
  out = std::regex_replace(out, bare, "$1" + mask);
  return out;
}

}  // namespace cdcctl
