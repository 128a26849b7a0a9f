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
// A compressed datagram inflates to what the sender would have put in one packet (its
// UDPBufferSize, <= 64 KiB); 1 MiB is generous and keeps a hostile 64 KiB packet cheap.
constexpr std::size_t udp_decompressed_bytes_max = 1 << 20;
constexpr std::size_t addr_bytes_max = 16;             // net.IP: 4 (IPv4) or 16 bytes
constexpr std::size_t text_bytes_max = 64 << 10;       // error strings, zones, tag filters
constexpr std::size_t stream_header_bytes_max = 4096;  // push/pull and user-msg headers are tiny
// Serf payloads (events, queries, responses) travel in one UDP packet; Serf's own hard cap for
// user events is 9 KiB and queries default to 1 KiB.
constexpr std::size_t serf_payload_bytes_max = udp_packet_bytes_max;

}  // namespace wire::limits
