// The recent-intent buffer for nodes memberlist has not reported yet.
#include "serf/intents.h"

#include <doctest/doctest.h>

#include <string>

#include "serf/limits.h"

using namespace std::chrono_literals;
using serf::IntentType;

namespace {
const util::Instant t0 = util::instant_from_us(1'000'000);
}

TEST_SUITE("serf.intents") {
  TEST_CASE("the first intent about a node is stored and worth a re-broadcast") {
    serf::RecentIntents b;
    CHECK(b.upsert("a", IntentType::join, 5, t0));
    CHECK(b.recent("a", IntentType::join) == 5);
    CHECK_FALSE(b.recent("a", IntentType::leave).has_value());
  }

  TEST_CASE("only a newer intent replaces the stored one") {
    serf::RecentIntents b;
    REQUIRE(b.upsert("a", IntentType::join, 5, t0));
    CHECK_FALSE(b.upsert("a", IntentType::leave, 5, t0));
    CHECK_FALSE(b.upsert("a", IntentType::leave, 4, t0));
    CHECK(b.recent("a", IntentType::join) == 5);
    CHECK(b.upsert("a", IntentType::leave, 6, t0));
    CHECK(b.recent("a", IntentType::leave) == 6);
    CHECK_FALSE(b.recent("a", IntentType::join).has_value());
  }

  TEST_CASE("intents are reaped after the timeout, not before") {
    serf::RecentIntents b;
    REQUIRE(b.upsert("a", IntentType::join, 1, t0));
    REQUIRE(b.upsert("b", IntentType::join, 1, t0 + 2min));
    b.reap(t0 + 5min, 5min);
    CHECK(b.size() == 2);
    b.reap(t0 + 5min + 1us, 5min);
    CHECK(b.size() == 1);
    CHECK_FALSE(b.recent("a", IntentType::join).has_value());
    CHECK(b.recent("b", IntentType::join) == 1);
  }

  TEST_CASE("intents about new names are refused once recent_intents_max are held") {
    serf::RecentIntents b;
    for (std::size_t i = 0; i < serf::limits::recent_intents_max; ++i) {
      REQUIRE(b.upsert("n" + std::to_string(i), IntentType::join, 1, t0));
    }
    CHECK_FALSE(b.upsert("newcomer", IntentType::join, 1, t0));
    CHECK(b.refused() == 1);
    CHECK(b.size() == serf::limits::recent_intents_max);
    CHECK_FALSE(b.recent("newcomer", IntentType::join).has_value());
    CHECK(b.upsert("n0", IntentType::leave, 2, t0));  // known names still update
    b.reap(t0 + 10min, 5min);
    CHECK(b.upsert("newcomer", IntentType::join, 1, t0 + 10min));
  }
}
