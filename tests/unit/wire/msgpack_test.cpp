// Tests for wire/msgpack: the two write flavours and the tolerant, bounded reader.
#include "wire/msgpack.h"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include "wire/limits.h"
#include "wire_test_support.h"

using wire_test::hex;

namespace {

util::Bytes write(auto&& f, wire::mp::Flavour flavour = wire::mp::Flavour::gossip) {
  util::Bytes out;
  wire::mp::Writer w(out, flavour);
  f(w);
  return out;
}

// A document keeps pointing into its input, so the two travel together.
struct Parsed {
  util::Bytes bytes;
  std::optional<wire::mp::Document> doc;
  [[nodiscard]] const wire::mp::Object& root() const { return doc->root(); }
};

Parsed parse_ok(util::Bytes b) {
  Parsed p{std::move(b), std::nullopt};
  auto d = wire::mp::Document::parse(p.bytes);
  REQUIRE(d.ok());
  p.doc.emplace(std::move(*d));
  return p;  // moving the vector keeps its heap buffer where the document points
}

}  // namespace

TEST_SUITE("wire.msgpack") {
  TEST_CASE("gossip strings use fixstr, str16 and str32 raw forms, never str8") {
    CHECK(write([](auto& w) { w.str("n1"); }) == hex("a26e31"));
    const std::string s40(40, 'x');
    const auto b40 = write([&](auto& w) { w.str(s40); });
    CHECK(b40[0] == 0xda);
    CHECK(b40.size() == 3 + 40);
    const std::string s70k(70000, 'y');
    const auto b70k = write([&](auto& w) { w.str(s70k); });
    CHECK(b70k[0] == 0xdb);
    CHECK(b70k.size() == 5 + 70000);
  }

  TEST_CASE("gossip byte fields are raw strings, and nil when empty if asked") {
    const util::Bytes addr = hex("7f000065");
    CHECK(write([&](auto& w) { w.bytes(addr); }) == hex("a47f000065"));
    CHECK(write([&](auto& w) { w.bytes(util::Bytes{}); }) == hex("a0"));
    CHECK(write([&](auto& w) { w.bytes_or_nil(util::Bytes{}); }) == hex("c0"));
  }

  TEST_CASE("rpc flavour writes str8 strings and bin bytes") {
    const std::string s40(40, 'x');
    CHECK(write([&](auto& w) { w.str(s40); }, wire::mp::Flavour::rpc)[0] == 0xd9);
    CHECK(write([](auto& w) { w.bytes(util::to_bytes("ab")); }, wire::mp::Flavour::rpc) ==
          hex("c4026162"));
  }

  TEST_CASE("non-negative integers use the smallest unsigned form, signed or not") {
    CHECK(write([](auto& w) { w.uint(1); }) == hex("01"));
    CHECK(write([](auto& w) { w.uint(200); }) == hex("ccc8"));
    CHECK(write([](auto& w) { w.uint(7946); }) == hex("cd1f0a"));
    CHECK(write([](auto& w) { w.sint(586); }) == hex("cd024a"));
    CHECK(write([](auto& w) { w.sint(2000000000); }) == hex("ce77359400"));
    CHECK(write([](auto& w) { w.uint(1ull << 40); }) == hex("cf0000010000000000"));
    CHECK(write([](auto& w) { w.sint(-1); }) == hex("ff"));
    CHECK(write([](auto& w) { w.sint(-100); }) == hex("d09c"));
  }

  TEST_CASE("floats are written as float64") {
    CHECK(write([](auto& w) { w.f64(1.5); }) == hex("cb3ff8000000000000"));
    CHECK(write([](auto& w) { w.f64(0.0); }) == hex("cb0000000000000000"));  // not an int
    CHECK(write([](auto& w) { w.f64(2.0); }) == hex("cb4000000000000000"));
  }

  TEST_CASE("integers of any width and signedness read into an unsigned field") {
    for (const char* h : {"07", "cc07", "cd0007", "ce00000007", "cf0000000000000007", "d007",
                          "d10007", "d200000007", "d30000000000000007"}) {
      CAPTURE(h);
      auto d = parse_ok(hex(h));
      std::uint32_t v = 0;
      CHECK(wire::mp::read(d.root(), v).ok());
      CHECK(v == 7);
    }
  }

  TEST_CASE("unsigned fields reject negative and overflowing values") {
    std::uint8_t small = 0;
    CHECK_FALSE(wire::mp::read(parse_ok(hex("cd0100")).root(), small).ok());
    std::uint32_t v = 0;
    CHECK_FALSE(wire::mp::read(parse_ok(hex("ff")).root(), v).ok());
    CHECK_FALSE(wire::mp::read(parse_ok(hex("a161")).root(), v).ok());
    std::int64_t s = 0;
    CHECK_FALSE(wire::mp::read(parse_ok(hex("cfffffffffffffffff")).root(), s).ok());
  }

  TEST_CASE("nil reads as the zero value of any field") {
    auto d = parse_ok(hex("c0"));
    std::uint32_t u = 9;
    bool b = true;
    std::string s = "x";
    util::Bytes bytes{1};
    double f = 2;
    CHECK(wire::mp::read(d.root(), u).ok());
    CHECK(wire::mp::read(d.root(), b).ok());
    CHECK(wire::mp::read_str(d.root(), s, 10).ok());
    CHECK(wire::mp::read_bytes(d.root(), bytes, 10).ok());
    CHECK(wire::mp::read(d.root(), f).ok());
    CHECK(u == 0);
    CHECK_FALSE(b);
    CHECK(s.empty());
    CHECK(bytes.empty());
    CHECK(f == 0);
  }

  TEST_CASE("strings and bytes read from str8 and bin forms too") {
    for (const char* h : {"a26e31", "d9026e31", "da00026e31", "c4026e31", "c500026e31"}) {
      CAPTURE(h);
      std::string s;
      CHECK(wire::mp::read_str(parse_ok(hex(h)).root(), s, 10).ok());
      CHECK(s == "n1");
    }
  }

  TEST_CASE("strings over their limit are rejected") {
    std::string s;
    CHECK(wire::mp::read_str(parse_ok(hex("a3616263")).root(), s, 3).ok());
    CHECK(wire::mp::read_str(parse_ok(hex("a3616263")).root(), s, 2).error().code ==
          util::Errc::too_large);
  }

  TEST_CASE("fields are visited in any order and unknown keys are left to the caller") {
    auto d = parse_ok(hex("82a142c3a141cc05"));
    std::uint32_t a = 0;
    bool b = false;
    int unknown = 0;
    auto st = wire::mp::for_each_field(d.root(), [&](std::string_view k, const auto& v)
                                                     -> util::Status {
      if (k == "A") return wire::mp::read(v, a);
      if (k == "B") return wire::mp::read(v, b);
      ++unknown;
      return {};
    });
    CHECK(st.ok());
    CHECK(a == 5);
    CHECK(b);
    CHECK(unknown == 0);
  }

  TEST_CASE("a map with a non-string key is rejected") {
    auto d = parse_ok(hex("8101c3"));
    auto st = wire::mp::for_each_field(d.root(), [](std::string_view, const auto&) {
      return util::Status{};
    });
    CHECK(st.error().code == util::Errc::malformed);
  }

  TEST_CASE("parse rejects trailing bytes, truncation and garbage bytes") {
    CHECK(wire::mp::Document::parse(hex("0101")).error().code == util::Errc::malformed);
    CHECK(wire::mp::Document::parse(hex("a36162")).error().code == util::Errc::truncated);
    CHECK(wire::mp::Document::parse(hex("c1")).error().code == util::Errc::malformed);
    CHECK(wire::mp::Document::parse(util::Bytes{}).error().code == util::Errc::truncated);
  }

  TEST_CASE("a container count larger than the input is refused without allocating") {
    auto r = wire::mp::Document::parse(hex("ddffffffff"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == util::Errc::too_large);
    CHECK_FALSE(wire::mp::Document::parse(hex("dfffffffff")).ok());
  }

  TEST_CASE("nesting deeper than the limit is refused") {
    util::Bytes deep(wire::limits::msgpack_depth_max + 2, 0x91);
    deep.push_back(0x01);
    CHECK(wire::mp::Document::parse(deep).error().code == util::Errc::too_large);
    util::Bytes ok(wire::limits::msgpack_depth_max - 1, 0x91);
    ok.push_back(0x01);
    CHECK(wire::mp::Document::parse(ok).ok());
  }

  TEST_CASE("parse_prefix reads consecutive objects") {
    const auto b = hex("01a26e31c3");
    std::size_t off = 0;
    CHECK(wire::mp::Document::parse_prefix(b, off).ok());
    CHECK(off == 1);
    CHECK(wire::mp::Document::parse_prefix(b, off).ok());
    CHECK(off == 4);
    CHECK(wire::mp::Document::parse_prefix(b, off).ok());
    CHECK(off == 5);
    CHECK_FALSE(wire::mp::Document::parse_prefix(b, off).ok());
  }

  TEST_CASE("object_length measures one object and reports incomplete input as zero") {
    const auto b = hex("82a142c3a141cd0102ff");
    CHECK(*wire::mp::object_length(b) == 9);
    for (std::size_t n = 0; n < 9; ++n) {
      CAPTURE(n);
      auto r = wire::mp::object_length(util::ByteView(b).first(n));
      REQUIRE(r.ok());
      CHECK(*r == 0);
    }
    CHECK_FALSE(wire::mp::object_length(hex("c1")).ok());
    util::Bytes deep(wire::limits::msgpack_depth_max + 2, 0x91);
    CHECK(wire::mp::object_length(deep).error().code == util::Errc::too_large);
  }

  TEST_CASE("floats read from float32, float64 and integers") {
    double f = 0;
    CHECK(wire::mp::read(parse_ok(hex("cb3ff8000000000000")).root(), f).ok());
    CHECK(f == 1.5);
    CHECK(wire::mp::read(parse_ok(hex("ca3fc00000")).root(), f).ok());
    CHECK(f == 1.5);
    CHECK(wire::mp::read(parse_ok(hex("03")).root(), f).ok());
    CHECK(f == 3.0);
    CHECK_FALSE(wire::mp::read(parse_ok(hex("a0")).root(), f).ok());
  }
}
