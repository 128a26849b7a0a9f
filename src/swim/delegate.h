// The seam between memberlist (swim::Core) and the layer above it (serf::Node), as memberlist's
// Delegate, EventDelegate, PingDelegate and ConflictDelegate. Called synchronously inside a
// Core step; a delegate may append to the same Outbox (through Core::send_user_packet).
#pragma once

#include <cstddef>
#include <vector>

#include "swim/node.h"
#include "util/bytes.h"
#include "util/time.h"

namespace swim {

class Delegate {
 public:
  virtual ~Delegate() = default;

  // Our node meta (Serf: encoded tags), at most `limit` bytes.
  virtual util::Bytes node_meta(std::size_t limit) = 0;
  // A user message arrived (UDP or stream): the bytes after memberlist's 08 type byte.
  virtual void notify_msg(util::ByteView msg, util::Instant now) = 0;
  // Messages to piggyback: each costs len + overhead, all together at most `limit`.
  virtual std::vector<util::Bytes> get_broadcasts(std::size_t overhead, std::size_t limit) = 0;
  // Push/pull user state to send, and the peer's to merge.
  virtual util::Bytes local_state(bool join) = 0;
  virtual void merge_remote_state(util::ByteView state, bool join, util::Instant now) = 0;

  // Membership changes, in the order memberlist decides them.
  virtual void notify_join(const Node& node, util::Instant now) = 0;
  virtual void notify_leave(const Node& node, util::Instant now) = 0;   // dead or left
  virtual void notify_update(const Node& node, util::Instant now) = 0;  // meta/address changed
  // Another address claims an existing name (ours included).
  virtual void notify_conflict(const Node& existing, const Node& other, util::Instant now) = 0;

  // Ping delegate: payload for our acks, and a completed direct probe of `node`.
  virtual util::Bytes ack_payload() = 0;
  virtual void notify_ping_complete(const Node& node, util::Duration rtt,
                                    util::ByteView payload) = 0;
};

}  // namespace swim
