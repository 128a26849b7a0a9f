// Dedupe rings; see event_ring.h.
#include "serf/event_ring.h"

#include <algorithm>

#include "serf/limits.h"
#include "util/assert.h"

namespace serf {

namespace {

std::size_t event_bytes(const wire::serf::EventItem& e) { return e.name.size() + e.payload.size(); }

}  // namespace

const char* admission_name(Admission a) {
  switch (a) {
    case Admission::accepted: return "accepted";
    case Admission::before_min_time: return "before-min-time";
    case Admission::too_old: return "too-old";
    case Admission::duplicate: return "duplicate";
    case Admission::full: return "full";
  }
  return "?";
}

Admission check_age(LamportTime ltime, LamportTime clock, LamportTime min_time, std::size_t size) {
  if (ltime < min_time) return Admission::before_min_time;
  if (clock > size && ltime < clock - size) return Admission::too_old;
  return Admission::accepted;
}

EventRing::EventRing(std::size_t size) : slots_(size) { ASSERT(size > 0); }

Admission EventRing::admit(LamportTime ltime, LamportTime clock, LamportTime min_time,
                           const std::string& name, util::ByteView payload) {
  if (auto age = check_age(ltime, clock, min_time, slots_.size()); age != Admission::accepted) {
    return age;
  }
  auto& slot = slots_[ltime % slots_.size()];
  wire::serf::EventItem seen{name, util::Bytes(payload.begin(), payload.end())};
  if (slot && slot->ltime == ltime) {
    if (std::find(slot->events.begin(), slot->events.end(), seen) != slot->events.end()) {
      return Admission::duplicate;
    }
    if (slot->events.size() >= limits::events_per_ltime_max) return Admission::full;
  } else {
    if (slot) {
      for (const auto& e : slot->events) bytes_ -= event_bytes(e);
    }
    slot = wire::serf::EventSlot{ltime, {}};
  }
  if (bytes_ + event_bytes(seen) > limits::event_ring_bytes_max) return Admission::full;
  bytes_ += event_bytes(seen);
  slot->events.push_back(std::move(seen));
  return Admission::accepted;
}

QueryRing::QueryRing(std::size_t size) : slots_(size) { ASSERT(size > 0); }

Admission QueryRing::admit(LamportTime ltime, LamportTime clock, LamportTime min_time,
                           std::uint32_t id) {
  if (auto age = check_age(ltime, clock, min_time, slots_.size()); age != Admission::accepted) {
    return age;
  }
  auto& slot = slots_[ltime % slots_.size()];
  if (slot && slot->ltime == ltime) {
    if (std::find(slot->ids.begin(), slot->ids.end(), id) != slot->ids.end()) {
      return Admission::duplicate;
    }
    if (slot->ids.size() >= limits::queries_per_ltime_max) return Admission::full;
  } else {
    slot = Slot{ltime, {}};
  }
  slot->ids.push_back(id);
  return Admission::accepted;
}

}  // namespace serf
