#pragma once
// Kafka Connect REST entities (field names as in the reference), parsed from
// JSON into plain structs. Anything a command does not model stays
// available as raw JSON so `-o json` can show everything the worker said.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace cdcctl::connect {

using Config = std::map<std::string, std::string>;

struct ServerInfo {
  std::string version{};
  std::string commit{};
  std::string kafka_cluster_id{};
  std::string worker_url{};  // the worker that answered
};

struct WorkerHealth {
  long http_status = 0;
  std::string status{};   // healthy | starting | unhealthy
  std::string message{};
};

struct TaskState {
  int id = 0;
  std::string state{};  // UNASSIGNED RUNNING PAUSED FAILED RESTARTING
  std::string worker_id{};
  std::string trace{};
};

struct ConnectorStatus {
  std::string name{};
  std::string type{};
  std::string state{};  // the connector instance's state, incl. STOPPED
  std::string worker_id{};
  std::string trace{};
  std::vector<TaskState> tasks{};
  nlohmann::json raw{};

  int running_tasks() const;
  std::vector<int> failed_task_ids() const;
};

struct ConnectorInfo {
  std::string name{};
  std::string type{};
  Config config{};
  std::vector<int> tasks{};
  nlohmann::json raw{};
};

// One entry of GET /connectors?expand=status&expand=info.
struct ConnectorOverview {
  std::string name{};
  std::optional<ConnectorStatus> status{};
  std::optional<ConnectorInfo> info{};
};

struct TaskInfo {
  int id = 0;
  Config config{};
};

struct PluginInfo {
  std::string class_name{};
  std::string type{};
  std::string version{};
};

struct ConfigKey {
  std::string name{};
  std::string type{};
  bool required = false;
  std::optional<std::string> default_value{};
  std::string importance{};
  std::string documentation{};
  std::string group{};
};

struct FieldValidation {
  std::string name{};
  std::optional<std::string> value{};
  std::vector<std::string> errors{};
  std::vector<std::string> recommended_values{};
  bool visible = true;
  std::optional<ConfigKey> definition{};
};

struct ValidationResult {
  std::string connector_class{};
  int error_count = 0;
  std::vector<std::string> groups{};
  std::vector<FieldValidation> fields{};
  nlohmann::json raw{};
};

struct LoggerLevel {
  std::string name{};
  std::string level{};
  std::optional<long long> last_modified{};
};

ServerInfo parse_server_info(const nlohmann::json& body);
ConnectorStatus parse_status(const nlohmann::json& body);
TaskState parse_task_state(const nlohmann::json& body);
ConnectorInfo parse_info(const nlohmann::json& body);
std::vector<ConnectorOverview> parse_expanded(const nlohmann::json& body);
std::vector<TaskInfo> parse_tasks(const nlohmann::json& body);
std::vector<PluginInfo> parse_plugins(const nlohmann::json& body);
ConfigKey parse_config_key(const nlohmann::json& body);
ValidationResult parse_validation(const nlohmann::json& body);
LoggerLevel parse_logger_level(const std::string& name, const nlohmann::json& body);
std::vector<LoggerLevel> parse_loggers(const nlohmann::json& body);

// Connect config maps are string→string; a number or boolean written in a
// file is turned into its text the way Connect itself would read it.
Config config_from_json(const nlohmann::json& object, const std::string& origin);
nlohmann::json config_to_json(const Config& config);

}  // namespace cdcctl::connect
