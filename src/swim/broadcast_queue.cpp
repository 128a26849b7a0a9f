// See broadcast_queue.h. A sorted vector is enough: memberlist's queue holds about one entry
// per node, and get() is one ascending pass (equivalent to memberlist's tier-by-tier btree walk,
// because the free space only shrinks during a call).
#include "swim/broadcast_queue.h"

#include <algorithm>

#include "swim/formulas.h"

namespace swim {

bool BroadcastQueue::before(const Item& a, const Item& b) {
  if (a.transmits != b.transmits) return a.transmits < b.transmits;
  if (a.msg.size() != b.msg.size()) return a.msg.size() > b.msg.size();
  return a.id > b.id;
}

void BroadcastQueue::remove_at(std::size_t i) {
  auto done = std::move(items_[i].on_finished);
  items_.erase(items_.begin() + static_cast<std::ptrdiff_t>(i));
  if (items_.empty()) next_id_ = 0;  // as memberlist resets its id generator when idle
  if (done) done();
}

void BroadcastQueue::queue(std::string name, util::Bytes msg, std::function<void()> on_finished) {
  if (!name.empty()) {
    for (std::size_t i = 0; i < items_.size(); ++i) {
      if (items_[i].name == name) {
        remove_at(i);
        break;
      }
    }
  }
  Item item{0, ++next_id_, std::move(name), std::move(msg), std::move(on_finished)};
  auto pos = std::upper_bound(items_.begin(), items_.end(), item, before);
  items_.insert(pos, std::move(item));
}

std::vector<util::Bytes> BroadcastQueue::get(std::size_t overhead, std::size_t limit,
                                             int num_nodes, std::size_t max_count) {
  std::vector<util::Bytes> out;
  if (items_.empty()) return out;
  const int transmit_limit = retransmit_limit(retransmit_mult_, num_nodes);
  std::size_t used = 0;
  std::vector<std::size_t> taken;
  for (std::size_t i = 0; i < items_.size() && out.size() < max_count; ++i) {
    if (used + overhead >= limit) break;
    const std::size_t free = limit - used - overhead;
    if (items_[i].msg.size() > free) continue;
    used += overhead + items_[i].msg.size();
    out.push_back(items_[i].msg);
    taken.push_back(i);
  }
  // Bump (or retire) the taken items, then restore the order.
  std::vector<std::function<void()>> finished;
  for (auto it = taken.rbegin(); it != taken.rend(); ++it) {
    Item& item = items_[*it];
    if (item.transmits + 1 >= transmit_limit) {
      if (item.on_finished) finished.push_back(std::move(item.on_finished));
      items_.erase(items_.begin() + static_cast<std::ptrdiff_t>(*it));
    } else {
      ++item.transmits;
    }
  }
  std::stable_sort(items_.begin(), items_.end(), before);
  if (items_.empty()) next_id_ = 0;
  for (auto& done : finished) done();
  return out;
}

void BroadcastQueue::prune(std::size_t max_retain) {
  while (items_.size() > max_retain) remove_at(items_.size() - 1);
}

}  // namespace swim
