#include "support/real_cluster.hpp"

#include <httplib.h>
#include <sys/types.h>
#include <unistd.h>

#include <deque>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "kafka/admin.hpp"

namespace cdcctl::testsupport {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string tail_of_file(const std::string& path, std::size_t lines) {
  std::ifstream in(path);
  std::deque<std::string> last;
  for (std::string line; std::getline(in, line);) {
    last.push_back(line);
    if (last.size() > lines) last.pop_front();
  }
  std::string out;
  for (const auto& line : last) out += line + "\n";
  return out;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

// A KRaft cluster id: the unpadded base64url form of 16 random bytes, as
// `kafka-storage.sh random-uuid` prints it. Never starting with '-', which
// the storage tool's argument parser would take for an option.
std::string random_cluster_id() {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::random_device device;
  std::string id(1, kAlphabet[device() % 62]);
  for (int i = 1; i < 21; ++i) id += kAlphabet[device() % 64];
  id += kAlphabet[(device() % 4) * 16];  // 128 bits: the last character carries 2 of them
  return id;
}

// Log4j2 to the process's stdout, which the launcher sends to the log file.
constexpr const char* kLog4j2 =
    "status = warn\n"
    "appender.out.type = Console\n"
    "appender.out.name = out\n"
    "appender.out.layout.type = PatternLayout\n"
    "appender.out.layout.pattern = [%d] %p %m (%c)%n\n"
    "rootLogger.level = info\n"
    "rootLogger.appenderRef.out.ref = out\n"
    // The quietest useful level for the noisiest loggers of a test run.
    "logger.clients.name = org.apache.kafka.clients\n"
    "logger.clients.level = warn\n"
    "logger.reflections.name = org.reflections\n"
    "logger.reflections.level = error\n";

}  // namespace

std::string resolve_real_artifacts() {
  RunOptions options;
  options.timeout = std::chrono::seconds(900);  // a first resolution downloads ~300 MB
  const auto result = run_process({std::string(CDCCTL_SOURCE_DIR) + "/scripts/real-deps.sh"}, options);
  if (result.exit_code != 0) {
    throw std::runtime_error("the real Kafka, Connect and Debezium could not be resolved (scripts/real-deps.sh exit " +
                             std::to_string(result.exit_code) + "):\n" + result.err);
  }
  auto dir = result.out;
  while (!dir.empty() && (dir.back() == '\n' || dir.back() == '\r')) dir.pop_back();
  if (dir.find('\n') != std::string::npos) dir = dir.substr(dir.rfind('\n') + 1);
  if (!fs::is_directory(dir + "/lib") || !fs::is_directory(dir + "/plugins")) {
    throw std::runtime_error("scripts/real-deps.sh printed '" + dir + "', which holds no lib/ and plugins/");
  }
  return dir;
}

RealCluster::RealCluster(RealClusterOptions options) : options_(std::move(options)) {
  artifacts_ = resolve_real_artifacts();
  const char* log_root = std::getenv("CDCCTL_REAL_LOG_DIR");
  log_dir_ = (fs::path(log_root && *log_root ? log_root : fs::temp_directory_path().string()) /
              ("cdcctl-real-logs-" + options_.name))
                 .string();
  fs::remove_all(log_dir_);
  fs::create_directories(log_dir_);
  data_ = std::make_unique<TempDir>("cdcctl-real");
  write_file(data_->path() + "/log4j2.properties", kLog4j2);

  start_broker();
  for (int i = 0; i < options_.workers; ++i) {
    Worker worker;
    worker.port = free_tcp_port();
    worker.log = log_dir_ + "/connect-" + std::to_string(i + 1) + ".log";
    worker.properties = data_->path() + "/connect-" + std::to_string(i + 1) + ".properties";
    worker.pid_file = data_->path() + "/connect-" + std::to_string(i + 1) + ".pid";
    std::ostringstream props;
    props << "bootstrap.servers=" << bootstrap_ << "\n"
          << "group.id=" << connect_group() << "\n"
          << "config.storage.topic=_connect-configs\n"
          << "offset.storage.topic=_connect-offsets\n"
          << "status.storage.topic=_connect-status\n"
          // One broker: Connect's internal topics default to a replication factor of 3.
          << "config.storage.replication.factor=1\n"
          << "offset.storage.replication.factor=1\n"
          << "status.storage.replication.factor=1\n"
          << "offset.storage.partitions=1\n"
          << "status.storage.partitions=1\n"
          << "key.converter=org.apache.kafka.connect.json.JsonConverter\n"
          << "value.converter=org.apache.kafka.connect.json.JsonConverter\n"
          << "listeners=http://127.0.0.1:" << worker.port << "\n"
          << "rest.advertised.host.name=127.0.0.1\n"
          << "rest.advertised.port=" << worker.port << "\n"
          << "plugin.path=" << artifacts_ << "/plugins\n"
          // Debezium and Kafka ship ServiceLoader manifests, so the scan of
          // every jar (the hybrid default) is not needed.
          << "plugin.discovery=service_load\n"
          << "offset.flush.interval.ms=1000\n"
          // A worker that left is not waited for (default 5 min) before its
          // tasks go to the others (KIP-415).
          << "scheduled.rebalance.max.delay.ms=0\n";
    for (const auto& [key, value] : options_.worker_properties) props << key << "=" << value << "\n";
    write_file(worker.properties, props.str());
    workers_.push_back(std::move(worker));
  }
  write_file(data_->path() + "/restart-worker.sh",
             "#!/bin/sh\n"
             "# restart-worker.sh INDEX: stops Connect worker INDEX (1-based) and returns once\n"
             "# its JVM has gone; its supervisor loop starts it again.\n"
             "pid=$(cat \"" + data_->path() + "/connect-$1.pid\") || exit 1\n"
             "kill -TERM \"$pid\" || exit 1\n"
             "while kill -0 \"$pid\" 2>/dev/null; do sleep 0.1; done\n");
  for (auto& worker : workers_) start_worker(worker);
}

std::string RealCluster::worker_restart_command() const {
  return "sh " + data_->path() + "/restart-worker.sh {index}";
}

int RealCluster::worker_pid(std::size_t index) const {
  std::ifstream in(workers_.at(index).pid_file);
  int pid = 0;
  in >> pid;
  return pid;
}

RealCluster::~RealCluster() {
  // Workers first, while the broker can still take their goodbyes.
  for (auto it = workers_.rbegin(); it != workers_.rend(); ++it) {
    if (it->process) it->process->stop();
  }
  if (broker_) broker_->stop();
}

std::string RealCluster::connect_url(std::size_t worker) const {
  return "http://127.0.0.1:" + std::to_string(workers_.at(worker).port);
}

std::vector<std::string> RealCluster::connect_urls() const {
  std::vector<std::string> urls;
  for (std::size_t i = 0; i < workers_.size(); ++i) urls.push_back(connect_url(i));
  return urls;
}

std::string RealCluster::worker_log_tail(std::size_t worker, std::size_t lines) const {
  return tail_of_file(workers_.at(worker).log, lines);
}

std::unique_ptr<BackgroundProcess> RealCluster::start_jvm(const std::string& log, const std::string& heap,
                                                          const std::vector<std::string>& main_and_args,
                                                          const std::string& supervisor_pid_file) const {
  // The shell prints one line for BackgroundProcess, then becomes the JVM with
  // its output in the log file (nobody reads a pipe that could fill).
  std::string script = "echo started; exec \"$@\" >>\"$CDCCTL_JVM_LOG\" 2>&1 </dev/null";
  if (!supervisor_pid_file.empty()) {
    // Or stays as a supervisor that starts the JVM again whenever it exits,
    // until the shell itself is asked to stop (SIGTERM). The JVM dies with
    // the shell (setpriv --pdeathsig), the shell with this process.
    script =
        "echo started; stopping=; child=;"
        " trap 'stopping=1; [ -n \"$child\" ] && kill -TERM \"$child\" 2>/dev/null' TERM INT;"
        " while [ -z \"$stopping\" ]; do"
        "   setpriv --pdeathsig KILL \"$@\" >>\"$CDCCTL_JVM_LOG\" 2>&1 </dev/null & child=$!;"
        "   [ -n \"$stopping\" ] && kill -TERM \"$child\";"  // a TERM that came just before
        "   echo \"$child\" >\"$CDCCTL_JVM_PID_FILE\";"
        "   while kill -0 \"$child\" 2>/dev/null; do wait \"$child\"; done;"
        "   [ -n \"$stopping\" ] && exit 0;"
        "   echo \"--- restarted by its supervisor ---\" >>\"$CDCCTL_JVM_LOG\";"
        "   sleep 1;"  // a JVM that cannot start is not restarted in a tight loop
        " done";
  }
  std::vector<std::string> argv{"/bin/sh", "-c", script, "sh", "java", "-Xms256m", "-Xmx" + heap,
                                // 2 cores: the serial collector, and the client compiler
                                // alone, start a test service fastest.
                                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:+ExitOnOutOfMemoryError",
                                "-Djava.awt.headless=true",
                                "-Dlog4j2.configurationFile=" + data_->path() + "/log4j2.properties", "-cp",
                                artifacts_ + "/lib/*"};
  argv.insert(argv.end(), main_and_args.begin(), main_and_args.end());
  RunOptions options;
  options.env["CDCCTL_JVM_LOG"] = log;
  options.env["CDCCTL_JVM_PID_FILE"] = supervisor_pid_file;
  options.die_with_parent = true;
  options.timeout = std::chrono::seconds(30);
  return std::make_unique<BackgroundProcess>(argv, options);
}

void RealCluster::start_broker() {
  const int broker_port = free_tcp_port();
  const int controller_port = free_tcp_port();
  bootstrap_ = "127.0.0.1:" + std::to_string(broker_port);
  const std::string properties = data_->path() + "/server.properties";
  std::ostringstream props;
  props << "process.roles=broker,controller\n"
        << "node.id=1\n"
        // Static voters: formatted without --standalone.
        << "controller.quorum.voters=1@127.0.0.1:" << controller_port << "\n"
        << "listeners=PLAINTEXT://" << bootstrap_ << ",CONTROLLER://127.0.0.1:" << controller_port << "\n"
        << "advertised.listeners=PLAINTEXT://" << bootstrap_ << "\n"
        << "controller.listener.names=CONTROLLER\n"
        << "inter.broker.listener.name=PLAINTEXT\n"
        << "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT\n"
        << "log.dirs=" << data_->path() << "/kraft\n"
        << "num.partitions=1\n"
        // One node: every internal topic's replication factor and min ISR
        // must fit it, or groups and transactions never get a coordinator.
        << "offsets.topic.replication.factor=1\n"
        << "offsets.topic.num.partitions=1\n"
        << "transaction.state.log.replication.factor=1\n"
        << "transaction.state.log.min.isr=1\n"
        << "transaction.state.log.num.partitions=1\n"
        << "share.coordinator.state.topic.replication.factor=1\n"
        << "share.coordinator.state.topic.min.isr=1\n"
        << "group.initial.rebalance.delay.ms=0\n";
  write_file(properties, props.str());

  const std::string log = log_dir_ + "/broker.log";
  RunOptions format_options;
  format_options.timeout = std::chrono::seconds(120);
  const auto format = run_process({"java", "-Xmx256m", "-XX:TieredStopAtLevel=1",
                                   "-Dlog4j2.configurationFile=" + data_->path() + "/log4j2.properties", "-cp",
                                   artifacts_ + "/lib/*", "kafka.tools.StorageTool", "format", "-t",
                                   random_cluster_id(), "-c", properties},
                                  format_options);
  write_file(log_dir_ + "/storage-format.log", format.out + format.err);
  if (format.exit_code != 0) {
    throw std::runtime_error("kafka-storage format failed (exit " + std::to_string(format.exit_code) + "):\n" +
                             format.out + format.err);
  }

  launch_broker();
}

void RealCluster::stop_broker() {
  if (broker_) broker_->stop();  // SIGTERM: a controlled shutdown
  broker_.reset();
}

void RealCluster::launch_broker() {
  const std::string log = log_dir_ + "/broker.log";
  const std::string properties = data_->path() + "/server.properties";
  broker_ = start_jvm(log, "512m", {"kafka.Kafka", properties});
  const auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
  std::string last_error;
  while (true) {
    if (auto status = broker_->wait_exit(0ms)) {
      throw std::runtime_error("the Kafka broker exited (status " + std::to_string(*status) + ") while starting; " +
                               log + " ends:\n" + tail_of_file(log, 40));
    }
    try {
      auto admin = cdcctl::kafka::make_topic_admin({{"bootstrap.servers", bootstrap_}}, 3s);
      if (admin->broker_count() >= 1) {
        admin->list_topics();
        return;
      }
    } catch (const std::exception& error) {
      last_error = error.what();
    }
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("the Kafka broker at " + bootstrap_ + " answered no Metadata request within " +
                               std::to_string(options_.start_timeout.count()) + " s (" + last_error + "); " + log +
                               " ends:\n" + tail_of_file(log, 40));
    }
    std::this_thread::sleep_for(250ms);
  }
}

