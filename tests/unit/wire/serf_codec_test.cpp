// Tests for wire/serf_codec.h: Serf messages, tags, filters and the Vivaldi ack payload.
#include "wire/serf_codec.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "util/rng.h"
#include "wire_test_support.h"

using wire_test::hex;
namespace ws = wire::serf;

namespace {

ws::PushPull sample_push_pull() {
  ws::PushPull pp;
  pp.ltime = 7;
  pp.status_ltimes = {{"a", 3}, {"b", 0}};
  pp.left_members = {"b"};
  pp.event_ltime = 300;
  pp.events.resize(4);
  pp.events[1] = ws::EventSlot{.ltime = 9, .events = {{"deploy", hex("7631")}, {"x", {}}}};
  pp.query_ltime = 2;
  return pp;
}

ws::Member sample_member() {
  return ws::Member{.name = "a", .addr = hex("0a000001"), .port = 7946,
                    .tags = {{"role", "web"}}, .status = ws::MemberStatus::alive,
                    .protocol_min = 1, .protocol_max = 5, .protocol_cur = 2,
                    .delegate_min = 2, .delegate_max = 5, .delegate_cur = 5};
}

std::vector<ws::Message> samples() {
  return {
      ws::Leave{.ltime = 4, .node = "n2", .prune = true},
      ws::Join{.ltime = 1, .node = "n2"},
      sample_push_pull(),
      ws::UserEvent{.ltime = 1, .name = "deploy", .payload = hex("76312e322e33"), .cc = true},
      ws::Query{.ltime = 2, .id = 770874752, .addr = hex("7f000065"), .port = 7946,
                .source_node = "n1", .filters = {hex("0091a26e32")}, .flags = 1,
                .relay_factor = 1, .timeout_ns = 2000000000, .name = "whoami",
                .payload = hex("6869")},
      ws::QueryResponse{.ltime = 1, .id = 5, .from = "n3", .flags = 1, .payload = {}},
      ws::ConflictResponse{.member = sample_member()},
      ws::ConflictResponse{.member = std::nullopt},
      ws::KeyRequest{.key = {}},
      ws::KeyResponse{.result = true, .message = "", .keys = {"a2V5"}, .primary_key = "a2V5"},
      ws::Relay{.header = {.dest_ip = hex("7f000065"), .dest_port = 7946, .dest_zone = "",
                           .dest_name = "n1"},
                .inner = ws::encode(ws::QueryResponse{.ltime = 2, .id = 1, .from = "n2",
                                                      .flags = 0, .payload = hex("6869")})},
  };
}

}  // namespace

