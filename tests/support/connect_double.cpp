#include "support/connect_double.hpp"

#include <httplib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <utility>

namespace cdcctl::testsupport {
namespace {

// Jackson writes entity fields in declaration order; ordered_json lets the double do the
// same, so that raw bodies look like a real worker's.
using Json = nlohmann::ordered_json;
using Config = std::map<std::string, std::string>;
// A config map as a client sent it: Jackson turns JSON null into a Java null, which
// Connect reports as a validation error rather than rejecting the body.
using RawConfig = std::map<std::string, std::optional<std::string>>;

constexpr std::string_view kBadRequestException =
    "org.apache.kafka.connect.runtime.rest.errors.BadRequestException";
constexpr std::string_view kConnectException = "org.apache.kafka.connect.errors.ConnectException";
constexpr std::string_view kNotFoundException = "org.apache.kafka.connect.errors.NotFoundException";

// ---------------------------------------------------------------------------------------
// Small string helpers

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n\f\v");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n\f\v");
  return std::string(s.substr(first, last - first + 1));
}

std::vector<std::string> split(std::string_view s, char delimiter) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const auto end = s.find(delimiter, start);
    parts.emplace_back(s.substr(start, end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += separator;
    out += parts[i];
  }
  return out;
}

// Java's Integer.parseInt / Long.parseLong: optional sign, decimal digits, no blanks.
std::optional<long long> parse_java_integer(std::string_view s, long long min, long long max) {
  std::size_t i = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
  if (i == s.size()) return std::nullopt;
  for (std::size_t j = i; j < s.size(); ++j) {
    if (!std::isdigit(static_cast<unsigned char>(s[j]))) return std::nullopt;
  }
  errno = 0;
  const std::string text(s);
  char* end = nullptr;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  if (errno == ERANGE || value < min || value > max) return std::nullopt;
  return value;
}

std::optional<int> parse_int(std::string_view s) {
  const auto v = parse_java_integer(s, std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
  return v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt;
}

std::optional<long long> parse_long(std::string_view s) {
  return parse_java_integer(s, std::numeric_limits<long long>::min(), std::numeric_limits<long long>::max());
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = hex_value(s[i + 1]);
      const int lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

// What JAX-RS's UriBuilder.path() leaves unescaped in a path segment.
std::string percent_encode_segment(std::string_view s) {
  static constexpr std::string_view kSafe = "-._~!$&'()*+,;=:@";
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || kSafe.find(c) != std::string_view::npos) {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0x0f];
    }
  }
  return out;
}

std::string base64_encode(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const auto n = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                   static_cast<unsigned char>(in[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i + 1 == in.size()) {
    const auto n = static_cast<unsigned char>(in[i]) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    const auto n = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

// How Java's String.valueOf prints a value Jackson deserialized from JSON; Connect
// interpolates such values into several error messages.
std::string java_string(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::string:
      return value.get<std::string>();
    case Json::value_t::object: {
      std::vector<std::string> entries;
      for (const auto& [k, v] : value.items()) entries.push_back(k + "=" + java_string(v));
      return "{" + join(entries, ", ") + "}";
    }
    case Json::value_t::array: {
      std::vector<std::string> entries;
      for (const auto& v : value) entries.push_back(java_string(v));
      return "[" + join(entries, ", ") + "]";
    }
    default:
      return value.dump();
  }
}

std::string java_map(const RawConfig& config) {
  std::vector<std::string> entries;
  for (const auto& [k, v] : config) entries.push_back(k + "=" + v.value_or("null"));
  return "{" + join(entries, ", ") + "}";
}

long long epoch_millis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// ---------------------------------------------------------------------------------------
// Versions: only major.minor matters for the endpoint matrix.

struct Version {
  int major = 0;
  int minor = 0;
  auto operator<=>(const Version&) const = default;
};

Version parse_version(const std::string& text) {
  const auto parts = split(text, '.');
  auto leading_number = [](const std::string& s) {
    int n = 0;
    for (const char c : s) {
      if (!std::isdigit(static_cast<unsigned char>(c))) break;
      n = n * 10 + (c - '0');
    }
    return n;
  };
  return {leading_number(parts[0]), parts.size() > 1 ? leading_number(parts[1]) : 0};
}

// ---------------------------------------------------------------------------------------
// Errors and replies

// An exception on its way to Connect's ConnectExceptionMapper: the HTTP status, the
// message (null when the Java exception had none) and the Java class, which one endpoint
// (config/validate) leaks into its message.
class RestError : public std::runtime_error {
 public:
  RestError(int status, std::optional<std::string> message, std::string_view java_class = kConnectException)
      : std::runtime_error(message.value_or("null")),
        status_(status),
        message_(std::move(message)),
        java_class_(java_class) {}

  int status() const { return status_; }
  const std::optional<std::string>& message() const { return message_; }
  const std::string& java_class() const { return java_class_; }

 private:
  int status_;
  std::optional<std::string> message_;
  std::string java_class_;
};

[[noreturn]] void bad_request(std::string message) {
  throw RestError(400, std::move(message), kBadRequestException);
}

[[noreturn]] void not_found(std::string message) {
  throw RestError(404, std::move(message), kNotFoundException);
}

// A resource method dereferencing the null entity Jackson produces for an empty body.
[[noreturn]] void null_entity() {
  throw RestError(500, std::nullopt, "java.lang.NullPointerException");
}

struct Reply {
  int status = 200;
  std::string body;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;
};

Reply json_reply(int status, const Json& entity) {
  return {status, entity.dump(), "application/json", {}};
}

Reply empty_reply(int status) {
  return {status, "", "", {}};
}

Reply error_reply(int status, const std::optional<std::string>& message) {
  return json_reply(status, Json{{"error_code", status}, {"message", message ? Json(*message) : Json()}});
}

const char* reason_phrase(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Error";
  }
}

// Jersey's own answer when no resource method exists for a path or method.
Reply jersey_error(int status) {
  return error_reply(status, "HTTP " + std::to_string(status) + " " + reason_phrase(status));
}

// The page Jetty (or a reverse proxy imitating it) sends when the request never reaches
// Connect's JSON error mapping.
Reply html_error_page(int status, const std::string& path) {
  const std::string reason = reason_phrase(status);
  const std::string code = std::to_string(status);
  std::string page =
      "<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html;charset=ISO-8859-1\"/>\n"
      "<title>Error " + code + " " + reason + "</title>\n</head>\n<body><h2>HTTP ERROR " + code + " " + reason +
      "</h2>\n<table>\n<tr><th>URI:</th><td>" + path + "</td></tr>\n<tr><th>STATUS:</th><td>" + code +
      "</td></tr>\n<tr><th>MESSAGE:</th><td>" + reason + "</td></tr>\n<tr><th>SERVLET:</th><td>-</td></tr>\n"
      "</table>\n\n</body>\n</html>\n";
  return {status, std::move(page), "text/html;charset=iso-8859-1", {}};
}

// ---------------------------------------------------------------------------------------
// Request bodies, deserialized the way Jackson would (including its failure modes, which
// Connect maps to 500).

Json parse_entity(const std::string& body) {
  if (trim(body).empty()) return Json();  // Jackson hands the resource a null entity
  try {
    return Json::parse(body);
  } catch (const Json::parse_error& e) {
    const std::size_t at = e.byte == 0 ? 0 : e.byte - 1;
    if (at >= body.size()) throw RestError(500, "Unexpected end-of-input");
    const auto c = static_cast<unsigned char>(body[at]);
    throw RestError(500, "Unexpected character ('" + std::string(1, body[at]) + "' (code " + std::to_string(c) +
                             ")): expected a valid value (JSON String, Number, Array, Object or token 'null', "
                             "'true' or 'false')");
  }
}

std::string jackson_token(const Json& value) {
  switch (value.type()) {
    case Json::value_t::object: return "Object value (token `JsonToken.START_OBJECT`)";
    case Json::value_t::array: return "Array value (token `JsonToken.START_ARRAY`)";
    case Json::value_t::string: return "String value (token `JsonToken.VALUE_STRING`)";
    case Json::value_t::boolean: return "Boolean value (token `JsonToken.VALUE_TRUE`)";
    case Json::value_t::number_float: return "Floating-point value (token `JsonToken.VALUE_NUMBER_FLOAT`)";
    default: return "Integer value (token `JsonToken.VALUE_NUMBER_INT`)";
  }
}

[[noreturn]] void cannot_deserialize(std::string_view java_type, const Json& value) {
  throw RestError(500, "Cannot deserialize value of type `" + std::string(java_type) + "` from " + jackson_token(value));
}

void reject_unknown_fields(const Json& object, std::string_view java_class, const std::vector<std::string>& known) {
  for (const auto& [key, value] : object.items()) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::vector<std::string> quoted;
    for (const auto& k : known) quoted.push_back("\"" + k + "\"");
    throw RestError(500, "Unrecognized field \"" + key + "\" (class " + std::string(java_class) +
                             "), not marked as ignorable (" + std::to_string(known.size()) +
                             " known properties: " + join(quoted, ", ") + "])");
  }
}

// Jackson coerces JSON scalars into Java Strings; null stays null.
std::optional<std::string> as_java_string(const Json& value) {
  if (value.is_null()) return std::nullopt;
  if (value.is_string()) return value.get<std::string>();
  if (value.is_structured()) cannot_deserialize("java.lang.String", value);
  return value.dump();
}

RawConfig as_config_map(const Json& entity) {
  if (!entity.is_object()) cannot_deserialize("java.util.Map<java.lang.String,java.lang.String>", entity);
  RawConfig config;
  for (const auto& [key, value] : entity.items()) config[key] = as_java_string(value);
  return config;
}

Json config_json(const Config& config) {
  Json out = Json::object();
  for (const auto& [k, v] : config) out[k] = v;
  return out;
}

// ---------------------------------------------------------------------------------------
// Config definitions (ConfigKeyInfo) for the framework and the default plugins

struct KeySpec {
  std::string name{};
  std::string type = "STRING";
  bool required = false;
  std::optional<std::string> default_value{};
  std::string importance = "MEDIUM";
  std::string documentation{};
  std::optional<std::string> group{};
  int order = -1;
  std::string width = "NONE";
  std::string display_name{};  // empty: the name, as ConfigDef does for ungrouped keys
};

Json key_info(const KeySpec& k) {
  return Json{{"name", k.name},
              {"type", k.type},
              {"required", k.required},
              {"default_value", k.default_value ? Json(*k.default_value) : Json()},
              {"importance", k.importance},
              {"documentation", k.documentation},
              {"group", k.group ? Json(*k.group) : Json()},
              {"order_in_group", k.order},
              {"width", k.width},
              {"display_name", k.display_name.empty() ? k.name : k.display_name},
              {"dependents", Json::array()}};
}

// Puts a caller-supplied ConfigKeyInfo into Connect's field order; accepts "order_in_group"
// as the entity's JSON creator does.
Json canonical_key(const Json& k) {
  const Json order = k.contains("order") ? k["order"] : k.value("order_in_group", Json(-1));
  return Json{{"name", k.value("name", "")},
              {"type", k.value("type", "STRING")},
              {"required", k.value("required", false)},
              {"default_value", k.value("default_value", Json())},
              {"importance", k.value("importance", "MEDIUM")},
              {"documentation", k.value("documentation", Json())},
              {"group", k.value("group", Json())},
              {"order_in_group", order},
              {"width", k.value("width", "NONE")},
              {"display_name", k.value("display_name", k.value("name", ""))},
              {"dependents", k.value("dependents", Json::array())}};
}

