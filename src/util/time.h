// Time for the core: an Instant is microseconds on a clock that only the driver (real time) or
// the simulator (virtual time) advances. The core never reads a clock itself.
#pragma once

#include <chrono>
#include <cstdint>

namespace util {

struct CoreClock {
  using rep = std::int64_t;
  using period = std::micro;
  using duration = std::chrono::duration<rep, period>;
  using time_point = std::chrono::time_point<CoreClock>;
  static constexpr bool is_steady = true;
};

using Duration = CoreClock::duration;
using Instant = CoreClock::time_point;

constexpr Instant instant_from_us(std::int64_t us) { return Instant(Duration(us)); }
constexpr std::int64_t to_us(Instant t) { return t.time_since_epoch().count(); }
constexpr std::int64_t to_ms(Duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}
// The far future: "no deadline".
constexpr Instant instant_max() { return Instant(Duration(INT64_MAX)); }

}  // namespace util
