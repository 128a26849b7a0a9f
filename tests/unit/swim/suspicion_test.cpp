// Lifeguard suspicion timers (swim/suspicion.h), with memberlist's suspicion_test.go numbers.
#include <doctest/doctest.h>

#include "swim/suspicion.h"

using namespace std::chrono_literals;

namespace {
const util::Instant t0 = util::instant_from_us(1'000'000);
}

TEST_SUITE("swim.suspicion") {
  TEST_CASE("a suspicion expecting confirmations starts at the maximum") {
    swim::Suspicion s("me", 3, 500ms, 2s, t0);
    CHECK(s.deadline() == t0 + 2s);
  }

  TEST_CASE("a suspicion expecting no confirmations starts at the minimum") {
    swim::Suspicion s("me", 0, 4s, 24s, t0);
    CHECK(s.deadline() == t0 + 4s);
    CHECK_FALSE(s.confirm("other"));
    CHECK(s.deadline() == t0 + 4s);
  }

  TEST_CASE("the first accuser does not count as a confirmation") {
    swim::Suspicion s("me", 3, 500ms, 2s, t0);
    CHECK_FALSE(s.confirm("me"));
    CHECK(s.confirmations() == 0);
  }

  TEST_CASE("each distinct confirmation brings the deadline closer") {
    swim::Suspicion s("me", 3, 500ms, 2s, t0);
    CHECK(s.confirm("foo"));
    CHECK(s.deadline() == t0 + 1250ms);
    CHECK_FALSE(s.confirm("foo"));
    CHECK(s.confirm("bar"));
    CHECK(s.deadline() == t0 + 811ms);  // floor(1000 * (2 - ln3/ln4 * 1.5)) ms
    CHECK(s.confirm("baz"));
    CHECK(s.deadline() == t0 + 500ms);
    CHECK_FALSE(s.confirm("zoo"));
    CHECK(s.confirmations() == 3);
  }

  TEST_CASE("a suspicion timer is live until it is renewed, restarted or erased") {
    swim::SuspicionTimers timers;
    const std::uint64_t first = timers.start("b", swim::Suspicion("c", 2, 1s, 6s, t0), t0);
    CHECK(timers.live("b", first));
    CHECK_FALSE(timers.live("x", first));
    swim::SuspicionTimers::Entry* entry = timers.find("b");
    REQUIRE(entry != nullptr);
    CHECK(entry->change_time == t0);
    const std::uint64_t renewed = timers.renew(*entry);
    CHECK(renewed != first);
    CHECK_FALSE(timers.live("b", first));
    CHECK(timers.live("b", renewed));
    const std::uint64_t restarted = timers.start("b", swim::Suspicion("d", 2, 1s, 6s, t0), t0);
    CHECK_FALSE(timers.live("b", renewed));
    CHECK(timers.size() == 1);
    timers.erase("b");
    CHECK_FALSE(timers.live("b", restarted));
    CHECK(timers.find("b") == nullptr);
  }
}
