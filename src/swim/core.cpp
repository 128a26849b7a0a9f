// swim::Core: construction, the timer dispatch, the periodic gossip and push/pull rounds, and
// the public operations (meta update, leave). Protocol steps live in probe.cpp, state.cpp,
// streams.cpp and send.cpp (see core_impl.h).
#include "swim/core.h"

#include "swim/core_impl.h"
#include "swim/formulas.h"
#include "swim/limits.h"
#include "wire/codec.h"

namespace swim {

using util::LogLevel;

Core::Impl::Impl(Config config, Delegate& d, util::Logger& l, util::Rng r)
    : cfg(std::move(config)),
      delegate(d),
      log(l),
      rng(r),
      broadcasts(cfg.retransmit_mult + cfg.membership_retransmit_boost),
      awareness(cfg.awareness_max_multiplier) {}

// memberlist setAlive + schedule: our own alive (incarnation 1) is queued for gossip and the
// tickers start with a random stagger so that nodes started together do not move in lockstep.
void Core::Impl::start(util::Instant now) {
  util::Bytes meta = delegate.node_meta(limits::node_meta_bytes_max);
  if (meta.size() > limits::node_meta_bytes_max) {
    logf(LogLevel::err, "Node meta data provided is longer than the limit");
    meta.clear();
  }
  wire::Alive a{++local.incarnation, cfg.name, cfg.advertise.ip, cfg.advertise.port,
                std::move(meta), cfg.vsn};
  alive_node(a, true, now);

  auto stagger = [&](util::Duration interval) {
    return util::Duration(static_cast<std::int64_t>(
        rng.below(static_cast<std::uint64_t>(interval.count()))));
  };
  if (cfg.probe_interval > util::Duration::zero()) {
    schedule(now + stagger(cfg.probe_interval), {TimerKind::probe_tick, 0, {}});
  }
  if (cfg.gossip_interval > util::Duration::zero() && cfg.gossip_nodes > 0) {
    schedule(now + stagger(cfg.gossip_interval), {TimerKind::gossip_tick, 0, {}});
  }
  if (cfg.push_pull_interval > util::Duration::zero()) {
    const auto first = stagger(cfg.push_pull_interval) +
                       push_pull_scale(cfg.push_pull_interval, num_nodes());
    schedule(now + first, {TimerKind::push_pull_tick, 0, {}});
  }
}

void Core::Impl::dispatch(const Timer& t, util::Instant now, Outbox& out) {
  const auto seq = static_cast<std::uint32_t>(t.gen);
  switch (t.kind) {
    case TimerKind::probe_tick: probe_tick(now, out); break;
    case TimerKind::probe_timeout: on_probe_timeout(seq, now, out); break;
    case TimerKind::probe_end: on_probe_end(seq, now, out); break;
    case TimerKind::gossip_tick: gossip_tick(now, out); break;
    case TimerKind::push_pull_tick: push_pull_tick(now, out); break;
    case TimerKind::suspicion: on_suspicion_timeout(t.name, t.gen, now); break;
    case TimerKind::indirect_timeout: on_indirect_timeout(seq, out); break;
  }
}

// Every timer goes through here. Entries are never cancelled, so a peer that makes us start
// and drop suspicions or relays quickly would leave stale ones behind for up to a suspicion
// timeout; they are dropped in bulk once they outnumber the live ones (limits::timers_slack).
void Core::Impl::schedule(util::Instant at, Timer timer) {
  deadlines.push(at, std::move(timer));
  // Live: 3 tickers, the 2 timers of a probe, suspicions and relays.
  const std::size_t live = 5 + suspicions.size() + prober.relays.size();
  if (deadlines.size() > 2 * live + limits::timers_slack) {
    deadlines.remove_if([this](const Timer& t) { return timer_is_stale(t); });
  }
}

// Whether dispatch() would ignore `t` (see each handler's generation check).
bool Core::Impl::timer_is_stale(const Timer& t) const {
  const auto seq = static_cast<std::uint32_t>(t.gen);
  switch (t.kind) {
    case TimerKind::probe_tick:
    case TimerKind::gossip_tick:
    case TimerKind::push_pull_tick: return false;
    case TimerKind::probe_timeout:
    case TimerKind::probe_end: return prober.running(seq) == nullptr;
    case TimerKind::suspicion: return !suspicions.live(t.name, t.gen);
    case TimerKind::indirect_timeout: return prober.relays.count(seq) == 0;
  }
  return false;
}

void Core::Impl::gossip_tick(util::Instant now, Outbox& out) {
  schedule(now + cfg.gossip_interval, {TimerKind::gossip_tick, 0, {}});
  gossip(now, out);
}

// Anti-entropy with one random alive peer; the next round is scaled by the cluster size.
void Core::Impl::push_pull_tick(util::Instant now, Outbox& out) {
  schedule(now + push_pull_scale(cfg.push_pull_interval, num_nodes()),
                 {TimerKind::push_pull_tick, 0, {}});
  auto peers = members.k_random(1, rng, [&](const Node& n) {
    return n.name == cfg.name || n.state != State::alive;
  });
  if (peers.empty()) return;
  PendingStream call;
  call.purpose = StreamPurpose::push_pull;
  call.to = peers[0]->addr;
  call.node = peers[0]->name;
  start_push_pull(std::move(call), false, now, out);
}

bool Core::Impl::any_alive_peer() const {
  for (const auto& [name, node] : members.by_name()) {
    if (name != cfg.name && (node->state == State::alive || node->state == State::suspect)) {
      return true;
    }
  }
  return false;
}

// --- Core -------------------------------------------------------------------------------

Core::Core(Config config, Delegate& delegate, util::Logger& log, util::Rng rng,
           util::Instant now)
    : impl_(std::make_unique<Impl>(std::move(config), delegate, log, rng)) {
  impl_->start(now);
}

Core::~Core() = default;

JoinId Core::join(std::span<const Address> seeds, util::Instant now, Outbox& out) {
  return impl_->join(seeds, now, out);
}

void Core::on_packet(const Address& from, util::ByteView bytes, util::Instant now, Outbox& out) {
  impl_->handle_packet(from, bytes, now, out);
}

void Core::on_stream_reply(StreamId id, util::Result<util::Bytes> reply, util::Instant now,
                           Outbox& out) {
  impl_->on_stream_reply(id, std::move(reply), now, out);
}

void Core::on_stream_request(StreamId id, const Address& from, util::ByteView bytes,
                             util::Instant now, Outbox& out) {
  impl_->on_stream_request(id, from, bytes, now, out);
}

void Core::on_tick(util::Instant now, Outbox& out) {
  while (impl_->deadlines.due(now)) impl_->dispatch(impl_->deadlines.pop(), now, out);
}

util::Instant Core::next_deadline() const { return impl_->deadlines.next(); }

void Core::update_meta(util::Instant now, Outbox& /*out*/) {
  Impl& m = *impl_;
  util::Bytes meta = m.delegate.node_meta(limits::node_meta_bytes_max);
  if (meta.size() > limits::node_meta_bytes_max) {
    m.logf(LogLevel::err, "Node meta data provided is longer than the limit");
    return;
  }
  if (m.local.incarnation == UINT32_MAX) {  // swim/incarnation.h rule 3: never wrap to 0
    ++m.counters.unrefutable_accusation;
    m.logf(LogLevel::err, "Cannot update node meta: incarnation {} is the highest",
           m.local.incarnation);
    return;
  }
  const Node& me = self();
  wire::Alive a{++m.local.incarnation, me.name, me.addr.ip, me.addr.port, std::move(meta),
                m.cfg.vsn};
  m.alive_node(a, true, now);
}

void Core::leave(util::Instant now, Outbox& /*out*/) {
  Impl& m = *impl_;
  if (m.local.leaving) return;
  m.local.leaving = true;
  const Node& me = self();
  m.dead_node(wire::Dead{me.incarnation, me.name, me.name}, now);
}

bool Core::leave_done() const {
  return impl_->local.leaving && (impl_->local.leave_broadcast_done || !impl_->any_alive_peer());
}

void Core::send_user_packet(const Address& to, util::ByteView msg, Outbox& out) {
  const util::Bytes bytes = wire::encode(wire::UserMsg{util::Bytes(msg.begin(), msg.end())});
  impl_->raw_send(to, nullptr, bytes, out);
}

const Node& Core::self() const {
  const Node* me = impl_->members.find(impl_->cfg.name);
  ASSERT(me != nullptr);
  return *me;
}

const Node* Core::find(const std::string& name) const { return impl_->members.find(name); }

std::vector<const Node*> Core::nodes() const {
  std::vector<const Node*> out;
  out.reserve(impl_->members.size());
  for (const auto& [name, node] : impl_->members.by_name()) out.push_back(node);
  return out;
}

int Core::num_alive() const {
  int n = 0;
  for (const auto& [name, node] : impl_->members.by_name()) {
    if (node->state == State::alive || node->state == State::suspect) ++n;
  }
  return n;
}

int Core::estimate_num_nodes() const { return impl_->num_nodes(); }

int Core::health_score() const { return impl_->awareness.score(); }

const Counters& Core::counters() const { return impl_->counters; }

Footprint Core::footprint() const {
  const Impl& m = *impl_;
  return Footprint{m.members.size(), m.suspicions.size(), m.prober.relays.size(), m.calls.size(),
                   m.broadcasts.size(),  m.deadlines.size()};
}

}  // namespace swim
