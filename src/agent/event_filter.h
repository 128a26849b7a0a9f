// Event filters as Serf writes them for handlers and RPC streams: a comma-separated list of
// `*`, `member-join`, `member-leave`, `member-failed`, `member-update`, `member-reap`, `user`,
// `user:NAME`, `query`, `query:NAME` (serf-behaviour.md §3.2, §4.3).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "serf/node.h"
#include "util/result.h"

namespace agent {

struct EventFilter {
  std::string type;  // "*", "member-join", ..., "user", "query"
  std::string name;  // for user/query: exact event name, "" = any

  [[nodiscard]] bool matches(const serf::Event& event) const;
};

// "" means "*". Fails on an unknown type.
util::Result<std::vector<EventFilter>> parse_event_filters(std::string_view spec);
bool any_matches(const std::vector<EventFilter>& filters, const serf::Event& event);

}  // namespace agent
