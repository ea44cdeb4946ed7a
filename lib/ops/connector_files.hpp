#pragma once
// Connector definitions as users keep them in files, and what applying them
// to a cluster would change. Files may be Kafka Connect's create-request
// shape {"name": …, "config": {…}}, a flat config map with "name", or an
// array of either; // comments are allowed (the templates use them).
#include <chrono>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connect/client.hpp"

namespace cdcctl::ops {

struct ConnectorDefinition {
  std::string name{};
  connect::Config config{};  // always holds "name" = name, as Connect stores it
  std::string origin{};      // "file.json" or "file.json[2]", for messages
};

std::vector<ConnectorDefinition> parse_connector_definitions(std::string_view text, const std::string& origin);

// FILE, every *.json of a DIR (sorted), or "-" for standard input. The same
// connector defined twice is a usage error naming both places.
std::vector<ConnectorDefinition> read_connector_definitions(const std::vector<std::string>& paths, std::istream& in);

struct ConfigChange {
  std::string key{};
  std::optional<std::string> before{};  // nullopt: added
  std::optional<std::string> after{};   // nullopt: removed
};

std::vector<ConfigChange> diff_config(const connect::Config& live, const connect::Config& desired);

// "+ key: value", "- key: value", "~ key: before -> after"; values of
// secret keys (and passwords inside URLs) are masked unless show_secrets.
std::vector<std::string> diff_lines(const std::vector<ConfigChange>& changes, bool show_secrets);

enum class ApplyAction { Create, Update, Unchanged };
std::string_view action_name(ApplyAction action);

struct ApplyStep {
  ConnectorDefinition definition{};
  ApplyAction action = ApplyAction::Unchanged;
  std::vector<ConfigChange> changes{};
  std::string live_state{};  // the connector's state before applying ("" when new)
};

// Compares the definitions with the live configs, read in one request.
std::vector<ApplyStep> plan_apply(connect::Client& client, const std::vector<ConnectorDefinition>& definitions);

// Applies one step: PUT /config (create-or-replace, safe to retry) for
// creates and updates; nothing at all for unchanged connectors. Returns the
// config the worker answered with (what GET /config will serve once the
// worker has caught up; a worker may rewrite values, e.g. into secret
// references), or the definition's config when nothing was sent.
connect::Config apply_step(connect::Client& client, const ApplyStep& step);

// Kafka Connect answers PUT /config once the config is in its config topic,
// but a worker serves GET /config (and runs the connector) from its own copy,
// which catches up a moment later: right after an update, reads can still show
// the old config and the old, RUNNING connector. Polls GET /config until each
// applied definition's config is what the worker serves, or the timeout
// passes; returns the names still showing another config. `applied` holds
// each connector's config as the worker answered the write.
std::vector<std::string> wait_for_applied_configs(connect::Client& client,
                                                  const std::vector<ConnectorDefinition>& applied,
                                                  std::chrono::milliseconds timeout,
                                                  std::chrono::milliseconds poll_interval = std::chrono::milliseconds(200));

}  // namespace cdcctl::ops
