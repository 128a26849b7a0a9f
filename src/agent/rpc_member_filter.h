// The filters of the RPC command members-filtered (Serf's `members -name/-status/-tag`): a
// member is listed when its name, its status and each filtered tag fully match their regular
// expressions. Patterns come from RPC clients, so they are compiled with RE2 (Go's syntax,
// matching in linear time, no recursion) under the caps of rpc/limits.h.
#pragma once

#include <vector>

#include "rpc/messages.h"
#include "serf/node.h"
#include "util/result.h"

namespace agent {

// The members that pass every filter, in their order. A tag the member does not have is
// matched as "", and an empty status or name filter lets everyone through, as in Serf.
// Errors (the request is refused, as Serf refuses a pattern Go's regexp cannot compile):
// Errc::invalid_argument for a pattern RE2 refuses or longer than
// rpc::limits::filter_pattern_bytes_max, Errc::too_large for more tag filters than
// rpc::limits::filter_tags_max.
util::Result<std::vector<serf::Member>> filter_members(std::vector<serf::Member> members,
                                                       const rpc::MembersFilteredRequest& req);

}  // namespace agent
