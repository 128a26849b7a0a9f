// Serf messages (gossip-wire.md §9.1): `serf type byte | msgpack map`, keys sorted by Go field
// name, no omitempty (nil byte fields are c0). Relay is `09 | relayHeader map | inner message`.
#include "wire/serf_codec.h"

#include <string_view>

#include "wire/limits.h"
#include "wire/message_body.h"
#include "wire/msgpack.h"
#include "wire/serf_codec_internal.h"

namespace wire::serf {

namespace {

using util::Errc;
using Obj = mp::Object;

using message_body::decode_body;
using message_body::read_name;
using message_body::start;

util::Status read_text(const Obj& v, std::string& out) {
  return mp::read_str(v, out, limits::text_bytes_max);
}
util::Status read_payload(const Obj& v, util::Bytes& out) {
  return mp::read_bytes(v, out, limits::serf_payload_bytes_max);
}

util::Status leave_field(Leave& m, std::string_view k, const Obj& v) {
  if (k == "LTime") return mp::read(v, m.ltime);
  if (k == "Node") return read_name(v, m.node);
  if (k == "Prune") return mp::read(v, m.prune);
  return {};
}

util::Status join_field(Join& m, std::string_view k, const Obj& v) {
  if (k == "LTime") return mp::read(v, m.ltime);
  if (k == "Node") return read_name(v, m.node);
  return {};
}

util::Status user_event_field(UserEvent& m, std::string_view k, const Obj& v) {
  if (k == "CC") return mp::read(v, m.cc);
  if (k == "LTime") return mp::read(v, m.ltime);
  if (k == "Name") return read_text(v, m.name);
  if (k == "Payload") return read_payload(v, m.payload);
  return {};
}

util::Status query_field(Query& m, std::string_view k, const Obj& v) {
  if (k == "Addr") return mp::read_bytes(v, m.addr, limits::addr_bytes_max);
  if (k == "Filters") {
    m.filters.clear();
    return mp::for_each_item(v, limits::msgpack_items_max, [&](const Obj& f) {
      m.filters.emplace_back();
      return read_payload(f, m.filters.back());
    });
  }
  if (k == "Flags") return mp::read(v, m.flags);
  if (k == "ID") return mp::read(v, m.id);
  if (k == "LTime") return mp::read(v, m.ltime);
  if (k == "Name") return read_text(v, m.name);
  if (k == "Payload") return read_payload(v, m.payload);
  if (k == "Port") return mp::read(v, m.port);
  if (k == "RelayFactor") return mp::read(v, m.relay_factor);
  if (k == "SourceNode") return read_name(v, m.source_node);
  if (k == "Timeout") return mp::read(v, m.timeout_ns);
  return {};
}

util::Status query_response_field(QueryResponse& m, std::string_view k, const Obj& v) {
  if (k == "Flags") return mp::read(v, m.flags);
  if (k == "From") return read_name(v, m.from);
  if (k == "ID") return mp::read(v, m.id);
  if (k == "LTime") return mp::read(v, m.ltime);
  if (k == "Payload") return read_payload(v, m.payload);
  return {};
}

util::Status key_request_field(KeyRequest& m, std::string_view k, const Obj& v) {
  if (k == "Key") return mp::read_bytes(v, m.key, limits::text_bytes_max);
  return {};
}

util::Status key_response_field(KeyResponse& m, std::string_view k, const Obj& v) {
  if (k == "Keys") {
    m.keys.clear();
    return mp::for_each_item(v, limits::msgpack_items_max, [&](const Obj& key) {
      m.keys.emplace_back();
      return read_text(key, m.keys.back());
    });
  }
  if (k == "Message") return read_text(v, m.message);
  if (k == "PrimaryKey") return read_text(v, m.primary_key);
  if (k == "Result") return mp::read(v, m.result);
  return {};
}

// --- push/pull -----------------------------------------------------------------------------

util::Status read_event_item(const Obj& o, EventItem& item) {
  return mp::for_each_field(o, [&](std::string_view k, const Obj& v) -> util::Status {
    if (k == "Name") return read_text(v, item.name);
    if (k == "Payload") return read_payload(v, item.payload);
    return {};
  });
}

util::Status read_event_slot(const Obj& o, std::optional<EventSlot>& slot) {
  if (mp::is_nil(o)) return {};
  slot.emplace();
  return mp::for_each_field(o, [&](std::string_view k, const Obj& v) -> util::Status {
    if (k == "LTime") return mp::read(v, slot->ltime);
    if (k == "Events") {
      slot->events.clear();
      return mp::for_each_item(v, limits::msgpack_items_max, [&](const Obj& e) {
        slot->events.emplace_back();
        return read_event_item(e, slot->events.back());
      });
    }
    return {};
  });
}

util::Status push_pull_field(PushPull& m, std::string_view k, const Obj& v) {
  if (k == "EventLTime") return mp::read(v, m.event_ltime);
  if (k == "Events") {
    m.events.clear();
    return mp::for_each_item(v, limits::msgpack_items_max, [&](const Obj& s) {
      m.events.emplace_back();
      return read_event_slot(s, m.events.back());
    });
  }
  if (k == "LTime") return mp::read(v, m.ltime);
  if (k == "LeftMembers") {
    m.left_members.clear();
    return mp::for_each_item(v, limits::msgpack_items_max, [&](const Obj& n) {
      m.left_members.emplace_back();
      return read_name(n, m.left_members.back());
    });
  }
  if (k == "QueryLTime") return mp::read(v, m.query_ltime);
  if (k == "StatusLTimes") {
    m.status_ltimes.clear();
    return mp::for_each_field(v, [&](std::string_view name, const Obj& t) {
      if (name.size() > limits::node_name_bytes_max) {
        return util::Status{Errc::too_large, "member name too long"};
      }
      return mp::read(t, m.status_ltimes[std::string(name)]);
    });
  }
  return {};
}

void write_push_pull(mp::Writer& w, const PushPull& m) {
  w.map(6).key("EventLTime").uint(m.event_ltime).key("Events");
  w.array(static_cast<std::uint32_t>(m.events.size()));
  for (const auto& slot : m.events) {
    if (!slot) {
      w.nil();
      continue;
    }
    w.map(2).key("Events").array(static_cast<std::uint32_t>(slot->events.size()));
    for (const auto& e : slot->events) {
      w.map(2).key("Name").str(e.name).key("Payload").bytes_or_nil(e.payload);
    }
    w.key("LTime").uint(slot->ltime);
  }
  w.key("LTime").uint(m.ltime).key("LeftMembers");
  w.array(static_cast<std::uint32_t>(m.left_members.size()));
  for (const auto& n : m.left_members) w.str(n);
  w.key("QueryLTime").uint(m.query_ltime).key("StatusLTimes");
  w.map(static_cast<std::uint32_t>(m.status_ltimes.size()));
  for (const auto& [name, t] : m.status_ltimes) w.key(name).uint(t);
}

// --- relay ---------------------------------------------------------------------------------

util::Result<Message> decode_relay(util::ByteView bytes) {
  std::size_t off = 1;
  auto doc = mp::Document::parse_prefix(bytes, off);
  if (!doc.ok()) return doc.error();
  Relay r;
  auto& h = r.header;
  WIRE_TRY(mp::for_each_field(doc->root(), [&](std::string_view k, const Obj& v)
                                                -> util::Status {
    if (k == "DestName") return read_name(v, h.dest_name);
    if (k != "DestAddr") return {};
    return mp::for_each_field(v, [&](std::string_view ak, const Obj& av) -> util::Status {
      if (ak == "IP") return mp::read_bytes(av, h.dest_ip, limits::addr_bytes_max);
      if (ak == "Port") return mp::read(av, h.dest_port);
      if (ak == "Zone") return read_text(av, h.dest_zone);
      return {};
    });
  }));
  if (off == bytes.size()) return util::Error{Errc::truncated, "relay without inner message"};
  r.inner.assign(bytes.begin() + static_cast<std::ptrdiff_t>(off), bytes.end());
  return Message(std::move(r));
}

template <typename T>
util::Result<Message> widen(util::Result<T> r) {
  if (!r.ok()) return r.error();
  return Message(std::move(*r));
}

}  // namespace

// --- encoders ------------------------------------------------------------------------------

util::Bytes encode(const Leave& m) {
  auto out = start(MessageType::leave);
  mp::Writer(out).map(3).key("LTime").uint(m.ltime).key("Node").str(m.node).key("Prune").boolean(
      m.prune);
  return out;
}

util::Bytes encode(const Join& m) {
  auto out = start(MessageType::join);
  mp::Writer(out).map(2).key("LTime").uint(m.ltime).key("Node").str(m.node);
  return out;
}

util::Bytes encode(const PushPull& m) {
  auto out = start(MessageType::push_pull);
  mp::Writer w(out);
  write_push_pull(w, m);
  return out;
}

util::Bytes encode(const UserEvent& m) {
  auto out = start(MessageType::user_event);
  mp::Writer w(out);
  w.map(4).key("CC").boolean(m.cc).key("LTime").uint(m.ltime).key("Name").str(m.name);
  w.key("Payload").bytes_or_nil(m.payload);
  return out;
}

util::Bytes encode(const Query& m) {
  auto out = start(MessageType::query);
  mp::Writer w(out);
  w.map(11).key("Addr").bytes(m.addr).key("Filters");
  if (m.filters.empty()) {
    w.nil();
  } else {
    w.array(static_cast<std::uint32_t>(m.filters.size()));
    for (const auto& f : m.filters) w.bytes(f);
  }
  w.key("Flags").uint(m.flags).key("ID").uint(m.id).key("LTime").uint(m.ltime);
  w.key("Name").str(m.name).key("Payload").bytes_or_nil(m.payload).key("Port").uint(m.port);
  w.key("RelayFactor").uint(m.relay_factor).key("SourceNode").str(m.source_node);
  w.key("Timeout").sint(m.timeout_ns);
  return out;
}

util::Bytes encode(const QueryResponse& m) {
  auto out = start(MessageType::query_response);
  mp::Writer w(out);
  w.map(5).key("Flags").uint(m.flags).key("From").str(m.from).key("ID").uint(m.id);
  w.key("LTime").uint(m.ltime).key("Payload").bytes_or_nil(m.payload);
  return out;
}

util::Bytes encode(const ConflictResponse& m) {
  auto out = start(MessageType::conflict_response);
  mp::Writer w(out);
  if (m.member) {
    detail::write_member(w, *m.member);
  } else {
    w.nil();
  }
  return out;
}

util::Bytes encode(const KeyRequest& m) {
  auto out = start(MessageType::key_request);
  mp::Writer(out).map(1).key("Key").bytes(m.key);
  return out;
}

util::Bytes encode(const KeyResponse& m) {
  auto out = start(MessageType::key_response);
  mp::Writer w(out);
  w.map(4).key("Keys");
  if (m.keys.empty()) {
    w.nil();
  } else {
    w.array(static_cast<std::uint32_t>(m.keys.size()));
    for (const auto& k : m.keys) w.str(k);
  }
  w.key("Message").str(m.message).key("PrimaryKey").str(m.primary_key);
  w.key("Result").boolean(m.result);
  return out;
}

util::Bytes encode_relay(const RelayHeader& h, util::ByteView inner) {
  auto out = start(MessageType::relay);
  out.reserve(64 + h.dest_name.size() + inner.size());
  mp::Writer w(out);
  w.map(2).key("DestAddr").map(3).key("IP").bytes(h.dest_ip).key("Port").uint(h.dest_port);
  w.key("Zone").str(h.dest_zone).key("DestName").str(h.dest_name);
  out.insert(out.end(), inner.begin(), inner.end());
  return out;
}

util::Bytes encode(const Relay& m) { return encode_relay(m.header, m.inner); }

util::Bytes encode(const Message& m) {
  return std::visit([](const auto& x) { return encode(x); }, m);
}

// --- decoder -------------------------------------------------------------------------------

util::Result<Message> decode(util::ByteView bytes) {
  if (bytes.empty()) return util::Error{Errc::truncated, "empty serf message"};
  const auto body = bytes.subspan(1);
  switch (static_cast<MessageType>(bytes[0])) {
    case MessageType::leave: return widen(decode_body<Leave>(body, leave_field));
    case MessageType::join: return widen(decode_body<Join>(body, join_field));
    case MessageType::push_pull: return widen(decode_body<PushPull>(body, push_pull_field));
    case MessageType::user_event: return widen(decode_body<UserEvent>(body, user_event_field));
    case MessageType::query: return widen(decode_body<Query>(body, query_field));
    case MessageType::query_response:
      return widen(decode_body<QueryResponse>(body, query_response_field));
    case MessageType::conflict_response: return widen(detail::decode_conflict_response(body));
    case MessageType::key_request: return widen(decode_body<KeyRequest>(body, key_request_field));
    case MessageType::key_response:
      return widen(decode_body<KeyResponse>(body, key_response_field));
    case MessageType::relay: return decode_relay(bytes);
  }
  return util::Error{Errc::unsupported, "unknown serf message type"};
}

}  // namespace wire::serf
