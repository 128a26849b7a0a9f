// Byte-for-byte agreement with packets captured from real serf 0.9.4 agents
// (shared/fixtures/serf-0.8/vectors.json): which wrapper, CRC and compression choice the Core
// makes, not just which messages.
#include <doctest/doctest.h>

#include "solo.h"

using namespace swim_test;

namespace {

swim::Address lo(int host) {
  return swim::Address{{127, 0, 0, static_cast<std::uint8_t>(host)}, 7946};
}

util::Bytes hex(std::string_view h) {
  util::Bytes b;
  REQUIRE(util::from_hex(h, b));
  return b;
}

bool sent_exactly(const Solo& s, const swim::Address& to, const util::Bytes& bytes) {
  for (const auto& d : s.out.packets) {
    if (d.to == to && d.bytes == bytes) return true;
  }
  return false;
}

// A Core called `name` at 127.0.0.`host` with gossip on.
Solo at_loopback(const std::string& name, int host, util::Bytes meta = {}) {
  return Solo(
      [&](swim::Config& c) {
        c.name = name;
        c.advertise = lo(host);
        c.gossip_interval = std::chrono::milliseconds(200);
      },
      7, std::move(meta));
}

// Meets n1 (127.0.0.101, answering pings) and gossips until the queue is empty.
void settle(Solo& s) {
  s.responsive = {"n1"};
  s.packet(lo(101), alive_msg("n1", 1, lo(101)));
  s.advance(5s);
  s.clear();
}

}  // namespace

TEST_SUITE("swim.fidelity") {
  TEST_CASE("a graceful leave gossips the bytes serf sends") {
    Solo s = at_loopback("n2", 102);
    settle(s);
    s.core->leave(s.now, s.out);
    s.advance(1s);
    // udp-dead-self-left: CRC, then the plain dead message (compression would not be shorter).
    CHECK(sent_exactly(
        s, lo(101),
        hex("0cc88525220583a446726f6da26e32ab496e6361726e6174696f6e01a44e6f6465a26e32")));
  }

  TEST_CASE("refuting a suspicion gossips the alive serf sends") {
    Solo s = at_loopback("n3", 103, hex("ff80"));  // ff80: Serf's encoding of no tags
    settle(s);
    s.packet(lo(101), wire::Suspect{1, "n3", "n1"});
    s.advance(1s);
    // udp-refute-alive: CRC + alive{Incarnation 2, Meta ff80, Vsn 01 05 02 02 05 05}.
    CHECK(sent_exactly(s, lo(101),
                       hex("0cdc086ae30486a441646472a47f000067ab496e6361726e6174696f6e02a44d65"
                           "7461a2ff80a44e6f6465a26e33a4506f7274cd1f0aa356736ea6010502020505")));
  }

  TEST_CASE("a probe ping with nothing to piggyback is the bytes serf sends") {
    Solo s = at_loopback("n2", 102);
    settle(s);
    s.responsive = {};
    for (int i = 0; i < 20 && s.out.packets.empty(); ++i) s.advance(100ms);
    auto pings = s.sent_of<wire::Ping>();
    REQUIRE_FALSE(pings.empty());
    // udp-ping with this Core's sequence number: plain, no CRC, no compression.
    wire::Ping expected = wire::Ping{1, "n1", lo(102).ip, "n2", 7946};
    expected.seq_no = pings[0].second.seq_no;
    CHECK(sent_exactly(s, lo(101), wire::encode(expected)));
    if (expected.seq_no == 1) {
      CHECK(sent_exactly(s, lo(101),
                         hex("0085a44e6f6465a26e31a55365714e6f01aa536f7572636541646472a47f000066"
                             "aa536f757263654e6f6465a26e32aa536f75726365506f7274cd1f0a")));
    }
  }
}