Json make_base_keys(const std::string& connector_type) {
  const std::string common = "Common";
  const std::string errors = "Error Handling";
  Json keys = Json::array();
  auto add = [&keys](const KeySpec& spec) { keys.push_back(key_info(spec)); };
  add({.name = "name", .required = true, .importance = "HIGH",
       .documentation = "Globally unique name to use for this connector.", .group = common, .order = 1,
       .width = "MEDIUM", .display_name = "Connector name"});
  add({.name = "connector.class", .required = true, .importance = "HIGH",
       .documentation = "Name or alias of the class for this connector. Must be a subclass of "
                        "org.apache.kafka.connect.connector.Connector. If the connector is "
                        "org.apache.kafka.connect.file.FileStreamSinkConnector, you can either specify this full "
                        "name,  or use \"FileStreamSink\" or \"FileStreamSinkConnector\" to make the configuration "
                        "a bit shorter",
       .group = common, .order = 2, .width = "LONG", .display_name = "Connector class"});
  add({.name = "tasks.max", .type = "INT", .default_value = "1", .importance = "HIGH",
       .documentation = "Maximum number of tasks to use for this connector.", .group = common, .order = 3,
       .width = "SHORT", .display_name = "Tasks max"});
  if (connector_type == "sink") {
    add({.name = "topics", .type = "LIST", .default_value = "", .importance = "HIGH",
         .documentation = "List of topics to consume, separated by commas", .group = common, .order = 4,
         .width = "LONG", .display_name = "Topics"});
    add({.name = "topics.regex", .default_value = "", .importance = "HIGH",
         .documentation = "Regular expression giving topics to consume. Under the hood, the regex is compiled to "
                          "a <code>java.util.regex.Pattern</code>. Only one of topics or topics.regex should be "
                          "specified.",
         .group = common, .order = 4, .width = "LONG", .display_name = "Topics regex"});
  }
  add({.name = "key.converter", .type = "CLASS", .importance = "LOW",
       .documentation = "Converter class used to convert between Kafka Connect format and the serialized form that "
                        "is written to Kafka. This controls the format of the keys in messages written to or read "
                        "from Kafka.",
       .group = common, .order = 5, .width = "SHORT", .display_name = "Key converter class"});
  add({.name = "value.converter", .type = "CLASS", .importance = "LOW",
       .documentation = "Converter class used to convert between Kafka Connect format and the serialized form that "
                        "is written to Kafka. This controls the format of the values in messages written to or "
                        "read from Kafka.",
       .group = common, .order = 6, .width = "SHORT", .display_name = "Value converter class"});
  add({.name = "header.converter", .type = "CLASS", .importance = "LOW",
       .documentation = "HeaderConverter class used to convert between Kafka Connect format and the serialized "
                        "form that is written to Kafka.",
       .group = common, .order = 7, .width = "SHORT", .display_name = "Header converter class"});
  add({.name = "config.action.reload", .default_value = "restart", .importance = "LOW",
       .documentation = "The action that Connect should take on the connector when changes in external "
                        "configuration providers result in a change in the connector's configuration properties.",
       .group = common, .order = 8, .width = "MEDIUM", .display_name = "Reload Action"});
  add({.name = "transforms", .type = "LIST", .default_value = "", .importance = "LOW",
       .documentation = "Aliases for the transformations to be applied to records.", .group = "Transforms",
       .order = 0, .width = "LONG", .display_name = "Transforms"});
  add({.name = "predicates", .type = "LIST", .default_value = "", .importance = "LOW",
       .documentation = "Aliases for the predicates used by transformations.", .group = "Predicates", .order = 0,
       .width = "LONG", .display_name = "Predicates"});
  add({.name = "errors.retry.timeout", .type = "LONG", .default_value = "0",
       .documentation = "The maximum duration in milliseconds that a failed operation will be reattempted. The "
                        "default is 0, which means no retries will be attempted. Use -1 for infinite retries.",
       .group = errors, .order = 1, .width = "MEDIUM", .display_name = "Retry Timeout for Errors"});
  add({.name = "errors.retry.delay.max.ms", .type = "LONG", .default_value = "60000",
       .documentation = "The maximum duration in milliseconds between consecutive retry attempts. Jitter will be "
                        "added to the delay once this limit is reached to prevent thundering herd issues.",
       .group = errors, .order = 2, .width = "MEDIUM", .display_name = "Maximum Delay Between Retries for Errors"});
  add({.name = "errors.tolerance", .default_value = "none",
       .documentation = "Behavior for tolerating errors during connector operation. 'none' is the default value "
                        "and signals that any error will result in an immediate connector task failure; 'all' "
                        "changes the behavior to skip over problematic records.",
       .group = errors, .order = 3, .width = "SHORT", .display_name = "Error Tolerance"});
  add({.name = "errors.log.enable", .type = "BOOLEAN", .default_value = "false",
       .documentation = "If true, write each error and the details of the failed operation and problematic record "
                        "to the Connect application log.",
       .group = errors, .order = 4, .width = "SHORT", .display_name = "Log Errors"});
  add({.name = "errors.log.include.messages", .type = "BOOLEAN", .default_value = "false",
       .documentation = "Whether to include in the log the Connect record that resulted in a failure.",
       .group = errors, .order = 5, .width = "SHORT", .display_name = "Log Error Details"});
  if (connector_type == "sink") {
    add({.name = "errors.deadletterqueue.topic.name", .default_value = "",
         .documentation = "The name of the topic to be used as the dead letter queue (DLQ) for messages that result "
                          "in an error when processed by this sink connector, or its transformations or converters.",
         .group = errors, .order = 6, .width = "MEDIUM", .display_name = "Dead Letter Queue Topic Name"});
    add({.name = "errors.deadletterqueue.topic.replication.factor", .type = "SHORT", .default_value = "3",
         .documentation = "Replication factor used to create the dead letter queue topic when it doesn't already "
                          "exist.",
         .group = errors, .order = 7, .width = "MEDIUM",
         .display_name = "Dead Letter Queue Topic Replication Factor"});
    add({.name = "errors.deadletterqueue.context.headers.enable", .type = "BOOLEAN", .default_value = "false",
         .documentation = "If true, add headers containing error context to the messages written to the dead "
                          "letter queue.",
         .group = errors, .order = 8, .width = "MEDIUM", .display_name = "Enable Error Context Headers"});
  } else {
    add({.name = "topic.creation.groups", .type = "LIST", .default_value = "", .importance = "LOW",
         .documentation = "Groups of configurations for topics created by source connectors",
         .group = "Topic Creation", .order = 1, .width = "LONG", .display_name = "Topic Creation Groups"});
    add({.name = "exactly.once.support", .default_value = "requested",
         .documentation = "Permitted values are requested, required. If set to \"required\", forces a preflight "
                          "check for the connector to ensure that it can provide exactly-once semantics.",
         .group = "Exactly Once Support", .order = 1, .width = "SHORT", .display_name = "Exactly once support"});
    add({.name = "transaction.boundary", .default_value = "poll",
         .documentation = "Permitted values are: poll, interval, connector. Only used when exactly-once support is "
                          "enabled on the worker.",
         .group = "Exactly Once Support", .order = 2, .width = "SHORT", .display_name = "Transaction Boundary"});
  }
  return keys;
}

const Json& base_keys(const std::string& connector_type) {
  static const Json sink = make_base_keys("sink");
  static const Json source = make_base_keys("source");
  return connector_type == "sink" ? sink : source;
}

nlohmann::json public_keys(std::initializer_list<KeySpec> specs) {
  nlohmann::json keys = nlohmann::json::array();
  for (const auto& spec : specs) keys.push_back(nlohmann::json(key_info(spec)));
  return keys;
}

bool is_connector_type(const std::string& type) {
  return type == "source" || type == "sink";
}

// GET /connector-plugins lists sinks, sources, converters, header converters,
// transformations and predicates, each group sorted by class name.
int type_rank(const std::string& type) {
  static const std::vector<std::string> order = {"sink", "source", "converter", "header_converter",
                                                 "transformation", "predicate"};
  const auto it = std::find(order.begin(), order.end(), type);
  return static_cast<int>(it - order.begin());
}

std::string simple_name(const std::string& class_name) {
  const auto dot = class_name.find_last_of(".$");
  return dot == std::string::npos ? class_name : class_name.substr(dot + 1);
}

// PluginUtils.prunedName: the simple name without the suffix naming the plugin kind.
std::string pruned_name(const ConnectDoublePlugin& plugin) {
  std::string name = simple_name(plugin.class_name);
  std::string suffix;
  if (is_connector_type(plugin.type)) suffix = "Connector";
  if (plugin.type == "converter" || plugin.type == "header_converter") suffix = "Converter";
  if (plugin.type == "transformation") suffix = "Transformation";
  if (plugin.type == "predicate") suffix = "Predicate";
  if (!suffix.empty() && name.size() > suffix.size() && name.ends_with(suffix)) {
    name.resize(name.size() - suffix.size());
  }
  return name;
}

std::string plugin_version(const ConnectDoublePlugin& plugin) {
  return plugin.version.empty() ? "undefined" : plugin.version;
}

std::string plugin_desc(const ConnectDoublePlugin& plugin) {
  const std::string version = plugin_version(plugin);
  return "PluginDesc{klass=class " + plugin.class_name + ", name='" + plugin.class_name + "', version='" + version +
         "', encodedVersion=" + version + ", type=" + plugin.type + ", typeName='" + plugin.type +
         "', location='classpath'}";
}

// ---------------------------------------------------------------------------------------
// Config validation (ConfigDef.validateAll plus the framework's extra checks)

struct ConfigValue {
  std::string name;
  std::optional<std::string> value;
  std::vector<std::string> errors;
};

struct Parsed {
  std::optional<std::string> value;  // normalised, as ConfigDef.convertToString prints it
  std::optional<std::string> error;  // reason, without the "Invalid value" prefix
};

Parsed parse_typed(const std::string& type, const std::string& raw) {
  const std::string trimmed = trim(raw);
  if (type == "INT" || type == "SHORT" || type == "LONG") {
    std::optional<long long> n = parse_long(trimmed);
    if (n && type == "INT" && (*n < std::numeric_limits<int>::min() || *n > std::numeric_limits<int>::max())) {
      n.reset();
    }
    if (n && type == "SHORT" && (*n < -32768 || *n > 32767)) n.reset();
    if (!n) return {std::nullopt, "Not a number of type " + type};
    return {std::to_string(*n), std::nullopt};
  }
  if (type == "DOUBLE") {
    char* end = nullptr;
    const double d = std::strtod(trimmed.c_str(), &end);
    if (trimmed.empty() || end != trimmed.c_str() + trimmed.size()) {
      return {std::nullopt, "Not a number of type DOUBLE"};
    }
    return {Json(d).dump(), std::nullopt};
  }
  if (type == "BOOLEAN") {
    const std::string b = lower(trimmed);
    if (b != "true" && b != "false") return {std::nullopt, "Expected value to be either true or false"};
    return {b, std::nullopt};
  }
  if (type == "LIST") {
    if (trimmed.empty()) return {"", std::nullopt};
    std::vector<std::string> items;
    for (const auto& item : split(trimmed, ',')) items.push_back(trim(item));
    return {join(items, ","), std::nullopt};
  }
  if (type == "CLASS") return {trimmed, std::nullopt};
  return {raw, std::nullopt};
}

// Validators that the framework attaches to individual base keys.
std::optional<std::string> check_validator(const std::string& name, const std::string& value) {
  if (name == "name" && value.empty()) return "String may not be empty";
  if (name == "tasks.max" && std::stoll(value) < 1) return "Value must be at least 1";
  return std::nullopt;
}

std::vector<ConfigValue> validate_keys(const Json& keys, const RawConfig& config) {
  std::vector<ConfigValue> values;
  for (const auto& key : keys) {
    const std::string name = key.value("name", "");
    const std::string type = key.value("type", "STRING");
    ConfigValue v{name, std::nullopt, {}};
    const auto it = config.find(name);
    if (it != config.end()) {
      if (it->second) {  // null values get their own error later
        const Parsed parsed = parse_typed(type, *it->second);
        std::optional<std::string> reason = parsed.error;
        if (!reason) reason = check_validator(name, *parsed.value);
        if (reason) {
          v.errors.push_back("Invalid value " + *it->second + " for configuration " + name + ": " + *reason);
        } else {
          v.value = parsed.value;
        }
      }
    } else if (key.value("required", false)) {
      v.errors.push_back("Missing required configuration \"" + name + "\" which has no default value.");
    } else if (key.contains("default_value") && key["default_value"].is_string()) {
      v.value = key["default_value"].get<std::string>();
    }
    if (type == "PASSWORD" && v.value) v.value = "[hidden]";
    values.push_back(std::move(v));
  }
  return values;
}

ConfigValue* find_value(std::vector<ConfigValue>& values, const std::string& name) {
  const auto it = std::find_if(values.begin(), values.end(), [&](const ConfigValue& v) { return v.name == name; });
  return it == values.end() ? nullptr : &*it;
}

Json value_info(const ConfigValue& v) {
  return Json{{"name", v.name},
              {"value", v.value ? Json(*v.value) : Json()},
              {"recommended_values", Json::array()},
              {"errors", v.errors},
              {"visible", true}};
}

// The message of the 400 that create/update answer for a config with validation errors.
std::string invalid_config_message(const Json& infos) {
  std::string message = "Connector configuration is invalid and contains the following " +
                        std::to_string(infos["error_count"].get<int>()) + " error(s):";
  for (const auto& info : infos["configs"]) {
    if (info["value"].is_null()) continue;
    for (const auto& error : info["value"]["errors"]) message += "\n" + error.get<std::string>();
  }
  return message + "\nYou can also find the above list of errors at the endpoint "
                   "`/connector-plugins/{connectorType}/config/validate`";
}

// ---------------------------------------------------------------------------------------
// Connector model

enum class TargetState { kStarted, kPaused, kStopped };

// The state a healthy connector or task shows for a target state.
std::string running_state(TargetState target) {
  switch (target) {
    case TargetState::kPaused: return "PAUSED";
    case TargetState::kStopped: return "STOPPED";
    default: return "RUNNING";
  }
}

std::string target_state_name(TargetState target) {
  switch (target) {
    case TargetState::kPaused: return "PAUSED";
    case TargetState::kStopped: return "STOPPED";
    default: return "STARTED";
  }
}

std::optional<TargetState> parse_target_state(const std::string& name) {
  if (name == "STARTED") return TargetState::kStarted;
  if (name == "PAUSED") return TargetState::kPaused;
  if (name == "STOPPED") return TargetState::kStopped;
  return std::nullopt;
}

// Delayed restarts are timed on the monotonic clock so that wall-clock jumps cannot
// leave a task RESTARTING forever.
using SteadyClock = std::chrono::steady_clock;

struct TaskStatus {
  std::string state;
  std::string trace;
  // Set while state is RESTARTING: when the restart completes (see Impl::settle).
  std::optional<SteadyClock::time_point> restart_due{};
};

