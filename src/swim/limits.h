// Limits of swim::Core (ARCHITECTURE §1.3): how far a peer may move what we believe. Each
// says why.
#pragma once

#include <cstdint>

namespace swim::limits {

// The most a peer's message may raise the incarnation we know of a node (swim/incarnation.h).
// Incarnations rise by one per refutation or meta update, and every peer hears a live node's
// current one at least once per push/pull round (30 s, scaled to minutes in large clusters) or
// reaps it; missing 65536 rises in that time takes more than 2000 a second. 2^32 is 65536 such
// steps away, so one forged message cannot come near a wrap.
constexpr std::uint32_t incarnation_jump_max = 1u << 16;

}  // namespace swim::limits
