// connect-double: the Kafka Connect REST double as a stand-alone process, for shell
// experiments and tests that drive cdcctl from the outside.
//
//   connect-double [--port N] [--version V] [--host H]
//                  [--basic-auth USER:PASSWORD] [--bearer-token TOKEN]
//
// Prints its base URL as the only line on stdout, then serves until stopped (see
// support/launcher.hpp). Faults are injected through the /__double/* control
// endpoints; see connect_double.hpp for their meaning.

#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/connect_double.hpp"
#include "support/launcher.hpp"

namespace {

using cdcctl::testsupport::ConnectDouble;
using cdcctl::testsupport::ConnectDoubleOptions;

constexpr std::string_view kUsage =
    "usage: connect-double [--port N] [--version V] [--host H] [--basic-auth USER:PASSWORD] "
    "[--bearer-token TOKEN]\n";

std::optional<ConnectDoubleOptions> parse_arguments(const std::vector<std::string>& args) {
  ConnectDoubleOptions options;
  options.control_endpoints = true;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    if (flag == "--help" || flag == "-h" || i + 1 >= args.size()) return std::nullopt;
    const std::string& value = args[++i];
    if (flag == "--port") {
      try {
        std::size_t used = 0;
        options.port = std::stoi(value, &used);
        if (used != value.size() || options.port < 0 || options.port > 65535) return std::nullopt;
      } catch (const std::exception&) {
        return std::nullopt;
      }
    } else if (flag == "--version") {
      options.version = value;
    } else if (flag == "--host") {
      options.host = value;
    } else if (flag == "--basic-auth") {
      const auto colon = value.find(':');
      if (colon == std::string::npos) return std::nullopt;
      options.basic_auth_user = value.substr(0, colon);
      options.basic_auth_password = value.substr(colon + 1);
    } else if (flag == "--bearer-token") {
      options.bearer_token = value;
    } else {
      return std::nullopt;
    }
  }
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  const auto options = parse_arguments(std::vector<std::string>(argv + 1, argv + argc));
  if (!options) {
    std::cerr << kUsage;
    return 2;
  }

  try {
    const cdcctl::testsupport::ShutdownSignals shutdown;  // before the server's threads exist
    ConnectDouble connect(*options);
    std::cout << connect.url() << std::endl;  // flushes: the parent waits for this line
    shutdown.wait();
  } catch (const std::exception& e) {
    std::cerr << "connect-double: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
