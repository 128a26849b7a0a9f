// Query filters; see query_filter.h.
#include "serf/query_filter.h"

#include <algorithm>

// GCC 12 reports a false -Wmaybe-uninitialized inside libstdc++'s <regex> when sanitizers are
// on (std::function in the regex NFA); the region covers where that code is instantiated.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <regex>

#include "serf/wire_bridge.h"

namespace serf {

FilterVerdict query_applies(const std::vector<util::Bytes>& filters, const std::string& name,
                            const Tags& tags) {
  for (const auto& raw : filters) {
    auto f = bridge::decode_filter(raw);
    if (!f.ok()) return {false, "failed to decode query filter: " + f.error().detail};
    if (const auto* nodes = std::get_if<bridge::NodeFilter>(&*f)) {
      if (std::find(nodes->nodes.begin(), nodes->nodes.end(), name) == nodes->nodes.end()) {
        return {false, {}};
      }
      continue;
    }
    const auto& tag = std::get<bridge::TagFilter>(*f);
    auto it = tags.find(tag.tag);
    const std::string value = it == tags.end() ? std::string() : it->second;
    try {
      if (!std::regex_search(value, std::regex(tag.expr, std::regex::ECMAScript))) {
        return {false, {}};
      }
    } catch (const std::regex_error&) {
      return {false, "failed to compile filter regex (" + tag.expr + ")"};
    }
  }
  return {true, {}};
}

}  // namespace serf

#pragma GCC diagnostic pop
