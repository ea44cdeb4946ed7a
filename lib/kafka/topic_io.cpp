#include "kafka/topic_io.hpp"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <thread>

#include "core/error.hpp"

namespace cdcctl::kafka {

namespace {

struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* list) const { rd_kafka_topic_partition_list_destroy(list); }
};
struct MessageDeleter {
  void operator()(rd_kafka_message_t* message) const { rd_kafka_message_destroy(message); }
};
using PartitionListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;
using MessagePtr = std::unique_ptr<rd_kafka_message_t, MessageDeleter>;

RecordView view_of(const rd_kafka_message_t& message) {
  RecordView view;
  view.message = &message;
  view.topic = rd_kafka_topic_name(message.rkt);
  view.partition = message.partition;
  view.offset = message.offset;
  rd_kafka_timestamp_type_t type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
  view.timestamp_ms = rd_kafka_message_timestamp(&message, &type);
  if (message.key) view.key = std::string_view(static_cast<const char*>(message.key), message.key_len);
  if (message.payload) view.value = std::string_view(static_cast<const char*>(message.payload), message.len);
  return view;
}

}  // namespace

Record RecordView::to_record() const {
  Record record;
  record.topic = std::string(topic);
  record.partition = partition;
  record.offset = offset;
  record.timestamp_ms = timestamp_ms;
  if (key) record.key = std::string(*key);
  if (value) record.value = std::string(*value);
  for_each_header([&](std::string_view name, std::optional<std::string_view> data) {
    record.headers.emplace_back(std::string(name), data ? std::optional<std::string>(std::string(*data)) : std::nullopt);
  });
  return record;
}

std::uint64_t records_in(const std::vector<PartitionRange>& ranges) {
  std::uint64_t total = 0;
  for (const auto& range : ranges) total += static_cast<std::uint64_t>(std::max<std::int64_t>(range.end - range.start, 0));
  return total;
}

// ---------------------------------------------------------------------------
// Consumer

Consumer::Consumer(const std::map<std::string, std::string>& properties, const Logger* logger)
    : bootstrap_(bootstrap_of(properties)) {
  auto settings = properties;
  // A group id is needed for the consumer API, but the group is never
  // joined (partitions are assigned, not subscribed) and nothing is committed.
  settings.emplace("group.id", "cdcctl-reader");
  settings["enable.auto.commit"] = "false";
  settings["enable.auto.offset.store"] = "false";
  settings["enable.partition.eof"] = "true";
  settings["auto.offset.reset"] = "earliest";
  rk_ = make_handle(RD_KAFKA_CONSUMER, make_conf(settings, logger), "Kafka consumer");
  rd_kafka_poll_set_consumer(rk_.get());
}

int Consumer::partition_count(const std::string& topic, std::chrono::milliseconds timeout) {
  // Metadata for all topics, not for this one: a broker answering an older
  // Metadata version (the embedded one does) creates a topic it is asked
  // about by name when auto-creation is on, and a typo must not do that.
  const rd_kafka_metadata_t* raw = nullptr;
  const auto err = rd_kafka_metadata(rk_.get(), 1, nullptr, &raw, timeout_ms(timeout));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) throw kafka_unreachable(bootstrap_, err);
  MetadataPtr metadata(raw);
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    const auto& entry = metadata->topics[i];
    if (topic != entry.topic) continue;
    if (entry.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART || entry.partition_cnt == 0) break;
    if (entry.err) throw Error::failed("cannot describe topic " + topic, rd_kafka_err2str(entry.err));
    return entry.partition_cnt;
  }
  throw Error::not_found("topic " + topic + " does not exist", "Kafka at " + bootstrap_ + " does not know it",
                         "check the name (kcat -L lists topics)");
}

std::vector<std::string> Consumer::topic_names(std::chrono::milliseconds timeout) {
  const rd_kafka_metadata_t* raw = nullptr;
  const auto err = rd_kafka_metadata(rk_.get(), 1, nullptr, &raw, timeout_ms(timeout));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) throw kafka_unreachable(bootstrap_, err);
  MetadataPtr metadata(raw);
  std::vector<std::string> names;
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    if (!metadata->topics[i].err) names.emplace_back(metadata->topics[i].topic);
  }
  std::sort(names.begin(), names.end());
  return names;
}

