// The RPC byte stream: command names, the object splitter (Decoder) and the server's request
// reader. The per-struct encoders and decoders live in rpc_protocol_codec.cpp.
#include "agent/rpc_protocol.h"

#include <array>
#include <exception>
#include <new>
#include <utility>

namespace agent::rpc {

namespace {

struct CommandInfo {
  Command command;
  const char* name;
  bool request_body;
  bool response_body;
};

constexpr std::array<CommandInfo, 20> commands = {{
    {Command::handshake, "handshake", true, false},
    {Command::auth, "auth", true, false},
    {Command::event, "event", true, false},
    {Command::force_leave, "force-leave", true, false},
    {Command::join, "join", true, true},
    {Command::members, "members", false, true},
    {Command::members_filtered, "members-filtered", true, true},
    {Command::tags, "tags", true, false},
    {Command::stream, "stream", true, false},
    {Command::monitor, "monitor", true, false},
    {Command::stop, "stop", true, false},
    {Command::leave, "leave", false, false},
    {Command::query, "query", true, false},
    {Command::respond, "respond", true, false},
    {Command::install_key, "install-key", true, true},
    {Command::use_key, "use-key", true, true},
    {Command::remove_key, "remove-key", true, true},
    {Command::list_keys, "list-keys", false, true},
    {Command::stats, "stats", false, true},
    {Command::get_coordinate, "get-coordinate", true, true},
}};

const CommandInfo& info(Command c) {
  for (const auto& i : commands) {
    if (i.command == c) return i;
  }
  return commands[0];  // unreachable for valid enumerators
}

// Walks one msgpack object without building it: tells whether it is complete and enforces
// our limits before msgpack-cxx allocates anything for it.
class LimitVisitor : public msgpack::null_visitor {
 public:
  bool visit_str(const char*, std::uint32_t size) { return check_size(size); }
  bool visit_bin(const char*, std::uint32_t size) { return check_size(size); }
  bool visit_ext(const char*, std::uint32_t) { return fail(util::Errc::malformed, "ext type"); }
  bool start_array(std::uint32_t n) { return open(n); }
  bool end_array() { return close(); }
  bool start_map(std::uint32_t n) { return open(n); }
  bool end_map() { return close(); }
  void parse_error(std::size_t, std::size_t) { fail(util::Errc::malformed, "not msgpack"); }
  void insufficient_bytes(std::size_t, std::size_t) { incomplete_ = true; }

  std::optional<util::Error> error;
  bool incomplete_ = false;

 private:
  bool fail(util::Errc code, const char* what) {
    if (!error) error = util::Error{code, what};
    return false;
  }
  bool check_size(std::uint32_t size) {
    return size <= limits::str_bytes_max || fail(util::Errc::too_large, "str or bin too large");
  }
  bool open(std::uint32_t n) {
    if (n > limits::container_entries_max) {
      return fail(util::Errc::too_large, "container too large");
    }
    if (++depth_ > limits::depth_max) return fail(util::Errc::malformed, "nesting too deep");
    return true;
  }
  bool close() {
    --depth_;
    return true;
  }
  std::size_t depth_ = 0;
};

}  // namespace

const char* command_name(Command c) { return info(c).name; }

std::optional<Command> parse_command(std::string_view name) {
  for (const auto& i : commands) {
    if (name == i.name) return i.command;
  }
  return std::nullopt;
}

bool request_has_body(Command c) { return info(c).request_body; }
bool response_has_body(Command c) { return info(c).response_body; }

void Decoder::feed(util::ByteView bytes) {
  if (off_ > 0 && off_ >= buf_.size() / 2) {  // compact: consumed prefix is dead
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(off_));
    off_ = 0;
  }
  buf_.insert(buf_.end(), bytes.begin(), bytes.end());
}

util::Result<std::optional<msgpack::object_handle>> Decoder::next_object() {
  if (failed_) return util::Error{util::Errc::malformed, "stream already failed"};
  if (off_ == buf_.size()) return std::optional<msgpack::object_handle>{};
  const char* data = reinterpret_cast<const char*>(buf_.data()) + off_;
  const std::size_t len = buf_.size() - off_;
  try {
    LimitVisitor v;
    std::size_t end = 0;
    const bool complete = msgpack::parse(data, len, end, v);
    if (!complete) {
      if (v.error) {
        failed_ = true;
        return *v.error;
      }
      if (len > pending_max_) {
        failed_ = true;
        return util::Error{util::Errc::too_large, "pending object too large"};
      }
      return std::optional<msgpack::object_handle>{};
    }
    std::size_t used = 0;
    const msgpack::unpack_limit lim(limits::container_entries_max, limits::container_entries_max,
                                    limits::str_bytes_max, limits::str_bytes_max, 0,
                                    limits::depth_max + 1);
    msgpack::object_handle oh = msgpack::unpack(data, end, used, nullptr, nullptr, lim);
    off_ += used;
    return std::optional<msgpack::object_handle>(std::move(oh));
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    failed_ = true;
    return util::Error{util::Errc::malformed, e.what()};
  }
}

util::Result<std::optional<Request>> RequestReader::next_request() {
  if (failed_) return util::Error{util::Errc::malformed, "request stream already failed"};
  auto r = read();
  if (!r.ok()) failed_ = true;
  return r;
}

util::Result<std::optional<Request>> RequestReader::read() {
  if (!pending_) {
    auto head = decoder_.next_object();
    if (!head.ok()) return head.error();
    if (!head->has_value()) return std::optional<Request>{};
    RequestHeader h;
    if (auto s = decode((*head)->get(), h); !s.ok()) return s.error();
    last_seq_ = h.seq;
    auto command = parse_command(h.command);
    if (!command) {
      return util::Error{util::Errc::unsupported, std::string(errors::unsupported_command)};
    }
    if (!request_has_body(*command)) return std::optional<Request>(Request{*command, h.seq, {}});
    pending_ = command;
  }
  auto body = decoder_.next_object();
  if (!body.ok()) return body.error();
  if (!body->has_value()) return std::optional<Request>{};
  const Command command = *std::exchange(pending_, std::nullopt);
  auto decoded = decode_request_body(command, (*body)->get());
  if (!decoded.ok()) return decoded.error();
  return std::optional<Request>(Request{command, last_seq_, std::move(*decoded)});
}

namespace {
template <typename T>
util::Result<RequestBody> decode_as(const msgpack::object& o) {
  T body;
  if (auto s = decode(o, body); !s.ok()) return s.error();
  return RequestBody(std::move(body));
}
}  // namespace

util::Result<RequestBody> decode_request_body(Command command, const msgpack::object& o) {
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

}  // namespace agent::rpc
