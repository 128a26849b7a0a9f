// Tests for wire/codec.cpp: memberlist message bodies, against hand-made cases and the real
// Serf traffic in tests/fixtures/vectors.json.
#include "wire/codec.h"

#include <doctest/doctest.h>

#include <string>

#include "wire/msgpack.h"
#include "wire_test_support.h"

using wire_test::hex;

namespace {

wire::Alive sample_alive() {
  return wire::Alive{.incarnation = 1,
                     .node = "n1",
                     .addr = hex("7f000065"),
                     .port = 7946,
                     .meta = hex("ff81a4726f6c65a3776562"),
                     .vsn = {}};
}

template <typename T>
T decode_as(const util::Bytes& b) {
  auto r = wire::decode_message(b);
  REQUIRE(r.ok());
  REQUIRE(std::holds_alternative<T>(*r));
  return std::get<T>(*r);
}

}  // namespace

TEST_SUITE("wire.codec") {
  TEST_CASE("ping encodes with sorted keys and omits empty source fields") {
    const auto full = wire::encode(wire::Ping{.seq_no = 1,
                                              .node = "n1",
                                              .source_addr = hex("7f000066"),
                                              .source_node = "n2",
                                              .source_port = 7946});
    CHECK(full == hex("0085a44e6f6465a26e31a55365714e6f01aa536f7572636541646472a47f000066aa536f7"
                      "57263654e6f6465a26e32aa536f75726365506f7274cd1f0a"));
    CHECK(wire::encode(wire::Ping{.seq_no = 2, .node = "", .source_addr = {}, .source_node = {},
                                  .source_port = 0}) == hex("0082a44e6f6465a0a55365714e6f02"));
  }

  TEST_CASE("every memberlist message survives an encode and decode round trip") {
    const wire::PacketMessage samples[] = {
        wire::Ping{.seq_no = 9, .node = "b", .source_addr = hex("0a000001"),
                   .source_node = "a", .source_port = 1},
        wire::IndirectPing{.seq_no = 3, .target = hex("0a000002"), .port = 7946, .node = "c",
                           .nack = true, .source_addr = {}, .source_node = "a",
                           .source_port = 0},
        wire::Ack{.seq_no = 4, .payload = hex("0102")},
        wire::Ack{.seq_no = 4, .payload = {}},
        wire::Nack{.seq_no = 5},
        wire::Suspect{.incarnation = 7, .node = "c", .from = "a"},
        wire::Dead{.incarnation = 8, .node = "c", .from = "c"},
        sample_alive(),
        wire::UserMsg{.payload = hex("0182a54c54696d6501a44e6f6465a26e32")},
    };
    for (const auto& m : samples) {
      CAPTURE(m.index());
      const auto bytes = wire::encode(m);
      auto back = wire::decode_message(bytes);
      REQUIRE(back.ok());
      CHECK(*back == m);
      CHECK(wire::encode(*back) == bytes);
    }
  }

  TEST_CASE("ack with an empty payload encodes the payload as nil") {
    CHECK(wire::encode(wire::Ack{.seq_no = 1, .payload = {}}) ==
          hex("0282a75061796c6f6164c0a55365714e6f01"));
  }

  TEST_CASE("alive with an empty Vsn decodes as no version and encodes it back as nil") {
    // {Addr, Incarnation: 1, Meta, Node: "a", Port, Vsn: nil}
    const auto bytes =
        hex("0486a441646472a40a000001ab496e6361726e6174696f6e01a44d657461a0a44e6f6465a161a4506"
            "f7274cd1f0aa356736ec0");
    auto a = decode_as<wire::Alive>(bytes);
    CHECK(a.vsn.is_none());
    CHECK(wire::encode(a) == bytes);
  }

  TEST_CASE("alive with a Vsn of 1 to 5 bytes or more than 6 is rejected") {
    for (std::size_t n : {1, 2, 3, 4, 5, 7}) {
      CAPTURE(n);
      util::Bytes b = hex("0481a356736e");
      b.push_back(static_cast<std::uint8_t>(0xa0 | n));
      for (std::size_t i = 0; i < n; ++i) b.push_back(1);
      CHECK_FALSE(wire::decode_message(b).ok());
    }
  }

  TEST_CASE("alive with an impossible protocol range is rejected") {
    for (const char* vsn : {"000502020505", "010002020505", "030202020505"}) {
      CAPTURE(vsn);
      util::Bytes b = hex("0481a356736ea6");
      const auto v = hex(vsn);
      b.insert(b.end(), v.begin(), v.end());
      CHECK(wire::decode_message(b).error().code == util::Errc::malformed);
    }
  }

  TEST_CASE("decoding tolerates unknown keys, any key order, nil and wide integers") {
    // {"X": [1], "SeqNo": cf 00..07, "Node": nil}  as a ping
    auto p = decode_as<wire::Ping>(
        hex("0083a1589101a55365714e6fcf0000000000000007a44e6f6465c0"));
    CHECK(p.seq_no == 7);
    CHECK(p.node.empty());
  }

  TEST_CASE("wrong field types are rejected") {
    CHECK_FALSE(wire::decode_message(hex("0081a55365714e6fa131")).ok());  // SeqNo: "1"
    CHECK_FALSE(wire::decode_message(hex("0081a44e6f646501")).ok());      // Node: 1
    CHECK_FALSE(wire::decode_message(hex("0191a131")).ok());             // array, not map
    CHECK_FALSE(wire::decode_message(hex("0b81a55365714e6fce00000001ff")).ok());  // trailing
    CHECK_FALSE(wire::decode_message(hex("0b81a55365714e6fcf0000000100000000")).ok());  // >u32
  }

  TEST_CASE("unknown and wrapper types are not single messages") {
    for (std::uint8_t t : {6, 7, 9, 10, 12, 13, 14, 244, 255}) {
      CAPTURE(int(t));
      CHECK_FALSE(wire::decode_message(util::Bytes{t, 0x80}).ok());
    }
    CHECK(wire::decode_message(util::Bytes{}).error().code == util::Errc::truncated);
  }

  TEST_CASE("decoding any truncation of a valid message fails cleanly") {
    const util::Bytes samples[] = {
        wire::encode(sample_alive()),
        wire::encode(wire::Ping{.seq_no = 300, .node = "n1", .source_addr = hex("7f000066"),
                                .source_node = "n2", .source_port = 7946}),
        wire::encode(wire::Suspect{.incarnation = 70000, .node = "n3", .from = "n1"}),
    };
    for (const auto& bytes : samples) {
      for (std::size_t n = 0; n < bytes.size(); ++n) {
        CAPTURE(n);
        CHECK_FALSE(wire::decode_message(util::ByteView(bytes).first(n)).ok());
      }
    }
  }

  TEST_CASE("node names longer than the limit are rejected") {
    wire::Suspect s{.incarnation = 1, .node = std::string(600, 'x'), .from = "a"};
    CHECK(wire::decode_message(wire::encode(s)).error().code == util::Errc::too_large);
  }
}
