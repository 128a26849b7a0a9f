// msgpack flavours and bounded, exception-free decoding on top of msgpack-cxx (see msgpack.h).
#include "wire/msgpack.h"

#include <algorithm>
#include <bit>
#include <limits>
#include <optional>
#include <string>

#include "wire/limits.h"

namespace wire::mp {

namespace {

using util::Errc;

std::uint32_t len32(std::size_t n) {
  // Callers never hand us more than limits allow; a >4 GiB item cannot be encoded anyway.
  ASSERT(n <= std::numeric_limits<std::uint32_t>::max());
  return static_cast<std::uint32_t>(n);
}

// Strings are referenced in place instead of being copied into the zone.
bool reference_all(msgpack::type::object_type, std::size_t, void*) { return true; }

// Memory bound: a container cannot announce more elements than input bytes remain (each
// element takes at least one byte), so a 5-byte "array of 4 billion" costs nothing.
msgpack::unpack_limit limit_for(std::size_t remaining) {
  const std::size_t items = std::min(remaining, limits::msgpack_items_max);
  return msgpack::unpack_limit(items, items / 2 + 1, remaining, remaining, 0,
                               limits::msgpack_depth_max);
}

template <typename T>
util::Status read_unsigned(const Object& o, T& out) {
  switch (o.type) {
    case msgpack::type::NIL:
      out = 0;
      return {};
    case msgpack::type::POSITIVE_INTEGER:
      if constexpr (sizeof(T) < sizeof(std::uint64_t)) {
        if (o.via.u64 > std::numeric_limits<T>::max()) return {Errc::malformed, "integer overflow"};
      }
      out = static_cast<T>(o.via.u64);
      return {};
    case msgpack::type::NEGATIVE_INTEGER:
      return {Errc::malformed, "negative value for an unsigned field"};
    default:
      return {Errc::malformed, "expected an integer"};
  }
}

// Stops the skipping parser when nesting gets too deep; records why it stopped.
struct SkipVisitor : msgpack::null_visitor {
  std::size_t depth = 0;
  bool too_deep = false;
  bool incomplete = false;
  bool bad = false;
  bool enter() {
    if (++depth > limits::msgpack_depth_max) too_deep = true;
    return !too_deep;
  }
  bool start_array(std::uint32_t) { return enter(); }
  bool start_map(std::uint32_t) { return enter(); }
  bool end_array() {
    --depth;
    return true;
  }
  bool end_map() {
    --depth;
    return true;
  }
  void parse_error(std::size_t, std::size_t) { bad = true; }
  void insufficient_bytes(std::size_t, std::size_t) { incomplete = true; }
};

// The RPC flavour's skipping parser: checks every container and str/bin against ObjectLimits
// and stops at the first violation, before msgpack-cxx allocates anything for the object.
class LimitVisitor : public msgpack::null_visitor {
 public:
  explicit LimitVisitor(const ObjectLimits& limits) : limits_(limits) {}
  bool visit_str(const char*, std::uint32_t size) { return check_bytes(size); }
  bool visit_bin(const char*, std::uint32_t size) { return check_bytes(size); }
  bool visit_ext(const char*, std::uint32_t) { return fail(Errc::malformed, "ext type"); }
  bool start_array(std::uint32_t n) { return open(n); }
  bool end_array() { return close(); }
  bool start_map(std::uint32_t n) { return open(n); }
  bool end_map() { return close(); }
  void parse_error(std::size_t, std::size_t) { fail(Errc::malformed, "not msgpack"); }
  void insufficient_bytes(std::size_t, std::size_t) {}

  std::optional<util::Error> error;

