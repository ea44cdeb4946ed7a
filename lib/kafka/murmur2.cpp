#include "kafka/murmur2.hpp"

#include <stdexcept>

namespace cdcctl::kafka {

std::uint32_t murmur2(std::string_view data) {
  // Constants and the tail handling follow the Java client exactly, including
  // its seed; any difference would send keys to other partitions.
  constexpr std::uint32_t seed = 0x9747b28c;
  constexpr std::uint32_t m = 0x5bd1e995;
  constexpr int r = 24;
  const auto length = static_cast<std::uint32_t>(data.size());
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  std::uint32_t h = seed ^ length;
  const std::uint32_t blocks = length / 4;
  for (std::uint32_t i = 0; i < blocks; ++i) {
    const unsigned char* p = bytes + 4 * i;
    std::uint32_t k = static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
                      (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
    k *= m;
    k ^= k >> r;
    k *= m;
    h *= m;
    h ^= k;
  }
  const unsigned char* tail = bytes + 4 * blocks;
  switch (length % 4) {
    case 3: h ^= static_cast<std::uint32_t>(tail[2]) << 16; [[fallthrough]];
    case 2: h ^= static_cast<std::uint32_t>(tail[1]) << 8; [[fallthrough]];
    case 1:
      h ^= static_cast<std::uint32_t>(tail[0]);
      h *= m;
  }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return h;
}

int default_partition(std::string_view key, int partition_count) {
  if (partition_count <= 0) throw std::invalid_argument("partition count must be positive");
  return static_cast<int>((murmur2(key) & 0x7fffffffU) % static_cast<std::uint32_t>(partition_count));
}

}  // namespace cdcctl::kafka
