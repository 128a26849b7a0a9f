// serf::Node: Serf's layer over memberlist (gossip-wire.md §8-§9): Lamport clocks, join/leave
// intents, member statuses (alive/leaving/left/failed), tags, user events and queries on the
// wire, reaping and reconnects. Sans-IO like swim::Core, which it wraps and drives: the same
// inputs, plus the local operations; its Outbox adds Serf events to memberlist's effects.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "swim/address.h"
#include "swim/config.h"
#include "swim/outbox.h"
#include "serf/vivaldi.h"
#include "util/log.h"
#include "util/result.h"
#include "util/rng.h"
#include "util/time.h"
#include "wire/serf_messages.h"

namespace serf {

using namespace std::chrono_literals;
using Tags = wire::serf::Tags;

struct Config {
  swim::Config memberlist;            // name, advertise address and timing profile
  int protocol = 5;                   // Serf protocol we speak, 2..5 (dcur in Vsn)
  Tags tags;
  util::Duration broadcast_timeout = 5s;     // max wait for leave/tag broadcasts
  util::Duration leave_propagate_delay = 1s; // linger after memberlist leave
  util::Duration reap_interval = 15s;
  util::Duration reconnect_interval = 30s;
  util::Duration reconnect_timeout = 24h;    // failed -> reaped
  util::Duration tombstone_timeout = 24h;    // left -> reaped
  util::Duration recent_intent_timeout = 5min;
  util::Duration queue_check_interval = 30s;
  std::size_t event_buffer = 512;
  std::size_t query_buffer = 512;
  int query_timeout_mult = 16;
  std::size_t query_size_limit = 1024;
  std::size_t query_response_size_limit = 1024;
  std::size_t user_event_size_limit = 512;
  std::size_t max_queue_depth = 4096;
  bool enable_name_conflict_resolution = true;
  bool disable_coordinates = false;
};

using MemberStatus = wire::serf::MemberStatus;
const char* status_name(MemberStatus s);  // "none", "alive", "leaving", "left", "failed"

struct Member {
  std::string name;
  swim::Address addr;
  Tags tags;
  MemberStatus status = MemberStatus::none;
  std::uint8_t protocol_min = 0, protocol_max = 0, protocol_cur = 0;  // memberlist
  std::uint8_t delegate_min = 0, delegate_max = 0, delegate_cur = 0;  // Serf
};

enum class MemberEventType { join, leave, failed, update, reap };
const char* event_type_name(MemberEventType t);  // "member-join", ..., "member-reap"

struct MemberEvent {
  MemberEventType type;
  std::vector<Member> members;
};

struct UserEvent {
  std::uint64_t ltime = 0;
  std::string name;
  util::Bytes payload;
  bool coalesce = true;
};

// A query that reached us and passed its filters (internal _serf_ queries are answered by the
// Node itself and never appear here). Answer with Node::respond(id, ...).
struct QueryEvent {
  std::uint64_t id = 0;  // local handle for respond(), not the wire ID
  std::uint64_t ltime = 0;
  std::string name;
  util::Bytes payload;
  util::Instant deadline{};
};

using Event = std::variant<MemberEvent, UserEvent, QueryEvent>;

// How to run a query we originate (Serf's QueryParam).
struct QueryParams {
  std::vector<std::string> filter_nodes;  // only these nodes answer (empty: all)
  Tags filter_tags;                       // tag -> regular expression its value must match
  bool request_ack = false;
  std::uint8_t relay_factor = 0;          // extra copies of each answer routed via others
  util::Duration timeout{0};              // 0: default_query_timeout()
};

// What came back for a query started with Node::query: an ack, a response (one each per node
// at most), and finally `done` at the query's deadline.
struct QueryReply {
  enum class Kind { ack, response, done };
  Kind kind = Kind::ack;
  std::uint64_t handle = 0;  // as returned by Node::query
  std::string from;
  util::Bytes payload;
};

struct Outbox {
  swim::Outbox swim;
  std::vector<Event> events;
  std::vector<QueryReply> query_replies;
  bool shutdown = false;  // we left, or lost a name-conflict vote: the agent should exit
};

enum class LeaveState { running, leaving, left };

// What serf::Node refused or dropped to stay within its limits (serf/limits.h), since it
// started: for the agent's logs and stats.
struct Counters {
  std::uint64_t filters_unusable = 0;          // query filters that did not decode or compile
  std::uint64_t query_timeouts_clamped = 0;    // inbound queries asking a longer wait than allowed
  std::uint64_t relay_factors_clamped = 0;     // inbound queries asking more relayed copies
  std::uint64_t pending_queries_dropped = 0;   // unanswered queries forgotten at the cap (oldest)
  std::uint64_t queries_refused = 0;           // too many at one LTime
  std::uint64_t events_refused = 0;            // too big, too many at one LTime, or ring full
  std::uint64_t stranger_replies_dropped = 0;  // replies to our queries from non-members
  std::uint64_t intents_refused = 0;           // intents about new names with the buffer full
  std::uint64_t broadcasts_dropped = 0;        // by a broadcast queue's byte budget
};

// Tags must encode to at most 512 bytes of memberlist Meta:
// "Encoded length of tags exceeds limit of 512 bytes".
util::Status validate_tags(const Tags& tags, int protocol);

class Node {
 public:
  Node(Config config, util::Logger& log, util::Rng rng, util::Instant now);
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Join via push/pull with each seed; the JoinResult arrives in out.swim.joins.
  // ignore_old: raise the event minimum time so older user events are not delivered (no replay).
  swim::JoinId join(std::span<const swim::Address> seeds, bool ignore_old, util::Instant now,
                    Outbox& out);

