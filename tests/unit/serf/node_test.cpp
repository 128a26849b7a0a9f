// serf::Node end to end in a small virtual-time network (serf_net.h): joins, graceful leave,
// failure, tags, user events, queries and force-leave.
#include "serf/node.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "serf_net.h"
#include "wire/codec.h"

using namespace std::chrono_literals;
using serf::MemberStatus;
using serf_test::Host;
using serf_test::form;
using serf_test::Net;

namespace {

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
    net.run_for(40s);  // gossip, and push/pull for anyone gossip missed
    for (std::size_t i = 0; i < 5; ++i) {
      CAPTURE(i);
      CHECK(count_user_events(net.host(i), "deploy") == 1);
    }
    CHECK(net.host(0).node->stats().at("event_time") == "2");
  }

  TEST_CASE("a node below protocol 3 advertises only its role tag") {
    Net net;
    net.add();
    net.add([](serf::Config& c) {
      c.protocol = 2;
      c.tags = {{"role", "web"}, {"dc", "x"}};
    });
    net.join(net.host(1), net.host(0));
    net.run_for(5s);
    const auto members = net.host(0).node->members();
    const auto it = std::find_if(members.begin(), members.end(),
                                 [](const serf::Member& m) { return m.name == "n2"; });
    REQUIRE(it != members.end());
    CHECK(it->tags == serf::Tags{{"role", "web"}});
  }

  TEST_CASE("a member whose meta is not a tag map is listed without tags") {
    Net net;
    Host& a = net.add();
    wire::Alive alive;
    alive.incarnation = 1;
    alive.node = "x";
    alive.addr = {10, 0, 0, 7};
    alive.port = 7946;
    alive.meta = {0xff, 0x81, 0xa4, 'r', 'o', 'l', 'e', 0x01};  // {"role": 1}
    alive.vsn = swim::Config{}.vsn;
    net.step(a, [&](serf::Node& n, util::Instant t, serf::Outbox& out) {
      n.on_packet(swim::Address{{10, 0, 0, 7}, 7946}, wire::encode(alive), t, out);
    });
    CHECK(net.status(a, "x") == MemberStatus::alive);
    for (const auto& m : a.node->members()) {
      if (m.name == "x") CHECK(m.tags.empty());
    }
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

  TEST_CASE("a stale leave intent about a running node is refuted with a join intent") {
    Net net;
    form(net, 3);
    const auto before = std::stoull(net.host(1).node->stats().at("member_time"));
    net.step(net.host(0), [](serf::Node& n, util::Instant t, serf::Outbox& out) {
      CHECK(n.force_leave("n2", false, t, out).ok());
    });
    net.run_for(5s);
    CHECK(net.count_seeing("n2", MemberStatus::alive) == 3);
    CHECK(std::stoull(net.host(1).node->stats().at("member_time")) > before);
    CHECK(net.host(1).node->leave_state() == serf::LeaveState::running);
  }

  TEST_CASE("a failed member is reaped after the reconnect timeout") {
    Net net;
    for (int i = 0; i < 3; ++i) {
      net.add([](serf::Config& c) { c.reconnect_timeout = 20s; });
    }
    net.join(net.host(1), net.host(0));
    net.join(net.host(2), net.host(0));
    net.run_for(5s);
    net.host(2).down = true;
    net.run_for(20s);
    REQUIRE(net.count_seeing("n3", MemberStatus::failed) == 2);
    net.run_for(30s);
    CHECK(net.count_seeing("n3", MemberStatus::none) == 2);
    CHECK(count_member_events(net.host(0), serf::MemberEventType::reap, "n3") == 1);
    CHECK(net.host(0).node->stats().at("failed") == "0");
    CHECK(net.host(0).node->stats().at("members") == "2");
  }

  TEST_CASE("a failed node that comes back is alive again") {
    Net net;
    form(net, 3);
    net.host(2).down = true;
    net.run_for(30s);
    REQUIRE(net.count_seeing("n3", MemberStatus::failed) == 2);
    net.host(2).down = false;
    net.run_for(60s);  // reconnect attempts (5 s) or n3's own probes bring it back
    CHECK(net.count_seeing("n3", MemberStatus::alive) == 3);
  }

  TEST_CASE("a late joiner gets past user events through push/pull unless it ignores old ones") {
    for (const bool ignore_old : {false, true}) {
      CAPTURE(ignore_old);
      Net net;
      form(net, 2);
      net.step(net.host(0), [](serf::Node& n, util::Instant t, serf::Outbox& out) {
        CHECK(n.user_event("old", util::as_bytes("x"), true, t, out).ok());
      });
      net.run_for(5s);
      Host& late = net.add();
      net.join(late, net.host(0), ignore_old);
      net.run_for(5s);
      CHECK(net.count_seeing("n3", MemberStatus::alive) == 3);
      CHECK(count_user_events(late, "old") == (ignore_old ? 0 : 1));
    }
  }

  TEST_CASE("stats report Serf's keys") {
    Net net;
    Host& a = net.add();
    const auto stats = a.node->stats();
    for (const char* key : {"members", "failed", "left", "health_score", "member_time",
                            "event_time", "query_time", "intent_queue", "event_queue",
                            "query_queue", "encrypted", "coordinate_resets"}) {
      CAPTURE(key);
      CHECK(stats.count(key) == 1);
    }
    CHECK(stats.at("encrypted") == "false");
  }

  TEST_CASE("a newcomer that takes an existing name loses the conflict vote and shuts down") {
    Net net;
    form(net, 3);
    Host& impostor = net.add([](serf::Config& c) { c.memberlist.name = "n2"; });
    net.join(impostor, net.host(0));
    net.run_for(20s);
    CHECK(impostor.shutdown);
    CHECK_FALSE(net.host(1).shutdown);
    for (std::size_t i = 0; i < 3; ++i) {
      for (const auto& m : net.host(i).node->members()) {
        if (m.name == "n2") CHECK(m.addr.ip == util::Bytes{127, 0, 0, 2});
      }
    }
  }

  TEST_CASE("probe acks carry coordinates that every node caches") {
    Net net;
    form(net, 3);
    const auto own = net.host(0).node->coordinate("n1");
    REQUIRE(own.has_value());
    CHECK(*own != serf::Coordinate{});  // it moved away from the fresh coordinate
    const auto other = net.host(0).node->coordinate("n2");
    REQUIRE(other.has_value());
    const auto rtt = serf::coordinate_distance(*own, *other);
    CHECK(rtt > 100us);
    CHECK(rtt < 20ms);
    CHECK_FALSE(net.host(0).node->coordinate("nobody").has_value());
  }

  TEST_CASE("restored clocks skip events up to the recorded event time") {
    Net net;
    form(net, 2);
    net.step(net.host(0), [](serf::Node& n, util::Instant t, serf::Outbox& out) {
      CHECK(n.user_event("seen-before", {}, true, t, out).ok());
    });
    net.run_for(5s);
    Host& restarted = net.add();
    restarted.node->restore_clocks(5, 1, 1);
    CHECK(restarted.node->stats().at("member_time") == "6");
    CHECK(restarted.node->stats().at("event_time") == "2");
    net.join(restarted, net.host(0));
    net.run_for(20s);
    CHECK(count_user_events(restarted, "seen-before") == 0);
    net.step(net.host(0), [](serf::Node& n, util::Instant t, serf::Outbox& out) {
      CHECK(n.user_event("new", {}, true, t, out).ok());
    });
    net.run_for(20s);
    CHECK(count_user_events(restarted, "new") == 1);
  }

  TEST_CASE("broadcast queues beyond max_queue_depth are pruned at the queue check") {
    Net net;
    Host& a = net.add([](serf::Config& c) {
      c.max_queue_depth = 3;
      c.queue_check_interval = 10s;
    });
    for (int i = 0; i < 10; ++i) {
      net.step(a, [&](serf::Node& n, util::Instant t, serf::Outbox& out) {
        CHECK(n.user_event("e" + std::to_string(i), {}, true, t, out).ok());
      });
    }
    CHECK(a.node->stats().at("event_queue") == "10");  // alone: nobody to gossip to
    net.run_for(11s);
    CHECK(a.node->stats().at("event_queue") == "3");
  }
}