struct ConnectorRecord {
  Config config;
  std::string type;  // "source" or "sink", from the plugin
  TargetState target = TargetState::kStarted;
  std::string state = "UNASSIGNED";
  std::string trace;
  std::optional<SteadyClock::time_point> restart_due;  // set while state is RESTARTING
  std::vector<TaskStatus> tasks;  // one per task config; none while stopped
  Json offsets = Json::array();
  // Sticky failures: the trace each (re)start of the connector / a task fails with.
  // Kept apart from the statuses, which restarts overwrite, and across stop/resume,
  // because a task id outlives the task configs of a stopped connector.
  std::optional<std::string> sticky_trace;
  std::map<std::size_t, std::string> sticky_task_traces;
};

struct LoggerState {
  std::optional<std::string> level;  // explicitly set level
  std::optional<long long> last_modified;
};

const std::set<std::string> kLog4jLevels = {"ALL", "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "OFF"};

constexpr std::string_view kNoLeaderMessage =
    "Cannot complete request momentarily due to no known leader URL, likely because a rebalance was underway.";
constexpr std::string_view kRebalanceExpectedMessage = "Request cannot be completed because a rebalance is expected";

// ---------------------------------------------------------------------------------------
// One request as a route handler sees it.

struct Call {
  const httplib::Request& http;
  const std::string& body;
  std::vector<std::string> args;  // decoded path segments captured by "{}"

  const std::string& arg(std::size_t i) const { return args.at(i); }
  bool has_query(const std::string& key) const { return http.has_param(key.c_str()); }
  std::string query(const std::string& key) const {
    return has_query(key) ? http.get_param_value(key.c_str()) : std::string();
  }
  std::vector<std::string> query_all(const std::string& key) const {
    std::vector<std::string> values;
    const auto [first, last] = http.params.equal_range(key);
    for (auto it = first; it != last; ++it) values.push_back(it->second);
    return values;
  }
};

std::vector<std::string> path_segments(std::string_view raw_path) {
  std::vector<std::string> segments;
  for (const auto& part : split(raw_path, '/')) {
    if (!part.empty()) segments.push_back(percent_decode(part));
  }
  return segments;
}

}  // namespace

// =======================================================================================

class ConnectDouble::Impl {
 public:
  explicit Impl(ConnectDoubleOptions options);
  ~Impl();
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  const ConnectDoubleOptions& options() const { return options_; }
  int port() const { return port_; }
  std::string scheme() const { return options_.tls_cert_file.empty() ? "http" : "https"; }
  std::string url() const { return scheme() + "://" + options_.host + ":" + std::to_string(port_); }
  std::string worker_id() const { return options_.host + ":" + std::to_string(port_); }

  // Fault injection and seeding, all under the state mutex.
  void conflict_next_writes(int n) { locked([&] { conflicts_ = n; }); }
  void html_error_next_requests(int n, int status) {
    locked([&] {
      html_errors_ = n;
      html_status_ = status;
    });
  }
  void truncate_next_responses(int n) { locked([&] { truncations_ = n; }); }
  void delay_responses(std::chrono::milliseconds d) { locked([&] { delay_ = d; }); }
  void rebalance_next_gets(int n) { locked([&] { rebalances_ = n; }); }
  void fail_offset_writes(int n) { locked([&] { failing_offset_writes_ = n; }); }
  void fail_task(const std::string& connector, int task, const std::string& trace, bool sticky);
  void fail_connector(const std::string& connector, const std::string& trace, bool sticky);
  void heal(const std::string& connector);
  void unassign_task(const std::string& connector, int task);
  void delay_restarts(std::chrono::milliseconds d) { locked([&] { restart_delay_ = d; }); }
  void set_plugins(std::vector<ConnectDoublePlugin> plugins) { locked([&] { plugins_ = std::move(plugins); }); }
  void set_offsets(const std::string& connector, const nlohmann::json& offsets);
  void add_active_topic(const std::string& connector, const std::string& topic) {
    locked([&] { active_topics_[connector].insert(topic); });
  }
  std::vector<std::string> request_log() const {
    std::lock_guard lock(mutex_);
    return request_log_;
  }
  void clear_request_log() { locked([&] { request_log_.clear(); }); }
  // Not const: reading state first completes the delayed restarts that are due.
  nlohmann::json connector_state(const std::string& name);

 private:
  using Handler = Reply (Impl::*)(const Call&);

  struct Route {
    std::string_view method;
    std::string_view pattern;  // "{}" matches one path segment
    Handler handler;
    Version since{0, 0};   // first version that has the endpoint
    Version until{99, 0};  // first version that no longer has it
    // GETs that go through the herder's non-forwarding path, which reports a pending
    // rebalance as a 500 instead of a 409.
    bool rebalance_sensitive = false;
  };

  // The outcome of matching a request against the route table.
  struct Resolution {
    const Route* route = nullptr;   // null: no route for this method
    std::vector<std::string> args;  // path segments captured by the route
    std::set<std::string> allowed;  // methods the path supports; empty: unknown path
  };

  static const std::vector<Route>& routes();
  Resolution resolve(const std::string& method, const std::vector<std::string>& segments) const;

  template <typename F>
  void locked(F&& f) {
    std::lock_guard lock(mutex_);
    f();
  }

  // Request pipeline
  void serve(const httplib::Request& request, const std::string& body, httplib::Response& response);
  Reply respond(const httplib::Request& request, const std::string& body, const std::string& raw_path);
  bool authorized(const httplib::Request& request, const std::vector<std::string>& segments) const;
  Reply control(const httplib::Request& request, const std::string& body, const std::string& raw_path);

  // Model helpers
  ConnectorRecord& existing(const std::string& name, const std::string& message_if_missing);
  ConnectorRecord& hooked(const std::string& name);  // for the test hooks: out_of_range if unknown
  TaskStatus& hooked_task(const std::string& name, int task);
  TaskStatus started_task(const ConnectorRecord& record, std::size_t task) const;
  void start_connector(ConnectorRecord& record) const;
  void begin_task_restart(ConnectorRecord& record, std::size_t task) const;
  void begin_connector_restart(ConnectorRecord& record) const;
  void settle(ConnectorRecord& record) const;
  void settle_all();
  // State file
  Json state_document() const;
  void load_state();
  void persist();
  const ConnectDoublePlugin& connector_plugin(const std::string& class_or_alias) const;
  const ConnectDoublePlugin* find_plugin(const std::string& class_or_alias) const;
  Json validate_connector_config(const RawConfig& config) const;
  void require_valid(const RawConfig& config) const;
  void reconcile(const std::string& name, ConnectorRecord& record, bool restart_failed);
  Reply put_connector(const Call& call, const std::string& name, RawConfig config, TargetState initial,
                      bool allow_replace);
  std::string location(const Call& call, const std::string& name) const;
  Json info_json(const std::string& name, const ConnectorRecord& record) const;
  Json status_json(const std::string& name, const ConnectorRecord& record) const;
  Json state_json(const std::string& state, const std::string& trace) const;
  Json task_state_json(int id, const TaskStatus& task) const;
  Json task_config_json(const ConnectorRecord& record) const;
  void require_stopped(const std::string& name, const ConnectorRecord& record) const;
  std::string effective_level(const std::string& logger) const;
  void apply_level(const std::string& name, LoggerState& state, const std::string& level, long long now);
  std::vector<std::string> set_logger_level(const std::string& name_space, const std::string& level);

  // Endpoints
  Reply get_root(const Call& call);
  Reply get_health(const Call& call);
  Reply list_connectors(const Call& call);
  Reply create_connector(const Call& call);
  Reply get_connector(const Call& call);
  Reply delete_connector(const Call& call);
  Reply get_config(const Call& call);
  Reply put_config(const Call& call);
  Reply patch_config(const Call& call);
  Reply get_status(const Call& call);
  Reply get_tasks(const Call& call);
  Reply get_tasks_config(const Call& call);
  Reply get_task_status(const Call& call);
  Reply restart_task(const Call& call);
  Reply restart_connector(const Call& call);
  Reply stop_connector(const Call& call);
  Reply pause_connector(const Call& call);
  Reply resume_connector(const Call& call);
  Reply internal_request(const Call& call);
  Reply get_topics(const Call& call);
  Reply reset_topics(const Call& call);
  Reply get_offsets(const Call& call);
  Reply alter_offsets(const Call& call);
  Reply reset_offsets(const Call& call);
  Reply list_plugins(const Call& call);
  Reply plugin_config(const Call& call);
  Reply validate_plugin_config(const Call& call);
  Reply list_loggers(const Call& call);
  Reply get_logger(const Call& call);
  Reply set_logger(const Call& call);

  const ConnectDoubleOptions options_;
  const Version version_;
  int port_ = 0;

  mutable std::mutex mutex_;
  std::map<std::string, ConnectorRecord> connectors_;
  std::map<std::string, std::set<std::string>> active_topics_;
  // Replaced configs still served by GET /config, and until when.
  std::map<std::string, std::pair<Config, std::chrono::steady_clock::time_point>> previous_configs_;
  // Deleted connectors whose tasks are still stopping, and until when.
  std::map<std::string, std::pair<ConnectorRecord, std::chrono::steady_clock::time_point>> stopping_;
  LoggerState root_logger_{"INFO", std::nullopt};
  std::map<std::string, LoggerState> loggers_;  // log4j's "current loggers", root excluded
  std::vector<ConnectDoublePlugin> plugins_;
  std::vector<std::string> request_log_;
  int conflicts_ = 0;
  int html_errors_ = 0;
  int html_status_ = 500;
  int truncations_ = 0;
  int rebalances_ = 0;
  int failing_offset_writes_ = 0;
  // Called with the lock held, after the STOPPED check (Connect asks the connector last).
  void maybe_fail_offset_write(const std::string& name) {
    if (failing_offset_writes_ <= 0) return;
    --failing_offset_writes_;
    throw RestError(500, "Failed to modify offsets for connector " + name +
                             " because it doesn't support external modification of offsets");
  }
  std::chrono::milliseconds delay_{0};
  std::chrono::milliseconds restart_delay_{0};
  std::string last_saved_;  // the state file's content as last written or read

  std::unique_ptr<httplib::Server> server_;  // an SSLServer when TLS is configured
  std::thread thread_;
};

const std::vector<ConnectDouble::Impl::Route>& ConnectDouble::Impl::routes() {
  static const std::vector<Route> table = {
      {"GET", "/", &Impl::get_root},
      {"GET", "/health", &Impl::get_health, {3, 9}},
      {"GET", "/connectors", &Impl::list_connectors},
      {"POST", "/connectors", &Impl::create_connector},
      {"GET", "/connectors/{}", &Impl::get_connector, {}, {99, 0}, true},
      {"DELETE", "/connectors/{}", &Impl::delete_connector},
      {"GET", "/connectors/{}/config", &Impl::get_config, {}, {99, 0}, true},
      {"PUT", "/connectors/{}/config", &Impl::put_config},
      {"PATCH", "/connectors/{}/config", &Impl::patch_config, {3, 8}},
      {"GET", "/connectors/{}/status", &Impl::get_status},
      {"GET", "/connectors/{}/tasks", &Impl::get_tasks, {}, {99, 0}, true},
      {"POST", "/connectors/{}/tasks", &Impl::internal_request},
      {"GET", "/connectors/{}/tasks-config", &Impl::get_tasks_config, {}, {4, 0}, true},
      {"GET", "/connectors/{}/tasks/{}/status", &Impl::get_task_status},
      {"POST", "/connectors/{}/tasks/{}/restart", &Impl::restart_task},
      {"POST", "/connectors/{}/restart", &Impl::restart_connector},
      {"PUT", "/connectors/{}/stop", &Impl::stop_connector},
      {"PUT", "/connectors/{}/pause", &Impl::pause_connector},
      {"PUT", "/connectors/{}/resume", &Impl::resume_connector},
      {"PUT", "/connectors/{}/fence", &Impl::internal_request},
      {"GET", "/connectors/{}/topics", &Impl::get_topics},
      {"PUT", "/connectors/{}/topics/reset", &Impl::reset_topics},
      {"GET", "/connectors/{}/offsets", &Impl::get_offsets, {}, {99, 0}, true},
      {"PATCH", "/connectors/{}/offsets", &Impl::alter_offsets},
      {"DELETE", "/connectors/{}/offsets", &Impl::reset_offsets},
      {"GET", "/connector-plugins", &Impl::list_plugins},
      {"GET", "/connector-plugins/{}/config", &Impl::plugin_config},
      {"PUT", "/connector-plugins/{}/config/validate", &Impl::validate_plugin_config},
      {"GET", "/admin/loggers", &Impl::list_loggers},
      {"GET", "/admin/loggers/{}", &Impl::get_logger},
      {"PUT", "/admin/loggers/{}", &Impl::set_logger},
  };
  return table;
}

namespace {

std::optional<std::vector<std::string>> match_route(std::string_view pattern, const std::vector<std::string>& segments) {
  const auto parts = path_segments(pattern);
  if (parts.size() != segments.size()) return std::nullopt;
  std::vector<std::string> args;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (parts[i] == "{}") {
      args.push_back(segments[i]);
    } else if (parts[i] != segments[i]) {
      return std::nullopt;
    }
  }
  return args;
}

}  // namespace

