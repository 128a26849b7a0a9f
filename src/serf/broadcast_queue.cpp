// Serf broadcast queue; see broadcast_queue.h.
#include "serf/broadcast_queue.h"

#include <algorithm>

namespace serf {

BroadcastQueue::Id BroadcastQueue::push(util::Bytes msg) {
  entries_.push_back(Entry{0, ++next_id_, std::move(msg)});
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
  return out;
}

std::size_t BroadcastQueue::prune(std::size_t max_retain) {
  if (entries_.size() <= max_retain) return 0;
  sort();
  const std::size_t dropped = entries_.size() - max_retain;
  entries_.resize(max_retain);
  return dropped;
}

bool BroadcastQueue::sent(Id id, int times) const {
  return std::none_of(entries_.begin(), entries_.end(),
                      [&](const Entry& e) { return e.id == id && e.transmits < times; });
}

}  // namespace serf
