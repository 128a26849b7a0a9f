// Who may move a node's incarnation, and how far: shoal's policy, which memberlist lacks.
//
// memberlist believes any incarnation a peer names. One forged dead at 0xFFFFFFFF marks a node
// dead everywhere; its refutation (accused + 1) wraps to 0, which every peer ignores as old, so
// the node stays excluded. shoal keeps memberlist's rules (gossip-wire.md §7.5) and adds:
//
// 1. A message about a node we know (alive, suspect, dead, or a push/pull node state) is not
//    believed if it raises that node's incarnation by more than limits::incarnation_jump_max.
//    Legitimate rises come one at a time (a refutation, a meta update), and we hear them long
//    before 65536 pile up. A node we do not know may arrive at any incarnation (a serf peer
//    that has been up for years), so joins stay wire-compatible.
// 2. About ourselves the same window applies to our own incarnation: nobody can know a higher
//    one of us than we have, except after a restart, so a far accusation is forged and our
//    peers (who apply rule 1) do not believe it either. Refuting it would put us where they
//    would reject our every alive. The one exception is the reply to our own join push/pull
//    (seeds we chose): there the cluster tells a restarted node how far its previous life got.
// 3. Nobody refutes into a wrap: an accusation at 0xFFFFFFFF cannot be outbid, and is ignored
//    (our peers do not believe it by rule 1). Meta updates stop below the wrap too.
//
// What this does not stop: a forger who reaches every node can still walk a node's incarnation
// upward one window at a time, or move peers faster than the victim hears of it. Only
// authenticated gossip (encryption, the keyring) keeps forgers out; this policy only makes one
// forged datagram unable to exclude a node for good. Serf peers keep believing everything, so
// in a mixed cluster they can still be fooled; shoal nodes are not fooled along with them.
#pragma once

#include <cstdint>
#include <optional>

#include "swim/limits.h"

namespace swim {

// Whether a peer's message may take a node we know at `known` to `claimed` (rule 1): anything
// at or below `known` (old news, which the usual rules ignore), or at most the window above.
constexpr bool believable_incarnation(std::uint32_t known, std::uint32_t claimed) {
  return claimed <= known || claimed - known <= limits::incarnation_jump_max;
}

// The incarnation that outbids an accusation at `accused` when ours is `own`: one above both,
// as memberlist's refute; nullopt when that would wrap past 0xFFFFFFFF (rule 3).
constexpr std::optional<std::uint32_t> refuting_incarnation(std::uint32_t own,
                                                            std::uint32_t accused) {
  const std::uint32_t highest = own > accused ? own : accused;
  if (highest == UINT32_MAX) return std::nullopt;
  return highest + 1;
}

}  // namespace swim