void RealCluster::start_worker(Worker& worker) {
  std::filesystem::remove(worker.pid_file);
  worker.process = start_jvm(worker.log, "1g", {"org.apache.kafka.connect.cli.ConnectDistributed", worker.properties},
                             worker.pid_file);
  int first_pid = 0;
  httplib::Client client("127.0.0.1", worker.port);
  client.set_connection_timeout(2s);
  client.set_read_timeout(5s);
  const auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
  while (true) {
    if (auto status = worker.process->wait_exit(0ms)) {
      throw std::runtime_error("the Kafka Connect worker on port " + std::to_string(worker.port) + " exited (status " +
                               std::to_string(*status) + ") while starting; " + worker.log + " ends:\n" +
                               tail_of_file(worker.log, 40));
    }
    if (auto response = client.Get("/health"); response && response->status == 200) return;
    // Its supervisor restarts a JVM that exits: a new pid before readiness
    // means the worker could not start.
    std::ifstream pid_in(worker.pid_file);
    int pid = 0;
    if (pid_in >> pid && pid > 0) {
      if (first_pid == 0) first_pid = pid;
      if (pid != first_pid) {
        throw std::runtime_error("the Kafka Connect worker on port " + std::to_string(worker.port) +
                                 " exited while starting; " + worker.log + " ends:\n" + tail_of_file(worker.log, 40));
      }
    }
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("the Kafka Connect worker on port " + std::to_string(worker.port) +
                               " did not answer GET /health with 200 within " +
                               std::to_string(options_.start_timeout.count()) + " s; " + worker.log + " ends:\n" +
                               tail_of_file(worker.log, 40));
    }
    std::this_thread::sleep_for(250ms);
  }
}


}  // namespace cdcctl::testsupport
