// swim::Core over TCP streams: push/pull, joins, stream pings and user messages
// (gossip-wire.md §6.3-§6.6, §10.2).
#include <doctest/doctest.h>

#include "solo.h"

using namespace swim_test;

TEST_SUITE("swim.streams") {
  TEST_CASE("push/pull reply contains self and echoes the join flag") {
    Solo s;
    s.delegate.state = util::to_bytes("serf-state");
    wire::PushPull req{true, {pns("b", 2, wire::NodeState::alive)}, util::to_bytes("theirs")};
    s.core->on_stream_request(4, addr(2, 0), framed(req), s.now, s.out);
    REQUIRE(s.out.stream_replies.size() == 1);
    CHECK(s.out.stream_replies[0].id == 4);
    auto reply = unframed(s.out.stream_replies[0].bytes);
    REQUIRE(std::holds_alternative<wire::PushPull>(reply));
    const auto& pp = std::get<wire::PushPull>(reply);
    CHECK(pp.join);
    CHECK(pp.user_state == util::to_bytes("serf-state"));
    REQUIRE(pp.nodes.size() == 1);  // state before the merge: just us
    CHECK(pp.nodes[0].name == "a");
    CHECK(pp.nodes[0].state == wire::NodeState::alive);
    CHECK(pp.nodes[0].addr == addr(1).ip);
    // Then theirs is merged.
    REQUIRE(s.core->find("b") != nullptr);
    CHECK(s.delegate.remote_states == std::vector<util::Bytes>{util::to_bytes("theirs")});
  }

  TEST_CASE("merging push/pull turns remote dead into suspect and remote left into left") {
    Solo s;
    s.meet("b", 2);
    s.meet("c", 3);
    wire::PushPull req{false,
                       {pns("b", 2, wire::NodeState::dead), pns("c", 3, wire::NodeState::left)},
                       {}};
    s.core->on_stream_request(1, addr(2, 0), framed(req), s.now, s.out);
    CHECK(s.state_of("b") == swim::State::suspect);
    CHECK(s.state_of("c") == swim::State::left);
    CHECK(s.delegate.remote_states.empty());
  }

  TEST_CASE("push/pull skips malformed node states, counts them and merges the rest") {
    Solo s;
    wire::PushNodeState no_name = pns("", 3, wire::NodeState::alive);
    wire::PushNodeState short_addr = pns("c", 4, wire::NodeState::alive);
    short_addr.addr = {1, 1, 1, 1, 1, 1, 1};
    wire::PushNodeState no_addr = pns("d", 5, wire::NodeState::alive);
    no_addr.addr.clear();
    wire::PushNodeState bad_vsn =
        pns("e", 6, wire::NodeState::alive, 1, wire::Vsn{1, 5, 2, 1, 1, 1});
    bad_vsn.name.clear();  // malformed, so its version does not fail the exchange either
    wire::PushPull req{false,
                       {no_name, short_addr, pns("b", 2, wire::NodeState::alive), no_addr, bad_vsn},
                       {}};
    s.core->on_stream_request(1, addr(2, 0), framed(req), s.now, s.out);
    REQUIRE(s.out.stream_replies.size() == 1);
    CHECK(std::holds_alternative<wire::PushPull>(unframed(s.out.stream_replies[0].bytes)));
    CHECK(s.core->find("b") != nullptr);
    CHECK(s.core->find("c") == nullptr);
    CHECK(s.core->find("d") == nullptr);
    CHECK(s.core->find("") == nullptr);
    CHECK(s.core->counters().malformed_push_node == 4);
  }

  TEST_CASE("version check rejects incompatible node") {
    Solo s;
    wire::PushPull req{true,
                       {pns("old", 2, wire::NodeState::alive, 1, wire::Vsn{1, 5, 2, 1, 1, 1})},
                       {}};
    s.core->on_stream_request(1, addr(2, 0), framed(req), s.now, s.out);
    CHECK(s.core->find("old") == nullptr);
    REQUIRE(s.out.stream_replies.size() == 1);
    auto reply = unframed(s.out.stream_replies[0].bytes);
    REQUIRE(std::holds_alternative<wire::ErrResp>(reply));
    CHECK(std::get<wire::ErrResp>(reply).error ==
          "Node 'old' delegate protocol version (1) is incompatible: [2, 1]");
  }

  TEST_CASE("join sends a push/pull with Join set and reports one joined seed") {
    Solo s;
    const swim::Address seeds[] = {addr(2)};
    const auto id = s.core->join(seeds, s.now, s.out);
    REQUIRE(s.out.streams.size() == 1);
    const auto call = s.out.streams[0];
    CHECK(call.to == addr(2));
    CHECK(call.deadline == s.now + 10s);
    auto req = unframed(call.request);
    REQUIRE(std::holds_alternative<wire::PushPull>(req));
    CHECK(std::get<wire::PushPull>(req).join);
    wire::PushPull reply{true, {pns("b", 2, wire::NodeState::alive)}, {}};
    s.core->on_stream_reply(call.id, framed(reply), s.now, s.out);
    REQUIRE(s.out.joins.size() == 1);
    CHECK(s.out.joins[0].id == id);
    CHECK(s.out.joins[0].joined == 1);
    CHECK(s.out.joins[0].errors.empty());
    CHECK(s.core->find("b") != nullptr);
  }

  TEST_CASE("join reports one error line per failed seed") {
    Solo s;
    const swim::Address seeds[] = {addr(2), addr(9), addr(8)};
    s.core->join(seeds, s.now, s.out);
    REQUIRE(s.out.streams.size() == 3);
    const auto calls = s.out.streams;
    s.core->on_stream_reply(calls[1].id,
                            util::Error{util::Errc::io,
                                        "dial tcp 10.0.0.9:7946: connect: connection refused"},
                            s.now, s.out);
    s.core->on_stream_reply(calls[2].id, framed(wire::ErrResp{"boom"}), s.now, s.out);
    CHECK(s.out.joins.empty());
    s.core->on_stream_reply(calls[0].id,
                            framed(wire::PushPull{true, {pns("b", 2, wire::NodeState::alive)}, {}}),
                            s.now, s.out);
    REQUIRE(s.out.joins.size() == 1);
    CHECK(s.out.joins[0].joined == 1);
    CHECK(s.out.joins[0].errors ==
          std::vector<std::string>{
              "Failed to join 10.0.0.9: dial tcp 10.0.0.9:7946: connect: connection refused",
              "Failed to join 10.0.0.8: remote error: boom"});
  }

  TEST_CASE("join fails on an incompatible cluster") {
    Solo s;
    const swim::Address seeds[] = {addr(2)};
    s.core->join(seeds, s.now, s.out);
    wire::PushPull reply{true,
                         {pns("b", 2, wire::NodeState::alive, 1, wire::Vsn{1, 5, 2, 1, 1, 1})},
                         {}};
    s.core->on_stream_reply(s.out.streams.at(0).id, framed(reply), s.now, s.out);
    REQUIRE(s.out.joins.size() == 1);
    CHECK(s.out.joins[0].joined == 0);
    CHECK(s.out.joins[0].errors ==
          std::vector<std::string>{"Failed to join 10.0.0.2: Node 'b' delegate protocol "
                                   "version (1) is incompatible: [2, 1]"});
    CHECK(s.core->find("b") == nullptr);
  }

  TEST_CASE("join with no seeds finishes at once with nothing joined") {
    Solo s;
    s.core->join({}, s.now, s.out);
    REQUIRE(s.out.joins.size() == 1);
    CHECK(s.out.joins[0].joined == 0);
  }

  TEST_CASE("stream ping is answered with an ack without payload") {
    Solo s;
    s.delegate.ack = util::to_bytes("coords");
    s.core->on_stream_request(2, addr(2, 0), framed(wire::Ping{12, "a", {}, {}, 0}), s.now,
                              s.out);
    REQUIRE(s.out.stream_replies.size() == 1);
    auto reply = unframed(s.out.stream_replies[0].bytes);
    REQUIRE(std::holds_alternative<wire::Ack>(reply));
    CHECK(std::get<wire::Ack>(reply).seq_no == 12);
    CHECK(std::get<wire::Ack>(reply).payload.empty());
  }

  TEST_CASE("stream ping for another name is closed without answer") {
    Solo s;
    s.core->on_stream_request(2, addr(2, 0), framed(wire::Ping{12, "zz", {}, {}, 0}), s.now,
                              s.out);
    REQUIRE(s.out.stream_replies.size() == 1);
    CHECK(s.out.stream_replies[0].bytes.empty());
  }

  TEST_CASE("a stream user message goes to the delegate") {
    Solo s;
    s.core->on_stream_request(3, addr(2, 0), framed(wire::UserMsg{util::to_bytes("\x02hi")}),
                              s.now, s.out);
    CHECK(s.delegate.msgs == std::vector<util::Bytes>{util::to_bytes("\x02hi")});
    REQUIRE(s.out.stream_replies.size() == 1);
    CHECK(s.out.stream_replies[0].bytes.empty());
  }

  TEST_CASE("an unreadable stream gets an err reply") {
    Solo s;
    const util::Bytes garbage = {0x06, 0xc1, 0xff};
    s.core->on_stream_request(5, addr(2, 0), garbage, s.now, s.out);
    REQUIRE(s.out.stream_replies.size() == 1);
    auto reply = unframed(s.out.stream_replies[0].bytes);
    CHECK(std::holds_alternative<wire::ErrResp>(reply));
  }

  TEST_CASE("periodic push/pull picks an alive peer on its interval") {
    Solo s([](swim::Config& c) { c.push_pull_interval = 30s; });
    s.responsive = {"b"};
    s.meet("b", 2);
    s.advance(59s);  // stagger < 30 s, then one interval
    REQUIRE_FALSE(s.out.streams.empty());
    bool push_pull = false;
    for (const auto& call : s.out.streams) {
      auto req = unframed(call.request);
      if (const auto* pp = std::get_if<wire::PushPull>(&req)) {
        push_pull = true;
        CHECK_FALSE(pp->join);
        CHECK(call.to == addr(2));
      }
    }
    CHECK(push_pull);
  }
}

