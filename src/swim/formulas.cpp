// See formulas.h; the floating-point steps follow memberlist's Go code so that results match
// to the millisecond.
#include "swim/formulas.h"

#include <algorithm>
#include <cmath>

namespace swim {

util::Duration suspicion_timeout(int suspicion_mult, int n, util::Duration interval) {
  const double node_scale = std::max(1.0, std::log10(std::max(1.0, static_cast<double>(n))));
  const auto scale_milli = static_cast<std::int64_t>(node_scale * 1000);
  return util::Duration(suspicion_mult * scale_milli * interval.count() / 1000);
}

util::Duration remaining_suspicion_time(int confirmations, int k, util::Duration elapsed,
                                        util::Duration min, util::Duration max) {
  util::Duration timeout = min;
  if (k > 0) {
    const double frac = std::log(confirmations + 1.0) / std::log(k + 1.0);
    const double max_s = std::chrono::duration<double>(max).count();
    const double min_s = std::chrono::duration<double>(min).count();
    const double raw = max_s - frac * (max_s - min_s);
    timeout = std::chrono::milliseconds(static_cast<std::int64_t>(std::floor(1000.0 * raw)));
    if (timeout < min) timeout = min;
  }
  return timeout - elapsed;
}

int retransmit_limit(int retransmit_mult, int n) {
  const double node_scale = std::ceil(std::log10(static_cast<double>(n) + 1.0));
  return retransmit_mult * static_cast<int>(node_scale);
}

util::Duration push_pull_scale(util::Duration interval, int n) {
  constexpr int threshold = 32;
  if (n <= threshold) return interval;
  const double mult = std::ceil(std::log2(static_cast<double>(n)) - std::log2(threshold)) + 1.0;
  return interval * static_cast<std::int64_t>(mult);
}

util::Duration scale_by_awareness(util::Duration timeout, int score) {
  return timeout * (score + 1);
}

}  // namespace swim
