// serf::Node as memberlist's delegate for membership: node meta (tags), memberlist's
// join/leave/update notifications, join/leave intents, the push/pull user state and the
// broadcast queues handed to memberlist, and the ping delegate: our Vivaldi coordinate in
// acks, peers' coordinates from them (gossip-wire.md §9.3, §9.4, §9.7, §9.9).
#include <algorithm>

#include "serf/node_impl.h"
#include "wire/serf_codec.h"

namespace serf {

namespace ws = wire::serf;

util::Bytes Node::Impl::node_meta(std::size_t limit) {
  // Tags were validated against the 512-byte Meta limit when set; a smaller limit from
  // memberlist is not expected, but never hand out more than it allows.
  if (meta.size() > limit) return {};
  return meta;
}

std::vector<util::Bytes> Node::Impl::get_broadcasts(std::size_t overhead, std::size_t limit) {
  std::vector<util::Bytes> msgs = intent_queue.take(overhead, limit, transmit_limit(true));
  const int tl = transmit_limit(false);
  std::size_t used = 0;
  for (const auto& m : msgs) used += m.size() + overhead;
  for (BroadcastQueue* q : {&query_queue, &event_queue}) {
    if (used >= limit) break;
    for (auto& m : q->take(overhead, limit - used, tl)) {
      used += m.size() + overhead;
      msgs.push_back(std::move(m));
    }
  }
  return msgs;
}

// --- memberlist notifications ----------------------------------------------------------------

void Node::Impl::log_member_event(MemberEventType type, const Member& m) {
  const char* word = "EventMemberJoin";
  switch (type) {
    case MemberEventType::join: word = "EventMemberJoin"; break;
    case MemberEventType::leave: word = "EventMemberLeave"; break;
    case MemberEventType::failed: word = "EventMemberFailed"; break;
    case MemberEventType::update: word = "EventMemberUpdate"; break;
    case MemberEventType::reap: word = "EventMemberReap"; break;
  }
  if (type == MemberEventType::update) {
    log.log(util::LogLevel::info, "serf", "{}: {}", word, m.name);
  } else {
    log.log(util::LogLevel::info, "serf", "{}: {} {}", word, m.name, swim::ip_string(m.addr.ip));
  }
}

void Node::Impl::notify_join(const swim::Node& node, util::Instant) {
  const Member& m = members.on_node_join(member_from(node), intents);
  log_member_event(MemberEventType::join, m);
  emit(MemberEvent{MemberEventType::join, {m}});
}

void Node::Impl::notify_leave(const swim::Node& node, util::Instant now) {
  auto type = members.on_node_leave(node.name, now);
  if (!type) {
    if (members.find(node.name)) {
      log.log(util::LogLevel::warn, "serf", "Bad state when leave: {}",
              status_name(members.find(node.name)->member.status));
    }
    return;
  }
  const Member& m = members.find(node.name)->member;
  log_member_event(*type, m);
  emit(MemberEvent{*type, {m}});
}

void Node::Impl::notify_update(const swim::Node& node, util::Instant) {
  const Member* m = members.on_node_update(member_from(node));
  if (!m) return;
  log_member_event(MemberEventType::update, *m);
  emit(MemberEvent{MemberEventType::update, {*m}});
}

// --- intents ---------------------------------------------------------------------------------

bool Node::Impl::handle_join_intent(const ws::Join& m, util::Instant now) {
  clock.witness(m.ltime);
  return members.on_join_intent(m.node, m.ltime, now, intents);
}

bool Node::Impl::handle_leave_intent(const ws::Leave& m, util::Instant now) {
  clock.witness(m.ltime);
  const bool self_running = m.node == config.memberlist.name && running();
  auto outcome = members.on_leave_intent(m.node, m.ltime, m.prune, self_running, now, intents);
  if (outcome.refute) {
    log.log(util::LogLevel::debug, "serf", "Refuting an older leave intent");
    broadcast_join(clock.time(), now);
    return false;
  }
  if (outcome.forced_leave) {
    const Member& mem = members.find(m.node)->member;
    log.log(util::LogLevel::info, "serf", "EventMemberLeave (forced): {} {}", mem.name,
            swim::ip_string(mem.addr.ip));
    emit(MemberEvent{MemberEventType::leave, {mem}});
  }
  if (outcome.prune == Prune::now) {
    erase_member(m.node, true);
  } else if (outcome.prune == Prune::after_delay) {
    // Serf waits for a leaving node to finish its own leave before erasing it.
    prune_at[m.node] = now + config.broadcast_timeout + config.leave_propagate_delay;
  }
  return outcome.rebroadcast;
}

void Node::Impl::broadcast_join(LamportTime ltime, util::Instant now) {
  const ws::Join msg{ltime, config.memberlist.name};
  clock.witness(ltime);
  handle_join_intent(msg, now);
  intent_queue.push(ws::encode(msg));
}

void Node::Impl::erase_member(const std::string& name, bool forced) {
  auto m = members.erase(name);
  if (!m) return;
  vivaldi.forget(name);
  coordinates.erase(name);
  if (forced) {
    log.log(util::LogLevel::info, "serf", "EventMemberReap (forced): {} {}", m->name,
            swim::ip_string(m->addr.ip));
  }
  emit(MemberEvent{MemberEventType::reap, {std::move(*m)}});
}

// --- push/pull -------------------------------------------------------------------------------

util::Bytes Node::Impl::local_state(bool) {
  ws::PushPull pp;
  pp.ltime = clock.time();
  pp.event_ltime = event_clock.time();
  pp.query_ltime = query_clock.time();
  for (const auto& [name, st] : members.all()) pp.status_ltimes[name] = st.status_ltime;
  pp.left_members = members.left();
  // Go sends every slot, nil ones included; only the used ones are shorter and Go reads them.
  for (const auto& slot : event_ring.slots()) {
    if (slot) pp.events.push_back(slot);
  }
  return ws::encode(pp);
}

void Node::Impl::merge_remote_state(util::ByteView state, bool join, util::Instant now) {
  auto decoded = ws::decode(state);
  if (!decoded.ok()) {
    log.log(util::LogLevel::err, "serf", "Failed to decode remote state: {}",
            decoded.error().detail);
    return;
  }
  const auto* pp = std::get_if<ws::PushPull>(&*decoded);
  if (!pp) {
    log.log(util::LogLevel::err, "serf", "Remote state has bad type prefix: {}",
            state.empty() ? 0 : state[0]);
    return;
  }
  // The remote clocks have not been used yet: witness one less.
  if (pp->ltime > 0) clock.witness(pp->ltime - 1);
  if (pp->event_ltime > 0) event_clock.witness(pp->event_ltime - 1);
  if (pp->query_ltime > 0) query_clock.witness(pp->query_ltime - 1);

  for (const auto& name : pp->left_members) {
    auto it = pp->status_ltimes.find(name);
    const LamportTime lt = (it == pp->status_ltimes.end() ? 0 : it->second) + 1;
    handle_leave_intent(ws::Leave{lt, name, false}, now);
  }
  for (const auto& [name, lt] : pp->status_ltimes) {
    if (std::find(pp->left_members.begin(), pp->left_members.end(), name) !=
        pp->left_members.end()) {
      continue;
    }
    handle_join_intent(ws::Join{lt, name}, now);
  }
  if (join && ignoring_old > 0 && pp->event_ltime > event_min_time) {
    event_min_time = pp->event_ltime;
  }
  for (const auto& slot : pp->events) {
    if (!slot) continue;
    for (const auto& e : slot->events) {
      handle_user_event(ws::UserEvent{slot->ltime, e.name, e.payload, false});
    }
  }
}

// --- conflicts and coordinates ---------------------------------------------------------------

void Node::Impl::notify_conflict(const swim::Node& existing, const swim::Node& other,
                                 util::Instant now) {
  if (existing.name != config.memberlist.name) {
    log.log(util::LogLevel::warn, "serf", "Name conflict for '{}' both {} and {} are claiming",
            existing.name, swim::to_string(existing.addr), swim::to_string(other.addr));
    return;
  }
  log.log(util::LogLevel::err, "serf",
          "Node name conflicts with another node at {}. Names must be unique! "
          "(Resolution enabled: {})",
          swim::to_string(other.addr), config.enable_name_conflict_resolution);
  if (!config.enable_name_conflict_resolution || !out_) return;
  // One vote at a time: a conflict reported again while ours is open adds nothing.
  for (const auto& [lt, q] : open_queries) {
    if (q.conflict_vote) return;
  }
  auto started = start_query("_serf_conflict", util::as_bytes(config.memberlist.name),
                             QueryParams{}, true, now);
  if (!started.ok()) {
    log.log(util::LogLevel::err, "serf", "Failed to start name resolution query: {}",
            started.error().detail);
  }
}

util::Bytes Node::Impl::ack_payload() {
  if (config.disable_coordinates) return {};
  return ws::encode_ping_payload(vivaldi.coordinate());
}

void Node::Impl::notify_ping_complete(const swim::Node& node, util::Duration rtt,
                                      util::ByteView payload) {
  // Only members' coordinates are kept: erase_member and reap forget them with the member.
  if (config.disable_coordinates || payload.empty() || !members.find(node.name)) return;
  auto other = ws::decode_ping_payload(payload);
  if (!other.ok()) {
    log.log(util::LogLevel::err, "serf", "Failed to decode coordinate from ping: {}",
            other.error().detail);
    return;
  }
  if (auto st = vivaldi.update(node.name, *other, rtt, rng); !st.ok()) {
    log.log(util::LogLevel::trace, "serf", "Rejected coordinate from {}: {}", node.name,
            st.error().detail);
    return;
  }
  coordinates[node.name] = *other;
}

}  // namespace serf
