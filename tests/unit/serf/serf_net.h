// A small in-test network of serf::Nodes in virtual time: datagrams and streams from each
// Outbox are delivered 1 ms later, node deadlines fire in time order, a host can be taken
// down (it neither sends, receives nor ticks). Bytes go through the real codec inside the
// nodes. Events and query replies are kept per host for the tests to inspect.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <queue>
#include <string>
#include <vector>

#include "serf/node.h"
#include "util/log.h"
#include "util/rng.h"

namespace serf_test {

using namespace std::chrono_literals;

struct Host {
  std::string name;
  swim::Address addr;
  std::unique_ptr<serf::Node> node;
  bool down = false;
  bool shutdown = false;
  std::vector<serf::Event> events;
  std::vector<serf::QueryReply> replies;
};

inline serf::Config test_config(const std::string& name, const swim::Address& addr) {
  serf::Config c;
  c.memberlist = swim::Config::local();
  c.memberlist.name = name;
  c.memberlist.advertise = addr;
  c.memberlist.retransmit_mult = 4;  // as on LAN: the local profile's 2 makes gossip patchy
  c.reap_interval = 1s;
  c.reconnect_interval = 5s;
  return c;
}

class Net {
 public:
  // SERF_NET_SEED overrides the seed (to check that tests do not depend on one).
  explicit Net(std::uint64_t seed = 1)
      : rng_(std::getenv("SERF_NET_SEED") ? std::strtoull(std::getenv("SERF_NET_SEED"), nullptr, 0)
                                         : seed) {}

  // Adds a node named n<i> at 127.0.0.<i>:7946.
  Host& add(std::function<void(serf::Config&)> tweak = {}) {
    const int i = static_cast<int>(hosts_.size()) + 1;
    auto h = std::make_unique<Host>();
    h->name = "n" + std::to_string(i);
    h->addr = swim::Address{{127, 0, 0, static_cast<std::uint8_t>(i)}, 7946};
    auto config = test_config(h->name, h->addr);
    if (tweak) tweak(config);
    logs_.push_back(std::make_unique<PrintLogger>(*this, h->name));
    h->node = std::make_unique<serf::Node>(config, *logs_.back(), rng_.fork(), now_);
    hosts_.push_back(std::move(h));
    return *hosts_.back();
  }

  Host& host(std::size_t i) { return *hosts_.at(i); }
  std::size_t size() const { return hosts_.size(); }
  util::Instant now() const { return now_; }

  // Runs fn on a host's node with a fresh Outbox and routes what it produced.
  template <typename F>
  void step(Host& h, F&& fn) {
    serf::Outbox out;
    fn(*h.node, now_, out);
    route(h, out);
  }

  void join(Host& h, const Host& seed, bool ignore_old = false) {
    step(h, [&](serf::Node& n, util::Instant t, serf::Outbox& out) {
      n.join(std::span<const swim::Address>(&seed.addr, 1), ignore_old, t, out);
    });
  }

  void run_for(util::Duration d) {
    const util::Instant until = now_ + d;
    std::uint64_t steps = 0;
    while (++steps < 50'000'000) {
      util::Instant next = until;
      Host* ticking = nullptr;
      for (auto& h : hosts_) {
        if (h->down || h->shutdown) continue;
        const auto t = h->node->next_deadline();
        if (t < next) {
          next = t;
          ticking = h.get();
        }
      }
      const bool msg_first = !queue_.empty() && queue_.top().at <= next;
      if (msg_first) {
        Delivery d = queue_.top();
        queue_.pop();
        now_ = std::max(now_, d.at);
        deliver(d);
        continue;
      }
      if (!ticking) break;
      now_ = std::max(now_, next);
      step(*ticking, [](serf::Node& n, util::Instant t, serf::Outbox& out) { n.on_tick(t, out); });
    }
    now_ = until;
  }

  // Status of `about` as seen by `viewer` (none when unknown).
  serf::MemberStatus status(Host& viewer, const std::string& about) {
    for (const auto& m : viewer.node->members()) {
      if (m.name == about) return m.status;
    }
    return serf::MemberStatus::none;
  }

  // Up hosts that see `about` in status `s`.
  int count_seeing(const std::string& about, serf::MemberStatus s) {
    int n = 0;
    for (auto& h : hosts_) {
      if (!h->down && !h->shutdown && status(*h, about) == s) ++n;
    }
    return n;
  }

 private:
  enum class Kind { packet, stream_request, stream_reply };
  struct Delivery {
    util::Instant at;
    std::uint64_t seq;
    Kind kind;
    swim::Address from, to;
    util::Bytes bytes;
    std::uint64_t stream_id = 0;  // caller's id
    bool ok = true;
    bool expect_reply = true;
    friend bool operator>(const Delivery& a, const Delivery& b) {
      return a.at != b.at ? a.at > b.at : a.seq > b.seq;
    }
  };

