#include <doctest/doctest.h>

#include <string>

#include "util/bytes.h"
#include "util/log.h"
#include "util/result.h"

TEST_SUITE("util.result") {
  TEST_CASE("a result holds a value or an error") {
    util::Result<int> good(5);
    util::Result<int> bad(util::Errc::truncated, "short");
    CHECK(good.ok());
    CHECK(*good == 5);
    CHECK_FALSE(bad.ok());
    CHECK(bad.error().code == util::Errc::truncated);
    CHECK(bad.error().detail == "short");
  }

  TEST_CASE("a void result is ok by default") {
    util::Status s;
    CHECK(s.ok());
    util::Status e(util::Errc::io, "x");
    CHECK_FALSE(e.ok());
    CHECK(std::string(util::errc_name(e.error().code)) == "io");
  }

  TEST_CASE("hex round trip and rejection") {
    util::Bytes b;
    REQUIRE(util::from_hex("00ff7A", b));
    CHECK(util::to_hex(b) == "00ff7a");
    CHECK_FALSE(util::from_hex("abc", b));
    CHECK_FALSE(util::from_hex("zz", b));
  }

  TEST_CASE("log levels parse case-insensitively") {
    CHECK(util::parse_log_level("debug") == util::LogLevel::debug);
    CHECK(util::parse_log_level("ERR") == util::LogLevel::err);
    CHECK_FALSE(util::parse_log_level("nope").has_value());
  }
}
