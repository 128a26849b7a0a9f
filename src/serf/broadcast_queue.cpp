// Serf broadcast queue; see broadcast_queue.h.
#include "serf/broadcast_queue.h"

#include <algorithm>

#include "serf/limits.h"

namespace serf {

std::size_t BroadcastQueue::cost(const Entry& e) {
  return e.msg.size() + limits::broadcast_entry_overhead_bytes;
}

void BroadcastQueue::recount() {
  bytes_ = 0;
  for (const auto& e : entries_) bytes_ += cost(e);
}

BroadcastQueue::Id BroadcastQueue::push(util::Bytes msg) {
  entries_.push_back(Entry{0, ++next_id_, std::move(msg)});
  bytes_ += cost(entries_.back());
  if (bytes_ > limits::broadcast_queue_bytes_max) {
    sort();
    const std::size_t target = limits::broadcast_queue_bytes_max / 4 * 3;
    while (bytes_ > target && !entries_.empty()) {
      bytes_ -= cost(entries_.back());
      entries_.pop_back();
      ++dropped_for_bytes_;
    }
  }
  return next_id_;
}

void BroadcastQueue::sort() {
  std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
    if (a.transmits != b.transmits) return a.transmits < b.transmits;
    if (a.msg.size() != b.msg.size()) return a.msg.size() > b.msg.size();
    return a.id > b.id;
  });
}

std::vector<util::Bytes> BroadcastQueue::take(std::size_t overhead, std::size_t limit,
                                              int transmit_limit) {
  std::vector<util::Bytes> out;
  if (entries_.empty()) return out;
  sort();
  std::size_t used = 0;
  std::vector<Entry> kept;
  kept.reserve(entries_.size());
  for (auto& e : entries_) {
    const bool room = used + overhead < limit;
    if (room && e.msg.size() <= limit - used - overhead) {
      used += overhead + e.msg.size();
      out.push_back(e.msg);
      if (++e.transmits >= transmit_limit) continue;  // fully retransmitted
    }
    kept.push_back(std::move(e));
  }
  entries_ = std::move(kept);
  recount();
  return out;
}

std::size_t BroadcastQueue::prune(std::size_t max_retain) {
  if (entries_.size() <= max_retain) return 0;
  sort();
  const std::size_t dropped = entries_.size() - max_retain;
  entries_.resize(max_retain);
  recount();
  return dropped;
}

bool BroadcastQueue::sent(Id id, int times) const {
  return std::none_of(entries_.begin(), entries_.end(),
                      [&](const Entry& e) { return e.id == id && e.transmits < times; });
}

}  // namespace serf
