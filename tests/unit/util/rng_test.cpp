#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include "util/rng.h"

TEST_SUITE("util.rng") {
  TEST_CASE("one seed gives one stream") {
    util::Rng a(42), b(42);
    for (int i = 0; i < 100; ++i) CHECK(a.next_u64() == b.next_u64());
  }

  TEST_CASE("different seeds give different streams") {
    util::Rng a(1), b(2);
    CHECK(a.next_u64() != b.next_u64());
  }

  TEST_CASE("below stays in range and reaches every value") {
    util::Rng r(7);
    std::vector<int> seen(5, 0);
    for (int i = 0; i < 1000; ++i) {
      auto v = r.below(5);
      REQUIRE(v < 5);
      seen[v]++;
    }
    CHECK(std::all_of(seen.begin(), seen.end(), [](int n) { return n > 100; }));
    CHECK(r.below(0) == 0);
  }

  TEST_CASE("a forked stream differs from its parent") {
    util::Rng parent(9);
    util::Rng child = parent.fork();
    CHECK(parent.next_u64() != child.next_u64());
  }

  TEST_CASE("shuffle keeps every element") {
    util::Rng r(3);
    std::vector<int> v{1, 2, 3, 4, 5, 6, 7, 8};
    r.shuffle(v);
    std::sort(v.begin(), v.end());
    CHECK(v == std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8});
  }
}