Watermarks Consumer::watermarks(const std::string& topic, std::int32_t partition, std::chrono::milliseconds timeout) {
  Watermarks marks;
  // A partition whose leader is being elected (a topic just created, a
  // broker just restarted) answers NOT_LEADER / LEADER_NOT_AVAILABLE for a
  // moment: retriable in Kafka's protocol, so asked again within the timeout.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  for (;;) {
    const auto left = std::max(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()),
                               std::chrono::milliseconds(1));
    err = rd_kafka_query_watermark_offsets(rk_.get(), topic.c_str(), partition, &marks.low, &marks.high, timeout_ms(left));
    const bool electing = err == RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION || err == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE;
    if (!electing || std::chrono::steady_clock::now() + std::chrono::milliseconds(100) >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
    throw Error::not_found("partition " + std::to_string(partition) + " of " + topic + " does not exist");
  }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) throw kafka_unreachable(bootstrap_, err);
  return marks;
}

std::vector<std::optional<std::int64_t>> Consumer::offsets_for_times(const std::string& topic,
                                                                     const std::vector<std::int32_t>& partitions,
                                                                     std::int64_t timestamp_ms,
                                                                     std::chrono::milliseconds timeout) {
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
  for (const auto partition : partitions) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), partition)->offset = timestamp_ms;
  }
  const auto err = rd_kafka_offsets_for_times(rk_.get(), list.get(), timeout_ms(timeout));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) throw kafka_unreachable(bootstrap_, err);
  std::vector<std::optional<std::int64_t>> offsets;
  for (int i = 0; i < list->cnt; ++i) {
    const auto& entry = list->elems[i];
    if (entry.err) {
      throw Error::failed("cannot look up offsets by time in " + topic + " partition " + std::to_string(entry.partition),
                          rd_kafka_err2str(entry.err));
    }
    offsets.push_back(entry.offset >= 0 ? std::optional<std::int64_t>(entry.offset) : std::nullopt);
  }
  return offsets;
}

std::vector<PartitionRange> Consumer::whole_topic(const std::string& topic, std::chrono::milliseconds timeout) {
  const int count = partition_count(topic, timeout);
  std::vector<PartitionRange> ranges;
  for (int partition = 0; partition < count; ++partition) {
    const auto marks = watermarks(topic, partition, timeout);
    ranges.push_back({partition, marks.low, marks.high});
  }
  return ranges;
}

void Consumer::read(const std::string& topic, const std::vector<PartitionRange>& ranges,
                    const std::function<bool(const Record&)>& on_record, std::chrono::milliseconds idle_timeout) {
  read_views(topic, ranges, [&](const RecordView& view) { return on_record(view.to_record()); }, idle_timeout);
}

void Consumer::read_views(const std::string& topic, const std::vector<PartitionRange>& ranges,
                          const std::function<bool(const RecordView&)>& on_record, std::chrono::milliseconds idle_timeout,
                          const std::function<bool()>& keep_going) {
  consume(topic, ranges, on_record, idle_timeout, false, keep_going);
}

void Consumer::follow_views(const std::string& topic, const std::vector<PartitionRange>& starts,
                            const std::function<bool(const RecordView&)>& on_record,
                            const std::function<bool()>& keep_going) {
  std::vector<PartitionRange> open_ended = starts;
  for (auto& range : open_ended) range.end = std::numeric_limits<std::int64_t>::max();
  consume(topic, open_ended, on_record, std::chrono::milliseconds::max(), true, keep_going);
}

