// What swim::Core refused or cut short because a peer sent something it must not believe or
// keep. A peer can send millions of such messages, so each kind is logged once (its first
// occurrence) and counted here; the agent shows the counters (stats, signal dump, metrics).
// Footprint: how much state the Core holds now, against swim/limits.h.
#pragma once

#include <cstddef>
#include <cstdint>

namespace swim {

struct Counters {
  // Messages naming an empty node, or giving an address that is neither 4 nor 16 bytes:
  // memberlist accepts them and lists members like `:1` or `?01010101010101:1`.
  std::uint64_t malformed_alive = 0;
  std::uint64_t malformed_suspect = 0;
  std::uint64_t malformed_dead = 0;
  std::uint64_t malformed_push_node = 0;  // node states of a push/pull, each skipped alone
  // Messages that would raise a known node's incarnation (ours included) by more than
  // limits::incarnation_jump_max: forged, or hopelessly stale (swim/incarnation.h rule 1, 2).
  std::uint64_t implausible_incarnation = 0;
  // Accusations about us that no refutation can outbid without wrapping past 0xFFFFFFFF, and
  // meta updates refused for the same reason (rule 3).
  std::uint64_t unrefutable_accusation = 0;
  // Alive messages about new names refused while the table holds limits::members_max, and
  // push/pulls refused whole for listing more nodes than that.
  std::uint64_t members_full = 0;
  std::uint64_t oversized_push_pull = 0;
  // Indirect pings (ping-req) dropped while limits::indirect_relays_max are being served.
  std::uint64_t relays_full = 0;
};

struct Footprint {
  std::size_t members = 0;          // <= limits::members_max
  std::size_t suspicions = 0;       // <= members
  std::size_t indirect_relays = 0;  // <= limits::indirect_relays_max
  std::size_t pending_streams = 0;  // our own calls, each answered by its deadline
  std::size_t broadcasts = 0;       // <= members + 1
  std::size_t timers = 0;           // <= 2 * live ones + limits::timers_slack
};

}  // namespace swim
