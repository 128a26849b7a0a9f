// Go's duration syntax (time.ParseDuration / Duration.String), because every duration a Serf
// user types (flags, config files, RPC timeouts) is written that way: "500ms", "1h2m3.5s", "-1s".
// Go counts nanoseconds, we count microseconds: parsing truncates toward zero below 1µs.
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"
#include "util/time.h"

namespace util {

// Accepts what Go accepts: optional sign, then one or more <decimal><unit> with units
// ns, us, µs, μs, ms, s, m, h; "0" alone needs no unit. Errors carry Go's exact texts:
//   time: invalid duration "abc"
//   time: missing unit in duration "10"
//   time: unknown unit "x" in duration "10x"
// A value beyond Go's range (±2^63 ns, about 292 years) is "invalid duration" as in Go.
Result<Duration> parse_go_duration(std::string_view text);

// Go's Duration.String(): "0s", "750µs", "1.5ms", "2s", "1m30s", "1h0m0s", "-5s".
std::string format_go_duration(Duration d);

}  // namespace util
