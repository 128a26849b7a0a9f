#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "util/duration.h"

using namespace std::chrono_literals;

TEST_SUITE("util.duration") {
  TEST_CASE("go durations parse to microseconds") {
    struct Row {
      const char* text;
      util::Duration want;
    };
    const Row rows[] = {
        {"0", 0us},           {"+0", 0us},          {"-0", 0us},
        {"5s", 5s},           {"30s", 30s},         {"500ms", 500ms},
        {"1h", 1h},           {"1h2m3.5s", 1h + 2min + 3500ms},
        {"-1s", -1s},         {"+2m", 2min},        {"1.5h", 90min},
        {".5s", 500ms},       {"1.s", 1s},          {"100us", 100us},
        {"100\xC2\xB5s", 100us}, {"100\xCE\xBCs", 100us}, {"1500ns", 1us},
        {"999ns", 0us},       {"1m30s", 90s},       {"2h45m", 165min},
        {"0.000001s", 1us},   {"24h", 24h},         {"1s1s", 2s},
        {"2562047h47m16.854775807s", util::Duration(9223372036854775LL)},
    };
    for (const auto& row : rows) {
      CAPTURE(row.text);
      auto d = util::parse_go_duration(row.text);
      REQUIRE(d.ok());
      CHECK(d->count() == row.want.count());
    }
  }

  TEST_CASE("bad go durations fail with go's error texts") {
    struct Row {
      const char* text;
      const char* error;
    };
    const Row rows[] = {
        {"", "time: invalid duration \"\""},
        {"abc", "time: invalid duration \"abc\""},
        {"-", "time: invalid duration \"-\""},
        {".s", "time: invalid duration \".s\""},
        {"1", "time: missing unit in duration \"1\""},
        {"10", "time: missing unit in duration \"10\""},
        {"1s2", "time: missing unit in duration \"1s2\""},
        {"10x", "time: unknown unit \"x\" in duration \"10x\""},
        {"5 s", "time: unknown unit \" s\" in duration \"5 s\""},
        {"1S", "time: unknown unit \"S\" in duration \"1S\""},
        {"3000000h", "time: invalid duration \"3000000h\""},
        {"9223372036854775808ns", "time: invalid duration \"9223372036854775808ns\""},
        {"99999999999999999999s", "time: invalid duration \"99999999999999999999s\""},
        {"s1", "time: invalid duration \"s1\""},
        {"1\"x", "time: unknown unit \"\\\"x\" in duration \"1\\\"x\""},
    };
    for (const auto& row : rows) {
      CAPTURE(row.text);
      auto d = util::parse_go_duration(row.text);
      REQUIRE_FALSE(d.ok());
      CHECK(d.error().detail == row.error);
    }
  }

  TEST_CASE("the most negative go duration is accepted") {
    auto d = util::parse_go_duration("-9223372036854775808ns");
    REQUIRE(d.ok());
    CHECK(d->count() == -9223372036854775LL);
  }

  TEST_CASE("durations format like go's Duration.String") {
    struct Row {
      util::Duration d;
      const char* want;
    };
    const Row rows[] = {
        {0us, "0s"},
        {1us, "1\xC2\xB5s"},
        {999us, "999\xC2\xB5s"},
        {1ms, "1ms"},
        {1500us, "1.5ms"},
        {1001us, "1.001ms"},
        {500ms, "500ms"},
        {1s, "1s"},
        {1500ms, "1.5s"},
        {1s + 1us, "1.000001s"},
        {90s, "1m30s"},
        {60s, "1m0s"},
        {1h, "1h0m0s"},
        {1h + 2min + 3500ms, "1h2m3.5s"},
        {24h, "24h0m0s"},
        {-5s, "-5s"},
        {-1500us, "-1.5ms"},
        {util::Duration(INT64_MIN), "-2562047788h0m54.775808s"},
    };
    for (const auto& row : rows) {
      CAPTURE(row.want);
      CHECK(util::format_go_duration(row.d) == row.want);
    }
  }

  TEST_CASE("formatting then parsing gives the same duration") {
    const util::Duration samples[] = {3us, 1234us, 59s, 3601s + 7us, -42min, 100h};
    for (auto d : samples) {
      CAPTURE(d.count());
      auto back = util::parse_go_duration(util::format_go_duration(d));
      REQUIRE(back.ok());
      CHECK(back->count() == d.count());
    }
  }
}
