// serf::Node's private state, shared by node.cpp (lifecycle, timers, local operations),
// node_members.cpp (memberlist notifications, intents, push/pull state) and node_query.cpp
// (user events, queries, responses, relays, internal queries). It is swim::Core's Delegate:
// Core calls back into it synchronously during a step, and the step's Outbox is `out_`.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "serf/broadcast_queue.h"
#include "serf/event_ring.h"
#include "serf/inbound_queries.h"
#include "serf/intents.h"
#include "serf/limits.h"
#include "serf/lamport.h"
#include "serf/member_table.h"
#include "serf/node.h"
#include "serf/vivaldi.h"
#include "serf/warn_limiter.h"
#include "swim/core.h"
#include "swim/delegate.h"
#include "wire/serf_messages.h"

namespace serf {

// A query we originated, open until its deadline.
struct OpenQuery {
  std::uint64_t handle = 0;
  std::uint32_t id = 0;
  util::Instant deadline{};
  bool conflict_vote = false;  // our own _serf_conflict: count, don't report
  std::set<std::string> acks;
  std::set<std::string> responses;
  std::size_t stranger_replies = 0;  // entries above from names that are not members
  int votes = 0, matching = 0;
};

enum class LeavePhase { none, intent, memberlist, linger };

struct Node::Impl final : swim::Delegate {
  Impl(Config config, util::Logger& log, util::Rng rng);

  // --- swim::Delegate ---
  util::Bytes node_meta(std::size_t limit) override;
  void notify_msg(util::ByteView msg, util::Instant now) override;
  std::vector<util::Bytes> get_broadcasts(std::size_t overhead, std::size_t limit) override;
  util::Bytes local_state(bool join) override;
  void merge_remote_state(util::ByteView state, bool join, util::Instant now) override;
  void notify_join(const swim::Node& node, util::Instant now) override;
  void notify_leave(const swim::Node& node, util::Instant now) override;
  void notify_update(const swim::Node& node, util::Instant now) override;
  void notify_conflict(const swim::Node& existing, const swim::Node& other,
                       util::Instant now) override;
  util::Bytes ack_payload() override;
  void notify_ping_complete(const swim::Node& node, util::Duration rtt,
                            util::ByteView payload) override;

  // --- step plumbing (node.cpp) ---
  void begin(util::Instant now, Outbox& out);
  void end();
  void emit(Event e);
  void send_serf(const swim::Address& to, util::ByteView serf_bytes);
  [[nodiscard]] bool running() const { return leave_state == LeaveState::running; }
  // Transmissions per broadcast; join/leave intents (`membership`) get the boost.
  [[nodiscard]] int transmit_limit(bool membership) const;
  void on_timers(util::Instant now);
  void advance_leave(util::Instant now);
  void start_memberlist_leave(util::Instant now);
  void reap(util::Instant now);
  void reconnect(util::Instant now);
  void check_queues();
  [[nodiscard]] Member member_from(const swim::Node& n) const;

  // --- membership (node_members.cpp) ---
  bool handle_join_intent(const wire::serf::Join& m, util::Instant now);
  bool handle_leave_intent(const wire::serf::Leave& m, util::Instant now);
  void broadcast_join(LamportTime ltime, util::Instant now);
  void erase_member(const std::string& name, bool forced);
  void log_member_event(MemberEventType type, const Member& m);

  // --- events and queries (node_query.cpp) ---
  bool handle_user_event(const wire::serf::UserEvent& m);
  bool handle_query(const wire::serf::Query& q, util::Instant now);
  void handle_query_response(const wire::serf::QueryResponse& r);
  void handle_relay(const wire::serf::Relay& r);
  bool should_process(const std::vector<util::Bytes>& filters);
  // The query as we keep it, its timeout clamped (counted, as are relay factors that
  // relay_response will cap).
  PendingQuery bounded_query(const wire::serf::Query& q, util::Instant now);
  void answer_internal(const PendingQuery& q, const std::string& name, util::ByteView payload,
                       util::Instant now);
  util::Status send_response(const PendingQuery& q, const wire::serf::QueryResponse& resp,
                             util::Instant now);
  void relay_response(std::uint8_t relay_factor, const swim::Address& dest,
                      const std::string& dest_name, util::ByteView serf_bytes);
  util::Result<std::uint64_t> start_query(const std::string& name, util::ByteView payload,
                                          const QueryParams& params, bool conflict_vote,
                                          util::Instant now);
  void close_queries(util::Instant now);
  [[nodiscard]] util::Duration default_query_timeout() const;

  Config config;
  util::Logger& log;
  util::Rng rng;
  std::unique_ptr<swim::Core> core;

  LamportClock clock, event_clock, query_clock;
  LamportTime event_min_time = 0, query_min_time = 0;
  MemberTable members;
  RecentIntents intents;
  EventRing event_ring;
  QueryRing query_ring;
  BroadcastQueue intent_queue, event_queue, query_queue;
  util::Bytes meta;
  VivaldiClient vivaldi;
  std::map<std::string, Coordinate> coordinates;  // members' last coordinates
  Counters counters;
  WarnLimiter filter_warnings{limits::filter_warning_interval};

  Outbox* out_ = nullptr;
  std::vector<Event> pending_events;  // raised outside a step (during construction)
  util::Instant now_{};

  LeaveState leave_state = LeaveState::running;
  LeavePhase leave_phase = LeavePhase::none;
  util::Instant leave_deadline{};
  BroadcastQueue::Id leave_msg = 0;
  bool shut_down = false;
  bool shutdown_requested = false;

  util::Instant next_reap{}, next_reconnect{}, next_queue_check{};
  std::map<swim::JoinId, bool> joins;  // our joins in flight -> ignore_old
  int ignoring_old = 0;                // joins in flight with ignore_old
  std::map<std::string, util::Instant> prune_at;
  std::uint64_t next_handle = 0;
  InboundQueries pending{limits::pending_queries_max};  // by local handle
  std::map<LamportTime, OpenQuery> open_queries;   // by LTime, as Serf matches responses
};

}  // namespace serf
