// The core's own timer queue (ARCHITECTURE §3): a min-heap ordered by (deadline, insertion
// sequence), so equal deadlines fire in the order they were set. Entries are never cancelled;
// each carries the generation (probe sequence number, suspicion generation, ...) it was set
// for, and its handler ignores it when that no longer matches.
#pragma once

#include <cstdint>
#include <queue>
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
  void push(util::Instant at, Timer timer) { heap_.push(Entry{at, ++seq_, std::move(timer)}); }
  [[nodiscard]] bool empty() const { return heap_.empty(); }
  [[nodiscard]] util::Instant next() const {
    return heap_.empty() ? util::instant_max() : heap_.top().at;
  }
  [[nodiscard]] bool due(util::Instant now) const {
    return !heap_.empty() && heap_.top().at <= now;
  }
  Timer pop() {
    Timer t = heap_.top().timer;
    heap_.pop();
    return t;
  }
  [[nodiscard]] std::size_t size() const { return heap_.size(); }

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
  std::priority_queue<Entry, std::vector<Entry>, Later> heap_;
  std::uint64_t seq_ = 0;
};

}  // namespace swim
