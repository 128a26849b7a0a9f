// Rate limit for warnings that any peer can trigger at will (ARCHITECTURE §8: warn, rate-limited
// when a peer can trigger it): at most one per interval of core time; the ones held back are
// counted and reported with the next one that passes. Pure: time comes in as an argument.
#pragma once

#include <cstdint>
#include <optional>

#include "util/time.h"

namespace serf {

class WarnLimiter {
 public:
  explicit WarnLimiter(util::Duration interval) : interval_(interval) {}

  // When a warning may be logged at `now`: how many were held back since the last one logged.
  // nullopt: stay quiet (and count this one).
  std::optional<std::uint64_t> admit(util::Instant now) {
    if (last_ && now < *last_ + interval_) {
      ++held_back_;
      return std::nullopt;
    }
    last_ = now;
    const std::uint64_t held = held_back_;
    held_back_ = 0;
    return held;
  }

 private:
  util::Duration interval_;
  std::optional<util::Instant> last_;
  std::uint64_t held_back_ = 0;
};

}  // namespace serf
