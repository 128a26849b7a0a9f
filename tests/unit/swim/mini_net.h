// MiniNet: several swim::Cores wired together in virtual time, for cluster-level unit tests.
// One event queue ordered by (time, sequence) carries datagrams and stream exchanges between
// hosts; each host's own deadline (Core::next_deadline) competes with it, so a run is fully
// deterministic for a seed. Bytes travel exactly as the Core framed them (through the real
// codec). Faults so far: crashed hosts and a per-link drop filter; the sim layer (tests/sim)
// can grow latency jitter, loss and partitions from here.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <queue>
#include <string>
#include <vector>

#include "swim/core.h"
#include "test_support.h"

namespace swim_test {

struct Host {
  explicit Host(std::string n) : name(std::move(n)), log(name + " ") {}
  std::string name;
  swim::Address addr;
  RecordingDelegate delegate;
  LineLogger log;
  std::unique_ptr<swim::Core> core;
  bool up = true;
  std::vector<swim::JoinResult> joins;
};

class MiniNet {
 public:
  explicit MiniNet(std::uint64_t seed = 1, util::Duration latency = 1ms)
      : rng_(seed), latency_(latency) {}

  // Hosts get 10.0.0.1, 10.0.0.2, ... in the order they are added.
  Host& add(const std::string& name, std::function<void(swim::Config&)> tweak = {}) {
    auto h = std::make_unique<Host>(name);
    h->addr = addr(static_cast<int>(hosts_.size()) + 1);
    swim::Config cfg = config(name, h->addr);
    if (tweak) tweak(cfg);
    h->core = std::make_unique<swim::Core>(cfg, h->delegate, h->log, rng_.fork(), now_);
    hosts_.push_back(std::move(h));
    return *hosts_.back();
  }

  Host& host(const std::string& name) {
    for (auto& h : hosts_) {
      if (h->name == name) return *h;
    }
    FAIL("no host " << name);
    throw;  // unreachable
  }
  swim::Core& core(const std::string& name) { return *host(name).core; }
  [[nodiscard]] util::Instant now() const { return now_; }

  void join(const std::string& name, const std::vector<swim::Address>& seeds) {
    Host& h = host(name);
    swim::Outbox out;
    h.core->join(seeds, now_, out);
    drain(h, out);
  }
  void leave(const std::string& name) {
    Host& h = host(name);
    swim::Outbox out;
    h.core->leave(now_, out);
    drain(h, out);
  }
  // The process is gone: no timers, packets to it vanish, streams are refused.
  void crash(const std::string& name) { host(name).up = false; }
  // Drop every datagram for which `drop(from, to)` says so (streams still go through).
  void set_drop(std::function<bool(const Host&, const Host&)> drop) { drop_ = std::move(drop); }

  void run_until(util::Instant t) {
    while (step(t)) {
    }
    now_ = t;
  }
  void run_for(util::Duration d) { run_until(now_ + d); }
  // Runs until `done` holds (checked after every step) or `limit` passes; true if it held.
  bool run_until(const std::function<bool()>& done, util::Duration limit) {
    const util::Instant end = now_ + limit;
    while (!done()) {
      if (!step(end)) {
        now_ = end;
        return done();
      }
    }
    return true;
  }

  // The state `observer` has for `subject`, if it knows it.
  const swim::Node* view(const std::string& observer, const std::string& subject) {
    return core(observer).find(subject);
  }
  bool all_see(const std::string& subject, swim::State state) {
    for (auto& h : hosts_) {
      if (!h->up || h->name == subject) continue;
      const swim::Node* n = h->core->find(subject);
      if (n == nullptr || n->state != state) return false;
    }
    return true;
  }
  bool all_alive() {
    for (auto& h : hosts_) {
      if (!h->up) continue;
      for (auto& other : hosts_) {
        if (!other->up) continue;
        const swim::Node* n = h->core->find(other->name);
        if (n == nullptr || n->state != swim::State::alive) return false;
      }
    }
    return true;
  }
  // FNV-1a over every delivered datagram (time, receiver, bytes): equal for equal runs.
  [[nodiscard]] std::uint64_t trace_hash() const { return trace_; }
  void dump_logs() {
    for (auto& h : hosts_) {
      for (auto& l : h->log.lines) MESSAGE(l);
    }
  }

 private:
  struct Event {
    util::Instant at;
    std::uint64_t seq;
    std::function<void()> fn;
  };
  struct Later {
    bool operator()(const Event& a, const Event& b) const {
      return a.at != b.at ? a.at > b.at : a.seq > b.seq;
    }
  };
  struct Inbound {
    Host* initiator;
    swim::StreamId call;
  };

