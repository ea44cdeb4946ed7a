#include "support/run_setup.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>

#include "kafka/admin.hpp"

namespace cdcctl::testsupport {

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

RunSetup::RunSetup(const std::string& prefix, const std::vector<std::string>& topics, const std::string& schema_sql,
                   const std::string& external_bootstrap)
    : db(pg.create_database(prefix)) {
  if (external_bootstrap.empty()) {
    embedded = std::make_unique<EmbeddedKafka>(topics);
    bootstrap = embedded->bootstrap_servers();
  } else {
    bootstrap = external_bootstrap;
    auto admin = kafka::make_topic_admin({{"bootstrap.servers", bootstrap}}, std::chrono::seconds(30));
    for (const auto& topic : topics) {
      const auto colon = topic.find(':');
      kafka::NewTopicRequest request;
      request.name = topic.substr(0, colon);
      request.partitions = colon == std::string::npos ? 1 : std::stoi(topic.substr(colon + 1));
      // A shared real broker may have it from an earlier case.
      bool exists = false;
      for (const auto& layout : admin->list_topics()) exists = exists || layout.name == request.name;
      if (!exists) admin->create_topic(request);
    }
  }
  pg.psql(schema_sql, db);
  std::ofstream(worker_path) << "# a Kafka Connect standalone worker's settings\n"
                             << "bootstrap.servers=" << bootstrap << "\n"
                             << "offset.storage.topic=connect-offsets\n"
                             << "state.dir=" << dir.path() << "/state\n"
                             << "offset.flush.interval.ms=10000\n";
}

void RunSetup::write_connector(const std::string& name, const nlohmann::ordered_json& extra) {
  nlohmann::ordered_json config = {{"connector.class", "io.debezium.connector.postgresql.PostgresConnector"},
                                   {"plugin.name", "pgoutput"},
                                   {"database.hostname", pg.socket_dir()},
                                   {"database.port", std::to_string(pg.port())},
                                   {"database.user", "postgres"},
                                   {"database.dbname", db},
                                   {"topic.prefix", "srv"}};
  config.update(extra);
  std::ofstream(connector_path) << nlohmann::ordered_json{{"name", name}, {"config", config}}.dump(2);
  connector_name_ = name;
}

RunOptions RunSetup::options() const {
  RunOptions options;
  options.env["HOME"] = dir.path();
  options.unset_env = {"CDCCTL_*", "PG*", "NO_COLOR", "COLUMNS", "XDG_CONFIG_HOME", "XDG_STATE_HOME"};
  return options;
}

std::unique_ptr<BackgroundProcess> RunSetup::start(const std::vector<std::string>& extra) const {
  // The shell prints the first line BackgroundProcess waits for, then becomes cdcctl.
  std::vector<std::string> argv = {"sh", "-c", "echo started; exec \"$0\" \"$@\" 2>>" + log_path, CDCCTL_BINARY, "run",
                                   worker_path, connector_path};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return std::make_unique<BackgroundProcess>(argv, options());
}

std::string RunSetup::log() const { return read_text(log_path); }

nlohmann::json RunSetup::status() const {
  auto parsed = nlohmann::json::parse(read_text(dir.path() + "/state/" + connector_name_ + ".status.json"), nullptr, false);
  return parsed.is_discarded() || !parsed.is_object() ? nlohmann::json::object() : parsed;
}

std::vector<kafka::Record> RunSetup::read(const std::string& topic) const {
  using namespace std::chrono_literals;
  kafka::Consumer consumer({{"bootstrap.servers", bootstrap}});
  std::vector<kafka::Record> records;
  const auto ranges = consumer.whole_topic(topic, 10s);
  consumer.read(
      topic, ranges,
      [&](const kafka::Record& record) {
        records.push_back(record);
        return true;
      },
      10s);
  std::stable_sort(records.begin(), records.end(),
                   [](const auto& a, const auto& b) { return std::tie(a.partition, a.offset) < std::tie(b.partition, b.offset); });
  return records;
}

std::vector<std::int64_t> RunSetup::high_watermarks(const std::string& topic) const {
  using namespace std::chrono_literals;
  kafka::Consumer consumer({{"bootstrap.servers", bootstrap}});
  std::vector<std::int64_t> out;
  for (const auto& range : consumer.whole_topic(topic, 10s)) out.push_back(range.end);
  return out;
}

std::string RunSetup::confirmed_flush_lsn(const std::string& slot) const {
  return pg.psql("SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '" + slot + "'", db);
}

bool wait_until(const std::function<bool()>& ready, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return ready();
}

}  // namespace cdcctl::testsupport
