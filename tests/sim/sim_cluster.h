// The deterministic cluster simulator (ARCHITECTURE §9): many serf::Nodes in one process, a
// virtual clock, one event heap ordered by (time, seq) and a network with per-link delay
// (minimum + exponential, so packets reorder), loss, duplication and partitions. Datagrams and
// streams travel as the bytes the nodes produced, through the real codec. One seed is split
// with Rng::fork into one stream per node plus one for the network. Every delivered event is
// folded into a trace hash: the same seed must give the same hash.
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <queue>
#include <string>
#include <vector>

#include "serf/node.h"
#include "util/log.h"
#include "util/rng.h"

namespace sim {

using namespace std::chrono_literals;

struct Options {
  int nodes = 3;
  std::uint64_t seed = 1;
  double loss = 0.0;          // per datagram
  double duplicate = 0.0;     // per datagram
  util::Duration min_delay = 200us;
  util::Duration mean_extra_delay = 300us;  // exponential on top of min_delay
  bool lan_profile = false;   // swim::Config::lan() instead of local()
};

struct Host {
  std::string name;
  swim::Address addr;
  std::unique_ptr<serf::Node> node;
  bool crashed = false;    // stopped without a leave
  bool shutdown = false;   // the node asked to exit (left, or lost a conflict vote)
  int group = 0;           // partitions: hosts talk only within their group
  util::Instant scheduled = util::instant_max();  // deadline queued in the heap
  std::vector<serf::Event> events;
  std::uint64_t member_time = 0, event_time = 0, query_time = 0;  // last seen clocks
};

class Cluster {
 public:
  explicit Cluster(Options o);

  [[nodiscard]] std::uint64_t seed() const { return opts_.seed; }
  [[nodiscard]] util::Instant now() const { return now_; }
  [[nodiscard]] std::uint64_t trace_hash() const { return hash_; }
  // Invariant violations found after every step: Lamport clocks went backwards, or a running
  // node saw itself other than alive. Empty when all is well.
  [[nodiscard]] const std::vector<std::string>& violations() const { return violations_; }
  [[nodiscard]] std::size_t size() const { return hosts_.size(); }
  Host& host(std::size_t i) { return *hosts_.at(i); }
  Host& host(const std::string& name);

  // Every node joins through n1 (staggered by 10 ms each).
  void join_all();
  void run_for(util::Duration d);
  // Runs until every running node sees every other running node alive (and the others as
  // not alive), or `limit` passes. Returns whether it converged.
  bool run_until_converged(util::Duration limit);
  [[nodiscard]] bool converged();

  // The process dies without a word (no leave): its timers stop, packets to it vanish.
  void crash(const std::string& name);
  // A new process with fresh state in a crashed node's place, at another address, joined
  // through `seed`: the same node restarted elsewhere (a container), or with `as`, another
  // node under that name (which then shares its name with a host: look it up by index).
  // Packets to the old address vanish from now on.
  void restart_at(const std::string& crashed, const swim::Address& addr, const std::string& seed,
                  const std::string& as = {});

  void isolate(const std::string& name);
  void heal();
  void leave(const std::string& name);
  // Runs fn(node, now, outbox) on the named host and routes what it produced.
  template <typename F>
  void step_for_test(const std::string& name, F&& fn) {
    for (std::size_t i = 0; i < hosts_.size(); ++i) {
      if (hosts_[i]->name == name) step(i, std::forward<F>(fn));
    }
  }

  // Called with every datagram a host sends to a host of the cluster, in the order it sent
  // them (scenarios decode them to check what nodes say, e.g. that incarnations only grow).
  std::function<void(const Host& from, const Host& to, util::ByteView bytes)> packet_tap;

  // Running hosts (not crashed, not shut down) that see `about` with status `s`.
  int nodes_seeing(const std::string& about, serf::MemberStatus s);
  // Member events of `type` about `about` seen by all running hosts together.
  int count_events(serf::MemberEventType type, const std::string& about);

 private:
  enum class Kind { tick, packet, stream_request, stream_reply };
  struct Event {
    util::Instant at;
    std::uint64_t seq;
    Kind kind;
    std::size_t from = 0, to = 0;
    util::Bytes bytes;
    std::uint64_t stream_id = 0;
    bool ok = true;
    bool expect_reply = true;
    friend bool operator>(const Event& a, const Event& b) {
      return a.at != b.at ? a.at > b.at : a.seq > b.seq;
    }
  };

  [[nodiscard]] bool running(const Host& h) const { return !h.crashed && !h.shutdown; }
  [[nodiscard]] serf::Config node_config(const std::string& name, const swim::Address& addr) const;
  [[nodiscard]] bool reachable(std::size_t a, std::size_t b) const;
  std::size_t index_of(const swim::Address& a) const;
  util::Duration link_delay();
  void push(Event e);
  void schedule(std::size_t i);
  void route(std::size_t i, serf::Outbox& out);
  void deliver(Event& e);
  void fold(std::uint64_t v);
  void check(std::size_t i);
  template <typename F>
  void step(std::size_t i, F&& fn) {
    serf::Outbox out;
    fn(*hosts_[i]->node, now_, out);
    route(i, out);
    check(i);
  }

  Options opts_;
  util::Rng net_rng_;
  util::NullLogger log_;
  util::Instant now_ = util::instant_from_us(1'000'000'000);
  std::vector<std::unique_ptr<Host>> hosts_;
  std::map<swim::Address, std::size_t> by_addr_;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> heap_;
  std::uint64_t seq_ = 0;
  std::uint64_t next_inbound_ = 0;
  std::uint64_t hash_ = 1469598103934665603ull;
  std::vector<std::string> violations_;
};

}  // namespace sim
