// Whether a query applies to us (gossip-wire.md §9.6): every filter must match. A node filter
// lists names; a tag filter is a Go regexp matched unanchored against our value of a tag
// ("" when unset), as Serf's regexp.MatchString does, with RE2 (serf/go_regexp.h) so that a
// peer's pattern costs time linear in its size. A filter that does not decode, an unknown
// filter type, or a regexp over the size cap or that does not compile means "does not apply".
#pragma once

#include <string>
#include <vector>

#include "serf/node.h"
#include "util/bytes.h"

namespace serf {

struct FilterVerdict {
  bool applies = true;
  std::string warning;  // why a filter was unusable, for the log (<= ~300 bytes); empty if none
};

FilterVerdict query_applies(const std::vector<util::Bytes>& filters, const std::string& name,
                            const Tags& tags);

}  // namespace serf
