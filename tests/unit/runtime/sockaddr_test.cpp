#include <doctest/doctest.h>

#include "runtime/sockaddr.h"

TEST_SUITE("runtime.sockaddr") {
  TEST_CASE("an IPv4 address survives the trip through a sockaddr") {
    swim::Address a{{127, 0, 0, 5}, 7946};
    sockaddr_storage ss;
    REQUIRE(runtime::to_sockaddr(a, ss).ok());
    auto back = runtime::from_sockaddr(reinterpret_cast<sockaddr*>(&ss));
    REQUIRE(back.ok());
    CHECK(*back == a);
  }

  TEST_CASE("an IPv6 address survives the trip through a sockaddr") {
    auto ip = runtime::parse_ip("::1");
    REQUIRE(ip.ok());
    CHECK(ip->size() == 16);
    swim::Address a{*ip, 7950};
    sockaddr_storage ss;
    REQUIRE(runtime::to_sockaddr(a, ss).ok());
    auto back = runtime::from_sockaddr(reinterpret_cast<sockaddr*>(&ss));
    REQUIRE(back.ok());
    CHECK(*back == a);
  }

  TEST_CASE("an IPv4-mapped IPv6 address keeps the 4-byte wire form") {
    auto ip = runtime::parse_ip("::ffff:10.1.2.3");
    REQUIRE(ip.ok());
    CHECK(*ip == util::Bytes{10, 1, 2, 3});
  }

  TEST_CASE("bad addresses are refused") {
    CHECK_FALSE(runtime::parse_ip("300.1.1.1").ok());
    CHECK_FALSE(runtime::parse_ip("[::1]").ok());
    CHECK_FALSE(runtime::parse_ip("").ok());
    sockaddr_storage ss;
    CHECK_FALSE(runtime::to_sockaddr(swim::Address{{1, 2, 3}, 1}, ss).ok());
    CHECK_FALSE(runtime::from_sockaddr(nullptr).ok());
  }
}
