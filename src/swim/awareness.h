// Lifeguard local health awareness (memberlist awareness.go, Lifeguard §IV-A): a score in
// [0, max-1]; 0 is healthy. Failed probes without nacks and refutations raise it, successful
// probes lower it; the probe interval is scaled by score + 1.
#pragma once

#include <algorithm>

#include "swim/formulas.h"
#include "util/time.h"

namespace swim {

class Awareness {
 public:
  explicit Awareness(int max_multiplier) : max_(std::max(1, max_multiplier)) {}

  void apply_delta(int delta) { score_ = std::clamp(score_ + delta, 0, max_ - 1); }
  [[nodiscard]] int score() const { return score_; }
  [[nodiscard]] util::Duration scale(util::Duration timeout) const {
    return scale_by_awareness(timeout, score_);
  }

 private:
  int max_;
  int score_ = 0;
};

}  // namespace swim
