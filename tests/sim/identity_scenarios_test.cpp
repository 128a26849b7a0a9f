// Scenarios about a node's identity in the deterministic simulator: forged accusations with
// outrageous incarnations (swim/incarnation.h). Each prints its seed.
#include <doctest/doctest.h>

#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>

#include "sim_cluster.h"
#include "wire/codec.h"

using namespace std::chrono_literals;
using serf::MemberStatus;

namespace {

constexpr std::uint32_t top_incarnation = 0xFFFFFFFF;
const swim::Address mallory{{198, 18, 250, 250}, 7946};  // not a member: the forger

// Watches every datagram the members send and checks that what each says about `subject`
// (the incarnation of its alive, suspect and dead messages) never goes down: a node's
// knowledge of an incarnation only grows, and a refutation never wraps to 0. Sends are seen in
// the order each node made them (before the network reorders them).
class IncarnationWatch {
 public:
  IncarnationWatch(sim::Cluster& c, std::string subject) : subject_(std::move(subject)) {
    c.packet_tap = [this](const sim::Host& from, const sim::Host&, util::ByteView bytes) {
      auto decoded = wire::decode_packet(bytes);
      if (!decoded.ok()) return;
      for (const auto& m : decoded->messages) std::visit([&](const auto& v) { see(from, v); }, m);
    };
  }
  [[nodiscard]] int decreases() const { return decreases_; }
  [[nodiscard]] std::uint32_t highest() const { return highest_; }

 private:
  template <typename M>
  void see(const sim::Host& from, const M& m) {
    if constexpr (std::is_same_v<M, wire::Alive> || std::is_same_v<M, wire::Suspect> ||
                  std::is_same_v<M, wire::Dead>) {
      if (m.node != subject_) return;
      // Incarnations start at 1, so even a sender's first word about `subject` is checked.
      auto [it, fresh] = last_.try_emplace(from.name, 1);
      if (m.incarnation < it->second) ++decreases_;
      it->second = std::max(it->second, m.incarnation);
      highest_ = std::max(highest_, m.incarnation);
    }
  }

  std::string subject_;
  std::map<std::string, std::uint32_t> last_;  // per sender
  int decreases_ = 0;
  std::uint32_t highest_ = 0;
};

// A datagram from outside the cluster, as an attacker without the key would send it.
void forge(sim::Cluster& c, const std::string& to, const wire::Dead& dead) {
  const util::Bytes bytes = wire::frame_packet(wire::encode(dead), {});
  c.step_for_test(to, [&](serf::Node& n, util::Instant t, serf::Outbox& out) {
    n.on_packet(mallory, bytes, t, out);
  });
}

// Runs in 100 ms steps for `span`; returns how long `about` was not alive on every other
// running node, counted from the start (0 if it always was).
util::Duration time_until_alive_everywhere(sim::Cluster& c, const std::string& about,
                                           util::Duration span) {
  const util::Instant start = c.now();
  util::Instant last_bad = start;
  const int others = static_cast<int>(c.size()) - 1;
  for (util::Instant end = start + span; c.now() < end;) {
    if (c.nodes_seeing(about, MemberStatus::alive) != others) last_bad = c.now() + 100ms;
    c.run_for(100ms);
  }
  return last_bad - start;
}

// Running nodes other than `about` itself that list `about` alive at `addr`.
int nodes_seeing_alive_at(sim::Cluster& c, const std::string& about, const swim::Address& addr) {
  int n = 0;
  for (std::size_t i = 0; i < c.size(); ++i) {
    sim::Host& h = c.host(i);
    if (h.crashed || h.shutdown || h.name == about) continue;
    for (const auto& m : h.node->members()) {
      n += m.name == about && m.status == MemberStatus::alive && m.addr == addr ? 1 : 0;
    }
  }
  return n;
}

// Runs in 100 ms steps until `done` holds or `limit` passes; returns the time it took, or
// nullopt.
template <typename F>
std::optional<util::Duration> time_until(sim::Cluster& c, util::Duration limit, F&& done) {
  const util::Instant start = c.now();
  while (c.now() - start <= limit) {
    if (done()) return c.now() - start;
    c.run_for(100ms);
  }
  return std::nullopt;
}

// A converged cluster of ten (LAN timings, 2 % loss) in which `name` has crashed and every
// other node lists it failed.
void crash_until_failed(sim::Cluster& c, const std::string& name) {
  c.join_all();
  REQUIRE(c.run_until_converged(30s));
  c.crash(name);
  REQUIRE(time_until(c, 60s, [&] {
            return c.nodes_seeing(name, MemberStatus::failed) == 9;
          }).has_value());
}

}  // namespace

