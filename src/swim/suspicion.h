// One suspicion timer with Lifeguard's independent confirmations (memberlist suspicion.go,
// Lifeguard §IV-B). It starts at `max` when k >= 1 confirmations are expected (else at `min`)
// and shrinks toward `min` as distinct accusers confirm. It holds no timer: the Core schedules
// deadline() and re-schedules after a confirmation changes it.
#pragma once

#include <set>
#include <string>

#include "util/time.h"

namespace swim {

class Suspicion {
 public:
  // `from` (the first accuser) never counts as a confirmation.
  Suspicion(const std::string& from, int k, util::Duration min, util::Duration max,
            util::Instant start);

  // A suspect message from `from`: true if it was new information (a distinct accuser while
  // fewer than k have confirmed), which also moves deadline().
  bool confirm(const std::string& from);

  [[nodiscard]] util::Instant deadline() const { return start_ + timeout_; }
  [[nodiscard]] int confirmations() const { return n_; }
  [[nodiscard]] int expected() const { return k_; }
  [[nodiscard]] std::size_t accusers() const { return seen_.size(); }  // at most k + 1

 private:
  int k_;
  int n_ = 0;
  util::Duration min_, max_, timeout_;
  util::Instant start_;
  std::set<std::string> seen_;
};

}  // namespace swim
