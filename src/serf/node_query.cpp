// serf::Node's user messages: dispatch of Serf messages from memberlist, user events, queries
// (filters, acks, responses, relays) and the internal _serf_ queries (gossip-wire.md §9.5,
// §9.6, §9.10, §9.11). Re-broadcasts are byte-identical copies of what we received.
#include <cmath>

#include "serf/node_impl.h"
#include "serf/query_filter.h"
#include "wire/serf_codec.h"

namespace serf {

namespace ws = wire::serf;

namespace {

constexpr std::string_view internal_prefix = "_serf_";


// What we know of `member` for a _serf_conflict vote (06 c0 when we do not know it).
util::Bytes encode_conflict_answer(const MemberState* st) {
  ws::ConflictResponse r;
  if (st) {
    const Member& m = st->member;
    r.member = ws::Member{m.name,         m.addr.ip,      m.addr.port,    m.tags,
                          m.status,       m.protocol_min, m.protocol_max, m.protocol_cur,
                          m.delegate_min, m.delegate_max, m.delegate_cur};
  }
  return ws::encode(r);
}

util::Bytes encode_key_answer(const std::string& message) {
  ws::KeyResponse r;
  r.result = false;
  r.message = message;
  return ws::encode(r);
}

}  // namespace

void Node::Impl::notify_msg(util::ByteView msg, util::Instant now) {
  if (msg.empty()) return;
  auto decoded = ws::decode(msg);
  if (!decoded.ok()) {
    log.log(util::LogLevel::err, "serf", "Error decoding message type {}: {}", msg[0],
            decoded.error().detail);
    return;
  }
  BroadcastQueue* queue = nullptr;
  bool rebroadcast = false;
  if (auto* leave = std::get_if<ws::Leave>(&*decoded)) {
    log.log(util::LogLevel::debug, "serf", "messageLeaveType: {}", leave->node);
    rebroadcast = handle_leave_intent(*leave, now);
    queue = &intent_queue;
  } else if (auto* join = std::get_if<ws::Join>(&*decoded)) {
    log.log(util::LogLevel::debug, "serf", "messageJoinType: {}", join->node);
    rebroadcast = handle_join_intent(*join, now);
    queue = &intent_queue;
  } else if (auto* ev = std::get_if<ws::UserEvent>(&*decoded)) {
    log.log(util::LogLevel::debug, "serf", "messageUserEventType: {}", ev->name);
    rebroadcast = handle_user_event(*ev);
    queue = &event_queue;
  } else if (auto* q = std::get_if<ws::Query>(&*decoded)) {
    log.log(util::LogLevel::debug, "serf", "messageQueryType: {}", q->name);
    rebroadcast = handle_query(*q, now);
    queue = &query_queue;
  } else if (auto* resp = std::get_if<ws::QueryResponse>(&*decoded)) {
    log.log(util::LogLevel::debug, "serf", "messageQueryResponseType: {}", resp->from);
    handle_query_response(*resp);
  } else if (auto* relay = std::get_if<ws::Relay>(&*decoded)) {
    handle_relay(*relay);
  } else {
    log.log(util::LogLevel::warn, "serf", "Received message of unknown type: {}", msg[0]);
  }
  if (rebroadcast && queue) queue->push(util::Bytes(msg.begin(), msg.end()));
}

// --- user events -----------------------------------------------------------------------------

bool Node::Impl::handle_user_event(const ws::UserEvent& m) {
  if (m.name.size() + m.payload.size() > limits::user_event_bytes_max) {
    ++counters.events_refused;
    log.log(util::LogLevel::debug, "serf", "dropping event of {} bytes (over Serf's {})",
            m.name.size() + m.payload.size(), limits::user_event_bytes_max);
    return false;
  }
  event_clock.witness(m.ltime);
  const Admission a = event_ring.admit(m.ltime, event_clock.time(), event_min_time, m.name,
                                       m.payload);
  if (a == Admission::too_old) {
    log.log(util::LogLevel::warn, "serf", "received old event {} from time {} (current: {})",
            m.name, m.ltime, event_clock.time());
  }
  if (a == Admission::full) {
    ++counters.events_refused;
    log.log(util::LogLevel::debug, "serf", "event ring full at time {}: dropping event {}",
            m.ltime, m.name);
  }
  if (a != Admission::accepted) return false;
  emit(UserEvent{m.ltime, m.name, m.payload, m.cc});
  return true;
}

// --- queries received ------------------------------------------------------------------------

bool Node::Impl::should_process(const std::vector<util::Bytes>& filters) {
  const FilterVerdict v = query_applies(filters, config.memberlist.name, config.tags);
  if (v.warning.empty()) return v.applies;
  ++counters.filters_unusable;
  if (auto held_back = filter_warnings.admit(now_)) {
    log.log(util::LogLevel::warn, "serf", "{} ({} more unusable filters since the last warning)",
            v.warning, *held_back);
  }
  return v.applies;
}

bool Node::Impl::handle_query(const ws::Query& q, util::Instant now) {
  query_clock.witness(q.ltime);
  const Admission a = query_ring.admit(q.ltime, query_clock.time(), query_min_time, q.id);
  if (a == Admission::too_old) {
    log.log(util::LogLevel::warn, "serf", "received old query {} from time {} (current: {})",
            q.name, q.ltime, query_clock.time());
  }
  if (a == Admission::full) {
    ++counters.queries_refused;
    log.log(util::LogLevel::debug, "serf", "too many queries at time {}: dropping query {}",
            q.ltime, q.name);
  }
  if (a != Admission::accepted) return false;
  // First sight: pass it on even when the filters exclude us.
  const bool rebroadcast = (q.flags & ws::query_flag_no_broadcast) == 0;
  if (!should_process(q.filters)) return rebroadcast;

  const PendingQuery pq = bounded_query(q, now);
  if (q.flags & ws::query_flag_ack) {
    const util::Bytes raw = ws::encode(
        ws::QueryResponse{q.ltime, q.id, config.memberlist.name, ws::query_response_flag_ack, {}});
    send_serf(pq.addr, raw);
    relay_response(pq.relay_factor, pq.addr, pq.source_node, raw);
  }
  if (q.name.rfind(internal_prefix, 0) == 0) {
    answer_internal(pq, q.name, q.payload, now);
    return rebroadcast;
  }
  const std::uint64_t handle = ++next_handle;
  if (pending.add(handle, pq)) {
    ++counters.pending_queries_dropped;
    log.log(util::LogLevel::debug, "serf", "{} queries unanswered: forgot the oldest",
            limits::pending_queries_max);
  }
  emit(QueryEvent{handle, q.ltime, q.name, q.payload, pq.deadline});
  return rebroadcast;
}

PendingQuery Node::Impl::bounded_query(const ws::Query& q, util::Instant now) {
  const util::Duration timeout = inbound_query_timeout(q.timeout_ns);
  if (q.timeout_ns > std::chrono::nanoseconds(limits::inbound_query_timeout_max).count()) {
    ++counters.query_timeouts_clamped;
  }
  if (q.relay_factor > limits::relay_factor_max) ++counters.relay_factors_clamped;
  return PendingQuery{q.ltime,
                      q.id,
                      swim::Address{q.addr, q.port},
                      q.source_node,
                      q.relay_factor,
                      now + timeout};
}

void Node::Impl::answer_internal(const PendingQuery& q, const std::string& name,
                                 util::ByteView payload, util::Instant now) {
  const std::string op = name.substr(internal_prefix.size());
  util::Bytes answer;
  if (op == "ping") {
    return;  // the ack was the answer
  } else if (op == "conflict") {
    const std::string node(util::as_chars(payload));
    if (node == config.memberlist.name) return;  // nodes do not vote about themselves
    log.log(util::LogLevel::debug, "serf", "Got conflict resolution query for '{}'", node);
    answer = encode_conflict_answer(members.find(node));
  } else if (op == "install-key" || op == "use-key" || op == "remove-key") {
    log.log(util::LogLevel::err, "serf", "No keyring to modify (encryption not enabled)");
    answer = encode_key_answer("No keyring to modify (encryption not enabled)");
  } else if (op == "list-keys") {
    log.log(util::LogLevel::err, "serf", "Keyring is empty (encryption not enabled)");
    answer = encode_key_answer("Keyring is empty (encryption not enabled)");
  } else {
    log.log(util::LogLevel::warn, "serf", "Unhandled internal query '{}'", op);
    return;
  }
  const ws::QueryResponse resp{q.ltime, q.id, config.memberlist.name, 0, std::move(answer)};
  if (auto st = send_response(q, resp, now); !st.ok()) {
    log.log(util::LogLevel::err, "serf", "Failed to respond to {} query: {}", op,
            st.error().detail);
  }
}

util::Status Node::Impl::send_response(const PendingQuery& q, const ws::QueryResponse& resp,
                                       util::Instant now) {
  const util::Bytes raw = ws::encode(resp);
  if (raw.size() > config.query_response_size_limit) {
    return {util::Errc::too_large, fmt::format("response exceeds limit of {} bytes",
                                               config.query_response_size_limit)};
  }
  if (now > q.deadline) return {util::Errc::timeout, "response is past the deadline"};
  send_serf(q.addr, raw);
  relay_response(q.relay_factor, q.addr, q.source_node, raw);
  return {};
}

void Node::Impl::relay_response(std::uint8_t relay_factor, const swim::Address& dest,
                                const std::string& dest_name, util::ByteView serf_bytes) {
  if (relay_factor == 0) return;
  const auto& all = members.all();
  if (all.size() < static_cast<std::size_t>(relay_factor) + 1) return;
  const util::Bytes raw =
      ws::encode_relay(ws::RelayHeader{dest.ip, dest.port, "", dest_name}, serf_bytes);
  if (raw.size() > config.query_response_size_limit) {
    log.log(util::LogLevel::err, "serf", "relayed response exceeds limit of {} bytes",
            config.query_response_size_limit);
    return;
  }
  std::vector<const Member*> candidates;
  for (const auto& [name, st] : all) {
    const Member& m = st.member;
    if (m.status == MemberStatus::alive && m.protocol_max >= 5 &&
        name != config.memberlist.name) {
      candidates.push_back(&m);
    }
  }
  rng.shuffle(candidates);
  // Serf's "enough members" check above uses the factor asked for; the copies are capped.
  const std::size_t copies = std::min(relay_factor, limits::relay_factor_max);
  if (candidates.size() > copies) candidates.resize(copies);
  for (const Member* m : candidates) send_serf(m->addr, raw);
}

void Node::Impl::handle_relay(const ws::Relay& r) {
  const swim::Address dest{r.header.dest_ip, r.header.dest_port};
  log.log(util::LogLevel::debug, "serf", "Relaying response to addr: {}", swim::to_string(dest));
  send_serf(dest, r.inner);
}

// --- queries we originate --------------------------------------------------------------------

util::Duration Node::Impl::default_query_timeout() const {
  const int n = core ? core->num_alive() : 1;
  const auto scale = static_cast<int>(std::ceil(std::log10(static_cast<double>(n) + 1.0)));
  return config.memberlist.gossip_interval * config.query_timeout_mult * scale;
}

util::Result<std::uint64_t> Node::Impl::start_query(const std::string& name,
                                                    util::ByteView payload,
                                                    const QueryParams& params,
                                                    bool conflict_vote, util::Instant now) {
  if (config.protocol < 4) return {util::Errc::unsupported, "Feature not supported"};
  if (shut_down) return {util::Errc::refused, "Serf can't query after Leave or Shutdown"};
  if (open_queries.size() >= limits::open_queries_max) {
    return {util::Errc::refused, fmt::format("too many queries in flight (limit {})",
                                             limits::open_queries_max)};
  }
  const util::Duration timeout =
      params.timeout.count() > 0 ? params.timeout : default_query_timeout();
  ws::Query q;
  q.ltime = query_clock.time();
  q.id = static_cast<std::uint32_t>(rng.next_u32() >> 1);  // Go rand.Int31
  q.addr = config.memberlist.advertise.ip;
  q.port = config.memberlist.advertise.port;
  q.source_node = config.memberlist.name;
  if (!params.filter_nodes.empty()) {
    q.filters.push_back(ws::encode_filter(ws::NodeFilter{params.filter_nodes}));
  }
  for (const auto& [tag, expr] : params.filter_tags) {
    q.filters.push_back(ws::encode_filter(ws::TagFilter{tag, expr}));
  }
  q.flags = params.request_ack ? ws::query_flag_ack : 0;
  q.relay_factor = params.relay_factor;
  q.timeout_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count();
  q.name = name;
  q.payload.assign(payload.begin(), payload.end());
  util::Bytes raw = ws::encode(q);
  if (raw.size() > config.query_size_limit) {
    return {util::Errc::too_large,
            fmt::format("query exceeds limit of {} bytes", config.query_size_limit)};
  }
  OpenQuery open;
  open.handle = ++next_handle;
  open.id = q.id;
  open.deadline = now + timeout;
  open.conflict_vote = conflict_vote;
  open_queries[q.ltime] = open;
  handle_query(q, now);  // also witnesses the query clock
  query_queue.push(std::move(raw));
  return open.handle;
}

void Node::Impl::handle_query_response(const ws::QueryResponse& r) {
  auto it = open_queries.find(r.ltime);
  if (it == open_queries.end()) {
    log.log(util::LogLevel::warn, "serf",
            "reply for non-running query (LTime: {}, ID: {}) From: {}", r.ltime, r.id, r.from);
    return;
  }
  OpenQuery& q = it->second;
  if (q.id != r.id) {
    log.log(util::LogLevel::warn, "serf", "query reply ID mismatch (Local: {}, Response: {})",
            q.id, r.id);
    return;
  }
  if (now_ > q.deadline || !out_) return;
  const bool ack = (r.flags & ws::query_response_flag_ack) != 0;
  auto& seen = ack ? q.acks : q.responses;
  if (seen.count(r.from)) return;  // duplicate, e.g. a relayed copy
  if (!members.find(r.from)) {
    if (q.stranger_replies >= limits::stranger_replies_max) {
      ++counters.stranger_replies_dropped;
      return;
    }
    ++q.stranger_replies;
  }
  seen.insert(r.from);
  if (q.conflict_vote) {
    if (ack) return;
    auto answer = ws::decode_as<ws::ConflictResponse>(r.payload);
    if (!answer.ok()) {
      log.log(util::LogLevel::err, "serf", "Failed to decode conflict query response: {}",
              answer.error().detail);
      return;
    }
    ++q.votes;
    const auto& m = answer->member;
    if (m && swim::Address{m->addr, m->port} == config.memberlist.advertise) ++q.matching;
    return;
  }
  out_->query_replies.push_back(QueryReply{ack ? QueryReply::Kind::ack : QueryReply::Kind::response,
                                           q.handle, r.from, r.payload});
}

void Node::Impl::close_queries(util::Instant now) {
  for (auto it = open_queries.begin(); it != open_queries.end();) {
    if (now < it->second.deadline) {
      ++it;
      continue;
    }
    const OpenQuery q = std::move(it->second);
    it = open_queries.erase(it);
    if (!q.conflict_vote) {
      out_->query_replies.push_back(QueryReply{QueryReply::Kind::done, q.handle, {}, {}});
      continue;
    }
    // Simplified from Serf: we count the answers that reached us by the deadline, which is
    // what Serf's response channel yields too, and exit when not in the majority.
    const int majority = q.votes / 2 + 1;
    if (q.matching >= majority) {
      log.log(util::LogLevel::info, "serf", "majority in name conflict resolution [{} / {}]",
              q.matching, q.votes);
      continue;
    }
    log.log(util::LogLevel::warn, "serf", "minority in name conflict resolution, quiting [{} / {}]",
            q.matching, q.votes);
    shut_down = true;
    shutdown_requested = true;
  }
}

util::Status Node::respond(std::uint64_t id, util::ByteView payload, util::Instant now,
                           Outbox& out) {
  Impl& s = *impl_;
  const PendingQuery* q = s.pending.find(id);
  if (!q) return {util::Errc::not_found, "response already sent"};
  s.begin(now, out);
  const ws::QueryResponse resp{q->ltime, q->id, s.config.memberlist.name, 0,
                              util::Bytes(payload.begin(), payload.end())};
  auto st = s.send_response(*q, resp, now);
  if (st.ok()) s.pending.erase(id);
  s.end();
  return st;
}

}  // namespace serf
