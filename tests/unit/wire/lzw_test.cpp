// Tests for the building blocks: CRC-32 (IEEE) and Go-compatible LZW (LSB, literal width 8).
#include <doctest/doctest.h>

#include <string>

#include "util/rng.h"
#include "wire/codec.h"
#include "wire/limits.h"
#include "wire_test_support.h"

using wire_test::hex;

namespace {

// Packs codes LSB-first with the given widths, as an LZW stream written by hand.
util::Bytes pack_codes(std::initializer_list<std::pair<std::uint32_t, int>> codes) {
  util::Bytes out;
  std::uint64_t bits = 0;
  int n = 0;
  for (auto [code, width] : codes) {
    bits |= std::uint64_t{code} << n;
    n += width;
    while (n >= 8) {
      out.push_back(static_cast<std::uint8_t>(bits));
      bits >>= 8;
      n -= 8;
    }
  }
  if (n > 0) out.push_back(static_cast<std::uint8_t>(bits));
  return out;
}

util::Bytes random_bytes(std::size_t n, std::uint64_t seed, std::uint32_t alphabet) {
  util::Rng rng(seed);
  util::Bytes b(n);
  for (auto& x : b) x = static_cast<std::uint8_t>(rng.below(alphabet));
  return b;
}

}  // namespace

TEST_SUITE("wire.lzw") {
  TEST_CASE("crc32 matches the IEEE check values") {
    CHECK(wire::crc32(util::Bytes{}) == 0);
    CHECK(wire::crc32(util::as_bytes("123456789")) == 0xcbf43926u);
    CHECK(wire::crc32(util::as_bytes("a")) == 0xe8b7be43u);
    CHECK(wire::crc32(util::as_bytes("The quick brown fox jumps over the lazy dog")) ==
          0x414fa339u);
  }

  TEST_CASE("the captured ack compresses to exactly the captured LZW bytes") {
    const auto plain = hex(
        "0282a75061796c6f6164da00820184aa41646a7573746d656e74cb0000000000000000a54572726f72cb3f"
        "f8000000000000a6486569676874cb3ee4f8b588e368f1a356656398cb0000000000000000cb000000000000"
        "0000cb0000000000000000cb0000000000000000cb0000000000000000cb0000000000000000cb0000000000"
        "000000cb0000000000000000a55365714e6f01");
    const auto lzw = hex(
        "0005083a05254c1e366fc290d10640500042aa82905153670e9d3665dcd05906a0a3c78ea58ac891f346ce"
        "b21ff83e763485a44c9a336836fa2087af16a27168e28db252660c268e2a3b020d3a5465d18f473d26151a"
        "9469d35253cac471f2264040");
    CHECK(wire::lzw_compress(plain) == lzw);
    CHECK(*wire::lzw_decompress(lzw) == plain);
  }

  TEST_CASE("small inputs compress to the codes Go writes") {
    // clear(256), eof(257) at 9 bits
    CHECK(wire::lzw_compress(util::Bytes{}) == pack_codes({{256, 9}, {257, 9}}));
    CHECK(wire::lzw_compress(util::as_bytes("a")) == pack_codes({{256, 9}, {'a', 9}, {257, 9}}));
    // "aaa": a, then 258 (= "aa"), eof
    CHECK(wire::lzw_compress(util::as_bytes("aaa")) ==
          pack_codes({{256, 9}, {'a', 9}, {258, 9}, {257, 9}}));
  }

  TEST_CASE("lzw round trips inputs of every shape, including past 4096 codes") {
    struct Row {
      const char* what;
      util::Bytes plain;
    };
    const Row rows[] = {
        {"empty", {}},
        {"one byte", {0x42}},
        {"all byte values", [] {
           util::Bytes b(256);
           for (int i = 0; i < 256; ++i) b[i] = static_cast<std::uint8_t>(i);
           return b;
         }()},
        {"long run", util::Bytes(200000, 0x00)},
        {"random, 4 symbols", random_bytes(50000, 1, 4)},
        {"random, 256 symbols", random_bytes(70000, 2, 256)},
        {"text", util::to_bytes(std::string(3000, 'x') + "hello world hello world")},
    };
    for (const auto& row : rows) {
      CAPTURE(row.what);
      const auto c = wire::lzw_compress(row.plain);
      auto back = wire::lzw_decompress(c);
      REQUIRE(back.ok());
      CHECK(*back == row.plain);
    }
  }

  TEST_CASE("the decoder accepts a stream without the leading clear code") {
    // older Go encoders: 'a', 'b', eof
    CHECK(*wire::lzw_decompress(pack_codes({{'a', 9}, {'b', 9}, {257, 9}})) ==
          util::to_bytes("ab"));
    // KwKwK: 'a', 258 (defined by this very code as "aa"), eof
    CHECK(*wire::lzw_decompress(pack_codes({{'a', 9}, {258, 9}, {257, 9}})) ==
          util::to_bytes("aaa"));
  }

  TEST_CASE("the decoder rejects streams without end code, with undefined codes, or too big") {
    CHECK(wire::lzw_decompress(pack_codes({{256, 9}, {'a', 9}})).error().code ==
          util::Errc::truncated);
    CHECK(wire::lzw_decompress(util::Bytes{}).error().code == util::Errc::truncated);
    CHECK(wire::lzw_decompress(pack_codes({{256, 9}, {300, 9}, {257, 9}})).error().code ==
          util::Errc::malformed);
    const auto big = wire::lzw_compress(util::Bytes(5000, 7));
    CHECK(wire::lzw_decompress(big, 4999).error().code == util::Errc::too_large);
    CHECK(wire::lzw_decompress(big, 5000).ok());
  }

  TEST_CASE("every truncation of a compressed stream fails cleanly") {
    const auto c = wire::lzw_compress(random_bytes(600, 3, 16));
    for (std::size_t n = 0; n < c.size(); ++n) {
      CAPTURE(n);
      CHECK_FALSE(wire::lzw_decompress(util::ByteView(c).first(n)).ok());
    }
  }

  TEST_CASE("random bytes never crash the decoder") {
    util::Rng rng(0x1a2b);
    for (int i = 0; i < 3000; ++i) {
      const auto junk = random_bytes(1 + rng.below(300), rng.below(1u << 30), 256);
      auto r = wire::lzw_decompress(junk, 1 << 16);
      if (r.ok()) CHECK(r->size() <= (1u << 16));
    }
  }
}