// Reads ranges to their ends, or (following) for as long as keep_going says.
void Consumer::consume(const std::string& topic, const std::vector<PartitionRange>& ranges,
                       const std::function<bool(const RecordView&)>& on_record, std::chrono::milliseconds idle_timeout,
                       bool follow, const std::function<bool()>& keep_going) {
  std::map<std::int32_t, std::int64_t> open;  // partition → end offset
  PartitionListPtr assignment(rd_kafka_topic_partition_list_new(static_cast<int>(ranges.size())));
  for (const auto& range : ranges) {
    if (range.start >= range.end) continue;
    open[range.partition] = range.end;
    rd_kafka_topic_partition_list_add(assignment.get(), topic.c_str(), range.partition)->offset = range.start;
  }
  if (open.empty()) return;
  if (const auto err = rd_kafka_assign(rk_.get(), assignment.get())) {
    throw Error::failed("cannot read " + topic, rd_kafka_err2str(err));
  }
  struct Unassign {
    rd_kafka_t* rk;
    ~Unassign() { rd_kafka_assign(rk, nullptr); }
  } unassign{rk_.get()};

  // Messages are taken in batches: one queue lock per batch instead of per
  // message, which is most of the cost of reading a large topic.
  QueuePtr queue(rd_kafka_queue_get_consumer(rk_.get()));
  constexpr std::size_t kBatch = 1000;
  std::vector<rd_kafka_message_t*> batch(kBatch);
  auto last_progress = std::chrono::steady_clock::now();
  while (!open.empty()) {
    if (keep_going && !keep_going()) return;
    const auto got = rd_kafka_consume_batch_queue(queue.get(), 200, batch.data(), kBatch);
    // Own every message of the batch first, so an early return frees them all.
    std::vector<MessagePtr> messages;
    messages.reserve(static_cast<std::size_t>(std::max<ssize_t>(got, 0)));
    for (ssize_t i = 0; i < got; ++i) messages.emplace_back(batch[static_cast<std::size_t>(i)]);
    // Only records and partition ends count as progress: during an outage
    // librdkafka keeps handing out error events, which must not hold off
    // the stall error forever.
    bool progressed = false;
    for (const auto& message : messages) {
      auto found = open.find(message->partition);
      if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        progressed = true;
        // The end of what the partition held when fetched. It can come before
        // the planned end: with read_committed, records of a transaction still
        // open are not handed out, and retention may have removed some.
        if (found != open.end() && !follow) open.erase(found);
        continue;
      }
      if (message->err) {
        const std::string what = rd_kafka_message_errstr(message.get());
        if (message->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
            message->err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION ||
            message->err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED || message->err == RD_KAFKA_RESP_ERR__FATAL) {
          throw Error::failed("cannot read " + topic, what);
        }
        continue;  // transient: librdkafka retries by itself
      }
      if (found == open.end()) continue;
      if (message->offset >= found->second) {
        open.erase(found);
        continue;
      }
      progressed = true;
      const RecordView view = view_of(*message);
      if (message->offset + 1 >= found->second) open.erase(found);
      if (!on_record(view)) return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (progressed) {
      last_progress = now;
    } else if (!follow && now - last_progress > idle_timeout) {
      throw Error::unreachable("reading " + topic + " from Kafka at " + bootstrap_ + " stalled",
                               "no record for " + std::to_string(idle_timeout.count() / 1000) + "s with " +
                                   std::to_string(open.size()) + " partition(s) still unread",
                               "check the brokers; raise --timeout for a slow cluster");
    }
  }
}

// ---------------------------------------------------------------------------
// GroupOffsets

GroupOffsets::GroupOffsets(const std::map<std::string, std::string>& properties, std::string group, const Logger* logger)
    : group_(std::move(group)), bootstrap_(bootstrap_of(properties)) {
  auto settings = properties;
  settings["group.id"] = group_;
  settings["enable.auto.commit"] = "false";
  rk_ = make_handle(RD_KAFKA_CONSUMER, make_conf(settings, logger), "Kafka consumer");
}

GroupOffsets::~GroupOffsets() {
  if (rk_) rd_kafka_consumer_close(rk_.get());
}

std::vector<std::optional<std::int64_t>> GroupOffsets::committed(const std::string& topic,
                                                                 const std::vector<std::int32_t>& partitions,
                                                                 std::chrono::milliseconds timeout) {
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
  for (const auto partition : partitions) rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), partition);
  if (const auto err = rd_kafka_committed(rk_.get(), list.get(), timeout_ms(timeout))) {
    throw Error::unreachable("cannot read the committed offsets of group " + group_ + " from Kafka at " + bootstrap_,
                             rd_kafka_err2str(err), "check the group name and the brokers; raise --timeout for a slow cluster");
  }
  std::vector<std::optional<std::int64_t>> offsets;
  for (int i = 0; i < list->cnt; ++i) {
    const auto& entry = list->elems[i];
    if (entry.err) {
      throw Error::failed("cannot read the committed offset of group " + group_ + " for " + topic + " partition " +
                              std::to_string(entry.partition),
                          rd_kafka_err2str(entry.err));
    }
    offsets.push_back(entry.offset >= 0 ? std::optional<std::int64_t>(entry.offset) : std::nullopt);
  }
  return offsets;
}

void GroupOffsets::commit(const std::string& topic, const std::vector<std::pair<std::int32_t, std::int64_t>>& offsets,
                          std::chrono::milliseconds timeout) {
  if (offsets.empty()) return;
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
  for (const auto& [partition, offset] : offsets) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), partition)->offset = offset;
  }
  // Through a queue, so the wait for the coordinator is bounded by timeout.
  QueuePtr queue(rd_kafka_queue_new(rk_.get()));
  if (const auto err = rd_kafka_commit_queue(rk_.get(), list.get(), queue.get(), nullptr, nullptr)) {
    throw Error::failed("cannot commit offsets of group " + group_ + " to Kafka at " + bootstrap_, rd_kafka_err2str(err));
  }
  EventPtr event(rd_kafka_queue_poll(queue.get(), timeout_ms(timeout)));
  if (!event) {
    throw Error::unreachable("Kafka at " + bootstrap_ + " did not confirm the offsets of group " + group_ + " in time", {},
                             "raise --timeout for a slow cluster");
  }
  if (rd_kafka_event_error(event.get())) {
    throw Error::failed("cannot commit offsets of group " + group_ + " to Kafka at " + bootstrap_,
                        rd_kafka_event_error_string(event.get()));
  }
}

