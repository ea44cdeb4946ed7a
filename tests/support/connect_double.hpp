// An in-process stand-in for a Kafka Connect worker's REST API (Apache Kafka 3.7 - 4.0).
//
// The double answers with the status codes, entity shapes and error wordings of a real
// distributed-mode worker (see shared/reference/kafka-connect-rest.md), so that cdcctl's
// HTTP handling can be tested without a JVM. It keeps connectors, offsets, topics and
// logger levels in memory and can inject the failures a real cluster produces only
// occasionally: rebalance conflicts, proxy error pages, truncated bodies, slow answers,
// failed tasks (optionally failing again on every restart), tasks left UNASSIGNED by a
// departed worker and restarts that take a while. With a state file it also keeps its
// connectors across process restarts, as a worker keeps them in the config topic.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace cdcctl::testsupport {

struct ConnectDoubleOptions {
  // Reported by GET / and used to switch version-specific endpoints on and off.
  std::string version = "3.7.1";
  std::string kafka_cluster_id = "double-cluster";
  std::string host = "127.0.0.1";
  int port = 0;  // 0 = any free port
  bool topic_tracking = true;              // topic.tracking.enable
  bool topic_tracking_allow_reset = true;  // topic.tracking.allow.reset
  // When set, every request needs these HTTP Basic credentials (401 otherwise).
  std::string basic_auth_user;
  std::string basic_auth_password;
  // When set, every request needs "Authorization: Bearer <token>". If both kinds of
  // credentials are configured, either one is accepted.
  std::string bearer_token;
  // When both are set, serve HTTPS with this certificate and key (PEM files).
  std::string tls_cert_file;
  std::string tls_key_file;
  // Serve the /__double/* control endpoints (used by the stand-alone launcher so that
  // shell scripts can inject faults). Real Connect has no such paths, hence off by default.
  bool control_endpoints = false;
  // When set, connectors (name, config, type, target state, offsets) are loaded from this
  // JSON file at start, if it exists, and written back atomically (temp file + rename)
  // after every request that changes them. Loaded connectors come up in their target
  // state with no failures, like a worker re-reading its config topic after a restart.
  // The constructor throws std::runtime_error for an unreadable file or unwritable path.
  std::string state_file;
  // As real Kafka Connect does, a deleted connector leaves GET /connectors at
  // once but its status is still served until its instance and tasks have
  // stopped: this long after the DELETE (a real worker took ~0.3 s to stop a
  // Debezium task).
  std::chrono::milliseconds delete_stop_delay{300};
  // As a real worker does, GET /config serves a replaced config for a moment
  // after PUT /config answered (it reads the config topic back first).
  std::chrono::milliseconds config_update_delay{200};
};

// One installed plugin, as GET /connector-plugins reports it.
struct ConnectDoublePlugin {
  std::string class_name;
  // "source", "sink", "converter", "header_converter", "transformation" or "predicate".
  std::string type;
  // Empty means the plugin reports "undefined", which Connect leaves out of PluginInfo.
  std::string version;
  // ConfigKeyInfo objects the plugin itself defines. Keys with "required": true are
  // enforced when a connector of this class is validated.
  nlohmann::json config_keys = nlohmann::json::array();
};

class ConnectDouble {
 public:
  // Starts serving on a background thread; returns once the port accepts connections.
  // Throws std::runtime_error when the address cannot be bound.
  explicit ConnectDouble(ConnectDoubleOptions options = {});
  ~ConnectDouble();  // stops serving and joins the thread

  ConnectDouble(const ConnectDouble&) = delete;
  ConnectDouble& operator=(const ConnectDouble&) = delete;
  ConnectDouble(ConnectDouble&&) = delete;
  ConnectDouble& operator=(ConnectDouble&&) = delete;

  int port() const;
  std::string url() const;        // "http://127.0.0.1:PORT" (https with TLS)
  std::string worker_id() const;  // "127.0.0.1:PORT", as shown in status entries
  const ConnectDoubleOptions& options() const;

