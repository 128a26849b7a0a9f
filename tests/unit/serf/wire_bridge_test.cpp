// The mapping between the Node's message shapes and wire::serf.
#include "serf/wire_bridge.h"

#include <doctest/doctest.h>

using namespace std::chrono_literals;
namespace bridge = serf::bridge;

TEST_SUITE("serf.wire_bridge") {
  TEST_CASE("a query survives encode and decode with address and timeout intact") {
    bridge::QueryMsg q;
    q.ltime = 9;
    q.id = 12345;
    q.addr = swim::Address{{10, 1, 2, 3}, 7946};
    q.source_node = "a";
    q.filters = {bridge::encode_node_filter({"b"})};
    q.flags = bridge::query_flag_ack;
    q.relay_factor = 2;
    q.timeout = 3200ms;
    q.name = "load";
    q.payload = {1, 2};
    const util::Bytes raw = bridge::encode(q);
    REQUIRE(raw.at(0) == 4);
    auto back = bridge::decode(raw);
    REQUIRE(back.ok());
    const auto* got = std::get_if<bridge::QueryMsg>(&*back);
    REQUIRE(got != nullptr);
    CHECK(got->ltime == 9);
    CHECK(got->id == 12345);
    CHECK(got->addr == q.addr);
    CHECK(got->source_node == "a");
    CHECK(got->filters == q.filters);
    CHECK(got->flags == q.flags);
    CHECK(got->relay_factor == 2);
    CHECK(got->timeout == 3200ms);
    CHECK(got->payload == q.payload);
  }

  TEST_CASE("a relay carries its destination and inner message unchanged") {
    const util::Bytes inner = bridge::encode(bridge::QueryResponseMsg{3, 7, "b", 1, {}});
    const util::Bytes raw =
        bridge::encode(bridge::RelayMsg{swim::Address{{127, 0, 0, 1}, 7000}, "a", inner});
    REQUIRE(raw.at(0) == 9);
    auto back = bridge::decode(raw);
    REQUIRE(back.ok());
    const auto* relay = std::get_if<bridge::RelayMsg>(&*back);
    REQUIRE(relay != nullptr);
    CHECK(relay->dest == swim::Address{{127, 0, 0, 1}, 7000});
    CHECK(relay->dest_name == "a");
    CHECK(relay->inner == inner);
  }

  TEST_CASE("push/pull state keeps only used event slots and maps them back") {
    bridge::PushPullMsg pp;
    pp.ltime = 4;
    pp.status_ltimes = {{"a", 1}, {"b", 3}};
    pp.left_members = {"b"};
    pp.event_ltime = 6;
    pp.events = {serf::EventSlot{5, {{"deploy", {7}}}}};
    pp.query_ltime = 2;
    auto back = bridge::decode(bridge::encode(pp));
    REQUIRE(back.ok());
    const auto* got = std::get_if<bridge::PushPullMsg>(&*back);
    REQUIRE(got != nullptr);
    CHECK(got->status_ltimes == pp.status_ltimes);
    CHECK(got->left_members == pp.left_members);
    REQUIRE(got->events.size() == 1);
    CHECK(got->events[0].ltime == 5);
    CHECK(got->events[0].events == pp.events[0].events);
    CHECK(got->event_ltime == 6);
    CHECK(got->query_ltime == 2);
  }

  TEST_CASE("messages that are not gossiped, and garbage, do not decode") {
    CHECK_FALSE(bridge::decode(bridge::encode_key_response(false, "x")).ok());
    CHECK_FALSE(bridge::decode(util::Bytes{}).ok());
    CHECK_FALSE(bridge::decode(util::Bytes{0x63, 0x80}).ok());
    CHECK_FALSE(bridge::decode(util::Bytes{0x01, 0x81}).ok());
  }

  TEST_CASE("tags use the legacy role form below protocol 3") {
    const serf::Tags tags{{"role", "web"}, {"dc", "x"}};
    CHECK(bridge::encode_tags(tags, 2) == util::to_bytes("web"));
    CHECK(bridge::encode_tags({}, 5) == util::Bytes{0xff, 0x80});
    CHECK(bridge::decode_tags(bridge::encode_tags(tags, 5)) == tags);
    CHECK(bridge::decode_tags(util::to_bytes("legacy")) == serf::Tags{{"role", "legacy"}});
  }
}
