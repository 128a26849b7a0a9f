// Serf's Lamport clocks (gossip-wire.md §9.2): one each for membership intents, user events and
// queries. A fresh node starts at 1; witnessing t leaves the clock strictly greater than t.
#pragma once

#include <cstdint>

#include "wire/serf_messages.h"

namespace serf {

using LamportTime = wire::serf::LamportTime;

class LamportClock {
 public:
  [[nodiscard]] LamportTime time() const { return time_; }
  // Returns the new value.
  LamportTime increment() { return ++time_; }
  // Raises the clock to t + 1 when t has reached it; older times change nothing.
  void witness(LamportTime t) {
    if (t >= time_) time_ = t + 1;
  }

 private:
  LamportTime time_ = 1;
};

}  // namespace serf
