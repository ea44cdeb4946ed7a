// cdcctl run: the built-in capture engine — Debezium's PostgreSQL connector
// in one small process, writing Debezium's topics, events and offsets to
// Kafka exactly once. --status reads what a running worker reports.
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "app.hpp"
#include "core/config_file.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "core/interrupt.hpp"
#include "core/units.hpp"
#include "engine/worker.hpp"
#include "kafka/embedded_broker.hpp"

namespace cdcctl::app {

namespace {

struct RunFlags {
  std::vector<std::string> configs;
  bool embedded_kafka = false;
  bool status = false;
  bool dry_run = false;
  std::string log_format = "text";
  std::string metrics_interval = "60s";
  std::string state_dir;
};

std::filesystem::path state_dir_of(const AppContext& context, const RunFlags& flags, const engine::RunConfig* config) {
  if (!flags.state_dir.empty()) return flags.state_dir;
  if (config && !config->worker.state_dir.empty()) return config->worker.state_dir;
  return default_state_dir(context.io.env) / "run";
}

bool process_alive(long pid) { return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM); }

ExitCode show_status(AppContext& context, const RunFlags& flags) {
  std::optional<engine::RunConfig> config;
  std::vector<std::string> names;
  if (!flags.configs.empty()) {
    config = engine::load_run_config(flags.configs, std::string("unused:0"));
    for (const auto& connector : config->connectors) names.push_back(connector.name);
  }
  const auto dir = state_dir_of(context, flags, config ? &*config : nullptr);
  if (names.empty() && std::filesystem::is_directory(dir)) {
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      const auto file = entry.path().filename().string();
      const std::string suffix = ".status.json";
      if (file.size() > suffix.size() && file.ends_with(suffix)) names.push_back(file.substr(0, file.size() - suffix.size()));
    }
    std::sort(names.begin(), names.end());
  }
  if (names.empty()) {
    throw Error::not_found("no cdcctl run worker has reported in " + dir.string(), {},
                           "start one with `cdcctl run CONFIG…`, or point --state-dir at its state directory");
  }
  output::Document document;
  document.table.columns = {{"CONNECTOR"}, {"STATE"},        {"EVENTS", false, true},  {"TRANSACTIONS", false, true},
                            {"BEHIND", false, true},         {"CONFIRMED LSN"},        {"UPDATED"},
                            {"SLOT", true},                  {"KAFKA", true},          {"ERROR", true}};
  document.data = nlohmann::json::array();
  bool all_running = true;
  for (const auto& name : names) {
    nlohmann::json status;
    const auto path = engine::status_file(dir, name);
    if (std::filesystem::exists(path)) {
      status = nlohmann::json::parse(read_file(path), nullptr, false);
      if (status.is_discarded()) status = nlohmann::json::object();
    } else {
      status = {{"connector", name}, {"state", "UNKNOWN"}, {"error", "no status file at " + path.string()}};
    }
    // A worker killed hard leaves its last state behind: say so.
    const auto state = status.value("state", std::string("UNKNOWN"));
    if (state != "STOPPED" && state != "FAILED" && state != "UNKNOWN" && !process_alive(status.value("pid", 0L))) {
      status["state"] = "DEAD";
      status["last_state"] = state;
    }
    if (status.value("state", "") != "RUNNING" && status.value("state", "") != "SNAPSHOT") all_running = false;
    const auto metrics = status.value("metrics", nlohmann::json::object());
    const auto number = [&](const char* key) {
      return metrics.contains(key) && metrics[key].is_number() ? std::to_string(metrics[key].get<std::int64_t>()) : std::string("-");
    };
    const auto current = status.value("state", std::string("UNKNOWN"));
    const auto color = current == "RUNNING"   ? output::Color::Green
                       : current == "SNAPSHOT" ? output::Color::Yellow
                                               : output::Color::Red;
    document.table.rows.push_back({name, {current, color}, number("TotalNumberOfEventsSeen"),
                                   number("NumberOfCommittedTransactions"),
                                   metrics.contains("MilliSecondsBehindSource") ? number("MilliSecondsBehindSource") + " ms" : "-",
                                   metrics.value("ConfirmedFlushLsn", std::string("-")), status.value("updated", std::string("-")),
                                   status.value("slot", std::string("-")), status.value("bootstrap_servers", std::string("-")),
                                   status.value("error", std::string())});
    document.names.push_back(name);
    document.data.push_back(status);
  }
  output::render(document, context.format(), context.table_options(), *context.io.out);
  return all_running ? ExitCode::Ok : ExitCode::Failed;
}

