// Inbound queries kept for Node::respond: the timeout clamp and the count cap.
#include "serf/inbound_queries.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>

#include "serf/limits.h"

using namespace std::chrono_literals;

namespace {

const util::Instant t0 = util::instant_from_us(1'000'000);

serf::PendingQuery query(std::uint32_t id, util::Instant deadline) {
  return serf::PendingQuery{1, id, swim::Address{{10, 0, 0, 1}, 7946}, "x", 0, deadline};
}

}  // namespace

TEST_SUITE("serf.inbound_queries") {
  TEST_CASE("a peer's requested timeout is kept up to inbound_query_timeout_max") {
    using serf::limits::inbound_query_timeout_max;
    const std::int64_t max_ns = std::chrono::nanoseconds(inbound_query_timeout_max).count();
    struct Row {
      std::int64_t requested_ns;
      util::Duration expected;
    };
    const Row rows[] = {
        {std::numeric_limits<std::int64_t>::min(), 0s},
        {-1, 0s},
        {0, 0s},
        {1'500, 1us},  // Go's nanoseconds truncate to our microseconds
        {3'200'000'000, 3200ms},
        {max_ns, inbound_query_timeout_max},
        {max_ns + 1, inbound_query_timeout_max},
        {std::numeric_limits<std::int64_t>::max(), inbound_query_timeout_max},
    };
    for (const auto& row : rows) {
      CAPTURE(row.requested_ns);
      CHECK(serf::inbound_query_timeout(row.requested_ns) == row.expected);
    }
  }

  TEST_CASE("at pending_queries_max the oldest query is forgotten to make room") {
    serf::InboundQueries q(serf::limits::pending_queries_max);
    for (std::uint64_t h = 1; h <= serf::limits::pending_queries_max; ++h) {
      REQUIRE_FALSE(q.add(h, query(static_cast<std::uint32_t>(h), t0 + 1h)));
    }
    const std::uint64_t newest = serf::limits::pending_queries_max + 1;
    CHECK(q.add(newest, query(0, t0 + 1h)));
    CHECK(q.size() == serf::limits::pending_queries_max);
    CHECK(q.find(1) == nullptr);
    CHECK(q.find(2) != nullptr);
    CHECK(q.find(newest) != nullptr);
  }

  TEST_CASE("queries are forgotten once their deadline is more than the grace period past") {
    serf::InboundQueries q(8);
    REQUIRE_FALSE(q.add(1, query(1, t0 + 1s)));
    REQUIRE_FALSE(q.add(2, query(2, t0 + 10s)));
    q.expire(t0 + 1s + 1min, 1min);
    CHECK(q.size() == 2);
    q.expire(t0 + 2s + 1min, 1min);
    CHECK(q.find(1) == nullptr);
    CHECK(q.find(2) != nullptr);
    q.erase(2);
    CHECK(q.size() == 0);
  }
}
