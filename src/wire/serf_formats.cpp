// Small Serf formats carried inside other fields (gossip-wire.md §9.6, §9.8-§9.10):
//   tags (memberlist Meta)   ff | msgpack map[string]string, keys sorted; legacy: role bytes
//   query filter             00 | msgpack [node names]   or   01 | msgpack {Expr, Tag}
//   ack payload              01 | msgpack {Adjustment, Error, Height: f64, Vec: [8 x f64]}
//   conflict response body   msgpack Member or nil
#include <cmath>
#include <string_view>

#include "wire/limits.h"
#include "wire/msgpack.h"
#include "wire/serf_codec.h"
#include "wire/serf_codec_internal.h"

namespace wire::serf {

namespace {

using util::Errc;
using Obj = mp::Object;

constexpr std::uint8_t tags_magic = 0xff;
constexpr std::uint8_t ping_payload_version = 1;

void write_tags_map(mp::Writer& w, const Tags& tags) {
  w.map(static_cast<std::uint32_t>(tags.size()));
  for (const auto& [k, v] : tags) w.key(k).str(v);  // std::map: sorted, deterministic
}

util::Status read_tags_map(const Obj& o, Tags& tags) {
  tags.clear();
  return mp::for_each_field(o, [&](std::string_view k, const Obj& v) -> util::Status {
    if (k.size() > limits::meta_bytes_max) return {Errc::too_large, "tag name too long"};
    return mp::read_str(v, tags[std::string(k)], limits::text_bytes_max);
  });
}

template <typename T>
util::Status read_enum_int(const Obj& v, T& out, std::int64_t max) {
  std::int64_t x = 0;
  WIRE_TRY(mp::read(v, x));
  if (x < 0 || x > max) return {Errc::malformed, "enum value out of range"};
  out = static_cast<T>(x);
  return {};
}

util::Status member_field(Member& m, std::string_view k, const Obj& v) {
  if (k == "Addr") return mp::read_bytes(v, m.addr, limits::addr_bytes_max);
  if (k == "DelegateCur") return mp::read(v, m.delegate_cur);
  if (k == "DelegateMax") return mp::read(v, m.delegate_max);
  if (k == "DelegateMin") return mp::read(v, m.delegate_min);
  if (k == "Name") return mp::read_str(v, m.name, limits::node_name_bytes_max);
  if (k == "Port") return mp::read(v, m.port);
  if (k == "ProtocolCur") return mp::read(v, m.protocol_cur);
  if (k == "ProtocolMax") return mp::read(v, m.protocol_max);
  if (k == "ProtocolMin") return mp::read(v, m.protocol_min);
  if (k == "Status") return read_enum_int(v, m.status, 4);
  if (k == "Tags") return read_tags_map(v, m.tags);
  return {};
}

util::Status coordinate_field(Coordinate& c, bool& has_vec, std::string_view k, const Obj& v) {
  if (k == "Adjustment") return mp::read(v, c.adjustment);
  if (k == "Error") return mp::read(v, c.error);
  if (k == "Height") return mp::read(v, c.height);
  if (k != "Vec") return {};
  if (v.type != msgpack::type::ARRAY || v.via.array.size != coordinate_dimensions) {
    return {Errc::malformed, "coordinate must have 8 dimensions"};
  }
  for (std::size_t i = 0; i < coordinate_dimensions; ++i) {
    WIRE_TRY(mp::read(v.via.array.ptr[i], c.vec[i]));
  }
  has_vec = true;
  return {};
}

}  // namespace

// --- conflict response member ---------------------------------------------------------------

void detail::write_member(mp::Writer& w, const Member& m) {
  w.map(11).key("Addr").bytes(m.addr).key("DelegateCur").uint(m.delegate_cur);
  w.key("DelegateMax").uint(m.delegate_max).key("DelegateMin").uint(m.delegate_min);
  w.key("Name").str(m.name).key("Port").uint(m.port).key("ProtocolCur").uint(m.protocol_cur);
  w.key("ProtocolMax").uint(m.protocol_max).key("ProtocolMin").uint(m.protocol_min);
  w.key("Status").uint(static_cast<std::uint8_t>(m.status)).key("Tags");
  write_tags_map(w, m.tags);
}

util::Result<ConflictResponse> detail::decode_conflict_response(util::ByteView body) {
  auto doc = mp::Document::parse(body);
  if (!doc.ok()) return doc.error();
  ConflictResponse r;
  if (mp::is_nil(doc->root())) return r;
  Member m;
  WIRE_TRY(mp::for_each_field(doc->root(), [&](std::string_view k, const Obj& v) {
    return member_field(m, k, v);
  }));
  r.member = std::move(m);
  return r;
}

// --- tags ----------------------------------------------------------------------------------

util::Bytes encode_tags(const Tags& tags) {
  util::Bytes out{tags_magic};
  mp::Writer w(out);
  write_tags_map(w, tags);
  return out;
}

util::Bytes encode_tags_legacy(const Tags& tags) {
  const auto it = tags.find("role");
  if (it == tags.end()) return {};
  return util::to_bytes(it->second);
}

util::Result<Tags> decode_tags(util::ByteView meta) {
  Tags tags;
  if (meta.empty() || meta[0] != tags_magic) {
    tags["role"] = std::string(util::as_chars(meta));
    return tags;
  }
  auto doc = mp::Document::parse(meta.subspan(1));
  if (!doc.ok()) return doc.error();
  WIRE_TRY(read_tags_map(doc->root(), tags));
  return tags;
}

// --- filters -------------------------------------------------------------------------------

util::Bytes encode_filter(const Filter& f) {
  util::Bytes out;
  mp::Writer w(out);
  if (const auto* n = std::get_if<NodeFilter>(&f)) {
    out.push_back(static_cast<std::uint8_t>(FilterType::node));
    w.array(static_cast<std::uint32_t>(n->nodes.size()));
    for (const auto& name : n->nodes) w.str(name);
  } else {
    const auto& t = std::get<TagFilter>(f);
    out.push_back(static_cast<std::uint8_t>(FilterType::tag));
    w.map(2).key("Expr").str(t.expr).key("Tag").str(t.tag);
  }
  return out;
}

util::Result<Filter> decode_filter(util::ByteView bytes) {
  if (bytes.empty()) return util::Error{Errc::truncated, "empty filter"};
  const auto type = static_cast<FilterType>(bytes[0]);
  if (type != FilterType::node && type != FilterType::tag) {
    return util::Error{Errc::unsupported, "unknown filter type"};
  }
  auto doc = mp::Document::parse(bytes.subspan(1));
  if (!doc.ok()) return doc.error();
  if (type == FilterType::node) {
    NodeFilter n;
    WIRE_TRY(mp::for_each_item(doc->root(), limits::msgpack_items_max, [&](const Obj& o) {
      n.nodes.emplace_back();
      return mp::read_str(o, n.nodes.back(), limits::node_name_bytes_max);
    }));
    return Filter(std::move(n));
  }
  TagFilter t;
  WIRE_TRY(mp::for_each_field(doc->root(), [&](std::string_view k, const Obj& v)
                                                -> util::Status {
    if (k == "Expr") return mp::read_str(v, t.expr, limits::text_bytes_max);
    if (k == "Tag") return mp::read_str(v, t.tag, limits::text_bytes_max);
    return {};
  }));
  return Filter(std::move(t));
}

// --- Vivaldi ack payload -----------------------------------------------------------------------

util::Bytes encode_ping_payload(const Coordinate& c) {
  util::Bytes out{ping_payload_version};
  out.reserve(130);
  mp::Writer w(out);
  w.map(4).key("Adjustment").f64(c.adjustment).key("Error").f64(c.error);
  w.key("Height").f64(c.height).key("Vec").array(coordinate_dimensions);
  for (double x : c.vec) w.f64(x);
  return out;
}

util::Result<Coordinate> decode_ping_payload(util::ByteView payload) {
  if (payload.empty()) return util::Error{Errc::truncated, "empty ping payload"};
  if (payload[0] != ping_payload_version) {
    return util::Error{Errc::unsupported, "unknown ping payload version"};
  }
  auto doc = mp::Document::parse(payload.subspan(1));
  if (!doc.ok()) return doc.error();
  Coordinate c{.vec = {}, .error = 0, .adjustment = 0, .height = 0};  // Go decodes into zero
  bool has_vec = false;
  WIRE_TRY(mp::for_each_field(doc->root(), [&](std::string_view k, const Obj& v) {
    return coordinate_field(c, has_vec, k, v);
  }));
  if (!has_vec) return util::Error{Errc::malformed, "coordinate must have 8 dimensions"};
  bool finite = std::isfinite(c.error) && std::isfinite(c.adjustment) && std::isfinite(c.height);
  for (double x : c.vec) finite = finite && std::isfinite(x);
  if (!finite) return util::Error{Errc::malformed, "coordinate component not finite"};
  return c;
}

}  // namespace wire::serf