  // --- Fault injection (thread-safe) ---------------------------------------------------
  // The next n non-GET requests to /connectors* answer 409 "Cannot complete request
  // momentarily due to no known leader URL, ...".
  void conflict_next_writes(int n);
  // The next n requests (of any kind) answer an HTML error page with the given status,
  // as a reverse proxy or Jetty itself would.
  void html_error_next_requests(int n, int status = 500);
  // The next n successful responses that carry a body have that body cut in half.
  void truncate_next_responses(int n);
  // Every response is delayed by d; zero turns the delay off.
  void delay_responses(std::chrono::milliseconds d);
  // The next n GETs of /connectors/{c}, /config, /tasks, /tasks-config or /offsets
  // answer 500 "Request cannot be completed because a rebalance is expected".
  void rebalance_next_gets(int n);
  // The next n PATCH/DELETE /connectors/{c}/offsets of a stopped connector answer 500
  // "Failed to modify offsets for connector {c} because it doesn't support external
  // modification of offsets", as a connector whose alterOffsets throws does.
  void fail_offset_writes(int n);
  // Marks a task / the connector FAILED with the given stack trace. Both throw
  // std::out_of_range for an unknown connector or task.
  // A sticky failure models a task or connector that fails again as soon as it starts:
  // restarts (task restart, connector restart with or without includeTasks/onlyFailed,
  // a resume that recreates stopped tasks) are answered as usual, but what they start
  // shows FAILED again with the same trace. A non-sticky call clears earlier stickiness
  // of that task / connector. Stickiness ends with heal(), DELETE and a config PUT/PATCH.
  void fail_task(const std::string& connector, int task, const std::string& trace, bool sticky = false);
  void fail_connector(const std::string& connector, const std::string& trace, bool sticky = false);
  // Clears stickiness of the connector and all its tasks. States are left as they are, so
  // a FAILED task stays FAILED until it is restarted. Throws std::out_of_range if unknown.
  void heal(const std::string& connector);
  // Shows the task as UNASSIGNED, as Connect does for a task whose worker left while
  // scheduled.rebalance.max.delay.ms runs. The entry keeps a worker_id (this worker's, as
  // every status entry has one) and no trace. A restart, or a pause/resume, starts it
  // again. Throws std::out_of_range for an unknown connector or task.
  void unassign_task(const std::string& connector, int task);
  // When d is non-zero, what a restart endpoint restarts (a task, the connector for the
  // 204 restart, or what the 202 plan marks RESTARTING) shows RESTARTING until d has
  // passed, then RUNNING/PAUSED per the target state (FAILED if sticky by then), as with
  // a real distributed worker. Evaluated when state is next read; zero (the default)
  // restarts at once. Replies, including the 202 plan, are unchanged.
  void delay_restarts(std::chrono::milliseconds d);

  // --- State seeding (thread-safe) -----------------------------------------------------
  static std::vector<ConnectDoublePlugin> default_plugins(const std::string& kafka_version);
  void set_plugins(std::vector<ConnectDoublePlugin> plugins);
  // Replaces a connector's stored offsets with `offsets`, a JSON array of
  // {"partition": {...}, "offset": {...}}. Throws std::out_of_range for an unknown
  // connector and std::invalid_argument when `offsets` is not an array; saved to the state
  // file like offsets written through the API (std::runtime_error if that fails).
  void set_offsets(const std::string& connector, const nlohmann::json& offsets);
  // Records a topic as in use by a connector (sink connectors get theirs from `topics`
  // automatically while running). Unknown connectors are accepted, as in Connect.
  void add_active_topic(const std::string& connector, const std::string& topic);

  // --- Inspection ----------------------------------------------------------------------
  // "METHOD /path?query" for every request received, in order (control endpoints excluded).
  std::vector<std::string> request_log() const;
  // The same without the GETs: what changed the cluster.
  std::vector<std::string> write_log() const;
  void clear_request_log();
  // The connector's status entity (as GET /connectors/{c}/status), or null if unknown.
  nlohmann::json connector_state(const std::string& name) const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cdcctl::testsupport
