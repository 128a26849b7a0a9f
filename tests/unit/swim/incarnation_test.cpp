// Incarnation policy of swim::Core (swim/incarnation.h): a peer's message cannot move a known
// node's incarnation by more than limits::incarnation_jump_max, and nobody refutes into a wrap.
// The attack it answers: a forged dead at 0xFFFFFFFF, whose refutation wraps to 0 in memberlist.
#include <doctest/doctest.h>

#include "solo.h"
#include "swim/incarnation.h"

using namespace swim_test;

namespace {

constexpr std::uint32_t top = 0xFFFFFFFF;
constexpr std::uint32_t window = swim::limits::incarnation_jump_max;

// Makes the Core send something to b (an ack) so that queued alives ride along.
std::vector<wire::Alive> alives_sent_about(Solo& s, const std::string& node) {
  s.clear();
  s.packet(addr(2), wire::Ping{77, "a", {}, {}, 0});
  std::vector<wire::Alive> out;
  for (const auto& [to, a] : s.sent_of<wire::Alive>()) {
    if (a.node == node) out.push_back(a);
  }
  return out;
}

// Joins through 10.0.0.2, whose push/pull reply carries `nodes`.
void join_with_reply(Solo& s, std::vector<wire::PushNodeState> nodes) {
  const swim::Address seeds[] = {addr(2)};
  s.core->join(seeds, s.now, s.out);
  REQUIRE(s.out.streams.size() == 1);
  const wire::PushPull reply{true, std::move(nodes), {}};
  s.core->on_stream_reply(s.out.streams[0].id, framed(reply), s.now, s.out);
}

}  // namespace

