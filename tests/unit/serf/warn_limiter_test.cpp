// The warning rate limit for peer-triggered warnings.
#include "serf/warn_limiter.h"

#include <doctest/doctest.h>

using namespace std::chrono_literals;

TEST_SUITE("serf.warn_limiter") {
  TEST_CASE("one warning passes per interval and the next one reports how many were held back") {
    serf::WarnLimiter limiter(10s);
    const util::Instant t0 = util::instant_from_us(5'000'000);
    CHECK(limiter.admit(t0) == std::optional<std::uint64_t>(0));
    CHECK_FALSE(limiter.admit(t0).has_value());
    CHECK_FALSE(limiter.admit(t0 + 9s).has_value());
    CHECK(limiter.admit(t0 + 10s) == std::optional<std::uint64_t>(2));
    CHECK(limiter.admit(t0 + 25s) == std::optional<std::uint64_t>(0));
  }
}
