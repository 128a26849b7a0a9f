// Vivaldi coordinates: distance, validation, and convergence towards observed RTTs.
#include "serf/vivaldi.h"

#include <cmath>
#include <limits>

#include <doctest/doctest.h>

using namespace std::chrono_literals;

TEST_SUITE("serf.vivaldi") {
  TEST_CASE("two fresh coordinates are two minimum heights apart") {
    CHECK(serf::coordinate_distance(serf::Coordinate{}, serf::Coordinate{}) == 20us);
  }

  TEST_CASE("distance adds heights and positive adjustments only") {
    serf::Coordinate a, b;
    a.vec[0] = 0.003;
    b.vec[0] = -0.001;
    a.height = b.height = 0.0005;
    CHECK(serf::coordinate_distance(a, b) == 5000us);
    a.adjustment = 0.001;
    CHECK(serf::coordinate_distance(a, b) == 6000us);
    a.adjustment = -0.01;  // would make it negative: ignored
    CHECK(serf::coordinate_distance(a, b) == 5000us);
  }

  TEST_CASE("updates with out-of-range RTTs or invalid coordinates are rejected") {
    serf::VivaldiClient c;
    util::Rng rng(1);
    CHECK_FALSE(c.update("a", serf::Coordinate{}, 11s, rng).ok());
    CHECK_FALSE(c.update("a", serf::Coordinate{}, -1us, rng).ok());
    serf::Coordinate bad;
    bad.vec[3] = std::numeric_limits<double>::quiet_NaN();
    CHECK_FALSE(c.update("a", bad, 10ms, rng).ok());
    CHECK(c.coordinate() == serf::Coordinate{});
  }

  TEST_CASE("a coordinate moves until its distance matches the observed RTT") {
    serf::VivaldiClient c;
    util::Rng rng(7);
    const serf::Coordinate other{};
    for (int i = 0; i < 500; ++i) REQUIRE(c.update("a", other, 10ms, rng).ok());
    const auto d = serf::coordinate_distance(c.coordinate(), other);
    CHECK(d > 8ms);
    CHECK(d < 12ms);
    CHECK(c.coordinate().error < 1.5);
    CHECK(c.resets() == 0);
  }
}
