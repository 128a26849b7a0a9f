// memberlist message structs: the fixed shapes that wire/ decodes packets into and encodes
// from (gossip-wire.md §4). Handlers never see raw bytes. Field names follow the Go names
// in snake_case; the codec writes the msgpack map keys in Go's sorted order.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "util/bytes.h"

namespace wire {

// Append only: values are on the wire.
enum class MessageType : std::uint8_t {
  ping = 0,
  indirect_ping = 1,
  ack = 2,
  suspect = 3,
  alive = 4,
  dead = 5,
  push_pull = 6,
  compound = 7,
  user = 8,
  compress = 9,
  encrypt = 10,
  nack = 11,
  has_crc = 12,
  err = 13,
  has_label = 244,
};

// Protocol versions a node advertises: memberlist min/max/current, then the delegate's
// (Serf's) min/max/current. Always 6 bytes on the wire (§4.5).
// All six zero means "no version": the peer sent an empty or nil Vsn (the codec decodes it so
// and encodes it back as nil); such a node fails the version check (§10.2).
struct Vsn {
  std::uint8_t pmin = 1, pmax = 5, pcur = 2;
  std::uint8_t dmin = 2, dmax = 5, dcur = 5;
  [[nodiscard]] static constexpr Vsn none() { return Vsn{0, 0, 0, 0, 0, 0}; }
  [[nodiscard]] constexpr bool is_none() const { return *this == none(); }
  friend bool operator==(const Vsn&, const Vsn&) = default;
};

// Append only: values are on the wire (pushNodeState.State).
enum class NodeState : std::uint8_t { alive = 0, suspect = 1, dead = 2, left = 3 };

struct Ping {
  std::uint32_t seq_no = 0;
  std::string node;          // the node being pinged; empty = anyone
  util::Bytes source_addr;   // omitempty: where to send the ack
  std::string source_node;   // omitempty
  std::uint16_t source_port = 0;  // omitempty
  friend bool operator==(const Ping&, const Ping&) = default;
};

struct IndirectPing {
  std::uint32_t seq_no = 0;
  util::Bytes target;        // target IP, 4 or 16 bytes
  std::uint16_t port = 0;
  std::string node;          // target name
  bool nack = false;         // requester wants a nack if the target stays silent
  util::Bytes source_addr;   // omitempty
  std::string source_node;   // omitempty
  std::uint16_t source_port = 0;  // omitempty
  friend bool operator==(const IndirectPing&, const IndirectPing&) = default;
};

struct Ack {
  std::uint32_t seq_no = 0;
  util::Bytes payload;       // empty encodes as nil (no omitempty)
  friend bool operator==(const Ack&, const Ack&) = default;
};

struct Nack {
  std::uint32_t seq_no = 0;
  friend bool operator==(const Nack&, const Nack&) = default;
};

struct Suspect {
  std::uint32_t incarnation = 0;
  std::string node;
  std::string from;
  friend bool operator==(const Suspect&, const Suspect&) = default;
};

// dead with from == node is a graceful leave: receivers record "left".
struct Dead {
  std::uint32_t incarnation = 0;
  std::string node;
  std::string from;
  friend bool operator==(const Dead&, const Dead&) = default;
};

struct Alive {
  std::uint32_t incarnation = 0;
  std::string node;
  util::Bytes addr;          // 4 bytes for IPv4, 16 for IPv6
  std::uint16_t port = 0;
  util::Bytes meta;          // Serf tags, <= 512 bytes
  Vsn vsn;
  friend bool operator==(const Alive&, const Alive&) = default;
};

// A memberlist user message (type 8): the delegate's (Serf's) bytes, type byte included.
struct UserMsg {
  util::Bytes payload;
  friend bool operator==(const UserMsg&, const UserMsg&) = default;
};

// One node in a push/pull exchange (§4.6).
struct PushNodeState {
  std::string name;
  util::Bytes addr;
  std::uint16_t port = 0;
  util::Bytes meta;
  std::uint32_t incarnation = 0;
  NodeState state = NodeState::alive;
  Vsn vsn;
  friend bool operator==(const PushNodeState&, const PushNodeState&) = default;
};

// The whole push/pull message (§6.3): header, node states, raw user (Serf) state.
struct PushPull {
  bool join = false;
  std::vector<PushNodeState> nodes;
  util::Bytes user_state;
  friend bool operator==(const PushPull&, const PushPull&) = default;
};

struct ErrResp {
  std::string error;
  friend bool operator==(const ErrResp&, const ErrResp&) = default;
};

// What a UDP datagram can carry once CRC, compression and compounds are peeled off.
using PacketMessage =
    std::variant<Ping, IndirectPing, Ack, Nack, Suspect, Alive, Dead, UserMsg>;

// What one TCP stream can carry (after decryption and decompression): a stream ping, a
// push/pull, a reliable user message, an ack (reply to a stream ping) or an error reply.
using StreamMessage = std::variant<Ping, Ack, PushPull, UserMsg, ErrResp>;

}  // namespace wire
