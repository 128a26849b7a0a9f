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

// --- user events (node.cpp) ------------------------------------------------------------------
// Serf's "sane limit" on a user event's name + payload, whatever user_event_size_limit says.
constexpr std::size_t user_event_bytes_max = 9 * 1024;
// A broadcast queue this deep gets a warning at each queue check (Serf's 128).
constexpr std::size_t queue_depth_warning = 128;

}  // namespace serf::limits
