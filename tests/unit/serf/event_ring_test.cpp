// Dedupe windows for user events and queries.
#include "serf/event_ring.h"

#include <doctest/doctest.h>

using serf::Admission;

namespace {
util::ByteView bv(const char* s) { return util::as_bytes(s); }
}

TEST_SUITE("serf.event_ring") {
  TEST_CASE("the same name and payload at the same LTime is a duplicate") {
    serf::EventRing r(8);
    CHECK(r.admit(3, 4, 0, "deploy", bv("x")) == Admission::accepted);
    CHECK(r.admit(3, 4, 0, "deploy", bv("x")) == Admission::duplicate);
    CHECK(r.admit(3, 4, 0, "deploy", bv("y")) == Admission::accepted);
    CHECK(r.admit(3, 4, 0, "other", bv("x")) == Admission::accepted);
    CHECK(r.admit(4, 5, 0, "deploy", bv("x")) == Admission::accepted);
  }

  TEST_CASE("a slot reused by a newer LTime forgets the older events") {
    serf::EventRing r(8);
    REQUIRE(r.admit(3, 4, 0, "e", bv("")) == Admission::accepted);
    REQUIRE(r.admit(11, 12, 0, "e", bv("")) == Admission::accepted);
    const auto& slot = r.slots()[3];
    REQUIRE(slot.has_value());
    CHECK(slot->ltime == 11);
    CHECK(slot->events.size() == 1);
  }

  TEST_CASE("age checks refuse old events and events before the minimum time") {
    struct Row {
      serf::LamportTime ltime, clock, min_time;
      Admission expected;
    };
    const Row rows[] = {
        {5, 6, 0, Admission::accepted},       {5, 6, 6, Admission::before_min_time},
        {5, 6, 5, Admission::accepted},       {1, 8, 0, Admission::accepted},
        {1, 10, 0, Admission::too_old},       {2, 10, 0, Admission::accepted},
        {0, 9, 0, Admission::too_old},
    };
    for (const auto& row : rows) {
      CAPTURE(row.ltime);
      CAPTURE(row.clock);
      CAPTURE(row.min_time);
      CHECK(serf::check_age(row.ltime, row.clock, row.min_time, 8) == row.expected);
    }
  }

  TEST_CASE("queries are deduped by LTime and ID") {
    serf::QueryRing r(8);
    CHECK(r.admit(2, 3, 0, 77) == Admission::accepted);
    CHECK(r.admit(2, 3, 0, 77) == Admission::duplicate);
    CHECK(r.admit(2, 3, 0, 78) == Admission::accepted);
    CHECK(r.admit(10, 11, 0, 77) == Admission::accepted);
    CHECK(r.admit(2, 11, 0, 77) == Admission::too_old);
  }
}
