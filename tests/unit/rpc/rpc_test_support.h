// Helpers shared by the rpc unit tests: splitting one object off bytes, hand-made msgpack
// (shapes our encoder never writes) and a sample member.
#pragma once

#include <doctest/doctest.h>

#include <msgpack.hpp>
#include <string_view>

#include "rpc/codec.h"
#include "rpc/stream_splitter.h"

namespace rpc_test {

// Splits exactly one complete object off bytes with a fresh StreamSplitter.
inline wire::mp::Document one_object(const util::Bytes& bytes) {
  rpc::StreamSplitter d;
  d.feed(bytes);
  auto r = d.next_object();
  REQUIRE(r.ok());
  REQUIRE(r->has_value());
  CHECK(d.buffered_bytes() == 0);
  return std::move(**r);
}

template <typename T>
T round_trip(const T& in) {
  auto oh = one_object(rpc::encode(in));
  T out{};
  auto s = rpc::decode(oh.root(), out);
  REQUIRE(s.ok());
  return out;
}

// msgpack written by hand with msgpack-cxx's packer, for shapes the codec must accept or refuse.
template <typename Fn>
util::Bytes pack(Fn fn) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(buf);
  fn(pk);
  const auto* p = reinterpret_cast<const std::uint8_t*>(buf.data());
  return util::Bytes(p, p + buf.size());
}

inline void pack_str(msgpack::packer<msgpack::sbuffer>& pk, std::string_view s) {
  pk.pack_str(static_cast<std::uint32_t>(s.size()));
  pk.pack_str_body(s.data(), static_cast<std::uint32_t>(s.size()));
}

inline rpc::Member sample_member() {
  rpc::Member m;
  m.name = "n1";
  m.addr = {127, 0, 0, 1};
  m.port = 7946;
  m.tags = {{"role", "web"}, {"dc", "east"}};
  m.status = "alive";
  m.protocol_min = 1;
  m.protocol_max = 5;
  m.protocol_cur = 2;
  m.delegate_min = 2;
  m.delegate_max = 5;
  m.delegate_cur = 5;
  return m;
}

}  // namespace rpc_test
