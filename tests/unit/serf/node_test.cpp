// serf::Node end to end in a small virtual-time network (serf_net.h): joins, graceful leave,
// failure, tags, user events, queries and force-leave.
#include "serf/node.h"

#include <doctest/doctest.h>

#include "serf_net.h"

using namespace std::chrono_literals;
using serf::MemberStatus;
using serf_test::Host;
using serf_test::Net;

namespace {

// n hosts, all joined through n1.
void form(Net& net, int n) {
  for (int i = 0; i < n; ++i) net.add();
  for (int i = 1; i < n; ++i) net.join(net.host(static_cast<std::size_t>(i)), net.host(0));
  net.run_for(5s);
}

int count_member_events(const Host& h, serf::MemberEventType type, const std::string& name) {
  int n = 0;
  for (const auto& e : h.events) {
    const auto* me = std::get_if<serf::MemberEvent>(&e);
    if (!me || me->type != type) continue;
    for (const auto& m : me->members) n += m.name == name ? 1 : 0;
  }
  return n;
}

int count_user_events(const Host& h, const std::string& name) {
  int n = 0;
  for (const auto& e : h.events) {
    const auto* ue = std::get_if<serf::UserEvent>(&e);
    if (ue && ue->name == name) ++n;
  }
  return n;
}

}  // namespace

TEST_SUITE("serf.node") {
  TEST_CASE("a fresh node knows itself as alive") {
    Net net;
    Host& a = net.add();
    CHECK(net.status(a, "n1") == MemberStatus::alive);
    CHECK(a.node->local_member().status == MemberStatus::alive);
    CHECK(a.node->stats().at("members") == "1");
    CHECK(a.node->stats().at("member_time") == "1");
  }

  TEST_CASE("four nodes that join are alive everywhere") {
    Net net;
    form(net, 4);
    for (int i = 1; i <= 4; ++i) {
      CAPTURE(i);
      CHECK(net.count_seeing("n" + std::to_string(i), MemberStatus::alive) == 4);
    }
    CHECK(count_member_events(net.host(3), serf::MemberEventType::join, "n1") == 1);
  }

  TEST_CASE("a graceful leave is seen as left everywhere, never failed") {
    Net net;
    form(net, 4);
    Host& leaver = net.host(2);
    net.step(leaver, [](serf::Node& n, util::Instant t, serf::Outbox& out) { n.leave(t, out); });
    CHECK(leaver.node->leave_state() == serf::LeaveState::leaving);
    net.run_for(20s);
    CHECK(leaver.node->leave_state() == serf::LeaveState::left);
    CHECK(leaver.shutdown);
    CHECK(net.count_seeing("n3", MemberStatus::left) == 3);
    for (std::size_t i : {0u, 1u, 3u}) {
      CAPTURE(i);
      CHECK(count_member_events(net.host(i), serf::MemberEventType::failed, "n3") == 0);
      CHECK(count_member_events(net.host(i), serf::MemberEventType::leave, "n3") == 1);
    }
  }

  TEST_CASE("a node that stops answering is failed everywhere") {
    Net net;
    form(net, 4);
    net.host(3).down = true;
    net.run_for(30s);
    CHECK(net.count_seeing("n4", MemberStatus::failed) == 3);
    CHECK(net.host(0).node->stats().at("failed") == "1");
  }

  TEST_CASE("force-leave turns a failed member into left") {
    Net net;
    form(net, 3);
    net.host(2).down = true;
    net.run_for(30s);
    REQUIRE(net.count_seeing("n3", MemberStatus::failed) == 2);
    util::Status st;
    net.step(net.host(0), [&](serf::Node& n, util::Instant t, serf::Outbox& out) {
      st = n.force_leave("n3", false, t, out);
    });
    CHECK(st.ok());
    net.run_for(5s);
    CHECK(net.count_seeing("n3", MemberStatus::left) == 2);
    CHECK(count_member_events(net.host(1), serf::MemberEventType::leave, "n3") == 1);
  }

  TEST_CASE("force-leave with prune erases the member") {
    Net net;
    form(net, 3);
    net.host(2).down = true;
    net.run_for(30s);
    net.step(net.host(0), [&](serf::Node& n, util::Instant t, serf::Outbox& out) {
      CHECK(n.force_leave("n3", true, t, out).ok());
    });
    net.run_for(5s);
    CHECK(net.count_seeing("n3", MemberStatus::none) == 2);
    CHECK(count_member_events(net.host(1), serf::MemberEventType::reap, "n3") == 1);
  }

  TEST_CASE("new tags reach every node with a member-update") {
    Net net;
    form(net, 3);
    util::Status st;
    net.step(net.host(1), [&](serf::Node& n, util::Instant t, serf::Outbox& out) {
      st = n.set_tags({{"role", "web"}, {"dc", "east"}}, t, out);
    });
    REQUIRE(st.ok());
    net.run_for(5s);
    for (std::size_t i = 0; i < 3; ++i) {
      CAPTURE(i);
      for (const auto& m : net.host(i).node->members()) {
        if (m.name == "n2") CHECK(m.tags == serf::Tags{{"dc", "east"}, {"role", "web"}});
      }
    }
    CHECK(count_member_events(net.host(0), serf::MemberEventType::update, "n2") == 1);
    CHECK(count_member_events(net.host(2), serf::MemberEventType::update, "n2") == 1);
  }

  TEST_CASE("tags that do not fit in 512 bytes are refused") {
    Net net;
    Host& a = net.add();
    util::Status st;
    net.step(a, [&](serf::Node& n, util::Instant t, serf::Outbox& out) {
      st = n.set_tags({{"big", std::string(600, 'x')}}, t, out);
    });
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().detail == "Encoded length of tags exceeds limit of 512 bytes");
  }

  TEST_CASE("a user event reaches every node exactly once") {
    Net net;
    form(net, 5);
    util::Status st;
    net.step(net.host(2), [&](serf::Node& n, util::Instant t, serf::Outbox& out) {
      st = n.user_event("deploy", util::as_bytes("v2"), true, t, out);
    });
    REQUIRE(st.ok());
    net.run_for(10s);
    for (std::size_t i = 0; i < 5; ++i) {
      CAPTURE(i);
      CHECK(count_user_events(net.host(i), "deploy") == 1);
    }
    CHECK(net.host(0).node->stats().at("event_time") == "2");
  }

  TEST_CASE("user events over the size limit are refused with Serf's words") {
    Net net;
    Host& a = net.add();
    util::Status st;
    net.step(a, [&](serf::Node& n, util::Instant t, serf::Outbox& out) {
      st = n.user_event("e", util::Bytes(600, 1), true, t, out);
    });
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().detail == "user event exceeds configured limit of 512 bytes before encoding");
    net.step(a, [&](serf::Node& n, util::Instant t, serf::Outbox& out) {
      st = n.user_event("e", util::Bytes(500, 1), true, t, out);
    });
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().detail ==
          "encoded user event exceeds configured limit of 512 bytes after encoding");
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
}
