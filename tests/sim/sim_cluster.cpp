// The cluster simulator; see sim_cluster.h.
#include "sim_cluster.h"

#include <algorithm>
#include <cstdlib>

#include "util/assert.h"

namespace sim {

namespace {
// SIM_SEED=<n> perturbs every scenario's seed, to try other runs of the same scenarios.
Options with_env_seed(Options o) {
  if (const char* env = std::getenv("SIM_SEED")) o.seed ^= std::strtoull(env, nullptr, 0);
  return o;
}
}  // namespace

Cluster::Cluster(Options o) : opts_(with_env_seed(o)), net_rng_(opts_.seed) {
  o = opts_;
  util::Rng root(o.seed);
  net_rng_ = root.fork();
  for (int i = 0; i < o.nodes; ++i) {
    auto h = std::make_unique<Host>();
    h->name = "n" + std::to_string(i + 1);
    const auto hi = static_cast<std::uint8_t>((i + 1) / 250);
    const auto lo = static_cast<std::uint8_t>((i + 1) % 250 + 1);
    h->addr = swim::Address{{198, 18, hi, lo}, 7946};  // the test-network range, virtual here
    h->node =
        std::make_unique<serf::Node>(node_config(h->name, h->addr), log_, root.fork(), now_);
    by_addr_[h->addr] = hosts_.size();
    hosts_.push_back(std::move(h));
    schedule(hosts_.size() - 1);
  }
}

serf::Config Cluster::node_config(const std::string& name, const swim::Address& addr) const {
  serf::Config c;
  c.memberlist = opts_.lan_profile ? swim::Config::lan() : swim::Config::local();
  c.memberlist.name = name;
  c.memberlist.advertise = addr;
  return c;
}

Host& Cluster::host(const std::string& name) {
  auto it = std::find_if(hosts_.begin(), hosts_.end(), [&](const auto& h) { return h->name == name; });
  ASSERT(it != hosts_.end());
  return **it;
}

std::size_t Cluster::index_of(const swim::Address& a) const {
  auto it = by_addr_.find(a);
  return it == by_addr_.end() ? SIZE_MAX : it->second;
}

bool Cluster::reachable(std::size_t a, std::size_t b) const {
  return hosts_[a]->group == hosts_[b]->group;
}

util::Duration Cluster::link_delay() {
  const double u = net_rng_.unit();
  const double extra = -std::log(1.0 - u) * static_cast<double>(opts_.mean_extra_delay.count());
  return opts_.min_delay + util::Duration(static_cast<std::int64_t>(extra));
}

void Cluster::fold(std::uint64_t v) {
  hash_ ^= v;
  hash_ *= 1099511628211ull;
}

void Cluster::push(Event e) {
  e.seq = ++seq_;
  heap_.push(std::move(e));
}

void Cluster::schedule(std::size_t i) {
  Host& h = *hosts_[i];
  const util::Instant t = running(h) ? h.node->next_deadline() : util::instant_max();
  if (t == h.scheduled) return;
  h.scheduled = t;
  if (t == util::instant_max()) return;
  Event e{};
  e.at = std::max(t, now_);
  e.kind = Kind::tick;
  e.to = i;
  push(std::move(e));
}

void Cluster::check(std::size_t i) {
  Host& h = *hosts_[i];
  if (violations_.size() > 20) return;
  const auto stats = h.node->stats();
  auto clock = [&](const char* key, std::uint64_t& last) {
    const std::uint64_t v = std::stoull(stats.at(key));
    if (v < last) violations_.push_back(h.name + ": " + key + " went backwards");
    last = v;
  };
  clock("member_time", h.member_time);
  clock("event_time", h.event_time);
  clock("query_time", h.query_time);
  if (running(h) && h.node->leave_state() == serf::LeaveState::running &&
      h.node->local_member().status != serf::MemberStatus::alive) {
    violations_.push_back(h.name + " sees itself as " +
                          serf::status_name(h.node->local_member().status));
  }
}

void Cluster::route(std::size_t i, serf::Outbox& out) {
  Host& h = *hosts_[i];
  for (auto& e : out.events) h.events.push_back(std::move(e));
  if (out.shutdown) h.shutdown = true;
  for (auto& p : out.swim.packets) {
    const std::size_t to = index_of(p.to);
    if (to != SIZE_MAX && packet_tap) packet_tap(h, *hosts_[to], p.bytes);
    if (to == SIZE_MAX || net_rng_.chance(opts_.loss)) continue;
    const int copies = net_rng_.chance(opts_.duplicate) ? 2 : 1;
    for (int c = 0; c < copies; ++c) {
      Event e{};
      e.at = now_ + link_delay();
      e.kind = Kind::packet;
      e.from = i;
      e.to = to;
      e.bytes = p.bytes;
      push(std::move(e));
    }
  }
  for (auto& s : out.swim.streams) {
    Event e{};
    e.at = now_ + link_delay();
    e.kind = Kind::stream_request;
    e.from = i;
    e.to = index_of(s.to);
    e.bytes = std::move(s.request);
    e.stream_id = s.id;
    e.expect_reply = s.expect_reply;
    push(std::move(e));
  }
  schedule(i);
}

void Cluster::deliver(Event& e) {
  fold(static_cast<std::uint64_t>(util::to_us(now_)));
  fold(static_cast<std::uint64_t>(e.kind) << 32 | e.to);
  for (auto b : e.bytes) fold(b);
  switch (e.kind) {
    case Kind::tick: {
      Host& h = *hosts_[e.to];
      if (h.scheduled != e.at || !running(h)) return;  // superseded
      h.scheduled = util::instant_max();
      step(e.to, [](serf::Node& n, util::Instant t, serf::Outbox& out) { n.on_tick(t, out); });
      return;
    }
    case Kind::packet: {
      Host& to = *hosts_[e.to];
      if (!running(to) || !running(*hosts_[e.from]) || !reachable(e.from, e.to)) return;
      const swim::Address from = hosts_[e.from]->addr;
      step(e.to, [&](serf::Node& n, util::Instant t, serf::Outbox& out) {
        n.on_packet(from, e.bytes, t, out);
      });
      return;
    }
    case Kind::stream_request: {
      Event back{};
      back.kind = Kind::stream_reply;
      back.from = e.to;
      back.to = e.from;
      back.stream_id = e.stream_id;
      back.ok = false;
      const bool up = e.to != SIZE_MAX && running(*hosts_[e.to]) && reachable(e.from, e.to);
      if (up) {
        const std::uint64_t inbound = ++next_inbound_;
        serf::Outbox out;
        hosts_[e.to]->node->on_stream_request(inbound, hosts_[e.from]->addr, e.bytes, now_, out);
        for (auto& r : out.swim.stream_replies) {
          if (r.id != inbound) continue;
          back.bytes = std::move(r.bytes);
          back.ok = !back.bytes.empty();
        }
        if (!e.expect_reply) back.ok = true;
        out.swim.stream_replies.clear();
        route(e.to, out);
        back.at = now_ + link_delay();
      } else {
        back.at = now_ + 5ms;  // connection refused or timed out
      }
      if (back.to != SIZE_MAX) push(std::move(back));
      return;
    }
    case Kind::stream_reply: {
      if (!running(*hosts_[e.to])) return;
      util::Result<util::Bytes> r = e.ok ? util::Result<util::Bytes>(std::move(e.bytes))
                                         : util::Result<util::Bytes>(util::Errc::io, "refused");
      step(e.to, [&](serf::Node& n, util::Instant t, serf::Outbox& out) {
        n.on_stream_reply(e.stream_id, std::move(r), t, out);
      });
      return;
    }
  }
}

void Cluster::run_for(util::Duration d) {
  const util::Instant until = now_ + d;
  while (!heap_.empty() && heap_.top().at <= until) {
    Event e = heap_.top();
    heap_.pop();
    now_ = std::max(now_, e.at);
    deliver(e);
  }
  now_ = until;
}

void Cluster::join_all() {
  const swim::Address seed = hosts_[0]->addr;
  for (std::size_t i = 1; i < hosts_.size(); ++i) {
    step(i, [&](serf::Node& n, util::Instant t, serf::Outbox& out) {
      n.join(std::span<const swim::Address>(&seed, 1), false, t, out);
    });
    run_for(10ms);
  }
}

bool Cluster::converged() {
  for (auto& viewer : hosts_) {
    if (!running(*viewer)) continue;
    std::map<std::string, serf::MemberStatus> seen;
    for (const auto& m : viewer->node->members()) seen[m.name] = m.status;
    for (auto& other : hosts_) {
      auto it = seen.find(other->name);
      const bool alive = it != seen.end() && it->second == serf::MemberStatus::alive;
      if (alive != running(*other)) return false;
    }
  }
  return true;
}

bool Cluster::run_until_converged(util::Duration limit) {
  const util::Instant until = now_ + limit;
  while (now_ < until) {
    run_for(500ms);
    if (converged()) return true;
  }
  return false;
}

void Cluster::crash(const std::string& name) { host(name).crashed = true; }

void Cluster::restart_at(const std::string& crashed, const swim::Address& addr,
                         const std::string& seed, const std::string& as) {
  const std::size_t i = index_of(host(crashed).addr);
  const swim::Address seed_addr = host(seed).addr;
  Host& h = *hosts_[i];
  ASSERT(h.crashed && index_of(addr) == SIZE_MAX);
  if (!as.empty()) h.name = as;
  by_addr_.erase(h.addr);
  h.addr = addr;
  by_addr_[addr] = i;
  h.node = std::make_unique<serf::Node>(node_config(h.name, addr), log_, net_rng_.fork(), now_);
  h.crashed = false;
  h.member_time = h.event_time = h.query_time = 0;  // a new process: its clocks start over
  h.scheduled = util::instant_max();
  step(i, [&](serf::Node& n, util::Instant t, serf::Outbox& out) {
    n.join(std::span<const swim::Address>(&seed_addr, 1), false, t, out);
  });
}

void Cluster::isolate(const std::string& name) {
  Host& h = host(name);
  h.group = 1 + static_cast<int>(index_of(h.addr));
}

void Cluster::heal() {
  for (auto& h : hosts_) h->group = 0;
}

void Cluster::leave(const std::string& name) {
  for (std::size_t i = 0; i < hosts_.size(); ++i) {
    if (hosts_[i]->name != name) continue;
    step(i, [](serf::Node& n, util::Instant t, serf::Outbox& out) { n.leave(t, out); });
  }
}

int Cluster::nodes_seeing(const std::string& about, serf::MemberStatus s) {
  int n = 0;
  for (auto& h : hosts_) {
    if (!running(*h) || h->name == about) continue;
    serf::MemberStatus st = serf::MemberStatus::none;
    for (const auto& m : h->node->members()) {
      if (m.name == about) st = m.status;
    }
    n += st == s ? 1 : 0;
  }
  return n;
}

int Cluster::count_events(serf::MemberEventType type, const std::string& about) {
  int n = 0;
  for (auto& h : hosts_) {
    if (!running(*h)) continue;
    for (const auto& e : h->events) {
      const auto* me = std::get_if<serf::MemberEvent>(&e);
      if (!me || me->type != type) continue;
      for (const auto& m : me->members) n += m.name == about ? 1 : 0;
    }
  }
  return n;
}

}  // namespace sim
