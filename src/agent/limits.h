// Limits of the agent layer (ARCHITECTURE §1.3): what outsiders (RPC clients, mDNS peers on
// the LAN, the resolver) can make the agent hold or wait for. Each says why. The RPC protocol's
// own limits live with it (rpc_protocol.h, later src/rpc/).
#pragma once

#include <cstddef>
#include <cstdint>

namespace agent::limits {

// --- the agent

// Serf gives a graceful leave 3 s; ours is bounded by its phases (intent broadcast, memberlist
// broadcast, propagate delay) and this cap keeps it inside Docker's 10 s stop grace period.
constexpr std::uint64_t graceful_leave_cap_ms = 9000;
// Name lookups waiting for the resolver at once (RPC join, -retry-join): an RPC request can
// name thousands of hosts, and each lookup holds a thread-pool slot (libuv has 4) for up to the
// resolver's timeouts. Past it a lookup fails at once; Serf resolves one name at a time.
constexpr std::size_t name_lookups_max = 64;

// --- mDNS messages (mdns_message.h; RFC 1035, RFC 6762)

constexpr std::size_t mdns_label_bytes_max = 63;       // RFC 1035 §2.3.4
constexpr std::size_t mdns_name_bytes_max = 255;       // wire form, length bytes and root included
constexpr std::size_t mdns_txt_string_bytes_max = 255;  // one length byte
constexpr std::size_t mdns_txt_strings_max = 256;      // per TXT record; DNS-SD uses a few dozen
constexpr std::size_t mdns_message_bytes_max = 65535;  // a UDP payload; mDNS itself stays under 9000
constexpr std::size_t mdns_questions_max = 64;         // real queries carry a handful
constexpr std::size_t mdns_records_max = 256;          // answers + authorities + additionals
constexpr std::size_t mdns_pointer_hops_max = 64;      // pointers followed while reading one name

// --- mDNS discovery (mdns.h, mdns_browse.h)

constexpr std::size_t mdns_datagram_bytes_max = 65536;  // what hashicorp/mdns reads
constexpr std::size_t mdns_browse_entries_max = 256;    // names filed in one poll
// Addresses remembered as joined. Past it the memory starts afresh: a LAN announcing endless
// addresses costs a few repeated joins, not unbounded memory.
constexpr std::size_t mdns_seen_max = 4096;
// Serf's timings: poll, collect answers for a while, join once the answers are quiet.
constexpr std::uint64_t mdns_poll_interval_ms = 60'000;  // serf's mdnsPollInterval
constexpr std::uint64_t mdns_collect_ms = 1'000;         // hashicorp/mdns's default Timeout
constexpr std::uint64_t mdns_quiet_ms = 100;             // serf's mdnsQuietInterval

}  // namespace agent::limits
