// See broadcast_queue.h. An ordered set plus an index by name: memberlist's queue holds about
// one entry per node, and a cluster (or a peer's push/pull) may bring tens of thousands.
#include "swim/broadcast_queue.h"

#include <iterator>

#include "swim/formulas.h"

namespace swim {

bool BroadcastQueue::Before::operator()(const Item& a, const Item& b) const {
  if (a.transmits != b.transmits) return a.transmits < b.transmits;
  if (a.msg.size() != b.msg.size()) return a.msg.size() > b.msg.size();
  return a.id > b.id;
}

BroadcastQueue::Items::iterator BroadcastQueue::insert(Item item) {
  sizes_.insert(item.msg.size());
  const auto it = items_.insert(std::move(item)).first;
  if (!it->name.empty()) by_name_[it->name] = it;
  return it;
}

void BroadcastQueue::erase(Items::iterator it) {
  sizes_.erase(sizes_.find(it->msg.size()));
  if (!it->name.empty()) by_name_.erase(it->name);
  items_.erase(it);
  if (items_.empty()) next_id_ = 0;  // as memberlist resets its id generator when idle
}

void BroadcastQueue::remove(Items::iterator it) {
  auto done = std::move(it->on_finished);
  erase(it);
  if (done) done();
}

void BroadcastQueue::queue(std::string name, util::Bytes msg, std::function<void()> on_finished) {
  if (!name.empty()) {
    if (auto old = by_name_.find(name); old != by_name_.end()) remove(old->second);
  }
  insert(Item{0, ++next_id_, std::move(name), std::move(msg), std::move(on_finished)});
}

// One ascending pass (memberlist walks its btree tier by tier, which takes the same messages
// because the free space only shrinks during a call); taken messages are re-filed after it.
std::vector<util::Bytes> BroadcastQueue::get(std::size_t overhead, std::size_t limit,
                                             int num_nodes, std::size_t max_count) {
  std::vector<util::Bytes> out;
  if (items_.empty()) return out;
  const int transmit_limit = retransmit_limit(retransmit_mult_, num_nodes);
  std::size_t used = 0;
  std::vector<Items::iterator> taken;
  for (auto it = items_.begin(); it != items_.end() && out.size() < max_count; ++it) {
    if (used + overhead >= limit) break;
    const std::size_t free = limit - used - overhead;
    if (free < *sizes_.begin()) break;  // nothing left fits
    if (it->msg.size() > free) continue;
    used += overhead + it->msg.size();
    out.push_back(it->msg);
    taken.push_back(it);
  }
  // Bump (or retire) the taken items; a bump moves an item, so it is extracted and re-filed.
  std::vector<std::function<void()>> finished;
  for (const auto it : taken) {
    if (it->on_finished && it->transmits + 1 >= transmit_limit) {
      finished.push_back(std::move(it->on_finished));
    }
    auto node = items_.extract(it);
    if (++node.value().transmits >= transmit_limit) {
      sizes_.erase(sizes_.find(node.value().msg.size()));
      if (!node.value().name.empty()) by_name_.erase(node.value().name);
      continue;
    }
    const auto moved = items_.insert(std::move(node)).position;
    if (!moved->name.empty()) by_name_[moved->name] = moved;
  }
  if (items_.empty()) next_id_ = 0;
  for (auto& done : finished) done();
  return out;
}

void BroadcastQueue::prune(std::size_t max_retain) {
  while (items_.size() > max_retain) remove(std::prev(items_.end()));
}

}  // namespace swim
