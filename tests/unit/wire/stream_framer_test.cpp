// Tests for wire::StreamFramer (wire/framing.h): it finds where a stream's message ends as the
// bytes arrive, whatever the reads' sizes, scans every byte once, and refuses what can never
// become a valid frame within the stream limits.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "wire/codec.h"
#include "wire/framing.h"
#include "wire/limits.h"
#include "wire_test_support.h"

using wire_test::hex;

namespace {

util::Bytes push_pull(std::size_t nodes, util::Bytes user_state) {
  wire::PushPull pp;
  for (std::size_t i = 0; i < nodes; ++i)
    pp.nodes.push_back(wire::PushNodeState{.name = "n" + std::to_string(i), .addr = hex("0a000001"),
                                           .port = 7946, .meta = hex("ff80"), .incarnation = 3,
                                           .state = wire::NodeState::alive, .vsn = {}});
  pp.user_state = std::move(user_state);
  return wire::encode_stream(pp);
}

std::vector<util::Bytes> sample_streams() {
  return {
      push_pull(3, hex("0281a54c54696d6501")),
      push_pull(0, {}),
      wire::encode_stream(wire::UserMsg{.payload = hex("0182a54c54696d6501a44e6f6465a161")}),
      wire::encode_stream(wire::ErrResp{.error = "boom"}),
      wire::frame_stream(push_pull(2, hex("01")), true),
      hex("0a00000003aabbcc"),
  };
}

// Feeds `stream` to a framer `step` bytes at a time; the first non-zero result (or error).
util::Result<std::size_t> feed(const util::Bytes& stream, std::size_t step) {
  wire::StreamFramer framer;
  for (std::size_t n = step; ; n += step) {
    auto r = framer.advance(util::ByteView(stream).first(std::min(n, stream.size())));
    if (!r.ok() || *r != 0 || n >= stream.size()) return r;
  }
}

}  // namespace

TEST_SUITE("wire.stream_framer") {
  TEST_CASE("the framer finds a message's length however its bytes are split into reads") {
    for (const auto& s : sample_streams()) {
      for (std::size_t step : {std::size_t{1}, std::size_t{2}, std::size_t{7}, s.size()}) {
        CAPTURE(util::to_hex(s));
        CAPTURE(step);
        auto r = feed(s, step);
        REQUIRE(r.ok());
        CHECK(*r == s.size());
      }
    }
  }

  TEST_CASE("the framer waits on every proper prefix of a message") {
    for (const auto& s : sample_streams()) {
      CAPTURE(util::to_hex(s));
      wire::StreamFramer framer;
      for (std::size_t n = 0; n < s.size(); ++n) {
        auto r = framer.advance(util::ByteView(s).first(n));
        REQUIRE(r.ok());
        CHECK(*r == 0);
      }
    }
  }

  TEST_CASE("bytes after the message do not count towards its length") {
    auto s = push_pull(2, hex("01"));
    const auto length = s.size();
    s.insert(s.end(), {0x00, 0x01, 0x02});
    auto r = feed(s, 5);
    REQUIRE(r.ok());
    CHECK(*r == length);
  }

  TEST_CASE("bytes the framer has scanned are not scanned again") {
    // Spoil an already scanned node state between two reads: a framer that re-parsed the
    // buffer would now fail; ours only reads on from its cursor.
    auto s = push_pull(50, hex("01"));
    const std::size_t half = s.size() / 2;
    wire::StreamFramer framer;
    REQUIRE(*framer.advance(util::ByteView(s).first(half)) == 0);
    auto spoiled = s;
    for (std::size_t i = 40; i < half - 20; ++i) spoiled[i] = 0xc1;  // never valid msgpack
    CHECK_FALSE(wire::stream_frame_length(spoiled).ok());
    auto r = framer.advance(spoiled);
    REQUIRE(r.ok());
    CHECK(*r == s.size());
  }

  TEST_CASE("the length is known once the headers tell it") {
    const auto user = wire::encode_stream(wire::UserMsg{.payload = util::Bytes(1000, 0x42)});
    wire::StreamFramer framer;
    CHECK(framer.expected_length() == 0);
    REQUIRE(*framer.advance(util::ByteView(user).first(30)) == 0);
    CHECK(framer.expected_length() == user.size());
  }

  TEST_CASE("an encrypted frame over the stream cap fails as soon as its header is in") {
    wire::StreamFramer framer;
    auto r = framer.advance(hex("0a01400001"));  // 20 MiB + 1
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == util::Errc::too_large);
    CHECK(*wire::stream_frame_length(hex("0a01400000")) == 0);  // exactly 20 MiB: waits
  }

  TEST_CASE("a user message announcing more than the stream cap fails") {
    // 08, {UserMsgLen: 20 MiB + 1}
    auto r = wire::stream_frame_length(hex("0881aa557365724d73674c656ece01400001"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == util::Errc::too_large);
  }

  TEST_CASE("a push/pull with more node states than the cap allows fails") {
    // 06, {Join: false, Nodes: 2^20 + 1, UserStateLen: 0}
    auto r = wire::stream_frame_length(
        hex("0683a44a6f696ec2a54e6f646573ce00100001ac5573657253746174654c656e00"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == util::Errc::too_large);
  }

  TEST_CASE("a header longer than stream_header_bytes_max fails before it ends") {
    // 08 followed by a map whose one key is a string longer than the header cap
    util::Bytes s = hex("0881da1400");  // str16 of 0x1400 = 5120 bytes, still arriving
    s.resize(s.size() + wire::limits::stream_header_bytes_max, 'k');
    auto r = wire::stream_frame_length(s);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == util::Errc::too_large);
  }

  TEST_CASE("an item that announces more bytes than any frame can hold fails at once") {
    // 02 (ack) followed by a bin32 of 4 GiB - 1
    auto r = wire::stream_frame_length(hex("02c6ffffffff"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == util::Errc::too_large);
  }

  TEST_CASE("a never-valid msgpack byte fails, and so does a non-stream type") {
    CHECK(wire::stream_frame_length(hex("02c1")).error().code == util::Errc::malformed);
    CHECK(wire::stream_frame_length(hex("0c00")).error().code == util::Errc::unsupported);
  }

  TEST_CASE("an incomplete message longer than the largest frame fails") {
    // an ack of arrays nested without end: every 0x91 is an array of one more array
    util::Bytes s = hex("02");
    s.resize(wire::StreamFramer::frame_bytes_max + 1, 0x91);
    auto r = wire::stream_frame_length(s);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == util::Errc::too_large);
  }

  TEST_CASE("a framer that failed keeps failing") {
    wire::StreamFramer framer;
    REQUIRE_FALSE(framer.advance(hex("02c1")).ok());
    CHECK_FALSE(framer.advance(hex("02c1c0c0")).ok());
  }
}