ExitCode run(AppContext& context, const RunFlags& flags) {
  if (flags.status) return show_status(context, flags);
  if (flags.configs.empty()) {
    throw Error::usage("cdcctl run needs a connector config", {},
                       "cdcctl run worker.properties connector.json (or --embedded-kafka connector.json)");
  }
  if (flags.log_format != "text" && flags.log_format != "json") {
    throw Error::usage("--log-format must be text or json, not '" + flags.log_format + "'");
  }
  const auto metrics_interval = parse_duration(flags.metrics_interval);

  // Validate every config before starting anything, the broker included.
  auto config = engine::load_run_config(flags.configs, flags.embedded_kafka ? std::optional<std::string>("127.0.0.1:0")
                                                                          : std::nullopt);
  context.set_log_style(flags.log_format == "json" ? LogFormat::Json : LogFormat::Text, !context.io.terminal.stderr_is_tty);
  const auto& logger = context.logger();
  for (const auto& warning : config.warnings) logger.warn(warning);

  if (flags.dry_run) {
    for (const auto& connector : config.connectors) {
      *context.io.out << connector.name << ": would capture " << connector.user << "@" << connector.hostname << ":"
                      << connector.port << "/" << connector.dbname << " through slot " << connector.slot
                      << " and publication " << connector.publication << " into topics " << connector.topic_prefix
                      << ".<schema>.<table>, snapshot.mode=" << engine::to_string(connector.snapshot_mode) << "\n";
    }
    *context.io.out << "offsets: " << config.worker.offsets_topic << " on "
                    << (flags.embedded_kafka ? std::string("an embedded broker") : config.worker.kafka["bootstrap.servers"])
                    << "\n(dry run: nothing was started)\n";
    return ExitCode::Ok;
  }

  std::optional<kafka::EmbeddedBroker> broker;
  if (flags.embedded_kafka) {
    broker.emplace(1);
    config.worker.kafka["bootstrap.servers"] = broker->bootstrap_servers();
    // Alone on stdout, so a script can read the address: read -r kafka < <(cdcctl run --embedded-kafka …)
    *context.io.out << broker->bootstrap_servers() << std::endl;
    logger.info("embedded Kafka broker at " + broker->bootstrap_servers() +
                " (in memory, NOT durable: for development and demos; attach with kcat -b " + broker->bootstrap_servers() +
                " or cdcctl events tail -X bootstrap.servers=" + broker->bootstrap_servers() + ")");
  }
  engine::WorkerOptions options;
  options.state_dir = state_dir_of(context, flags, &config);
  options.metrics_log_interval = metrics_interval;
  // The failure path's test hook (README, Development): no PostgreSQL value
  // is known that cdcctl cannot convert, so tests name one to fail,
  // "CONNECTOR/schema.table.column/VALUE", several separated by ';'.
  if (const auto faults = context.io.env("CDCCTL_TEST_UNCONVERTIBLE"); faults && !faults->empty()) {
    std::vector<std::string> entries;
    for (std::size_t at = 0; at <= faults->size();) {
      const auto end = std::min(faults->find(';', at), faults->size());
      entries.push_back(faults->substr(at, end - at));
      at = end + 1;
    }
    for (const auto& fault : entries) {
      const auto first = fault.find('/');
      const auto second = first == std::string::npos ? std::string::npos : fault.find('/', first + 1);
      if (second == std::string::npos) {
        throw Error::usage("CDCCTL_TEST_UNCONVERTIBLE must be CONNECTOR/schema.table.column/VALUE[;…]");
      }
      options.unconvertible[fault.substr(0, first)] = {fault.substr(first + 1, second - first - 1), fault.substr(second + 1)};
    }
  }
  InterruptGuard guard;
  const int failures = engine::run_worker(config, options, logger, [] { return interrupt_requested(); });
  if (failures > 0) return ExitCode::Failed;
  return ExitCode::Ok;
}

}  // namespace

