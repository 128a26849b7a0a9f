// Tests for wire/framing.cpp: compound, compress and CRC wrappers on UDP, and stream framing.
#include <doctest/doctest.h>

#include <string>

#include "util/rng.h"
#include "wire/codec.h"
#include "wire/limits.h"
#include "wire_test_support.h"

using wire_test::hex;

namespace {

util::Bytes ping(std::uint32_t seq) {
  return wire::encode(wire::Ping{.seq_no = seq, .node = "n1", .source_addr = hex("7f000066"),
                                 .source_node = "n2", .source_port = 7946});
}

util::Bytes suspect() { return wire::encode(wire::Suspect{.incarnation = 1, .node = "c", .from = "a"}); }

util::Bytes push_pull_stream() {
  wire::PushPull pp;
  pp.join = true;
  pp.nodes.push_back(wire::PushNodeState{.name = "a", .addr = hex("0a000001"), .port = 7946,
                                         .meta = hex("ff80"), .incarnation = 3,
                                         .state = wire::NodeState::suspect, .vsn = {}});
  pp.nodes.push_back(wire::PushNodeState{.name = "b", .addr = hex("0a000002"), .port = 7946,
                                         .meta = {}, .incarnation = 1,
                                         .state = wire::NodeState::left, .vsn = {}});
  pp.user_state = hex("0281a54c54696d6501");
  return wire::encode_stream(pp);
}

}  // namespace

