// Dedupe windows for user events and queries (gossip-wire.md §9.5, §9.6): rings of
// `size` slots indexed by LTime mod size. An event slot keeps the (Name, Payload) pairs seen at
// its LTime, a query slot the IDs; a slot holding an older LTime is overwritten. Messages older
// than clock - size, or below the minimum time set by a join without replay, are refused.
// Event slots are wire::serf::EventSlot: the push/pull state sends them as they are.
// Bounded (serf/limits.h): events and queries per LTime, and the event ring's bytes; what does
// not fit is refused as `full` (neither delivered nor re-broadcast).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "serf/lamport.h"
#include "util/bytes.h"
#include "wire/serf_messages.h"

namespace serf {

enum class Admission { accepted, before_min_time, too_old, duplicate, full };
const char* admission_name(Admission a);

// The age checks shared by both rings. `clock` is the current (already witnessed) clock.
Admission check_age(LamportTime ltime, LamportTime clock, LamportTime min_time, std::size_t size);

class EventRing {
 public:
  explicit EventRing(std::size_t size);
  // Records the event unless it is refused; accepted means deliver and re-broadcast.
  Admission admit(LamportTime ltime, LamportTime clock, LamportTime min_time,
                  const std::string& name, util::ByteView payload);
  // Every slot (empty ones as nullopt), for the push/pull state.
  [[nodiscard]] const std::vector<std::optional<wire::serf::EventSlot>>& slots() const {
    return slots_;
  }
  // Name and payload bytes held, against limits::event_ring_bytes_max.
  [[nodiscard]] std::size_t bytes() const { return bytes_; }

 private:
  std::vector<std::optional<wire::serf::EventSlot>> slots_;
  std::size_t bytes_ = 0;
};

class QueryRing {
 public:
  explicit QueryRing(std::size_t size);
  Admission admit(LamportTime ltime, LamportTime clock, LamportTime min_time, std::uint32_t id);

 private:
  struct Slot {
    LamportTime ltime = 0;
    std::vector<std::uint32_t> ids;
  };
  std::vector<std::optional<Slot>> slots_;
};

}  // namespace serf
