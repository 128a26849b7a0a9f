// Lamport clock witness semantics (gossip-wire.md §9.2).
#include "serf/lamport.h"

#include <doctest/doctest.h>

TEST_SUITE("serf.lamport") {
  TEST_CASE("a fresh clock starts at 1") { CHECK(serf::LamportClock{}.time() == 1); }

  TEST_CASE("increment returns the new time") {
    serf::LamportClock c;
    CHECK(c.increment() == 2);
    CHECK(c.time() == 2);
  }

  TEST_CASE("witness leaves the clock strictly above what it saw") {
    struct Row {
      serf::LamportTime start, seen, expected;
    };
    const Row rows[] = {{1, 0, 1}, {1, 1, 2}, {1, 5, 6}, {7, 6, 7}, {7, 7, 8}, {7, 100, 101}};
    for (const auto& row : rows) {
      CAPTURE(row.start);
      CAPTURE(row.seen);
      serf::LamportClock c;
      while (c.time() < row.start) c.increment();
      c.witness(row.seen);
      CHECK(c.time() == row.expected);
    }
  }
}
