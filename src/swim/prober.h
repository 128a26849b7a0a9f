// The failure detector's state inside a swim::Core (SWIM §4, memberlist's probe loop): where
// the round-robin stands, the probe in flight, and the indirect pings we serve for others.
// Part of Core's state (core_impl.h); the protocol steps are probe.cpp's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>

#include "swim/address.h"
#include "swim/node.h"
#include "util/time.h"

namespace swim {

// The probe in flight (memberlist probes one node at a time).
struct ProbeRun {
  std::uint32_t seq = 0;
  Node target;  // a copy taken at probe start, as memberlist does
  util::Instant sent{};
  util::Instant end{};  // sent + awareness-scaled probe interval
  bool direct = true;   // still inside ProbeTimeout: an ack here is a direct one
  int expected_nacks = 0;
  int nacks = 0;
  bool tcp_ok = false;
};

// An indirect ping we serve for a requester (SWIM §4.1 ping-req).
struct IndirectRelay {
  std::uint32_t requester_seq = 0;
  Address reply_to;
  bool nack = false;
};

struct Prober {
  std::size_t index = 0;            // next position in the shuffled probe order
  std::uint32_t seq_no = 0;         // the last sequence number we used (pings, relays)
  std::optional<ProbeRun> current;  // the probe in flight
  bool tick_pending = false;        // a probe tick arrived while a probe was running
  std::map<std::uint32_t, IndirectRelay> relays;  // by the sequence number of our ping

  std::uint32_t next_seq() { return ++seq_no; }
  // The probe in flight if it is the one `seq` belongs to.
  [[nodiscard]] ProbeRun* running(std::uint32_t seq) {
    return current && current->seq == seq ? &*current : nullptr;
  }
  [[nodiscard]] const ProbeRun* running(std::uint32_t seq) const {
    return current && current->seq == seq ? &*current : nullptr;
  }
  // Ends the probe in flight if it is the one `seq` belongs to, and hands it over.
  std::optional<ProbeRun> finish(std::uint32_t seq) {
    if (running(seq) == nullptr) return std::nullopt;
    return std::exchange(current, std::nullopt);
  }
  // Removes and hands over the relay that our ping `seq` serves, if any.
  std::optional<IndirectRelay> take_relay(std::uint32_t seq) {
    auto it = relays.find(seq);
    if (it == relays.end()) return std::nullopt;
    IndirectRelay relay = it->second;
    relays.erase(it);
    return relay;
  }
};

}  // namespace swim
