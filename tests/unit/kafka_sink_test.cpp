// The capture producer's settings: what cdcctl always sets, and the defaults
// a worker config may override.
#include <doctest/doctest.h>

#include "engine/kafka_sink.hpp"

using namespace cdcctl::engine;

TEST_CASE("the capture producer: a transactional.id per connector, and defaults the worker may override") {
  KafkaSinkOptions options;
  options.connector = "inventory";
  options.properties = {{"bootstrap.servers", "k1:9092"}, {"transactional.id", "mine"}};
  auto properties = capture_producer_properties(options);
  CHECK(properties.at("bootstrap.servers") == "k1:9092");
  CHECK(properties.at("transactional.id") == "cdcctl-inventory");  // fencing needs cdcctl's, always
  CHECK(properties.at("socket.nagle.disable") == "true");           // no delayed-ACK wait per commit
  CHECK(properties.at("linger.ms") == "5");
  CHECK(properties.at("queue.buffering.max.kbytes") == "16384");
  CHECK(properties.at("transaction.timeout.ms") == "900000");
  CHECK(properties.at("compression.type") == "lz4");

  options.properties = {{"socket.nagle.disable", "false"},
                        {"linger.ms", "50"},
                        {"queue.buffering.max.kbytes", "4096"},
                        {"compression.type", "none"}};
  properties = capture_producer_properties(options);
  CHECK(properties.at("compression.type") == "none");
  CHECK(properties.at("socket.nagle.disable") == "false");
  CHECK(properties.at("linger.ms") == "50");
  CHECK(properties.at("queue.buffering.max.kbytes") == "4096");

  // librdkafka's other name for it is an override too, not a second setting.
  options.properties = {{"compression.codec", "zstd"}};
  properties = capture_producer_properties(options);
  CHECK(properties.at("compression.codec") == "zstd");
  CHECK_FALSE(properties.contains("compression.type"));
}