TEST_SUITE("swim.gossip") {
  TEST_CASE("gossip carries queued broadcasts with a crc to pmax 5 peers") {
    Solo s([](swim::Config& c) { c.gossip_interval = 200ms; });
    s.meet("b", 2);
    s.clear();
    s.advance(200ms);
    bool gossiped = false;
    for (const auto& sent : s.sent()) {
      if (sent.to != addr(2)) continue;
      for (const auto& m : sent.messages) {
        if (std::holds_alternative<wire::Alive>(m)) {
          gossiped = true;
          CHECK(sent.raw[0] == 0x0c);
        }
      }
    }
    CHECK(gossiped);
  }

  TEST_CASE("piggybacked delegate broadcasts get the user message type") {
    Solo s;
    s.delegate.to_broadcast = {util::to_bytes("\x01intent")};
    s.packet(addr(2), wire::Ping{1, "a", {}, {}, 0});
    auto users = s.sent_of<wire::UserMsg>();
    REQUIRE(users.size() == 1);
    CHECK(users[0].second.payload == util::to_bytes("\x01intent"));
  }

  TEST_CASE("a compound never has more than 255 parts") {
    Solo s([](swim::Config& c) { c.udp_buffer_size = 60000; });
    for (int i = 0; i < 400; ++i) s.delegate.to_broadcast.push_back(util::Bytes{0x01});
    s.packet(addr(2), wire::Ping{1, "a", {}, {}, 0});
    REQUIRE(s.out.packets.size() == 1);
    auto decoded = wire::decode_packet(s.out.packets[0].bytes);
    REQUIRE(decoded.ok());
    CHECK(decoded->messages.size() <= 255);
    CHECK(decoded->messages.size() >= 200);
    CHECK(decoded->bad_parts == 0);
  }

  TEST_CASE("a packet stays within the udp buffer size") {
    Solo s;
    for (int i = 0; i < 60; ++i) s.delegate.to_broadcast.push_back(util::Bytes(40, 'x'));
    s.packet(addr(2), wire::Ping{1, "a", {}, {}, 0});
    REQUIRE(s.out.packets.size() == 1);
    // Uncompressed size bound: compression may only make it smaller.
    auto decoded = wire::decode_packet(s.out.packets[0].bytes);
    REQUIRE(decoded.ok());
    std::size_t total = 2;
    for (const auto& m : decoded->messages) total += wire::encode(m).size() + 2;
    CHECK(total <= 1400);
    CHECK_FALSE(s.delegate.to_broadcast.empty());
  }
}
