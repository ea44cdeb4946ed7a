#include "ops/dlq_replay.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/interrupt.hpp"

namespace cdcctl::ops {

using nlohmann::json;

std::string_view skip_reason_text(SkipReason reason) {
  switch (reason) {
    case SkipReason::None: return "";
    case SkipReason::NoOriginalTopic: return "no __connect.errors.topic header (give --to)";
    case SkipReason::IntoDlqItself: return "its original topic is the DLQ itself";
    case SkipReason::TooManyReplays: return "replayed --max-replays times already";
  }
  return "";
}

ReplayDecision decide_replay(const kafka::DlqContext& context, const ReplayRouting& routing) {
  if (context.replay_count >= routing.max_replays) return {.skip = SkipReason::TooManyReplays};
  const auto topic = routing.to ? routing.to : context.original_topic;
  if (!topic || topic->empty()) return {.skip = SkipReason::NoOriginalTopic};
  if (*topic == routing.dlq_topic) return {.skip = SkipReason::IntoDlqItself};
  // Back to the partition it failed from, so its order among the records of
  // the same key is kept; elsewhere, the key decides.
  return {.topic = *topic, .partition = routing.to ? std::nullopt : context.original_partition};
}

void check_replay_routing(const ReplayRouting& routing) {
  if (routing.to && *routing.to == routing.dlq_topic) {
    throw Error::usage("refusing to replay " + routing.dlq_topic + " into itself",
                       "every record would fail again and come back", "give --to the topic the records belong in");
  }
  if (routing.max_replays < 1) {
    throw Error::usage("invalid --max-replays " + std::to_string(routing.max_replays), "it must be at least 1");
  }
}

std::string default_replay_group(const std::string& dlq_topic) { return "cdcctl-replay-" + dlq_topic; }

ReplayPlan plan_replay(kafka::Consumer& consumer, kafka::GroupOffsets& group, const std::string& dlq_topic,
                       std::chrono::milliseconds timeout) {
  ReplayPlan plan;
  for (const auto& position : read_group_positions(consumer, group, dlq_topic, timeout)) {
    plan.committed.push_back(position.committed);
    const auto start = position.committed ? std::clamp(*position.committed, position.low, position.high) : position.low;
    plan.ranges.push_back({position.partition, start, position.high});
  }
  return plan;
}

std::size_t batch_for_rate(std::size_t batch, std::optional<double> rate) {
  batch = std::max<std::size_t>(batch, 1);
  if (!rate || *rate <= 0) return batch;
  const auto ten_seconds = static_cast<std::size_t>(std::max(1.0, std::floor(*rate * 10)));
  return std::min(batch, ten_seconds);
}

std::unique_ptr<kafka::Producer> open_replay_producer(const std::map<std::string, std::string>& kafka_properties,
                                                      const std::string& transactional_id,
                                                      std::chrono::milliseconds timeout, const Logger* logger) {
  auto properties = kafka_properties;
  properties["transactional.id"] = transactional_id;
  auto producer = std::make_unique<kafka::Producer>(properties, logger);
  producer->init_transactions(timeout);
  return producer;
}

ReplayReport run_replay(kafka::Producer* producer, kafka::Consumer& consumer, kafka::GroupOffsets& group,
                        const std::string& dlq_topic, const ReplayPlan& plan, const ReplayOptions& options,
                        std::chrono::milliseconds timeout, const std::function<void(std::uint64_t)>& on_progress) {
  ReplayReport report{.dlq_topic = dlq_topic, .group = group.group(), .dry_run = producer == nullptr};
  const auto batch = batch_for_rate(options.batch, options.rate);
  bool transaction_open = false;
  std::size_t in_batch = 0;
  std::map<std::int32_t, std::int64_t> advanced;  // positions moved in this batch
  std::map<std::string, int> partitions_of;       // destination topics seen, checked once
  auto next_send = std::chrono::steady_clock::now();

  const auto begin_if_needed = [&] {
    if (producer && !transaction_open) {
      producer->begin_transaction();
      transaction_open = true;
    }
  };
  // The records of the batch and the group's new position, together.
  const auto commit_batch = [&] {
    if (advanced.empty()) return;
    const std::vector<std::pair<std::int32_t, std::int64_t>> offsets(advanced.begin(), advanced.end());
    if (producer) {
      begin_if_needed();
      producer->send_offsets_to_transaction(group.group(), dlq_topic, offsets, timeout);
      producer->commit_transaction(timeout);
      transaction_open = false;
      ++report.transactions;
      // A broker that kept the transaction's offsets needs nothing more. One
      // that dropped them (the embedded one) gets them plainly; never a
      // position lower than the group has, which a fenced earlier run could
      // otherwise set back.
      std::vector<std::int32_t> partitions;
      for (const auto& [partition, offset] : offsets) partitions.push_back(partition);
      const auto current = group.committed(dlq_topic, partitions, timeout);
      std::vector<std::pair<std::int32_t, std::int64_t>> behind;
      for (std::size_t i = 0; i < offsets.size(); ++i) {
        if (!current[i] || *current[i] < offsets[i].second) behind.push_back(offsets[i]);
      }
      group.commit(dlq_topic, behind, timeout);
    }
    for (const auto& [partition, offset] : advanced) report.positions[partition] = offset;
    advanced.clear();
    in_batch = 0;
  };
  const auto check_destination = [&](ReplayDecision& decision) {
    auto known = partitions_of.find(decision.topic);
    if (known == partitions_of.end()) {
      try {
        known = partitions_of.emplace(decision.topic, consumer.partition_count(decision.topic, timeout)).first;
      } catch (const Error& error) {
        if (error.code() != ExitCode::NotFound) throw;
        throw Error::not_found("cannot replay to " + decision.topic + ": the topic does not exist", {},
                               "create it, or give --to the topic the records belong in");
      }
    }
    if (decision.partition && *decision.partition >= known->second) decision.partition.reset();
  };
  // One record per 1/rate seconds, spaced from the previous send: time spent
  // reading skipped records is not saved up for a burst.
  const auto pace = [&] {
    if (!options.rate || *options.rate <= 0) return;
    const auto now = std::chrono::steady_clock::now();
    if (next_send > now) sleep_unless_interrupted(std::chrono::duration_cast<std::chrono::milliseconds>(next_send - now));
    next_send = std::max(next_send, now) + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                               std::chrono::duration<double>(1.0 / *options.rate));
  };

