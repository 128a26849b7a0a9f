// Encoders and decoders of every RPC header, body and stream record (format: rpc_protocol.h).
// Encoding writes Go's field names in Go declaration order, as Serf's codec does. Decoding walks
// a msgpack::object: maps in any key order, unknown keys skipped, nil = zero value.
#include <cmath>
#include <functional>
#include <limits>
#include <type_traits>

#include "agent/rpc_protocol.h"

namespace agent::rpc {

namespace {

using msgpack::type::object_type;

// ---- writing -----------------------------------------------------------------------------
class Writer {
 public:
  Writer() : pk_(buf_) {}
  Writer& map(std::size_t n) {
    pk_.pack_map(static_cast<std::uint32_t>(n));
    return *this;
  }
  Writer& str(std::string_view s) {
    pk_.pack_str(static_cast<std::uint32_t>(s.size()));
    pk_.pack_str_body(s.data(), static_cast<std::uint32_t>(s.size()));
    return *this;
  }
  Writer& key(std::string_view k) { return str(k); }
  Writer& bin(util::ByteView b) {  // Go's nil []byte when empty
    if (b.empty()) {
      pk_.pack_nil();
    } else {
      pk_.pack_bin(static_cast<std::uint32_t>(b.size()));
      pk_.pack_bin_body(reinterpret_cast<const char*>(b.data()),
                        static_cast<std::uint32_t>(b.size()));
    }
    return *this;
  }
  Writer& u64(std::uint64_t v) {
    pk_.pack_uint64(v);
    return *this;
  }
  Writer& i64(std::int64_t v) {
    pk_.pack_int64(v);
    return *this;
  }
  Writer& boolean(bool v) {
    if (v) pk_.pack_true(); else pk_.pack_false();
    return *this;
  }
  Writer& f64(double v) {
    pk_.pack_double(v);
    return *this;
  }
  Writer& strings(const std::vector<std::string>& v) {  // nil when empty
    if (v.empty()) {
      pk_.pack_nil();
      return *this;
    }
    pk_.pack_array(static_cast<std::uint32_t>(v.size()));
    for (const auto& s : v) str(s);
    return *this;
  }
  Writer& string_map(const StringMap& m) {
    map(m.size());
    for (const auto& [k, v] : m) str(k).str(v);
    return *this;
  }
  Writer& member(const Member& m);
  Writer& members(const std::vector<Member>& v) {
    pk_.pack_array(static_cast<std::uint32_t>(v.size()));
    for (const auto& m : v) member(m);
    return *this;
  }
  util::Bytes take() {
    const auto* p = reinterpret_cast<const std::uint8_t*>(buf_.data());
    return util::Bytes(p, p + buf_.size());
  }
  msgpack::packer<msgpack::sbuffer>& packer() { return pk_; }

