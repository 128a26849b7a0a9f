// Event filters: see event_filter.h.
#include "agent/event_filter.h"

#include <array>

namespace agent {

namespace {
constexpr std::array<std::string_view, 8> known_types = {
    "*", "member-join", "member-leave", "member-failed", "member-update", "member-reap",
    "user", "query"};

bool known(std::string_view type) {
  for (auto t : known_types)
    if (t == type) return true;
  return false;
}
}  // namespace

bool EventFilter::matches(const serf::Event& event) const {
  if (type == "*") return true;
  if (auto* m = std::get_if<serf::MemberEvent>(&event)) return type == serf::event_type_name(m->type);
  if (auto* u = std::get_if<serf::UserEvent>(&event)) return type == "user" && (name.empty() || name == u->name);
  if (auto* q = std::get_if<serf::QueryEvent>(&event)) return type == "query" && (name.empty() || name == q->name);
  return false;
}

util::Result<std::vector<EventFilter>> parse_event_filters(std::string_view spec) {
  std::vector<EventFilter> out;
  if (spec.empty()) spec = "*";
  std::size_t start = 0;
  while (start <= spec.size()) {
    auto comma = spec.find(',', start);
    auto part = spec.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    EventFilter f;
    auto colon = part.find(':');
    f.type = std::string(part.substr(0, colon));
    if (colon != std::string_view::npos) f.name = std::string(part.substr(colon + 1));
    bool named_ok = colon == std::string_view::npos || f.type == "user" || f.type == "query";
    if (!known(f.type) || !named_ok)
      return util::Error{util::Errc::invalid_argument, "Invalid event filter: " + std::string(part)};
    out.push_back(std::move(f));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

bool any_matches(const std::vector<EventFilter>& filters, const serf::Event& event) {
  for (auto& f : filters)
    if (f.matches(event)) return true;
  return false;
}

}  // namespace agent
