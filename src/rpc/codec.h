// Encoders and decoders of every RPC header, body and stream record (messages.h), on wire's
// msgpack layer in its RPC flavour (str8/16/32 strings, bin payloads). Encoding writes Go's
// field names in Go declaration order, as Serf's codec does; empty Payload/Addr, empty slices
// and an empty Keys map encode as nil. Decoding walks one already split object: maps in any
// key order, unknown keys skipped, nil = zero value, any integer width (range-checked).
#pragma once

#include <cstdint>

#include "rpc/messages.h"
#include "util/bytes.h"
#include "util/result.h"
#include "wire/msgpack.h"

namespace rpc {

using Object = wire::mp::Object;

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

// Each fails with Errc::malformed (detail "<Go field>: <why>") on a wrong type or an
// out-of-range integer, and with Errc::too_large on a string over limits::str_bytes_max.
util::Status decode(const Object& o, RequestHeader& out);
util::Status decode(const Object& o, ResponseHeader& out);
util::Status decode(const Object& o, HandshakeRequest& out);
util::Status decode(const Object& o, AuthRequest& out);
util::Status decode(const Object& o, EventRequest& out);
util::Status decode(const Object& o, ForceLeaveRequest& out);
util::Status decode(const Object& o, JoinRequest& out);
util::Status decode(const Object& o, MembersFilteredRequest& out);
util::Status decode(const Object& o, TagsRequest& out);
util::Status decode(const Object& o, StreamRequest& out);
util::Status decode(const Object& o, MonitorRequest& out);
util::Status decode(const Object& o, StopRequest& out);
util::Status decode(const Object& o, QueryRequest& out);
util::Status decode(const Object& o, RespondRequest& out);
util::Status decode(const Object& o, KeyRequest& out);
util::Status decode(const Object& o, CoordinateRequest& out);
util::Status decode(const Object& o, Member& out);
util::Status decode(const Object& o, JoinResponse& out);
util::Status decode(const Object& o, MembersResponse& out);
util::Status decode(const Object& o, KeyResponse& out);
util::Status decode(const Object& o, StatsResponse& out);
util::Status decode(const Object& o, Coordinate& out);
util::Status decode(const Object& o, CoordinateResponse& out);
util::Status decode(const Object& o, MemberEventRecord& out);
util::Status decode(const Object& o, UserEventRecord& out);
util::Status decode(const Object& o, QueryEventRecord& out);
util::Status decode(const Object& o, QueryRecord& out);
util::Status decode(const Object& o, LogRecord& out);

// Decodes the body a request with this command carries (std::monostate if none).
util::Result<RequestBody> decode_request_body(Command command, const Object& o);

}  // namespace rpc
