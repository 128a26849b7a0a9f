// Serf's transmit-limited broadcast queues.
#include "serf/broadcast_queue.h"

#include <doctest/doctest.h>

#include "serf/limits.h"

namespace {
util::Bytes msg(std::size_t n, std::uint8_t fill) { return util::Bytes(n, fill); }
}

TEST_SUITE("serf.broadcast_queue") {
  TEST_CASE("a message leaves the queue after the transmit limit") {
    serf::BroadcastQueue q;
    const auto id = q.push(msg(10, 1));
    for (int i = 1; i <= 2; ++i) {
      CHECK(q.take(2, 1000, 3).size() == 1);
      CHECK(q.size() == 1);
      CHECK(q.sent(id, i));  // sent i times, still queued
      CHECK_FALSE(q.sent(id, i + 1));
    }
    CHECK(q.take(2, 1000, 3).size() == 1);
    CHECK(q.take(2, 1000, 3).size() == 0);
    CHECK(q.sent(id, 100));  // gone: sent for good
    CHECK(q.size() == 0);
  }

  TEST_CASE("fewer transmits go first, then larger, then newer messages") {
    serf::BroadcastQueue q;
    q.push(msg(5, 1));
    REQUIRE(q.take(0, 1000, 10).size() == 1);  // 1 now has one transmit
    q.push(msg(5, 2));
    q.push(msg(8, 3));
    q.push(msg(5, 4));
    const auto out = q.take(0, 1000, 10);
    REQUIRE(out.size() == 4);
    CHECK(out[0][0] == 3);
    CHECK(out[1][0] == 4);
    CHECK(out[2][0] == 2);
    CHECK(out[3][0] == 1);
  }

  TEST_CASE("messages that do not fit the budget stay queued untouched") {
    serf::BroadcastQueue q;
    q.push(msg(100, 1));
    q.push(msg(30, 2));
    q.push(msg(30, 3));
    const auto out = q.take(3, 70, 1);  // 30+3 fits twice, 100+3 never
    REQUIRE(out.size() == 2);
    CHECK(q.size() == 1);
    CHECK(q.take(3, 20, 1).empty());
    CHECK(q.take(3, 103, 1).size() == 1);
  }

  TEST_CASE("prune keeps the messages at the front of the queue") {
    serf::BroadcastQueue q;
    const auto old_id = q.push(msg(5, 1));
    REQUIRE(q.take(0, 1000, 10).size() == 1);
    const auto new_id = q.push(msg(5, 2));
    CHECK(q.prune(1) == 1);
    CHECK_FALSE(q.sent(new_id, 1));  // kept, never sent
    CHECK(q.sent(old_id, 2));        // dropped
    CHECK(q.prune(5) == 0);
  }

  TEST_CASE("a queue over broadcast_queue_bytes_max drops to three quarters at the push") {
    serf::BroadcastQueue q;
    const std::size_t size = 9000;
    const std::size_t cost = size + serf::limits::broadcast_entry_overhead_bytes;
    const std::size_t fit = serf::limits::broadcast_queue_bytes_max / cost;
    for (std::size_t i = 0; i < fit; ++i) q.push(msg(size, 1));
    CHECK(q.size() == fit);
    CHECK(q.dropped_for_bytes() == 0);
    q.push(msg(size, 2));
    CHECK(q.bytes() <= serf::limits::broadcast_queue_bytes_max / 4 * 3);
    CHECK(q.dropped_for_bytes() == fit + 1 - q.size());
    CHECK(q.bytes() == q.size() * cost);
  }
}
