// Internal to swim::Core: the state behind Core's pimpl, shared by core.cpp (construction,
// timers, public operations), probe.cpp (failure detection, SWIM §4), state.cpp (alive/suspect/
// dead rules and push/pull merging, gossip-wire.md §7.5), streams.cpp (push/pull, joins,
// stream pings) and send.cpp (packet assembly, piggybacking and gossip rounds). The state is
// kept in cohesive parts, each with its own header: our own standing (LocalState), the member
// table, the prober, the suspicion timers, the stream calls in flight, the broadcast queue,
// Lifeguard's awareness and the timer queue.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "swim/awareness.h"
#include "swim/broadcast_queue.h"
#include "swim/core.h"
#include "swim/deadlines.h"
#include "swim/limits.h"
#include "swim/members.h"
#include "swim/prober.h"
#include "swim/stream_table.h"
#include "swim/suspicion.h"
#include "wire/messages.h"

namespace swim {

inline constexpr std::string_view log_component = "memberlist";

// Our own standing: the incarnation we gossip, and where a leave or a join catch-up stands.
struct LocalState {
  std::uint32_t incarnation = 0;
  bool leaving = false;
  bool leave_broadcast_done = false;
  // True only while merging the reply to our own join: the one place where the cluster may
  // tell us an incarnation of ours far above our own (swim/incarnation.h rule 2).
  bool catching_up = false;
};

struct Core::Impl {
  Impl(Config config, Delegate& delegate, util::Logger& log, util::Rng rng);

  template <typename... Args>
  void logf(util::LogLevel level, fmt::format_string<Args...> format, Args&&... args) {
    log.log(level, log_component, format, std::forward<Args>(args)...);
  }
  // Counts a peer message we refuse. Only the first of each kind is logged: a peer can send
  // millions, and the counter tells the rest.
  template <typename... Args>
  void refuse(std::uint64_t& counter, fmt::format_string<Args...> format, Args&&... args) {
    if (++counter != 1) return;
    logf(util::LogLevel::warn, "{} (logged once; later ones are only counted)",
         fmt::format(format, std::forward<Args>(args)...));
  }

  // core.cpp
  void start(util::Instant now);
  void schedule(util::Instant at, Timer timer);
  [[nodiscard]] bool timer_is_stale(const Timer& timer) const;
  void dispatch(const Timer& timer, util::Instant now, Outbox& out);
  void gossip_tick(util::Instant now, Outbox& out);
  void push_pull_tick(util::Instant now, Outbox& out);
  [[nodiscard]] bool any_alive_peer() const;
  [[nodiscard]] int num_nodes() const { return static_cast<int>(members.size()); }

  // send.cpp
  void queue_broadcast(const std::string& node, util::Bytes msg,
                       std::function<void()> on_finished = {});
  std::vector<util::Bytes> get_broadcasts(std::size_t overhead, std::size_t limit);
  // memberlist sendMsg: piggybacks broadcasts; no CRC (the address-lookup path).
  void send_msg(const Address& to, util::Bytes msg, Outbox& out);
  // memberlist rawSendMsgPacket: compression, and a CRC when the node is known with pmax >= 5.
  void raw_send(const Address& to, const Node* node, util::ByteView msg, Outbox& out);
  void gossip(util::Instant now, Outbox& out);
  [[nodiscard]] wire::Ping make_ping(std::uint32_t seq_no, const std::string& node) const;

  // probe.cpp
  void probe_tick(util::Instant now, Outbox& out);
  void probe(util::Instant now, Outbox& out);
  void probe_node(const Node& node, util::Instant now, Outbox& out);
  void on_probe_timeout(std::uint32_t seq, util::Instant now, Outbox& out);
  void on_probe_end(std::uint32_t seq, util::Instant now, Outbox& out);
  void finish_probe(util::Instant now, Outbox& out);
  void handle_ping(const wire::Ping& p, const Address& from, Outbox& out);
  void handle_indirect_ping(const wire::IndirectPing& ind, const Address& from,
                            util::Instant now, Outbox& out);
  void handle_ack(const wire::Ack& ack, util::Instant now, Outbox& out);
  void handle_nack(const wire::Nack& nack);
  void on_indirect_timeout(std::uint32_t seq, Outbox& out);
  void on_tcp_ping_reply(const PendingStream& call, util::Result<util::Bytes> reply);

  // state.cpp
  void handle_packet(const Address& from, util::ByteView bytes, util::Instant now, Outbox& out);
  [[nodiscard]] bool well_formed(const char* what, const std::string& node, const util::Bytes& ip,
                                 std::uint64_t& counter, const Address& from);
  Node* alive_target(const wire::Alive& a, util::Instant now, bool& updates_node);
  void alive_node(const wire::Alive& a, bool bootstrap, util::Instant now,
                  std::function<void()> on_finished = {});
  void suspect_node(const wire::Suspect& s, util::Instant now);
  void dead_node(const wire::Dead& d, util::Instant now);
  [[nodiscard]] bool believable(const std::string& node, std::uint32_t claimed);
  [[nodiscard]] bool refute(Node& me, std::uint32_t accused);
  void on_suspicion_timeout(const std::string& name, std::uint64_t gen, util::Instant now);
  [[nodiscard]] util::Status verify_push_pull(const wire::PushPull& remote);
  [[nodiscard]] util::Status verify_protocol(const std::vector<wire::PushNodeState>& remote) const;
  void merge_state(const std::vector<wire::PushNodeState>& remote, const Address& from,
                   util::Instant now);

  // streams.cpp
  JoinId join(std::span<const Address> seeds, util::Instant now, Outbox& out);
  [[nodiscard]] wire::PushPull local_state(bool join_flag);
  void start_push_pull(PendingStream call, bool join_flag, util::Instant now, Outbox& out);
  void on_stream_reply(StreamId id, util::Result<util::Bytes> reply, util::Instant now,
                       Outbox& out);
  void on_push_pull_reply(const PendingStream& call, util::Result<util::Bytes> reply,
                          util::Instant now, Outbox& out);
  void on_stream_request(StreamId id, const Address& from, util::ByteView bytes,
                         util::Instant now, Outbox& out);
  util::Status merge_remote_state(const wire::PushPull& remote, bool join_flag,
                                  const Address& from, util::Instant now);
  util::Bytes frame_stream_msg(const wire::StreamMessage& m) const;

  // Collaborators, given at construction.
  Config cfg;
  Delegate& delegate;
  util::Logger& log;
  util::Rng rng;
  // State, in cohesive parts.
  LocalState local;
  Members members;
  Prober prober;
  SuspicionTimers suspicions;
  StreamTable calls;
  BroadcastQueue broadcasts;
  Awareness awareness;
  DeadlineQueue deadlines;
  Counters counters;
};

}  // namespace swim
