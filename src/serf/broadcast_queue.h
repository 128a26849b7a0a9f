// One of Serf's three broadcast queues (intents, events, queries), with memberlist's
// TransmitLimitedQueue rules (gossip-wire.md §7.6): lowest transmit count first, then larger
// messages, then newer ones; a message is dropped after swim::retransmit_limit() transmissions.
// Serf's messages never replace each other. A caller that must know when a message has gone
// out (graceful leave) keeps its id and asks sent(). The queue holds at most
// limits::broadcast_queue_bytes_max: a push beyond it prunes to three quarters (so that a flood
// does not sort the queue at every push), dropping in prune()'s order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "util/bytes.h"

namespace serf {

class BroadcastQueue {
 public:
  using Id = std::uint64_t;

  Id push(util::Bytes msg);
  // Takes messages in queue order that fit: each costs len + overhead, all together <= limit.
  // Each taken message counts one transmission; at `transmit_limit` it leaves the queue.
  std::vector<util::Bytes> take(std::size_t overhead, std::size_t limit, int transmit_limit);
  // Keeps the `max_retain` first messages in queue order; returns how many were dropped.
  std::size_t prune(std::size_t max_retain);
  // Whether message `id` has gone out `times` times (or left the queue).
  [[nodiscard]] bool sent(Id id, int times) const;
  [[nodiscard]] std::size_t size() const { return entries_.size(); }
  // What the messages cost against the byte budget (each with its entry overhead).
  [[nodiscard]] std::size_t bytes() const { return bytes_; }
  // Messages dropped by the byte budget since the start.
  [[nodiscard]] std::uint64_t dropped_for_bytes() const { return dropped_for_bytes_; }

 private:
  struct Entry {
    int transmits = 0;
    Id id = 0;
    util::Bytes msg;
  };
  static std::size_t cost(const Entry& e);
  void sort();
  void recount();
  std::vector<Entry> entries_;
  Id next_id_ = 0;
  std::size_t bytes_ = 0;
  std::uint64_t dropped_for_bytes_ = 0;
};

}  // namespace serf
