// cdcctl topics create-history|create-dlq|create-heartbeat|lint: Debezium's
// and Kafka Connect's topics on the Kafka of the context.
#include <iostream>

#include "app.hpp"
#include "core/error.hpp"
#include "core/units.hpp"
#include "findings_output.hpp"
#include "kafka/admin.hpp"
#include "ops/connector_files.hpp"
#include "ops/topics.hpp"

namespace cdcctl::app {

namespace {

using nlohmann::json;

output::Cell verdict_cell(CheckStatus status) {
  const std::string verdict(verdict_name(status));
  return {verdict, output::state_color(verdict)};
}

std::unique_ptr<kafka::TopicAdmin> admin_for(AppContext& context) {
  const auto settings = context.settings();
  return kafka::make_topic_admin(settings.kafka_properties(), settings.timeout(), &context.logger());
}

// ---------------------------------------------------------------------------
// create-history, create-dlq, create-heartbeat

enum class CreateKind { History, Dlq, Heartbeat };

struct CreateFlags {
  std::string name;
  int replication_factor = 3;
  std::optional<int> min_insync_replicas;
  int partitions = 1;
  std::string retention;
  bool dry_run = false;
};

std::string settings_line(const kafka::NewTopicRequest& request) {
  std::string line = std::to_string(request.partitions) + (request.partitions == 1 ? " partition" : " partitions") +
                     ", replication factor " + std::to_string(request.replication_factor);
  for (const auto& [key, value] : request.configs) line += ", " + key + "=" + value;
  return line;
}

ExitCode create_topic(AppContext& context, CreateKind kind, const CreateFlags& flags) {
  ops::CreateTopicOptions options{.replication_factor = flags.replication_factor,
                                  .min_insync_replicas = flags.min_insync_replicas,
                                  .partitions = flags.partitions};
  if (!flags.retention.empty()) options.retention = parse_duration(flags.retention);
  const auto role = kind == CreateKind::History ? ops::TopicRole::SchemaHistory
                    : kind == CreateKind::Dlq   ? ops::TopicRole::DeadLetterQueue
                                                : ops::TopicRole::Heartbeat;
  const auto request = kind == CreateKind::History ? ops::history_topic_request(flags.name, options)
                       : kind == CreateKind::Dlq   ? ops::dlq_topic_request(flags.name, options)
                                                   : ops::heartbeat_topic_request(flags.name, options);
  auto admin = admin_for(context);
  const auto bootstrap = admin->bootstrap_servers();
  const auto result = ops::ensure_topic(*admin, role, request, flags.dry_run);
  const ExitCode code = result.action == ops::EnsureAction::Deviates ? ExitCode::Failed : ExitCode::Ok;

  const auto format = context.format();
  auto& out = *context.io.out;
  if (format == output::Format::Json || format == output::Format::Yaml) {
    output::Document document;
    document.data = ops::to_json(result, bootstrap);
    output::render(document, format, context.table_options(), out);
    return code;
  }
  if (format == output::Format::Name) {
    out << request.name << "\n";
    return code;
  }
  const std::string kind_text(ops::role_name(role));
  switch (result.action) {
    case ops::EnsureAction::Created:
      out << "created " << kind_text << " topic " << request.name << ": " << settings_line(request) << "\n";
      break;
    case ops::EnsureAction::WouldCreate:
      out << "dry run: would create " << kind_text << " topic " << request.name << " on Kafka at " << bootstrap
          << " (CreateTopics)\n"
          << "  partitions:          " << request.partitions << "\n"
          << "  replication factor:  " << request.replication_factor << "\n";
      for (const auto& [key, value] : request.configs) out << "  " << key << "=" << value << "\n";
      out << "the same with Kafka's tools:\n  " << kafka::kafka_topics_create_command(bootstrap, request) << "\n";
      break;
    case ops::EnsureAction::AsRequired:
      out << kind_text << " topic " << request.name << " already exists as required (" << result.existing->partitions
          << (result.existing->partitions == 1 ? " partition" : " partitions") << ", replication factor "
          << result.existing->replication_factor << "); nothing to do\n";
      break;
    case ops::EnsureAction::Deviates: {
      out << "topic " << request.name << " already exists but is not as a " << kind_text
          << " topic must be (nothing was changed):\n";
      output::Document document;
      document.table.columns = {{"STATUS", false, false, false}, {"SETTING"}, {"ACTUAL"}, {"EXPECTED"}, {"WHY", true},
                                {"FIX", true}};
      for (const auto& finding : result.deviations) {
        document.table.rows.push_back({verdict_cell(finding.status), finding.check, finding.actual, finding.expected,
                                       finding.why, finding.fix});
      }
      output::render(document, format, context.table_options(), out);
      if (format != output::Format::Wide) {
        std::vector<WhyAndFix> notes;
        for (const auto& finding : result.deviations) notes.push_back({finding.status, finding.check, finding.why, finding.fix});
        print_why_and_fix(out, notes);
      }
      break;
    }
  }
  if (result.action != ops::EnsureAction::AsRequired && result.action != ops::EnsureAction::Deviates &&
      request.replication_factor < 3) {
    context.logger().warn("replication factor " + std::to_string(request.replication_factor) +
                          ": fine for development, not for production (one broker loss can lose the topic)");
  }
  return code;
}

void add_create_command(CLI::App& group, AppContext& context, CreateKind kind) {
  auto flags = std::make_shared<CreateFlags>();
  const char* name = kind == CreateKind::History ? "create-history" : kind == CreateKind::Dlq ? "create-dlq" : "create-heartbeat";
  const char* summary = kind == CreateKind::History ? "Create Debezium's schema-history topic exactly as it must be"
                        : kind == CreateKind::Dlq   ? "Create a dead-letter-queue topic (delete, 30 days)"
                                                    : "Create a Debezium heartbeat topic (delete, 1 hour)";
  auto* command = group.add_subcommand(name, summary);
  command->add_option("name", flags->name, "topic name")->required();
  command->add_option("--replication-factor", flags->replication_factor, "replicas of each partition (default 3)")
      ->type_name("N");
  command->add_option("--min-insync-replicas", flags->min_insync_replicas,
                      "min.insync.replicas (default 2 from replication factor 3 up, else 1)")
      ->type_name("N");
  if (kind == CreateKind::Dlq) {
    command->add_option("--partitions", flags->partitions, "partitions (default 1, as Kafka Connect creates it)")
        ->type_name("N");
  }
  if (kind != CreateKind::History) {
    command->add_option("--retention", flags->retention,
                        kind == CreateKind::Dlq ? "how long failed records are kept (default 30d)"
                                                : "how long heartbeats are kept (default 1h)")
        ->type_name("DURATION");
  }
  command->add_flag("--dry-run", flags->dry_run, "print the CreateTopics request (and check an existing topic); create nothing");

  const std::string common =
      "Idempotent: when the topic exists it is described (DescribeConfigs) and every deviation is reported with "
      "why it matters and the kafka-configs command that fixes it; nothing is altered, and the exit code is 1. A "
      "replication factor above the number of brokers is refused before asking Kafka. A broker without the admin "
      "APIs (such as the embedded broker) is reported at once: \"broker does not support CreateTopics\".";
  if (kind == CreateKind::History) {
    context.document(command,
                     "Creates the topic Debezium keeps its schema history in (schema.history.internal.kafka.topic, "
                     "for the MySQL, SQL Server, Oracle and Db2 connectors): 1 partition, replication factor 3, "
                     "cleanup.policy=delete, retention.ms=-1, retention.bytes=-1, min.insync.replicas=2, "
                     "unclean.leader.election.enable=false. A compacted or expiring history topic silently loses "
                     "DDL, and the connector cannot restart.\n\n" +
                         common,
                     {"cdcctl topics create-history schema-history.inventory",
                      "cdcctl topics create-history schema-history.inventory --dry-run -o json",
                      "cdcctl topics create-history dev.history --replication-factor 1"});
  } else if (kind == CreateKind::Dlq) {
    context.document(command,
                     "Creates a topic for errors.deadletterqueue.topic.name: cleanup.policy=delete, retention.ms of "
                     "30 days (--retention), min.insync.replicas=2, 1 partition, replication factor 3. Kafka Connect "
                     "would otherwise create it on first failure with the broker's default retention.\n\n" +
                         common,
                     {"cdcctl topics create-dlq dlq-inventory-sink", "cdcctl topics create-dlq dlq-orders --retention 14d --partitions 3"});
  } else {
    context.document(command,
                     "Creates the topic a Debezium connector sends heartbeats to (__debezium-heartbeat.<topic.prefix>): "
                     "1 partition, cleanup.policy=delete, retention.ms of 1 hour (--retention), min.insync.replicas=2, "
                     "replication factor 3.\n\n" +
                         common,
                     {"cdcctl topics create-heartbeat __debezium-heartbeat.inventory"});
  }
  command->callback([&context, flags, kind] {
    context.action = [&context, flags, kind] { return create_topic(context, kind, *flags); };
  });
}

// ---------------------------------------------------------------------------
// lint

struct LintFlags {
  std::vector<std::string> connector_configs;
  std::vector<std::string> prefixes;
  int replication_factor = 3;
  bool all = false;
};

ExitCode lint(AppContext& context, const LintFlags& flags) {
  ops::LintScope scope;
  if (!flags.connector_configs.empty()) {
    for (const auto& definition : ops::read_connector_definitions(flags.connector_configs, *context.io.in)) {
      ops::add_connector_to_scope(scope, definition);
    }
  }
  for (const auto& list : flags.prefixes) {
    for (const auto& prefix : split_list(list)) scope.add_prefix(prefix);
  }
  ops::TopicExpectations expectations;
  if (flags.replication_factor < 1) throw Error::usage("invalid --replication-factor", "it must be at least 1");
  expectations.replication_factor = flags.replication_factor;
  expectations.min_insync_replicas = ops::default_min_insync_replicas(flags.replication_factor);

  auto admin = admin_for(context);
  const auto report = ops::lint_topics(*admin, scope, expectations);
  const auto status = ops::worst(report);
  const auto code = static_cast<ExitCode>(static_cast<int>(status));

  const auto format = context.format();
  auto& out = *context.io.out;
  if (format == output::Format::Json || format == output::Format::Yaml) {
    output::Document document;
    document.data = ops::to_json(report);
    output::render(document, format, context.table_options(), out);
    return code;
  }
  if (format == output::Format::Name) {
    for (const auto& topic : report.topics) {
      if (std::any_of(topic.findings.begin(), topic.findings.end(),
                      [](const auto& f) { return f.status != CheckStatus::Ok; })) {
        out << topic.name << "\n";
      }
    }
    return code;
  }
  out << ops::lint_summary(report) << "\n";
  if (report.topics.empty()) {
    out << "no topic was recognised: pass --connector-config FILE or --prefix P so CDC data topics are known\n";
    return code;
  }
  output::Document document;
  document.table.columns = {{"STATUS", false, false, false}, {"TOPIC"}, {"ROLE"}, {"CHECK"}, {"ACTUAL"}, {"EXPECTED"},
                            {"WHY", true}, {"FIX", true}};
  for (const auto& topic : report.topics) {
    if (topic.findings.empty()) {
      if (flags.all || format == output::Format::Wide) {
        document.table.rows.push_back(
            {verdict_cell(CheckStatus::Ok), topic.name, std::string(ops::role_name(topic.role)), "-", "as required", "-",
             "-", "-"});
      }
      continue;
    }
    for (const auto& finding : topic.findings) {
      document.table.rows.push_back({verdict_cell(finding.status), topic.name, std::string(ops::role_name(topic.role)),
                                     finding.check, finding.actual, finding.expected, finding.why,
                                     finding.fix.empty() ? "-" : finding.fix});
    }
  }
  if (!document.table.rows.empty()) output::render(document, format, context.table_options(), out);
  if (format != output::Format::Wide) {
    std::vector<WhyAndFix> notes;
    for (const auto& topic : report.topics) {
      for (const auto& finding : topic.findings) {
        notes.push_back({finding.status, topic.name + " " + finding.check, finding.why, finding.fix});
      }
    }
    print_why_and_fix(out, notes);
  }
  return code;
}

}  // namespace

void add_topics_commands(CLI::App& app, AppContext& context) {
  auto* group = app.add_subcommand("topics", "Debezium's and Kafka Connect's Kafka topics: create them right, lint them");
  group->require_subcommand(1);
  context.document(group,
                   "Kafka admin operations through librdkafka on the bootstrap servers of the context "
                   "(--bootstrap-servers, -X, -F). The broker must support CreateTopics and DescribeConfigs; one "
                   "that does not is reported at once, without waiting for a timeout.");
  add_create_command(*group, context, CreateKind::History);
  add_create_command(*group, context, CreateKind::Dlq);
  add_create_command(*group, context, CreateKind::Heartbeat);

  auto flags = std::make_shared<LintFlags>();
  auto* command = group->add_subcommand("lint", "Check every CDC topic's settings against what its role needs");
  auto* configs = command->add_option("--connector-config", flags->connector_configs,
                                      "connector config FILE, DIR of *.json, or - (repeatable): prefixes and topic names")
                      ->type_name("FILE");
  context.completions[configs] = {.files = true};
  command->add_option("--prefix", flags->prefixes, "topic.prefix of CDC data topics <prefix>.<schema>.<table> (repeatable)")
      ->type_name("P");
  command->add_option("--replication-factor", flags->replication_factor,
                      "the replication factor topics need (default 3; 1 for a one-broker development cluster)")
      ->type_name("N");
  command->add_flag("--all", flags->all, "also list the topics that are as required");
  context.document(
      command,
      "Classifies the cluster's topics and checks each against its role:\n"
      "  cdc-data (<prefix>.<schema>.<table>): cleanup.policy includes compact (WARN otherwise);\n"
      "  schema-history: 1 partition, never compact, retention.ms=-1, retention.bytes=-1 (FAIL otherwise);\n"
      "  dlq: delete, retention at least 30 days (WARN);\n"
      "  heartbeat (__debezium-heartbeat.<prefix>): delete, retention at most 1 hour (WARN);\n"
      "  connect-offsets/configs/status: compact only, configs topic 1 partition (FAIL otherwise);\n"
      "  every classified topic: replication factor at least --replication-factor, min.insync.replicas at least 2 "
      "(FAIL when above the replication factor), unclean.leader.election.enable=false.\n"
      "\n"
      "Prefixes and the history, DLQ and heartbeat topic names come from --connector-config (topic.prefix, "
      "schema.history.internal.kafka.topic, errors.deadletterqueue.topic.name, heartbeat.interval.ms) and "
      "--prefix; a heartbeat topic also reveals its prefix. Without them, names alone classify Connect's internal "
      "topics (a \"connect\" word ending in offsets/configs/status), history topics (schema-history, dbhistory, "
      "schema-changes) and DLQs (a dlq or dead-letter word). A topic a connector config names but the cluster lacks "
      "is a WARN with the cdcctl command that creates it.\n"
      "\n"
      "Each finding has why it matters and the kafka-configs command that fixes it. Exit 0 when all are as "
      "required, 1 with a WARN, 2 with a FAIL, 3 when Kafka cannot be asked (including a broker without "
      "DescribeConfigs).",
      {"cdcctl topics lint --connector-config connectors/", "cdcctl topics lint --prefix inventory -o wide",
       "cdcctl topics lint --prefix dev --replication-factor 1 -o json"});
  command->callback([&context, flags] {
    context.error_exit_code = static_cast<int>(CheckStatus::Unknown);
    context.action = [&context, flags] { return lint(context, *flags); };
  });
}

}  // namespace cdcctl::app
