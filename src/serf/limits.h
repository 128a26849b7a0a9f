// serf's limits (ARCHITECTURE §1.3): every bound on what a peer, or the application, can make
// serf::Node spend. Each says why; each has a test (tests/unit/serf). Config fields that mirror
// Serf's own settings (query_size_limit, event_buffer, ...) stay in serf::Config.
#pragma once

#include <cstddef>
#include <cstdint>

#include "util/time.h"

namespace serf::limits {

using namespace std::chrono_literals;

// --- tag filters (query_filter.cpp, go_regexp.cpp) ---------------------------------------------
// A tag filter regexp longer than this is refused before it is parsed. Serf's default
// QuerySizeLimit (1024 bytes) bounds the whole query message, filters included, so no filter
// from a default Serf comes near it; RE2's cost to parse and compile grows with pattern size
// times repetition counts (up to ~50 ms for a hostile 1 KiB pattern, ~200 ms for 4 KiB).
constexpr std::size_t tag_filter_pattern_bytes_max = 1024;
// RE2's max_mem for one filter: 2/3 for the compiled program, 1/3 for the DFA cache (RE2 falls
// back to its NFA when the cache fills, still linear). Legitimate filters need a few KiB;
// a Unicode class is big: `\pL{10}` needs ~250 KiB, `\pL{50}` just fits. RE2's default: 8 MiB.
constexpr std::int64_t tag_filter_regex_memory_bytes_max = 1 << 20;
// At most one "unusable filter" warning per interval: any peer can send many such queries.
constexpr util::Duration filter_warning_interval = 10s;

// --- inbound queries (inbound_queries.cpp, node_query.cpp) ----------------------------------
// The longest a peer's query stays answerable, whatever timeout it asks for (up to 2^63 ns on
// the wire). Serf's default timeout is GossipInterval * QueryTimeoutMult * ceil(log10(N+1)):
// 200 ms * 16 * 4 = 12.8 s for a 9999-node LAN, 32 s on the WAN profile (500 ms); users of
// `serf query -timeout` ask for seconds to a few minutes. Ten minutes is 20-50x the defaults.
constexpr util::Duration inbound_query_timeout_max = 10min;
// Inbound queries waiting for the application's answer at once; the oldest goes first (see
// inbound_queries.h). Handlers answer in milliseconds to seconds, so even a busy node holds a
// handful; each costs ~0.6 KiB at most (source name <= 512 bytes), so ~0.6 MiB in all.
constexpr std::size_t pending_queries_max = 1024;
// Relayed copies we send of each ack and response, whatever relay factor the query asks for (a
// u8: up to 255 packets per answer in a big cluster, an amplifier). Consul allows 0-5; more
// copies add nothing. Serf's check that the cluster has factor + 1 members uses the factor asked.
constexpr std::uint8_t relay_factor_max = 5;

// --- queries we originate (node_query.cpp) ---------------------------------------------------
// Our own queries open at once (the local API may start many with long timeouts).
constexpr std::size_t open_queries_max = 1024;
// Acks and responses to one of our queries from names that are not members: they are kept in
// the query's duplicate sets, which a forger could otherwise grow until the deadline. Members
// always get in (the member table bounds them); a node that joined moments ago may be unknown.
constexpr std::size_t stranger_replies_max = 64;

// --- dedupe rings (event_ring.cpp) -----------------------------------------------------------
// Distinct events and queries recorded at one LTime: concurrent senders rarely share one, and
// each admission scans its LTime's list for duplicates.
constexpr std::size_t events_per_ltime_max = 32;
constexpr std::size_t queries_per_ltime_max = 64;
// Name and payload bytes the event ring (event_buffer slots) holds: 512 full-size (9 KiB)
// events, with room to spare. It is also the bulk of our push/pull state (< 20 MiB streams).
constexpr std::size_t event_ring_bytes_max = 8 << 20;

// --- intents (intents.cpp) -------------------------------------------------------------------
// Join/leave intents about nodes memberlist has not reported, kept recent_intent_timeout (5
// min): any peer can gossip them for made-up names, and one push/pull carries thousands.
// Beyond it, intents about new names are refused (updates to known ones still pass).
constexpr std::size_t recent_intents_max = 16384;

// --- broadcast queues (broadcast_queue.cpp) --------------------------------------------------
// Bytes one broadcast queue holds, each message counted with broadcast_entry_overhead_bytes.
// max_queue_depth is enforced only every queue_check_interval (30 s, as Serf does); this holds
// at every push. 4096 messages (Serf's MaxQueueDepth) of 1 KiB (Serf's default query size
// limit; events default to 512 bytes) fill half of it.
constexpr std::size_t broadcast_queue_bytes_max = 8 << 20;
constexpr std::size_t broadcast_entry_overhead_bytes = 64;

// --- user events (node.cpp, node_query.cpp) --------------------------------------------------
// Serf's "sane limit" on a user event's name + payload, whatever user_event_size_limit says.
// No Serf sends a bigger one, so a bigger inbound event is refused too.
constexpr std::size_t user_event_bytes_max = 9 * 1024;
// A broadcast queue this deep gets a warning at each queue check (Serf's 128).
constexpr std::size_t queue_depth_warning = 128;

}  // namespace serf::limits
