// Tests for runtime::StreamBudget: the cap on bytes all streams buffer together.
#include <doctest/doctest.h>

#include "runtime/limits.h"
#include "runtime/stream_budget.h"

TEST_SUITE("runtime.stream_budget") {
  TEST_CASE("a driver's streams may buffer 64 MiB together") {
    runtime::StreamBudget budget;
    CHECK(budget.cap() == runtime::limits::stream_buffer_bytes_max);
    CHECK(budget.take(runtime::limits::stream_buffer_bytes_max));
    CHECK(budget.in_use() == runtime::limits::stream_buffer_bytes_max);
  }

  TEST_CASE("a take past the cap is refused, counted and changes nothing") {
    runtime::StreamBudget budget(100);
    REQUIRE(budget.take(60));
    CHECK_FALSE(budget.take(41));
    CHECK(budget.refusals() == 1);
    CHECK(budget.in_use() == 60);
    CHECK(budget.take(40));
  }

  TEST_CASE("bytes given back can be taken again") {
    runtime::StreamBudget budget(100);
    REQUIRE(budget.take(100));
    budget.give_back(30);
    CHECK(budget.in_use() == 70);
    CHECK(budget.take(30));
    CHECK(budget.refusals() == 0);
  }
}
