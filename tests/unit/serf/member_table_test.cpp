// Member statuses as Serf 0.9.4 decides them from memberlist notifications and intents.
#include "serf/member_table.h"

#include <doctest/doctest.h>

using namespace std::chrono_literals;
using serf::MemberEventType;
using serf::MemberStatus;

namespace {
const util::Instant t0 = util::instant_from_us(1'000'000);

serf::Member member(const char* name) {
  serf::Member m;
  m.name = name;
  m.addr = swim::Address{{127, 0, 0, 1}, 7946};
  return m;
}

MemberStatus status(const serf::MemberTable& t, const char* name) {
  const auto* st = t.find(name);
  return st ? st->member.status : MemberStatus::none;
}
}  // namespace

TEST_SUITE("serf.member_table") {
  TEST_CASE("memberlist gone decides left only after a leave intent") {
    serf::MemberTable t;
    serf::RecentIntents intents;
    t.on_node_join(member("a"), intents);
    t.on_node_join(member("b"), intents);
    auto out = t.on_leave_intent("a", 5, false, false, t0, intents);
    CHECK(out.rebroadcast);
    CHECK(status(t, "a") == MemberStatus::leaving);
    CHECK(t.on_node_leave("a", t0) == MemberEventType::leave);
    CHECK(t.on_node_leave("b", t0) == MemberEventType::failed);
    CHECK(status(t, "a") == MemberStatus::left);
    CHECK(status(t, "b") == MemberStatus::failed);
    CHECK(t.left() == std::vector<std::string>{"a"});
    CHECK(t.failed() == std::vector<std::string>{"b"});
  }

  TEST_CASE("a leave intent turns a failed member into left with a forced leave") {
    serf::MemberTable t;
    serf::RecentIntents intents;
    t.on_node_join(member("a"), intents);
    REQUIRE(t.on_node_leave("a", t0) == MemberEventType::failed);
    auto out = t.on_leave_intent("a", 2, false, false, t0, intents);
    CHECK(out.forced_leave);
    CHECK(out.rebroadcast);
    CHECK(status(t, "a") == MemberStatus::left);
    CHECK(t.failed().empty());
    CHECK(t.left().size() == 1);
  }

  TEST_CASE("leave intents at or below the status LTime are ignored") {
    serf::MemberTable t;
    serf::RecentIntents intents;
    t.on_node_join(member("a"), intents);
    REQUIRE(t.on_join_intent("a", 7, t0, intents));
    CHECK_FALSE(t.on_leave_intent("a", 7, false, false, t0, intents).rebroadcast);
    CHECK(status(t, "a") == MemberStatus::alive);
    CHECK_FALSE(t.on_join_intent("a", 7, t0, intents));
  }

  TEST_CASE("a repeated leave intent is re-broadcast once, not forever") {
    serf::MemberTable t;
    serf::RecentIntents intents;
    t.on_node_join(member("a"), intents);
    CHECK(t.on_leave_intent("a", 3, false, false, t0, intents).rebroadcast);
    CHECK_FALSE(t.on_leave_intent("a", 3, false, false, t0, intents).rebroadcast);
    CHECK(t.on_leave_intent("a", 4, false, false, t0, intents).rebroadcast);
  }

  TEST_CASE("a newer join intent moves leaving back to alive") {
    serf::MemberTable t;
    serf::RecentIntents intents;
    t.on_node_join(member("a"), intents);
    REQUIRE(t.on_leave_intent("a", 3, false, false, t0, intents).rebroadcast);
    CHECK(t.on_join_intent("a", 4, t0, intents));
    CHECK(status(t, "a") == MemberStatus::alive);
  }

  TEST_CASE("a leave intent about ourselves while running asks for a refutation") {
    serf::MemberTable t;
    serf::RecentIntents intents;
    t.on_node_join(member("me"), intents);
    auto out = t.on_leave_intent("me", 3, false, true, t0, intents);
    CHECK(out.refute);
    CHECK_FALSE(out.rebroadcast);
    CHECK(status(t, "me") == MemberStatus::alive);
  }

  TEST_CASE("intents about unknown nodes are buffered and applied at join") {
    serf::MemberTable t;
    serf::RecentIntents intents;
    CHECK(t.on_leave_intent("a", 9, false, false, t0, intents).rebroadcast);
    CHECK_FALSE(t.on_leave_intent("a", 9, false, false, t0, intents).rebroadcast);
    CHECK(t.on_join_intent("b", 4, t0, intents));
    t.on_node_join(member("a"), intents);
    t.on_node_join(member("b"), intents);
    CHECK(status(t, "a") == MemberStatus::leaving);
    CHECK(t.find("a")->status_ltime == 9);
    CHECK(status(t, "b") == MemberStatus::alive);
    CHECK(t.find("b")->status_ltime == 4);
  }

  TEST_CASE("prune erases now unless the member is still leaving") {
    serf::MemberTable t;
    serf::RecentIntents intents;
    t.on_node_join(member("a"), intents);
    t.on_node_join(member("b"), intents);
    REQUIRE(t.on_node_leave("a", t0) == MemberEventType::failed);
    CHECK(t.on_leave_intent("a", 2, true, false, t0, intents).prune == serf::Prune::now);
    CHECK(t.on_leave_intent("b", 2, true, false, t0, intents).prune == serf::Prune::after_delay);
  }

  TEST_CASE("a failed member that comes back is alive and off the failed list") {
    serf::MemberTable t;
    serf::RecentIntents intents;
    t.on_node_join(member("a"), intents);
    REQUIRE(t.on_node_leave("a", t0) == MemberEventType::failed);
    t.on_node_join(member("a"), intents);
    CHECK(status(t, "a") == MemberStatus::alive);
    CHECK(t.failed().empty());
    CHECK_FALSE(t.on_node_leave("zzz", t0).has_value());
  }

  TEST_CASE("reap erases failed and left members after their own timeouts") {
    serf::MemberTable t;
    serf::RecentIntents intents;
    t.on_node_join(member("f"), intents);
    t.on_node_join(member("l"), intents);
    t.on_node_join(member("x"), intents);
    REQUIRE(t.on_node_leave("f", t0) == MemberEventType::failed);
    REQUIRE(t.on_leave_intent("l", 2, false, false, t0, intents).rebroadcast);
    REQUIRE(t.on_node_leave("l", t0) == MemberEventType::leave);
    CHECK(t.reap(t0 + 10s, 10s, 20s).empty());
    auto reaped = t.reap(t0 + 11s, 10s, 20s);
    REQUIRE(reaped.size() == 1);
    CHECK(reaped[0].name == "f");
    reaped = t.reap(t0 + 21s, 10s, 20s);
    REQUIRE(reaped.size() == 1);
    CHECK(reaped[0].name == "l");
    CHECK(t.all().size() == 1);
  }
}