 private:
  bool fail(Errc code, const char* what) {
    if (!error) error = util::Error{code, std::string("msgpack: ") + what};
    return false;
  }
  bool check_bytes(std::uint32_t size) {
    return size <= limits_.item_bytes_max || fail(Errc::too_large, "str or bin too large");
  }
  bool open(std::uint32_t n) {
    if (n > limits_.items_max) return fail(Errc::too_large, "container too large");
    if (++depth_ > limits_.depth_max) return fail(Errc::malformed, "nesting too deep");
    return true;
  }
  bool close() {
    --depth_;
    return true;
  }
  const ObjectLimits& limits_;
  std::size_t depth_ = 0;
};

}  // namespace

// --- Writer --------------------------------------------------------------------------------

Writer& Writer::map(std::uint32_t pairs) {
  packer_.pack_map(pairs);
  return *this;
}
Writer& Writer::array(std::uint32_t items) {
  packer_.pack_array(items);
  return *this;
}
Writer& Writer::nil() {
  packer_.pack_nil();
  return *this;
}
Writer& Writer::boolean(bool v) {
  if (v) {
    packer_.pack_true();
  } else {
    packer_.pack_false();
  }
  return *this;
}
Writer& Writer::uint(std::uint64_t v) {
  packer_.pack_uint64(v);
  return *this;
}
Writer& Writer::sint(std::int64_t v) {
  packer_.pack_int64(v);
  return *this;
}
Writer& Writer::f64(double v) {
  // Always cb + 8 bytes: msgpack-cxx's pack_double writes integral values as integers, which
  // Go writes as float64 and some decoders refuse for a float field.
  const auto bits = std::bit_cast<std::uint64_t>(v);
  char buf[9];
  buf[0] = static_cast<char>(0xcbu);
  for (int i = 0; i < 8; ++i) buf[1 + i] = static_cast<char>(bits >> (56 - 8 * i));
  sink_.write(buf, sizeof buf);
  return *this;
}
Writer& Writer::str(std::string_view s) {
  const auto n = len32(s.size());
  if (flavour_ == Flavour::gossip) {
    packer_.pack_v4raw(n);
    packer_.pack_v4raw_body(s.data(), n);
  } else {
    packer_.pack_str(n);
    packer_.pack_str_body(s.data(), n);
  }
  return *this;
}
Writer& Writer::bytes(util::ByteView b) {
  const auto n = len32(b.size());
  const auto* p = reinterpret_cast<const char*>(b.data());
  if (flavour_ == Flavour::gossip) {
    packer_.pack_v4raw(n);
    packer_.pack_v4raw_body(p, n);
  } else {
    packer_.pack_bin(n);
    packer_.pack_bin_body(p, n);
  }
  return *this;
}
Writer& Writer::bytes_or_nil(util::ByteView b) {
  if (b.empty()) return nil();
  return bytes(b);
}
Writer& Writer::raw_item(util::ByteView encoded) {
  sink_.write(reinterpret_cast<const char*>(encoded.data()), encoded.size());
  return *this;
}

// --- Document ------------------------------------------------------------------------------

namespace {

// One object at `offset`, which moves past it on success; msgpack-cxx's exceptions become
// errors. With `copy`, strings and bytes are copied into the handle's zone instead of
// referenced in place.
util::Result<msgpack::object_handle> unpack_at(util::ByteView bytes, std::size_t& offset,
                                               bool copy) {
  if (offset >= bytes.size()) return util::Error{Errc::truncated, "msgpack: no bytes"};
  const auto* data = reinterpret_cast<const char*>(bytes.data());
  try {
    std::size_t off = offset;
    auto handle = msgpack::unpack(data, bytes.size(), off, copy ? nullptr : reference_all,
                                  nullptr, limit_for(bytes.size() - offset));
    offset = off;
    return handle;
  } catch (const msgpack::insufficient_bytes&) {
    return util::Error{Errc::truncated, "msgpack: truncated"};
  } catch (const msgpack::size_overflow&) {
    return util::Error{Errc::too_large, "msgpack: size or depth over limit"};
  } catch (const msgpack::unpack_error& e) {
    return util::Error{Errc::malformed, std::string("msgpack: ") + e.what()};
  }
}

}  // namespace

util::Result<Document> Document::parse_prefix(util::ByteView bytes, std::size_t& offset) {
  auto handle = unpack_at(bytes, offset, false);
  if (!handle.ok()) return handle.error();
  return Document(std::move(*handle));
}

util::Result<Document> Document::parse_copy(util::ByteView bytes) {
  std::size_t offset = 0;
  auto handle = unpack_at(bytes, offset, true);
  if (!handle.ok()) return handle.error();
  if (offset != bytes.size()) return util::Error{Errc::malformed, "msgpack: trailing bytes"};
  return Document(std::move(*handle));
}

util::Result<Document> Document::parse(util::ByteView bytes) {
  std::size_t offset = 0;
  auto doc = parse_prefix(bytes, offset);
  if (doc.ok() && offset != bytes.size()) {
    return util::Error{Errc::malformed, "msgpack: trailing bytes"};
  }
  return doc;
}

util::Result<std::size_t> object_length(util::ByteView bytes) {
  if (bytes.empty()) return std::size_t{0};
  SkipVisitor v;
  std::size_t off = 0;
  try {
    if (msgpack::parse(reinterpret_cast<const char*>(bytes.data()), bytes.size(), off, v)) {
      return off;
    }
  } catch (const msgpack::unpack_error& e) {
    return util::Error{Errc::malformed, std::string("msgpack: ") + e.what()};
  }
  if (v.too_deep) return util::Error{Errc::too_large, "msgpack: nesting too deep"};
  if (v.incomplete && !v.bad) return std::size_t{0};
  return util::Error{Errc::malformed, "msgpack: bad item"};
}

util::Result<std::size_t> object_length(util::ByteView bytes, const ObjectLimits& limits) {
  if (bytes.empty()) return std::size_t{0};
  LimitVisitor v(limits);
  std::size_t off = 0;
  try {
    if (msgpack::parse(reinterpret_cast<const char*>(bytes.data()), bytes.size(), off, v)) {
      return off;
    }
  } catch (const msgpack::unpack_error& e) {
    return util::Error{Errc::malformed, std::string("msgpack: ") + e.what()};
  }
  if (v.error) return *v.error;
  return std::size_t{0};
}

// --- readers -------------------------------------------------------------------------------

util::Status read(const Object& o, bool& out) {
  if (is_nil(o)) {
    out = false;
    return {};
  }
  if (o.type != msgpack::type::BOOLEAN) return {Errc::malformed, "expected a bool"};
  out = o.via.boolean;
  return {};
}
util::Status read(const Object& o, std::uint8_t& out) { return read_unsigned(o, out); }
util::Status read(const Object& o, std::uint16_t& out) { return read_unsigned(o, out); }
util::Status read(const Object& o, std::uint32_t& out) { return read_unsigned(o, out); }
util::Status read(const Object& o, std::uint64_t& out) { return read_unsigned(o, out); }

util::Status read(const Object& o, std::int64_t& out) {
  switch (o.type) {
    case msgpack::type::NIL:
      out = 0;
      return {};
    case msgpack::type::POSITIVE_INTEGER:
      if (o.via.u64 > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return {Errc::malformed, "integer overflow"};
      }
      out = static_cast<std::int64_t>(o.via.u64);
      return {};
    case msgpack::type::NEGATIVE_INTEGER:
      out = o.via.i64;
      return {};
    default:
      return {Errc::malformed, "expected an integer"};
  }
}

util::Status read(const Object& o, double& out) {
  switch (o.type) {
    case msgpack::type::NIL:
      out = 0;
      return {};
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64:
      out = o.via.f64;
      return {};
    case msgpack::type::POSITIVE_INTEGER:
      out = static_cast<double>(o.via.u64);
      return {};
    case msgpack::type::NEGATIVE_INTEGER:
      out = static_cast<double>(o.via.i64);
      return {};
    default:
      return {Errc::malformed, "expected a number"};
  }
}

util::Result<util::ByteView> view_bytes(const Object& o, std::size_t max_bytes) {
  util::ByteView v;
  switch (o.type) {
    case msgpack::type::NIL:
      return v;
    case msgpack::type::STR:
      v = {reinterpret_cast<const std::uint8_t*>(o.via.str.ptr), o.via.str.size};
      break;
    case msgpack::type::BIN:
      v = {reinterpret_cast<const std::uint8_t*>(o.via.bin.ptr), o.via.bin.size};
      break;
    default:
      return util::Error{Errc::malformed, "expected a string or bytes"};
  }
  if (v.size() > max_bytes) return util::Error{Errc::too_large, "string or bytes too long"};
  return v;
}

util::Status read_str(const Object& o, std::string& out, std::size_t max_bytes) {
  auto v = view_bytes(o, max_bytes);
  if (!v.ok()) return v.error();
  out.assign(util::as_chars(*v));
  return {};
}

util::Status read_bytes(const Object& o, util::Bytes& out, std::size_t max_bytes) {
  auto v = view_bytes(o, max_bytes);
  if (!v.ok()) return v.error();
  out.assign(v->begin(), v->end());
  return {};
}

std::string_view key_of(const Object& k) {
  if (k.type == msgpack::type::STR) return {k.via.str.ptr, k.via.str.size};
  if (k.type == msgpack::type::BIN) return {k.via.bin.ptr, k.via.bin.size};
  return {};
}

}  // namespace wire::mp
