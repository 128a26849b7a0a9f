// Inbound queries; see inbound_queries.h.
#include "serf/inbound_queries.h"

#include <algorithm>
#include <chrono>

#include "serf/limits.h"
#include "util/assert.h"

namespace serf {

util::Duration inbound_query_timeout(std::int64_t requested_ns) {
  if (requested_ns <= 0) return util::Duration::zero();
  const auto max_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(limits::inbound_query_timeout_max);
  const std::chrono::nanoseconds requested(std::min(requested_ns, max_ns.count()));
  return std::chrono::duration_cast<util::Duration>(requested);
}

InboundQueries::InboundQueries(std::size_t max) : max_(max) { ASSERT(max > 0); }

bool InboundQueries::add(std::uint64_t handle, PendingQuery q) {
  bool dropped = false;
  if (by_handle_.size() >= max_) {
    by_handle_.erase(by_handle_.begin());
    dropped = true;
  }
  by_handle_.emplace(handle, std::move(q));
  return dropped;
}

PendingQuery* InboundQueries::find(std::uint64_t handle) {
  auto it = by_handle_.find(handle);
  return it == by_handle_.end() ? nullptr : &it->second;
}

void InboundQueries::erase(std::uint64_t handle) { by_handle_.erase(handle); }

void InboundQueries::expire(util::Instant now, util::Duration grace) {
  for (auto it = by_handle_.begin(); it != by_handle_.end();) {
    it = now > it->second.deadline + grace ? by_handle_.erase(it) : std::next(it);
  }
}

}  // namespace serf
