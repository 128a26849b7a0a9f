// Encoders and decoders of every RPC header, body and stream record (see codec.h), written
// with wire::mp's Writer in the RPC flavour and read with its bounded readers.
#include "rpc/codec.h"

#include <limits>
#include <string>
#include <type_traits>

#include "rpc/limits.h"

namespace rpc {

namespace {

using wire::mp::Writer;

// ---- writing -------------------------------------------------------------------------------
template <typename Fn>
util::Bytes build(Fn&& fn) {
  util::Bytes out;
  Writer w(out, wire::mp::Flavour::rpc);
  fn(w);
  return out;
}

std::uint32_t count(std::size_t n) { return static_cast<std::uint32_t>(n); }

void write_strings(Writer& w, const std::vector<std::string>& v) {  // Go's nil slice when empty
  if (v.empty()) {
    w.nil();
    return;
  }
  w.array(count(v.size()));
  for (const auto& s : v) w.str(s);
}

void write_string_map(Writer& w, const StringMap& m) {
  w.map(count(m.size()));
  for (const auto& [k, v] : m) w.str(k).str(v);
}

void write_member(Writer& w, const Member& m) {
  w.map(11);
  w.key("Name").str(m.name).key("Addr").bytes_or_nil(m.addr).key("Port").uint(m.port);
  w.key("Tags");
  write_string_map(w, m.tags);
  w.key("Status").str(m.status);
  w.key("ProtocolMin").uint(m.protocol_min).key("ProtocolMax").uint(m.protocol_max);
  w.key("ProtocolCur").uint(m.protocol_cur).key("DelegateMin").uint(m.delegate_min);
  w.key("DelegateMax").uint(m.delegate_max).key("DelegateCur").uint(m.delegate_cur);
}

void write_members(Writer& w, const std::vector<Member>& v) {
  w.array(count(v.size()));
  for (const auto& m : v) write_member(w, m);
}

// ---- reading -------------------------------------------------------------------------------
util::Status named(std::string_view field, util::Status st) {
  if (st.ok()) return st;
  return util::Error{st.error().code, std::string(field) + ": " + st.error().detail};
}

util::Status read_value(const Object& o, std::string& out) {
  return wire::mp::read_str(o, out, limits::str_bytes_max);
}
util::Status read_value(const Object& o, util::Bytes& out) {
  return wire::mp::read_bytes(o, out, limits::str_bytes_max);
}
util::Status read_value(const Object& o, bool& out) { return wire::mp::read(o, out); }
util::Status read_value(const Object& o, std::uint8_t& out) { return wire::mp::read(o, out); }
util::Status read_value(const Object& o, std::uint16_t& out) { return wire::mp::read(o, out); }
util::Status read_value(const Object& o, std::uint64_t& out) { return wire::mp::read(o, out); }
util::Status read_value(const Object& o, std::int64_t& out) { return wire::mp::read(o, out); }
util::Status read_value(const Object& o, double& out) { return wire::mp::read(o, out); }
util::Status read_value(const Object& o, std::int32_t& out) {  // Go's int32 (Version, Num)
  std::int64_t wide = 0;
  if (auto st = wire::mp::read(o, wide); !st.ok()) return st;
  if (wide < std::numeric_limits<std::int32_t>::min() ||
      wide > std::numeric_limits<std::int32_t>::max()) {
    return util::Error{util::Errc::malformed, "integer out of range"};
  }
  out = static_cast<std::int32_t>(wide);
  return {};
}
util::Status read_value(const Object& o, Member& out) { return decode(o, out); }
util::Status read_value(const Object& o, Coordinate& out) { return decode(o, out); }

template <typename T>
util::Status read_value(const Object& o, std::vector<T>& out) {
  out.clear();
  return wire::mp::for_each_item(o, limits::container_entries_max, [&](const Object& item) {
    T value{};
    if (auto st = read_value(item, value); !st.ok()) return st;
    out.push_back(std::move(value));
    return util::Status{};
  });
}

template <typename V>
util::Status read_value(const Object& o, std::map<std::string, V>& out) {
  out.clear();
  return wire::mp::for_each_field(o, [&](std::string_view k, const Object& v) {
    V value{};
    if (auto st = read_value(v, value); !st.ok()) return st;
    out.insert_or_assign(std::string(k), std::move(value));
    return util::Status{};
  });
}

// One Go field of a struct: its key and where its value goes.
template <typename T>
struct Field {
  std::string_view key;
  T& target;
};
template <typename T>
Field<T> field(std::string_view key, T& target) {
  return Field<T>{key, target};
}

// Reads a struct encoded as a map of Go field names; unknown keys are ignored, as Go does.
template <typename... Ts>
util::Status read_struct(const Object& o, Field<Ts>... fields) {
  return wire::mp::for_each_field(o, [&](std::string_view key, const Object& v) {
    util::Status st;
    // Stops at the first field whose key matches.
    (void)((key == fields.key && (st = named(fields.key, read_value(v, fields.target)), true)) ||
           ...);
    return st;
  });
}

util::Status expect_map(const Object& o, std::string_view what) {
  if (o.type == msgpack::type::MAP) return {};
  return util::Error{util::Errc::malformed, std::string(what) + ": expected a map"};
}

}  // namespace

// ---- headers -------------------------------------------------------------------------------
util::Bytes encode(const RequestHeader& m) {
  return build([&](Writer& w) { w.map(2).key("Command").str(m.command).key("Seq").uint(m.seq); });
}
util::Bytes encode(const ResponseHeader& m) {
  return build([&](Writer& w) { w.map(2).key("Seq").uint(m.seq).key("Error").str(m.error); });
}
util::Status decode(const Object& o, RequestHeader& out) {
  if (auto st = expect_map(o, "request header"); !st.ok()) return st;
  return read_struct(o, field("Command", out.command), field("Seq", out.seq));
}
util::Status decode(const Object& o, ResponseHeader& out) {
  if (auto st = expect_map(o, "response header"); !st.ok()) return st;
  return read_struct(o, field("Seq", out.seq), field("Error", out.error));
}

// ---- request bodies ------------------------------------------------------------------------
util::Bytes encode(const HandshakeRequest& m) {
  return build([&](Writer& w) { w.map(1).key("Version").sint(m.version); });
}
util::Bytes encode(const AuthRequest& m) {
  return build([&](Writer& w) { w.map(1).key("AuthKey").str(m.auth_key); });
}
util::Bytes encode(const EventRequest& m) {
  return build([&](Writer& w) {
    w.map(3).key("Name").str(m.name).key("Payload").bytes_or_nil(m.payload);
    w.key("Coalesce").boolean(m.coalesce);
  });
}
util::Bytes encode(const ForceLeaveRequest& m) {
  return build([&](Writer& w) { w.map(2).key("Node").str(m.node).key("Prune").boolean(m.prune); });
}
util::Bytes encode(const JoinRequest& m) {
  return build([&](Writer& w) {
    w.map(2).key("Existing");
    write_strings(w, m.existing);
    w.key("Replay").boolean(m.replay);
  });
}
util::Bytes encode(const MembersFilteredRequest& m) {
  return build([&](Writer& w) {
    w.map(3).key("Tags");
    write_string_map(w, m.tags);
    w.key("Status").str(m.status).key("Name").str(m.name);
  });
}
util::Bytes encode(const TagsRequest& m) {
  return build([&](Writer& w) {
    w.map(2).key("Tags");
    write_string_map(w, m.tags);
    w.key("DeleteTags");
    write_strings(w, m.delete_tags);
  });
}
util::Bytes encode(const StreamRequest& m) {
  return build([&](Writer& w) { w.map(1).key("Type").str(m.type); });
}
util::Bytes encode(const MonitorRequest& m) {
  return build([&](Writer& w) { w.map(1).key("LogLevel").str(m.log_level); });
}
util::Bytes encode(const StopRequest& m) {
  return build([&](Writer& w) { w.map(1).key("Stop").uint(m.stop); });
}
util::Bytes encode(const QueryRequest& m) {
  return build([&](Writer& w) {
    w.map(7).key("FilterNodes");
    write_strings(w, m.filter_nodes);
    w.key("FilterTags");
    write_string_map(w, m.filter_tags);
    w.key("RequestAck").boolean(m.request_ack).key("RelayFactor").uint(m.relay_factor);
    w.key("Timeout").sint(m.timeout_ns).key("Name").str(m.name);
    w.key("Payload").bytes_or_nil(m.payload);
  });
}
util::Bytes encode(const RespondRequest& m) {
  return build(
      [&](Writer& w) { w.map(2).key("ID").uint(m.id).key("Payload").bytes_or_nil(m.payload); });
}
util::Bytes encode(const KeyRequest& m) {
  return build([&](Writer& w) { w.map(1).key("Key").str(m.key); });
}
util::Bytes encode(const CoordinateRequest& m) {
  return build([&](Writer& w) { w.map(1).key("Node").str(m.node); });
}

util::Status decode(const Object& o, HandshakeRequest& out) {
  return read_struct(o, field("Version", out.version));
}
util::Status decode(const Object& o, AuthRequest& out) {
  return read_struct(o, field("AuthKey", out.auth_key));
}
util::Status decode(const Object& o, EventRequest& out) {
  return read_struct(o, field("Name", out.name), field("Payload", out.payload),
                     field("Coalesce", out.coalesce));
}
util::Status decode(const Object& o, ForceLeaveRequest& out) {
  return read_struct(o, field("Node", out.node), field("Prune", out.prune));
}
util::Status decode(const Object& o, JoinRequest& out) {
  return read_struct(o, field("Existing", out.existing), field("Replay", out.replay));
}
util::Status decode(const Object& o, MembersFilteredRequest& out) {
  return read_struct(o, field("Tags", out.tags), field("Status", out.status),
                     field("Name", out.name));
}
util::Status decode(const Object& o, TagsRequest& out) {
  return read_struct(o, field("Tags", out.tags), field("DeleteTags", out.delete_tags));
}
util::Status decode(const Object& o, StreamRequest& out) {
  return read_struct(o, field("Type", out.type));
}
util::Status decode(const Object& o, MonitorRequest& out) {
  return read_struct(o, field("LogLevel", out.log_level));
}
util::Status decode(const Object& o, StopRequest& out) {
  return read_struct(o, field("Stop", out.stop));
}
util::Status decode(const Object& o, QueryRequest& out) {
  return read_struct(o, field("FilterNodes", out.filter_nodes),
                     field("FilterTags", out.filter_tags), field("RequestAck", out.request_ack),
                     field("RelayFactor", out.relay_factor), field("Timeout", out.timeout_ns),
                     field("Name", out.name), field("Payload", out.payload));
}
util::Status decode(const Object& o, RespondRequest& out) {
  return read_struct(o, field("ID", out.id), field("Payload", out.payload));
}
util::Status decode(const Object& o, KeyRequest& out) {
  return read_struct(o, field("Key", out.key));
}
util::Status decode(const Object& o, CoordinateRequest& out) {
  return read_struct(o, field("Node", out.node));
}

// ---- response bodies -----------------------------------------------------------------------
util::Bytes encode(const JoinResponse& m) {
  return build([&](Writer& w) { w.map(1).key("Num").sint(m.num); });
}
util::Bytes encode(const MembersResponse& m) {
  return build([&](Writer& w) {
    w.map(1).key("Members");
    write_members(w, m.members);
  });
}
util::Bytes encode(const KeyResponse& m) {
  return build([&](Writer& w) {
    w.map(5).key("Messages");
    write_string_map(w, m.messages);
    w.key("Keys");
    if (m.keys.empty()) {
      w.nil();
    } else {
      w.map(count(m.keys.size()));
      for (const auto& [k, n] : m.keys) w.str(k).sint(n);
    }
    w.key("NumNodes").sint(m.num_nodes).key("NumErr").sint(m.num_err);
    w.key("NumResp").sint(m.num_resp);
  });
}
util::Bytes encode(const StatsResponse& m) {
  return build([&](Writer& w) {
    w.map(count(m.size()));
    for (const auto& [section, values] : m) {
      w.str(section);
      write_string_map(w, values);
    }
  });
}
util::Bytes encode(const CoordinateResponse& m) {
  return build([&](Writer& w) {
    w.map(2).key("Coord").map(4).key("Vec");
    if (m.coord.vec.empty()) {
      w.nil();
    } else {
      w.array(count(m.coord.vec.size()));
      for (double d : m.coord.vec) w.f64(d);
    }
    w.key("Error").f64(m.coord.error).key("Adjustment").f64(m.coord.adjustment);
    w.key("Height").f64(m.coord.height).key("Ok").boolean(m.ok);
  });
}

util::Status decode(const Object& o, Member& out) {
  return read_struct(o, field("Name", out.name), field("Addr", out.addr), field("Port", out.port),
                     field("Tags", out.tags), field("Status", out.status),
                     field("ProtocolMin", out.protocol_min),
                     field("ProtocolMax", out.protocol_max),
                     field("ProtocolCur", out.protocol_cur),
                     field("DelegateMin", out.delegate_min),
                     field("DelegateMax", out.delegate_max),
                     field("DelegateCur", out.delegate_cur));
}
util::Status decode(const Object& o, JoinResponse& out) {
  return read_struct(o, field("Num", out.num));
}
util::Status decode(const Object& o, MembersResponse& out) {
  return read_struct(o, field("Members", out.members));
}
util::Status decode(const Object& o, KeyResponse& out) {
  return read_struct(o, field("Messages", out.messages), field("Keys", out.keys),
                     field("NumNodes", out.num_nodes), field("NumErr", out.num_err),
                     field("NumResp", out.num_resp));
}
util::Status decode(const Object& o, StatsResponse& out) { return read_value(o, out); }
util::Status decode(const Object& o, Coordinate& out) {
  return read_struct(o, field("Vec", out.vec), field("Error", out.error),
                     field("Adjustment", out.adjustment), field("Height", out.height));
}
util::Status decode(const Object& o, CoordinateResponse& out) {
  return read_struct(o, field("Coord", out.coord), field("Ok", out.ok));
}

// ---- stream records ------------------------------------------------------------------------
util::Bytes encode(const MemberEventRecord& m) {
  return build([&](Writer& w) {
    w.map(2).key("Event").str(m.event).key("Members");
    write_members(w, m.members);
  });
}
util::Bytes encode(const UserEventRecord& m) {
  return build([&](Writer& w) {
    w.map(5).key("Event").str(m.event).key("LTime").uint(m.ltime).key("Name").str(m.name);
    w.key("Payload").bytes_or_nil(m.payload).key("Coalesce").boolean(m.coalesce);
  });
}
util::Bytes encode(const QueryEventRecord& m) {
  return build([&](Writer& w) {
    w.map(5).key("Event").str(m.event).key("ID").uint(m.id).key("LTime").uint(m.ltime);
    w.key("Name").str(m.name).key("Payload").bytes_or_nil(m.payload);
  });
}
util::Bytes encode(const QueryRecord& m) {
  return build([&](Writer& w) {
    w.map(3).key("Type").str(m.type).key("From").str(m.from);
    w.key("Payload").bytes_or_nil(m.payload);
  });
}
util::Bytes encode(const LogRecord& m) {
  return build([&](Writer& w) { w.map(1).key("Log").str(m.log); });
}

util::Status decode(const Object& o, MemberEventRecord& out) {
  return read_struct(o, field("Event", out.event), field("Members", out.members));
}
util::Status decode(const Object& o, UserEventRecord& out) {
  return read_struct(o, field("Event", out.event), field("LTime", out.ltime),
                     field("Name", out.name), field("Payload", out.payload),
                     field("Coalesce", out.coalesce));
}
util::Status decode(const Object& o, QueryEventRecord& out) {
  return read_struct(o, field("Event", out.event), field("ID", out.id),
                     field("LTime", out.ltime), field("Name", out.name),
                     field("Payload", out.payload));
}
util::Status decode(const Object& o, QueryRecord& out) {
  return read_struct(o, field("Type", out.type), field("From", out.from),
                     field("Payload", out.payload));
}
util::Status decode(const Object& o, LogRecord& out) {
  return read_struct(o, field("Log", out.log));
}

// ---- whole requests ------------------------------------------------------------------------
namespace {
template <typename T>
util::Result<RequestBody> decode_as(const Object& o) {
  T body;
  if (auto s = decode(o, body); !s.ok()) return s.error();
  return RequestBody(std::move(body));
}
}  // namespace

util::Result<RequestBody> decode_request_body(Command command, const Object& o) {
  switch (command) {
    case Command::handshake: return decode_as<HandshakeRequest>(o);
    case Command::auth: return decode_as<AuthRequest>(o);
    case Command::event: return decode_as<EventRequest>(o);
    case Command::force_leave: return decode_as<ForceLeaveRequest>(o);
    case Command::join: return decode_as<JoinRequest>(o);
    case Command::members_filtered: return decode_as<MembersFilteredRequest>(o);
    case Command::tags: return decode_as<TagsRequest>(o);
    case Command::stream: return decode_as<StreamRequest>(o);
    case Command::monitor: return decode_as<MonitorRequest>(o);
    case Command::stop: return decode_as<StopRequest>(o);
    case Command::query: return decode_as<QueryRequest>(o);
    case Command::respond: return decode_as<RespondRequest>(o);
    case Command::install_key:
    case Command::use_key:
    case Command::remove_key: return decode_as<KeyRequest>(o);
    case Command::get_coordinate: return decode_as<CoordinateRequest>(o);
    case Command::members:
    case Command::leave:
    case Command::list_keys:
    case Command::stats: return RequestBody{};
  }
  return util::Error{util::Errc::unsupported, "unknown command"};
}

util::Bytes encode_request(Command command, std::uint64_t seq, const RequestBody& body) {
  util::Bytes out = encode(RequestHeader{command_name(command), seq});
  std::visit(
      [&out](const auto& b) {
        if constexpr (!std::is_same_v<std::decay_t<decltype(b)>, std::monostate>) {
          util::Bytes bytes = encode(b);
          out.insert(out.end(), bytes.begin(), bytes.end());
        }
      },
      body);
  return out;
}

}  // namespace rpc
