// Table tests for memberlist's formulas (swim/formulas.h) and Lifeguard awareness.
#include <doctest/doctest.h>

#include "swim/awareness.h"
#include "swim/formulas.h"

using namespace std::chrono_literals;
using util::Duration;

TEST_SUITE("swim.formulas") {
  TEST_CASE("suspicion timeout scales with log10 of the cluster size") {
    struct Row {
      int n;
      Duration per_mult;
    };
    const Row rows[] = {{0, 1000ms},  {1, 1000ms},  {3, 1000ms},   {5, 1000ms},
                        {10, 1000ms}, {50, 1698ms}, {100, 2000ms}, {500, 2698ms},
                        {1000, 3000ms}};
    for (const auto& row : rows) {
      CAPTURE(row.n);
      CHECK(swim::suspicion_timeout(3, row.n, 1s) == 3 * row.per_mult);
    }
  }

  TEST_CASE("suspicion timeout of a three node lan cluster is four probe intervals") {
    CHECK(swim::suspicion_timeout(4, 3, 1s) == 4s);
  }

  TEST_CASE("remaining suspicion time shrinks with confirmations and may go negative") {
    struct Row {
      int n, k;
      Duration elapsed, expected;
    };
    const Row rows[] = {
        {0, 3, 0s, 30s},        {1, 3, 2s, 14s}, {2, 3, 3s, 4810ms},
        {3, 3, 4s, -2s},        {4, 3, 5s, -3s}, {5, 3, 10s, -8s},
    };
    for (const auto& row : rows) {
      CAPTURE(row.n);
      CHECK(swim::remaining_suspicion_time(row.n, row.k, row.elapsed, 2s, 30s) == row.expected);
    }
  }

  TEST_CASE("remaining suspicion time without expected confirmations is the minimum") {
    CHECK(swim::remaining_suspicion_time(0, 0, 1s, 4s, 24s) == 3s);
  }

  TEST_CASE("retransmit limit is mult times ceil log10 of n plus one") {
    CHECK(swim::retransmit_limit(3, 0) == 0);
    CHECK(swim::retransmit_limit(3, 1) == 3);
    CHECK(swim::retransmit_limit(3, 99) == 6);
    CHECK(swim::retransmit_limit(4, 3) == 4);
    CHECK(swim::retransmit_limit(4, 10) == 8);
  }

  TEST_CASE("push pull interval doubles above 32 nodes and triples above 64") {
    for (int n = 0; n <= 32; ++n) {
      CAPTURE(n);
      CHECK(swim::push_pull_scale(30s, n) == 30s);
    }
    for (int n = 33; n <= 64; ++n) {
      CAPTURE(n);
      CHECK(swim::push_pull_scale(30s, n) == 60s);
    }
    for (int n = 65; n <= 128; ++n) {
      CAPTURE(n);
      CHECK(swim::push_pull_scale(30s, n) == 90s);
    }
  }

  TEST_CASE("awareness scales a timeout by score plus one") {
    CHECK(swim::scale_by_awareness(1s, 0) == 1s);
    CHECK(swim::scale_by_awareness(1s, 7) == 8s);
  }
}

TEST_SUITE("swim.awareness") {
  TEST_CASE("awareness score stays between zero and max minus one") {
    swim::Awareness a(8);
    a.apply_delta(-1);
    CHECK(a.score() == 0);
    a.apply_delta(3);
    CHECK(a.score() == 3);
    CHECK(a.scale(1s) == 4s);
    a.apply_delta(100);
    CHECK(a.score() == 7);
    a.apply_delta(-2);
    CHECK(a.score() == 5);
  }
}
