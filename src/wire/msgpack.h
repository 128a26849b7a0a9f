// A thin layer over msgpack-cxx that fixes the two msgpack flavours shoal speaks
// (gossip-wire.md §1) and makes decoding of untrusted bytes exception-free and bounded.
//
// Writing. Flavour::gossip is go-msgpack v0.5 as used by memberlist and Serf: strings AND byte
// fields are old-spec "raw" (fixstr a0|n, str16 da, str32 db; never str8 d9 nor bin c4..c6),
// non-negative integers use the smallest unsigned form, negative ones the smallest signed form.
// Flavour::rpc (the RPC protocol, src/rpc) writes strings as str8/16/32 and bytes as bin. In both,
// the caller writes struct fields as a map whose keys it emits in Go's sorted field-name order.
//
// Reading. `Document::parse` unpacks one object (msgpack-cxx, strings referenced in place, not
// copied) under limits that bound memory by the input size: no container may announce more
// elements than there are input bytes left, nesting is at most limits::msgpack_depth_max. All
// msgpack-cxx exceptions become util::Result errors. The `read_*` helpers implement the tolerant
// rules of §1: any integer width/signedness (range-checked), str or bin for strings and bytes,
// nil for the zero value of anything, unknown map keys skipped, keys in any order.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <msgpack.hpp>

#include "util/bytes.h"
#include "util/result.h"

namespace wire::mp {

enum class Flavour { gossip, rpc };

// Appends msgpack items to a util::Bytes. Never fails.
class Writer {
 public:
  explicit Writer(util::Bytes& out, Flavour flavour = Flavour::gossip)
      : sink_{&out}, packer_(sink_), flavour_(flavour) {}
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  Writer& map(std::uint32_t pairs);
  Writer& array(std::uint32_t items);
  Writer& nil();
  Writer& boolean(bool v);
  Writer& uint(std::uint64_t v);
  Writer& sint(std::int64_t v);  // non-negative values come out as the unsigned forms
  Writer& f64(double v);
  Writer& str(std::string_view s);
  Writer& key(std::string_view k) { return str(k); }
  Writer& bytes(util::ByteView b);        // empty -> zero-length raw/bin
  Writer& bytes_or_nil(util::ByteView b); // empty -> nil (a nil Go []byte)
  Writer& raw_item(util::ByteView encoded);  // an already encoded msgpack item, appended as is

 private:
  struct Sink {
    util::Bytes* out;
    void write(const char* p, std::size_t n) {
      out->insert(out->end(), reinterpret_cast<const std::uint8_t*>(p),
                  reinterpret_cast<const std::uint8_t*>(p) + n);
    }
  };
  Sink sink_;
  msgpack::packer<Sink> packer_;
  Flavour flavour_;
};

using Object = msgpack::object;

// One unpacked msgpack object. It may point into the input bytes: the input must outlive it.
class Document {
 public:
  // Exactly one object spanning all of `bytes` (trailing bytes are an error).
  static util::Result<Document> parse(util::ByteView bytes);
  // One object starting at `offset`; on success `offset` moves past it. Bytes may follow.
  static util::Result<Document> parse_prefix(util::ByteView bytes, std::size_t& offset);
  // RPC flavour: exactly one object spanning all of `bytes`, its strings and bytes copied into
  // the Document, which therefore outlives the input (a stream reader's buffer moves on).
  static util::Result<Document> parse_copy(util::ByteView bytes);

  [[nodiscard]] const Object& root() const { return handle_.get(); }

 private:
  explicit Document(msgpack::object_handle h) : handle_(std::move(h)) {}
  msgpack::object_handle handle_;
};

// Length of the one msgpack object at the start of `bytes`, without building it (for readers
// of a TCP stream): 0 while the object is still incomplete, an error once it can never be valid
// (bad byte, nesting deeper than limits::msgpack_depth_max).
util::Result<std::size_t> object_length(util::ByteView bytes);

// RPC flavour: what one object split off a TCP stream may hold, checked before it is built.
struct ObjectLimits {
  std::size_t depth_max;       // nesting of arrays and maps
  std::size_t items_max;       // entries of one array or map
  std::size_t item_bytes_max;  // bytes of one str or bin
};
// Like object_length, under `limits`: 0 while incomplete; Errc::too_large once a container or a
// str/bin is over its limit; Errc::malformed for bytes that are not msgpack, an ext item (the
// RPC protocol has none) or nesting deeper than limits.depth_max.
util::Result<std::size_t> object_length(util::ByteView bytes, const ObjectLimits& limits);

// --- field readers: a nil item leaves the zero value -----------------------------------
util::Status read(const Object& o, bool& out);
util::Status read(const Object& o, std::uint8_t& out);
util::Status read(const Object& o, std::uint16_t& out);
util::Status read(const Object& o, std::uint32_t& out);
util::Status read(const Object& o, std::uint64_t& out);
util::Status read(const Object& o, std::int64_t& out);
util::Status read(const Object& o, double& out);  // float32/64, or an integer
util::Status read_str(const Object& o, std::string& out, std::size_t max_bytes);
util::Status read_bytes(const Object& o, util::Bytes& out, std::size_t max_bytes);
// A view of a str/bin item's bytes (empty for nil); valid as long as the Document's input.
util::Result<util::ByteView> view_bytes(const Object& o, std::size_t max_bytes);

[[nodiscard]] inline bool is_nil(const Object& o) { return o.type == msgpack::type::NIL; }
[[nodiscard]] std::string_view key_of(const Object& k);  // "" unless str/bin

// Calls f(key, value) for every entry of a map (or nothing for nil); stops at the first error.
// Keys must be strings (as Go struct field names and map[string]X keys are).
// f returns util::Status; unknown keys should return {} so that they are skipped.
template <typename F>
util::Status for_each_field(const Object& o, F&& f) {
  if (is_nil(o)) return {};
  if (o.type != msgpack::type::MAP) return {util::Errc::malformed, "expected a map"};
  for (std::uint32_t i = 0; i < o.via.map.size; ++i) {
    const auto& kv = o.via.map.ptr[i];
    if (kv.key.type != msgpack::type::STR && kv.key.type != msgpack::type::BIN) {
      return {util::Errc::malformed, "map key is not a string"};
    }
    auto st = f(key_of(kv.key), kv.val);
    if (!st.ok()) return st;
  }
  return {};
}

// Calls f(item) for every item of an array (or nothing for nil), after checking the count.
template <typename F>
util::Status for_each_item(const Object& o, std::size_t max_items, F&& f) {
  if (is_nil(o)) return {};
  if (o.type != msgpack::type::ARRAY) return {util::Errc::malformed, "expected an array"};
  if (o.via.array.size > max_items) return {util::Errc::too_large, "too many array items"};
  for (std::uint32_t i = 0; i < o.via.array.size; ++i) {
    auto st = f(o.via.array.ptr[i]);
    if (!st.ok()) return st;
  }
  return {};
}

// Returns the error of a failed Status inside a function returning Result<T>.
#define WIRE_TRY(expr)                     \
  do {                                     \
    auto wire_try_st_ = (expr);            \
    if (!wire_try_st_.ok()) return wire_try_st_.error(); \
  } while (false)

}  // namespace wire::mp
