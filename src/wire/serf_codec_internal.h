// Pieces shared by serf_codec.cpp and serf_formats.cpp that are not part of the wire API.
#pragma once

#include "util/bytes.h"
#include "util/result.h"
#include "wire/msgpack.h"
#include "wire/serf_messages.h"

namespace wire::serf::detail {

// Member map, keys sorted: Addr, DelegateCur/Max/Min, Name, Port, ProtocolCur/Max/Min,
// Status, Tags (§9.10).
void write_member(mp::Writer& w, const Member& m);
// The body after the 06 type byte: nil (unknown member) or a Member map.
util::Result<ConflictResponse> decode_conflict_response(util::ByteView body);

}  // namespace wire::serf::detail
