// Membership rules of swim::Core (memberlist state.go aliveNode/suspectNode/deadNode/refute/
// mergeState/verifyProtocol, net.go packet dispatch; gossip-wire.md §7.4, §7.5, §10.2).
// Incarnation numbers order opinions about a node; a node refutes accusations about itself by
// outbidding them (SWIM §4.2).
#include <algorithm>
#include <type_traits>

#include "swim/core_impl.h"
#include "swim/formulas.h"
#include "swim/incarnation.h"
#include "wire/codec.h"

namespace swim {

using util::LogLevel;

namespace {
// The codec's form of an absent Vsn (a peer speaking protocol < 2): all six bytes zero.
bool no_vsn(const wire::Vsn& v) { return v == wire::Vsn{0, 0, 0, 0, 0, 0}; }
}  // namespace

void Core::Impl::handle_packet(const Address& from, util::ByteView bytes, util::Instant now,
                               Outbox& out) {
  auto decoded = wire::decode_packet(bytes);
  if (!decoded.ok()) {
    logf(LogLevel::debug, "Dropping packet: {} from={}", decoded.error().detail, to_string(from));
    return;
  }
  if (decoded->bad_parts > 0) {
    logf(LogLevel::debug, "Packet had {} undecodable messages from={}", decoded->bad_parts,
         to_string(from));
  }
  for (const auto& msg : decoded->messages) {
    std::visit(
        [&](const auto& m) {
          using T = std::decay_t<decltype(m)>;
          if constexpr (std::is_same_v<T, wire::Ping>) {
            handle_ping(m, from, out);
          } else if constexpr (std::is_same_v<T, wire::IndirectPing>) {
            handle_indirect_ping(m, from, now, out);
          } else if constexpr (std::is_same_v<T, wire::Ack>) {
            handle_ack(m, now, out);
          } else if constexpr (std::is_same_v<T, wire::Nack>) {
            handle_nack(m);
          } else if constexpr (std::is_same_v<T, wire::Suspect>) {
            if (m.node.empty()) {
              refuse(counters.malformed_suspect,
                     "Refusing suspect messages naming no node from={}", to_string(from));
            } else {
              suspect_node(m, now);
            }
          } else if constexpr (std::is_same_v<T, wire::Alive>) {
            if (!well_formed("alive messages", m.node, m.addr, counters.malformed_alive, from)) {
              return;
            }
            wire::Alive a = m;
            if (a.port == 0) a.port = cfg.advertise.port;  // protocol < 2 senders
            alive_node(a, false, now);
          } else if constexpr (std::is_same_v<T, wire::Dead>) {
            if (m.node.empty()) {
              refuse(counters.malformed_dead, "Refusing dead messages naming no node from={}",
                     to_string(from));
            } else {
              dead_node(m, now);
            }
          } else {
            static_assert(std::is_same_v<T, wire::UserMsg>);
            delegate.notify_msg(m.payload, now);
          }
        },
        msg);
  }
}

// A member needs a name and an address we can probe: memberlist accepts an alive without them
// and lists a member nobody can reach (`:1`, `?01010101010101:1`). `what` names the message
// kind for the one log line its counter gets.
bool Core::Impl::well_formed(const char* what, const std::string& node, const util::Bytes& ip,
                             std::uint64_t& counter, const Address& from) {
  if (!node.empty() && is_valid_ip(ip)) return true;
  refuse(counter,
         "Refusing {} with an empty node name or an address of neither 4 nor 16 bytes: "
         "node='{}' address_bytes={} from={}",
         what, node, ip.size(), to_string(from));
  return false;
}

// The record an alive message is about: a new one (state dead, so that accepting it reports a
// join), or the known one. Another address for a known name is a conflict (nullptr) unless the
// old record may give way (then `updates_node`): the node left; or it died longer than
// dead_node_reclaim ago (memberlist); or it is dead and the claimer outbids its death (shoal:
// a node restarted elsewhere under its name, as containers are, refutes its death at the new
// address; memberlist waits for the reap, 45-60 s at the LAN profile). A live record (alive
// or suspect) is never given away: the claimer is in conflict, and Serf's vote settles it.
Node* Core::Impl::alive_target(const wire::Alive& a, util::Instant now, bool& updates_node) {
  Node* state = members.find(a.node);
  const Address theirs{a.addr, a.port};
  if (state == nullptr) {
    if (members.size() >= limits::members_max) {
      refuse(counters.members_full,
             "Refusing new node {} from {}: the member table is full ({} nodes)", a.node,
             to_string(theirs), limits::members_max);
      return nullptr;
    }
    Node n;
    n.name = a.node;
    n.addr = theirs;
    n.meta = a.meta;
    n.vsn = a.vsn;
    n.state = State::dead;
    return &members.add(std::move(n), rng);
  }
  if (state->addr == theirs) return state;
  const bool can_reclaim = cfg.dead_node_reclaim > util::Duration::zero() &&
                           now - state->state_change > cfg.dead_node_reclaim;
  const bool dead = state->state == State::dead;
  const bool outbids = a.incarnation > state->incarnation;
  if (state->state == State::left || (dead && (can_reclaim || outbids))) {
    logf(LogLevel::info, "Updating address for left or failed node {} from {} to {}",
         state->name, to_string(state->addr), to_string(theirs));
    updates_node = true;
    return state;
  }
  if (dead) {  // nothing alive to protect: the claimer only has to refute the death it missed
    logf(LogLevel::info,
         "Failed node {} is claimed from {} (was {}) at incarnation {}, not above its death's {}",
         state->name, to_string(theirs), to_string(state->addr), a.incarnation,
         state->incarnation);
    return nullptr;
  }
  logf(LogLevel::err, "Conflicting address for {}. Mine: {} Theirs: {} Old state: {}",
       state->name, to_string(state->addr), to_string(theirs), state_name(state->state));
  Node other;
  other.name = a.node;
  other.addr = theirs;
  other.meta = a.meta;
  other.vsn = a.vsn;
  other.incarnation = a.incarnation;
  delegate.notify_conflict(*state, other, now);
  return nullptr;
}

void Core::Impl::alive_node(const wire::Alive& a, bool bootstrap, util::Instant now,
                            std::function<void()> on_finished) {
  // A queued alive about us must not undo a leave in progress.
  if (local.leaving && a.node == cfg.name) return;
  const bool has_vsn = !no_vsn(a.vsn);  // memberlist only checks a Vsn that was sent
  if (has_vsn && (a.vsn.pmin == 0 || a.vsn.pmax == 0 || a.vsn.pmin > a.vsn.pmax)) {
    logf(LogLevel::warn,
         "Ignoring an alive message for '{}' ({}) because protocol version(s) are wrong: "
         "{} <= {} <= {} should be >0",
         a.node, to_string(Address{a.addr, a.port}), a.vsn.pmin, a.vsn.pcur, a.vsn.pmax);
    return;
  }
  if (!believable(a.node, a.incarnation)) return;
  bool updates_node = false;
  Node* state = alive_target(a, now, updates_node);
  if (state == nullptr) return;

  const bool is_local = state->name == cfg.name;
  if (a.incarnation <= state->incarnation && !is_local && !updates_node) return;
  if (a.incarnation < state->incarnation && is_local) return;

  suspicions.erase(a.node);
  const State old_state = state->state;
  const util::Bytes old_meta = state->meta;

  if (!bootstrap && is_local) {
    // Same incarnation and same content is just our own alive coming back.
    if (a.incarnation == state->incarnation && a.meta == state->meta && a.vsn == state->vsn) {
      return;
    }
    if (!refute(*state, a.incarnation)) return;
    logf(LogLevel::warn, "Refuting an alive message for '{}' ({}) meta:({} VS {}), vsn:({} VS {})",
         a.node, to_string(Address{a.addr, a.port}), util::to_hex(a.meta),
         util::to_hex(state->meta), a.vsn.pcur, state->vsn.pcur);
  } else {
    queue_broadcast(a.node, wire::encode(a), std::move(on_finished));
    if (has_vsn) state->vsn = a.vsn;
    state->incarnation = a.incarnation;
    state->meta = a.meta;
    state->addr = Address{a.addr, a.port};
    if (state->state != State::alive) {
      state->state = State::alive;
      state->state_change = now;
    }
  }

  if (old_state == State::dead || old_state == State::left) {
    delegate.notify_join(*state, now);
  } else if (old_meta != state->meta) {
    delegate.notify_update(*state, now);
  }
}

void Core::Impl::suspect_node(const wire::Suspect& s, util::Instant now) {
  Node* state = members.find(s.node);
  if (state == nullptr || s.incarnation < state->incarnation) return;
  if (!believable(s.node, s.incarnation)) return;

  // An existing suspicion: count an independent confirmation, and re-gossip it if it was new.
  if (SuspicionTimers::Entry* timer = suspicions.find(s.node)) {
    if (timer->suspicion.confirm(s.from)) {
      queue_broadcast(s.node, wire::encode(s));
      const std::uint64_t gen = suspicions.renew(*timer);
      schedule(std::max(now, timer->suspicion.deadline()), {TimerKind::suspicion, gen, s.node});
    }
    return;
  }
  if (state->state != State::alive) return;
  if (state->name == cfg.name) {
    if (refute(*state, s.incarnation)) {
      logf(LogLevel::warn, "Refuting a suspect message (from: {})", s.from);
    }
    return;
  }
  queue_broadcast(s.node, wire::encode(s));
  state->incarnation = s.incarnation;
  state->state = State::suspect;
  state->state_change = now;

  // Expect SuspicionMult - 2 confirmations, none if the cluster is too small to give them.
  const int n = num_nodes();
  int k = cfg.suspicion_mult - 2;
  if (n - 2 < k) k = 0;
  const util::Duration min = suspicion_timeout(cfg.suspicion_mult, n, cfg.probe_interval);
  const util::Duration max = cfg.suspicion_max_timeout_mult * min;
  Suspicion suspicion(s.from, k, min, max, now);
  const util::Instant deadline = suspicion.deadline();
  const std::uint64_t gen = suspicions.start(s.node, std::move(suspicion), now);
  schedule(deadline, {TimerKind::suspicion, gen, s.node});
}

void Core::Impl::on_suspicion_timeout(const std::string& name, std::uint64_t gen,
                                      util::Instant now) {
  if (!suspicions.live(name, gen)) return;
  const SuspicionTimers::Entry* timer = suspicions.find(name);
  const int confirmations = timer->suspicion.confirmations();
  const util::Instant change_time = timer->change_time;
  suspicions.erase(name);
  Node* state = members.find(name);
  if (state == nullptr || state->state != State::suspect || state->state_change != change_time) {
    return;
  }
  logf(LogLevel::info, "Marking {} as failed, suspect timeout reached ({} peer confirmations)",
       name, confirmations);
  dead_node(wire::Dead{state->incarnation, name, cfg.name}, now);
}

void Core::Impl::dead_node(const wire::Dead& d, util::Instant now) {
  Node* state = members.find(d.node);
  if (state == nullptr || d.incarnation < state->incarnation) return;
  if (!believable(d.node, d.incarnation)) return;
  suspicions.erase(d.node);
  if (state->state == State::dead || state->state == State::left) return;

  if (state->name == cfg.name) {
    if (!local.leaving) {
      if (refute(*state, d.incarnation)) {
        logf(LogLevel::warn, "Refuting a dead message (from: {})", d.from);
      }
      return;
    }
    queue_broadcast(d.node, wire::encode(d), [this] { local.leave_broadcast_done = true; });
  } else {
    queue_broadcast(d.node, wire::encode(d));
  }
  state->incarnation = d.incarnation;
  // A node announcing its own death is leaving gracefully.
  state->state = d.node == d.from ? State::left : State::dead;
  state->state_change = now;
  delegate.notify_leave(*state, now);
}

// swim/incarnation.h rules 1 and 2: a message about a node we know may raise its incarnation
// by at most the window, measured for us from our own (except while catching up on a join).
bool Core::Impl::believable(const std::string& node, std::uint32_t claimed) {
  const Node* known = members.find(node);
  if (known == nullptr || believable_incarnation(known->incarnation, claimed)) return true;
  if (local.catching_up && node == cfg.name) return true;
  refuse(counters.implausible_incarnation,
         "Ignoring a message that raises the incarnation of {} from {} to {}, more than {} at "
         "once: forged or hopelessly stale",
         node, known->incarnation, claimed, limits::incarnation_jump_max);
  return false;
}

// Outbids an accusation (SWIM §4.2); false if only a wrap to 0 would (rule 3).
bool Core::Impl::refute(Node& me, std::uint32_t accused) {
  const std::optional<std::uint32_t> next = refuting_incarnation(local.incarnation, accused);
  if (!next) {
    refuse(counters.unrefutable_accusation,
           "Cannot refute an accusation at incarnation {}: it would wrap to 0", accused);
    return false;
  }
  const std::uint32_t inc = local.incarnation = *next;
  me.incarnation = inc;
  awareness.apply_delta(1);  // being accused hints that we are the slow one (Lifeguard)
  const wire::Alive a{inc, me.name, me.addr.ip, me.addr.port, me.meta, me.vsn};
  // memberlist keys this broadcast by our address string, not our name; kept for fidelity.
  queue_broadcast(ip_string(me.addr.ip), wire::encode(a));
  return true;
}

// A push/pull may list at most as many nodes as our table can hold: more cannot be a real
// cluster, and merging them would cost a pass over all of them first.
util::Status Core::Impl::verify_push_pull(const wire::PushPull& remote) {
  if (remote.nodes.size() > limits::members_max) {
    ++counters.oversized_push_pull;
    return util::Error{util::Errc::too_large,
                       fmt::format("push/pull lists {} nodes, more than the {} we keep",
                                   remote.nodes.size(), limits::members_max)};
  }
  return verify_protocol(remote.nodes);
}

util::Status Core::Impl::verify_protocol(const std::vector<wire::PushNodeState>& remote) const {
  std::uint8_t maxpmin = 0, minpmax = 255, maxdmin = 0, mindmax = 255;
  auto widen = [&](const wire::Vsn& v) {
    maxpmin = std::max(maxpmin, v.pmin);
    minpmax = std::min(minpmax, v.pmax);
    maxdmin = std::max(maxdmin, v.dmin);
    mindmax = std::min(mindmax, v.dmax);
  };
  // Malformed node states are skipped by merge_state, so they do not take part here either.
  auto ignored = [](const wire::PushNodeState& r) {
    return r.name.empty() || !is_valid_ip(r.addr);
  };
  for (const auto& r : remote) {
    if (r.state == wire::NodeState::alive && !no_vsn(r.vsn) && !ignored(r)) widen(r.vsn);
  }
  for (std::size_t i = 0; i < members.size(); ++i) {
    if (members.at(i).state == State::alive) widen(members.at(i).vsn);
  }
  auto check = [&](const std::string& name, const wire::Vsn& v) -> util::Status {
    if (v.pcur < maxpmin || v.pcur > minpmax) {
      return util::Error{util::Errc::unsupported,
                         fmt::format("Node '{}' protocol version ({}) is incompatible: [{}, {}]",
                                     name, v.pcur, maxpmin, minpmax)};
    }
    if (v.dcur < maxdmin || v.dcur > mindmax) {
      return util::Error{
          util::Errc::unsupported,
          fmt::format("Node '{}' delegate protocol version ({}) is incompatible: [{}, {}]", name,
                      v.dcur, maxdmin, mindmax)};
    }
    return {};
  };
  for (const auto& r : remote) {
    if (ignored(r)) continue;
    if (auto st = check(r.name, r.vsn); !st.ok()) return st;
  }
  for (std::size_t i = 0; i < members.size(); ++i) {
    if (auto st = check(members.at(i).name, members.at(i).vsn); !st.ok()) return st;
  }
  return {};
}

// A remote "dead" only makes us suspect; "left" is believed (it came from the node itself).
void Core::Impl::merge_state(const std::vector<wire::PushNodeState>& remote,
                             const Address& from, util::Instant now) {
  for (const auto& r : remote) {
    if (!well_formed("push/pull node states", r.name, r.addr, counters.malformed_push_node,
                     from)) {
      continue;
    }
    switch (r.state) {
      case wire::NodeState::alive: {
        const std::uint16_t port = r.port != 0 ? r.port : cfg.advertise.port;
        alive_node(wire::Alive{r.incarnation, r.name, r.addr, port, r.meta, r.vsn}, false, now);
        break;
      }
      case wire::NodeState::left:
        dead_node(wire::Dead{r.incarnation, r.name, r.name}, now);
        break;
      case wire::NodeState::dead:
      case wire::NodeState::suspect:
        suspect_node(wire::Suspect{r.incarnation, r.name, cfg.name}, now);
        break;
    }
  }
}

}  // namespace swim
