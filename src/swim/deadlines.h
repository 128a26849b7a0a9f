// The core's own timer queue (ARCHITECTURE §3): a min-heap ordered by (deadline, insertion
// sequence), so equal deadlines fire in the order they were set. Entries are never cancelled;
// each carries the generation (probe sequence number, suspicion generation, ...) it was set
// for, and its handler ignores it when that no longer matches. The Core drops such stale
// entries in bulk when they pile up (remove_if).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "util/time.h"

namespace swim {

enum class TimerKind {
  probe_tick,        // the probe ticker (every ProbeInterval)
  probe_timeout,     // gen = probe seq: no direct ack within ProbeTimeout
  probe_end,         // gen = probe seq: the scaled probe interval is over
  gossip_tick,       // every GossipInterval
  push_pull_tick,    // every scaled PushPullInterval
  suspicion,         // name = suspect node, gen = suspicion generation
  indirect_timeout,  // gen = our seq for an indirect ping we serve
};

struct Timer {
  TimerKind kind = TimerKind::probe_tick;
  std::uint64_t gen = 0;
  std::string name;
};

class DeadlineQueue {
 public:
  void push(util::Instant at, Timer timer) {
    heap_.push_back(Entry{at, ++seq_, std::move(timer)});
    std::push_heap(heap_.begin(), heap_.end(), Later{});
  }
  [[nodiscard]] bool empty() const { return heap_.empty(); }
  [[nodiscard]] util::Instant next() const {
    return heap_.empty() ? util::instant_max() : heap_.front().at;
  }
  [[nodiscard]] bool due(util::Instant now) const {
    return !heap_.empty() && heap_.front().at <= now;
  }
  Timer pop() {
    std::pop_heap(heap_.begin(), heap_.end(), Later{});
    Timer t = std::move(heap_.back().timer);
    heap_.pop_back();
    return t;
  }
  [[nodiscard]] std::size_t size() const { return heap_.size(); }
  // Drops the entries whose timer `stale` says would be ignored anyway; the rest keep their
  // (deadline, sequence) order.
  template <typename Pred>
  void remove_if(Pred stale) {
    std::erase_if(heap_, [&](const Entry& e) { return stale(e.timer); });
    std::make_heap(heap_.begin(), heap_.end(), Later{});
  }

 private:
  struct Entry {
    util::Instant at;
    std::uint64_t seq;
    Timer timer;
  };
  struct Later {
    bool operator()(const Entry& a, const Entry& b) const {
      if (a.at != b.at) return a.at > b.at;
      return a.seq > b.seq;
    }
  };
  std::vector<Entry> heap_;  // a binary heap under Later: the earliest entry at the front
  std::uint64_t seq_ = 0;
};

}  // namespace swim
