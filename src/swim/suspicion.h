// One suspicion timer with Lifeguard's independent confirmations (memberlist suspicion.go,
// Lifeguard §IV-B). It starts at `max` when k >= 1 confirmations are expected (else at `min`)
// and shrinks toward `min` as distinct accusers confirm. It holds no timer: the Core schedules
// deadline() and re-schedules after a confirmation changes it. SuspicionTimers keeps one per
// suspect node, each under the generation its latest deadline was scheduled with.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>

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

// The suspicions of one Core, by suspect node. A scheduled deadline carries the generation
// it was set for and is stale once the suspicion is gone or has moved on to a newer one.
class SuspicionTimers {
 public:
  struct Entry {
    Suspicion suspicion;
    std::uint64_t gen = 0;
    util::Instant change_time{};  // the node's state change that started it
  };

  // Starts (or restarts) the suspicion of `node`; returns the generation to schedule with.
  std::uint64_t start(const std::string& node, Suspicion suspicion, util::Instant change_time) {
    const std::uint64_t gen = ++gen_;
    timers_.insert_or_assign(node, Entry{std::move(suspicion), gen, change_time});
    return gen;
  }
  // A new generation for `entry` after its deadline moved.
  std::uint64_t renew(Entry& entry) { return entry.gen = ++gen_; }
  [[nodiscard]] Entry* find(const std::string& node) {
    auto it = timers_.find(node);
    return it == timers_.end() ? nullptr : &it->second;
  }
  [[nodiscard]] bool live(const std::string& node, std::uint64_t gen) const {
    auto it = timers_.find(node);
    return it != timers_.end() && it->second.gen == gen;
  }
  void erase(const std::string& node) { timers_.erase(node); }
  [[nodiscard]] std::size_t size() const { return timers_.size(); }

 private:
  std::map<std::string, Entry> timers_;
  std::uint64_t gen_ = 0;
};

}  // namespace swim
