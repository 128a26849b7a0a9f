#include <doctest/doctest.h>

#include <string>

#include "agent/address_parse.h"

TEST_SUITE("agent.address_parse") {
  TEST_CASE("bind addresses take an optional port, 7946 by default") {
    struct Row {
      const char* in;
      const char* host;
      int port;
    };
    const Row rows[] = {
        {"0.0.0.0", "0.0.0.0", 7946},     {"127.0.0.1:7950", "127.0.0.1", 7950},
        {"[::1]", "::1", 7946},           {"[::1]:7951", "::1", 7951},
        {"[fe80::1%eth0]:1", "fe80::1%eth0", 1}, {"node.example:0", "node.example", 0},
        {"localhost", "localhost", 7946}, {":7000", "0.0.0.0", 7000},
        {"10.0.0.1:", "10.0.0.1", 0},     {"1.2.3.4:65535", "1.2.3.4", 65535},
    };
    for (const auto& row : rows) {
      CAPTURE(row.in);
      auto hp = agent::parse_bind_address(row.in);
      REQUIRE(hp.ok());
      CHECK(hp->host == row.host);
      CHECK(hp->port == row.port);
      CHECK(hp->name.empty());
    }
  }

  TEST_CASE("bad bind addresses fail with go's texts") {
    struct Row {
      const char* in;
      const char* error;
    };
    const Row rows[] = {
        {"::1", "address ::1: too many colons in address"},
        {"[::1", "address [::1: missing ']' in address"},
        {"[::1]x", "address [::1]x:7946: missing port in address"},
        {"[::1]:x:1", "address [::1]:x:1: too many colons in address"},
        {"a]:1", "address a]:1: unexpected ']' in address"},
        {"a[b:1", "address a[b:1: unexpected '[' in address"},
        {"1.2.3.4:x", "lookup tcp/x: unknown port"},
        {"1.2.3.4:65536", "address 65536: invalid port"},
        {"1.2.3.4:99999999999", "address 99999999999: invalid port"},
    };
    for (const auto& row : rows) {
      CAPTURE(row.in);
      auto hp = agent::parse_bind_address(row.in);
      REQUIRE_FALSE(hp.ok());
      CHECK(hp.error().detail == row.error);
    }
  }

  TEST_CASE("listen addresses (the RPC address) need a port, as Go's net.Listen") {
    auto hp = agent::parse_listen_address("127.0.0.1:7373");
    REQUIRE(hp.ok());
    CHECK(*hp == agent::HostPort{"127.0.0.1", 7373, {}});
    hp = agent::parse_listen_address(":7373");
    REQUIRE(hp.ok());
    CHECK(*hp == agent::HostPort{"0.0.0.0", 7373, {}});
    hp = agent::parse_listen_address("[::1]:7373");
    REQUIRE(hp.ok());
    CHECK(hp->host == "::1");
    hp = agent::parse_listen_address("127.0.0.1");
    REQUIRE_FALSE(hp.ok());
    CHECK(hp.error().detail == "address 127.0.0.1: missing port in address");
    CHECK_FALSE(agent::parse_listen_address("127.0.0.1:99999").ok());
  }

  TEST_CASE("join addresses take an optional node name and port") {
    struct Row {
      const char* in;
      const char* host;
      int port;
      const char* name;
    };
    const Row rows[] = {
        {"10.0.0.1", "10.0.0.1", 7000, ""},
        {"10.0.0.1:8000", "10.0.0.1", 8000, ""},
        {"[::1]", "::1", 7000, ""},
        {"[::1]:8001", "::1", 8001, ""},
        {"::1", "::1", 7000, ""},  // a bare IPv6 address is taken whole
        {"fe80::2:3", "fe80::2:3", 7000, ""},
        {"db.internal", "db.internal", 7000, ""},
        {"db.internal:9", "db.internal", 9, ""},
        {"n1/10.0.0.1", "10.0.0.1", 7000, "n1"},
        {"n1/10.0.0.1:8002", "10.0.0.1", 8002, "n1"},
        {"n2/[::1]:8003", "::1", 8003, "n2"},
        {"n2/::1", "::1", 7000, "n2"},
    };
    for (const auto& row : rows) {
      CAPTURE(row.in);
      auto hp = agent::parse_join_address(row.in, 7000);
      REQUIRE(hp.ok());
      CHECK(hp->host == row.host);
      CHECK(hp->port == row.port);
      CHECK(hp->name == row.name);
    }
  }

  TEST_CASE("bad join addresses are rejected") {
    struct Row {
      const char* in;
      const char* error;
    };
    const Row rows[] = {
        {"/10.0.0.1", "empty node name provided"},
        {"10.0.0.1:x", "strconv.ParseUint: parsing \"x\": invalid syntax"},
        {"10.0.0.1:70000", "strconv.ParseUint: parsing \"70000\": value out of range"},
        {"[::1]:", "strconv.ParseUint: parsing \"\": invalid syntax"},
        {"[::1]:1:2", "address [::1]:1:2: too many colons in address"},
    };
    for (const auto& row : rows) {
      CAPTURE(row.in);
      auto hp = agent::parse_join_address(row.in, 7946);
      REQUIRE_FALSE(hp.ok());
      CHECK(hp.error().detail == row.error);
    }
  }

  TEST_CASE("hosts with colons are bracketed when joined with a port") {
    CHECK(agent::join_host_port("::1", 7946) == "[::1]:7946");
    CHECK(agent::join_host_port("10.0.0.1", 1) == "10.0.0.1:1");
    CHECK(agent::join_host_port("db", 80) == "db:80");
  }
}
