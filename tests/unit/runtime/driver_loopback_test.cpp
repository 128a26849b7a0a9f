// runtime::Driver against real sockets: two drivers on 127.0.0.1 (port 0) in one loop join by
// push-pull, gossip a user event and leave; every test ends by closing the drivers and
// requiring the loop to close cleanly (ARCHITECTURE §7.7). No sleeps: each wait is bounded
// by a guard timer and ends as soon as its condition holds.
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "driver_peer.h"
#include "test_loop.h"

using namespace std::chrono_literals;
using runtime_test::Peer;
using runtime_test::TestLoop;

namespace {

// Drivers a and b in one loop.
struct TwoDrivers {
  TestLoop loop;
  std::unique_ptr<Peer> a = Peer::start(loop.get(), "a");
  std::unique_ptr<Peer> b = Peer::start(loop.get(), "b");

  [[nodiscard]] bool started() const { return a && b; }
  // b joins a; true once a lists b alive.
  bool join_b_to_a() {
    b->driver->join({a->address()}, false, [](const swim::JoinResult&) {});
    return loop.run_until([&] { return a->sees("b", serf::MemberStatus::alive); }, 10s);
  }
  // Closes both drivers; true when the loop then closes cleanly.
  bool close() {
    a->driver->close();
    b->driver->close();
    return loop.close();
  }
};

}  // namespace

TEST_SUITE("runtime.driver") {
  TEST_CASE("a driver binds port 0 on loopback and the loop closes cleanly after close()") {
    TestLoop loop;
    auto a = Peer::start(loop.get(), "a");
    REQUIRE(a);
    CHECK(a->driver->bound_port() != 0);
    a->driver->close();
    CHECK(loop.close());
  }

  TEST_CASE("two drivers join by push-pull and each lists the other alive") {
    TwoDrivers t;
    REQUIRE(t.started());
    int joined = -1;
    t.b->driver->join({t.a->address()}, false, [&](const swim::JoinResult& r) { joined = r.joined; });
    CHECK(t.loop.run_until([&] { return joined >= 0; }, 10s));
    CHECK(joined == 1);
    CHECK(t.loop.run_until([&] { return t.a->sees("b", serf::MemberStatus::alive) &&
                                        t.b->sees("a", serf::MemberStatus::alive); }, 10s));
    CHECK(t.a->driver->counters().streams_accepted >= 1);
    CHECK(t.b->driver->counters().streams_opened >= 1);
    CHECK(t.close());
  }

  TEST_CASE("a user event sent by one driver reaches the other") {
    TwoDrivers t;
    REQUIRE(t.started());
    REQUIRE(t.join_b_to_a());
    const util::Bytes payload{'v', '4', '2'};
    REQUIRE(t.a->driver->user_event("deploy", payload, false).ok());
    CHECK(t.loop.run_until([&] { return t.b->user_event("deploy") != nullptr; }, 10s));
    if (auto* e = t.b->user_event("deploy")) CHECK(e->payload == payload);
    CHECK(t.b->driver->counters().udp_packets_received > 0);
    CHECK(t.close());
  }

  TEST_CASE("a driver that leaves is seen as left by the other, and its leave completes") {
    TwoDrivers t;
    REQUIRE(t.started());
    REQUIRE(t.join_b_to_a());
    bool left = false;
    t.b->driver->leave([&] { left = true; });
    CHECK(t.loop.run_until([&] { return left && t.a->sees("b", serf::MemberStatus::left); }, 15s));
    CHECK(t.close());
  }

  TEST_CASE("drivers closed from inside a join event, mid stream callback, close cleanly") {
    // a hears of b while it handles b's push-pull (inside the inbound connection's read
    // callback), b hears of a while it handles the reply (inside the outbound one's): each
    // closes its driver right there. Their connections are retired, released once the
    // callback has returned, and the loop closes with nothing left.
    TwoDrivers t;
    REQUIRE(t.started());
    int closed_in_event = 0;
    auto close_on_join_of = [&](Peer& self, const std::string& other) {
      self.on_event = [&self, &closed_in_event, other](const serf::Event& e) {
        auto* m = std::get_if<serf::MemberEvent>(&e);
        if (!m || m->members.empty() || m->members.front().name != other) return;
        self.driver->close();
        ++closed_in_event;
      };
    };
    close_on_join_of(*t.a, "b");
    close_on_join_of(*t.b, "a");
    t.b->driver->join({t.a->address()}, false, [](const swim::JoinResult&) {});
    CHECK(t.loop.run_until([&] { return closed_in_event == 2; }, 10s));
    CHECK(t.a->driver->inbound_streams() + t.b->driver->outbound_streams() == 0);
    CHECK(t.close());
  }

  TEST_CASE("a join to a port where nobody listens fails and leaves nothing open") {
    TwoDrivers t;
    REQUIRE(t.started());
    const swim::Address nobody = t.b->address();
    t.b->driver->close();  // its port is free again (and nothing listens on it)
    int joined = -1;
    std::vector<std::string> errors;
    t.a->driver->join({nobody}, false, [&](const swim::JoinResult& r) {
      joined = r.joined;
      errors = r.errors;
    });
    CHECK(t.loop.run_until([&] { return joined >= 0; }, 15s));
    CHECK(joined == 0);
    CHECK(errors.size() == 1);
    CHECK(t.a->driver->counters().stream_errors >= 1);
    CHECK(t.a->driver->outbound_streams() == 0);
    CHECK(t.close());
  }
}