  Host* find(const swim::Address& a) {
    for (auto& h : hosts_) {
      if (h->addr == a) return h.get();
    }
    return nullptr;
  }

  void push(Delivery d) {
    d.at = now_ + 1ms;
    d.seq = ++seq_;
    queue_.push(std::move(d));
  }

  void route(Host& h, serf::Outbox& out) {
    for (auto& e : out.events) h.events.push_back(std::move(e));
    for (auto& r : out.query_replies) h.replies.push_back(std::move(r));
    if (out.shutdown) h.shutdown = true;
    for (auto& p : out.swim.packets) {
      push(Delivery{{}, 0, Kind::packet, h.addr, p.to, std::move(p.bytes)});
    }
    for (auto& s : out.swim.streams) {
      Delivery d{{}, 0, Kind::stream_request, h.addr, s.to, std::move(s.request)};
      d.stream_id = s.id;
      d.expect_reply = s.expect_reply;
      push(std::move(d));
    }
  }

  void deliver(Delivery& d) {
    Host* from = find(d.from);
    Host* to = find(d.to);
    const bool to_up = to && !to->down && !to->shutdown;
    switch (d.kind) {
      case Kind::packet:
        if (std::getenv("SERF_NET_LOG") && from && to) {
          std::fprintf(stderr, "%10.3f packet %s -> %s (%zu bytes)\n",
                       static_cast<double>(util::to_us(now_)) / 1e6 - 1000.0, from->name.c_str(),
                       to->name.c_str(), d.bytes.size());
        }
        if (!to_up || (from && from->down)) return;
        step(*to, [&](serf::Node& n, util::Instant t, serf::Outbox& out) {
          n.on_packet(d.from, d.bytes, t, out);
        });
        return;
      case Kind::stream_request: {
        if (!from || from->down) return;
        util::Bytes reply;
        bool ok = false;
        if (to_up) {
          const std::uint64_t inbound = ++next_inbound_;
          serf::Outbox out;
          to->node->on_stream_request(inbound, d.from, d.bytes, now_, out);
          for (auto& r : out.swim.stream_replies) {
            if (r.id == inbound) {
              reply = std::move(r.bytes);
              ok = !reply.empty() || !d.expect_reply;
            }
          }
          if (!d.expect_reply) ok = true;
          out.swim.stream_replies.clear();
          route(*to, out);
        }
        Delivery back{{}, 0, Kind::stream_reply, d.to, d.from, std::move(reply)};
        back.stream_id = d.stream_id;
        back.ok = ok;
        push(std::move(back));
        return;
      }
      case Kind::stream_reply: {
        if (!to_up) return;
        util::Result<util::Bytes> r = d.ok ? util::Result<util::Bytes>(std::move(d.bytes))
                                           : util::Result<util::Bytes>(util::Errc::io,
                                                                       "connection refused");
        step(*to, [&](serf::Node& n, util::Instant t, serf::Outbox& out) {
          n.on_stream_reply(d.stream_id, std::move(r), t, out);
        });
        return;
      }
    }
  }

  // SERF_NET_LOG=1 prints every node's log lines with the virtual time (debugging aid).
  class PrintLogger final : public util::Logger {
   public:
    PrintLogger(const Net& net, std::string name) : net_(net), name_(std::move(name)) {
      set_level(std::getenv("SERF_NET_LOG") ? util::LogLevel::debug : util::LogLevel::err);
    }
    void write(util::LogLevel level, std::string_view component, std::string_view msg) override {
      if (!std::getenv("SERF_NET_LOG")) return;
      std::fprintf(stderr, "%10.3f %s [%s] %.*s: %.*s\n",
                   static_cast<double>(util::to_us(net_.now())) / 1e6 - 1000.0, name_.c_str(),
                   util::log_level_name(level), static_cast<int>(component.size()),
                   component.data(), static_cast<int>(msg.size()), msg.data());
    }

   private:
    const Net& net_;
    std::string name_;
  };
  std::vector<std::unique_ptr<PrintLogger>> logs_;
  util::Rng rng_;
  util::Instant now_ = util::instant_from_us(1'000'000'000);
  std::vector<std::unique_ptr<Host>> hosts_;
  std::priority_queue<Delivery, std::vector<Delivery>, std::greater<>> queue_;
  std::uint64_t seq_ = 0;
  std::uint64_t next_inbound_ = 0;
};

// n hosts, all joined through n1.
inline void form(Net& net, int n) {
  for (int i = 0; i < n; ++i) net.add();
  for (int i = 1; i < n; ++i) net.join(net.host(static_cast<std::size_t>(i)), net.host(0));
  // Gossip may miss a node; push/pull (every 15 s with the local profile) repairs that.
  net.run_for(40s);
}

}  // namespace serf_test