ConnectDouble::Impl::Impl(ConnectDoubleOptions options)
    : options_(std::move(options)), version_(parse_version(options_.version)) {
  if (options_.tls_cert_file.empty()) {
    server_ = std::make_unique<httplib::Server>();
  } else {
    auto tls = std::make_unique<httplib::SSLServer>(options_.tls_cert_file.c_str(), options_.tls_key_file.c_str());
    if (!tls->is_valid()) throw std::runtime_error("connect double: cannot load TLS certificate " + options_.tls_cert_file);
    server_ = std::move(tls);
  }
  plugins_ = ConnectDouble::default_plugins(options_.version);
  // A freshly started worker already has these loggers, with no level of their own.
  for (const char* name : {"org.apache.kafka.connect.runtime.Worker",
                           "org.apache.kafka.connect.runtime.WorkerSinkTask",
                           "org.apache.kafka.connect.runtime.WorkerSourceTask",
                           "org.apache.kafka.connect.runtime.distributed.DistributedHerder",
                           "org.apache.kafka.connect.runtime.rest.RestServer",
                           "org.apache.kafka.clients.consumer.ConsumerConfig"}) {
    loggers_[name] = LoggerState{};
  }
  // Before binding: a bad state file must fail the start without taking the port.
  if (!options_.state_file.empty()) load_state();

  // One catch-all handler per method: the route table below decides 404 vs 405 the way
  // Jersey does, which httplib's per-method regex routing cannot express.
  const auto without_body = [this](const httplib::Request& request, httplib::Response& response) {
    serve(request, request.body, response);
  };
  // httplib 0.11 reads a POST/PUT/PATCH/DELETE body until the connection closes when the
  // request has neither Content-Length nor chunked encoding (e.g. `curl -X PUT .../pause`),
  // then fails with 400. Jetty treats such a request as having no body, and so do we.
  const auto with_body = [this](const httplib::Request& request, httplib::Response& response,
                                const httplib::ContentReader& read_content) {
    std::string body;
    if (request.has_header("Content-Length") ||
        lower(request.get_header_value("Transfer-Encoding")).find("chunked") != std::string::npos) {
      read_content([&body](const char* data, std::size_t size) {
        body.append(data, size);
        return true;
      });
    }
    serve(request, body, response);
  };
  const std::string any_path = R"([\s\S]*)";
  server_->Get(any_path, without_body);
  server_->Options(any_path, without_body);
  server_->Post(any_path, with_body);
  server_->Put(any_path, with_body);
  server_->Patch(any_path, with_body);
  server_->Delete(any_path, with_body);
  // Short keep-alive so that the destructor does not wait for idle client connections.
  server_->set_keep_alive_timeout(1);
  // httplib defaults to SO_REUSEPORT, which would let a second double (or a real worker)
  // silently share a fixed port; SO_REUSEADDR only allows rebinding after TIME_WAIT.
  server_->set_socket_options([](socket_t socket) {  // httplib declares socket_t globally
    const int yes = 1;
    setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });

  port_ = options_.port == 0 ? server_->bind_to_any_port(options_.host)
                             : (server_->bind_to_port(options_.host, options_.port) ? options_.port : -1);
  if (port_ <= 0) {
    throw std::runtime_error("connect double: cannot listen on " + options_.host + ":" +
                             std::to_string(options_.port));
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // stop() is a no-op until the accept loop runs, so wait for it before handing out the
  // object (the socket itself already queues connections).
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

ConnectDouble::Impl::~Impl() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

// ---------------------------------------------------------------------------------------
// Request pipeline

void ConnectDouble::Impl::serve(const httplib::Request& request, const std::string& body,
                                httplib::Response& response) {
  const std::string raw_path = request.target.substr(0, request.target.find('?'));
  Reply reply;
  std::chrono::milliseconds delay{0};
  if (options_.control_endpoints && raw_path.starts_with("/__double/")) {
    reply = control(request, body, raw_path);
  } else {
    std::lock_guard lock(mutex_);
    request_log_.push_back(request.method + " " + request.target);
    delay = delay_;
    reply = respond(request, body, raw_path);
  }
  if (delay.count() > 0) std::this_thread::sleep_for(delay);

  response.status = reply.status;
  for (const auto& [name, value] : reply.headers) response.set_header(name.c_str(), value);
  if (!reply.body.empty()) response.set_content(reply.body, reply.content_type.c_str());
}

// Everything between receiving a request and writing the reply; runs under the mutex.
Reply ConnectDouble::Impl::respond(const httplib::Request& request, const std::string& body,
                                   const std::string& raw_path) {
  settle_all();
  if (html_errors_ > 0) {
    --html_errors_;
    return html_error_page(html_status_, raw_path);
  }
  const auto segments = path_segments(raw_path);
  if (!authorized(request, segments)) {
    return {401, "User cannot access the resource.", "text/plain", {}};
  }

  // Jersey matches the path first (404), then the method (405), then the media type (415).
  const std::string method = request.method == "HEAD" ? "GET" : request.method;
  Resolution resolution = resolve(method, segments);
  if (resolution.allowed.empty()) return jersey_error(404);
  if (resolution.route == nullptr) {
    Reply reply = method == "OPTIONS" ? empty_reply(200) : jersey_error(405);
    reply.headers.emplace_back("Allow", join({resolution.allowed.begin(), resolution.allowed.end()}, ","));
    return reply;
  }
  const Route& route = *resolution.route;
  if (method != "GET" && request.has_header("Content-Type")) {
    const std::string media_type = lower(trim(split(request.get_header_value("Content-Type"), ';').front()));
    if (media_type != "application/json") return jersey_error(415);
  }

  if (conflicts_ > 0 && method != "GET" && route.pattern.starts_with("/connectors")) {
    --conflicts_;
    return error_reply(409, std::string(kNoLeaderMessage));
  }
  if (rebalances_ > 0 && route.rebalance_sensitive) {
    --rebalances_;
    return error_reply(500, std::string(kRebalanceExpectedMessage));
  }

  Reply reply;
  try {
    reply = (this->*route.handler)(Call{request, body, std::move(resolution.args)});
    // Every successful write to /connectors* may have changed what the state file holds
    // (persist() skips the write when nothing did, e.g. for a restart).
    if (method != "GET" && route.pattern.starts_with("/connectors") && reply.status >= 200 && reply.status < 300) {
      persist();
    }
  } catch (const RestError& e) {
    reply = error_reply(e.status(), e.message());
  } catch (const std::runtime_error& e) {
    // The change is applied but not saved; a loud 500 beats a test that later finds its
    // connectors gone after a restart.
    reply = error_reply(500, e.what());
  }
  if (truncations_ > 0 && reply.status >= 200 && reply.status < 300 && !reply.body.empty()) {
    --truncations_;
    reply.body.resize(reply.body.size() / 2);
  }
  return reply;
}

ConnectDouble::Impl::Resolution ConnectDouble::Impl::resolve(const std::string& method,
                                                             const std::vector<std::string>& segments) const {
  Resolution resolution;
  for (const auto& candidate : routes()) {
    if (version_ < candidate.since || !(version_ < candidate.until)) continue;
    auto captured = match_route(candidate.pattern, segments);
    if (!captured) continue;
    resolution.allowed.emplace(candidate.method);
    if (candidate.method == method) {
      resolution.route = &candidate;
      resolution.args = std::move(*captured);
    }
  }
  // Jersey answers HEAD and OPTIONS itself for every resource.
  if (resolution.allowed.contains("GET")) resolution.allowed.insert("HEAD");
  if (!resolution.allowed.empty()) resolution.allowed.insert("OPTIONS");
  return resolution;
}

bool ConnectDouble::Impl::authorized(const httplib::Request& request, const std::vector<std::string>& segments) const {
  const bool basic = !options_.basic_auth_user.empty();
  const bool bearer = !options_.bearer_token.empty();
  if (!basic && !bearer) return true;
  // JaasBasicAuthFilter lets workers post task configs to each other unauthenticated.
  if (request.method == "POST" && segments.size() == 3 && segments[0] == "connectors" && segments[2] == "tasks") {
    return true;
  }
  const std::string header = trim(request.get_header_value("Authorization"));
  const auto space = header.find(' ');
  if (space == std::string::npos) return false;
  const std::string scheme = lower(header.substr(0, space));
  const std::string credentials = trim(header.substr(space + 1));
  if (basic && scheme == "basic") {
    return credentials == base64_encode(options_.basic_auth_user + ":" + options_.basic_auth_password);
  }
  return bearer && scheme == "bearer" && credentials == options_.bearer_token;
}

// The /__double/* endpoints of the stand-alone launcher. They bypass authentication,
// fault injection and the request log, so scripts can drive the double reliably.
Reply ConnectDouble::Impl::control(const httplib::Request& request, const std::string& body,
                                   const std::string& raw_path) {
  const std::string action = raw_path.substr(std::string_view("/__double/").size());
  auto query_int = [&](const char* key, std::optional<int> fallback = std::nullopt) -> int {
    if (!request.has_param(key)) {
      if (fallback) return *fallback;
      throw RestError(400, "missing query parameter '" + std::string(key) + "'");
    }
    const auto n = parse_int(request.get_param_value(key));
    if (!n || *n < 0) throw RestError(400, "query parameter '" + std::string(key) + "' must be a non-negative integer");
    return *n;
  };
  auto query_text = [&](const char* key) {
    if (!request.has_param(key)) throw RestError(400, "missing query parameter '" + std::string(key) + "'");
    return request.get_param_value(key);
  };
  // Strict, unlike Jersey's Boolean.valueOf: a typo in a script should not silently
  // inject a different fault.
  auto query_flag = [&](const char* key) {
    if (!request.has_param(key)) return false;
    const std::string value = lower(request.get_param_value(key));
    if (value != "true" && value != "false") {
      throw RestError(400, "query parameter '" + std::string(key) + "' must be true or false");
    }
    return value == "true";
  };
  const std::string& method = request.method;
  try {
    if (method == "POST" && action == "conflict") {
      conflict_next_writes(query_int("n"));
    } else if (method == "POST" && action == "html-error") {
      html_error_next_requests(query_int("n"), query_int("status", 500));
    } else if (method == "POST" && action == "truncate") {
      truncate_next_responses(query_int("n"));
    } else if (method == "POST" && action == "delay") {
      delay_responses(std::chrono::milliseconds(query_int("ms")));
    } else if (method == "POST" && action == "rebalance") {
      rebalance_next_gets(query_int("n"));
    } else if (method == "POST" && action == "fail-offset-writes") {
      fail_offset_writes(query_int("n"));
    } else if (method == "POST" && action == "fail-task") {
      fail_task(query_text("connector"), query_int("task"), body, query_flag("sticky"));
    } else if (method == "POST" && action == "fail-connector") {
      fail_connector(query_text("connector"), body, query_flag("sticky"));
    } else if (method == "POST" && action == "heal") {
      heal(query_text("connector"));
    } else if (method == "POST" && action == "unassign-task") {
      unassign_task(query_text("connector"), query_int("task"));
    } else if (method == "POST" && action == "delay-restarts") {
      delay_restarts(std::chrono::milliseconds(query_int("ms")));
    } else if (method == "POST" && action == "active-topic") {
      add_active_topic(query_text("connector"), query_text("topic"));
    } else if (method == "PUT" && action == "offsets") {
      const std::string connector = query_text("connector");
      nlohmann::json offsets;
      try {
        offsets = nlohmann::json::parse(body);
      } catch (const nlohmann::json::parse_error& e) {
        throw RestError(400, std::string("offsets body is not JSON: ") + e.what());
      }
      set_offsets(connector, offsets);
    } else if (method == "GET" && action == "requests") {
      return json_reply(200, Json(request_log()));
    } else if (method == "DELETE" && action == "requests") {
      clear_request_log();
    } else {
      return error_reply(404, "unknown control endpoint " + method + " " + raw_path);
    }
  } catch (const RestError& e) {
    return error_reply(e.status(), e.message());
  } catch (const std::out_of_range& e) {
    return error_reply(404, e.what());
  } catch (const std::runtime_error& e) {  // the state file could not be written
    return error_reply(500, e.what());
  } catch (const std::invalid_argument& e) {
    return error_reply(400, e.what());
  }
  return empty_reply(204);
}

// ---------------------------------------------------------------------------------------
// Model helpers

ConnectorRecord& ConnectDouble::Impl::existing(const std::string& name, const std::string& message_if_missing) {
  const auto it = connectors_.find(name);
  if (it == connectors_.end()) not_found(message_if_missing);
  return it->second;
}

const ConnectDoublePlugin* ConnectDouble::Impl::find_plugin(const std::string& class_or_alias) const {
  for (const auto& plugin : plugins_) {
    if (plugin.class_name == class_or_alias) return &plugin;
  }
  // Aliases that name more than one class are not registered by Connect.
  const ConnectDoublePlugin* match = nullptr;
  for (const auto& plugin : plugins_) {
    if (simple_name(plugin.class_name) != class_or_alias && pruned_name(plugin) != class_or_alias) continue;
    if (match != nullptr && match->class_name != plugin.class_name) return nullptr;
    if (match == nullptr) match = &plugin;
  }
  return match;
}

const ConnectDoublePlugin& ConnectDouble::Impl::connector_plugin(const std::string& class_or_alias) const {
  const ConnectDoublePlugin* plugin = find_plugin(class_or_alias);
  if (plugin != nullptr && is_connector_type(plugin->type)) return *plugin;
  std::vector<const ConnectDoublePlugin*> connectors;
  for (const auto& p : plugins_) {
    if (is_connector_type(p.type)) connectors.push_back(&p);
  }
  std::stable_sort(connectors.begin(), connectors.end(), [](const auto* a, const auto* b) {
    return std::pair(type_rank(a->type), a->class_name) < std::pair(type_rank(b->type), b->class_name);
  });
  std::vector<std::string> descriptions;
  for (const auto* p : connectors) descriptions.push_back(plugin_desc(*p));
  throw RestError(500, "Failed to find any class that implements Connector and which name matches " + class_or_alias +
                           ", available connectors are: " + join(descriptions, ", "));
}

// AbstractHerder.validateConnectorConfig: the ConfigInfos entity, or an exception for a
// config without a class (400) or with an unknown one (500).
Json ConnectDouble::Impl::validate_connector_config(const RawConfig& config) const {
  const auto class_entry = config.find("connector.class");
  if (class_entry == config.end() || !class_entry->second) {
    // Kafka 4.x no longer echoes the config (it may hold secrets); verified on 4.3.2.
    bad_request(version_ >= Version{4, 0} ? std::string("Connector config contains no connector type")
                                          : "Connector config " + java_map(config) + " contains no connector type");
  }
  const std::string& connector_class = *class_entry->second;
  const ConnectDoublePlugin& plugin = connector_plugin(connector_class);

  const Json& framework_keys = base_keys(plugin.type);
  std::vector<ConfigValue> values = validate_keys(framework_keys, config);
  if (plugin.type == "sink") {
    auto has = [&](const char* key) {
      const auto it = config.find(key);
      return it != config.end() && it->second && !trim(*it->second).empty();
    };
    const bool topics = has("topics");
    const bool regex = has("topics.regex");
    std::optional<std::string> error;
    if (topics && regex) error = "topics and topics.regex are mutually exclusive options, but both are set.";
    if (!topics && !regex) error = "Must configure one of topics or topics.regex";
    // SinkConnectorConfig.validate reports the problem on both keys, so it counts twice.
    if (error) {
      for (const char* key : {"topics", "topics.regex"}) {
        if (ConfigValue* v = find_value(values, key)) v->errors.push_back(*error);
      }
    }
  }
  Json plugin_keys = Json::array();
  for (const auto& key : plugin.config_keys) plugin_keys.push_back(canonical_key(Json(key)));
  // One entry per key: Connect keeps only the last ConfigValue of a name, which would drop
  // the null-value error of a plugin-defined key and let the null through.
  for (auto& v : validate_keys(plugin_keys, config)) {
    if (ConfigValue* same = find_value(values, v.name)) {
      same->value = std::move(v.value);
      same->errors.insert(same->errors.end(), v.errors.begin(), v.errors.end());
    } else {
      values.push_back(std::move(v));
    }
  }
  for (const auto& [key, value] : config) {
    if (value) continue;
    ConfigValue* v = find_value(values, key);
    if (v == nullptr) {
      values.push_back(ConfigValue{key, std::nullopt, {}});
      v = &values.back();
    }
    v->errors.push_back("Null value can not be supplied as the configuration value.");
  }

  // AbstractHerder.generateResult: values without a definition first, then every
  // definition in order (a plugin's definition replaces a framework one of the same name).
  Json definitions = framework_keys;
  for (const auto& key : plugin_keys) {
    const auto same = std::find_if(definitions.begin(), definitions.end(),
                                   [&](const Json& d) { return d["name"] == key["name"]; });
    if (same != definitions.end()) {
      *same = key;
    } else {
      definitions.push_back(key);
    }
  }
  std::map<std::string, const ConfigValue*> by_name;
  for (const auto& v : values) by_name[v.name] = &v;

  int error_count = 0;
  Json configs = Json::array();
  for (const auto& v : values) {
    const bool defined = std::any_of(definitions.begin(), definitions.end(),
                                     [&](const Json& d) { return d["name"] == v.name; });
    if (defined) continue;
    configs.push_back(Json{{"definition", Json()}, {"value", value_info(v)}});
    error_count += static_cast<int>(v.errors.size());
  }
  std::vector<std::string> groups;
  for (const auto& definition : definitions) {
    const std::string name = definition["name"].get<std::string>();
    const auto found = by_name.find(name);
    Json value;
    if (found != by_name.end()) {
      value = value_info(*found->second);
      error_count += static_cast<int>(found->second->errors.size());
    }
    configs.push_back(Json{{"definition", definition}, {"value", value}});
    if (definition["group"].is_string()) {
      const std::string group = definition["group"].get<std::string>();
      if (std::find(groups.begin(), groups.end(), group) == groups.end()) groups.push_back(group);
    }
  }
  return Json{{"name", connector_class}, {"error_count", error_count}, {"groups", groups}, {"configs", configs}};
}

void ConnectDouble::Impl::require_valid(const RawConfig& config) const {
  const Json infos = validate_connector_config(config);
  if (infos["error_count"].get<int>() > 0) bad_request(invalid_config_message(infos));
}

// What a task shows right after it starts: its sticky failure, or the target's state.
TaskStatus ConnectDouble::Impl::started_task(const ConnectorRecord& record, std::size_t task) const {
  if (const auto sticky = record.sticky_task_traces.find(task); sticky != record.sticky_task_traces.end()) {
    return TaskStatus{"FAILED", sticky->second};
  }
  return TaskStatus{running_state(record.target), ""};
}

void ConnectDouble::Impl::start_connector(ConnectorRecord& record) const {
  record.restart_due.reset();
  if (record.sticky_trace) {
    record.state = "FAILED";
    record.trace = *record.sticky_trace;
  } else {
    record.state = running_state(record.target);
    record.trace.clear();
  }
}

// A restart requested through the REST API: at once, or RESTARTING until the delay set
// by delay_restarts() has passed. RESTARTING carries no trace, as Connect writes a fresh
// status for it.
void ConnectDouble::Impl::begin_task_restart(ConnectorRecord& record, std::size_t task) const {
  if (restart_delay_.count() == 0) {
    record.tasks[task] = started_task(record, task);
  } else {
    record.tasks[task] = TaskStatus{"RESTARTING", "", SteadyClock::now() + restart_delay_};
  }
}

void ConnectDouble::Impl::begin_connector_restart(ConnectorRecord& record) const {
  if (restart_delay_.count() == 0) {
    start_connector(record);
  } else {
    record.state = "RESTARTING";
    record.trace.clear();
    record.restart_due = SteadyClock::now() + restart_delay_;
  }
}

// Completes the delayed restarts that are due. The outcome follows the target state and
// stickiness at completion time, so a pause or heal() during the restart counts.
void ConnectDouble::Impl::settle(ConnectorRecord& record) const {
  const auto now = SteadyClock::now();
  if (record.restart_due && *record.restart_due <= now) start_connector(record);
  for (std::size_t i = 0; i < record.tasks.size(); ++i) {
    if (record.tasks[i].restart_due && *record.tasks[i].restart_due <= now) record.tasks[i] = started_task(record, i);
  }
}

void ConnectDouble::Impl::settle_all() {
  for (auto& [name, record] : connectors_) settle(record);
}

// Brings statuses in line with the target state and config. Real workers do this
// asynchronously after the REST call returns; the double does it at once so tests are
// deterministic (a status read right after a write already shows the outcome).
// restart_failed (a config write) restarts everything, at once. Otherwise RUNNING and
// PAUSED just follow the target, FAILED stays, RESTARTING completes later, and what is
// not running (UNASSIGNED, STOPPED, new tasks) is started, so sticky failures recur.
void ConnectDouble::Impl::reconcile(const std::string& name, ConnectorRecord& record, bool restart_failed) {
  if (record.target == TargetState::kStopped) {
    record.state = "STOPPED";
    record.trace.clear();
    record.restart_due.reset();
    record.tasks.clear();
    return;
  }
  const std::string healthy = running_state(record.target);
  auto follows_target = [](const std::string& state) { return state == "RUNNING" || state == "PAUSED"; };
  if (restart_failed || (!follows_target(record.state) && record.state != "FAILED" && record.state != "RESTARTING")) {
    start_connector(record);
  } else if (follows_target(record.state)) {
    record.state = healthy;
  }
  const auto max_tasks = record.config.contains("tasks.max") ? parse_int(trim(record.config.at("tasks.max"))) : 1;
  // New tasks are unassigned until the loop below starts them.
  record.tasks.resize(static_cast<std::size_t>(std::max(1, max_tasks.value_or(1))), TaskStatus{"UNASSIGNED", ""});
  for (std::size_t i = 0; i < record.tasks.size(); ++i) {
    TaskStatus& task = record.tasks[i];
    if (restart_failed || (!follows_target(task.state) && task.state != "FAILED" && task.state != "RESTARTING")) {
      task = started_task(record, i);
    } else if (follows_target(task.state)) {
      task = TaskStatus{healthy, ""};
    }
  }
  if (record.type == "sink" && record.target == TargetState::kStarted && record.config.contains("topics")) {
    for (const auto& topic : split(record.config.at("topics"), ',')) {
      if (!trim(topic).empty()) active_topics_[name].insert(trim(topic));
    }
  }
}

// Herder.putConnectorConfig behind POST /connectors and PUT /connectors/{c}/config.
Reply ConnectDouble::Impl::put_connector(const Call& call, const std::string& name, RawConfig config,
                                         TargetState initial, bool allow_replace) {
  require_valid(config);
  const auto it = connectors_.find(name);
  if (it != connectors_.end() && !allow_replace) {
    throw RestError(409, "Connector " + name + " already exists", "org.apache.kafka.connect.errors.AlreadyExistsException");
  }
  Config clean;
  for (auto& [key, value] : config) {
    if (value) clean[key] = std::move(*value);  // validation has rejected nulls already
  }

  if (it != connectors_.end()) {
    ConnectorRecord& record = it->second;
    Json info = info_json(name, record);  // the reply shows the tasks from before the update
    // A new config is a new connector as far as injected failures go.
    record.sticky_trace.reset();
    record.sticky_task_traces.clear();
    if (options_.config_update_delay.count() > 0 && record.config != clean) {
      previous_configs_.insert_or_assign(
          name, std::make_pair(record.config, std::chrono::steady_clock::now() + options_.config_update_delay));
    }
    record.config = std::move(clean);
    record.type = connector_plugin(record.config.at("connector.class")).type;
    info["config"] = config_json(record.config);
    info["type"] = record.type;
    reconcile(name, record, true);
    return json_reply(200, info);
  }

  ConnectorRecord record;
  record.config = std::move(clean);
  record.type = connector_plugin(record.config.at("connector.class")).type;
  record.target = initial;
  reconcile(name, record, true);
  Json info = info_json(name, record);
  info["tasks"] = Json::array();  // tasks are generated after the config is written
  connectors_.emplace(name, std::move(record));
  Reply reply = json_reply(201, info);
  reply.headers.emplace_back("Location", location(call, name));
  return reply;
}

std::string ConnectDouble::Impl::location(const Call& call, const std::string& name) const {
  const std::string host = call.http.get_header_value("Host");
  const std::string base = host.empty() ? url() : scheme() + "://" + host;
  return base + "/connectors/" + percent_encode_segment(name);
}

Json ConnectDouble::Impl::info_json(const std::string& name, const ConnectorRecord& record) const {
  Json tasks = Json::array();
  for (std::size_t i = 0; i < record.tasks.size(); ++i) tasks.push_back(Json{{"connector", name}, {"task", i}});
  return Json{{"name", name}, {"config", config_json(record.config)}, {"tasks", tasks}, {"type", record.type}};
}

Json ConnectDouble::Impl::state_json(const std::string& state, const std::string& trace) const {
  Json out{{"state", state}, {"worker_id", worker_id()}};
  if (!trace.empty()) out["trace"] = trace;
  return out;
}

Json ConnectDouble::Impl::task_state_json(int id, const TaskStatus& task) const {
  Json out{{"id", id}, {"state", task.state}, {"worker_id", worker_id()}};
  if (!task.trace.empty()) out["trace"] = task.trace;
  return out;
}

Json ConnectDouble::Impl::status_json(const std::string& name, const ConnectorRecord& record) const {
  Json tasks = Json::array();
  for (std::size_t i = 0; i < record.tasks.size(); ++i) {
    tasks.push_back(task_state_json(static_cast<int>(i), record.tasks[i]));
  }
  Json status{{"name", name}, {"connector", state_json(record.state, record.trace)}, {"tasks", tasks},
              {"type", record.type}};
  // Kafka 4.1 (KIP-891) names the plugin version running each instance and task.
  if (version_ >= Version{4, 1}) {
    const ConnectDoublePlugin* plugin = find_plugin(record.config.at("connector.class"));
    if (plugin != nullptr && !plugin->version.empty()) {
      status["connector"]["version"] = plugin->version;
      for (auto& task : status["tasks"]) task["version"] = plugin->version;
    }
  }
  return status;
}

// Task configs are derived from the connector config, as the simple connectors do.
Json ConnectDouble::Impl::task_config_json(const ConnectorRecord& record) const {
  Json config = config_json(record.config);
  const std::string& connector_class = record.config.at("connector.class");
  const ConnectDoublePlugin* plugin = find_plugin(connector_class);
  std::string task_class = plugin != nullptr ? plugin->class_name : connector_class;
  // Debezium names its tasks <Connector>Task; the Apache connectors replace the suffix.
  if (task_class.ends_with("Connector") && !task_class.starts_with("io.debezium.")) {
    task_class.resize(task_class.size() - std::string_view("Connector").size());
  }
  config["task.class"] = task_class + "Task";
  return config;
}

void ConnectDouble::Impl::require_stopped(const std::string& name, const ConnectorRecord& record) const {
  if (record.target == TargetState::kStopped && record.tasks.empty()) return;
  bad_request("Connectors must be in the STOPPED state before their offsets can be modified. This can be done for "
              "the specified connector by issuing a 'PUT' request to the '/connectors/" + name + "/stop' endpoint");
}

// ---------------------------------------------------------------------------------------
// State file: what a worker finds again in its config and offsets topics after a restart.
// Statuses, stickiness and injected faults are not kept; a restarted worker starts its
// connectors afresh.

Json ConnectDouble::Impl::state_document() const {
  Json connectors = Json::object();
  for (const auto& [name, record] : connectors_) {
    connectors[name] = Json{{"config", config_json(record.config)},
                            {"type", record.type},
                            {"target_state", target_state_name(record.target)},
                            {"offsets", record.offsets}};
  }
  return Json{{"connectors", connectors}};
}

void ConnectDouble::Impl::load_state() {
  const std::string& path = options_.state_file;
  std::error_code error;
  if (!std::filesystem::exists(path, error)) {
    persist();  // creates the file now, so a bad path fails the start, not a later request
    return;
  }
  std::ifstream in(path, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in) throw std::runtime_error("connect double: cannot read state file " + path);
  try {
    const Json document = Json::parse(text);
    for (const auto& [name, entry] : document.at("connectors").items()) {
      ConnectorRecord record;
      for (const auto& [key, value] : entry.at("config").items()) record.config[key] = value.get<std::string>();
      record.type = entry.at("type").get<std::string>();
      const auto target = parse_target_state(entry.at("target_state").get<std::string>());
      if (!target) throw std::runtime_error("unknown target_state " + entry.at("target_state").dump());
      record.target = *target;
      record.offsets = entry.value("offsets", Json::array());
      reconcile(name, record, true);
      connectors_.emplace(name, std::move(record));
    }
  } catch (const std::exception& e) {  // nlohmann's parse/type errors and ours alike
    throw std::runtime_error("connect double: bad state file " + path + ": " + e.what());
  }
  last_saved_ = state_document().dump(2);
}

// Writes the state file when its content changed. Temp file plus rename, so a process
// killed mid-write leaves the old or the new file, never half of one. No fsync: the file
// must survive the process, not the machine.
void ConnectDouble::Impl::persist() {
  if (options_.state_file.empty()) return;
  std::string text = state_document().dump(2);
  if (text == last_saved_) return;
  const std::string& path = options_.state_file;
  const std::string temp = path + ".tmp." + std::to_string(::getpid());
  std::error_code error;
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << text << '\n';
    out.close();
    if (!out) {
      std::filesystem::remove(temp, error);
      throw std::runtime_error("connect double: cannot write state file " + temp);
    }
  }
  std::filesystem::rename(temp, path, error);
  if (error) {
    std::filesystem::remove(temp, error);
    throw std::runtime_error("connect double: cannot replace state file " + path);
  }
  last_saved_ = std::move(text);
}

// ---------------------------------------------------------------------------------------
// Root

Reply ConnectDouble::Impl::get_root(const Call&) {
  return json_reply(200, Json{{"version", options_.version},
                              {"commit", "c0ffeed0ab1e5eed"},
                              {"kafka_cluster_id", options_.kafka_cluster_id}});
}

Reply ConnectDouble::Impl::get_health(const Call&) {
  return json_reply(200, Json{{"status", "healthy"},
                              {"message", "Worker has completed startup and is ready to handle requests."}});
}

// ---------------------------------------------------------------------------------------
// Connectors

Reply ConnectDouble::Impl::list_connectors(const Call& call) {
  if (!call.has_query("expand")) {
    Json names = Json::array();
    for (const auto& [name, record] : connectors_) names.push_back(name);
    return json_reply(200, names);
  }
  Json out = Json::object();
  for (const auto& [name, record] : connectors_) {
    Json expansions = Json::object();
    for (const auto& expansion : call.query_all("expand")) {
      if (expansion == "status") expansions["status"] = status_json(name, record);
      if (expansion == "info") expansions["info"] = info_json(name, record);
    }
    out[name] = expansions;
  }
  return json_reply(200, out);
}

Reply ConnectDouble::Impl::create_connector(const Call& call) {
  static constexpr std::string_view kRequestClass =
      "org.apache.kafka.connect.runtime.rest.entities.CreateConnectorRequest";
  const Json entity = parse_entity(call.body);
  if (entity.is_null()) null_entity();
  if (!entity.is_object()) cannot_deserialize(kRequestClass, entity);
  reject_unknown_fields(entity, kRequestClass, {"name", "config", "initial_state"});

  TargetState initial = TargetState::kStarted;
  if (entity.contains("initial_state") && !entity["initial_state"].is_null()) {
    const std::string state = upper(as_java_string(entity["initial_state"]).value_or(""));
    if (state == "PAUSED") {
      initial = TargetState::kPaused;
    } else if (state == "STOPPED") {
      initial = TargetState::kStopped;
    } else if (state != "RUNNING") {
      throw RestError(500, "Cannot construct instance of `" + std::string(kRequestClass) +
                               "$InitialState`, problem: No enum constant " + std::string(kRequestClass) +
                               ".InitialState." + state);
    }
  }
  const bool has_config = entity.contains("config") && !entity["config"].is_null();
  RawConfig config = has_config ? as_config_map(entity["config"]) : RawConfig{};
  // The resource trims the name and treats a missing one as empty (a validation error).
  const std::string name = trim(entity.contains("name") ? as_java_string(entity["name"]).value_or("") : "");
  if (!has_config) {
    // What a worker on Java 14+ answers (a "helpful" NullPointerException message).
    throw RestError(500, std::string("Cannot invoke \"java.util.Map.get(Object)\" because \"connectorConfig\" is null"),
                    "java.lang.NullPointerException");
  }

  const auto included = config.find("name");
  if (included != config.end() && included->second) {
    if (*included->second != name) {
      bad_request("Connector name configuration (" + *included->second +
                  ") doesn't match connector name in the URL (" + name + ")");
    }
  } else {
    config["name"] = name;
  }
  return put_connector(call, name, std::move(config), initial, false);
}

Reply ConnectDouble::Impl::get_connector(const Call& call) {
  const std::string& name = call.arg(0);
  return json_reply(200, info_json(name, existing(name, "Connector " + name + " not found")));
}

Reply ConnectDouble::Impl::delete_connector(const Call& call) {
  const std::string& name = call.arg(0);
  ConnectorRecord& record = existing(name, "Connector " + name + " not found");
  if (options_.delete_stop_delay.count() > 0) {
    stopping_.insert_or_assign(name, std::make_pair(record, std::chrono::steady_clock::now() + options_.delete_stop_delay));
  }
  connectors_.erase(name);
  active_topics_.erase(name);
  previous_configs_.erase(name);
  return empty_reply(204);
}

Reply ConnectDouble::Impl::get_config(const Call& call) {
  const std::string& name = call.arg(0);
  const ConnectorRecord& record = existing(name, "Connector " + name + " not found");
  if (auto previous = previous_configs_.find(name); previous != previous_configs_.end()) {
    if (std::chrono::steady_clock::now() < previous->second.second) return json_reply(200, config_json(previous->second.first));
    previous_configs_.erase(previous);
  }
  return json_reply(200, config_json(record.config));
}

Reply ConnectDouble::Impl::put_config(const Call& call) {
  const std::string& name = call.arg(0);
  const Json entity = parse_entity(call.body);
  if (entity.is_null()) null_entity();
  RawConfig config = as_config_map(entity);
  const auto included = config.find("name");
  if (included != config.end() && included->second) {
    if (*included->second != name) {
      bad_request("Connector name configuration (" + *included->second +
                  ") doesn't match connector name in the URL (" + name + ")");
    }
  } else {
    config["name"] = name;
  }
  return put_connector(call, name, std::move(config), TargetState::kStarted, true);
}

Reply ConnectDouble::Impl::patch_config(const Call& call) {
  const std::string& name = call.arg(0);
  const Json entity = parse_entity(call.body);
  const RawConfig patch = entity.is_null() ? RawConfig{} : as_config_map(entity);
  ConnectorRecord& record = existing(name, "Connector " + name + " not found");
  if (entity.is_null()) null_entity();
  // ConnectUtils.patchConfig: null removes a key, anything else sets it.
  RawConfig merged(record.config.begin(), record.config.end());
  for (const auto& [key, value] : patch) {
    if (value) {
      merged[key] = value;
    } else {
      merged.erase(key);
    }
  }
  return put_connector(call, name, std::move(merged), record.target, true);
}

Reply ConnectDouble::Impl::get_status(const Call& call) {
  const std::string& name = call.arg(0);
  if (!connectors_.contains(name)) {
    if (auto stopping = stopping_.find(name); stopping != stopping_.end()) {
      if (std::chrono::steady_clock::now() < stopping->second.second) {
        return json_reply(200, status_json(name, stopping->second.first));
      }
      stopping_.erase(stopping);
    }
  }
  return json_reply(200, status_json(name, existing(name, "No status found for connector " + name)));
}

Reply ConnectDouble::Impl::get_tasks(const Call& call) {
  const std::string& name = call.arg(0);
  const ConnectorRecord& record = existing(name, "Connector " + name + " not found");
  Json tasks = Json::array();
  for (std::size_t i = 0; i < record.tasks.size(); ++i) {
    tasks.push_back(Json{{"id", Json{{"connector", name}, {"task", i}}}, {"config", task_config_json(record)}});
  }
  return json_reply(200, tasks);
}

Reply ConnectDouble::Impl::get_tasks_config(const Call& call) {
  const std::string& name = call.arg(0);
  const ConnectorRecord& record = existing(name, "Connector " + name + " not found");
  Json out = Json::object();
  for (std::size_t i = 0; i < record.tasks.size(); ++i) out[name + "-" + std::to_string(i)] = task_config_json(record);
  return json_reply(200, out);
}

Reply ConnectDouble::Impl::get_task_status(const Call& call) {
  const std::string& name = call.arg(0);
  const auto task = parse_int(call.arg(1));
  if (!task) return jersey_error(404);  // Jersey cannot convert the path parameter
  const std::string message = "No status found for task " + name + "-" + std::to_string(*task);
  const ConnectorRecord& record = existing(name, message);
  if (*task < 0 || static_cast<std::size_t>(*task) >= record.tasks.size()) not_found(message);
  return json_reply(200, task_state_json(*task, record.tasks[static_cast<std::size_t>(*task)]));
}

Reply ConnectDouble::Impl::restart_task(const Call& call) {
  const std::string& name = call.arg(0);
  const auto task = parse_int(call.arg(1));
  if (!task) return jersey_error(404);
  ConnectorRecord& record = existing(name, "Unknown connector: " + name);
  if (*task < 0 || static_cast<std::size_t>(*task) >= record.tasks.size()) {
    not_found("Unknown task: " + name + "-" + std::to_string(*task));
  }
  begin_task_restart(record, static_cast<std::size_t>(*task));
  return empty_reply(204);
}

Reply ConnectDouble::Impl::restart_connector(const Call& call) {
  const std::string& name = call.arg(0);
  // Jersey converts Boolean query parameters with Boolean.valueOf.
  const bool include_tasks = lower(call.query("includeTasks")) == "true";
  const bool only_failed = lower(call.query("onlyFailed")) == "true";
  ConnectorRecord& record = existing(name, "Unknown connector: " + name);

  if (!include_tasks && !only_failed) {
    begin_connector_restart(record);
    return empty_reply(204);
  }
  // The 202 body is the plan (what will restart), computed before anything restarts.
  Json snapshot = status_json(name, record);
  if (!only_failed || record.state == "FAILED") {
    snapshot["connector"]["state"] = "RESTARTING";
    begin_connector_restart(record);
  }
  for (std::size_t i = 0; i < record.tasks.size(); ++i) {
    if (include_tasks && (!only_failed || record.tasks[i].state == "FAILED")) {
      snapshot["tasks"][i]["state"] = "RESTARTING";
      begin_task_restart(record, i);
    }
  }
  return json_reply(202, snapshot);
}

Reply ConnectDouble::Impl::stop_connector(const Call& call) {
  const std::string& name = call.arg(0);
  ConnectorRecord& record = existing(name, "Unknown connector " + name);
  record.target = TargetState::kStopped;
  reconcile(name, record, false);
  return empty_reply(204);
}

Reply ConnectDouble::Impl::pause_connector(const Call& call) {
  const std::string& name = call.arg(0);
  ConnectorRecord& record = existing(name, "Unknown connector " + name);
  record.target = TargetState::kPaused;
  reconcile(name, record, false);
  return empty_reply(202);
}

Reply ConnectDouble::Impl::resume_connector(const Call& call) {
  const std::string& name = call.arg(0);
  ConnectorRecord& record = existing(name, "Unknown connector " + name);
  record.target = TargetState::kStarted;
  reconcile(name, record, false);
  return empty_reply(202);
}

// Worker-to-worker endpoints; a client never has the session key to sign them.
Reply ConnectDouble::Impl::internal_request(const Call& call) {
  if (!call.http.has_header("X-Connect-Authorization") ||
      !call.http.has_header("X-Connect-Request-Signature-Algorithm")) {
    bad_request("Internal request missing required signature");
  }
  throw RestError(403, "Internal request contained invalid signature.");
}

Reply ConnectDouble::Impl::get_topics(const Call& call) {
  if (!options_.topic_tracking) throw RestError(403, "Topic tracking is disabled.");
  const std::string& name = call.arg(0);
  Json topics = Json::array();
  if (const auto it = active_topics_.find(name); it != active_topics_.end()) {
    for (const auto& topic : it->second) topics.push_back(topic);
  }
  return json_reply(200, Json{{name, Json{{"topics", topics}}}});
}

Reply ConnectDouble::Impl::reset_topics(const Call& call) {
  if (!options_.topic_tracking) throw RestError(403, "Topic tracking is disabled.");
  if (!options_.topic_tracking_allow_reset) throw RestError(403, "Topic tracking reset is disabled.");
  active_topics_.erase(call.arg(0));
  return empty_reply(202);
}

Reply ConnectDouble::Impl::get_offsets(const Call& call) {
  const std::string& name = call.arg(0);
  return json_reply(200, Json{{"offsets", existing(name, "Connector " + name + " not found").offsets}});
}

namespace {

struct OffsetEntry {
  Json partition;  // null when missing
  Json offset;     // null resets the partition
};

// Jackson's view of a ConnectorOffsets body; shape errors are 500s.
std::vector<OffsetEntry> offsets_from_entity(const Json& entity) {
  static constexpr std::string_view kOffsetsClass = "org.apache.kafka.connect.runtime.rest.entities.ConnectorOffsets";
  static constexpr std::string_view kOffsetClass = "org.apache.kafka.connect.runtime.rest.entities.ConnectorOffset";
  std::vector<OffsetEntry> entries;
  if (entity.is_null()) return entries;
  if (!entity.is_object()) cannot_deserialize(kOffsetsClass, entity);
  reject_unknown_fields(entity, kOffsetsClass, {"offsets"});
  if (!entity.contains("offsets") || entity["offsets"].is_null()) return entries;
  if (!entity["offsets"].is_array()) cannot_deserialize("java.util.List<" + std::string(kOffsetClass) + ">", entity["offsets"]);
  for (const auto& element : entity["offsets"]) {
    if (element.is_null()) throw RestError(500, std::nullopt, "java.lang.NullPointerException");
    if (!element.is_object()) cannot_deserialize(kOffsetClass, element);
    reject_unknown_fields(element, kOffsetClass, {"partition", "offset"});
    OffsetEntry entry{element.value("partition", Json()), element.value("offset", Json())};
    for (const Json* map : {&entry.partition, &entry.offset}) {
      if (!map->is_null() && !map->is_object()) cannot_deserialize("java.util.Map<java.lang.String,java.lang.Object>", *map);
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

// SinkUtils.parseSinkConnectorOffsets: validates and normalises to numbers.
std::vector<OffsetEntry> parse_sink_offsets(const std::vector<OffsetEntry>& entries) {
  std::vector<OffsetEntry> parsed;
  for (const auto& entry : entries) {
    const Json& partition = entry.partition;
    if (partition.is_null()) bad_request("The partition for a sink connector offset cannot be null or missing");
    if (!partition.contains("kafka_topic") || !partition.contains("kafka_partition")) {
      bad_request("The partition for a sink connector offset must contain the keys 'kafka_topic' and 'kafka_partition'");
    }
    if (partition["kafka_topic"].is_null()) bad_request("Kafka topic names must be valid strings and may not be null");
    if (partition["kafka_partition"].is_null()) {
      bad_request("Kafka partitions must be valid numbers and may not be null");
    }
    const auto kafka_partition = parse_int(java_string(partition["kafka_partition"]));
    if (!kafka_partition) {
      bad_request("Failed to parse the following Kafka partition value in the provided offsets: '" +
                  java_string(partition["kafka_partition"]) +
                  "'. Partition values for sink connectors need to be integers.");
    }
    OffsetEntry normalised{Json{{"kafka_topic", java_string(partition["kafka_topic"])},
                                {"kafka_partition", *kafka_partition}},
                           Json()};
    if (!entry.offset.is_null()) {
      if (!entry.offset.contains("kafka_offset")) {
        bad_request("The offset for a sink connector should either be null or contain the key 'kafka_offset'");
      }
      const auto kafka_offset = parse_long(java_string(entry.offset["kafka_offset"]));
      if (!kafka_offset) {
        bad_request("Failed to parse the following Kafka offset value in the provided offsets: '" +
                    java_string(entry.offset["kafka_offset"]) +
                    "'. Offset values for sink connectors need to be integers.");
      }
      normalised.offset = Json{{"kafka_offset", *kafka_offset}};
    }
    parsed.push_back(std::move(normalised));
  }
  return parsed;
}

// OffsetUtils.validateFormat for source offsets: only primitive values.
void validate_source_offsets(const std::vector<OffsetEntry>& entries) {
  for (const auto& entry : entries) {
    for (const Json* map : {&entry.partition, &entry.offset}) {
      if (map->is_null()) continue;
      for (const auto& [key, value] : map->items()) {
        if (!value.is_structured()) continue;
        throw RestError(500, "Offsets may only contain primitive types as values, but field " + key + " contains " +
                                 (value.is_object() ? "MAP" : "ARRAY"),
                        "org.apache.kafka.connect.errors.DataException");
      }
    }
  }
}

// Partitions are maps, so key order must not matter when matching them.
void merge_offset(Json& stored, const OffsetEntry& entry) {
  const nlohmann::json key(entry.partition);
  const auto same = std::find_if(stored.begin(), stored.end(),
                                 [&](const Json& e) { return nlohmann::json(e.value("partition", Json())) == key; });
  if (entry.offset.is_null()) {
    if (same != stored.end()) stored.erase(same);
  } else if (same != stored.end()) {
    (*same)["offset"] = entry.offset;
  } else {
    stored.push_back(Json{{"partition", entry.partition}, {"offset", entry.offset}});
  }
}

}  // namespace

Reply ConnectDouble::Impl::alter_offsets(const Call& call) {
  const std::string& name = call.arg(0);
  std::vector<OffsetEntry> entries = offsets_from_entity(parse_entity(call.body));
  if (entries.empty()) bad_request("Partitions / offsets need to be provided for an alter offsets request");
  ConnectorRecord& record = existing(name, "Connector " + name + " not found");
  require_stopped(name, record);
  maybe_fail_offset_write(name);
  if (record.type == "sink") {
    entries = parse_sink_offsets(entries);
  } else {
    validate_source_offsets(entries);
  }
  for (const auto& entry : entries) merge_offset(record.offsets, entry);
  return json_reply(200, Json{{"message",
                               "The Connect framework-managed offsets for this connector have been altered "
                               "successfully. However, if this connector manages offsets externally, they will "
                               "need to be manually altered in the system that the connector uses."}});
}

Reply ConnectDouble::Impl::reset_offsets(const Call& call) {
  const std::string& name = call.arg(0);
  ConnectorRecord& record = existing(name, "Connector " + name + " not found");
  require_stopped(name, record);
  maybe_fail_offset_write(name);
  record.offsets = Json::array();
  return json_reply(200, Json{{"message",
                               "The Connect framework-managed offsets for this connector have been reset "
                               "successfully. However, if this connector manages offsets externally, they will "
                               "need to be manually reset in the system that the connector uses."}});
}

// ---------------------------------------------------------------------------------------
// Connector plugins

Reply ConnectDouble::Impl::list_plugins(const Call& call) {
  const bool connectors_only = !call.has_query("connectorsOnly") || lower(call.query("connectorsOnly")) == "true";
  std::vector<const ConnectDoublePlugin*> listed;
  for (const auto& plugin : plugins_) {
    if (!connectors_only || is_connector_type(plugin.type)) listed.push_back(&plugin);
  }
  std::stable_sort(listed.begin(), listed.end(), [](const auto* a, const auto* b) {
    return std::pair(type_rank(a->type), a->class_name) < std::pair(type_rank(b->type), b->class_name);
  });
  Json out = Json::array();
  for (const auto* plugin : listed) {
    Json info{{"class", plugin->class_name}, {"type", plugin->type}};
    if (!plugin->version.empty()) info["version"] = plugin->version;
    out.push_back(info);
  }
  return json_reply(200, out);
}

Reply ConnectDouble::Impl::plugin_config(const Call& call) {
  const std::string& name = call.arg(0);
  // Classes that load but are no plugin of any kind.
  if (name == "java.lang.Object" || name == "java.lang.String") {
    bad_request("Invalid plugin class " + name +
                ". Valid types are sink, source, converter, header_converter, transformation, predicate.");
  }
  const ConnectDoublePlugin* plugin = find_plugin(name);
  if (plugin == nullptr) not_found("Unknown plugin " + name + ".");
  Json keys = Json::array();
  for (const auto& key : plugin->config_keys) keys.push_back(canonical_key(Json(key)));
  if (is_connector_type(plugin->type)) {
    for (const auto& key : base_keys(plugin->type)) {
      const bool shadowed =
          std::any_of(keys.begin(), keys.end(), [&](const Json& k) { return k["name"] == key["name"]; });
      if (!shadowed) keys.push_back(key);
    }
  }
  return json_reply(200, keys);
}

Reply ConnectDouble::Impl::validate_plugin_config(const Call& call) {
  const std::string& requested = call.arg(0);
  const Json entity = parse_entity(call.body);
  if (entity.is_null()) null_entity();
  const RawConfig config = as_config_map(entity);
  auto normalized = [](std::string name) {
    if (name.ends_with("Connector")) name.resize(name.size() - std::string_view("Connector").size());
    return name;
  };
  const auto included = config.find("connector.class");
  if (included != config.end() && included->second &&
      !normalized(*included->second).ends_with(normalized(requested))) {
    bad_request("Included connector type " + *included->second + " does not match request type " + requested);
  }
  try {
    return json_reply(200, validate_connector_config(config));
  } catch (const RestError& e) {
    // The resource does not unwrap the ExecutionException, so the cause's class leaks into
    // the message and the status is always 500.
    throw RestError(500, e.java_class() + ": " + e.message().value_or("null"));
  }
}

// ---------------------------------------------------------------------------------------
// Admin loggers

std::string ConnectDouble::Impl::effective_level(const std::string& logger) const {
  std::string name = logger;
  while (!name.empty()) {
    const auto it = loggers_.find(name);
    if (it != loggers_.end() && it->second.level) return *it->second.level;
    const auto dot = name.find_last_of('.');
    name = dot == std::string::npos ? "" : name.substr(0, dot);
  }
  return root_logger_.level.value_or("DEBUG");
}

// Loggers.setLevel(Logger, Level): a logger already at the level keeps no explicit level
// and no modification time.
void ConnectDouble::Impl::apply_level(const std::string& name, LoggerState& state, const std::string& level,
                                      long long now) {
  const std::string current = state.level ? *state.level : effective_level(name);
  if (current == level) return;
  state.level = level;
  state.last_modified = now;
}

std::vector<std::string> ConnectDouble::Impl::set_logger_level(const std::string& name_space, const std::string& level) {
  const long long now = epoch_millis();
  std::vector<std::string> changed;
  if (name_space == "root") {
    for (auto& [name, state] : loggers_) {
      apply_level(name, state, level, now);
      changed.push_back(name);
    }
    if (root_logger_.level != level) {
      root_logger_.level = level;
      root_logger_.last_modified = now;
    }
    changed.push_back("root");
  } else {
    // log4j's namespace match is a plain prefix test, not a dotted-hierarchy one. Loggers
    // looks the namespace logger up last, so its children are compared with the old
    // inherited level and each gets an explicit level of its own.
    for (auto& [name, state] : loggers_) {
      if (name == name_space || !name.starts_with(name_space)) continue;
      apply_level(name, state, level, now);
      changed.push_back(name);
    }
    apply_level(name_space, loggers_[name_space], level, now);
    changed.push_back(name_space);
  }
  std::sort(changed.begin(), changed.end());
  return changed;
}

Reply ConnectDouble::Impl::list_loggers(const Call&) {
  std::map<std::string, Json> levels;
  for (const auto& [name, state] : loggers_) {
    if (!state.level) continue;
    levels[name] = Json{{"level", *state.level},
                        {"last_modified", state.last_modified ? Json(*state.last_modified) : Json()}};
  }
  if (root_logger_.level) {
    levels["root"] = Json{{"level", *root_logger_.level},
                          {"last_modified", root_logger_.last_modified ? Json(*root_logger_.last_modified) : Json()}};
  }
  Json out = Json::object();
  for (auto& [name, level] : levels) out[name] = std::move(level);
  return json_reply(200, out);
}

Reply ConnectDouble::Impl::get_logger(const Call& call) {
  const std::string& name = call.arg(0);
  const LoggerState* state = nullptr;
  std::string level;
  if (lower(name) == "root") {
    state = &root_logger_;
    level = root_logger_.level.value_or("DEBUG");
  } else if (const auto it = loggers_.find(name); it != loggers_.end()) {
    state = &it->second;
    level = effective_level(name);
  } else {
    not_found("Logger " + name + " not found.");
  }
  return json_reply(200, Json{{"level", level},
                              {"last_modified", state->last_modified ? Json(*state->last_modified) : Json()}});
}

Reply ConnectDouble::Impl::set_logger(const Call& call) {
  const std::string& name_space = call.arg(0);
  const Json entity = parse_entity(call.body);
  if (entity.is_null()) null_entity();
  const RawConfig body = as_config_map(entity);
  const auto requested = body.find("level");
  if (requested == body.end() || !requested->second) {
    bad_request("Desired 'level' parameter was not specified in request.");
  }
  // 3.x upper-cases the level before checking it; 4.x looks the name up as given.
  const std::string level = version_ >= Version{4, 0} ? *requested->second : upper(*requested->second);
  if (!kLog4jLevels.contains(level)) not_found("invalid log level '" + *requested->second + "'.");

  const bool cluster = lower(call.query("scope")) == "cluster";
  // Cluster scope reaches every worker through the config topic; with one worker that is
  // this one, and the double applies it at once.
  const std::vector<std::string> changed = set_logger_level(name_space, level);
  if (cluster) return empty_reply(204);
  return json_reply(200, Json(changed));
}

// ---------------------------------------------------------------------------------------
// Test hooks

ConnectorRecord& ConnectDouble::Impl::hooked(const std::string& name) {
  const auto it = connectors_.find(name);
  if (it == connectors_.end()) throw std::out_of_range("connect double: no connector " + name);
  settle(it->second);  // a hook overrides a restart that has already completed
  return it->second;
}

TaskStatus& ConnectDouble::Impl::hooked_task(const std::string& name, int task) {
  auto& tasks = hooked(name).tasks;
  if (task < 0 || static_cast<std::size_t>(task) >= tasks.size()) {
    throw std::out_of_range("connect double: no task " + name + "-" + std::to_string(task));
  }
  return tasks[static_cast<std::size_t>(task)];
}

void ConnectDouble::Impl::fail_task(const std::string& connector, int task, const std::string& trace, bool sticky) {
  std::lock_guard lock(mutex_);
  hooked_task(connector, task) = TaskStatus{"FAILED", trace};
  auto& sticky_tasks = connectors_.at(connector).sticky_task_traces;
  if (sticky) {
    sticky_tasks[static_cast<std::size_t>(task)] = trace;
  } else {
    sticky_tasks.erase(static_cast<std::size_t>(task));
  }
}

void ConnectDouble::Impl::fail_connector(const std::string& connector, const std::string& trace, bool sticky) {
  std::lock_guard lock(mutex_);
  ConnectorRecord& record = hooked(connector);
  record.state = "FAILED";
  record.trace = trace;
  record.restart_due.reset();
  record.sticky_trace = sticky ? std::optional<std::string>(trace) : std::nullopt;
}

void ConnectDouble::Impl::heal(const std::string& connector) {
  std::lock_guard lock(mutex_);
  ConnectorRecord& record = hooked(connector);
  record.sticky_trace.reset();
  record.sticky_task_traces.clear();
}

void ConnectDouble::Impl::unassign_task(const std::string& connector, int task) {
  std::lock_guard lock(mutex_);
  hooked_task(connector, task) = TaskStatus{"UNASSIGNED", ""};
}

void ConnectDouble::Impl::set_offsets(const std::string& connector, const nlohmann::json& offsets) {
  if (!offsets.is_array()) throw std::invalid_argument("connect double: offsets must be a JSON array");
  std::lock_guard lock(mutex_);
  hooked(connector).offsets = Json(offsets);
  persist();  // offsets live in the offsets topic, which survives a worker restart
}

nlohmann::json ConnectDouble::Impl::connector_state(const std::string& name) {
  std::lock_guard lock(mutex_);
  const auto it = connectors_.find(name);
  if (it == connectors_.end()) return nullptr;
  settle(it->second);
  return nlohmann::json(status_json(name, it->second));
}

// =======================================================================================
// Public facade

ConnectDouble::ConnectDouble(ConnectDoubleOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
ConnectDouble::~ConnectDouble() = default;

int ConnectDouble::port() const { return impl_->port(); }
std::string ConnectDouble::url() const { return impl_->url(); }
std::string ConnectDouble::worker_id() const { return impl_->worker_id(); }
const ConnectDoubleOptions& ConnectDouble::options() const { return impl_->options(); }

void ConnectDouble::conflict_next_writes(int n) { impl_->conflict_next_writes(n); }
void ConnectDouble::html_error_next_requests(int n, int status) { impl_->html_error_next_requests(n, status); }
void ConnectDouble::truncate_next_responses(int n) { impl_->truncate_next_responses(n); }
void ConnectDouble::delay_responses(std::chrono::milliseconds d) { impl_->delay_responses(d); }
void ConnectDouble::rebalance_next_gets(int n) { impl_->rebalance_next_gets(n); }
void ConnectDouble::fail_offset_writes(int n) { impl_->fail_offset_writes(n); }
void ConnectDouble::fail_task(const std::string& connector, int task, const std::string& trace, bool sticky) {
  impl_->fail_task(connector, task, trace, sticky);
}
void ConnectDouble::fail_connector(const std::string& connector, const std::string& trace, bool sticky) {
  impl_->fail_connector(connector, trace, sticky);
}
void ConnectDouble::heal(const std::string& connector) { impl_->heal(connector); }
void ConnectDouble::unassign_task(const std::string& connector, int task) { impl_->unassign_task(connector, task); }
void ConnectDouble::delay_restarts(std::chrono::milliseconds d) { impl_->delay_restarts(d); }

void ConnectDouble::set_plugins(std::vector<ConnectDoublePlugin> plugins) { impl_->set_plugins(std::move(plugins)); }
void ConnectDouble::set_offsets(const std::string& connector, const nlohmann::json& offsets) {
  impl_->set_offsets(connector, offsets);
}
void ConnectDouble::add_active_topic(const std::string& connector, const std::string& topic) {
  impl_->add_active_topic(connector, topic);
}

std::vector<std::string> ConnectDouble::request_log() const { return impl_->request_log(); }
std::vector<std::string> ConnectDouble::write_log() const {
  std::vector<std::string> writes;
  for (auto& line : request_log()) {
    if (!line.starts_with("GET ")) writes.push_back(std::move(line));
  }
  return writes;
}
void ConnectDouble::clear_request_log() { impl_->clear_request_log(); }
nlohmann::json ConnectDouble::connector_state(const std::string& name) const { return impl_->connector_state(name); }

std::vector<ConnectDoublePlugin> ConnectDouble::default_plugins(const std::string& kafka_version) {
  const std::string debezium = "2.7.3.Final";
  auto plugin = [](std::string class_name, std::string type, std::string version,
                   nlohmann::json keys = nlohmann::json::array()) {
    return ConnectDoublePlugin{std::move(class_name), std::move(type), std::move(version), std::move(keys)};
  };
  const nlohmann::json converter_keys = public_keys({
      {.name = "converter.type", .required = true, .importance = "LOW",
       .documentation = "How this converter will be used."},
  });
  return {
      // Connectors. Third-party definitions are abbreviated and deliberately lenient
      // (nothing required), so tests need not spell out a full database config.
      plugin("org.apache.kafka.connect.file.FileStreamSourceConnector", "source", kafka_version,
             public_keys({
                 {.name = "file", .importance = "HIGH",
                  .documentation = "Source filename. If not specified, the standard input will be used"},
                 {.name = "topic", .required = true, .importance = "HIGH",
                  .documentation = "The topic to publish data to"},
                 {.name = "batch.size", .type = "INT", .default_value = "2000", .importance = "LOW",
                  .documentation = "The maximum number of records the source task can read from the file each time "
                                   "it is polled"},
             })),
      plugin("org.apache.kafka.connect.file.FileStreamSinkConnector", "sink", kafka_version,
             public_keys({
                 {.name = "file", .importance = "HIGH",
                  .documentation = "Destination filename. If not specified, the standard output will be used"},
             })),
      plugin("io.debezium.connector.postgresql.PostgresConnector", "source", debezium,
             public_keys({
                 {.name = "topic.prefix", .importance = "HIGH",
                  .documentation = "Topic prefix that identifies and provides a namespace for the particular "
                                   "database server/cluster that is capturing changes."},
                 {.name = "database.hostname", .importance = "HIGH",
                  .documentation = "Resolvable hostname or IP address of the database server."},
                 {.name = "database.port", .type = "INT", .default_value = "5432", .importance = "HIGH",
                  .documentation = "Port of the database server."},
                 {.name = "database.user", .importance = "HIGH",
                  .documentation = "Name of the database user to be used when connecting to the database."},
                 {.name = "database.password", .type = "PASSWORD", .importance = "HIGH",
                  .documentation = "Password of the database user to be used when connecting to the database."},
                 {.name = "database.dbname", .importance = "HIGH",
                  .documentation = "The name of the database from which the connector should capture changes"},
                 {.name = "plugin.name", .default_value = "decoderbufs",
                  .documentation = "The name of the Postgres logical decoding plugin installed on the server."},
                 {.name = "slot.name", .default_value = "debezium",
                  .documentation = "The name of the Postgres logical decoding slot created for streaming changes."},
                 {.name = "publication.name", .default_value = "dbz_publication",
                  .documentation = "The name of the Postgres 10+ publication used for streaming changes from a "
                                   "plugin."},
                 {.name = "table.include.list", .type = "LIST",
                  .documentation = "The tables for which changes are to be captured"},
             })),
      plugin("io.confluent.connect.jdbc.JdbcSinkConnector", "sink", "10.7.6",
             public_keys({
                 {.name = "connection.url", .importance = "HIGH", .documentation = "JDBC connection URL."},
                 {.name = "connection.user", .importance = "HIGH", .documentation = "JDBC connection user."},
                 {.name = "connection.password", .type = "PASSWORD", .importance = "HIGH",
                  .documentation = "JDBC connection password."},
                 {.name = "insert.mode", .default_value = "insert", .importance = "HIGH",
                  .documentation = "The insertion mode to use."},
                 {.name = "pk.mode", .default_value = "none", .importance = "HIGH",
                  .documentation = "The primary key mode."},
                 {.name = "auto.create", .type = "BOOLEAN", .default_value = "false",
                  .documentation = "Whether to automatically create the destination table."},
             })),
      plugin("org.apache.kafka.connect.mirror.MirrorSourceConnector", "source", kafka_version),
      plugin("org.apache.kafka.connect.mirror.MirrorCheckpointConnector", "source", kafka_version),
      plugin("org.apache.kafka.connect.mirror.MirrorHeartbeatConnector", "source", kafka_version),
      // Converters; several classes are both converter and header converter.
      plugin("org.apache.kafka.connect.json.JsonConverter", "converter", kafka_version,
             [&] {
               nlohmann::json keys = converter_keys;
               for (auto& key : public_keys({
                        {.name = "schemas.enable", .type = "BOOLEAN", .default_value = "true",
                         .importance = "HIGH",
                         .documentation = "Include schemas within each of the serialized values and keys."},
                    })) {
                 keys.push_back(key);
               }
               return keys;
             }()),
      plugin("org.apache.kafka.connect.storage.StringConverter", "converter", kafka_version, converter_keys),
      plugin("org.apache.kafka.connect.converters.ByteArrayConverter", "converter", kafka_version),
      plugin("org.apache.kafka.connect.json.JsonConverter", "header_converter", kafka_version),
      plugin("org.apache.kafka.connect.storage.StringConverter", "header_converter", kafka_version),
      plugin("org.apache.kafka.connect.storage.SimpleHeaderConverter", "header_converter", kafka_version),
      plugin("org.apache.kafka.connect.converters.ByteArrayConverter", "header_converter", kafka_version),
      // Transformations and predicates.
      plugin("org.apache.kafka.connect.transforms.RegexRouter", "transformation", kafka_version,
             public_keys({
                 {.name = "regex", .required = true, .importance = "HIGH",
                  .documentation = "Regular expression to use for matching."},
                 {.name = "replacement", .required = true, .importance = "HIGH",
                  .documentation = "Replacement string."},
             })),
      plugin("org.apache.kafka.connect.transforms.TimestampRouter", "transformation", kafka_version),
      plugin("org.apache.kafka.connect.transforms.InsertField$Value", "transformation", kafka_version),
      plugin("org.apache.kafka.connect.transforms.ReplaceField$Value", "transformation", kafka_version),
      plugin("io.debezium.transforms.ExtractNewRecordState", "transformation", debezium),
      plugin("org.apache.kafka.connect.transforms.predicates.TopicNameMatches", "predicate", kafka_version,
             public_keys({
                 {.name = "pattern", .required = true,
                  .documentation = "A Java regular expression for matching against the name of a record's topic."},
             })),
      plugin("org.apache.kafka.connect.transforms.predicates.HasHeaderKey", "predicate", kafka_version),
      plugin("org.apache.kafka.connect.transforms.predicates.RecordIsTombstone", "predicate", kafka_version),
  };
}

}  // namespace cdcctl::testsupport
