// Solo: one swim::Core under a test's hand. The test plays every peer by feeding packets and
// stream replies, and inspects what the Core sent, decoded with the real codec.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "swim/core.h"
#include "test_support.h"
#include "wire/codec.h"

namespace swim_test {

struct Sent {
  swim::Address to;
  util::Bytes raw;
  std::vector<wire::PacketMessage> messages;
};

template <typename T>
std::vector<std::pair<swim::Address, T>> find_sent(const std::vector<Sent>& sent) {
  std::vector<std::pair<swim::Address, T>> out;
  for (const auto& s : sent) {
    for (const auto& m : s.messages) {
      if (const T* t = std::get_if<T>(&m)) out.emplace_back(s.to, *t);
    }
  }
  return out;
}

inline wire::Alive alive_msg(const std::string& name, std::uint32_t inc, const swim::Address& a,
                             wire::Vsn vsn = {}) {
  return wire::Alive{inc, name, a.ip, a.port, {}, vsn};
}

// A push/pull node state for 10.0.0.host:7946.
inline wire::PushNodeState pns(const std::string& name, int host, wire::NodeState state,
                               std::uint32_t inc = 1, wire::Vsn vsn = {}) {
  wire::PushNodeState n;
  n.name = name;
  n.addr = addr(host).ip;
  n.port = 7946;
  n.incarnation = inc;
  n.state = state;
  n.vsn = vsn;
  return n;
}

// A stream message framed as a peer sends it (compressed), and back.
inline util::Bytes framed(const wire::StreamMessage& m) {
  return wire::frame_stream(wire::encode_stream(m), true);
}
inline wire::StreamMessage unframed(const util::Bytes& bytes) {
  auto plain = wire::unframe_stream(bytes);
  REQUIRE(plain.ok());
  auto msg = wire::decode_stream(*plain);
  REQUIRE(msg.ok());
  return *msg;
}

class Solo {
 public:
  // Gossip and push/pull are off unless a test turns them on, so that the Outbox only
  // shows what the test provokes.
  // `meta`: what the delegate reports as our meta from the start.
  explicit Solo(std::function<void(swim::Config&)> tweak = {}, std::uint64_t seed = 7,
                util::Bytes meta = {}) {
    delegate.meta = std::move(meta);
    swim::Config cfg = config("a", addr(1));
    cfg.gossip_interval = util::Duration::zero();
    cfg.push_pull_interval = util::Duration::zero();
    if (tweak) tweak(cfg);
    core = std::make_unique<swim::Core>(cfg, delegate, log, util::Rng(seed), now);
  }

  template <typename M>
  void packet(const swim::Address& from, const M& msg) {
    const util::Bytes bytes = wire::frame_packet(wire::encode(msg), {});
    core->on_packet(from, bytes, now, out);
  }
  void raw_packet(const swim::Address& from, util::ByteView bytes) {
    core->on_packet(from, bytes, now, out);
  }
  // A peer called `name` at 10.0.0.host is alive with incarnation 1.
  void meet(const std::string& name, int host) {
    packet(addr(host), alive_msg(name, 1, addr(host)));
  }

  void advance_to(util::Instant t) {
    while (core->next_deadline() <= t) {
      now = core->next_deadline();
      core->on_tick(now, out);
      answer_pings();
    }
    now = t;
  }
  // Peers in `responsive` ack every ping the Core sends them, at once.
  void answer_pings() {
    for (; answered_ < out.packets.size(); ++answered_) {
      const auto d = out.packets[answered_];
      auto decoded = wire::decode_packet(d.bytes);
      REQUIRE(decoded.ok());
      for (const auto& m : decoded->messages) {
        const auto* p = std::get_if<wire::Ping>(&m);
        if (p != nullptr && responsive.count(p->node) > 0) packet(d.to, wire::Ack{p->seq_no, {}});
      }
    }
  }
  void advance(util::Duration d) { advance_to(now + d); }

  std::vector<Sent> sent() const {
    std::vector<Sent> v;
    for (const auto& d : out.packets) {
      auto decoded = wire::decode_packet(d.bytes);
      REQUIRE(decoded.ok());
      v.push_back({d.to, d.bytes, decoded->messages});
    }
    return v;
  }
  template <typename T>
  std::vector<std::pair<swim::Address, T>> sent_of() const {
    return find_sent<T>(sent());
  }
  void clear() {
    out = swim::Outbox{};
    answered_ = 0;
  }
  swim::State state_of(const std::string& name) const {
    const swim::Node* n = core->find(name);
    REQUIRE(n != nullptr);
    return n->state;
  }

  // Runs until the Core pings `target` directly; returns that ping's time and sequence number.
  std::pair<util::Instant, std::uint32_t> until_probe_of(const std::string& target) {
    for (int i = 0; i < 50; ++i) {
      clear();
      now = core->next_deadline();
      core->on_tick(now, out);
      for (const auto& [to, p] : sent_of<wire::Ping>()) {
        if (p.node == target) {
          answer_pings();
          return {now, p.seq_no};
        }
      }
      answer_pings();
    }
    FAIL("no probe of " << target);
    return {};
  }

  std::set<std::string> responsive;
  RecordingDelegate delegate;
  LineLogger log{"a "};
  util::Instant now = util::instant_from_us(1'000'000);
  std::unique_ptr<swim::Core> core;
  swim::Outbox out;

 private:
  std::size_t answered_ = 0;
};

}  // namespace swim_test
