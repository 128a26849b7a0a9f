// Helpers shared by the memberlist and serf codecs, whose messages are both a type byte followed
// by one msgpack map of named fields.
#pragma once

#include <string>
#include <string_view>

#include "util/bytes.h"
#include "util/result.h"
#include "wire/limits.h"
#include "wire/msgpack.h"

namespace wire::message_body {

// A new message: its type byte, the map to be appended.
template <typename Type>
util::Bytes start(Type t) {
  return util::Bytes{static_cast<std::uint8_t>(t)};
}

inline util::Status read_name(const mp::Object& v, std::string& out) {
  return mp::read_str(v, out, limits::node_name_bytes_max);
}

// Parses `body` as one map and feeds each field to field(message, key, value).
template <typename T, typename F>
util::Result<T> decode_body(util::ByteView body, F&& field) {
  auto doc = mp::Document::parse(body);
  if (!doc.ok()) return doc.error();
  T m{};
  WIRE_TRY(mp::for_each_field(doc->root(), [&](std::string_view k, const mp::Object& v) {
    return field(m, k, v);
  }));
  return m;
}

}  // namespace wire::message_body
