// Query filters; see query_filter.h.
#include "serf/query_filter.h"

#include <algorithm>

#include <regex>  // GCC 12's false maybe-uninitialized in it under sanitizers: see meson.build

#include "wire/serf_codec.h"

namespace serf {

FilterVerdict query_applies(const std::vector<util::Bytes>& filters, const std::string& name,
                            const Tags& tags) {
  for (const auto& raw : filters) {
    auto f = wire::serf::decode_filter(raw);
    if (!f.ok()) return {false, "failed to decode query filter: " + f.error().detail};
    if (const auto* nodes = std::get_if<wire::serf::NodeFilter>(&*f)) {
      if (std::find(nodes->nodes.begin(), nodes->nodes.end(), name) == nodes->nodes.end()) {
        return {false, {}};
      }
      continue;
    }
    const auto& tag = std::get<wire::serf::TagFilter>(*f);
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

