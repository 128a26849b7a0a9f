// Test helpers that craft the datagrams a (possibly hostile) peer sends to a serf::Node and
// read back the Serf messages a Node's Outbox sends: for inputs no well-behaved Node produces.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <utility>
#include <vector>

#include "serf/node.h"
#include "wire/codec.h"
#include "wire/serf_codec.h"

namespace serf_test {

// A peer that is not a member, and where its queries ask for responses.
inline const swim::Address sender{{10, 0, 0, 8}, 7946};
inline const swim::Address reply_address{{10, 0, 0, 9}, 7000};

// A memberlist user message carrying `serf_bytes` (Serf type byte first), as one datagram.
inline util::Bytes user_packet(const util::Bytes& serf_bytes) {
  return wire::encode(wire::UserMsg{serf_bytes});
}

// A query from `sender` asking for an ack at reply_address.
inline wire::serf::Query inbound_query(std::uint32_t id, std::int64_t timeout_ns) {
  wire::serf::Query q;
  q.ltime = 1;
  q.id = id;
  q.addr = reply_address.ip;
  q.port = reply_address.port;
  q.source_node = "x";
  q.flags = wire::serf::query_flag_ack;
  q.timeout_ns = timeout_ns;
  q.name = "load";
  return q;
}

// The Serf messages in the datagrams `out` sends, with their destinations.
inline std::vector<std::pair<swim::Address, wire::serf::Message>> serf_sent(
    const serf::Outbox& out) {
  std::vector<std::pair<swim::Address, wire::serf::Message>> found;
  for (const auto& p : out.swim.packets) {
    auto packet = wire::decode_packet(p.bytes);
    REQUIRE(packet.ok());
    for (const auto& m : packet->messages) {
      const auto* user = std::get_if<wire::UserMsg>(&m);
      if (!user) continue;
      auto serf_msg = wire::serf::decode(user->payload);
      REQUIRE(serf_msg.ok());
      found.emplace_back(p.to, std::move(*serf_msg));
    }
  }
  return found;
}

// The Serf messages in the datagrams `out` sends to `to`.
inline std::vector<wire::serf::Message> serf_sent_to(const serf::Outbox& out,
                                                     const swim::Address& to) {
  std::vector<wire::serf::Message> found;
  for (auto& [dest, m] : serf_sent(out)) {
    if (dest == to) found.push_back(std::move(m));
  }
  return found;
}

inline const serf::QueryEvent* find_query_event(const serf::Outbox& out) {
  for (const auto& e : out.events) {
    if (const auto* q = std::get_if<serf::QueryEvent>(&e)) return q;
  }
  return nullptr;
}

}  // namespace serf_test