  void mix(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) {
      trace_ ^= (v >> (8 * i)) & 0xff;
      trace_ *= 0x100000001b3ULL;
    }
  }

  void schedule(util::Duration after, std::function<void()> fn) {
    events_.push(Event{now_ + after, ++seq_, std::move(fn)});
  }

  Host* by_addr(const swim::Address& a) {
    for (auto& h : hosts_) {
      if (h->addr == a) return h.get();
    }
    return nullptr;
  }

  // One event or one host deadline, whichever is first (hosts first on ties, in order added).
  bool step(util::Instant limit) {
    Host* next_host = nullptr;
    util::Instant t_host = util::instant_max();
    for (auto& h : hosts_) {
      if (h->up && h->core->next_deadline() < t_host) {
        t_host = h->core->next_deadline();
        next_host = h.get();
      }
    }
    const util::Instant t_event = events_.empty() ? util::instant_max() : events_.top().at;
    const util::Instant t = std::min(t_host, t_event);
    if (t > limit || t == util::instant_max()) return false;
    now_ = t;
    if (next_host != nullptr && t_host <= t_event) {
      swim::Outbox out;
      next_host->core->on_tick(now_, out);
      drain(*next_host, out);
    } else {
      auto fn = events_.top().fn;
      events_.pop();
      fn();
    }
    return true;
  }

  void drain(Host& from, swim::Outbox& out) {
    for (auto& d : out.packets) send_packet(from, std::move(d));
    for (auto& s : out.streams) open_stream(from, std::move(s));
    for (auto& r : out.stream_replies) reply_stream(std::move(r));
    for (auto& j : out.joins) from.joins.push_back(std::move(j));
  }

  void send_packet(Host& from, swim::Datagram d) {
    Host* to = by_addr(d.to);
    if (to == nullptr || (drop_ && drop_(from, *to))) return;
    schedule(latency_, [this, &from, to, bytes = std::move(d.bytes)] {
      if (!to->up) return;
      mix(static_cast<std::uint64_t>(util::to_us(now_)));
      mix(to->addr.ip.back());
      for (auto b : bytes) mix(b);
      swim::Outbox o;
      to->core->on_packet(from.addr, bytes, now_, o);
      drain(*to, o);
    });
  }

  void open_stream(Host& from, swim::StreamCall call) {
    schedule(latency_, [this, &from, call = std::move(call)] {
      Host* to = by_addr(call.to);
      if (to == nullptr || !to->up) {
        const std::string err = "dial tcp " + swim::to_string(call.to) +
                                ": connect: connection refused";
        schedule(latency_, [this, &from, id = call.id, err] {
          if (!from.up) return;
          swim::Outbox o;
          from.core->on_stream_reply(id, util::Error{util::Errc::io, err}, now_, o);
          drain(from, o);
        });
        return;
      }
      const swim::StreamId inbound = ++next_inbound_;
      inbound_[inbound] = Inbound{&from, call.id};
      swim::Outbox o;
      to->core->on_stream_request(inbound, swim::Address{from.addr.ip, 0}, call.request, now_, o);
      drain(*to, o);
    });
  }

  void reply_stream(swim::StreamReply r) {
    auto it = inbound_.find(r.id);
    if (it == inbound_.end()) return;
    const Inbound in = it->second;
    inbound_.erase(it);
    schedule(latency_, [this, in, bytes = std::move(r.bytes)] {
      if (!in.initiator->up) return;
      swim::Outbox o;
      if (bytes.empty()) {
        in.initiator->core->on_stream_reply(in.call, util::Error{util::Errc::io, "EOF"}, now_, o);
      } else {
        in.initiator->core->on_stream_reply(in.call, bytes, now_, o);
      }
      drain(*in.initiator, o);
    });
  }

  util::Rng rng_;
  util::Duration latency_;
  util::Instant now_ = util::instant_from_us(1'000'000);
  std::vector<std::unique_ptr<Host>> hosts_;
  std::priority_queue<Event, std::vector<Event>, Later> events_;
  std::uint64_t seq_ = 0;
  std::map<swim::StreamId, Inbound> inbound_;
  swim::StreamId next_inbound_ = 0;
  std::function<bool(const Host&, const Host&)> drop_;
  std::uint64_t trace_ = 0xcbf29ce484222325ULL;
};

}  // namespace swim_test
