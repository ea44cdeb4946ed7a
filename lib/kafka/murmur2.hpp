#pragma once
// Kafka's murmur2: the hash the Java client's default partitioner (and
// librdkafka's "murmur2" partitioner) puts on key bytes. Kafka Connect's
// offsets producer uses that partitioner, so this tells which partition of
// the offsets topic holds a connector's key.
#include <cstdint>
#include <string_view>

namespace cdcctl::kafka {

// Utils.murmur2 of the Java client, as an unsigned 32-bit value.
std::uint32_t murmur2(std::string_view data);

// toPositive(murmur2(key)) % partition_count, as the default partitioner
// does for a keyed record. partition_count must be positive.
int default_partition(std::string_view key, int partition_count);

}  // namespace cdcctl::kafka
