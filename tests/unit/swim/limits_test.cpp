// swim/limits.h: what a peer can make a Core hold stays within its bound, whatever it sends.
#include <doctest/doctest.h>

#include "solo.h"
#include "swim/limits.h"
#include "swim/suspicion.h"

using namespace swim_test;
namespace limits = swim::limits;

namespace {

// A push/pull listing `count` alive nodes with distinct names and addresses.
wire::PushPull crowd(std::size_t count) {
  wire::PushPull pp;
  pp.nodes.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    wire::PushNodeState n = pns("m" + std::to_string(i), 1, wire::NodeState::alive);
    n.addr = {10, 1, static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i)};
    n.port = static_cast<std::uint16_t>(7000 + (i >> 16));
    pp.nodes.push_back(std::move(n));
  }
  return pp;
}

// b at 10.0.0.2, which a peer declares alive, then suspect, at each incarnation up to `last`:
// each round starts a suspicion and drops the one before.
void flap(Solo& s, std::uint32_t last) {
  s.meet("b", 2);
  for (std::uint32_t inc = 2; inc <= last; ++inc) {
    s.packet(addr(3), alive_msg("b", inc, addr(2)));
    s.packet(addr(3), wire::Suspect{inc, "b", "c"});
  }
}

}  // namespace

TEST_SUITE("swim.limits") {
  TEST_CASE("our meta is gossiped only up to node_meta_bytes_max") {
    const util::Bytes fits(limits::node_meta_bytes_max, 'x');
    Solo s({}, 7, util::Bytes(limits::node_meta_bytes_max + 1, 'x'));
    CHECK(s.core->self().meta.empty());  // at start: dropped, as memberlist does
    s.delegate.meta = fits;
    s.core->update_meta(s.now, s.out);
    CHECK(s.core->self().meta == fits);
    CHECK(s.core->self().incarnation == 2);
    s.delegate.meta = util::Bytes(limits::node_meta_bytes_max + 1, 'y');
    s.core->update_meta(s.now, s.out);  // later: refused, the old meta stays
    CHECK(s.core->self().meta == fits);
    CHECK(s.core->self().incarnation == 2);
  }

  TEST_CASE("the member table refuses new names once it holds members_max") {
    Solo s;
    s.core->on_stream_request(1, addr(2, 0), framed(crowd(limits::members_max - 1)), s.now,
                              s.out);
    REQUIRE(s.core->footprint().members == limits::members_max);
    s.packet(addr(2), alive_msg("one-too-many", 1, addr(2)));
    CHECK(s.core->find("one-too-many") == nullptr);
    CHECK(s.core->footprint().members == limits::members_max);
    CHECK(s.core->counters().members_full == 1);
    const swim::Address m7{{10, 1, 0, 7}, 7000};
    s.packet(m7, alive_msg("m7", 2, m7));  // a known name is still updated
    CHECK(s.core->find("m7")->incarnation == 2);
  }

  TEST_CASE("a push/pull listing more nodes than members_max is refused whole") {
    Solo s;
    s.core->on_stream_request(1, addr(2, 0), framed(crowd(limits::members_max + 1)), s.now,
                              s.out);
    REQUIRE(s.out.stream_replies.size() == 1);
    CHECK(std::holds_alternative<wire::ErrResp>(unframed(s.out.stream_replies[0].bytes)));
    CHECK(s.core->footprint().members == 1);
    CHECK(s.core->counters().oversized_push_pull == 1);
  }

  TEST_CASE("indirect pings beyond indirect_relays_max are dropped until some are over") {
    Solo s;
    const std::size_t flood = limits::indirect_relays_max + 88;
    for (std::size_t i = 0; i < flood; ++i) {
      wire::IndirectPing ind;
      ind.seq_no = static_cast<std::uint32_t>(i);
      ind.target = addr(3).ip;
      ind.port = 7946;
      ind.node = "c";
      s.packet(addr(2), ind);
    }
    CHECK(s.core->footprint().indirect_relays == limits::indirect_relays_max);
    CHECK(s.core->counters().relays_full == 88);
    CHECK(s.sent_of<wire::Ping>().size() == limits::indirect_relays_max);
    s.advance(1s);  // ProbeTimeout: each relay gives up on its silent target
    CHECK(s.core->footprint().indirect_relays == 0);
  }

  TEST_CASE("a suspicion keeps no more accusers than the confirmations it expects") {
    swim::Suspicion sus("first", 3, 1s, 6s, util::Instant{});
    for (int i = 0; i < 1000; ++i) sus.confirm("accuser-" + std::to_string(i));
    CHECK(sus.confirmations() == 3);
    CHECK(sus.accusers() == 4);
  }

  TEST_CASE("a peer alternating alive and suspect leaves a bounded number of timers") {
    Solo s;
    flap(s, 19'999);
    const swim::Footprint f = s.core->footprint();
    CHECK(f.suspicions == 1);
    CHECK(f.timers <= 2 * (5 + f.suspicions) + limits::timers_slack);
    CHECK(s.state_of("b") == swim::State::suspect);
    CHECK(s.core->find("b")->incarnation == 19'999);
  }

  TEST_CASE("dropping stale timers changes no outcome: the last suspicion still fires") {
    Solo s;
    flap(s, 1'999);
    s.advance(10s);  // beyond the suspicion timeout (4 s for two nodes), before the reap
    CHECK(s.state_of("b") == swim::State::dead);
    CHECK(s.delegate.left == std::vector<std::string>{"b"});
  }

  TEST_CASE("broadcasts stay one per member however often a peer updates them") {
    Solo s;
    for (std::uint32_t inc = 1; inc <= 1000; ++inc) {
      for (int host = 2; host <= 11; ++host) {
        s.packet(addr(host), alive_msg("n" + std::to_string(host), inc, addr(host)));
      }
    }
    const swim::Footprint f = s.core->footprint();
    CHECK(f.members == 11);
    CHECK(f.broadcasts <= f.members + 1);
  }

  TEST_CASE("stream calls in flight are released as the driver reports each one") {
    Solo s([](swim::Config& c) { c.push_pull_interval = 30s; });
    s.meet("b", 2);  // never answers: each probe also tries TCP
    std::size_t calls = 0;
    for (int round = 0; round < 20; ++round) {
      s.advance(5s);
      const std::vector<swim::StreamCall> started = std::exchange(s.out.streams, {});
      calls += started.size();
      for (const auto& call : started) {
        s.core->on_stream_reply(call.id, util::Error{util::Errc::timeout, "i/o timeout"}, s.now,
                                s.out);
      }
      CHECK(s.core->footprint().pending_streams == 0);
    }
    CHECK(calls > 0);
  }
}
