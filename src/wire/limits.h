// Limits on everything read off the wire (ARCHITECTURE §1.3). Each says why.
#pragma once

#include <cstddef>

namespace wire::limits {

constexpr std::size_t udp_packet_bytes_max = 65536;     // memberlist's UDP read buffer
constexpr std::size_t udp_send_bytes = 1400;             // UDPBufferSize: packing budget
constexpr std::size_t stream_bytes_max = 20 << 20;       // memberlist's encrypted stream cap
constexpr std::size_t decompressed_bytes_max = 20 << 20; // newer memberlist caps at 40 MiB; a stream is <= 20 MiB anyway
constexpr std::size_t push_pull_nodes_max = 1 << 20;     // newer memberlist's cap on header Nodes
constexpr std::size_t compound_parts_max = 255;          // a u8 count
constexpr std::size_t nesting_depth_max = 4;             // compress/compound/CRC wrappers
constexpr std::size_t node_name_bytes_max = 512;         // Serf validates 128 when asked; be lenient
constexpr std::size_t meta_bytes_max = 512;              // MetaMaxSize
constexpr std::size_t msgpack_depth_max = 16;
constexpr std::size_t msgpack_items_max = 1 << 20;

}  // namespace wire::limits
