// Limits of the runtime layer (ARCHITECTURE §1.3): what peers can make a Driver hold at once.
// The wire layer caps one stream message at 20 MiB (wire/limits.h); these cap how many a peer
// can keep open and how much they buffer together.
#pragma once

#include <cstddef>

namespace runtime::limits {

// Inbound TCP streams open at once; past it a new connection is closed at once. memberlist
// refuses push/pulls past 128 (maxPushPullRequests); honest traffic is one push/pull per node
// per interval (30 s, longer past 32 nodes), joins and the odd stream ping, so even a cluster of
// thousands stays far below it while a flood of connections stops here.
constexpr std::size_t inbound_streams_max = 128;

// Bytes buffered for stream messages at once, every stream together (inbound requests and the
// replies we read). Three maximal 20 MiB messages fit; fifty parallel 19 MiB ones, which took a
// node to 1.13 GB, no longer do: a stream that needs more than is left is closed.
constexpr std::size_t stream_buffer_bytes_max = 64 << 20;

// A stream's buffer grows by at least this much (then doubles, never past the length its
// header announced), and one read takes at most this much from the socket.
constexpr std::size_t stream_read_chunk_bytes = 64 << 10;

}  // namespace runtime::limits
