// Serf message structs (gossip-wire.md §8-§9), in namespace wire::serf so that they never
// clash with the memberlist structs of messages.h (wire::PushPull vs wire::serf::PushPull).
// On the wire a Serf message is `serf type byte | msgpack map` (keys = Go field names, sorted);
// memberlist puts its own user-message byte 08 in front when it gossips or sends one.
// Field names follow the Go names in snake_case. Encoding/decoding: wire/serf_codec.h.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "util/bytes.h"

namespace wire::serf {

// Append only: values are on the wire (§9.1).
enum class MessageType : std::uint8_t {
  leave = 0,
  join = 1,
  push_pull = 2,
  user_event = 3,
  query = 4,
  query_response = 5,
  conflict_response = 6,  // only inside a query response payload
  key_request = 7,        // only inside a query payload
  key_response = 8,       // only inside a query response payload
  relay = 9,
};

using LamportTime = std::uint64_t;
using Tags = std::map<std::string, std::string>;

struct Leave {
  LamportTime ltime = 0;
  std::string node;
  bool prune = false;  // force-leave -prune: also erase the member
  friend bool operator==(const Leave&, const Leave&) = default;
};

struct Join {
  LamportTime ltime = 0;
  std::string node;
  friend bool operator==(const Join&, const Join&) = default;
};

struct UserEvent {
  LamportTime ltime = 0;
  std::string name;
  util::Bytes payload;  // empty encodes as nil
  bool cc = false;      // may be coalesced
  friend bool operator==(const UserEvent&, const UserEvent&) = default;
};

// One event of a push/pull ring slot (Go: userEvent{Name, Payload}).
struct EventItem {
  std::string name;
  util::Bytes payload;  // empty encodes as nil
  friend bool operator==(const EventItem&, const EventItem&) = default;
};

// One used slot of the event ring (Go: userEvents{LTime, Events}).
struct EventSlot {
  LamportTime ltime = 0;
  std::vector<EventItem> events;
  friend bool operator==(const EventSlot&, const EventSlot&) = default;
};

// Serf's push/pull user state (§9.7). `events` is the ring as sent: nullopt = a nil slot.
// Go sends all 512 slots; a shorter list (only used slots) is also understood by Go.
struct PushPull {
  LamportTime ltime = 0;
  std::map<std::string, LamportTime> status_ltimes;
  std::vector<std::string> left_members;  // encodes as an empty array (90) when empty
  LamportTime event_ltime = 0;
  std::vector<std::optional<EventSlot>> events;
  LamportTime query_ltime = 0;
  friend bool operator==(const PushPull&, const PushPull&) = default;
};

inline constexpr std::uint32_t query_flag_ack = 1;           // responders ack at once
inline constexpr std::uint32_t query_flag_no_broadcast = 2;  // process, do not re-gossip

struct Query {
  LamportTime ltime = 0;
  std::uint32_t id = 0;
  util::Bytes addr;  // where responses go (4 or 16 bytes)
  std::uint16_t port = 0;
  std::string source_node;
  std::vector<util::Bytes> filters;  // each: filter type byte + msgpack; empty encodes as nil
  std::uint32_t flags = 0;
  std::uint8_t relay_factor = 0;
  std::int64_t timeout_ns = 0;
  std::string name;
  util::Bytes payload;  // empty encodes as nil
  friend bool operator==(const Query&, const Query&) = default;
};

inline constexpr std::uint32_t query_response_flag_ack = 1;

struct QueryResponse {
  LamportTime ltime = 0;
  std::uint32_t id = 0;
  std::string from;
  std::uint32_t flags = 0;  // 1 = this is an ack
  util::Bytes payload;      // empty encodes as nil
  friend bool operator==(const QueryResponse&, const QueryResponse&) = default;
};

// Append only: values are on the wire (Member.Status).
enum class MemberStatus : std::uint8_t { none = 0, alive = 1, leaving = 2, left = 3, failed = 4 };

// What a node knows about a member, as answered to _serf_conflict (§9.10).
struct Member {
  std::string name;
  util::Bytes addr;
  std::uint16_t port = 0;
  Tags tags;
  MemberStatus status = MemberStatus::none;
  std::uint8_t protocol_min = 0, protocol_max = 0, protocol_cur = 0;
  std::uint8_t delegate_min = 0, delegate_max = 0, delegate_cur = 0;
  friend bool operator==(const Member&, const Member&) = default;
};

// 06 + Member, or 06 c0 when the name is unknown.
struct ConflictResponse {
  std::optional<Member> member;
  friend bool operator==(const ConflictResponse&, const ConflictResponse&) = default;
};

// 07 + {Key}: the payload of _serf_install-key/use-key/remove-key/list-keys.
struct KeyRequest {
  util::Bytes key;  // raw key bytes; empty (encoded a0, not nil) for list-keys
  friend bool operator==(const KeyRequest&, const KeyRequest&) = default;
};

// 08 + {Keys, Message, PrimaryKey, Result}: a key query's response payload.
struct KeyResponse {
  bool result = false;
  std::string message;
  std::vector<std::string> keys;  // base64; empty encodes as nil
  std::string primary_key;        // base64, list-keys only
  friend bool operator==(const KeyResponse&, const KeyResponse&) = default;
};

// relayHeader: DestAddr is a Go net.UDPAddr {IP, Port, Zone}.
struct RelayHeader {
  util::Bytes dest_ip;
  std::uint16_t dest_port = 0;
  std::string dest_zone;
  std::string dest_name;
  friend bool operator==(const RelayHeader&, const RelayHeader&) = default;
};

// 09 + relayHeader + a complete inner Serf message (type byte first), forwarded unchanged.
struct Relay {
  RelayHeader header;
  util::Bytes inner;
  friend bool operator==(const Relay&, const Relay&) = default;
};

using Message = std::variant<Leave, Join, PushPull, UserEvent, Query, QueryResponse,
                             ConflictResponse, KeyRequest, KeyResponse, Relay>;

// --- query filters (§9.6): filter type byte + msgpack ---------------------------------------
// Append only: values are on the wire.
enum class FilterType : std::uint8_t { node = 0, tag = 1 };

struct NodeFilter {  // applies if our name is in the list
  std::vector<std::string> nodes;
  friend bool operator==(const NodeFilter&, const NodeFilter&) = default;
};
struct TagFilter {  // applies if Go regexp `expr` matches our value of tag `tag` ("" if unset)
  std::string tag;
  std::string expr;
  friend bool operator==(const TagFilter&, const TagFilter&) = default;
};
using Filter = std::variant<NodeFilter, TagFilter>;

// --- Vivaldi coordinate in the ack payload (§9.9) -------------------------------------------
inline constexpr std::size_t coordinate_dimensions = 8;

struct Coordinate {  // the defaults are a fresh node's coordinate
  std::array<double, coordinate_dimensions> vec{};
  double error = 1.5;
  double adjustment = 0.0;
  double height = 1e-5;
  friend bool operator==(const Coordinate&, const Coordinate&) = default;
};

}  // namespace wire::serf
