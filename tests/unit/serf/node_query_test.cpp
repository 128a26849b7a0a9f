// serf::Node queries in the in-test network: acks, responses, filters, internal queries.
#include "serf/node.h"

#include <doctest/doctest.h>

#include <chrono>

#include "serf_net.h"
#include "serf_packets.h"
#include "wire/codec.h"
#include "wire/limits.h"
#include "wire/serf_codec.h"

using namespace std::chrono_literals;
using serf_test::Host;
using serf_test::form;
using serf_test::Net;
using serf_test::find_query_event;
using serf_test::inbound_query;
using serf_test::reply_address;
using serf_test::sender;
using serf_test::serf_sent_to;
using serf_test::user_packet;

namespace {

int count_queries(const Host& h) {
  int n = 0;
  for (const auto& e : h.events) n += std::holds_alternative<serf::QueryEvent>(e);
  return n;
}

std::uint64_t start(Net& net, Host& h, const std::string& name, util::ByteView payload,
                    const serf::QueryParams& params) {
  std::uint64_t handle = 0;
  net.step(h, [&](serf::Node& n, util::Instant t, serf::Outbox& out) {
    auto r = n.query(name, payload, params, t, out);
    REQUIRE(r.ok());
    handle = *r;
  });
  return handle;
}

std::vector<serf::QueryReply> replies(const Host& h, serf::QueryReply::Kind kind) {
  std::vector<serf::QueryReply> out;
  for (const auto& r : h.replies) {
    if (r.kind == kind) out.push_back(r);
  }
  return out;
}

}  // namespace