TEST_SUITE("wire.serf_codec") {
  TEST_CASE("every serf message survives an encode and decode round trip") {
    for (const auto& m : samples()) {
      CAPTURE(m.index());
      const auto bytes = ws::encode(m);
      CHECK(bytes[0] == m.index());
      auto back = ws::decode(bytes);
      REQUIRE(back.ok());
      CHECK(*back == m);
      CHECK(ws::encode(*back) == bytes);
    }
  }

  TEST_CASE("decoding any truncation of a serf message fails cleanly") {
    for (const auto& m : samples()) {
      const auto bytes = ws::encode(m);
      for (std::size_t n = 0; n < bytes.size(); ++n) {
        CAPTURE(m.index());
        CAPTURE(n);
        auto r = ws::decode(util::ByteView(bytes).first(n));
        // a relay cut inside its inner message still has a header and some inner bytes: the
        // relay node forwards them without looking, as Serf does
        if (r.ok()) CHECK(std::holds_alternative<ws::Relay>(*r));
      }
    }
  }

  TEST_CASE("trailing bytes after a serf message are rejected") {
    auto bytes = ws::encode(ws::Join{.ltime = 1, .node = "a"});
    bytes.push_back(0);
    CHECK(ws::decode(bytes).error().code == util::Errc::malformed);
  }

  TEST_CASE("nil and empty fields encode the way Go writes them") {
    // query ack: nil payload
    CHECK(ws::encode(ws::QueryResponse{.ltime = 1, .id = 341307697, .from = "n3", .flags = 1,
                                       .payload = {}}) ==
          hex("0585a5466c61677301a446726f6da26e33a24944ce1457f131a54c54696d6501a75061796c6f6164"
              "c0"));
    // list-keys request: an empty raw key, not nil
    CHECK(ws::encode(ws::KeyRequest{.key = {}}) == hex("0781a34b6579a0"));
    // unknown member in a conflict response
    CHECK(ws::encode(ws::ConflictResponse{}) == hex("06c0"));
    // idle push/pull: no left members is an empty array, the ring slots are nil
    ws::PushPull pp{.ltime = 1, .status_ltimes = {{"n2", 0}}, .left_members = {},
                    .event_ltime = 1, .events = {std::nullopt}, .query_ltime = 1};
    CHECK(ws::encode(pp) == hex("0286aa4576656e744c54696d6501a64576656e747391c0a54c54696d6501ab"
                                "4c6566744d656d6265727390aa51756572794c54696d6501ac53746174757"
                                "34c54696d657381a26e3200"));
  }

  TEST_CASE("decoding accepts Go v2 signed integers and bin payloads") {
    // query with Timeout as int64 (d3) and Payload as bin8
    ws::Query q{.ltime = 1, .id = 1, .addr = {}, .port = 0, .source_node = "a", .filters = {},
                .flags = 0, .relay_factor = 0, .timeout_ns = 1, .name = "q", .payload = {}};
    auto bytes = ws::encode(q);
    const auto timeout = hex("a754696d656f757401");
    const auto it = std::search(bytes.begin(), bytes.end(), timeout.begin(), timeout.end());
    REQUIRE(it != bytes.end());
    bytes.erase(it + 8, bytes.end());
    const auto wide = hex("d30000000077359400");
    bytes.insert(bytes.end(), wide.begin(), wide.end());
    auto back = ws::decode_as<ws::Query>(bytes);
    REQUIRE(back.ok());
    CHECK(back->timeout_ns == 2000000000);
    CHECK(ws::decode_as<ws::UserEvent>(hex("0382a7506179"
                                           "6c6f6164c4026869a44e616d65a161"))
              ->payload == hex("6869"));
  }

  TEST_CASE("wrong field types and unknown serf types are rejected") {
    CHECK_FALSE(ws::decode(hex("0182a54c54696d65a131a44e6f6465a161")).ok());  // LTime: "1"
    CHECK_FALSE(ws::decode(hex("0081a55072756e6501")).ok());                  // Prune: 1
    CHECK_FALSE(ws::decode(hex("0281a64576656e74739101")).ok());              // slot: 1
    CHECK(ws::decode(hex("0a80")).error().code == util::Errc::unsupported);
    CHECK(ws::decode(util::Bytes{}).error().code == util::Errc::truncated);
    CHECK(ws::decode_as<ws::Join>(ws::encode(ws::Leave{})).error().code ==
          util::Errc::unsupported);
  }

  TEST_CASE("encode_relay carries the destination and the inner message unchanged") {
    const auto inner = ws::encode(ws::QueryResponse{.ltime = 3, .id = 7, .from = "b", .flags = 1,
                                                    .payload = {}});
    const ws::RelayHeader header{.dest_ip = hex("7f000001"), .dest_port = 7000, .dest_zone = "",
                                 .dest_name = "a"};
    const auto bytes = ws::encode_relay(header, inner);
    CHECK(bytes == ws::encode(ws::Relay{.header = header, .inner = inner}));
    auto back = ws::decode_as<ws::Relay>(bytes);
    REQUIRE(back.ok());
    CHECK(back->header == header);
    CHECK(back->inner == inner);
  }

  TEST_CASE("a relay needs an inner message") {
    const auto r = ws::encode_relay(ws::RelayHeader{.dest_ip = hex("7f000001"), .dest_port = 1,
                                                    .dest_zone = "", .dest_name = "a"},
                                    {});
    CHECK(ws::decode(r).error().code == util::Errc::truncated);
  }

  TEST_CASE("a huge events array in a push/pull is refused without allocating") {
    CHECK_FALSE(ws::decode(hex("0281a64576656e7473ddffffffff")).ok());
  }

  TEST_CASE("tags encode with sorted keys and decode in every form") {
    CHECK(ws::encode_tags({}) == hex("ff80"));
    CHECK(ws::encode_tags({{"role", "web"}, {"env", "prod"}}) ==
          hex("ff82a3656e76a470726f64a4726f6c65a3776562"));
    CHECK(*ws::decode_tags({}) == ws::Tags{{"role", ""}});
    CHECK(*ws::decode_tags(util::as_bytes("db")) == ws::Tags{{"role", "db"}});
    CHECK(ws::encode_tags_legacy({{"role", "legacy"}, {"x", "y"}}) == util::to_bytes("legacy"));
    CHECK(ws::encode_tags_legacy({}).empty());
    CHECK_FALSE(ws::decode_tags(hex("ff81a4726f6c6501")).ok());  // value not a string
    CHECK_FALSE(ws::decode_tags(hex("ff81a4726f6c65")).ok());    // truncated
    CHECK_FALSE(ws::decode_tags(hex("ff80c0")).ok());            // trailing
    CHECK(*ws::decode_tags(hex("ffc0")) == ws::Tags{});          // nil map
  }

  TEST_CASE("query filters encode as captured and reject unknown types") {
    CHECK(ws::encode_filter(ws::NodeFilter{.nodes = {"n2"}}) == hex("0091a26e32"));
    CHECK(ws::encode_filter(ws::TagFilter{.tag = "role", .expr = "db"}) ==
          hex("0182a445787072a26462a3546167a4726f6c65"));
    CHECK(ws::decode_filter(hex("0280")).error().code == util::Errc::unsupported);
    CHECK(ws::decode_filter(util::Bytes{}).error().code == util::Errc::truncated);
    CHECK_FALSE(ws::decode_filter(hex("0081")).ok());     // node filter must be an array
    CHECK_FALSE(ws::decode_filter(hex("009101")).ok());   // of strings
    CHECK_FALSE(ws::decode_filter(hex("0091a26e3200")).ok());  // trailing
  }

  TEST_CASE("the ack payload round trips a coordinate and rejects bad ones") {
    ws::Coordinate c;
    c.vec = {1, -2, 3.5, 0, 0, 0, 0, 1e-9};
    c.error = 0.7;
    c.adjustment = -0.001;
    c.height = 0.0002;
    const auto bytes = ws::encode_ping_payload(c);
    CHECK(bytes.size() == 130);
    CHECK(*ws::decode_ping_payload(bytes) == c);
    CHECK(ws::decode_ping_payload({}).error().code == util::Errc::truncated);
    auto v2 = bytes;
    v2[0] = 2;
    CHECK(ws::decode_ping_payload(v2).error().code == util::Errc::unsupported);
    c.vec[3] = std::numeric_limits<double>::quiet_NaN();
    CHECK(ws::decode_ping_payload(ws::encode_ping_payload(c)).error().code ==
          util::Errc::malformed);
    c.vec[3] = 0;
    c.height = std::numeric_limits<double>::infinity();
    CHECK_FALSE(ws::decode_ping_payload(ws::encode_ping_payload(c)).ok());
    // 7 dimensions, and no Vec at all
    CHECK_FALSE(ws::decode_ping_payload(hex("0181a356656397000000000000000000")).ok());
    CHECK_FALSE(ws::decode_ping_payload(hex("0181a54572726f72cb3ff8000000000000")).ok());
  }

  TEST_CASE("random bytes never crash the serf decoders") {
    util::Rng rng(0xc0ffee);
    const auto valid = ws::encode(sample_push_pull());
    for (int i = 0; i < 10000; ++i) {
      util::Bytes b(1 + rng.below(100));
      for (auto& x : b) x = static_cast<std::uint8_t>(rng.below(256));
      b[0] = static_cast<std::uint8_t>(rng.below(11));
      (void)ws::decode(b);
      (void)ws::decode_tags(b);
      (void)ws::decode_filter(b);
      (void)ws::decode_ping_payload(b);
      auto mutated = valid;
      mutated[rng.below(mutated.size())] ^= static_cast<std::uint8_t>(1 + rng.below(255));
      (void)ws::decode(mutated);
    }
    CHECK(ws::decode(valid).ok());
  }
}
