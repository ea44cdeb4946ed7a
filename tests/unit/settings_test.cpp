#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/error.hpp"
#include "core/settings.hpp"

using namespace cdcctl;

namespace {

ConfigFile two_contexts() {
  ConfigFile config;
  config.current_context = "prod";
  config.contexts["prod"] = {{"connect-url", "http://prod-connect:8083"},
                             {"bootstrap-servers", "prod-kafka:9092"},
                             {"timeout", "20s"},
                             {"kafka.security.protocol", "SASL_SSL"},
                             {"kafka.sasl.mechanism", "PLAIN"}};
  config.contexts["dev"] = {{"connect-url", "http://dev-connect:8083"}};
  return config;
}

SettingsInput input(std::map<std::string, std::string> flags = {}, std::map<std::string, std::string> env = {}) {
  SettingsInput in;
  in.flags = std::move(flags);
  in.env = fixed_environment(std::move(env));
  in.config = two_contexts();
  return in;
}

}  // namespace

TEST_CASE("precedence: flag > environment > context > default") {
  SUBCASE("context only") {
    auto settings = resolve_settings(input());
    CHECK(settings.context_name == "prod");
    CHECK(settings.get("connect-url") == "http://prod-connect:8083");
    CHECK(settings.values.at("connect-url").source == SettingSource::Context);
    CHECK(settings.timeout() == std::chrono::seconds(20));
  }
  SUBCASE("environment beats context") {
    auto settings = resolve_settings(input({}, {{"CDCCTL_CONNECT_URL", "http://env:8083"}}));
    CHECK(settings.get("connect-url") == "http://env:8083");
    CHECK(settings.values.at("connect-url").source == SettingSource::Environment);
  }
  SUBCASE("flag beats environment and context") {
    auto settings = resolve_settings(
        input({{"connect-url", "http://flag:8083"}}, {{"CDCCTL_CONNECT_URL", "http://env:8083"}}));
    CHECK(settings.get("connect-url") == "http://flag:8083");
    CHECK(settings.values.at("connect-url").source == SettingSource::Flag);
  }
  SUBCASE("defaults fill the rest") {
    auto in = input();
    in.config = {};
    auto settings = resolve_settings(in);
    CHECK(settings.context_name.empty());
    CHECK(settings.values.at("timeout").source == SettingSource::Default);
    CHECK(settings.timeout() == std::chrono::seconds(30));
    CHECK_FALSE(settings.get("connect-url"));
    CHECK_FALSE(settings.get_bool("insecure"));
  }
  SUBCASE("an empty environment variable does not override") {
    auto settings = resolve_settings(input({}, {{"CDCCTL_CONNECT_URL", ""}}));
    CHECK(settings.get("connect-url") == "http://prod-connect:8083");
  }
}

TEST_CASE("choosing the context: --context > CDCCTL_CONTEXT > current-context") {
  auto in = input({}, {{"CDCCTL_CONTEXT", "dev"}});
  CHECK(resolve_settings(in).get("connect-url") == "http://dev-connect:8083");
  CHECK(resolve_settings(in).context_source == SettingSource::Environment);
  in.context_flag = "prod";
  CHECK(resolve_settings(in).get("connect-url") == "http://prod-connect:8083");
  in.context_flag = "staging";
  try {
    resolve_settings(in);
    FAIL("missing context accepted");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::NotFound);
    CHECK(std::string(e.what()).find("staging") != std::string::npos);
  }
}

TEST_CASE("librdkafka properties: file < context < -X, and --bootstrap-servers wins") {
  std::string templ = (std::filesystem::temp_directory_path() / "cdcctl-unit-props-XXXXXX").string();
  const std::filesystem::path dir = ::mkdtemp(templ.data());
  const auto file = dir / "client.properties";
  std::ofstream(file) << "# comment\nsecurity.protocol=SSL\nbootstrap.servers = file:9092\nclient.id=from-file\n";

  auto in = input({{"kafka.client.id", "from-flag"}, {"kafka-config-file", file.string()}});
  auto properties = resolve_settings(in).kafka_properties();
  CHECK(properties.at("security.protocol") == "SASL_SSL");  // context over file
  CHECK(properties.at("sasl.mechanism") == "PLAIN");
  CHECK(properties.at("client.id") == "from-flag");         // -X over file
  CHECK(properties.at("bootstrap.servers") == "prod-kafka:9092");
  std::filesystem::remove_all(dir);
}

TEST_CASE("properties files are parsed like kcat's -F") {
  auto props = parse_properties("a=1\n\n  # note\nb = two words \r\nc=\n", "test");
  CHECK(props.at("a") == "1");
  CHECK(props.at("b") == "two words ");
  CHECK(props.at("c") == "");
  CHECK_THROWS_AS(parse_properties("novalue\n", "test"), Error);
}

TEST_CASE("Connect URLs: several, trimmed, scheme added") {
  auto settings = resolve_settings(input({{"connect-url", " a:8083, https://b:8083/ ,"}}));
  CHECK(settings.connect_urls() == std::vector<std::string>{"http://a:8083", "https://b:8083"});
}

TEST_CASE("secrets come from files or environment, never a flag") {
  for (const auto& spec : setting_specs()) {
    if (spec.is_secret) CHECK_FALSE(spec.has_flag);
  }
  std::string templ = (std::filesystem::temp_directory_path() / "cdcctl-unit-password-XXXXXX").string();
  const int fd = ::mkstemp(templ.data());
  REQUIRE(fd >= 0);
  ::close(fd);
  const std::filesystem::path file = templ;
  std::ofstream(file) << "s3cret\n";
  auto settings = resolve_settings(input({{"connect-password-file", file.string()}},
                                         {{"CDCCTL_CONNECT_PASSWORD", "from-env"}}));
  CHECK(settings.connect_password() == "s3cret");  // the file wins, trailing newline dropped
  settings = resolve_settings(input({}, {{"CDCCTL_CONNECT_PASSWORD", "from-env"}}));
  CHECK(settings.connect_password() == "from-env");
  // A password file in the context loses to a password in the environment.
  auto in = input({}, {{"CDCCTL_CONNECT_PASSWORD", "from-env"}});
  in.config.contexts["prod"]["connect-password-file"] = file.string();
  CHECK(resolve_settings(in).connect_password() == "from-env");
  // Bearer token vs basic auth: the higher level wins, the token on a tie.
  auto both = input({{"connect-user", "ops"}}, {{"CDCCTL_CONNECT_TOKEN", "tok"}});
  CHECK_FALSE(resolve_settings(both).prefer_bearer_token());
  both = input({}, {{"CDCCTL_CONNECT_TOKEN", "tok"}, {"CDCCTL_CONNECT_USER", "ops"}});
  CHECK(resolve_settings(both).prefer_bearer_token());
  std::filesystem::remove(file);
}

TEST_CASE("booleans and bad values") {
  auto settings = resolve_settings(input({{"insecure", "true"}}));
  CHECK(settings.get_bool("insecure"));
  settings = resolve_settings(input({}, {{"CDCCTL_INSECURE", "maybe"}}));
  CHECK_THROWS_AS(settings.get_bool("insecure"), Error);
  settings = resolve_settings(input({{"timeout", "soon"}}));
  CHECK_THROWS_AS(settings.timeout(), Error);
  settings = resolve_settings(input({{"timeout", "0s"}}));
  CHECK_THROWS_AS(settings.timeout(), Error);
}
