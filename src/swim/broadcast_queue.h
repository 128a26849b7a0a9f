// memberlist's TransmitLimitedQueue (queue.go, gossip-wire.md §7.6): broadcasts waiting to be
// piggybacked or gossiped. Order: fewest transmits first, then larger, then newer. A message
// is dropped after retransmit_limit(mult, n) transmissions. A named message (memberlist's own:
// the node it is about) replaces a queued one of the same name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "util/bytes.h"

namespace swim {

class BroadcastQueue {
 public:
  explicit BroadcastQueue(int retransmit_mult) : retransmit_mult_(retransmit_mult) {}

  // `on_finished` runs once the message will not be sent again: transmit limit reached,
  // replaced by a newer message of the same name, or pruned.
  void queue(std::string name, util::Bytes msg, std::function<void()> on_finished = {});

  // Messages that fit in `limit` bytes when each costs len + `overhead`, at most `max_count`;
  // `num_nodes` sets the transmit limit.
  std::vector<util::Bytes> get(std::size_t overhead, std::size_t limit, int num_nodes,
                               std::size_t max_count = SIZE_MAX);

  // Keeps the `max_retain` messages that would be sent first.
  void prune(std::size_t max_retain);
  [[nodiscard]] std::size_t size() const { return items_.size(); }
  [[nodiscard]] bool empty() const { return items_.empty(); }

 private:
  struct Item {
    int transmits = 0;
    std::int64_t id = 0;
    std::string name;
    util::Bytes msg;
    mutable std::function<void()> on_finished;  // not part of the order
  };
  struct Before {
    bool operator()(const Item& a, const Item& b) const;
  };
  using Items = std::set<Item, Before>;  // ids are unique, so the order is total
  Items::iterator insert(Item item);
  void erase(Items::iterator it);  // no callback
  void remove(Items::iterator it);  // with the callback

  int retransmit_mult_;
  std::int64_t next_id_ = 0;
  Items items_;
  // Named items by name: replacing one costs O(log n), so a push/pull that brings tens of
  // thousands of nodes does not cost a scan of the queue per node.
  std::map<std::string, Items::iterator, std::less<>> by_name_;
  // Sizes of all queued messages: get() stops once not even the smallest fits.
  std::multiset<std::size_t> sizes_;
};

}  // namespace swim
