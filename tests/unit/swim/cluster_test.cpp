// Small clusters of swim::Cores on MiniNet: join, failure detection, graceful leave, within the
// bounds memberlist's formulas give (gossip-wire.md §7).
#include <doctest/doctest.h>

#include "mini_net.h"

using namespace swim_test;
using swim::State;

namespace {

// Every scenario runs under several seeds: the bounds must hold for any probe order.
constexpr std::uint64_t seeds[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

void join_all(MiniNet& net, const std::vector<std::string>& names) {
  for (std::size_t i = 1; i < names.size(); ++i) net.join(names[i], {net.host(names[0]).addr});
}

}  // namespace

TEST_SUITE("swim.cluster") {
  TEST_CASE("three nodes that join one seed all see each other alive") {
    for (const std::uint64_t seed : seeds) {
      CAPTURE(seed);
      MiniNet net(seed * 100 + 11);
      for (const char* n : {"n1", "n2", "n3"}) net.add(n);
      join_all(net, {"n1", "n2", "n3"});
      const bool converged = net.run_until([&] { return net.all_alive(); }, 5s);
      if (!converged) net.dump_logs();
      CHECK(converged);
      REQUIRE(net.host("n2").joins.size() == 1);
      CHECK(net.host("n2").joins[0].joined == 1);
      CHECK(net.host("n2").joins[0].errors.empty());
      CHECK(net.core("n1").num_alive() == 3);
    }
  }

  TEST_CASE("one seed run twice gives the same trace, another seed a different one") {
    auto run = [](std::uint64_t seed) {
      MiniNet net(seed);
      for (const char* n : {"n1", "n2", "n3", "n4"}) net.add(n);
      join_all(net, {"n1", "n2", "n3", "n4"});
      net.run_for(20s);
      net.crash("n4");
      net.run_for(20s);
      return net.trace_hash();
    };
    CHECK(run(42) == run(42));
    CHECK(run(42) != run(43));
  }

  TEST_CASE("a cluster stays healthy with nobody suspected") {
    for (const std::uint64_t seed : seeds) {
      CAPTURE(seed);
      MiniNet net(seed * 100 + 12);
      for (const char* n : {"n1", "n2", "n3", "n4"}) net.add(n);
      join_all(net, {"n1", "n2", "n3", "n4"});
      net.run_for(60s);
      CHECK(net.all_alive());
      for (const char* n : {"n1", "n2", "n3", "n4"}) {
        CAPTURE(n);
        CHECK(net.core(n).health_score() == 0);
        CHECK_FALSE(net.host(n).log.contains("Suspect"));
      }
    }
  }

  TEST_CASE("a crashed node is suspected and then declared dead by the others") {
    // 3 nodes: min suspicion 4 s and no confirmations expected (n - 2 < 2).
    for (const std::uint64_t seed : seeds) {
      CAPTURE(seed);
      MiniNet net(seed * 100 + 13);
      for (const char* n : {"n1", "n2", "n3"}) net.add(n);
      join_all(net, {"n1", "n2", "n3"});
      REQUIRE(net.run_until([&] { return net.all_alive(); }, 5s));
      net.run_for(3s);
      net.crash("n3");
      const util::Instant crashed = net.now();
      // Each survivor probes n3 within two probe rounds and suspects it at the interval's end.
      CHECK(net.run_until(
          [&] {
            auto* a = net.view("n1", "n3");
            auto* b = net.view("n2", "n3");
            return a->state != State::alive && b->state != State::alive;
          },
          4s));
      CHECK(net.now() - crashed >= 1s);
      // Dead no earlier than the 4 s suspicion timeout, and within probe + suspicion bounds.
      const bool dead = net.run_until([&] { return net.all_see("n3", State::dead); }, 10s);
      if (!dead) net.dump_logs();
      CHECK(dead);
      CHECK(net.now() - crashed >= 5s);
      CHECK(net.now() - crashed <= 11s);
      CHECK((net.host("n1").log.contains("Marking n3 as failed, suspect timeout reached") ||
             net.host("n2").log.contains("Marking n3 as failed, suspect timeout reached")));
    }
  }

  TEST_CASE("five nodes agree on a failure within the maximum suspicion time") {
    // 5 nodes: k = 2 confirmations, min 4 s, max 24 s.
    for (const std::uint64_t seed : seeds) {
      CAPTURE(seed);
      MiniNet net(seed * 100 + 14);
      const std::vector<std::string> names = {"n1", "n2", "n3", "n4", "n5"};
      for (const auto& n : names) net.add(n);
      join_all(net, names);
      REQUIRE(net.run_until([&] { return net.all_alive(); }, 10s));
      net.crash("n5");
      const util::Instant crashed = net.now();
      const bool dead = net.run_until([&] { return net.all_see("n5", State::dead); }, 30s);
      if (!dead) net.dump_logs();
      CHECK(dead);
      CHECK(net.now() - crashed >= 4s);
      CHECK(net.all_see("n1", State::alive));
    }
  }

  TEST_CASE("a node unreachable from one peer only stays alive through indirect probes") {
    for (const std::uint64_t seed : seeds) {
      CAPTURE(seed);
      MiniNet net(seed * 100 + 18);
      const std::vector<std::string> names = {"n1", "n2", "n3", "n4"};
      for (const auto& n : names) {
        net.add(n, [](swim::Config& c) { c.disable_tcp_pings = true; });
      }
      join_all(net, names);
      REQUIRE(net.run_until([&] { return net.all_alive(); }, 10s));
      net.set_drop([](const Host& from, const Host& to) {
        return (from.name == "n1" && to.name == "n2") || (from.name == "n2" && to.name == "n1");
      });
      net.run_for(60s);
      CHECK(net.all_alive());
      CHECK(net.host("n1").log.contains("Failed ping: n2 (timeout reached)"));
      CHECK_FALSE(net.host("n1").log.contains("Suspect n2 has failed"));
    }
  }

  TEST_CASE("graceful leave is seen as left everywhere") {
    for (const std::uint64_t seed : seeds) {
      CAPTURE(seed);
      MiniNet net(seed * 100 + 15);
      const std::vector<std::string> names = {"n1", "n2", "n3", "n4"};
      for (const auto& n : names) net.add(n);
      join_all(net, names);
      REQUIRE(net.run_until([&] { return net.all_alive(); }, 10s));
      net.leave("n3");
      const bool done = net.run_until([&] { return net.core("n3").leave_done(); }, 5s);
      CHECK(done);
      net.crash("n3");  // the process exits after leaving
      const bool left = net.run_until([&] { return net.all_see("n3", State::left); }, 5s);
      if (!left) net.dump_logs();
      CHECK(left);
      net.run_for(10s);
      CHECK(net.all_see("n3", State::left));  // never "dead": nobody suspects a left node
    }
  }

  TEST_CASE("a left node vanishes from the member lists after the gossip-to-the-dead time") {
    for (const std::uint64_t seed : seeds) {
      CAPTURE(seed);
      MiniNet net(seed * 100 + 16);
      const std::vector<std::string> names = {"n1", "n2", "n3"};
      for (const auto& n : names) net.add(n);
      join_all(net, names);
      REQUIRE(net.run_until([&] { return net.all_alive(); }, 10s));
      net.leave("n3");
      net.run_for(2s);
      net.crash("n3");
      net.run_for(40s);
      CHECK(net.view("n1", "n3") == nullptr);
      CHECK(net.view("n2", "n3") == nullptr);
      CHECK(net.core("n1").nodes().size() == 2);
    }
  }

  TEST_CASE("fifty nodes converge and all detect a crashed one") {
    MiniNet net(19);
    std::vector<std::string> names;
    for (int i = 1; i <= 50; ++i) names.push_back("n" + std::to_string(i));
    for (const auto& n : names) net.add(n);
    join_all(net, names);
    CHECK(net.run_until([&] { return net.all_alive(); }, 30s));
    net.crash("n50");
    // n = 50: min = 4 * log10(50) s = 6.792 s, max 40.752 s; confirmations pull it to min.
    const util::Instant crashed = net.now();
    CHECK(net.run_until([&] { return net.all_see("n50", State::dead); }, 60s));
    CHECK(net.now() - crashed >= std::chrono::milliseconds(6792));
    CHECK(net.now() - crashed <= 20s);  // confirmations bring it well below the 40.8 s max
    CHECK(net.all_see("n1", State::alive));
  }

  TEST_CASE("a restarted node refutes its old death and is alive again") {
    for (const std::uint64_t seed : seeds) {
      CAPTURE(seed);
      MiniNet net(seed * 100 + 17);
      const std::vector<std::string> names = {"n1", "n2", "n3"};
      for (const auto& n : names) net.add(n);
      join_all(net, names);
      REQUIRE(net.run_until([&] { return net.all_alive(); }, 10s));
      net.crash("n3");
      REQUIRE(net.run_until([&] { return net.all_see("n3", State::dead); }, 15s));
      // Partitioned, not crashed: n3 comes back and is heard again.
      net.host("n3").up = true;
      const bool back = net.run_until([&] { return net.all_alive(); }, 60s);
      if (!back) net.dump_logs();
      CHECK(back);
    }
  }
}
