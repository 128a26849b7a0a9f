// The Serf messages as serf::Node handles them (gossip-wire.md §9.1), and the calls that turn
// them into bytes and back. The byte work is done by wire/ (serf_codec.h); this file only maps
// between the wire structs and the shapes the Node logic uses, so that the logic does not
// depend on the codec's naming. Serf bytes start with the Serf type byte (no memberlist 08).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "serf/event_ring.h"
#include "serf/lamport.h"
#include "serf/node.h"
#include "swim/address.h"
#include "util/bytes.h"
#include "util/result.h"
#include "util/time.h"

namespace serf::bridge {

inline constexpr std::uint32_t query_flag_ack = 1;
inline constexpr std::uint32_t query_flag_no_broadcast = 2;

struct JoinMsg {
  LamportTime ltime = 0;
  std::string node;
};

struct LeaveMsg {
  LamportTime ltime = 0;
  std::string node;
  bool prune = false;
};

struct UserEventMsg {
  LamportTime ltime = 0;
  std::string name;
  util::Bytes payload;
  bool cc = false;
};

struct QueryMsg {
  LamportTime ltime = 0;
  std::uint32_t id = 0;
  swim::Address addr;  // where responses go
  std::string source_node;
  std::vector<util::Bytes> filters;  // each: filter type byte + msgpack
  std::uint32_t flags = 0;
  std::uint8_t relay_factor = 0;
  util::Duration timeout{};
  std::string name;
  util::Bytes payload;
};

struct QueryResponseMsg {
  LamportTime ltime = 0;
  std::uint32_t id = 0;
  std::string from;
  std::uint32_t flags = 0;
  util::Bytes payload;
};

// A relay: forward `inner` (Serf bytes, type byte first) to dest as a user message.
struct RelayMsg {
  swim::Address dest;
  std::string dest_name;
  util::Bytes inner;
};

struct PushPullMsg {
  LamportTime ltime = 0;
  std::map<std::string, LamportTime> status_ltimes;
  std::vector<std::string> left_members;
  LamportTime event_ltime = 0;
  std::vector<EventSlot> events;  // non-empty slots only
  LamportTime query_ltime = 0;
};

using Message =
    std::variant<JoinMsg, LeaveMsg, UserEventMsg, QueryMsg, QueryResponseMsg, RelayMsg, PushPullMsg>;

util::Result<Message> decode(util::ByteView serf_bytes);
util::Bytes encode(const JoinMsg& m);
util::Bytes encode(const LeaveMsg& m);
util::Bytes encode(const UserEventMsg& m);
util::Bytes encode(const QueryMsg& m);
util::Bytes encode(const QueryResponseMsg& m);
util::Bytes encode(const RelayMsg& m);
util::Bytes encode(const PushPullMsg& m);

// Tags in memberlist Meta (§9.8): protocol >= 3 -> ff + map with sorted keys; older -> role.
util::Bytes encode_tags(const Tags& tags, int protocol);
Tags decode_tags(util::ByteView meta);

// Query filters (§9.6).
util::Bytes encode_node_filter(const std::vector<std::string>& nodes);
util::Bytes encode_tag_filter(const std::string& tag, const std::string& expr);
struct NodeFilter {
  std::vector<std::string> nodes;
};
struct TagFilter {
  std::string tag;
  std::string expr;
};
using Filter = std::variant<NodeFilter, TagFilter>;
util::Result<Filter> decode_filter(util::ByteView filter);

// _serf_conflict answer: 06 + Member, or 06 c0 when the name is unknown (§9.10).
util::Bytes encode_conflict_response(const Member* member);
util::Result<std::optional<Member>> decode_conflict_response(util::ByteView payload);
// Key query answer: 08 + keyResponse (§9.11).
util::Bytes encode_key_response(bool result, const std::string& message);

}  // namespace serf::bridge