void add_run_command(CLI::App& app, AppContext& context) {
  auto flags = std::make_shared<RunFlags>();
  auto* command = app.add_subcommand("run", "Run the built-in capture engine: PostgreSQL into Kafka, Debezium-compatible");
  auto* configs = command->add_option("configs", flags->configs, "a worker .properties file and connector JSON files")
                      ->type_name("CONFIG");
  context.completions[configs] = {.files = true};
  command->add_flag("--embedded-kafka", flags->embedded_kafka,
                    "start an in-process Kafka broker (not durable) and write to it, for development and demos");
  command->add_flag("--status", flags->status, "show what the running worker reports: state and Debezium's metrics");
  command->add_flag("--dry-run", flags->dry_run, "check the configs and say what would run, without starting");
  auto* log_format = command->add_option("--log-format", flags->log_format, "text (default) or json lines")->type_name("FORMAT");
  context.completions[log_format] = {.choices = {"text", "json"}};
  command->add_option("--metrics-interval", flags->metrics_interval, "log the metrics this often (default 60s; 0 = never)")
      ->type_name("DURATION");
  auto* state_dir = command->add_option("--state-dir", flags->state_dir,
                                        "where status files go (default: the worker's state.dir, else ~/.local/state/cdcctl/run)")
                        ->type_name("DIR");
  context.completions[state_dir] = {.files = true};
  context.document(
      command,
      "Runs Debezium's PostgreSQL connector natively: one small process instead of a Kafka Connect cluster. It "
      "takes the worker config of a Kafka Connect standalone worker (bootstrap.servers, offset.storage.topic "
      "(default connect-offsets), state.dir, producer.* or kafka.* librdkafka properties, security.*, sasl.*, ssl.*) "
      "and connector configs in Kafka Connect's JSON shape, {\"name\": …, \"config\": {…}}, with "
      "connector.class io.debezium.connector.postgresql.PostgresConnector (or postgres) and Debezium's keys: "
      "database.hostname/port/user/password/dbname/sslmode, topic.prefix, slot.name, publication.name, "
      "publication.autocreate.mode (all_tables, filtered, disabled), plugin.name (pgoutput only), "
      "table.include.list/exclude.list, column.include.list/exclude.list, snapshot.mode (initial, always, no_data, "
      "initial_only, when_needed), tombstones.on.delete, heartbeat.interval.ms, provide.transaction.metadata, "
      "decimal.handling.mode, time.precision.mode, key/value.converter.schemas.enable, skipped.operations, "
      "slot.drop.on.stop, max.batch.size, status.update.interval.ms. Values may use ${env:NAME} and "
      "${file:PATH:KEY}. Unknown keys are warned about once; contradictory settings stop it before it starts.\n"
      "\n"
      "Topics, keys, event envelopes and offsets are Debezium's, so consumers cannot tell the difference and a "
      "connector moves between cdcctl run and Debezium on Kafka Connect in either direction without a new snapshot. "
      "Exactly once: the events of each batch of PostgreSQL transactions and their offset record go to Kafka in one "
      "transaction (transactional.id cdcctl-<connector>), and the slot's position is confirmed to PostgreSQL only "
      "after that transaction committed. On start the offset is read back from the offsets topic. A lost "
      "PostgreSQL is reconnected with backoff; SIGINT or SIGTERM finishes the open transaction, confirms it and "
      "exits 0.\n"
      "\n"
      "Logs are text (with times when not on a terminal) or JSON lines with --log-format json. The metrics, with "
      "Debezium's names (Connected, MilliSecondsBehindSource, TotalNumberOfEventsSeen, "
      "NumberOfCommittedTransactions, LastTransactionId, SnapshotRunning, RowsScanned, QueueRemainingCapacity, …), "
      "are logged every --metrics-interval and written to <state dir>/<connector>.status.json, which "
      "`cdcctl run --status` shows (exit 0 when every connector runs, 1 otherwise).\n"
      "\n"
      "--embedded-kafka starts librdkafka's in-process broker and prints its address, alone on the first line of "
      "standard output (for scripts) and in the log: everything in it is lost when cdcctl exits. Exit codes: 0 stopped by a signal, 1 a connector failed, 2 bad configuration.",
      {"cdcctl run --embedded-kafka examples/run/inventory.json",
       "cdcctl run examples/run/worker.properties examples/run/inventory.json --log-format json",
       "cdcctl run --status examples/run/worker.properties examples/run/inventory.json -o json",
       "cdcctl run --dry-run examples/run/worker.properties examples/run/inventory.json"});
  command->callback([&context, flags] { context.action = [&context, flags] { return run(context, *flags); }; });
}

}  // namespace cdcctl::app
