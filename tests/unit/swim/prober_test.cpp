// swim::Prober: the probe in flight and the relays we serve, matched by sequence number.
#include <doctest/doctest.h>

#include "swim/prober.h"

TEST_SUITE("swim.prober") {
  TEST_CASE("only the sequence number of the probe in flight reaches it") {
    swim::Prober p;
    const std::uint32_t seq = p.next_seq();
    p.current = swim::ProbeRun{};
    p.current->seq = seq;
    CHECK(p.running(seq + 1) == nullptr);
    CHECK_FALSE(p.finish(seq + 1).has_value());
    REQUIRE(p.running(seq) != nullptr);
    const auto done = p.finish(seq);
    REQUIRE(done.has_value());
    CHECK(done->seq == seq);
    CHECK_FALSE(p.current.has_value());
    CHECK_FALSE(p.finish(seq).has_value());
  }

  TEST_CASE("a relay is handed over once") {
    swim::Prober p;
    const std::uint32_t ours = p.next_seq();
    p.relays[ours] = swim::IndirectRelay{42, swim::Address{{10, 0, 0, 2}, 7946}, true};
    CHECK_FALSE(p.take_relay(ours + 1).has_value());
    const auto relay = p.take_relay(ours);
    REQUIRE(relay.has_value());
    CHECK(relay->requester_seq == 42);
    CHECK(relay->nack);
    CHECK_FALSE(p.take_relay(ours).has_value());
    CHECK(p.relays.empty());
  }

  TEST_CASE("sequence numbers only grow") {
    swim::Prober p;
    const std::uint32_t a = p.next_seq();
    CHECK(p.next_seq() == a + 1);
  }
}