// ---------------------------------------------------------------------------
// Producer

namespace {

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* message, void*) {
  auto* delivery = static_cast<Producer::Delivery*>(message->_private);
  if (!delivery) return;
  --delivery->pending;
  if (message->err && delivery->first_error.empty()) delivery->first_error = rd_kafka_err2str(message->err);
}

}  // namespace

Producer::Producer(const std::map<std::string, std::string>& properties, const Logger* logger)
    : delivery_(std::make_unique<Delivery>()), bootstrap_(bootstrap_of(properties)) {
  auto settings = properties;
  settings.emplace("acks", "all");
  settings.emplace("enable.idempotence", "true");
  // Keyed records without a partition go where the Java client sends them.
  settings.emplace("partitioner", "murmur2_random");
  auto conf = make_conf(settings, logger);
  rd_kafka_conf_set_dr_msg_cb(conf.get(), on_delivery);
  rk_ = make_handle(RD_KAFKA_PRODUCER, std::move(conf), "Kafka producer");
}

Producer::~Producer() {
  // Records still queued are dropped with the handle; flush() is the way to
  // make sure they were written.
  if (rk_) rd_kafka_purge(rk_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  if (rk_) rd_kafka_poll(rk_.get(), 0);
}

rd_kafka_topic_t* Producer::topic_handle(const std::string& topic) {
  auto found = topics_.find(topic);
  if (found == topics_.end()) {
    TopicPtr handle(rd_kafka_topic_new(rk_.get(), topic.c_str(), nullptr));
    if (!handle) throw Error::failed("cannot use topic " + topic, rd_kafka_err2str(rd_kafka_last_error()));
    found = topics_.emplace(topic, std::move(handle)).first;
  }
  return found->second.get();
}

void Producer::produce(const std::string& topic, std::optional<std::int32_t> partition,
                       const std::optional<std::string>& key, const std::optional<std::string>& value,
                       const std::vector<Header>& headers, std::int64_t timestamp_ms) {
  // Per record, so kept lean: the topic handle is looked up once, and most
  // records have no headers to allocate a list for.
  rd_kafka_topic_t* rkt = topic_handle(topic);
  rd_kafka_headers_t* list = nullptr;
  if (!headers.empty()) {
    list = rd_kafka_headers_new(headers.size());
    for (const auto& [name, header_value] : headers) {
      rd_kafka_header_add(list, name.data(), static_cast<ssize_t>(name.size()), header_value ? header_value->data() : nullptr,
                          header_value ? static_cast<ssize_t>(header_value->size()) : 0);
    }
  }
  // The macros below take plain pointers and sizes.
  const void* key_data = key ? key->data() : nullptr;
  const std::size_t key_size = key ? key->size() : 0;
  void* value_data = value ? const_cast<char*>(value->data()) : nullptr;
  const std::size_t value_size = value ? value->size() : 0;
  const std::int32_t target = partition.value_or(RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  for (;;) {
    // A null header list is no headers to librdkafka.
    err = rd_kafka_producev(rk_.get(), RD_KAFKA_V_RKT(rkt), RD_KAFKA_V_PARTITION(target),
                            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key_data, key_size),
                            RD_KAFKA_V_VALUE(value_data, value_size), RD_KAFKA_V_HEADERS(list),
                            RD_KAFKA_V_TIMESTAMP(timestamp_ms), RD_KAFKA_V_OPAQUE(delivery_.get()), RD_KAFKA_V_END);
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) break;
    rd_kafka_poll(rk_.get(), 100);  // the local queue is full: let deliveries drain it
  }
  if (err) {
    if (list) rd_kafka_headers_destroy(list);  // ownership passes only on success
    throw Error::failed("cannot queue a record for " + topic, rd_kafka_err2str(err));
  }
  ++delivery_->pending;
  // Delivery reports are served now and then (and always by flush and
  // commit): polling after every record costs more than the record.
  if (++produced_ % 256 == 0) rd_kafka_poll(rk_.get(), 0);
}