TEST_SUITE("serf.node_query") {
  TEST_CASE("an inbound query is acked at its response address and lasts the timeout it asks") {
    Net net;
    Host& a = net.add();
    const util::Bytes packet =
        user_packet(wire::serf::encode(inbound_query(42, 3'200'000'000)));
    serf::Outbox out;
    a.node->on_packet(sender, packet, net.now(), out);
    const serf::QueryEvent* q = find_query_event(out);
    REQUIRE(q != nullptr);
    CHECK(q->deadline == net.now() + 3200ms);
    const auto sent = serf_sent_to(out, reply_address);
    REQUIRE(sent.size() == 1);
    const auto* ack = std::get_if<wire::serf::QueryResponse>(&sent[0]);
    REQUIRE(ack != nullptr);
    CHECK(ack->id == 42);
    CHECK(ack->from == "n1");
    CHECK(ack->flags == wire::serf::query_response_flag_ack);

    serf::Outbox answer;
    REQUIRE(a.node->respond(q->id, util::as_bytes("ok"), net.now() + 3s, answer).ok());
    const auto responses = serf_sent_to(answer, reply_address);
    REQUIRE(responses.size() == 1);
    const auto* resp = std::get_if<wire::serf::QueryResponse>(&responses[0]);
    REQUIRE(resp != nullptr);
    CHECK(resp->flags == 0);
    CHECK(resp->payload == util::to_bytes("ok"));
  }

  TEST_CASE("an inbound query with a negative timeout is already past its deadline") {
    Net net;
    Host& a = net.add();
    serf::Outbox out;
    a.node->on_packet(
        sender, user_packet(wire::serf::encode(inbound_query(1, -5))),
        net.now(), out);
    const serf::QueryEvent* q = find_query_event(out);
    REQUIRE(q != nullptr);
    CHECK(q->deadline == net.now());
  }

  TEST_CASE("queries with hostile tag filters are handled promptly and apply to no one") {
    Net net;
    Host& a = net.add([](serf::Config& c) { c.tags = {{"role", "web-server-eu-west-1"}}; });
    auto nested = [](std::size_t depth) {
      return std::string(depth, '(') + std::string(depth, ')');
    };
    struct Row {
      const char* what;
      std::string expr;
      bool compress;  // big filters fit a datagram only after LZW, as in the attack
    };
    // 30000 groups are 60 KB, just under wire's 64 KiB text cap; 100000 groups (200 KB) are
    // refused by the decoder already and never reach the filter.
    const Row rows[] = {{"catastrophic", "(.*.*)*Z", false},
                        {"5000 nested groups", nested(5000), false},
                        {"30000 nested groups", nested(30000), true},
                        {"100000 nested groups", nested(100000), true}};
    std::uint32_t id = 100;
    for (const auto& row : rows) {
      CAPTURE(row.what);
      wire::serf::Query q = inbound_query(++id, 1'000'000'000);
      q.filters = {wire::serf::encode_filter(wire::serf::TagFilter{"role", row.expr})};
      util::Bytes packet = user_packet(wire::serf::encode(q));
      if (row.compress) packet = wire::encode_compress(packet);
      REQUIRE(packet.size() <= wire::limits::udp_packet_bytes_max);
      serf::Outbox out;
      const auto started = std::chrono::steady_clock::now();
      a.node->on_packet(sender, packet, net.now(), out);
      const auto took = std::chrono::steady_clock::now() - started;
      CHECK(took < std::chrono::seconds(1));  // std::regex: > 15 s, or a stack overflow
      CHECK(find_query_event(out) == nullptr);
      CHECK(serf_sent_to(out, reply_address).empty());  // no ack: the query does not apply
    }
    CHECK(a.node->counters().filters_unusable == 2);  // 5000 and 30000; `(.*.*)*Z` compiles
  }

  TEST_CASE("a valid Go-syntax tag filter still selects the nodes it matches") {
    Net net;
    Host& a = net.add([](serf::Config& c) { c.tags = {{"role", "Web-Server"}}; });
    wire::serf::Query q = inbound_query(7, 1'000'000'000);
    q.filters = {wire::serf::encode_filter(wire::serf::TagFilter{"role", "(?i)^web-\\pL+$"})};
    serf::Outbox out;
    a.node->on_packet(sender, user_packet(wire::serf::encode(q)), net.now(), out);
    CHECK(find_query_event(out) != nullptr);
    CHECK(serf_sent_to(out, reply_address).size() == 1);
    CHECK(a.node->counters().filters_unusable == 0);
  }

  TEST_CASE("serf messages that are never gossiped, and garbage, are dropped without effect") {
    Net net;
    Host& a = net.add();
    net.run_for(1s);  // the node's own member-join goes out with its first step
    const util::Bytes never_gossiped[] = {
        wire::serf::encode(wire::serf::KeyResponse{}),
        wire::serf::encode(wire::serf::KeyRequest{}),
        wire::serf::encode(wire::serf::ConflictResponse{}),
        util::Bytes{0x63, 0x80},  // unknown serf type
        util::Bytes{0x01, 0x81},  // truncated join
    };
    for (const auto& bytes : never_gossiped) {
      serf::Outbox out;
      a.node->on_packet(sender, user_packet(bytes), net.now(), out);
      CHECK(out.events.empty());
      CHECK(out.swim.packets.empty());
    }
    CHECK(a.node->members().size() == 1);
  }

  TEST_CASE("a query is acked and answered by every node") {
    Net net;
    form(net, 3);
    serf::QueryParams params;
    params.request_ack = true;
    std::uint64_t handle = 0;
    net.step(net.host(0), [&](serf::Node& n, util::Instant t, serf::Outbox& out) {
      auto r = n.query("load", util::as_bytes("?"), params, t, out);
      REQUIRE(r.ok());
      handle = *r;
    });
    net.run_for(100ms);
    for (std::size_t i = 0; i < 3; ++i) {
      Host& h = net.host(i);
      for (const auto& e : h.events) {
        if (const auto* q = std::get_if<serf::QueryEvent>(&e)) {
          const std::string answer = "from " + h.name;
          net.step(h, [&](serf::Node& n, util::Instant t, serf::Outbox& out) {
            CHECK(n.respond(q->id, util::as_bytes(answer), t, out).ok());
            CHECK_FALSE(n.respond(q->id, util::as_bytes(answer), t, out).ok());
          });
        }
      }
    }
    net.run_for(10s);
    int acks = 0, responses = 0, done = 0;
    for (const auto& r : net.host(0).replies) {
      CHECK(r.handle == handle);
      acks += r.kind == serf::QueryReply::Kind::ack;
      responses += r.kind == serf::QueryReply::Kind::response;
      done += r.kind == serf::QueryReply::Kind::done;
    }
    CHECK(acks == 3);
    CHECK(responses == 3);
    CHECK(done == 1);
  }

  TEST_CASE("a query filtered by node name is delivered only there") {
    Net net;
    form(net, 3);
    serf::QueryParams params;
    params.filter_nodes = {"n3"};
    net.step(net.host(0), [&](serf::Node& n, util::Instant t, serf::Outbox& out) {
      CHECK(n.query("who", {}, params, t, out).ok());
    });
    net.run_for(5s);
    auto queries = [](const Host& h) {
      int n = 0;
      for (const auto& e : h.events) n += std::holds_alternative<serf::QueryEvent>(e);
      return n;
    };
    CHECK(queries(net.host(0)) == 0);
    CHECK(queries(net.host(1)) == 0);
    CHECK(queries(net.host(2)) == 1);
  }

  TEST_CASE("a tag-filtered query still travels through nodes it excludes") {
    Net net;
    for (int i = 0; i < 4; ++i) net.add();
    net.step(net.host(3), [](serf::Node& n, util::Instant t, serf::Outbox& out) {
      CHECK(n.set_tags({{"role", "db"}}, t, out).ok());
    });
    for (std::size_t i = 1; i < 4; ++i) net.join(net.host(i), net.host(0));
    net.run_for(5s);
    serf::QueryParams params;
    params.filter_tags = {{"role", "^db$"}};
    start(net, net.host(0), "backup", {}, params);
    net.run_for(5s);
    CHECK(count_queries(net.host(0)) == 0);
    CHECK(count_queries(net.host(1)) == 0);
    CHECK(count_queries(net.host(2)) == 0);
    CHECK(count_queries(net.host(3)) == 1);
  }

  TEST_CASE("_serf_ping is acked by every node and never reaches the application") {
    Net net;
    form(net, 3);
    serf::QueryParams params;
    params.request_ack = true;
    start(net, net.host(0), "_serf_ping", {}, params);
    net.run_for(10s);
    CHECK(replies(net.host(0), serf::QueryReply::Kind::ack).size() == 3);
    CHECK(replies(net.host(0), serf::QueryReply::Kind::response).empty());
    for (std::size_t i = 0; i < 3; ++i) CHECK(count_queries(net.host(i)) == 0);
  }

  TEST_CASE("key queries are answered with Result=false while encryption is off") {
    Net net;
    form(net, 2);
    const util::Bytes request = wire::serf::encode(wire::serf::KeyRequest{util::Bytes(32, 7)});
    start(net, net.host(0), "_serf_install-key", request, {});
    start(net, net.host(0), "_serf_list-keys", wire::serf::encode(wire::serf::KeyRequest{}), {});
    net.run_for(10s);
    const auto got = replies(net.host(0), serf::QueryReply::Kind::response);
    REQUIRE(got.size() == 4);
    int install = 0, list = 0;
    for (const auto& r : got) {
      auto resp = wire::serf::decode_as<wire::serf::KeyResponse>(r.payload);
      REQUIRE(resp.ok());
      CHECK_FALSE(resp->result);
      install += resp->message == "No keyring to modify (encryption not enabled)";
      list += resp->message == "Keyring is empty (encryption not enabled)";
    }
    CHECK(install == 2);
    CHECK(list == 2);
  }

  TEST_CASE("_serf_conflict is answered by the others with what they know of the name") {
    Net net;
    form(net, 3);
    start(net, net.host(0), "_serf_conflict", util::as_bytes("n2"), {});
    net.run_for(10s);
    const auto got = replies(net.host(0), serf::QueryReply::Kind::response);
    REQUIRE(got.size() == 2);  // n1 and n3; n2 does not vote about itself
    for (const auto& r : got) {
      auto resp = wire::serf::decode_as<wire::serf::ConflictResponse>(r.payload);
      REQUIRE(resp.ok());
      REQUIRE(resp->member.has_value());
      CHECK(resp->member->name == "n2");
      CHECK(resp->member->addr == util::Bytes{127, 0, 0, 2});
      CHECK(resp->member->status == wire::serf::MemberStatus::alive);
    }
  }

  TEST_CASE("responses are refused when too large or past the deadline") {
    Net net;
    form(net, 2);
    serf::QueryParams params;
    params.timeout = 2s;
    start(net, net.host(0), "q", {}, params);
    net.run_for(100ms);
    const serf::QueryEvent* q = nullptr;
    for (const auto& e : net.host(1).events) {
      if (const auto* qe = std::get_if<serf::QueryEvent>(&e)) q = qe;
    }
    REQUIRE(q != nullptr);
    const std::uint64_t id = q->id;
    util::Status st;
    net.step(net.host(1), [&](serf::Node& n, util::Instant t, serf::Outbox& out) {
      st = n.respond(id, util::Bytes(2000, 1), t, out);
    });
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().detail == "response exceeds limit of 1024 bytes");
    net.run_for(3s);
    net.step(net.host(1), [&](serf::Node& n, util::Instant t, serf::Outbox& out) {
      st = n.respond(id, util::as_bytes("late"), t, out);
    });
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().detail == "response is past the deadline");
  }

  TEST_CASE("queries over the size limit are refused") {
    Net net;
    Host& a = net.add();
    net.step(a, [&](serf::Node& n, util::Instant t, serf::Outbox& out) {
      auto r = n.query("big", util::Bytes(1100, 1), {}, t, out);
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().detail == "query exceeds limit of 1024 bytes");
    });
  }

  TEST_CASE("relayed responses reach the originator once per node") {
    Net net;
    form(net, 4);
    serf::QueryParams params;
    params.request_ack = true;
    params.relay_factor = 2;
    start(net, net.host(0), "_serf_ping", {}, params);
    net.run_for(10s);
    CHECK(replies(net.host(0), serf::QueryReply::Kind::ack).size() == 4);
  }
}