 private:
  msgpack::sbuffer buf_;
  msgpack::packer<msgpack::sbuffer> pk_;
};

Writer& Writer::member(const Member& m) {
  map(11);
  key("Name").str(m.name);
  key("Addr").bin(m.addr);
  key("Port").u64(m.port);
  key("Tags").string_map(m.tags);
  key("Status").str(m.status);
  key("ProtocolMin").u64(m.protocol_min);
  key("ProtocolMax").u64(m.protocol_max);
  key("ProtocolCur").u64(m.protocol_cur);
  key("DelegateMin").u64(m.delegate_min);
  key("DelegateMax").u64(m.delegate_max);
  key("DelegateCur").u64(m.delegate_cur);
  return *this;
}

// ---- reading -----------------------------------------------------------------------------
util::Status bad(std::string_view field, const char* what) {
  return util::Error{util::Errc::malformed, std::string(field) + ": " + what};
}

bool is_nil(const msgpack::object& o) { return o.type == object_type::NIL; }

util::Status read(const msgpack::object& o, std::string& out, std::string_view f) {
  if (is_nil(o)) return out.clear(), util::Status{};
  if (o.type == object_type::STR) return out.assign(o.via.str.ptr, o.via.str.size), util::Status{};
  if (o.type == object_type::BIN) return out.assign(o.via.bin.ptr, o.via.bin.size), util::Status{};
  return bad(f, "expected a string");
}

util::Status read(const msgpack::object& o, util::Bytes& out, std::string_view f) {
  if (is_nil(o)) return out.clear(), util::Status{};
  const char* p = nullptr;
  std::size_t n = 0;
  if (o.type == object_type::BIN) {
    p = o.via.bin.ptr;
    n = o.via.bin.size;
  } else if (o.type == object_type::STR) {
    p = o.via.str.ptr;
    n = o.via.str.size;
  } else {
    return bad(f, "expected bytes");
  }
  const auto* first = reinterpret_cast<const std::uint8_t*>(p);
  out.assign(first, first + n);
  return {};
}

util::Status read(const msgpack::object& o, bool& out, std::string_view f) {
  if (is_nil(o)) return out = false, util::Status{};
  if (o.type != object_type::BOOLEAN) return bad(f, "expected a bool");
  out = o.via.boolean;
  return {};
}

template <typename Int>
  requires std::is_integral_v<Int>
util::Status read(const msgpack::object& o, Int& out, std::string_view f) {
  if (is_nil(o)) return out = 0, util::Status{};
  if (o.type == object_type::POSITIVE_INTEGER) {
    if (o.via.u64 > static_cast<std::uint64_t>(std::numeric_limits<Int>::max())) {
      return bad(f, "integer out of range");
    }
    out = static_cast<Int>(o.via.u64);
    return {};
  }
  if (o.type == object_type::NEGATIVE_INTEGER) {
    if constexpr (std::is_signed_v<Int>) {
      if (o.via.i64 < static_cast<std::int64_t>(std::numeric_limits<Int>::min())) {
        return bad(f, "integer out of range");
      }
      out = static_cast<Int>(o.via.i64);
      return {};
    }
    return bad(f, "negative integer");
  }
  return bad(f, "expected an integer");
}

util::Status read(const msgpack::object& o, double& out, std::string_view f) {
  switch (o.type) {
    case object_type::NIL: out = 0; return {};
    case object_type::FLOAT32:
    case object_type::FLOAT64: out = o.via.f64; return {};
    case object_type::POSITIVE_INTEGER: out = static_cast<double>(o.via.u64); return {};
    case object_type::NEGATIVE_INTEGER: out = static_cast<double>(o.via.i64); return {};
    default: return bad(f, "expected a float");
  }
}

using FieldFn = std::function<util::Status(std::string_view key, const msgpack::object& v)>;

// Calls fn for every key/value of a map; nil is an empty map.
util::Status each_field(const msgpack::object& o, std::string_view f, const FieldFn& fn) {
  if (is_nil(o)) return {};
  if (o.type != object_type::MAP) return bad(f, "expected a map");
  for (std::uint32_t i = 0; i < o.via.map.size; ++i) {
    const auto& kv = o.via.map.ptr[i];
    std::string key;
    if (auto s = read(kv.key, key, f); !s.ok()) return s;
    if (auto s = fn(key, kv.val); !s.ok()) return s;
  }
  return {};
}

template <typename T>
util::Status read(const msgpack::object& o, std::vector<T>& out, std::string_view f) {
  out.clear();
  if (is_nil(o)) return {};
  if (o.type != object_type::ARRAY) return bad(f, "expected an array");
  out.resize(o.via.array.size);
  for (std::uint32_t i = 0; i < o.via.array.size; ++i) {
    if constexpr (std::is_same_v<T, Member>) {
      if (auto s = decode(o.via.array.ptr[i], out[i]); !s.ok()) return s;
    } else {
      if (auto s = read(o.via.array.ptr[i], out[i], f); !s.ok()) return s;
    }
  }
  return {};
}

template <typename V>
util::Status read(const msgpack::object& o, std::map<std::string, V>& out, std::string_view f) {
  out.clear();
  return each_field(o, f, [&](std::string_view k, const msgpack::object& v) {
    V value{};
    if (auto s = read(v, value, f); !s.ok()) return s;
    out.insert_or_assign(std::string(k), std::move(value));
    return util::Status{};
  });
}

// One entry of a struct's field table: a Go key and where its value goes.
struct Field {
  std::string_view key;
  std::function<util::Status(const msgpack::object&)> read;
};

template <typename T>
Field field(std::string_view key, T& target) {
  return Field{key, [&target, key](const msgpack::object& v) { return read(v, target, key); }};
}

util::Status read_struct(const msgpack::object& o, std::string_view what,
                         std::initializer_list<Field> fields) {
  return each_field(o, what, [&](std::string_view k, const msgpack::object& v) {
    for (const auto& fd : fields) {
      if (fd.key == k) return fd.read(v);
    }
    return util::Status{};  // unknown key: ignored, as Go does
  });
}

}  // namespace

// ---- headers -------------------------------------------------------------------------------
util::Bytes encode(const RequestHeader& m) {
  Writer w;
  w.map(2).key("Command").str(m.command).key("Seq").u64(m.seq);
  return w.take();
}
util::Bytes encode(const ResponseHeader& m) {
  Writer w;
  w.map(2).key("Seq").u64(m.seq).key("Error").str(m.error);
  return w.take();
}
util::Status decode(const msgpack::object& o, RequestHeader& out) {
  if (o.type != object_type::MAP) return bad("request header", "expected a map");
  return read_struct(o, "request header", {field("Command", out.command), field("Seq", out.seq)});
}
util::Status decode(const msgpack::object& o, ResponseHeader& out) {
  if (o.type != object_type::MAP) return bad("response header", "expected a map");
  return read_struct(o, "response header", {field("Seq", out.seq), field("Error", out.error)});
}

// ---- request bodies ------------------------------------------------------------------------
util::Bytes encode(const HandshakeRequest& m) {
  Writer w;
  w.map(1).key("Version").i64(m.version);
  return w.take();
}
util::Bytes encode(const AuthRequest& m) {
  Writer w;
  w.map(1).key("AuthKey").str(m.auth_key);
  return w.take();
}
util::Bytes encode(const EventRequest& m) {
  Writer w;
  w.map(3).key("Name").str(m.name).key("Payload").bin(m.payload);
  w.key("Coalesce").boolean(m.coalesce);
  return w.take();
}
util::Bytes encode(const ForceLeaveRequest& m) {
  Writer w;
  w.map(2).key("Node").str(m.node).key("Prune").boolean(m.prune);
  return w.take();
}
util::Bytes encode(const JoinRequest& m) {
  Writer w;
  w.map(2).key("Existing").strings(m.existing).key("Replay").boolean(m.replay);
  return w.take();
}
util::Bytes encode(const MembersFilteredRequest& m) {
  Writer w;
  w.map(3).key("Tags").string_map(m.tags).key("Status").str(m.status).key("Name").str(m.name);
  return w.take();
}
util::Bytes encode(const TagsRequest& m) {
  Writer w;
  w.map(2).key("Tags").string_map(m.tags).key("DeleteTags").strings(m.delete_tags);
  return w.take();
}
util::Bytes encode(const StreamRequest& m) {
  Writer w;
  w.map(1).key("Type").str(m.type);
  return w.take();
}
util::Bytes encode(const MonitorRequest& m) {
  Writer w;
  w.map(1).key("LogLevel").str(m.log_level);
  return w.take();
}
util::Bytes encode(const StopRequest& m) {
  Writer w;
  w.map(1).key("Stop").u64(m.stop);
  return w.take();
}
util::Bytes encode(const QueryRequest& m) {
  Writer w;
  w.map(7).key("FilterNodes").strings(m.filter_nodes).key("FilterTags").string_map(m.filter_tags);
  w.key("RequestAck").boolean(m.request_ack).key("RelayFactor").u64(m.relay_factor);
  w.key("Timeout").i64(m.timeout_ns).key("Name").str(m.name).key("Payload").bin(m.payload);
  return w.take();
}
util::Bytes encode(const RespondRequest& m) {
  Writer w;
  w.map(2).key("ID").u64(m.id).key("Payload").bin(m.payload);
  return w.take();
}
util::Bytes encode(const KeyRequest& m) {
  Writer w;
  w.map(1).key("Key").str(m.key);
  return w.take();
}
util::Bytes encode(const CoordinateRequest& m) {
  Writer w;
  w.map(1).key("Node").str(m.node);
  return w.take();
}

util::Status decode(const msgpack::object& o, HandshakeRequest& out) {
  return read_struct(o, "handshake", {field("Version", out.version)});
}
util::Status decode(const msgpack::object& o, AuthRequest& out) {
  return read_struct(o, "auth", {field("AuthKey", out.auth_key)});
}
util::Status decode(const msgpack::object& o, EventRequest& out) {
  return read_struct(o, "event", {field("Name", out.name), field("Payload", out.payload),
                                  field("Coalesce", out.coalesce)});
}
util::Status decode(const msgpack::object& o, ForceLeaveRequest& out) {
  return read_struct(o, "force-leave", {field("Node", out.node), field("Prune", out.prune)});
}
util::Status decode(const msgpack::object& o, JoinRequest& out) {
  return read_struct(o, "join", {field("Existing", out.existing), field("Replay", out.replay)});
}
util::Status decode(const msgpack::object& o, MembersFilteredRequest& out) {
  return read_struct(o, "members-filtered", {field("Tags", out.tags), field("Status", out.status),
                                             field("Name", out.name)});
}
util::Status decode(const msgpack::object& o, TagsRequest& out) {
  return read_struct(o, "tags", {field("Tags", out.tags), field("DeleteTags", out.delete_tags)});
}
util::Status decode(const msgpack::object& o, StreamRequest& out) {
  return read_struct(o, "stream", {field("Type", out.type)});
}
util::Status decode(const msgpack::object& o, MonitorRequest& out) {
  return read_struct(o, "monitor", {field("LogLevel", out.log_level)});
}
util::Status decode(const msgpack::object& o, StopRequest& out) {
  return read_struct(o, "stop", {field("Stop", out.stop)});
}
util::Status decode(const msgpack::object& o, QueryRequest& out) {
  return read_struct(o, "query",
                     {field("FilterNodes", out.filter_nodes), field("FilterTags", out.filter_tags),
                      field("RequestAck", out.request_ack), field("RelayFactor", out.relay_factor),
                      field("Timeout", out.timeout_ns), field("Name", out.name),
                      field("Payload", out.payload)});
}
util::Status decode(const msgpack::object& o, RespondRequest& out) {
  return read_struct(o, "respond", {field("ID", out.id), field("Payload", out.payload)});
}
util::Status decode(const msgpack::object& o, KeyRequest& out) {
  return read_struct(o, "key", {field("Key", out.key)});
}
util::Status decode(const msgpack::object& o, CoordinateRequest& out) {
  return read_struct(o, "get-coordinate", {field("Node", out.node)});
}

// ---- response bodies -----------------------------------------------------------------------
util::Bytes encode(const JoinResponse& m) {
  Writer w;
  w.map(1).key("Num").i64(m.num);
  return w.take();
}
util::Bytes encode(const MembersResponse& m) {
  Writer w;
  w.map(1).key("Members").members(m.members);
  return w.take();
}
util::Bytes encode(const KeyResponse& m) {
  Writer w;
  w.map(5).key("Messages").string_map(m.messages).key("Keys");
  if (m.keys.empty()) {
    w.packer().pack_nil();
  } else {
    w.map(m.keys.size());
    for (const auto& [k, n] : m.keys) w.str(k).i64(n);
  }
  w.key("NumNodes").i64(m.num_nodes).key("NumErr").i64(m.num_err).key("NumResp").i64(m.num_resp);
  return w.take();
}
util::Bytes encode(const StatsResponse& m) {
  Writer w;
  w.map(m.size());
  for (const auto& [section, values] : m) w.str(section).string_map(values);
  return w.take();
}
util::Bytes encode(const CoordinateResponse& m) {
  Writer w;
  w.map(2).key("Coord").map(4).key("Vec");
  if (m.coord.vec.empty()) {
    w.packer().pack_nil();
  } else {
    w.packer().pack_array(static_cast<std::uint32_t>(m.coord.vec.size()));
    for (double d : m.coord.vec) w.f64(d);
  }
  w.key("Error").f64(m.coord.error).key("Adjustment").f64(m.coord.adjustment);
  w.key("Height").f64(m.coord.height).key("Ok").boolean(m.ok);
  return w.take();
}

util::Status decode(const msgpack::object& o, Member& out) {
  return read_struct(
      o, "member",
      {field("Name", out.name), field("Addr", out.addr), field("Port", out.port),
       field("Tags", out.tags), field("Status", out.status),
       field("ProtocolMin", out.protocol_min), field("ProtocolMax", out.protocol_max),
       field("ProtocolCur", out.protocol_cur), field("DelegateMin", out.delegate_min),
       field("DelegateMax", out.delegate_max), field("DelegateCur", out.delegate_cur)});
}
util::Status decode(const msgpack::object& o, JoinResponse& out) {
  return read_struct(o, "join response", {field("Num", out.num)});
}
util::Status decode(const msgpack::object& o, MembersResponse& out) {
  return read_struct(o, "members response", {field("Members", out.members)});
}
util::Status decode(const msgpack::object& o, KeyResponse& out) {
  return read_struct(o, "key response",
                     {field("Messages", out.messages), field("Keys", out.keys),
                      field("NumNodes", out.num_nodes), field("NumErr", out.num_err),
                      field("NumResp", out.num_resp)});
}
util::Status decode(const msgpack::object& o, StatsResponse& out) {
  out.clear();
  return each_field(o, "stats", [&](std::string_view section, const msgpack::object& v) {
    StringMap values;
    if (auto s = read(v, values, "stats"); !s.ok()) return s;
    out.insert_or_assign(std::string(section), std::move(values));
    return util::Status{};
  });
}
util::Status decode(const msgpack::object& o, Coordinate& out) {
  return read_struct(o, "coordinate",
                     {field("Vec", out.vec), field("Error", out.error),
                      field("Adjustment", out.adjustment), field("Height", out.height)});
}
util::Status decode(const msgpack::object& o, CoordinateResponse& out) {
  return each_field(o, "coordinate response", [&](std::string_view k, const msgpack::object& v) {
    if (k == "Coord") return decode(v, out.coord);
    if (k == "Ok") return read(v, out.ok, k);
    return util::Status{};
  });
}

// ---- stream records ------------------------------------------------------------------------
util::Bytes encode(const MemberEventRecord& m) {
  Writer w;
  w.map(2).key("Event").str(m.event).key("Members").members(m.members);
  return w.take();
}
util::Bytes encode(const UserEventRecord& m) {
  Writer w;
  w.map(5).key("Event").str(m.event).key("LTime").u64(m.ltime).key("Name").str(m.name);
  w.key("Payload").bin(m.payload).key("Coalesce").boolean(m.coalesce);
  return w.take();
}
util::Bytes encode(const QueryEventRecord& m) {
  Writer w;
  w.map(5).key("Event").str(m.event).key("ID").u64(m.id).key("LTime").u64(m.ltime);
  w.key("Name").str(m.name).key("Payload").bin(m.payload);
  return w.take();
}
util::Bytes encode(const QueryRecord& m) {
  Writer w;
  w.map(3).key("Type").str(m.type).key("From").str(m.from).key("Payload").bin(m.payload);
  return w.take();
}
util::Bytes encode(const LogRecord& m) {
  Writer w;
  w.map(1).key("Log").str(m.log);
  return w.take();
}

util::Status decode(const msgpack::object& o, MemberEventRecord& out) {
  return read_struct(o, "member event", {field("Event", out.event), field("Members", out.members)});
}
util::Status decode(const msgpack::object& o, UserEventRecord& out) {
  return read_struct(o, "user event",
                     {field("Event", out.event), field("LTime", out.ltime), field("Name", out.name),
                      field("Payload", out.payload), field("Coalesce", out.coalesce)});
}
util::Status decode(const msgpack::object& o, QueryEventRecord& out) {
  return read_struct(o, "query event",
                     {field("Event", out.event), field("ID", out.id), field("LTime", out.ltime),
                      field("Name", out.name), field("Payload", out.payload)});
}
util::Status decode(const msgpack::object& o, QueryRecord& out) {
  return read_struct(o, "query record", {field("Type", out.type), field("From", out.from),
                                         field("Payload", out.payload)});
}
util::Status decode(const msgpack::object& o, LogRecord& out) {
  return read_struct(o, "log record", {field("Log", out.log)});
}

}  // namespace agent::rpc
