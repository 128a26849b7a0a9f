// Encoding and decoding of Serf messages and of the small Serf formats that ride inside other
// fields (gossip-wire.md §9): tags in memberlist Meta, query filters, the Vivaldi ack payload.
// Serf bytes here always start with the Serf type byte and never with memberlist's 08.
// Nothing throws; every decoder returns a Result, checks sizes and rejects trailing bytes.
// Encoders follow go-msgpack v0.5 (see wire/msgpack.h) so that our bytes equal Go's; the only
// Go encodings we cannot reproduce are maps with several keys (Go iterates them randomly; we
// write them sorted).
#pragma once

#include <optional>

#include "util/bytes.h"
#include "util/result.h"
#include "wire/serf_messages.h"

namespace wire::serf {

// --- messages: serf type byte | msgpack map -----------------------------------------------
util::Bytes encode(const Leave& m);
util::Bytes encode(const Join& m);
util::Bytes encode(const PushPull& m);
util::Bytes encode(const UserEvent& m);
util::Bytes encode(const Query& m);
util::Bytes encode(const QueryResponse& m);
util::Bytes encode(const ConflictResponse& m);
util::Bytes encode(const KeyRequest& m);
util::Bytes encode(const KeyResponse& m);
util::Bytes encode(const Relay& m);
util::Bytes encode(const Message& m);
// A relay without first copying the inner message into a Relay struct.
util::Bytes encode_relay(const RelayHeader& header, util::ByteView inner);

// Any Serf message, type byte first.
util::Result<Message> decode(util::ByteView bytes);

// The message if `bytes` holds a T (e.g. decode_as<KeyResponse>(response.payload)), else an
// error (unsupported for another type).
template <typename T>
util::Result<T> decode_as(util::ByteView bytes) {
  auto m = decode(bytes);
  if (!m.ok()) return m.error();
  if (auto* t = std::get_if<T>(&*m)) return std::move(*t);
  return util::Error{util::Errc::unsupported, "unexpected serf message type"};
}

// --- tags in memberlist Meta (§9.8) -------------------------------------------------------
// Serf protocol >= 3: ff | msgpack map, keys sorted (so equal tags give equal bytes).
util::Bytes encode_tags(const Tags& tags);
// Serf protocol < 3: the raw value of tag "role" (possibly empty), no magic byte.
util::Bytes encode_tags_legacy(const Tags& tags);
// Empty Meta or first byte != ff -> {"role": whole Meta}; else the map (values must be strings).
util::Result<Tags> decode_tags(util::ByteView meta);

// --- query filters (§9.6) -------------------------------------------------------------------
util::Bytes encode_filter(const Filter& f);  // node: 00 + array of str; tag: 01 + {Expr, Tag}
util::Result<Filter> decode_filter(util::ByteView bytes);  // unknown type -> unsupported

// --- Vivaldi ack payload (§9.9): 01 | msgpack {Adjustment, Error, Height, Vec[8]} -----------
util::Bytes encode_ping_payload(const Coordinate& c);
// Rejects an empty payload (truncated), a version other than 1 (unsupported), a Vec that is
// not 8 long and any component that is not finite (malformed).
util::Result<Coordinate> decode_ping_payload(util::ByteView payload);

}  // namespace wire::serf
