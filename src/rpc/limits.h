// Limits of the RPC protocol and of the agent's RPC server (ARCHITECTURE §1.3): what one
// message may hold, and what one client, or all of them together, may make the agent hold.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rpc::limits {

// --- one message ---------------------------------------------------------------------------
// Deepest body is members: map > Members array > member map > Tags map (4); room to spare.
constexpr std::size_t depth_max = 8;
// Entries of one array or map: a members reply of a very large cluster stays well below.
constexpr std::size_t container_entries_max = 1 << 20;
// Bytes of one str or bin (log lines, payloads); Serf's own payloads are at most 9 KiB.
constexpr std::size_t str_bytes_max = 1 << 20;
// Bytes buffered for one object that has not fully arrived (the client reading replies); also
// bounds msgpack-cxx's allocation, which runs only on complete objects.
constexpr std::size_t pending_bytes_max = 16 << 20;
// The same for the server reading a request: a request is a few names, tags and a payload.
constexpr std::size_t request_pending_bytes_max = 1 << 20;

// --- what the agent's RPC server holds (agent/rpc_conn.cpp, agent/rpc_server.cpp) ----------
// Replies and records queued for one client. Past it the server stops taking that client's
// requests and reading its socket (a client that pipelines and never reads costs at most this
// plus one reply) and drops its stream and monitor records (Serf: 512 per stream).
constexpr std::size_t conn_queue_bytes_max = 1 << 20;
// The same for all clients together, so that many clients that never read (fifty monitors)
// cost no more than a few of them.
constexpr std::size_t total_queue_bytes_max = 16 << 20;
// How long a closing server waits for queued replies (a leave's) to reach their clients before
// it closes the connections anyway: a client that never reads cannot keep the agent running.
constexpr std::uint64_t close_flush_ms = 2000;

// members-filtered patterns (RE2, agent/rpc_member_filter.cpp). A pattern is a name, a status or
// a tag value with some alternatives: 64 KiB is far more than a real one, and bounds the compile.
constexpr std::size_t filter_pattern_bytes_max = 64 << 10;
// Memory RE2 may give one compiled pattern; a pattern that needs more is refused as invalid.
constexpr std::int64_t filter_program_bytes_max = 1 << 20;
// Tag filters in one request. A member carries at most ~170 tags (512 bytes of metadata), so
// more filters than this are not a real query; refused like an invalid pattern.
constexpr std::size_t filter_tags_max = 256;

}  // namespace rpc::limits
