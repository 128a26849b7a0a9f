// Query filters; see query_filter.h.
#include "serf/query_filter.h"

#include <algorithm>
#include <string_view>

#include <fmt/format.h>

#include "serf/go_regexp.h"
#include "wire/serf_codec.h"

namespace serf {

namespace {

// Peer-supplied text in a warning is cut to this many bytes (ARCHITECTURE §8).
constexpr std::size_t logged_text_bytes_max = 128;

std::string_view clip(std::string_view s) { return s.substr(0, logged_text_bytes_max); }

FilterVerdict tag_filter_applies(const wire::serf::TagFilter& filter, const Tags& tags) {
  auto re = GoRegexp::compile(filter.expr);
  if (!re.ok()) {
    return {false, fmt::format("failed to compile filter regex ({}): {}", clip(filter.expr),
                               clip(re.error().detail))};
  }
  auto it = tags.find(filter.tag);
  return {re->search(it == tags.end() ? std::string_view() : std::string_view(it->second)), {}};
}

}  // namespace

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
    FilterVerdict v = tag_filter_applies(std::get<wire::serf::TagFilter>(*f), tags);
    if (!v.applies) return v;
  }
  return {true, {}};
}

}  // namespace serf
