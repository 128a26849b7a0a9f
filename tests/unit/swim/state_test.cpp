// swim::Core membership rules: incarnations, refutation, conflicts, leave (gossip-wire.md §7.5,
// §7.9).
#include <doctest/doctest.h>

#include "solo.h"

using namespace swim_test;

namespace {

// Makes the Core send something to b (an ack) so that queued broadcasts ride along.
std::vector<wire::Alive> alives_piggybacked(Solo& s) {
  s.clear();
  s.packet(addr(2), wire::Ping{77, "a", {}, {}, 0});
  std::vector<wire::Alive> out;
  for (const auto& [to, a] : s.sent_of<wire::Alive>()) out.push_back(a);
  return out;
}

}  // namespace

TEST_SUITE("swim.state") {
  TEST_CASE("a new core knows itself alive with incarnation one") {
    Solo s;
    CHECK(s.core->self().name == "a");
    CHECK(s.core->self().incarnation == 1);
    CHECK(s.core->self().state == swim::State::alive);
    CHECK(s.delegate.joined == std::vector<std::string>{"a"});
    CHECK(s.core->num_alive() == 1);
  }

  TEST_CASE("an alive about a new node adds it and notifies a join") {
    Solo s;
    s.meet("b", 2);
    REQUIRE(s.core->find("b") != nullptr);
    CHECK(s.core->find("b")->addr == addr(2));
    CHECK(s.delegate.joined.back() == "b");
    CHECK(s.core->estimate_num_nodes() == 2);
  }

  TEST_CASE("an alive with the same incarnation changes nothing") {
    Solo s;
    s.meet("b", 2);
    auto a = alive_msg("b", 1, addr(2));
    a.meta = util::to_bytes("new");
    s.packet(addr(2), a);
    CHECK(s.core->find("b")->meta.empty());
    CHECK(s.delegate.updated.empty());
  }

  TEST_CASE("an alive with a higher incarnation and new meta notifies an update") {
    Solo s;
    s.meet("b", 2);
    auto a = alive_msg("b", 2, addr(2));
    a.meta = util::to_bytes("new");
    s.packet(addr(2), a);
    CHECK(s.core->find("b")->meta == util::to_bytes("new"));
    CHECK(s.delegate.updated == std::vector<std::string>{"b"});
  }

  TEST_CASE("suspect with the same incarnation overrides alive") {
    Solo s;
    s.meet("b", 2);
    s.packet(addr(3), wire::Suspect{1, "b", "c"});
    CHECK(s.state_of("b") == swim::State::suspect);
  }

  TEST_CASE("suspect with an older incarnation is ignored") {
    Solo s;
    s.packet(addr(2), alive_msg("b", 5, addr(2)));
    s.packet(addr(3), wire::Suspect{4, "b", "c"});
    CHECK(s.state_of("b") == swim::State::alive);
  }

  TEST_CASE("a newer alive clears a suspicion") {
    Solo s;
    s.responsive = {"b"};
    s.meet("b", 2);
    s.packet(addr(3), wire::Suspect{1, "b", "c"});
    s.packet(addr(2), alive_msg("b", 2, addr(2)));
    CHECK(s.state_of("b") == swim::State::alive);
    s.advance(30s);
    CHECK(s.delegate.left.empty());
  }

  TEST_CASE("refutes suspicion about itself with incarnation+1") {
    Solo s;
    s.meet("b", 2);
    s.packet(addr(2), wire::Suspect{1, "a", "b"});
    CHECK(s.core->self().incarnation == 2);
    CHECK(s.core->self().state == swim::State::alive);
    CHECK(s.core->health_score() == 1);
    CHECK(s.log.contains("Refuting a suspect message (from: b)"));
    auto alives = alives_piggybacked(s);
    bool refuted = false;
    for (const auto& a : alives) refuted |= a.node == "a" && a.incarnation == 2;
    CHECK(refuted);
  }

  TEST_CASE("refutes a dead message about itself beyond the accused incarnation") {
    Solo s;
    s.packet(addr(2), wire::Dead{9, "a", "b"});
    CHECK(s.core->self().incarnation == 10);
    CHECK(s.core->self().state == swim::State::alive);
  }

  TEST_CASE("refutes an alive about itself with other meta") {
    Solo s;
    auto a = alive_msg("a", 1, addr(1));
    a.meta = util::to_bytes("stale");
    s.packet(addr(2), a);
    CHECK(s.core->self().incarnation == 2);
  }

  TEST_CASE("ignores its own alive coming back") {
    Solo s;
    s.packet(addr(2), alive_msg("a", 1, addr(1)));
    CHECK(s.core->self().incarnation == 1);
  }

  TEST_CASE("dead with From equal to Node marks the node left") {
    Solo s;
    s.meet("b", 2);
    s.packet(addr(2), wire::Dead{1, "b", "b"});
    CHECK(s.state_of("b") == swim::State::left);
    CHECK(s.delegate.left == std::vector<std::string>{"b"});
  }

  TEST_CASE("dead from another node marks the node dead") {
    Solo s;
    s.meet("b", 2);
    s.packet(addr(3), wire::Dead{1, "b", "c"});
    CHECK(s.state_of("b") == swim::State::dead);
  }

  TEST_CASE("a dead node comes back with a newer alive and notifies a join") {
    Solo s;
    s.meet("b", 2);
    s.packet(addr(3), wire::Dead{1, "b", "c"});
    s.packet(addr(2), alive_msg("b", 2, addr(2)));
    CHECK(s.state_of("b") == swim::State::alive);
    CHECK(s.delegate.joined == std::vector<std::string>{"a", "b", "b"});
  }

  TEST_CASE("name conflict reported when the address differs") {
    Solo s;
    s.meet("b", 2);
    s.packet(addr(9), alive_msg("b", 2, addr(9)));
    CHECK(s.delegate.conflicts == std::vector<std::string>{"b 10.0.0.9:7946"});
    CHECK(s.core->find("b")->addr == addr(2));
    CHECK(s.core->find("b")->incarnation == 1);
  }

  TEST_CASE("a left node may come back at another address") {
    Solo s;
    s.meet("b", 2);
    s.packet(addr(2), wire::Dead{1, "b", "b"});
    s.packet(addr(9), alive_msg("b", 2, addr(9)));
    CHECK(s.delegate.conflicts.empty());
    CHECK(s.core->find("b")->addr == addr(9));
    CHECK(s.state_of("b") == swim::State::alive);
  }

  TEST_CASE("a dead node restarted at another address takes it once it outbids its death") {
    Solo s;
    s.meet("b", 2);
    s.packet(addr(3), wire::Dead{1, "b", "c"});
    s.packet(addr(9), alive_msg("b", 2, addr(9)));
    CHECK(s.state_of("b") == swim::State::alive);
    CHECK(s.core->find("b")->addr == addr(9));
    CHECK(s.core->find("b")->incarnation == 2);
    CHECK(s.delegate.joined == std::vector<std::string>{"a", "b", "b"});
    CHECK(s.delegate.conflicts.empty());
  }

  TEST_CASE("a dead node's name stays put for a claimer that does not outbid its death") {
    Solo s;
    s.packet(addr(2), alive_msg("b", 4, addr(2)));
    s.packet(addr(3), wire::Dead{4, "b", "c"});
    s.packet(addr(9), alive_msg("b", 4, addr(9)));  // restarted at 1, refuted up to 4 only
    CHECK(s.state_of("b") == swim::State::dead);
    CHECK(s.core->find("b")->addr == addr(2));
    CHECK(s.delegate.conflicts.empty());  // nothing alive is contested
  }

  TEST_CASE("a live node keeps its address against a claimer that outbids it") {
    Solo s;
    s.meet("b", 2);
    swim::State before = swim::State::alive;
    SUBCASE("alive") {}
    SUBCASE("suspect") {
      s.packet(addr(3), wire::Suspect{1, "b", "c"});
      before = swim::State::suspect;
    }
    s.packet(addr(9), alive_msg("b", 7, addr(9)));
    CHECK(s.state_of("b") == before);
    CHECK(s.core->find("b")->addr == addr(2));
    CHECK(s.core->find("b")->incarnation == 1);
    CHECK(s.delegate.conflicts == std::vector<std::string>{"b 10.0.0.9:7946"});
  }

  TEST_CASE("a restarted node learns its death from its join and refutes it at its new address") {
    Solo s;  // we are a at 10.0.0.1, restarted; the cluster knew us dead at 10.0.0.7
    const swim::Address seeds[] = {addr(2)};
    s.core->join(seeds, s.now, s.out);
    REQUIRE(s.out.streams.size() == 1);
    auto old = pns("a", 7, wire::NodeState::dead, 12);
    const wire::PushPull reply{true, {pns("b", 2, wire::NodeState::alive), old}, {}};
    s.core->on_stream_reply(s.out.streams[0].id, framed(reply), s.now, s.out);
    CHECK(s.core->self().incarnation == 13);
    CHECK(s.core->self().addr == addr(1));
    CHECK(s.delegate.conflicts.empty());
    bool refuted = false;
    for (const auto& a : alives_piggybacked(s)) {
      refuted |= a.node == "a" && a.incarnation == 13 && a.addr == addr(1).ip;
    }
    CHECK(refuted);
  }

  TEST_CASE("an alive with broken protocol versions is ignored") {
    Solo s;
    s.packet(addr(2), alive_msg("b", 1, addr(2), wire::Vsn{3, 2, 2, 2, 5, 5}));
    CHECK(s.core->find("b") == nullptr);
  }

  TEST_CASE("update_meta bumps the incarnation and gossips the new meta") {
    Solo s;
    s.meet("b", 2);
    s.delegate.meta = util::to_bytes("tags");
    s.core->update_meta(s.now, s.out);
    CHECK(s.core->self().incarnation == 2);
    CHECK(s.core->self().meta == util::to_bytes("tags"));
    auto alives = alives_piggybacked(s);
    bool sent = false;
    for (const auto& a : alives) sent |= a.node == "a" && a.meta == util::to_bytes("tags");
    CHECK(sent);
  }

  TEST_CASE("leave marks us left and is done once the dead message was sent enough times") {
    Solo s;
    s.meet("b", 2);
    s.core->leave(s.now, s.out);
    CHECK(s.core->self().state == swim::State::left);
    CHECK_FALSE(s.core->leave_done());
    // n = 2: (4 + 2 membership boost) * ceil(log10(3)) = 6 transmissions, one per packet.
    int sent = 0;
    for (int i = 0; i < 6; ++i) {
      s.clear();
      s.packet(addr(2), wire::Ping{static_cast<std::uint32_t>(100 + i), "a", {}, {}, 0});
      for (const auto& [to, d] : s.sent_of<wire::Dead>()) sent += d.node == "a" && d.from == "a";
    }
    CHECK(sent == 6);
    CHECK(s.core->leave_done());
  }

  TEST_CASE("leave with nobody else alive is done at once") {
    Solo s;
    s.core->leave(s.now, s.out);
    CHECK(s.core->leave_done());
  }

  TEST_CASE("an alive about ourselves after leaving does not undo the leave") {
    Solo s;
    s.meet("b", 2);
    s.core->leave(s.now, s.out);
    s.packet(addr(2), alive_msg("a", 5, addr(1)));
    CHECK(s.core->self().state == swim::State::left);
  }

  TEST_CASE("an alive with an empty node name is refused and counted") {
    Solo s;
    s.packet(addr(2), alive_msg("", 1, addr(2)));
    CHECK(s.core->find("") == nullptr);
    CHECK(s.core->nodes().size() == 1);
    CHECK(s.delegate.joined == std::vector<std::string>{"a"});
    CHECK(s.core->counters().malformed_alive == 1);
  }

  TEST_CASE("an alive whose address is neither 4 nor 16 bytes is refused and counted") {
    // Past 16 bytes the decoder already refuses the message (wire::limits::addr_bytes_max).
    const std::size_t lengths[] = {0, 1, 3, 5, 7, 15, 17};
    for (const std::size_t len : lengths) {
      CAPTURE(len);
      Solo s;
      wire::Alive a = alive_msg("b", 1, addr(2));
      a.addr = util::Bytes(len, 0x01);
      s.packet(addr(2), a);
      CHECK(s.core->find("b") == nullptr);
      CHECK(s.core->counters().malformed_alive == (len < 16 ? 1u : 0u));
    }
  }

  TEST_CASE("an alive with a 16-byte address is accepted") {
    Solo s;
    wire::Alive a = alive_msg("b", 1, addr(2));
    a.addr = util::Bytes(15, 0x00);
    a.addr.push_back(0x01);  // ::1
    s.packet(addr(2), a);
    REQUIRE(s.core->find("b") != nullptr);
    CHECK(s.core->find("b")->addr.ip.size() == 16);
    CHECK(s.core->counters().malformed_alive == 0);
  }

  TEST_CASE("a malformed alive cannot take over a known member") {
    Solo s;
    s.meet("b", 2);
    wire::Alive a = alive_msg("b", 5, addr(2));
    a.addr = util::Bytes{1, 1, 1, 1, 1, 1, 1};
    s.packet(addr(2), a);
    CHECK(s.core->find("b")->addr == addr(2));
    CHECK(s.core->find("b")->incarnation == 1);
    CHECK(s.delegate.conflicts.empty());
  }

  TEST_CASE("suspect and dead messages naming no node are refused and counted") {
    Solo s;
    s.packet(addr(2), wire::Suspect{1, "", "b"});
    s.packet(addr(2), wire::Dead{1, "", "b"});
    s.packet(addr(2), wire::Dead{1, "", "b"});
    CHECK(s.core->counters().malformed_suspect == 1);
    CHECK(s.core->counters().malformed_dead == 2);
    CHECK(s.core->nodes().size() == 1);
  }

  TEST_CASE("a flood of malformed messages is logged once per kind") {
    Solo s;
    auto warnings = [&] {
      int n = 0;
      for (const auto& line : s.log.lines) n += line.find("[WARN]") != std::string::npos;
      return n;
    };
    for (int i = 0; i < 1000; ++i) s.packet(addr(2), alive_msg("", 1, addr(2)));
    CHECK(warnings() == 1);
    for (int i = 0; i < 1000; ++i) s.packet(addr(2), wire::Dead{1, "", "b"});
    CHECK(warnings() == 2);
    CHECK(s.core->counters().malformed_alive == 1000);
    CHECK(s.core->counters().malformed_dead == 1000);
  }
}
