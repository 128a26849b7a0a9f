// Whether a query applies to us (gossip-wire.md §9.6): every filter must match. A node filter
// lists names; a tag filter is a Go regexp matched unanchored against our value of a tag
// ("" when unset). Go's RE2 syntax is approximated with std::regex ECMAScript: the common
// subset (classes, alternation, anchors, repetition) behaves the same. A filter that does not
// decode, an unknown filter type or a regexp that does not compile means "does not apply".
#pragma once

#include <string>
#include <vector>

#include "serf/node.h"
#include "util/bytes.h"

namespace serf {

struct FilterVerdict {
  bool applies = true;
  std::string warning;  // why a filter was unusable, for the log; empty if none
};

FilterVerdict query_applies(const std::vector<util::Bytes>& filters, const std::string& name,
                            const Tags& tags);

}  // namespace serf
