#include <doctest/doctest.h>

#include <netinet/in.h>

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

  TEST_CASE("an IPv4-mapped peer is sent to over IPv4, or mapped on an IPv6 socket") {
    // Serf bound to 0.0.0.0 gossips ::ffff:a.b.c.d; an IPv4 socket cannot send to AF_INET6.
    swim::Address mapped{{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 198, 18, 91, 4}, 7946};
    sockaddr_storage ss;
    REQUIRE(runtime::to_sockaddr(mapped, ss).ok());
    REQUIRE(ss.ss_family == AF_INET);
    auto back = runtime::from_sockaddr(reinterpret_cast<sockaddr*>(&ss));
    REQUIRE(back.ok());
    CHECK(*back == swim::Address{{198, 18, 91, 4}, 7946});

    REQUIRE(runtime::to_sockaddr(swim::Address{{198, 18, 91, 4}, 7946}, ss, AF_INET6).ok());
    REQUIRE(ss.ss_family == AF_INET6);
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&ss);
    CHECK(IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr));
    CHECK(ntohs(in6->sin6_port) == 7946);
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