TEST_SUITE("wire.framing") {
  TEST_CASE("a compound delivers all its parts in order") {
    const util::Bytes parts[] = {ping(1), suspect()};
    auto p = wire::decode_packet(wire::make_compound(parts));
    REQUIRE(p.ok());
    CHECK(p->bad_parts == 0);
    REQUIRE(p->messages.size() == 2);
    CHECK(std::get<wire::Ping>(p->messages[0]).seq_no == 1);
    CHECK(std::holds_alternative<wire::Suspect>(p->messages[1]));
  }

  TEST_CASE("a compound part that overruns is counted bad and earlier parts still arrive") {
    const util::Bytes parts[] = {ping(1), suspect(), ping(3)};
    const auto whole = wire::make_compound(parts);
    auto p = wire::decode_packet(util::ByteView(whole).first(whole.size() - 3));  // cut last part
    REQUIRE(p.ok());
    CHECK(p->messages.size() == 2);
    CHECK(p->bad_parts == 1);
  }

  TEST_CASE("a bad compound part is counted and the good ones still arrive") {
    const util::Bytes parts[] = {util::Bytes{0x00, 0xc1}, ping(2), util::Bytes{0x63}};
    auto p = wire::decode_packet(wire::make_compound(parts));
    REQUIRE(p.ok());
    CHECK(p->messages.size() == 1);
    CHECK(p->bad_parts == 2);
  }

  TEST_CASE("bytes after the last compound part are counted bad") {
    const util::Bytes parts[] = {ping(1)};
    auto bytes = wire::make_compound(parts);
    bytes.push_back(0);
    auto p = wire::decode_packet(bytes);
    REQUIRE(p.ok());
    CHECK(p->messages.size() == 1);
    CHECK(p->bad_parts == 1);
  }

  TEST_CASE("a compound whose length table is cut off fails") {
    CHECK_FALSE(wire::decode_packet(hex("07")).ok());
    CHECK_FALSE(wire::decode_packet(hex("070300010001")).ok());
  }

  TEST_CASE("compress and compound nest, up to the depth limit") {
    util::Bytes m = ping(5);
    for (std::size_t d = 0; d < wire::limits::nesting_depth_max; ++d) {
      const util::Bytes one[] = {m};
      m = (d % 2 == 0) ? wire::make_compound(one) : wire::encode_compress(m);
    }
    auto ok = wire::decode_packet(m);
    REQUIRE(ok.ok());
    CHECK(ok->messages.size() == 1);
    auto deeper = wire::decode_packet(wire::encode_compress(m));  // the innermost part is lost
    REQUIRE(deeper.ok());
    CHECK(deeper->messages.empty());
    CHECK(deeper->bad_parts == 1);
    util::Bytes c = ping(5);
    for (std::size_t d = 0; d <= wire::limits::nesting_depth_max; ++d) c = wire::encode_compress(c);
    CHECK(wire::decode_packet(c).error().code == util::Errc::too_large);
  }

  TEST_CASE("frame_packet compresses only when that is strictly shorter") {
    const auto small = ping(1);
    CHECK(wire::frame_packet(small, {.compress = true, .crc = false}) == small);
    const util::Bytes parts[] = {ping(1), ping(2), ping(3), ping(4)};
    const auto big = wire::make_compound(parts);
    const auto framed = wire::frame_packet(big, {.compress = true, .crc = false});
    CHECK(framed[0] == 9);
    CHECK(framed.size() < big.size());
    CHECK(*wire::decode_compress(framed) == big);
  }

  TEST_CASE("frame_packet adds a CRC that decode_packet verifies") {
    const auto framed = wire::frame_packet(suspect(), {.compress = false, .crc = true});
    CHECK(framed[0] == 12);
    CHECK(util::get_u32be(&framed[1]) == wire::crc32(suspect()));
    CHECK(wire::decode_packet(framed).ok());
    auto bad = framed;
    bad.back() ^= 1;
    CHECK(wire::decode_packet(bad).error().code == util::Errc::checksum);
    CHECK(wire::decode_packet(hex("0c0000")).error().code == util::Errc::truncated);
  }

  TEST_CASE("a CRC wrapper inside a compound is not honoured") {
    const util::Bytes parts[] = {wire::frame_packet(ping(1), {.compress = false, .crc = true})};
    auto p = wire::decode_packet(wire::make_compound(parts));
    REQUIRE(p.ok());
    CHECK(p->bad_parts == 1);
  }

  TEST_CASE("unknown, stream-only and label types fail as a whole packet") {
    for (std::uint8_t t : {6, 10, 13, 14, 244}) {
      CAPTURE(int(t));
      CHECK_FALSE(wire::decode_packet(util::Bytes{t, 0x80}).ok());
    }
    CHECK(wire::decode_packet(util::Bytes{}).error().code == util::Errc::truncated);
  }

  TEST_CASE("a compress message with an unknown algorithm is unsupported") {
    CHECK(wire::decode_compress(hex("0982a4416c676f01a3427566a0")).error().code ==
          util::Errc::unsupported);
  }

  TEST_CASE("every truncation of a packet fails, or loses parts and counts them") {
    const util::Bytes parts[] = {ping(1), suspect(), ping(2), ping(3)};
    for (bool compress : {false, true}) {
      for (bool crc : {false, true}) {
        const auto framed = wire::frame_packet(wire::make_compound(parts), {compress, crc});
        for (std::size_t n = 0; n < framed.size(); ++n) {
          CAPTURE(n);
          auto p = wire::decode_packet(util::ByteView(framed).first(n));
          if (!p.ok()) continue;
          CHECK_FALSE((compress || crc));  // only a bare compound can be partly read
          CHECK(p->bad_parts >= 1);
          CHECK(p->messages.size() + p->bad_parts == 4);
        }
      }
    }
  }

  TEST_CASE("random bytes never crash the packet decoder") {
    util::Rng rng(0x5eed);
    const auto valid = wire::frame_packet(ping(1), {.compress = true, .crc = false});
    for (int i = 0; i < 20000; ++i) {
      util::Bytes b(1 + rng.below(200));
      for (auto& x : b) x = static_cast<std::uint8_t>(rng.below(256));
      if (i % 2 == 0) b[0] = static_cast<std::uint8_t>(rng.below(14));  // plausible types
      auto p = wire::decode_packet(b);
      if (p.ok()) CHECK(p->messages.size() + p->bad_parts <= 255u * 255u);
      auto mutated = valid;
      mutated[rng.below(mutated.size())] ^= static_cast<std::uint8_t>(1 + rng.below(255));
      (void)wire::decode_packet(mutated);
    }
  }

  TEST_CASE("stream_frame_length waits for a whole message and then measures it") {
    const util::Bytes streams[] = {
        push_pull_stream(),
        wire::encode_stream(wire::UserMsg{.payload = hex("0182a54c54696d6501a44e6f6465a161")}),
        wire::encode_stream(wire::ErrResp{.error = "boom"}),
        ping(4),
        wire::frame_stream(push_pull_stream(), true),
        hex("0a00000003aabbcc"),
    };
    for (const auto& s : streams) {
      CAPTURE(util::to_hex(s));
      for (std::size_t n = 0; n < s.size(); ++n) {
        auto r = wire::stream_frame_length(util::ByteView(s).first(n));
        REQUIRE(r.ok());
        CHECK(*r == 0);
      }
      CHECK(*wire::stream_frame_length(s) == s.size());
      auto longer = s;
      longer.push_back(0x00);
      CHECK(*wire::stream_frame_length(longer) == s.size());
    }
  }

  TEST_CASE("stream_frame_length refuses oversized frames and non-stream types") {
    CHECK(wire::stream_frame_length(hex("0a7fffffff")).error().code == util::Errc::too_large);
    CHECK(wire::stream_frame_length(hex("07")).error().code == util::Errc::unsupported);
    // push/pull header with Nodes over the cap, and with a negative UserStateLen
    CHECK(wire::stream_frame_length(hex("0683a44a6f696ec2a54e6f646573ce7fffffffac5573657253746"
                                        "174654c656e00"))
              .error()
              .code == util::Errc::too_large);
    CHECK_FALSE(wire::stream_frame_length(hex("0683a44a6f696ec2a54e6f64657300ac5573657253746174"
                                              "654c656eff"))
                    .ok());
    CHECK(wire::stream_frame_length(hex("08c1")).error().code == util::Errc::malformed);
  }

  TEST_CASE("stream messages round trip through frame, unframe and decode") {
    const wire::StreamMessage samples[] = {
        wire::Ping{.seq_no = 3, .node = "b", .source_addr = {}, .source_node = {},
                   .source_port = 0},
        wire::Ack{.seq_no = 3, .payload = {}},
        wire::ErrResp{.error = "nope"},
        wire::UserMsg{.payload = hex("0102")},
        *wire::decode_stream(push_pull_stream()),
    };
    for (const auto& m : samples) {
      for (bool compress : {false, true}) {
        CAPTURE(m.index());
        const auto framed = wire::frame_stream(wire::encode_stream(m), compress);
        auto plain = wire::unframe_stream(framed);
        REQUIRE(plain.ok());
        auto back = wire::decode_stream(*plain);
        REQUIRE(back.ok());
        CHECK(*back == m);
      }
    }
  }

  TEST_CASE("decoding any truncation of a push/pull or stream user message fails") {
    const util::Bytes streams[] = {
        push_pull_stream(),
        wire::encode_stream(wire::UserMsg{.payload = hex("01020304")}),
    };
    for (const auto& s : streams) {
      for (std::size_t n = 0; n < s.size(); ++n) {
        CAPTURE(n);
        CHECK_FALSE(wire::decode_stream(util::ByteView(s).first(n)).ok());
      }
      auto longer = s;
      longer.push_back(0);
      CHECK(wire::decode_stream(longer).error().code == util::Errc::malformed);
    }
  }

  TEST_CASE("a push/pull announcing more nodes than bytes is refused before allocating") {
    // header {Join: false, Nodes: 1000000, UserStateLen: 0} and nothing else
    const auto s = hex("0683a44a6f696ec2a54e6f646573ce000f4240ac5573657253746174654c656e00");
    CHECK(wire::decode_stream(s).error().code == util::Errc::truncated);
  }

  TEST_CASE("unframe_stream refuses an encrypted frame and a broken compress wrapper") {
    CHECK(wire::unframe_stream(hex("0a00000000")).error().code == util::Errc::unsupported);
    CHECK_FALSE(wire::unframe_stream(hex("0982a4416c676f00a3427566a3000000")).ok());
    CHECK(wire::unframe_stream(util::Bytes{}).error().code == util::Errc::truncated);
  }

  TEST_CASE("decode_stream rejects packet-only and unknown types") {
    for (std::uint8_t t : {1, 3, 4, 5, 7, 9, 10, 11, 12, 99}) {
      CAPTURE(int(t));
      CHECK_FALSE(wire::decode_stream(util::Bytes{t, 0x80}).ok());
    }
  }

  TEST_CASE("random bytes never crash the stream functions") {
    util::Rng rng(0xfeed);
    const auto valid = wire::frame_stream(push_pull_stream(), true);
    for (int i = 0; i < 5000; ++i) {
      util::Bytes b(1 + rng.below(120));
      for (auto& x : b) x = static_cast<std::uint8_t>(rng.below(256));
      if (i % 2 == 0) b[0] = static_cast<std::uint8_t>(rng.below(14));
      (void)wire::stream_frame_length(b);
      (void)wire::decode_stream(b);
      auto mutated = valid;
      mutated[rng.below(mutated.size())] ^= static_cast<std::uint8_t>(1 + rng.below(255));
      (void)wire::stream_frame_length(mutated);
      if (auto plain = wire::unframe_stream(mutated); plain.ok()) (void)wire::decode_stream(*plain);
    }
    CHECK(wire::decode_stream(*wire::unframe_stream(valid)).ok());
  }
}
