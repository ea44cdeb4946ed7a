#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "core/secrets.hpp"

using namespace cdcctl;

TEST_CASE("keys that name secrets") {
  for (const char* key : {"database.password", "PASSWORD", "connect-password", "sasl.jaas.config",
                          "ssl.key.password", "ssl.keystore.key", "aws.secret.access.key", "connect-token",
                          "consumer.override.sasl.jaas.config", "oauth.credentials",
                          "value.converter.basic.auth.user.info"}) {
    CAPTURE(key);
    CHECK(is_secret_key(key));
  }
  for (const char* key : {"database.user", "key.converter", "topic.prefix", "connect-url", "tasks.max",
                          "database.hostname"}) {
    CAPTURE(key);
    CHECK_FALSE(is_secret_key(key));
  }
}

TEST_CASE("connector configs are masked recursively") {
  auto config = nlohmann::json::parse(R"({
    "name": "orders",
    "config": {"database.password": "hunter2", "database.user": "cdc", "tasks.max": "1",
               "producer.override.sasl.jaas.config": "org.apache...PlainLoginModule required password=\"x\";"},
    "list": [{"api.token": "abc"}]
  })");
  auto masked = mask_secrets(config);
  CHECK(masked["config"]["database.password"] == "********");
  CHECK(masked["config"]["producer.override.sasl.jaas.config"] == "********");
  CHECK(masked["config"]["database.user"] == "cdc");
  CHECK(masked["list"][0]["api.token"] == "********");
  CHECK(masked["name"] == "orders");
  CHECK(masked.dump().find("hunter2") == std::string::npos);
}

TEST_CASE("passwords inside URLs and conninfo strings") {
  CHECK(mask_url_or_conninfo("host=db password=hunter2 user=cdc") == "host=db password=******** user=cdc");
  CHECK(mask_url_or_conninfo("host=db password='a b\\'c' user=cdc") == "host=db password=******** user=cdc");
  CHECK(mask_url_or_conninfo("postgresql://cdc:hunter2@db:5432/app") == "postgresql://cdc:********@db:5432/app");
  CHECK(mask_url_or_conninfo("odbc:Driver={ODBC Driver 18};Server=db;UID=sa;PWD=hunter2;Encrypt=no") ==
        "odbc:Driver={ODBC Driver 18};Server=db;UID=sa;PWD=********;Encrypt=no");
  CHECK(mask_url_or_conninfo("DSN=mssql;pwd={a;b}}c};Database=x") == "DSN=mssql;pwd=********;Database=x");
  CHECK(mask_url_or_conninfo("DSN=mssql;Password=hunter2") == "DSN=mssql;Password=********");
  CHECK(mask_url_or_conninfo("odbc:mssql;PWD={hunter2}") == "odbc:mssql;PWD=********");  // no DSN= and still masked
  CHECK(mask_url_or_conninfo("postgresql://db/app?user=cdc&password=hunter2&sslmode=require") ==
        "postgresql://db/app?user=cdc&password=********&sslmode=require");
  CHECK(mask_url_or_conninfo("https://ops:s3cret@connect:8083") == "https://ops:********@connect:8083");
  CHECK(mask_url_or_conninfo("jdbc:postgresql://db/app?password=x") == "jdbc:postgresql://db/app?password=********");
  CHECK(mask_url_or_conninfo("http://connect:8083") == "http://connect:8083");
  CHECK(mask_url_or_conninfo("host=db user=cdc") == "host=db user=cdc");
  CHECK(mask_url_or_conninfo("host=db sslpassword=keypass user=cdc") == "host=db sslpassword=******** user=cdc");
  CHECK(mask_url_or_conninfo("-X sasl.password=pw") == "-X sasl.password=********");
}
