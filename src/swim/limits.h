// Limits of swim::Core (ARCHITECTURE §1.3): what a peer can make us hold, and how far it may
// move what we believe. Each says why. What a single message may carry (names, meta, addresses,
// push/pull sizes on the wire) is wire::limits'.
//
// Bounded by construction, so with no constant of their own (tests/unit/swim/limits_test.cpp):
// - suspicion accusers: at most SuspicionMult - 1 per suspect node (Suspicion keeps the first
//   accuser and the k confirmations it expects, no more);
// - suspicion timers: one per member, so at most members_max;
// - queued broadcasts: one per member name (a newer message replaces an older one) plus our
//   own refutation, so at most members_max + 1;
// - stream calls in flight: only our own timers (one push/pull per interval, one TCP ping per
//   probe) and local joins start them, and the driver answers each by its deadline; a peer's
//   inbound stream is answered within the call and leaves nothing behind;
// - timer entries: stale ones are dropped once they outnumber the live ones (timers_slack).
#pragma once

#include <cstddef>
#include <cstdint>

namespace swim::limits {

// memberlist's MetaMaxSize: the most node meta (Serf's encoded tags) we gossip about ourselves.
constexpr std::size_t node_meta_bytes_max = 512;

// The most a peer's message may raise the incarnation we know of a node (swim/incarnation.h).
// Incarnations rise by one per refutation or meta update, and every peer hears a live node's
// current one at least once per push/pull round (30 s, scaled to minutes in large clusters) or
// reaps it; missing 65536 rises in that time takes more than 2000 a second. 2^32 is 65536 such
// steps away, so one forged message cannot come near a wrap.
constexpr std::uint32_t incarnation_jump_max = 1u << 16;

// Members in our table (alive, suspect, and dead or left until reaped). The largest Serf and
// Consul gossip pools reported hold about 10^4 nodes; this is several times that, and holds
// at most about 80 MB (names and meta of 512 bytes each). Beyond it a peer could grow our
// table (and every push/pull we send) without end by gossiping made-up names: new names are
// refused until dead ones are reaped, and a push/pull listing more nodes is refused whole.
constexpr std::size_t members_max = 1 << 16;

// Indirect pings we serve at once (each holds a relay record and a ping to its target for
// ProbeTimeout). A node serves about IndirectChecks of them per failed probe in the cluster,
// spread over all members: well under one at a time even in a large, degraded cluster. Past
// this a flood of ping-reqs is dropped instead of held and reflected at its targets.
constexpr std::size_t indirect_relays_max = 512;

// Stale timer entries (for suspicions refuted, relays answered, probes over) are dropped once
// the queue holds more than twice the live ones plus this: otherwise a peer alternating alive
// and suspect about a node would leave one entry per message for up to the suspicion timeout.
constexpr std::size_t timers_slack = 64;

}  // namespace swim::limits
