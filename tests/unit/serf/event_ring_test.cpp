// Dedupe windows for user events and queries.
#include "serf/event_ring.h"

#include <doctest/doctest.h>

#include <string>

#include "serf/limits.h"

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

  TEST_CASE("at most events_per_ltime_max distinct events are recorded at one LTime") {
    serf::EventRing r(8);
    for (std::size_t i = 0; i < serf::limits::events_per_ltime_max; ++i) {
      REQUIRE(r.admit(3, 4, 0, "e" + std::to_string(i), bv("")) == Admission::accepted);
    }
    CHECK(r.admit(3, 4, 0, "one-more", bv("")) == Admission::full);
    CHECK(r.admit(3, 4, 0, "e0", bv("")) == Admission::duplicate);
    CHECK(r.admit(4, 5, 0, "one-more", bv("")) == Admission::accepted);
  }

  TEST_CASE("at most queries_per_ltime_max distinct queries are recorded at one LTime") {
    serf::QueryRing r(8);
    for (std::uint32_t id = 0; id < serf::limits::queries_per_ltime_max; ++id) {
      REQUIRE(r.admit(2, 3, 0, id) == Admission::accepted);
    }
    CHECK(r.admit(2, 3, 0, 100000) == Admission::full);
    CHECK(r.admit(2, 3, 0, 0) == Admission::duplicate);
    CHECK(r.admit(3, 4, 0, 100000) == Admission::accepted);
  }

  TEST_CASE("the event ring holds at most event_ring_bytes_max and frees a reused slot's bytes") {
    const std::size_t slots = 512;
    serf::EventRing r(slots);
    const std::string payload(9000, 'p');
    // Two 9 KB events per LTime over all slots is ~9.2 MB: more than the ring may hold.
    std::size_t accepted = 0;
    Admission last = Admission::accepted;
    for (serf::LamportTime t = 1; t <= slots && last != Admission::full; ++t) {
      for (const char* name : {"a", "b"}) {
        last = r.admit(t, t + 1, 0, name, bv(payload.c_str()));
        if (last != Admission::accepted) break;
        ++accepted;
      }
    }
    CHECK(last == Admission::full);
    CHECK(r.bytes() <= serf::limits::event_ring_bytes_max);
    CHECK(accepted == serf::limits::event_ring_bytes_max / 9001);
    // LTime slots + 1 reuses slot 1 and frees its two events: room again.
    CHECK(r.admit(slots + 1, slots + 2, 0, "c", bv(payload.c_str())) == Admission::accepted);
  }
}
