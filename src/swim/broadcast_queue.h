// memberlist's TransmitLimitedQueue (queue.go, gossip-wire.md §7.6): broadcasts waiting to be
// piggybacked or gossiped. Order: fewest transmits first, then larger, then newer. A message
// is dropped after retransmit_limit(mult, n) transmissions. A named message (memberlist's own:
// the node it is about) replaces a queued one of the same name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
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
    std::function<void()> on_finished;
  };
  static bool before(const Item& a, const Item& b);
  void remove_at(std::size_t i);

  int retransmit_mult_;
  std::int64_t next_id_ = 0;
  std::vector<Item> items_;  // kept sorted by before()
};

}  // namespace swim
