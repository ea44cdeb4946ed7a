#pragma once
// What the real-tier tests share: polling for a state a real system reaches
// asynchronously, and the connector configs of Debezium's PostgreSQL source
// and JDBC sink pointed at a throwaway PostgreSQL over TCP.
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>

namespace cdcctl::testsupport {

// Polls pred every 250 ms until it holds or `limit` passes; returns whether it held.
template <typename Pred>
bool eventually(Pred pred, std::chrono::seconds limit = std::chrono::seconds(120)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return pred();
}

// A service a whole test binary shares, started by the first test case that
// asks. When starting fails, every later case fails at once with the same
// reason instead of trying again (each try could take minutes). `make`
// returns a std::unique_ptr; each call site has its own instance.
template <typename Make>
auto& shared_service(Make make) {
  static decltype(make()) instance;
  static std::string failure;
  if (!instance) {
    if (!failure.empty()) throw std::runtime_error("not started earlier: " + failure);
    try {
      instance = make();
    } catch (const std::exception& error) {
      failure = error.what();
      throw;
    }
  }
  return *instance;
}

struct PostgresEndpoint {
  int port = 0;
  std::string database;
  std::string user = "postgres";  // trusted over TCP by the throwaway cluster
  std::string password = "unused-trust-auth";
};

// {"name", "config"} of a Debezium PostgreSQL source over pgoutput, with its
// slot and publication named after the topic prefix.
inline nlohmann::json debezium_postgres_source(const std::string& name, const std::string& prefix,
                                               const PostgresEndpoint& db) {
  return {{"name", name},
          {"config",
           {{"connector.class", "io.debezium.connector.postgresql.PostgresConnector"},
            {"tasks.max", "1"},
            {"plugin.name", "pgoutput"},
            {"database.hostname", "127.0.0.1"},
            {"database.port", std::to_string(db.port)},
            {"database.user", db.user},
            {"database.password", db.password},
            {"database.dbname", db.database},
            {"topic.prefix", prefix},
            {"slot.name", prefix + "_slot"},
            {"publication.name", prefix + "_publication"}}}};
}

// {"name", "config"} of Debezium's JDBC sink upserting one topic into PostgreSQL
// (table named after the topic, dots as underscores), creating the table.
inline nlohmann::json debezium_jdbc_sink(const std::string& name, const std::string& topics, const PostgresEndpoint& db) {
  return {{"name", name},
          {"config",
           {{"connector.class", "io.debezium.connector.jdbc.JdbcSinkConnector"},
            {"tasks.max", "1"},
            {"topics", topics},
            {"connection.url", "jdbc:postgresql://127.0.0.1:" + std::to_string(db.port) + "/" + db.database},
            {"connection.username", db.user},
            {"connection.password", db.password},
            {"insert.mode", "upsert"},
            {"primary.key.mode", "record_key"},
            {"schema.evolution", "basic"}}}};
}

}  // namespace cdcctl::testsupport
