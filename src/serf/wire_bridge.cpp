// Mapping between the Node's message shapes and wire::serf (wire/serf_codec.h); see
// wire_bridge.h. Addresses become Addr/Port pairs, durations nanoseconds, ring slots
// wire::serf::EventSlot.
#include "serf/wire_bridge.h"

#include "wire/serf_codec.h"

namespace serf::bridge {

namespace ws = wire::serf;

namespace {

EventSlot from_wire(const ws::EventSlot& s) {
  EventSlot out{s.ltime, {}};
  for (const auto& e : s.events) out.events.push_back(SeenEvent{e.name, e.payload});
  return out;
}

ws::EventSlot to_wire(const EventSlot& s) {
  ws::EventSlot out{s.ltime, {}};
  for (const auto& e : s.events) out.events.push_back(ws::EventItem{e.name, e.payload});
  return out;
}

struct FromWire {
  util::Result<Message> operator()(ws::Join&& m) const { return Message{JoinMsg{m.ltime, std::move(m.node)}}; }
  util::Result<Message> operator()(ws::Leave&& m) const {
    return Message{LeaveMsg{m.ltime, std::move(m.node), m.prune}};
  }
  util::Result<Message> operator()(ws::UserEvent&& m) const {
    return Message{UserEventMsg{m.ltime, std::move(m.name), std::move(m.payload), m.cc}};
  }
  util::Result<Message> operator()(ws::Query&& m) const {
    QueryMsg q;
    q.ltime = m.ltime;
    q.id = m.id;
    q.addr = swim::Address{std::move(m.addr), m.port};
    q.source_node = std::move(m.source_node);
    q.filters = std::move(m.filters);
    q.flags = m.flags;
    q.relay_factor = m.relay_factor;
    q.timeout = std::chrono::duration_cast<util::Duration>(std::chrono::nanoseconds(
        m.timeout_ns < 0 ? 0 : m.timeout_ns));
    q.name = std::move(m.name);
    q.payload = std::move(m.payload);
    return Message{std::move(q)};
  }
  util::Result<Message> operator()(ws::QueryResponse&& m) const {
    return Message{QueryResponseMsg{m.ltime, m.id, std::move(m.from), m.flags, std::move(m.payload)}};
  }
  util::Result<Message> operator()(ws::Relay&& m) const {
    return Message{RelayMsg{swim::Address{std::move(m.header.dest_ip), m.header.dest_port},
                    std::move(m.header.dest_name), std::move(m.inner)}};
  }
  util::Result<Message> operator()(ws::PushPull&& m) const {
    PushPullMsg pp;
    pp.ltime = m.ltime;
    pp.status_ltimes = std::move(m.status_ltimes);
    pp.left_members = std::move(m.left_members);
    pp.event_ltime = m.event_ltime;
    pp.query_ltime = m.query_ltime;
    for (const auto& slot : m.events) {
      if (slot) pp.events.push_back(from_wire(*slot));
    }
    return Message{std::move(pp)};
  }
  template <typename Other>
  util::Result<Message> operator()(Other&&) const {
    return util::Error{util::Errc::unsupported, "not a gossiped serf message"};
  }
};

ws::MemberStatus to_wire(MemberStatus s) {
  switch (s) {
    case MemberStatus::none: return ws::MemberStatus::none;
    case MemberStatus::alive: return ws::MemberStatus::alive;
    case MemberStatus::leaving: return ws::MemberStatus::leaving;
    case MemberStatus::left: return ws::MemberStatus::left;
    case MemberStatus::failed: return ws::MemberStatus::failed;
  }
  return ws::MemberStatus::none;
}

}  // namespace

util::Result<Message> decode(util::ByteView serf_bytes) {
  auto m = ws::decode(serf_bytes);
  if (!m.ok()) return m.error();
  return std::visit(FromWire{}, std::move(*m));
}

util::Bytes encode(const JoinMsg& m) { return ws::encode(ws::Join{m.ltime, m.node}); }
util::Bytes encode(const LeaveMsg& m) { return ws::encode(ws::Leave{m.ltime, m.node, m.prune}); }
util::Bytes encode(const UserEventMsg& m) {
  return ws::encode(ws::UserEvent{m.ltime, m.name, m.payload, m.cc});
}

util::Bytes encode(const QueryMsg& m) {
  ws::Query q;
  q.ltime = m.ltime;
  q.id = m.id;
  q.addr = m.addr.ip;
  q.port = m.addr.port;
  q.source_node = m.source_node;
  q.filters = m.filters;
  q.flags = m.flags;
  q.relay_factor = m.relay_factor;
  q.timeout_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(m.timeout).count();
  q.name = m.name;
  q.payload = m.payload;
  return ws::encode(q);
}

util::Bytes encode(const QueryResponseMsg& m) {
  return ws::encode(ws::QueryResponse{m.ltime, m.id, m.from, m.flags, m.payload});
}

util::Bytes encode(const RelayMsg& m) {
  return ws::encode_relay(ws::RelayHeader{m.dest.ip, m.dest.port, "", m.dest_name}, m.inner);
}

util::Bytes encode(const PushPullMsg& m) {
  ws::PushPull pp;
  pp.ltime = m.ltime;
  pp.status_ltimes = m.status_ltimes;
  pp.left_members = m.left_members;
  pp.event_ltime = m.event_ltime;
  pp.query_ltime = m.query_ltime;
  for (const auto& slot : m.events) pp.events.emplace_back(to_wire(slot));
  return ws::encode(pp);
}

util::Bytes encode_tags(const Tags& tags, int protocol) {
  return protocol < 3 ? ws::encode_tags_legacy(tags) : ws::encode_tags(tags);
}

Tags decode_tags(util::ByteView meta) {
  auto tags = ws::decode_tags(meta);
  return tags.ok() ? std::move(*tags) : Tags{};
}

util::Bytes encode_node_filter(const std::vector<std::string>& nodes) {
  return ws::encode_filter(ws::NodeFilter{nodes});
}

util::Bytes encode_tag_filter(const std::string& tag, const std::string& expr) {
  return ws::encode_filter(ws::TagFilter{tag, expr});
}

util::Result<Filter> decode_filter(util::ByteView filter) {
  auto f = ws::decode_filter(filter);
  if (!f.ok()) return f.error();
  if (auto* n = std::get_if<ws::NodeFilter>(&*f)) return Filter{NodeFilter{std::move(n->nodes)}};
  auto& t = std::get<ws::TagFilter>(*f);
  return Filter{TagFilter{std::move(t.tag), std::move(t.expr)}};
}

util::Bytes encode_conflict_response(const Member* member) {
  ws::ConflictResponse r;
  if (member) {
    ws::Member m;
    m.name = member->name;
    m.addr = member->addr.ip;
    m.port = member->addr.port;
    m.tags = member->tags;
    m.status = to_wire(member->status);
    m.protocol_min = member->protocol_min;
    m.protocol_max = member->protocol_max;
    m.protocol_cur = member->protocol_cur;
    m.delegate_min = member->delegate_min;
    m.delegate_max = member->delegate_max;
    m.delegate_cur = member->delegate_cur;
    r.member = std::move(m);
  }
  return ws::encode(r);
}

util::Result<std::optional<Member>> decode_conflict_response(util::ByteView payload) {
  auto r = ws::decode_as<ws::ConflictResponse>(payload);
  if (!r.ok()) return r.error();
  if (!r->member) return std::optional<Member>{};
  Member m;
  m.name = r->member->name;
  m.addr = swim::Address{r->member->addr, r->member->port};
  m.tags = r->member->tags;
  return std::optional<Member>{std::move(m)};
}

util::Bytes encode_key_response(bool result, const std::string& message) {
  ws::KeyResponse r;
  r.result = result;
  r.message = message;
  return ws::encode(r);
}

}  // namespace serf::bridge
