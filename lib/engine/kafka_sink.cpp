#include "engine/kafka_sink.hpp"

#include "core/error.hpp"
#include "kafka/connect_offsets.hpp"

namespace cdcctl::engine {

std::string transactional_id(const std::string& connector) { return "cdcctl-" + connector; }

std::map<std::string, std::string> capture_producer_properties(const KafkaSinkOptions& options) {
  auto properties = options.properties;
  properties["transactional.id"] = transactional_id(options.connector);
  // Long enough for a transaction of millions of rows; brokers cap it with
  // transaction.max.timeout.ms (15 minutes by default).
  properties.emplace("transaction.timeout.ms", "900000");
  // librdkafka's queue is the only buffer between PostgreSQL and Kafka: cap
  // it so a huge transaction streams through a small, fixed amount of memory.
  properties.emplace("queue.buffering.max.kbytes", "16384");
  properties.emplace("linger.ms", "5");
  // A commit waits for the last produce responses and then EndTxn; with
  // Nagle on, the small requests at its end can sit in the socket until the
  // broker's delayed ACK (~40 ms per Kafka transaction).
  properties.emplace("socket.nagle.disable", "true");
  // Debezium's JSON is mostly the same text event after event (with schemas
  // on, three quarters of a record is its schema): lz4 shrinks a batch of
  // them about 40 times for little CPU, the broker stores and copies that
  // much less, and every Kafka client reads it (bench/README). librdkafka
  // also takes compression.codec for it: a worker that set that one wins.
  if (!properties.contains("compression.codec")) properties.emplace("compression.type", "lz4");
  return properties;
}

KafkaSink::KafkaSink(KafkaSinkOptions options, const Logger* logger)
    : options_(std::move(options)),
      offset_key_(kafka::encode_connect_offset_key(options_.connector, cdc::postgres_offset_partition(options_.topic_prefix))),
      producer_(capture_producer_properties(options_), logger) {
  producer_.init_transactions(options_.timeout);
  producer_.load_metadata(options_.timeout);
}

void KafkaSink::write(const OutputRecord& record) {
  if (!open_) {
    producer_.begin_transaction();
    open_ = true;
  }
  std::vector<kafka::Header> headers;
  headers.reserve(record.headers.size());
  for (const auto& [name, value] : record.headers) headers.emplace_back(name, value);
  producer_.produce(record.topic, std::nullopt, record.key, record.value, headers);
}

void KafkaSink::commit(const cdc::PostgresOffset& offset) {
  if (!open_) {
    producer_.begin_transaction();
    open_ = true;
  }
  // The offset goes where a Connect worker would put it: its key's murmur2 partition.
  producer_.produce(options_.offsets_topic, std::nullopt, offset_key_, cdc::encode_postgres_offset(offset));
  open_ = false;  // committed or, on failure, aborted by the producer
  producer_.commit_transaction(options_.timeout);
  ++transactions_;
}

void KafkaSink::abort() {
  if (!open_) return;
  open_ = false;
  producer_.abort_transaction(options_.timeout);
}

std::optional<nlohmann::json> read_connector_offset(const std::map<std::string, std::string>& properties,
                                                    const std::string& offsets_topic, const std::string& connector,
                                                    const nlohmann::json& partition, std::chrono::milliseconds timeout,
                                                    const Logger* logger) {
  auto settings = properties;
  settings["isolation.level"] = "read_committed";
  kafka::Consumer consumer(settings, logger);
  std::vector<kafka::PartitionRange> ranges;
  try {
    ranges = consumer.whole_topic(offsets_topic, timeout);
  } catch (const Error& error) {
    if (error.code() == ExitCode::NotFound) return std::nullopt;
    throw;
  }
  std::optional<nlohmann::json> found;
  consumer.read_views(
      offsets_topic, ranges,
      [&](const kafka::RecordView& record) {
        if (!record.key) return true;
        const auto key = kafka::parse_connect_offset_key(*record.key);
        if (!key || key->connector != connector || key->partition != partition) return true;
        if (!record.value) {
          found.reset();
        } else {
          auto value = nlohmann::json::parse(*record.value, nullptr, false);
          if (!value.is_discarded()) found = std::move(value);
        }
        return true;
      },
      timeout);
  return found;
}

}  // namespace cdcctl::engine
