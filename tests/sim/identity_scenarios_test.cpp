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
}