  try {
    consumer.read_views(
        dlq_topic, plan.ranges,
        [&](const kafka::RecordView& view) {
          if (interrupt_requested()) {
            report.interrupted = true;
            return false;
          }
          if (options.limit && report.replayed >= *options.limit) {
            report.limit_reached = true;
            return false;
          }
          ++report.read;
          const auto context_view = kafka::view_dlq_context(view);
          if (!options.filter.matches(view.key, view.value, context_view)) {
            ++report.filtered_out;
          } else {
            const auto context = context_view.owned();
            auto decision = decide_replay(context, options.routing);
            if (decision.skip == SkipReason::None) check_destination(decision);
            if (report.preview.size() < 20) report.preview.push_back({view.partition, view.offset, decision});
            if (decision.skip != SkipReason::None) {
              ++report.skipped[std::string(skip_reason_text(decision.skip))];
            } else {
              if (producer) {
                pace();
                const auto record = view.to_record();
                begin_if_needed();
                const auto timestamp = options.keep_timestamp && record.timestamp_ms >= 0 ? record.timestamp_ms : 0;
                producer->produce(decision.topic, decision.partition, record.key, record.value,
                                  kafka::replay_headers(record, context), timestamp);
              }
              ++report.replayed;
              ++report.by_destination[decision.topic];
            }
          }
          advanced[view.partition] = view.offset + 1;
          if (++in_batch >= batch) commit_batch();
          if (on_progress) on_progress(report.read);
          return true;
        },
        timeout, [&] {
          // Ctrl-C is noticed also while no record arrives.
          if (!interrupt_requested()) return true;
          report.interrupted = true;
          return false;
        });
    // The last, partial batch: also when interrupted, as its records are
    // already produced and committing them with their position is exact.
    commit_batch();
  } catch (...) {
    if (producer && transaction_open) {
      try {
        producer->abort_transaction(timeout);
      } catch (const std::exception&) {
        // The error that got us here is the one to report.
      }
    }
    throw;
  }
  return report;
}

json to_json(const ReplayReport& report) {
  json positions = json::array();
  for (const auto& [partition, offset] : report.positions) positions.push_back({{"partition", partition}, {"offset", offset}});
  json preview = json::array();
  for (const auto& item : report.preview) {
    preview.push_back({{"partition", item.partition},
                       {"offset", item.offset},
                       {"to", item.decision.skip == SkipReason::None ? json(item.decision.topic) : json(nullptr)},
                       {"to_partition", item.decision.partition ? json(*item.decision.partition) : json(nullptr)},
                       {"skipped", item.decision.skip == SkipReason::None
                                       ? json(nullptr)
                                       : json(std::string(skip_reason_text(item.decision.skip)))}});
  }
  return {{"dlq_topic", report.dlq_topic},
          {"group", report.group},
          {"dry_run", report.dry_run},
          {"read", report.read},
          {"replayed", report.replayed},
          {"filtered_out", report.filtered_out},
          {"by_destination", report.by_destination},
          {"skipped", report.skipped},
          {"transactions", report.transactions},
          {"positions", positions},
          {"interrupted", report.interrupted},
          {"limit_reached", report.limit_reached},
          {"preview", preview}};
}

}  // namespace cdcctl::ops
