// Serf's RPC ("IPC") protocol, shared by the agent's RPC server and the CLI: commands, error
// texts, and the message structs (serf-behaviour.md §4). codec.h encodes and decodes them;
// stream_splitter.h cuts a TCP byte stream into them.
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

#include "util/bytes.h"

namespace rpc {

inline constexpr int ipc_version = 1;  // the only handshake Version Serf accepts

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

}  // namespace rpc