// Ten converged nodes with 2 % loss, and from then on a watch on what they say about n3, the
// victim (from the start it would see n3's first alive and a refutation of the join phase,
// which travel under different broadcast keys, in either order).
struct ForgeryScene {
  explicit ForgeryScene(std::uint64_t seed) : c({.nodes = 10, .seed = seed, .loss = 0.02}) {
    c.join_all();
    converged = c.run_until_converged(30s);
    watch.emplace(c, "n3");
  }
  sim::Cluster c;
  bool converged = false;
  std::optional<IncarnationWatch> watch;
};

TEST_SUITE("sim.identity") {
  TEST_CASE("a forged dead at incarnation 0xFFFFFFFF never excludes its victim") {
    ForgeryScene s(0xdead1);
    INFO("seed=", s.c.seed());
    REQUIRE(s.converged);
    for (const char* to : {"n1", "n5", "n3"}) {
      forge(s.c, to, wire::Dead{top_incarnation, "n3", "mallory"});
    }
    CHECK(time_until_alive_everywhere(s.c, "n3", 60s) == util::Duration::zero());
    CHECK(s.watch->decreases() == 0);
    CHECK(s.watch->highest() < 1000);  // nobody was moved anywhere near the top
    CHECK(s.c.violations().empty());
  }

  TEST_CASE("a forged dead inside the window is refuted and alive everywhere within 5 s") {
    ForgeryScene s(0xdead2);
    INFO("seed=", s.c.seed());
    REQUIRE(s.converged);
    for (const char* to : {"n1", "n5"}) forge(s.c, to, wire::Dead{40000, "n3", "mallory"});
    const util::Duration excluded = time_until_alive_everywhere(s.c, "n3", 30s);
    CHECK(excluded > util::Duration::zero());  // some believed it: within the window
    CHECK(excluded <= 5s);
    CHECK(s.c.converged());
    CHECK(s.watch->decreases() == 0);
    CHECK(s.watch->highest() == 40001);  // the refutation: one above the accusation
    CHECK(s.c.violations().empty());
  }

  TEST_CASE("a node restarted at a new address under its name is alive there within 5 s") {
    for (std::uint64_t seed = 1; seed <= 4; ++seed) {
      sim::Cluster c({.nodes = 10, .seed = 0x3e57a47 + seed, .loss = 0.02, .lan_profile = true});
      INFO("seed=", c.seed());
      crash_until_failed(c, "n3");
      const swim::Address moved{{198, 18, 100, 3}, 7946};
      c.restart_at("n3", moved, "n1");
      const auto healed =
          time_until(c, 120s, [&] { return nodes_seeing_alive_at(c, "n3", moved) == 9; });
      REQUIRE(healed.has_value());
      CHECK(*healed <= 5s);
      CHECK_FALSE(c.host("n3").shutdown);
      CHECK(c.run_until_converged(10s));
      CHECK(c.violations().empty());
    }
  }

  // The restart rule gives way only to a dead record: a live node keeps its address, and the
  // claimer, told of the conflict in its join, loses Serf's vote and shuts down.
  TEST_CASE("a second process claiming a live node's name elsewhere loses and changes nothing") {
    for (std::uint64_t seed = 1; seed <= 4; ++seed) {
      sim::Cluster c({.nodes = 10, .seed = 0xc1a1 + seed, .loss = 0.02, .lan_profile = true});
      INFO("seed=", c.seed());
      const swim::Address original = c.host("n4").addr;
      crash_until_failed(c, "n10");  // its place hosts the claimer
      c.restart_at("n10", swim::Address{{198, 18, 100, 4}, 7946}, "n1", "n4");
      const sim::Host& claimer = c.host(9);
      const int others = 8;  // n1..n9 but n4 itself
      int moved = 0;
      const auto lost = time_until(c, 30s, [&] {
        moved += nodes_seeing_alive_at(c, "n4", original) != others ? 1 : 0;
        return claimer.shutdown;
      });
      CHECK(lost.has_value());
      CHECK(moved == 0);
      c.run_for(30s);
      CHECK(nodes_seeing_alive_at(c, "n4", original) == others);
      CHECK(c.violations().empty());
    }
  }
}
