#include <doctest/doctest.h>

#include "agent/event_filter.h"

namespace {
serf::Event member(serf::MemberEventType t) { return serf::MemberEvent{t, {}}; }
serf::Event user(const char* name) { return serf::UserEvent{1, name, {}, true}; }
serf::Event query(const char* name) { return serf::QueryEvent{1, 1, name, {}, {}}; }
}  // namespace

TEST_SUITE("agent.event_filter") {
  TEST_CASE("an empty filter and '*' take every event") {
    for (auto spec : {"", "*"}) {
      CAPTURE(spec);
      auto f = agent::parse_event_filters(spec);
      REQUIRE(f.ok());
      CHECK(agent::any_matches(*f, member(serf::MemberEventType::join)));
      CHECK(agent::any_matches(*f, user("deploy")));
      CHECK(agent::any_matches(*f, query("load")));
    }
  }

  TEST_CASE("a comma list matches each of its types only") {
    auto f = agent::parse_event_filters("member-join,member-leave");
    REQUIRE(f.ok());
    CHECK(agent::any_matches(*f, member(serf::MemberEventType::join)));
    CHECK(agent::any_matches(*f, member(serf::MemberEventType::leave)));
    CHECK_FALSE(agent::any_matches(*f, member(serf::MemberEventType::failed)));
    CHECK_FALSE(agent::any_matches(*f, user("x")));
  }

  TEST_CASE("user and query filters may name one event") {
    auto f = agent::parse_event_filters("user:deploy,query:load");
    REQUIRE(f.ok());
    CHECK(agent::any_matches(*f, user("deploy")));
    CHECK_FALSE(agent::any_matches(*f, user("other")));
    CHECK(agent::any_matches(*f, query("load")));
    CHECK_FALSE(agent::any_matches(*f, query("uptime")));
  }

  TEST_CASE("unknown types and names on member events are refused") {
    CHECK_FALSE(agent::parse_event_filters("member-joined").ok());
    CHECK_FALSE(agent::parse_event_filters("member-join:x").ok());
    CHECK_FALSE(agent::parse_event_filters("user,").ok());
  }
}
