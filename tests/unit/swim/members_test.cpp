// The node table (swim/members.h) and address/config helpers.
#include <doctest/doctest.h>

#include "swim/address.h"
#include "swim/config.h"
#include "swim/members.h"

using namespace std::chrono_literals;

namespace {

swim::Node node(const std::string& name, swim::State state, util::Instant changed = {}) {
  swim::Node n;
  n.name = name;
  n.addr = swim::Address{{10, 0, 0, 1}, 7946};
  n.state = state;
  n.state_change = changed;
  return n;
}

}  // namespace

TEST_SUITE("swim.members") {
  TEST_CASE("added nodes can be found by name") {
    swim::Members m;
    util::Rng rng(1);
    m.add(node("a", swim::State::alive), rng);
    m.add(node("b", swim::State::alive), rng);
    REQUIRE(m.find("b") != nullptr);
    CHECK(m.find("b")->name == "b");
    CHECK(m.find("c") == nullptr);
    CHECK(m.size() == 2);
  }

  TEST_CASE("reset reaps nodes dead for longer than the gossip-to-the-dead time") {
    swim::Members m;
    util::Rng rng(1);
    const util::Instant now = util::instant_from_us(100'000'000);
    m.add(node("self", swim::State::left, now - 60s), rng);
    m.add(node("alive", swim::State::alive), rng);
    m.add(node("old-dead", swim::State::dead, now - 31s), rng);
    m.add(node("new-dead", swim::State::dead, now - 5s), rng);
    m.add(node("old-left", swim::State::left, now - 31s), rng);
    auto removed = m.reset(now, 30s, true, "self", rng);
    CHECK(removed.size() == 2);
    CHECK(m.find("old-dead") == nullptr);
    CHECK(m.find("old-left") == nullptr);
    CHECK(m.find("new-dead") != nullptr);
    CHECK(m.find("self") != nullptr);
    CHECK(m.size() == 3);
  }

  TEST_CASE("reset keeps left nodes when reaping them is off") {
    swim::Members m;
    util::Rng rng(1);
    const util::Instant now = util::instant_from_us(100'000'000);
    m.add(node("old-left", swim::State::left, now - 31s), rng);
    CHECK(m.reset(now, 30s, false, "self", rng).empty());
  }

  TEST_CASE("k_random returns distinct nodes that pass the filter") {
    swim::Members m;
    util::Rng rng(5);
    for (const char* n : {"a", "b", "c", "d", "e"}) m.add(node(n, swim::State::alive), rng);
    auto picked = m.k_random(3, rng, [](const swim::Node& n) { return n.name == "a"; });
    CHECK(picked.size() == 3);
    for (auto* p : picked) CHECK(p->name != "a");
    CHECK(picked[0] != picked[1]);
    CHECK(picked[1] != picked[2]);
    CHECK(picked[0] != picked[2]);
  }
}

TEST_SUITE("swim.address") {
  TEST_CASE("ipv4 addresses print dotted with the port") {
    CHECK(swim::to_string(swim::Address{{127, 0, 0, 1}, 7946}) == "127.0.0.1:7946");
    CHECK(swim::ip_string({10, 1, 2, 254}) == "10.1.2.254");
  }

  TEST_CASE("ipv6 addresses print as go's net.IP String: longest zero run compressed") {
    auto v6 = [](std::initializer_list<int> words) {
      util::Bytes b;
      for (int w : words) {
        b.push_back(static_cast<std::uint8_t>(w >> 8));
        b.push_back(static_cast<std::uint8_t>(w));
      }
      return b;
    };
    struct Row {
      util::Bytes ip;
      const char* text;
    };
    const Row rows[] = {
        {v6({0, 0, 0, 0, 0, 0, 0, 1}), "::1"},
        {v6({0, 0, 0, 0, 0, 0, 0, 0}), "::"},
        {v6({0x2001, 0xdb8, 0, 0, 0, 0, 0, 1}), "2001:db8::1"},
        {v6({0x2001, 0xdb8, 0, 1, 0, 0, 0, 1}), "2001:db8:0:1::1"},
        {v6({0x2001, 0, 0, 1, 0, 0, 1, 1}), "2001::1:0:0:1:1"},
        {v6({0xfe80, 0, 0, 0, 0x1, 0x2, 0x3, 0x4}), "fe80::1:2:3:4"},
        {v6({1, 2, 3, 4, 5, 6, 7, 0}), "1:2:3:4:5:6:7:0"},
        {v6({1, 0, 0, 0, 0, 0, 0, 0}), "1::"},
        {v6({0, 0, 0, 0, 0, 0xffff, 0x7f00, 1}), "127.0.0.1"},  // IPv4-mapped: Go's To4
        {v6({0, 0, 0, 0, 0, 0, 0x7f00, 1}), "::7f00:1"},        // IPv4-compatible: plain hex
    };
    for (const auto& row : rows) {
      CAPTURE(row.text);
      CHECK(swim::ip_string(row.ip) == row.text);
    }
    CHECK(swim::to_string(swim::Address{v6({0, 0, 0, 0, 0, 0, 0, 1}), 7951}) == "[::1]:7951");
    // What Serf bound to 0.0.0.0 gossips as its address: shown as the IPv4 address it is.
    CHECK(swim::to_string(swim::Address{v6({0, 0, 0, 0, 0, 0xffff, 0xc612, 0x5b04}), 7946}) ==
          "198.18.91.4:7946");
  }

  TEST_CASE("an ip of the wrong length prints as Go does") {
    CHECK(swim::ip_string({1, 2}) == "?0102");
  }
}

TEST_SUITE("swim.config") {
  TEST_CASE("profiles carry memberlist's lan wan and local timings") {
    const auto lan = swim::Config::lan();
    CHECK(lan.probe_interval == 1s);
    CHECK(lan.probe_timeout == 500ms);
    CHECK(lan.suspicion_mult == 4);
    CHECK(lan.gossip_interval == 200ms);
    const auto wan = swim::Config::wan();
    CHECK(wan.tcp_timeout == 30s);
    CHECK(wan.suspicion_mult == 6);
    CHECK(wan.probe_timeout == 3s);
    CHECK(wan.probe_interval == 5s);
    CHECK(wan.gossip_nodes == 4);
    CHECK(wan.gossip_interval == 500ms);
    CHECK(wan.gossip_to_the_dead == 60s);
    CHECK(wan.push_pull_interval == 60s);
    const auto local = swim::Config::local();
    CHECK(local.tcp_timeout == 1s);
    CHECK(local.indirect_checks == 1);
    CHECK(local.retransmit_mult == 2);
    CHECK(local.suspicion_mult == 3);
    CHECK(local.push_pull_interval == 15s);
    CHECK(local.probe_timeout == 200ms);
    CHECK(local.gossip_interval == 100ms);
    CHECK(local.gossip_to_the_dead == 15s);
  }
}
