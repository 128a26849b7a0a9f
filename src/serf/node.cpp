// serf::Node: construction, the step plumbing around swim::Core, timers (reap, reconnect,
// queue checks, prunes, leave phases) and the local operations. Membership logic lives in
// node_members.cpp, events and queries in node_query.cpp.
#include "serf/node.h"

#include <algorithm>

#include "serf/node_impl.h"
#include "swim/formulas.h"
#include "wire/limits.h"
#include "wire/serf_codec.h"

namespace serf {

namespace ws = wire::serf;

namespace {

// Tags as memberlist Meta (gossip-wire.md §9.8): Serf protocol >= 3 sends the map, older
// protocols only the role.
util::Bytes encode_meta(const Tags& tags, int protocol) {
  return protocol < 3 ? ws::encode_tags_legacy(tags) : ws::encode_tags(tags);
}
}  // namespace

const char* status_name(MemberStatus s) {
  switch (s) {
    case MemberStatus::none: return "none";
    case MemberStatus::alive: return "alive";
    case MemberStatus::leaving: return "leaving";
    case MemberStatus::left: return "left";
    case MemberStatus::failed: return "failed";
  }
  return "none";
}

const char* event_type_name(MemberEventType t) {
  switch (t) {
    case MemberEventType::join: return "member-join";
    case MemberEventType::leave: return "member-leave";
    case MemberEventType::failed: return "member-failed";
    case MemberEventType::update: return "member-update";
    case MemberEventType::reap: return "member-reap";
  }
  return "member-join";
}

util::Status validate_tags(const Tags& tags, int protocol) {
  if (encode_meta(tags, protocol).size() > wire::limits::meta_bytes_max) {
    return {util::Errc::too_large, "Encoded length of tags exceeds limit of 512 bytes"};
  }
  return {};
}

Node::Impl::Impl(Config cfg, util::Logger& logger, util::Rng r)
    : config(std::move(cfg)),
      log(logger),
      rng(std::move(r)),
      event_ring(std::max<std::size_t>(config.event_buffer, 1)),
      query_ring(std::max<std::size_t>(config.query_buffer, 1)) {
  if (!validate_tags(config.tags, config.protocol).ok()) {
    log.log(util::LogLevel::err, "serf", "Encoded length of tags exceeds limit of 512 bytes");
    config.tags.clear();
  }
  meta = encode_meta(config.tags, config.protocol);
}

Node::Node(Config config, util::Logger& log, util::Rng rng, util::Instant now) {
  config.memberlist.vsn.dcur = static_cast<std::uint8_t>(config.protocol);
  util::Rng core_rng = rng.fork();
  impl_ = std::make_unique<Impl>(std::move(config), log, std::move(rng));
  Impl& s = *impl_;
  s.now_ = now;
  s.core = std::make_unique<swim::Core>(s.config.memberlist, s, log, std::move(core_rng), now);
  // memberlist announces the local node as joined; make sure we know ourselves either way.
  if (!s.members.find(s.config.memberlist.name)) s.notify_join(s.core->self(), now);
  s.next_reap = now + s.config.reap_interval;
  s.next_reconnect = now + s.config.reconnect_interval;
  s.next_queue_check = now + s.config.queue_check_interval;
}

Node::~Node() = default;

// --- step plumbing ---------------------------------------------------------------------------

void Node::Impl::begin(util::Instant now, Outbox& out) {
  now_ = now;
  out_ = &out;
  for (auto& e : pending_events) out.events.push_back(std::move(e));
  pending_events.clear();
}

void Node::Impl::end() {
  for (const auto& result : out_->swim.joins) {
    auto it = joins.find(result.id);
    if (it == joins.end()) continue;
    if (it->second) --ignoring_old;
    joins.erase(it);
    if (result.joined > 0 && running()) broadcast_join(clock.time(), now_);
  }
  if (!shut_down) advance_leave(now_);
  if (shutdown_requested) out_->shutdown = true;
  out_ = nullptr;
}

void Node::Impl::emit(Event e) {
  if (out_) {
    out_->events.push_back(std::move(e));
  } else {
    pending_events.push_back(std::move(e));
  }
}

void Node::Impl::send_serf(const swim::Address& to, util::ByteView serf_bytes) {
  if (!out_ || !core) return;
  core->send_user_packet(to, serf_bytes, out_->swim);
}

int Node::Impl::transmit_limit(bool membership) const {
  const auto& ml = config.memberlist;
  return swim::retransmit_limit(ml.retransmit_mult + (membership ? ml.membership_retransmit_boost : 0),
                                static_cast<int>(members.all().size()));
}

Member Node::Impl::member_from(const swim::Node& n) const {
  Member m;
  m.name = n.name;
  m.addr = n.addr;
  // Meta that is not a tag map (a bug or a foreign peer) leaves the member without tags.
  auto tags = ws::decode_tags(n.meta);
  if (tags.ok()) m.tags = std::move(*tags);
  m.protocol_min = n.vsn.pmin;
  m.protocol_max = n.vsn.pmax;
  m.protocol_cur = n.vsn.pcur;
  m.delegate_min = n.vsn.dmin;
  m.delegate_max = n.vsn.dmax;
  m.delegate_cur = n.vsn.dcur;
  return m;
}

// --- timers ----------------------------------------------------------------------------------

void Node::Impl::on_timers(util::Instant now) {
  if (now >= next_reap) {
    next_reap = now + config.reap_interval;
    reap(now);
  }
  if (now >= next_reconnect) {
    next_reconnect = now + config.reconnect_interval;
    reconnect(now);
  }
  if (now >= next_queue_check) {
    next_queue_check = now + config.queue_check_interval;
    check_queues();
  }
  for (auto it = prune_at.begin(); it != prune_at.end();) {
    if (now < it->second) {
      ++it;
      continue;
    }
    const std::string name = it->first;
    it = prune_at.erase(it);
    if (members.find(name)) erase_member(name, true);
  }
  close_queries(now);
}

void Node::Impl::reap(util::Instant now) {
  for (auto& m : members.reap(now, config.reconnect_timeout, config.tombstone_timeout)) {
    vivaldi.forget(m.name);
    coordinates.erase(m.name);
    log.log(util::LogLevel::info, "serf", "EventMemberReap: {}", m.name);
    emit(MemberEvent{MemberEventType::reap, {std::move(m)}});
  }
  intents.reap(now, config.recent_intent_timeout);
  // Unanswered queries are kept a while past their deadline so that a late respond() gets
  // Serf's "past the deadline" rather than a puzzling "already sent".
  pending.expire(now, 1min);
}

void Node::Impl::reconnect(util::Instant now) {
  const auto& failed = members.failed();
  if (failed.empty() || !running()) return;
  // Expect each failed member to get one attempt per interval across the whole cluster.
  const std::size_t total = members.all().size();
  std::size_t alive = total - failed.size() - members.left().size();
  if (alive == 0) alive = 1;
  const double prob = static_cast<double>(failed.size()) / static_cast<double>(alive);
  if (rng.unit() > prob) {
    log.log(util::LogLevel::debug, "serf", "forgoing reconnect for random throttling");
    return;
  }
  const std::string& name = failed[rng.below(failed.size())];
  const MemberState* st = members.find(name);
  if (!st) return;
  log.log(util::LogLevel::info, "serf", "attempting reconnect to {} {}", name,
          swim::to_string(st->member.addr));
  const swim::Address seed = st->member.addr;
  core->join(std::span<const swim::Address>(&seed, 1), now, out_->swim);
}

void Node::Impl::check_queues() {
  struct Named {
    const char* name;
    BroadcastQueue* queue;
  };
  const Named queues[] = {
      {"Intent", &intent_queue}, {"Event", &event_queue}, {"Query", &query_queue}};
  for (const auto& q : queues) {
    const std::size_t n = q.queue->size();
    if (n >= limits::queue_depth_warning) {
      log.log(util::LogLevel::warn, "serf", "{} queue depth: {}", q.name, n);
    }
    if (n > config.max_queue_depth) {
      log.log(util::LogLevel::warn, "serf",
              "{} queue depth ({}) exceeds limit ({}), dropping messages!", q.name, n,
              config.max_queue_depth);
      q.queue->prune(config.max_queue_depth);
    }
  }
}

// --- graceful leave --------------------------------------------------------------------------

void Node::Impl::start_memberlist_leave(util::Instant now) {
  leave_phase = LeavePhase::memberlist;
  leave_deadline = now + config.broadcast_timeout;
  core->leave(now, out_->swim);
}

void Node::Impl::advance_leave(util::Instant now) {
  switch (leave_phase) {
    case LeavePhase::none:
      return;
    case LeavePhase::intent: {
      // Serf waits for its leave intent's full transmit count before memberlist's leave; the
      // boosted copies beyond that count go on alongside memberlist's dead message.
      const bool sent = intent_queue.sent(leave_msg, transmit_limit(false));
      if (!sent && now < leave_deadline) return;
      if (!sent) {
        log.log(util::LogLevel::warn, "serf", "timeout while waiting for graceful leave");
      }
      start_memberlist_leave(now);
    }
      [[fallthrough]];
    case LeavePhase::memberlist:
      if (!core->leave_done() && now < leave_deadline) return;
      if (!core->leave_done()) {
        log.log(util::LogLevel::warn, "serf", "timeout waiting for leave broadcast");
      }
      leave_phase = LeavePhase::linger;
      leave_deadline = now + config.leave_propagate_delay;
      return;
    case LeavePhase::linger:
      if (now < leave_deadline) return;
      leave_phase = LeavePhase::none;
      leave_state = LeaveState::left;
      shut_down = true;
      shutdown_requested = true;
      return;
  }
}

// --- public API ------------------------------------------------------------------------------

swim::JoinId Node::join(std::span<const swim::Address> seeds, bool ignore_old, util::Instant now,
                        Outbox& out) {
  Impl& s = *impl_;
  s.begin(now, out);
  swim::JoinId id = 0;
  if (!s.shut_down) {
    // Mark the join before Core runs: its push/pull replies decide the event minimum time.
    if (ignore_old) ++s.ignoring_old;
    id = s.core->join(seeds, now, out.swim);
    s.joins[id] = ignore_old;
  }
  s.end();
  return id;
}

void Node::on_packet(const swim::Address& from, util::ByteView bytes, util::Instant now,
                     Outbox& out) {
  Impl& s = *impl_;
  s.begin(now, out);
  if (!s.shut_down) s.core->on_packet(from, bytes, now, out.swim);
  s.end();
}

void Node::on_stream_reply(swim::StreamId id, util::Result<util::Bytes> reply, util::Instant now,
                           Outbox& out) {
  Impl& s = *impl_;
  s.begin(now, out);
  if (!s.shut_down) s.core->on_stream_reply(id, std::move(reply), now, out.swim);
  s.end();
}

void Node::on_stream_request(swim::StreamId id, const swim::Address& from, util::ByteView bytes,
                             util::Instant now, Outbox& out) {
  Impl& s = *impl_;
  s.begin(now, out);
  if (!s.shut_down) s.core->on_stream_request(id, from, bytes, now, out.swim);
  s.end();
}

void Node::on_tick(util::Instant now, Outbox& out) {
  Impl& s = *impl_;
  s.begin(now, out);
  if (!s.shut_down) {
    if (now >= s.core->next_deadline()) s.core->on_tick(now, out.swim);
    s.on_timers(now);
  }
  s.end();
}

util::Instant Node::next_deadline() const {
  const Impl& s = *impl_;
  if (s.shut_down) return util::instant_max();
  util::Instant t = std::min({s.core->next_deadline(), s.next_reap, s.next_reconnect,
                              s.next_queue_check});
  if (s.leave_phase != LeavePhase::none) t = std::min(t, s.leave_deadline);
  for (const auto& [name, at] : s.prune_at) t = std::min(t, at);
  for (const auto& [ltime, q] : s.open_queries) t = std::min(t, q.deadline);
  return t;
}

void Node::restore_clocks(std::uint64_t member_time, std::uint64_t event_time,
                          std::uint64_t query_time) {
  Impl& s = *impl_;
  s.clock.witness(member_time);
  s.event_clock.witness(event_time);
  s.query_clock.witness(query_time);
  s.event_min_time = event_time + 1;
  s.query_min_time = query_time + 1;
}

void Node::leave(util::Instant now, Outbox& out) {
  Impl& s = *impl_;
  s.begin(now, out);
  if (s.running()) {
    s.leave_state = LeaveState::leaving;
    const ws::Leave msg{s.clock.time(), s.config.memberlist.name, false};
    s.clock.increment();
    s.handle_leave_intent(msg, now);
    if (s.members.has_alive_other(s.config.memberlist.name)) {
      util::Bytes raw = ws::encode(msg);
      // Beyond Serf: gossip picks peers at random, so a peer may miss all of the intent's
      // transmissions and then see memberlist's dead first (-> "failed"). One direct copy to
      // every alive member makes that unlikely; receivers treat it like the gossiped one.
      for (const auto& [name, st] : s.members.all()) {
        if (name != s.config.memberlist.name && st.member.status == MemberStatus::alive) {
          s.send_serf(st.member.addr, raw);
        }
      }
      s.leave_msg = s.intent_queue.push(std::move(raw));
      s.leave_phase = LeavePhase::intent;
      s.leave_deadline = now + s.config.broadcast_timeout;
    } else {
      s.start_memberlist_leave(now);
    }
  }
  s.end();
}

LeaveState Node::leave_state() const { return impl_->leave_state; }

util::Status Node::force_leave(const std::string& name, bool prune, util::Instant now,
                               Outbox& out) {
  Impl& s = *impl_;
  if (s.shut_down) return {util::Errc::refused, "Serf can't force-leave after Leave or Shutdown"};
  s.begin(now, out);
  const ws::Leave msg{s.clock.time(), name, prune};
  s.clock.increment();
  s.handle_leave_intent(msg, now);
  if (s.members.has_alive_other(s.config.memberlist.name)) {
    s.intent_queue.push(ws::encode(msg));
  }
  s.end();
  return {};
}

util::Status Node::set_tags(Tags tags, util::Instant now, Outbox& out) {
  Impl& s = *impl_;
  if (s.shut_down) return {util::Errc::refused, "Serf can't set tags after Leave or Shutdown"};
  if (auto st = validate_tags(tags, s.config.protocol); !st.ok()) return st;
  s.begin(now, out);
  s.config.tags = std::move(tags);
  s.meta = encode_meta(s.config.tags, s.config.protocol);
  s.core->update_meta(now, out.swim);
  // If memberlist did not report our own update, apply it here as Serf would.
  const MemberState* self = s.members.find(s.config.memberlist.name);
  if (self && self->member.tags != s.config.tags) s.notify_update(s.core->self(), now);
  s.end();
  return {};
}

util::Status Node::user_event(const std::string& name, util::ByteView payload, bool coalesce,
                              util::Instant now, Outbox& out) {
  Impl& s = *impl_;
  const std::size_t limit = s.config.user_event_size_limit;
  const std::size_t raw_size = name.size() + payload.size();
  if (raw_size > limit) {
    return {util::Errc::too_large,
            fmt::format("user event exceeds configured limit of {} bytes before encoding", limit)};
  }
  if (raw_size > limits::user_event_bytes_max) {
    return {util::Errc::too_large,
            fmt::format("user event exceeds sane limit of {} bytes before encoding",
                        limits::user_event_bytes_max)};
  }
  const ws::UserEvent msg{s.event_clock.time(), name,
                         util::Bytes(payload.begin(), payload.end()), coalesce};
  util::Bytes raw = ws::encode(msg);
  if (raw.size() > limit) {
    return {util::Errc::too_large,
            fmt::format("encoded user event exceeds configured limit of {} bytes after encoding",
                        limit)};
  }
  if (raw.size() > limits::user_event_bytes_max) {
    return {util::Errc::too_large,
            fmt::format("encoded user event exceeds sane limit of {} bytes before encoding",
                        limits::user_event_bytes_max)};
  }
  s.begin(now, out);
  s.event_clock.increment();
  s.handle_user_event(msg);
  s.event_queue.push(std::move(raw));
  s.end();
  return {};
}

util::Result<std::uint64_t> Node::query(const std::string& name, util::ByteView payload,
                                        const QueryParams& params, util::Instant now,
                                        Outbox& out) {
  Impl& s = *impl_;
  s.begin(now, out);
  auto handle = s.start_query(name, payload, params, false, now);
  s.end();
  return handle;
}

util::Duration Node::default_query_timeout() const { return impl_->default_query_timeout(); }

std::vector<Member> Node::members() const {
  std::vector<Member> all;
  for (const auto& [name, st] : impl_->members.all()) all.push_back(st.member);
  return all;
}

Member Node::local_member() const {
  const Impl& s = *impl_;
  if (const MemberState* st = s.members.find(s.config.memberlist.name)) return st->member;
  Member m = s.member_from(s.core->self());
  m.status = MemberStatus::alive;
  return m;
}

const Tags& Node::tags() const { return impl_->config.tags; }

Counters Node::counters() const {
  const Impl& s = *impl_;
  Counters c = s.counters;
  c.intents_refused = s.intents.refused();
  for (const BroadcastQueue* q : {&s.intent_queue, &s.event_queue, &s.query_queue}) {
    c.broadcasts_dropped += q->dropped_for_bytes();
  }
  return c;
}

std::optional<Coordinate> Node::coordinate(const std::string& name) const {
  const Impl& s = *impl_;
  if (s.config.disable_coordinates) return std::nullopt;
  if (name == s.config.memberlist.name) return s.vivaldi.coordinate();
  auto it = s.coordinates.find(name);
  if (it == s.coordinates.end()) return std::nullopt;
  return it->second;
}

std::map<std::string, std::string> Node::stats() const {
  const Impl& s = *impl_;
  auto str = [](std::uint64_t v) { return std::to_string(v); };
  std::map<std::string, std::string> out{
      {"members", str(s.members.all().size())},
      {"failed", str(s.members.failed().size())},
      {"left", str(s.members.left().size())},
      {"health_score", str(static_cast<std::uint64_t>(std::max(0, s.core->health_score())))},
      {"member_time", str(s.clock.time())},
      {"event_time", str(s.event_clock.time())},
      {"query_time", str(s.query_clock.time())},
      {"intent_queue", str(s.intent_queue.size())},
      {"event_queue", str(s.event_queue.size())},
      {"query_queue", str(s.query_queue.size())},
      {"encrypted", "false"},
  };
  if (!s.config.disable_coordinates) {
    out.emplace("coordinate_resets", std::to_string(s.vivaldi.resets()));
  }
  return out;
}

}  // namespace serf
