// Inbound queries that the application may still answer (Node::respond), by local handle,
// under serf/limits.h's bounds: the wait a peer asks for is clamped, and the number kept is
// capped. When full, the oldest query is forgotten to make room: a flood can then only push
// out queries older than itself, while dropping the newest would let a peer that fills the
// table with long waits make the node ignore every new query for the whole clamp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "serf/lamport.h"
#include "swim/address.h"
#include "util/time.h"

namespace serf {

// How long we keep an inbound query answerable: the timeout its sender asks for (Go's
// time.Duration in nanoseconds; negative means none), at most limits::inbound_query_timeout_max.
util::Duration inbound_query_timeout(std::int64_t requested_ns);

struct PendingQuery {
  LamportTime ltime = 0;
  std::uint32_t id = 0;
  swim::Address addr;  // where responses go
  std::string source_node;
  std::uint8_t relay_factor = 0;
  util::Instant deadline{};
};

class InboundQueries {
 public:
  explicit InboundQueries(std::size_t max);

  // Keeps `q` under `handle` (handles only grow). Returns whether the oldest query was forgotten
  // to make room.
  bool add(std::uint64_t handle, PendingQuery q);
  [[nodiscard]] PendingQuery* find(std::uint64_t handle);
  void erase(std::uint64_t handle);
  // Forgets the queries whose deadline is more than `grace` before `now`.
  void expire(util::Instant now, util::Duration grace);
  [[nodiscard]] std::size_t size() const { return by_handle_.size(); }

 private:
  std::size_t max_;
  std::map<std::uint64_t, PendingQuery> by_handle_;  // oldest first
};

}  // namespace serf
