// memberlist's timing and fan-out formulas (hashicorp/memberlist util.go, suspicion.go,
// awareness.go), as pure functions so that they can be table-tested (gossip-wire.md §7.3-§7.7).
#pragma once

#include "util/time.h"

namespace swim {

// Lifeguard's minimum suspicion time: mult * max(1, log10(max(1, n))) * interval, the scale
// kept to three decimals as memberlist does (SWIM §4.2, Lifeguard §IV-B).
util::Duration suspicion_timeout(int suspicion_mult, int n, util::Duration interval);

// Total suspicion time after `confirmations` of `k` expected independent confirmations:
// max - ln(c+1)/ln(k+1) * (max - min), floored to whole milliseconds, never below min; minus
// `elapsed` (so it may be negative: fire now).
util::Duration remaining_suspicion_time(int confirmations, int k, util::Duration elapsed,
                                        util::Duration min, util::Duration max);

// How often one broadcast is sent: mult * ceil(log10(n + 1)).
int retransmit_limit(int retransmit_mult, int n);

// Push/pull interval for a cluster of n: unchanged up to 32 nodes, then
// interval * (ceil(log2(n) - log2(32)) + 1).
util::Duration push_pull_scale(util::Duration interval, int n);

// Lifeguard local health: timeouts grow with the awareness score, interval * (score + 1).
util::Duration scale_by_awareness(util::Duration timeout, int score);

}  // namespace swim