  void on_packet(const swim::Address& from, util::ByteView bytes, util::Instant now, Outbox& out);
  void on_stream_reply(swim::StreamId id, util::Result<util::Bytes> reply, util::Instant now,
                       Outbox& out);
  void on_stream_request(swim::StreamId id, const swim::Address& from, util::ByteView bytes,
                         util::Instant now, Outbox& out);
  void on_tick(util::Instant now, Outbox& out);
  [[nodiscard]] util::Instant next_deadline() const;

  // After a restart from a snapshot (call before join): witness the recorded clocks and
  // ignore user events and queries at or below the recorded event and query times.
  void restore_clocks(std::uint64_t member_time, std::uint64_t event_time,
                      std::uint64_t query_time);

  // Graceful leave: leave intent, wait for its broadcast (<= broadcast_timeout), memberlist
  // leave (<= broadcast_timeout), linger leave_propagate_delay; then leave_state() == left.
  void leave(util::Instant now, Outbox& out);
  [[nodiscard]] LeaveState leave_state() const;

  util::Status force_leave(const std::string& name, bool prune, util::Instant now, Outbox& out);
  util::Status set_tags(Tags tags, util::Instant now, Outbox& out);
  util::Status user_event(const std::string& name, util::ByteView payload, bool coalesce,
                          util::Instant now, Outbox& out);
  // Starts a query (Serf protocol >= 4); replies arrive in out.query_replies under the
  // returned handle. Errors use Serf's texts ("query exceeds limit of 1024 bytes").
  util::Result<std::uint64_t> query(const std::string& name, util::ByteView payload,
                                    const QueryParams& params, util::Instant now, Outbox& out);
  // Answers a QueryEvent (its `id`), once, before its deadline, within
  // query_response_size_limit.
  util::Status respond(std::uint64_t id, util::ByteView payload, util::Instant now, Outbox& out);
  // GossipInterval * QueryTimeoutMult * ceil(log10(alive members + 1)).
  [[nodiscard]] util::Duration default_query_timeout() const;

  [[nodiscard]] std::vector<Member> members() const;  // every known member, self included
  [[nodiscard]] Member local_member() const;
  [[nodiscard]] const Tags& tags() const;
  // Our Vivaldi coordinate (name == ours) or the last one a member sent in a probe ack;
  // nullopt when unknown or coordinates are disabled. coordinate_distance() gives the RTT.
  [[nodiscard]] std::optional<Coordinate> coordinate(const std::string& name) const;
  // Serf's `info` serf section: members, failed, left, health_score, member_time, event_time,
  // query_time, intent_queue, event_queue, query_queue, encrypted (false), coordinate_resets.
  [[nodiscard]] std::map<std::string, std::string> stats() const;
  [[nodiscard]] Counters counters() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace serf
