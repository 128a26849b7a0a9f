// Serf's RPC ("IPC") protocol: message structs, their msgpack encoding, and an incremental
// decoder for the TCP byte stream (serf-behaviour.md §4).
//
// Byte format: one TCP connection carries concatenated msgpack objects with no length prefix.
// A request is a header map {Command: str, Seq: uint} optionally followed by a body map; a
// response is a header map {Seq: uint, Error: str} optionally followed by a body map. Whether a
// body follows is known only from the command (request_has_body / response_has_body). Maps use
// the Go field names as keys, in Go declaration order when we encode; strings are msgpack str,
// Payload and Addr are bin. Decoders accept str or bin for both, any integer width, any key
// order, nil for any field (= zero value), and ignore unknown keys, as Go's decoder does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <msgpack.hpp>

#include "util/bytes.h"
#include "util/result.h"

namespace agent::rpc {

namespace limits {
// Deepest body is members: map > Members array > member map > Tags map (4).
constexpr std::size_t depth_max = 8;
constexpr std::size_t container_entries_max = 1 << 20;  // one array or map
constexpr std::size_t str_bytes_max = 1 << 20;          // one str or bin (log lines, payloads)
// Bytes buffered for one object that has not fully arrived; also bounds msgpack-cxx's
// allocation, which we only run on complete objects.
constexpr std::size_t pending_bytes_max = 16 << 20;
// The same for the server's side: a request is a few names, tags and a small payload.
constexpr std::size_t request_pending_bytes_max = 1 << 20;
constexpr int ipc_version = 1;  // the only handshake Version Serf accepts
}  // namespace limits

// Append only: the names are on the wire (command_name).
enum class Command {
  handshake,
  auth,
  event,
  force_leave,
  join,
  members,
  members_filtered,
  tags,
  stream,
  monitor,
  stop,
  leave,
  query,
  respond,
  install_key,
  use_key,
  remove_key,
  list_keys,
  stats,
  get_coordinate,
};

const char* command_name(Command c);  // "handshake", "force-leave", ...
std::optional<Command> parse_command(std::string_view name);
// Bodies exist for every request but members, leave, list-keys and stats.
bool request_has_body(Command c);
// join, members, members-filtered, the four key commands, stats and get-coordinate answer
// with a body (also on error, except "Authentication required", which never has one).
bool response_has_body(Command c);

// Error strings Serf's server puts in the response header.
namespace errors {
inline constexpr std::string_view unsupported_command = "Unsupported command";
inline constexpr std::string_view unsupported_ipc_version = "Unsupported IPC version";
inline constexpr std::string_view duplicate_handshake = "Handshake already performed";
inline constexpr std::string_view handshake_required = "Handshake required";
inline constexpr std::string_view monitor_exists = "Monitor already exists";
inline constexpr std::string_view invalid_filter = "Invalid event filter";
inline constexpr std::string_view stream_exists = "Stream with given sequence exists";
inline constexpr std::string_view invalid_query_id = "No pending queries matching ID";
inline constexpr std::string_view auth_required = "Authentication required";
inline constexpr std::string_view invalid_auth_token = "Invalid authentication token";
}  // namespace errors

using StringMap = std::map<std::string, std::string>;

// --- headers -----------------------------------------------------------------------------
struct RequestHeader {
  std::string command;  // kept as text: unknown commands must still be answered by Seq
  std::uint64_t seq = 0;
};
struct ResponseHeader {
  std::uint64_t seq = 0;
  std::string error;  // "" = success
};

// --- request bodies ----------------------------------------------------------------------
struct HandshakeRequest { std::int32_t version = 0; };
struct AuthRequest { std::string auth_key; };
struct EventRequest {
  std::string name;
  util::Bytes payload;
  bool coalesce = false;
};
struct ForceLeaveRequest {
  std::string node;
  bool prune = false;
};
struct JoinRequest {
  std::vector<std::string> existing;
  bool replay = false;
};
struct MembersFilteredRequest {
  StringMap tags;      // tag -> regex (anchored by the server)
  std::string status;  // regex; "" = no filter
  std::string name;    // regex; "" = no filter
};
struct TagsRequest {
  StringMap tags;
  std::vector<std::string> delete_tags;
};
struct StreamRequest { std::string type; };      // event filter, "" or "*" = all
struct MonitorRequest { std::string log_level; };
struct StopRequest { std::uint64_t stop = 0; };  // Seq of the stream or monitor
struct QueryRequest {
  std::vector<std::string> filter_nodes;
  StringMap filter_tags;
  bool request_ack = false;
  std::uint8_t relay_factor = 0;
  std::int64_t timeout_ns = 0;  // Go time.Duration; 0 = default
  std::string name;
  util::Bytes payload;
};
struct RespondRequest {
  std::uint64_t id = 0;
  util::Bytes payload;
};
struct KeyRequest { std::string key; };  // base64; install-key, use-key, remove-key
struct CoordinateRequest { std::string node; };

using RequestBody =
    std::variant<std::monostate, HandshakeRequest, AuthRequest, EventRequest, ForceLeaveRequest,
                 JoinRequest, MembersFilteredRequest, TagsRequest, StreamRequest, MonitorRequest,
                 StopRequest, QueryRequest, RespondRequest, KeyRequest, CoordinateRequest>;

// A complete request. body is std::monostate exactly when !request_has_body(command).
struct Request {
  Command command = Command::handshake;
  std::uint64_t seq = 0;
  RequestBody body;
};

// --- response bodies ---------------------------------------------------------------------
struct Member {
  std::string name;
  util::Bytes addr;  // 4 bytes (IPv4) or 16 bytes (IPv6)
  std::uint16_t port = 0;
  StringMap tags;
  std::string status;  // alive, leaving, left, failed
  std::uint8_t protocol_min = 0, protocol_max = 0, protocol_cur = 0;  // memberlist
  std::uint8_t delegate_min = 0, delegate_max = 0, delegate_cur = 0;  // serf
};
struct JoinResponse { std::int32_t num = 0; };
struct MembersResponse { std::vector<Member> members; };
struct KeyResponse {
  StringMap messages;                   // node -> error message
  // list-keys only: base64 key -> members holding it; encoded as nil when empty.
  std::map<std::string, std::int64_t> keys;
  std::int64_t num_nodes = 0, num_err = 0, num_resp = 0;
};
using StatsResponse = std::map<std::string, StringMap>;  // section -> key -> value
struct Coordinate {
  std::vector<double> vec;  // nil when empty
  double error = 0, adjustment = 0, height = 0;
};
struct CoordinateResponse {
  Coordinate coord;
  bool ok = false;
};

// --- stream records (each after a header carrying the opening request's Seq) --------------
struct MemberEventRecord {
  std::string event;  // member-join, member-leave, member-failed, member-update, member-reap
  std::vector<Member> members;
};
struct UserEventRecord {
  std::string event = "user";
  std::uint64_t ltime = 0;
  std::string name;
  util::Bytes payload;
  bool coalesce = false;
};
struct QueryEventRecord {
  std::string event = "query";
  std::uint64_t id = 0;  // per connection; the client answers with respond{ID}
  std::uint64_t ltime = 0;
  std::string name;
  util::Bytes payload;
};
struct QueryRecord {
  std::string type;  // "ack", "response", "done"
  std::string from;
  util::Bytes payload;
};
struct LogRecord { std::string log; };

// --- encoding: one msgpack object each; empty Payload/Addr, slices and Keys encode as nil ---
util::Bytes encode(const RequestHeader& m);
util::Bytes encode(const ResponseHeader& m);
util::Bytes encode(const HandshakeRequest& m);
util::Bytes encode(const AuthRequest& m);
util::Bytes encode(const EventRequest& m);
util::Bytes encode(const ForceLeaveRequest& m);
util::Bytes encode(const JoinRequest& m);
util::Bytes encode(const MembersFilteredRequest& m);
util::Bytes encode(const TagsRequest& m);
util::Bytes encode(const StreamRequest& m);
util::Bytes encode(const MonitorRequest& m);
util::Bytes encode(const StopRequest& m);
util::Bytes encode(const QueryRequest& m);
util::Bytes encode(const RespondRequest& m);
util::Bytes encode(const KeyRequest& m);
util::Bytes encode(const CoordinateRequest& m);
util::Bytes encode(const JoinResponse& m);
util::Bytes encode(const MembersResponse& m);
util::Bytes encode(const KeyResponse& m);
util::Bytes encode(const StatsResponse& m);
util::Bytes encode(const CoordinateResponse& m);
util::Bytes encode(const MemberEventRecord& m);
util::Bytes encode(const UserEventRecord& m);
util::Bytes encode(const QueryEventRecord& m);
util::Bytes encode(const QueryRecord& m);
util::Bytes encode(const LogRecord& m);

// Header followed by its body, or by nothing for std::monostate.
util::Bytes encode_request(Command command, std::uint64_t seq, const RequestBody& body);
template <typename Body>
util::Bytes encode_response(const ResponseHeader& header, const Body& body) {
  util::Bytes out = encode(header);
  util::Bytes b = encode(body);
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

// --- decoding one already-split object ---------------------------------------------------
// Each fails with Errc::malformed on a wrong type or an out-of-range integer.
util::Status decode(const msgpack::object& o, RequestHeader& out);
util::Status decode(const msgpack::object& o, ResponseHeader& out);
util::Status decode(const msgpack::object& o, HandshakeRequest& out);
util::Status decode(const msgpack::object& o, AuthRequest& out);
util::Status decode(const msgpack::object& o, EventRequest& out);
util::Status decode(const msgpack::object& o, ForceLeaveRequest& out);
util::Status decode(const msgpack::object& o, JoinRequest& out);
util::Status decode(const msgpack::object& o, MembersFilteredRequest& out);
util::Status decode(const msgpack::object& o, TagsRequest& out);
util::Status decode(const msgpack::object& o, StreamRequest& out);
util::Status decode(const msgpack::object& o, MonitorRequest& out);
util::Status decode(const msgpack::object& o, StopRequest& out);
util::Status decode(const msgpack::object& o, QueryRequest& out);
util::Status decode(const msgpack::object& o, RespondRequest& out);
util::Status decode(const msgpack::object& o, KeyRequest& out);
util::Status decode(const msgpack::object& o, CoordinateRequest& out);
util::Status decode(const msgpack::object& o, Member& out);
util::Status decode(const msgpack::object& o, JoinResponse& out);
util::Status decode(const msgpack::object& o, MembersResponse& out);
util::Status decode(const msgpack::object& o, KeyResponse& out);
util::Status decode(const msgpack::object& o, StatsResponse& out);
util::Status decode(const msgpack::object& o, Coordinate& out);
util::Status decode(const msgpack::object& o, CoordinateResponse& out);
util::Status decode(const msgpack::object& o, MemberEventRecord& out);
util::Status decode(const msgpack::object& o, UserEventRecord& out);
util::Status decode(const msgpack::object& o, QueryEventRecord& out);
util::Status decode(const msgpack::object& o, QueryRecord& out);
util::Status decode(const msgpack::object& o, LogRecord& out);

// Decodes the body a request with this command carries (std::monostate if none).
util::Result<RequestBody> decode_request_body(Command command, const msgpack::object& o);

// --- the byte stream ---------------------------------------------------------------------
// Splits a TCP byte stream into msgpack objects. feed() whatever arrived; next_object() then
// yields complete objects in order. An object is only handed to msgpack-cxx once all its bytes
// are buffered, so a hostile header can't make it allocate more than ~24x the bytes we hold.
// After an error the stream is unusable: close the connection.
class Decoder {
 public:
  explicit Decoder(std::size_t pending_bytes_max = limits::pending_bytes_max)
      : pending_max_(pending_bytes_max) {}
  void feed(util::ByteView bytes);
  // nullopt: the next object has not fully arrived. Errors: malformed (not msgpack, or nesting
  // deeper than limits::depth_max), too_large (a str/bin/container or the pending bytes over
  // their limits).
  util::Result<std::optional<msgpack::object_handle>> next_object();
  [[nodiscard]] std::size_t buffered_bytes() const { return buf_.size() - off_; }

 private:
  util::Bytes buf_;
  std::size_t off_ = 0;
  std::size_t pending_max_;
  bool failed_ = false;
};

// The server's side: whole requests out of the byte stream.
class RequestReader {
 public:
  void feed(util::ByteView bytes) { decoder_.feed(bytes); }
  // nullopt: wait for more bytes. Errors are final (every later call fails too); close the
  // connection afterwards:
  //  - Errc::unsupported: the header names an unknown command; reply
  //    errors::unsupported_command with last_seq() first, as Serf does;
  //  - anything else: a malformed stream, header or body; Serf closes without replying.
  util::Result<std::optional<Request>> next_request();
  // Seq of the last header read (valid after an Errc::unsupported error).
  [[nodiscard]] std::uint64_t last_seq() const { return last_seq_; }

 private:
  util::Result<std::optional<Request>> read();

  Decoder decoder_{limits::request_pending_bytes_max};
  bool failed_ = false;  // errors are final: the stream position is no longer trustworthy
  std::optional<Command> pending_;  // header read, body not yet arrived
  std::uint64_t last_seq_ = 0;
};

}  // namespace agent::rpc
