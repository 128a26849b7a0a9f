// memberlist message bodies (gossip-wire.md §4, §6.3, §6.4): type byte + msgpack map whose keys
// are the Go field names in sorted order, omitempty fields left out when zero. Decoding is
// tolerant (any key order, unknown keys, nil, any int width) and strict on sizes and types.
#include "wire/codec.h"

#include <string_view>

#include "wire/codec_internal.h"
#include "wire/limits.h"
#include "wire/message_body.h"
#include "wire/msgpack.h"

namespace wire {

namespace {

using util::Errc;
using Obj = mp::Object;

using message_body::decode_body;
using message_body::read_name;
using message_body::start;

util::Status read_addr(const Obj& v, util::Bytes& out) {
  return mp::read_bytes(v, out, limits::addr_bytes_max);
}

// Exactly 6 bytes, or empty/nil for "no version" (memberlist v0.2.2 crashes on 1..5 bytes).
util::Status read_vsn(const Obj& v, Vsn& out) {
  auto b = mp::view_bytes(v, 64);
  if (!b.ok()) return b.error();
  if (b->empty()) {
    out = Vsn::none();
    return {};
  }
  if (b->size() != 6) return {Errc::malformed, "Vsn must be 6 bytes"};
  const auto& x = *b;
  out = Vsn{x[0], x[1], x[2], x[3], x[4], x[5]};
  return {};
}

void write_vsn(mp::Writer& w, const Vsn& v) {
  if (v.is_none()) {
    w.nil();
    return;
  }
  const std::uint8_t b[6] = {v.pmin, v.pmax, v.pcur, v.dmin, v.dmax, v.dcur};
  w.bytes(b);
}

util::Status ping_field(Ping& m, std::string_view k, const Obj& v) {
  if (k == "Node") return read_name(v, m.node);
  if (k == "SeqNo") return mp::read(v, m.seq_no);
  if (k == "SourceAddr") return read_addr(v, m.source_addr);
  if (k == "SourceNode") return read_name(v, m.source_node);
  if (k == "SourcePort") return mp::read(v, m.source_port);
  return {};
}

util::Status indirect_ping_field(IndirectPing& m, std::string_view k, const Obj& v) {
  if (k == "Nack") return mp::read(v, m.nack);
  if (k == "Node") return read_name(v, m.node);
  if (k == "Port") return mp::read(v, m.port);
  if (k == "SeqNo") return mp::read(v, m.seq_no);
  if (k == "SourceAddr") return read_addr(v, m.source_addr);
  if (k == "SourceNode") return read_name(v, m.source_node);
  if (k == "SourcePort") return mp::read(v, m.source_port);
  if (k == "Target") return read_addr(v, m.target);
  return {};
}

util::Status ack_field(Ack& m, std::string_view k, const Obj& v) {
  if (k == "Payload") return mp::read_bytes(v, m.payload, limits::udp_packet_bytes_max);
  if (k == "SeqNo") return mp::read(v, m.seq_no);
  return {};
}

util::Status nack_field(Nack& m, std::string_view k, const Obj& v) {
  if (k == "SeqNo") return mp::read(v, m.seq_no);
  return {};
}

template <typename T>  // Suspect and Dead share their shape
util::Status accusation_field(T& m, std::string_view k, const Obj& v) {
  if (k == "From") return read_name(v, m.from);
  if (k == "Incarnation") return mp::read(v, m.incarnation);
  if (k == "Node") return read_name(v, m.node);
  return {};
}

util::Status alive_field(Alive& m, std::string_view k, const Obj& v) {
  if (k == "Addr") return read_addr(v, m.addr);
  if (k == "Incarnation") return mp::read(v, m.incarnation);
  if (k == "Meta") return mp::read_bytes(v, m.meta, limits::meta_bytes_max);
  if (k == "Node") return read_name(v, m.node);
  if (k == "Port") return mp::read(v, m.port);
  if (k == "Vsn") return read_vsn(v, m.vsn);
  return {};
}

util::Status node_state_field(PushNodeState& m, std::string_view k, const Obj& v) {
  if (k == "Addr") return read_addr(v, m.addr);
  if (k == "Incarnation") return mp::read(v, m.incarnation);
  if (k == "Meta") return mp::read_bytes(v, m.meta, limits::meta_bytes_max);
  if (k == "Name") return read_name(v, m.name);
  if (k == "Port") return mp::read(v, m.port);
  if (k == "State") {
    std::int64_t s = 0;
    WIRE_TRY(mp::read(v, s));
    if (s < 0 || s > 3) return {Errc::malformed, "unknown node State"};
    m.state = static_cast<NodeState>(s);
    return {};
  }
  if (k == "Vsn") return read_vsn(v, m.vsn);
  return {};
}

util::Result<Alive> decode_alive(util::ByteView body) {
  auto m = decode_body<Alive>(body, alive_field);
  if (!m.ok()) return m;
  const Vsn& v = m->vsn;
  // A present Vsn must make sense: memberlist drops alive with pmin=0, pmax=0 or pmin>pmax.
  if (!v.is_none() && (v.pmin == 0 || v.pmax == 0 || v.pmin > v.pmax)) {
    return util::Error{Errc::malformed, "alive with impossible protocol range"};
  }
  return m;
}

template <typename T>
util::Result<PacketMessage> widen(util::Result<T> r) {
  if (!r.ok()) return r.error();
  return PacketMessage(std::move(*r));
}

}  // namespace

// --- encoders ------------------------------------------------------------------------------

util::Bytes encode(const Ping& m) {
  auto out = start(MessageType::ping);
  mp::Writer w(out);
  const std::uint32_t n = 2 + !m.source_addr.empty() + !m.source_node.empty() +
                          (m.source_port != 0);
  w.map(n).key("Node").str(m.node).key("SeqNo").uint(m.seq_no);
  if (!m.source_addr.empty()) w.key("SourceAddr").bytes(m.source_addr);
  if (!m.source_node.empty()) w.key("SourceNode").str(m.source_node);
  if (m.source_port != 0) w.key("SourcePort").uint(m.source_port);
  return out;
}

util::Bytes encode(const IndirectPing& m) {
  auto out = start(MessageType::indirect_ping);
  mp::Writer w(out);
  const std::uint32_t n = 5 + !m.source_addr.empty() + !m.source_node.empty() +
                          (m.source_port != 0);
  w.map(n).key("Nack").boolean(m.nack).key("Node").str(m.node).key("Port").uint(m.port);
  w.key("SeqNo").uint(m.seq_no);
  if (!m.source_addr.empty()) w.key("SourceAddr").bytes(m.source_addr);
  if (!m.source_node.empty()) w.key("SourceNode").str(m.source_node);
  if (m.source_port != 0) w.key("SourcePort").uint(m.source_port);
  w.key("Target").bytes(m.target);
  return out;
}

util::Bytes encode(const Ack& m) {
  auto out = start(MessageType::ack);
  mp::Writer w(out);
  w.map(2).key("Payload").bytes_or_nil(m.payload).key("SeqNo").uint(m.seq_no);
  return out;
}

util::Bytes encode(const Nack& m) {
  auto out = start(MessageType::nack);
  mp::Writer(out).map(1).key("SeqNo").uint(m.seq_no);
  return out;
}

namespace {
template <typename T>
util::Bytes encode_accusation(MessageType t, const T& m) {
  auto out = start(t);
  mp::Writer w(out);
  w.map(3).key("From").str(m.from).key("Incarnation").uint(m.incarnation);
  w.key("Node").str(m.node);
  return out;
}
}  // namespace

util::Bytes encode(const Suspect& m) { return encode_accusation(MessageType::suspect, m); }
util::Bytes encode(const Dead& m) { return encode_accusation(MessageType::dead, m); }

util::Bytes encode(const Alive& m) {
  auto out = start(MessageType::alive);
  mp::Writer w(out);
  w.map(6).key("Addr").bytes(m.addr).key("Incarnation").uint(m.incarnation);
  w.key("Meta").bytes(m.meta).key("Node").str(m.node).key("Port").uint(m.port);
  w.key("Vsn");
  write_vsn(w, m.vsn);
  return out;
}

util::Bytes encode(const UserMsg& m) {
  auto out = start(MessageType::user);
  out.insert(out.end(), m.payload.begin(), m.payload.end());
  return out;
}

util::Bytes encode(const PacketMessage& m) {
  return std::visit([](const auto& x) { return encode(x); }, m);
}

// --- decoders ------------------------------------------------------------------------------

util::Result<PacketMessage> decode_message(util::ByteView bytes) {
  if (bytes.empty()) return util::Error{Errc::truncated, "empty message"};
  const auto body = bytes.subspan(1);
  switch (static_cast<MessageType>(bytes[0])) {
    case MessageType::ping: return widen(decode_body<Ping>(body, ping_field));
    case MessageType::indirect_ping:
      return widen(decode_body<IndirectPing>(body, indirect_ping_field));
    case MessageType::ack: return widen(decode_body<Ack>(body, ack_field));
    case MessageType::nack: return widen(decode_body<Nack>(body, nack_field));
    case MessageType::suspect:
      return widen(decode_body<Suspect>(body, accusation_field<Suspect>));
    case MessageType::dead: return widen(decode_body<Dead>(body, accusation_field<Dead>));
    case MessageType::alive: return widen(decode_alive(body));
    case MessageType::user: return PacketMessage(UserMsg{util::Bytes(body.begin(), body.end())});
    default: return util::Error{Errc::unsupported, "not a single packet message type"};
  }
}

namespace detail {

util::Result<PushPullHeader> decode_push_pull_header(util::ByteView bytes, std::size_t& offset) {
  const auto view = bytes.first(std::min(bytes.size(), offset + limits::stream_header_bytes_max));
  auto doc = mp::Document::parse_prefix(view, offset);
  if (!doc.ok()) {
    if (doc.error().code == Errc::truncated && view.size() < bytes.size()) {
      return util::Error{Errc::too_large, "push/pull header too long"};
    }
    return doc.error();
  }
  PushPullHeader h;
  std::int64_t nodes = 0, user_state_len = 0;
  WIRE_TRY(mp::for_each_field(doc->root(), [&](std::string_view k, const Obj& v) -> util::Status {
    if (k == "Join") return mp::read(v, h.join);
    if (k == "Nodes") return mp::read(v, nodes);
    if (k == "UserStateLen") return mp::read(v, user_state_len);
    return {};
  }));
  if (nodes < 0 || user_state_len < 0) return util::Error{Errc::malformed, "negative count"};
  if (static_cast<std::uint64_t>(nodes) > limits::push_pull_nodes_max ||
      static_cast<std::uint64_t>(user_state_len) > limits::stream_bytes_max) {
    return util::Error{Errc::too_large, "push/pull header over limits"};
  }
  h.nodes = static_cast<std::size_t>(nodes);
  h.user_state_len = static_cast<std::size_t>(user_state_len);
  return h;
}

util::Result<std::size_t> decode_user_msg_header(util::ByteView bytes, std::size_t& offset) {
  const auto view = bytes.first(std::min(bytes.size(), offset + limits::stream_header_bytes_max));
  auto doc = mp::Document::parse_prefix(view, offset);
  if (!doc.ok()) return doc.error();
  std::int64_t len = 0;
  WIRE_TRY(mp::for_each_field(doc->root(), [&](std::string_view k, const Obj& v) -> util::Status {
    if (k == "UserMsgLen") return mp::read(v, len);
    return {};
  }));
  if (len < 0) return util::Error{Errc::malformed, "negative UserMsgLen"};
  if (static_cast<std::uint64_t>(len) > limits::stream_bytes_max) {
    return util::Error{Errc::too_large, "UserMsgLen over limit"};
  }
  return static_cast<std::size_t>(len);
}

}  // namespace detail

namespace {

util::Result<StreamMessage> decode_push_pull(util::ByteView plain) {
  std::size_t off = 1;
  auto h = detail::decode_push_pull_header(plain, off);
  if (!h.ok()) return h.error();
  // Every node state takes at least one byte: a count beyond the input cannot be honest.
  if (h->nodes > plain.size() - off) return util::Error{Errc::truncated, "push/pull nodes"};
  PushPull pp;
  pp.join = h->join;
  pp.nodes.reserve(h->nodes);
  for (std::size_t i = 0; i < h->nodes; ++i) {
    auto doc = mp::Document::parse_prefix(plain, off);
    if (!doc.ok()) return doc.error();
    PushNodeState s;
    WIRE_TRY(mp::for_each_field(doc->root(), [&](std::string_view k, const Obj& v) {
      return node_state_field(s, k, v);
    }));
    pp.nodes.push_back(std::move(s));
  }
  const std::size_t rest = plain.size() - off;
  if (rest < h->user_state_len) return util::Error{Errc::truncated, "push/pull user state"};
  if (rest > h->user_state_len) return util::Error{Errc::malformed, "push/pull trailing bytes"};
  pp.user_state.assign(plain.begin() + static_cast<std::ptrdiff_t>(off), plain.end());
  return StreamMessage(std::move(pp));
}

util::Result<StreamMessage> decode_stream_user(util::ByteView plain) {
  std::size_t off = 1;
  auto len = detail::decode_user_msg_header(plain, off);
  if (!len.ok()) return len.error();
  const std::size_t rest = plain.size() - off;
  if (rest < *len) return util::Error{Errc::truncated, "user message"};
  if (rest > *len) return util::Error{Errc::malformed, "user message trailing bytes"};
  return StreamMessage(UserMsg{util::Bytes(plain.begin() + static_cast<std::ptrdiff_t>(off),
                                           plain.end())});
}

util::Status err_field(ErrResp& m, std::string_view k, const Obj& v) {
  if (k == "Error") return mp::read_str(v, m.error, limits::text_bytes_max);
  return {};
}

template <typename T>
util::Result<StreamMessage> widen_stream(util::Result<T> r) {
  if (!r.ok()) return r.error();
  return StreamMessage(std::move(*r));
}

}  // namespace

util::Bytes encode_stream(const StreamMessage& m) {
  struct Visitor {
    util::Bytes operator()(const Ping& x) const { return encode(x); }
    util::Bytes operator()(const Ack& x) const { return encode(x); }
    util::Bytes operator()(const ErrResp& x) const {
      auto out = start(MessageType::err);
      mp::Writer(out).map(1).key("Error").str(x.error);
      return out;
    }
    util::Bytes operator()(const UserMsg& x) const {
      auto out = start(MessageType::user);
      mp::Writer(out).map(1).key("UserMsgLen").uint(x.payload.size());
      out.insert(out.end(), x.payload.begin(), x.payload.end());
      return out;
    }
    util::Bytes operator()(const PushPull& x) const {
      auto out = start(MessageType::push_pull);
      mp::Writer w(out);
      w.map(3).key("Join").boolean(x.join).key("Nodes").uint(x.nodes.size());
      w.key("UserStateLen").uint(x.user_state.size());
      for (const auto& s : x.nodes) {
        w.map(7).key("Addr").bytes(s.addr).key("Incarnation").uint(s.incarnation);
        w.key("Meta").bytes(s.meta).key("Name").str(s.name).key("Port").uint(s.port);
        w.key("State").uint(static_cast<std::uint8_t>(s.state)).key("Vsn");
        write_vsn(w, s.vsn);
      }
      out.insert(out.end(), x.user_state.begin(), x.user_state.end());
      return out;
    }
  };
  return std::visit(Visitor{}, m);
}

util::Result<StreamMessage> decode_stream(util::ByteView plain) {
  if (plain.empty()) return util::Error{Errc::truncated, "empty stream"};
  const auto body = plain.subspan(1);
  switch (static_cast<MessageType>(plain[0])) {
    case MessageType::ping: return widen_stream(decode_body<Ping>(body, ping_field));
    case MessageType::ack: return widen_stream(decode_body<Ack>(body, ack_field));
    case MessageType::push_pull: return decode_push_pull(plain);
    case MessageType::user: return decode_stream_user(plain);
    case MessageType::err: return widen_stream(decode_body<ErrResp>(body, err_field));
    default: return util::Error{Errc::unsupported, "not a stream message type"};
  }
}

}  // namespace wire