void Producer::flush(std::chrono::milliseconds timeout) {
  const auto err = rd_kafka_flush(rk_.get(), timeout_ms(timeout));
  rd_kafka_poll(rk_.get(), 0);
  if (!delivery_->first_error.empty()) {
    throw Error::failed("Kafka at " + bootstrap_ + " did not accept every record", delivery_->first_error);
  }
  if (err == RD_KAFKA_RESP_ERR__TIMED_OUT || delivery_->pending > 0) {
    throw Error::unreachable("Kafka at " + bootstrap_ + " did not confirm " + std::to_string(delivery_->pending) +
                                 " record(s) in time",
                             rd_kafka_err2str(err), "check the brokers; raise --timeout for a slow cluster");
  }
}

namespace {

struct ErrorDeleter {
  void operator()(rd_kafka_error_t* error) const { rd_kafka_error_destroy(error); }
};
using ErrorPtr = std::unique_ptr<rd_kafka_error_t, ErrorDeleter>;
struct GroupMetadataDeleter {
  void operator()(rd_kafka_consumer_group_metadata_t* metadata) const { rd_kafka_consumer_group_metadata_destroy(metadata); }
};

}  // namespace

void Producer::init_transactions(std::chrono::milliseconds timeout) {
  if (ErrorPtr error{rd_kafka_init_transactions(rk_.get(), timeout_ms(timeout))}) {
    throw Error::unreachable("cannot start transactions on Kafka at " + bootstrap_, rd_kafka_error_string(error.get()),
                             "the brokers must support transactions (Kafka 0.11+) and the client be allowed its "
                             "transactional.id");
  }
}

void Producer::begin_transaction() {
  if (ErrorPtr error{rd_kafka_begin_transaction(rk_.get())}) {
    throw Error::failed("cannot begin a Kafka transaction", rd_kafka_error_string(error.get()));
  }
}

void Producer::send_offsets_to_transaction(const std::string& group, const std::string& topic,
                                           const std::vector<std::pair<std::int32_t, std::int64_t>>& offsets,
                                           std::chrono::milliseconds timeout) {
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
  for (const auto& [partition, offset] : offsets) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), partition)->offset = offset;
  }
  std::unique_ptr<rd_kafka_consumer_group_metadata_t, GroupMetadataDeleter> metadata(
      rd_kafka_consumer_group_metadata_new(group.c_str()));
  if (ErrorPtr error{rd_kafka_send_offsets_to_transaction(rk_.get(), list.get(), metadata.get(), timeout_ms(timeout))}) {
    const std::string why = rd_kafka_error_string(error.get());
    if (rd_kafka_error_txn_requires_abort(error.get())) abort_quietly(timeout);
    throw Error::failed("cannot add the offsets of group " + group + " to the Kafka transaction", why);
  }
}

void Producer::commit_transaction(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    ErrorPtr error{rd_kafka_commit_transaction(rk_.get(), timeout_ms(timeout))};
    if (!error) break;
    // A retriable error (a timeout) leaves the commit in progress: calling
    // again waits for the same commit.
    if (rd_kafka_error_is_retriable(error.get()) && std::chrono::steady_clock::now() < deadline) continue;
    const std::string why = rd_kafka_error_string(error.get());
    if (rd_kafka_error_txn_requires_abort(error.get())) abort_quietly(timeout);
    throw Error::failed("cannot commit the Kafka transaction on " + bootstrap_, why,
                        "run the command again: it goes on from what was committed");
  }
}

void Producer::abort_quietly(std::chrono::milliseconds timeout) noexcept {
  // On an error path: the error being reported matters more than this one.
  ErrorPtr ignored{rd_kafka_abort_transaction(rk_.get(), timeout_ms(timeout))};
}

void Producer::abort_transaction(std::chrono::milliseconds timeout) {
  if (ErrorPtr error{rd_kafka_abort_transaction(rk_.get(), timeout_ms(timeout))}) {
    throw Error::failed("cannot abort the Kafka transaction on " + bootstrap_, rd_kafka_error_string(error.get()));
  }
  delivery_->pending = 0;
}

int Producer::queue_length() const { return rd_kafka_outq_len(rk_.get()); }

int Producer::queue_capacity() const {
  char value[32];
  std::size_t size = sizeof value;
  if (rd_kafka_conf_get(rd_kafka_conf(rk_.get()), "queue.buffering.max.messages", value, &size) != RD_KAFKA_CONF_OK) return 0;
  return std::atoi(value);
}

void Producer::load_metadata(std::chrono::milliseconds timeout) {
  const rd_kafka_metadata_t* raw = nullptr;
  const auto err = rd_kafka_metadata(rk_.get(), /*all_topics=*/1, nullptr, &raw, timeout_ms(timeout));
  MetadataPtr metadata(raw);
  if (err) throw kafka_unreachable(bootstrap_, err);
}

}  // namespace cdcctl::kafka
