#pragma once
// `dlq replay`: DLQ records re-produced to the topic they failed from, with
// their original key, value, timestamp and headers, exactly once. Records
// and the replay group's new position go out in one Kafka transaction
// (send_offsets_to_transaction), so a crash neither loses nor repeats a
// record on a real broker. Where the broker did not keep the transaction's
// offsets (the embedded one drops them), the position is committed plainly
// right after it, which is what resumes a replay there.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/log.hpp"
#include "kafka/dlq_record.hpp"
#include "kafka/topic_io.hpp"
#include "ops/dlq.hpp"

namespace cdcctl::ops {

struct ReplayRouting {
  std::string dlq_topic{};
  std::optional<std::string> to{};  // instead of __connect.errors.topic
  int max_replays = 3;
};

enum class SkipReason { None, NoOriginalTopic, IntoDlqItself, TooManyReplays };
std::string_view skip_reason_text(SkipReason reason);

struct ReplayDecision {
  SkipReason skip = SkipReason::None;
  std::string topic{};
  std::optional<std::int32_t> partition{};  // the original partition when replaying to the original topic
};

// Where one record goes, or why it is not replayed.
ReplayDecision decide_replay(const kafka::DlqContext& context, const ReplayRouting& routing);

// Error (usage) for --to naming the DLQ itself, a bad group name and the like.
void check_replay_routing(const ReplayRouting& routing);

// "cdcctl-replay-<dlq topic>"
std::string default_replay_group(const std::string& dlq_topic);

struct ReplayOptions {
  ReplayRouting routing{};
  DlqFilter filter{};
  std::string group{};
  std::string transactional_id{};
  std::optional<std::uint64_t> limit{};  // records replayed at most
  std::optional<double> rate{};          // records per second at most
  std::size_t batch = 500;               // records per transaction (fewer with a low rate)
  bool keep_timestamp = true;
  bool dry_run = false;
};

// Each partition of the DLQ from the group's position (or the first offset
// when it has none) to where it ends now; later records wait for a rerun.
struct ReplayPlan {
  std::vector<kafka::PartitionRange> ranges{};
  std::vector<std::optional<std::int64_t>> committed{};  // per partition, as the group had it
  std::uint64_t records() const { return kafka::records_in(ranges); }
};
ReplayPlan plan_replay(kafka::Consumer& consumer, kafka::GroupOffsets& group, const std::string& dlq_topic,
                       std::chrono::milliseconds timeout);

struct ReplayPreview {
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  ReplayDecision decision{};
};

struct ReplayReport {
  std::string dlq_topic{};
  std::string group{};
  bool dry_run = false;
  std::uint64_t read = 0;
  std::uint64_t replayed = 0;     // would be, in a dry run
  std::uint64_t filtered_out = 0;
  std::map<std::string, std::uint64_t> by_destination{};
  std::map<std::string, std::uint64_t> skipped{};  // reason → count
  std::uint64_t transactions = 0;
  std::map<std::int32_t, std::int64_t> positions{};  // the group's position after the run, per partition read
  bool interrupted = false;
  bool limit_reached = false;
  std::vector<ReplayPreview> preview{};  // the first records and where they go (dry run)
};

// Batch size used for a rate: at most 10 seconds of records per
// transaction, so a slow replay stays far inside transaction.timeout.ms.
std::size_t batch_for_rate(std::size_t batch, std::optional<double> rate);

// The replay's transactional producer. Opening it fences an earlier run
// with the same transactional.id and aborts its unfinished transaction, so
// open it before plan_replay: until then the group's offsets of that
// transaction are unstable and cannot be read.
std::unique_ptr<kafka::Producer> open_replay_producer(const std::map<std::string, std::string>& kafka_properties,
                                                      const std::string& transactional_id,
                                                      std::chrono::milliseconds timeout, const Logger* logger);

// Runs the replay, or the dry run when producer is null. Ctrl-C
// (interrupt_requested) ends it after committing the records already
// produced. on_progress sees the records read so far.
ReplayReport run_replay(kafka::Producer* producer, kafka::Consumer& consumer, kafka::GroupOffsets& group,
                        const std::string& dlq_topic, const ReplayPlan& plan, const ReplayOptions& options,
                        std::chrono::milliseconds timeout, const std::function<void(std::uint64_t)>& on_progress = {});

nlohmann::json to_json(const ReplayReport& report);

}  // namespace cdcctl::ops