TEST_SUITE("swim.incarnation") {
  TEST_CASE("a forged dead at the top incarnation about a known peer is not believed") {
    Solo s;
    s.meet("b", 2);
    s.packet(addr(3), wire::Dead{top, "b", "c"});
    CHECK(s.state_of("b") == swim::State::alive);
    CHECK(s.core->find("b")->incarnation == 1);
    CHECK(s.delegate.left.empty());
  }

  TEST_CASE("a forged dead at the top incarnation about ourselves does not wrap our incarnation") {
    Solo s;
    s.meet("b", 2);
    s.packet(addr(3), wire::Dead{top, "a", "c"});
    CHECK(s.core->self().state == swim::State::alive);
    CHECK(s.core->self().incarnation == 1);
    // Nothing refuted (nobody believes it): only our first alive is still being gossiped.
    for (const auto& a : alives_sent_about(s, "a")) CHECK(a.incarnation == 1);
  }

  TEST_CASE("a message may raise a known incarnation by at most the window") {
    struct Row {
      std::uint32_t known, claimed;
      bool believed;
    };
    const Row rows[] = {
        {1, 0, true},                  // old news: the usual rules ignore it
        {1, 1, true},
        {1, 1 + window, true},         // the edge of the window
        {1, 2 + window, false},
        {1, top, false},               // the forged dead of the issue
        {top - window, top, true},     // near the top the window still holds
        {top - window - 1, top, false},
        {5, 5 - 1, true},
    };
    for (const Row& row : rows) {
      CAPTURE(row.known);
      CAPTURE(row.claimed);
      CHECK(swim::believable_incarnation(row.known, row.claimed) == row.believed);
    }
  }

  TEST_CASE("a refutation is one above both incarnations and never wraps") {
    CHECK(swim::refuting_incarnation(1, 1) == 2u);
    CHECK(swim::refuting_incarnation(7, 3) == 8u);
    CHECK(swim::refuting_incarnation(3, 9) == 10u);
    CHECK(swim::refuting_incarnation(1, top - 1) == top);
    CHECK_FALSE(swim::refuting_incarnation(1, top).has_value());
    CHECK_FALSE(swim::refuting_incarnation(top, 1).has_value());
  }

  TEST_CASE("a suspect far beyond a peer's known incarnation is not believed and is counted") {
    Solo s;
    s.meet("b", 2);
    s.packet(addr(3), wire::Suspect{2 + window, "b", "c"});
    CHECK(s.state_of("b") == swim::State::alive);
    CHECK(s.core->counters().implausible_incarnation == 1);
  }

  TEST_CASE("an alive far beyond a peer's known incarnation changes nothing") {
    Solo s;
    s.meet("b", 2);
    auto a = alive_msg("b", top, addr(2));
    a.meta = util::to_bytes("forged");
    s.packet(addr(3), a);
    CHECK(s.core->find("b")->incarnation == 1);
    CHECK(s.core->find("b")->meta.empty());
    CHECK(s.delegate.updated.empty());
    CHECK(s.core->counters().implausible_incarnation == 1);
  }

  TEST_CASE("a dead at the edge of the window is believed") {
    Solo s;
    s.meet("b", 2);
    s.packet(addr(3), wire::Dead{1 + window, "b", "c"});
    CHECK(s.state_of("b") == swim::State::dead);
    CHECK(s.core->find("b")->incarnation == 1 + window);
    CHECK(s.core->counters().implausible_incarnation == 0);
  }

  TEST_CASE("a node we do not know is accepted at any incarnation") {
    Solo s;
    s.packet(addr(2), alive_msg("b", top - 3, addr(2)));
    REQUIRE(s.core->find("b") != nullptr);
    CHECK(s.core->find("b")->incarnation == top - 3);
    CHECK(s.core->counters().implausible_incarnation == 0);
  }

  TEST_CASE("an accusation about ourselves at the edge of the window is refuted above it") {
    Solo s;
    s.packet(addr(2), wire::Suspect{1 + window, "a", "b"});
    CHECK(s.core->self().incarnation == 2 + window);
    CHECK(s.core->counters().implausible_incarnation == 0);
  }

  TEST_CASE("an accusation about ourselves beyond the window is ignored and counted") {
    Solo s;
    s.packet(addr(2), wire::Suspect{2 + window, "a", "b"});
    s.packet(addr(2), wire::Dead{0x80000000, "a", "b"});
    CHECK(s.core->self().incarnation == 1);
    CHECK(s.core->self().state == swim::State::alive);
    CHECK(s.core->health_score() == 0);  // not a refutation: no awareness penalty either
    CHECK(s.core->counters().implausible_incarnation == 2);
  }

  TEST_CASE("the reply to our join may raise us beyond the window, as after a restart") {
    Solo s;
    join_with_reply(s, {pns("b", 2, wire::NodeState::alive), pns("a", 1, wire::NodeState::dead,
                                                                   5'000'000)});
    CHECK(s.core->self().incarnation == 5'000'001);
    CHECK(s.core->self().state == swim::State::alive);
    bool refuted = false;
    for (const auto& a : alives_sent_about(s, "a")) refuted |= a.incarnation == 5'000'001;
    CHECK(refuted);
  }

  TEST_CASE("a push/pull we did not ask for cannot raise us beyond the window") {
    Solo s;
    const wire::PushPull req{false, {pns("a", 1, wire::NodeState::dead, 5'000'000)}, {}};
    s.core->on_stream_request(1, addr(2, 0), framed(req), s.now, s.out);
    CHECK(s.core->self().incarnation == 1);
    CHECK(s.core->counters().implausible_incarnation == 1);
  }

  TEST_CASE("a periodic push/pull reply cannot raise us beyond the window") {
    Solo s([](swim::Config& c) { c.push_pull_interval = 30s; });
    s.responsive = {"b"};
    s.meet("b", 2);
    s.advance(90s);  // at least one periodic round
    std::optional<swim::StreamId> push_pull;
    for (const auto& call : s.out.streams) {
      if (std::holds_alternative<wire::PushPull>(unframed(call.request))) push_pull = call.id;
    }
    REQUIRE(push_pull.has_value());
    const wire::PushPull reply{false, {pns("a", 1, wire::NodeState::dead, 5'000'000)}, {}};
    s.core->on_stream_reply(*push_pull, framed(reply), s.now, s.out);
    CHECK(s.core->self().incarnation == 1);
    CHECK(s.core->counters().implausible_incarnation == 1);
  }

  TEST_CASE("an accusation at the top incarnation is not refuted, even when catching up") {
    Solo s;
    join_with_reply(s, {pns("a", 1, wire::NodeState::dead, top)});
    CHECK(s.core->self().incarnation == 1);
    CHECK(s.core->self().state == swim::State::alive);
    CHECK(s.core->counters().unrefutable_accusation == 1);
  }

  TEST_CASE("a meta update at the top incarnation is refused rather than wrapped") {
    Solo s;
    auto stale = pns("a", 1, wire::NodeState::alive, top - 1);
    stale.meta = util::to_bytes("old life");
    join_with_reply(s, {stale});
    REQUIRE(s.core->self().incarnation == top);
    s.delegate.meta = util::to_bytes("new");
    s.core->update_meta(s.now, s.out);
    CHECK(s.core->self().incarnation == top);
    CHECK(s.core->self().meta.empty());
    CHECK(s.core->counters().unrefutable_accusation == 1);
  }
}
