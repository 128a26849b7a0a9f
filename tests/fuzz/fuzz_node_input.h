// What a peer can send a serf::Node, built from libFuzzer bytes for tests/fuzz/fuzz_node.cpp:
// memberlist messages (alive, suspect, dead, pings, acks, user messages), the Serf messages they
// carry (intents, user events, queries with node and tag filters, responses, relays), push/pull
// streams with Serf's user state, each encoded by wire/ and then sometimes damaged. Valid
// encodings let the fuzzer reach deep states (a member table, open queries, merged push/pulls)
// that random bytes never would; the damage keeps the decoders' error paths in play.
#pragma once

#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "swim/address.h"
#include "util/bytes.h"
#include "wire/codec.h"
#include "wire/serf_codec.h"

namespace fuzz_node {

inline constexpr int peer_count = 6;
inline constexpr const char* self_name = "fz";

inline swim::Address self_addr() { return {{10, 0, 0, 1}, 7946}; }
inline swim::Address peer_addr(int k) {
  return {{10, 0, 0, static_cast<std::uint8_t>(2 + k)}, 7946};
}
inline std::string peer_name(int k) { return "p" + std::to_string(k); }

// What the node sent that a peer may answer: its pings and its queries' ids.
struct Sent {
  struct Ping {
    std::uint32_t seq;
    swim::Address to;
  };
  std::vector<Ping> pings;
  struct QueryId {
    std::uint64_t ltime;
    std::uint32_t id;
  };
  std::vector<QueryId> queries;
};

class Input {
 public:
  Input(FuzzedDataProvider& in, const Sent& sent) : in_(in), sent_(sent) {}

  FuzzedDataProvider& raw() { return in_; }
  bool flip() { return in_.ConsumeBool(); }
  int peer() { return in_.ConsumeIntegralInRange<int>(0, peer_count - 1); }
  template <typename T>
  T upto(T max) { return in_.ConsumeIntegralInRange<T>(0, max); }

  util::Bytes bytes(std::size_t max) {
    return in_.ConsumeBytes<std::uint8_t>(upto<std::size_t>(max));
  }

  // Plain text, or fragments repeated thousands of times: how a short input becomes a
  // deeply nested regular expression or an over-long name.
  std::string text(std::size_t max) {
    static const char* const fragments[] = {
        "(", ")", "(.*.*)*", "(a+)+", ".*", "|", "[", "]", "*", "+", "?", "{1000}", "\\",
        "^", "$", "(?:", "(?P<n>", "\\p{L}", "Z", "web", "-", "=", "\n", "\x1b[31m", "\xff"};
    std::string s;
    for (int pieces = upto(3); pieces >= 0 && s.size() < max; --pieces) {
      if (flip()) {
        s += in_.ConsumeRandomLengthString(24);
        continue;
      }
      const std::string frag = flip() ? in_.PickValueInArray(fragments)
                                      : in_.ConsumeRandomLengthString(4);
      for (std::size_t n = upto<std::size_t>(20000); n > 0 && s.size() < max; --n) s += frag;
    }
    if (s.size() > max) s.resize(max);
    return s;
  }

  // A peer, ourselves, nobody, or anything.
  std::string name() {
    switch (upto(3)) {
      case 0: return peer_name(peer());
      case 1: return self_name;
      case 2: return {};
      default: return text(600);
    }
  }

  util::Bytes ip() {
    switch (upto(3)) {
      case 0: return peer_addr(peer()).ip;
      case 1: return self_addr().ip;
      case 2: return util::Bytes{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 9};
      default: return bytes(17);
    }
  }

  std::uint16_t port() { return flip() ? 7946 : in_.ConsumeIntegral<std::uint16_t>(); }

  // Small, at the edge of wrapping, or anything.
  std::uint32_t incarnation() {
    switch (upto(2)) {
      case 0: return upto<std::uint32_t>(8);
      case 1: return std::numeric_limits<std::uint32_t>::max() - upto<std::uint32_t>(2);
      default: return in_.ConsumeIntegral<std::uint32_t>();
    }
  }

  std::uint64_t ltime() {
    return flip() ? upto<std::uint64_t>(64) : in_.ConsumeIntegral<std::uint64_t>();
  }

  wire::serf::Tags tags() {
    wire::serf::Tags t;
    static const char* const keys[] = {"role", "dc", "rack", ""};
    for (int n = upto(3); n > 0; --n) t[flip() ? in_.PickValueInArray(keys) : text(40)] = text(600);
    return t;
  }

  util::Bytes meta() { return flip() ? wire::serf::encode_tags(tags()) : bytes(600); }

  wire::Vsn vsn() {
    if (flip()) return wire::Vsn{};
    auto v = [&] { return in_.ConsumeIntegral<std::uint8_t>(); };
    return wire::Vsn{v(), v(), v(), v(), v(), v()};
  }

  std::uint32_t seq() {
    if (!sent_.pings.empty() && flip()) {
      return sent_.pings[upto(sent_.pings.size() - 1)].seq;
    }
    return in_.ConsumeIntegral<std::uint32_t>();
  }

  wire::serf::Coordinate coordinate() {
    wire::serf::Coordinate c;
    for (auto& x : c.vec) x = flip() ? 0.0 : in_.ConsumeFloatingPoint<double>();
    c.error = in_.ConsumeFloatingPoint<double>();
    c.adjustment = flip() ? 0.0 : in_.ConsumeFloatingPoint<double>();
    c.height = flip() ? 1e-5 : in_.ConsumeFloatingPoint<double>();
    return c;
  }

  wire::PacketMessage memberlist_message(int depth = 0) {
    switch (upto(7)) {
      case 0: return wire::Ping{seq(), name(), ip(), name(), port()};
      case 1: return wire::IndirectPing{seq(), ip(), port(), name(), flip(), ip(), name(), port()};
      case 2:
        return wire::Ack{seq(), flip() ? wire::serf::encode_ping_payload(coordinate()) : bytes(64)};
      case 3: return wire::Nack{seq()};
      case 4: return wire::Suspect{incarnation(), name(), name()};
      case 5: return wire::Alive{incarnation(), name(), ip(), port(), meta(), vsn()};
      case 6: return wire::Dead{incarnation(), name(), name()};
      default: return wire::UserMsg{serf_message(depth)};
    }
  }

  util::Bytes filter() {
    switch (upto(2)) {
      case 0: {
        wire::serf::NodeFilter f;
        for (int n = upto(3); n > 0; --n) f.nodes.push_back(name());
        return wire::serf::encode_filter(f);
      }
      case 1: {
        static const char* const keys[] = {"role", "dc", "missing"};
        return wire::serf::encode_filter(
            wire::serf::TagFilter{flip() ? in_.PickValueInArray(keys) : text(40), text(70000)});
      }
      default: return bytes(64);
    }
  }

  wire::serf::Query query() {
    static const char* const names[] = {"_serf_ping", "_serf_conflict", "_serf_list-keys",
                                        "_serf_install-key", "deploy", ""};
    wire::serf::Query q;
    q.ltime = ltime();
    q.id = in_.ConsumeIntegral<std::uint32_t>();
    q.addr = ip();
    q.port = port();
    q.source_node = name();
    for (int n = upto(3); n > 0; --n) q.filters.push_back(filter());
    q.flags = upto<std::uint32_t>(3);
    q.relay_factor = upto<std::uint8_t>(4);
    q.timeout_ns =
        flip() ? upto<std::int64_t>(30'000'000'000) : in_.ConsumeIntegral<std::int64_t>();
    q.name = flip() ? in_.PickValueInArray(names) : text(100);
    q.payload = flip() ? wire::serf::encode(wire::serf::KeyRequest{bytes(40)}) : bytes(1200);
    return q;
  }

  util::Bytes response_payload() {
    switch (upto(2)) {
      case 0: {
        wire::serf::ConflictResponse c;
        if (flip()) {
          c.member = wire::serf::Member{name(), ip(), port(), tags(),
                                        static_cast<wire::serf::MemberStatus>(upto(5)),
                                        1, 5, 2, 2, 5, 5};
        }
        return wire::serf::encode(c);
      }
      case 1: return wire::serf::encode(wire::serf::KeyResponse{flip(), text(40), {}, {}});
      default: return bytes(1200);
    }
  }

  wire::serf::QueryResponse query_response() {
    wire::serf::QueryResponse r;
    if (!sent_.queries.empty() && flip()) {
      const auto& q = sent_.queries[upto(sent_.queries.size() - 1)];
      r.ltime = q.ltime;
      r.id = q.id;
    } else {
      r.ltime = ltime();
      r.id = in_.ConsumeIntegral<std::uint32_t>();
    }
    r.from = name();
    r.flags = upto<std::uint32_t>(2);
    r.payload = response_payload();
    return r;
  }

  // A Serf message, type byte first (a relay nests another, two levels at most).
  util::Bytes serf_message(int depth = 0) {
    switch (upto(7)) {
      case 0: return wire::serf::encode(wire::serf::Leave{ltime(), name(), flip()});
      case 1: return wire::serf::encode(wire::serf::Join{ltime(), name()});
      case 2:
        return wire::serf::encode(wire::serf::UserEvent{ltime(), text(100), bytes(1200), flip()});
      case 3: return wire::serf::encode(query());
      case 4: return wire::serf::encode(query_response());
      case 5:
        if (depth < 2) {
          wire::serf::RelayHeader h{ip(), port(), text(8), name()};
          return wire::serf::encode_relay(h, serf_message(depth + 1));
        }
        [[fallthrough]];
      case 6: return wire::serf::encode(serf_push_pull());
      default: return bytes(300);
    }
  }

  wire::serf::PushPull serf_push_pull() {
    wire::serf::PushPull pp;
    pp.ltime = ltime();
    for (int n = upto(4); n > 0; --n) pp.status_ltimes[name()] = ltime();
    for (int n = upto(2); n > 0; --n) pp.left_members.push_back(name());
    pp.event_ltime = ltime();
    for (int n = upto(3); n > 0; --n) {
      if (flip()) {
        pp.events.emplace_back(std::nullopt);
        continue;
      }
      wire::serf::EventSlot slot{ltime(), {}};
      for (int k = upto(2); k > 0; --k) slot.events.push_back({text(40), bytes(100)});
      pp.events.emplace_back(std::move(slot));
    }
    pp.query_ltime = ltime();
    return pp;
  }

  wire::PushPull push_pull() {
    wire::PushPull pp;
    pp.join = flip();
    for (int n = upto(6); n > 0; --n) {
      pp.nodes.push_back(wire::PushNodeState{name(), ip(), port(), meta(), incarnation(),
                                             static_cast<wire::NodeState>(upto(4)), vsn()});
    }
    pp.user_state = flip() ? wire::serf::encode(serf_push_pull()) : bytes(200);
    return pp;
  }

  // Overwrites, truncates or extends now and then.
  void damage(util::Bytes& b) {
    switch (upto(7)) {
      case 0:
        if (!b.empty()) b[upto(b.size() - 1)] = in_.ConsumeIntegral<std::uint8_t>();
        return;
      case 1: b.resize(upto(b.size())); return;
      case 2: {
        const auto more = bytes(16);
        b.insert(b.end(), more.begin(), more.end());
        return;
      }
      default: return;
    }
  }

  // One to four messages, as a compound when several, compressed and checksummed or not.
  util::Bytes datagram() {
    std::vector<util::Bytes> parts;
    for (int n = upto(3); n >= 0; --n) {
      parts.push_back(wire::encode(memberlist_message()));
      damage(parts.back());
    }
    // A compound holds parts of up to 64 KiB (a u16 length each); a larger one goes alone.
    const bool fits = std::all_of(parts.begin(), parts.end(),
                                  [](const util::Bytes& p) { return p.size() <= 0xffff; });
    const util::Bytes body = parts.size() == 1 || !fits ? parts[0] : wire::make_compound(parts);
    util::Bytes framed = wire::frame_packet(body, {.compress = flip(), .crc = flip()});
    damage(framed);
    return framed;
  }

  // A stream as a peer opens or answers one: push/pull, ping, ack, user message or error.
  util::Bytes stream(const wire::StreamMessage* fixed = nullptr) {
    wire::StreamMessage m = fixed ? *fixed : stream_message();
    util::Bytes framed = wire::frame_stream(wire::encode_stream(m), flip());
    damage(framed);
    return framed;
  }

  wire::StreamMessage stream_message() {
    switch (upto(4)) {
      case 0: return wire::Ping{seq(), flip() ? std::string(self_name) : name(), ip(), name(),
                                port()};
      case 1: return wire::Ack{seq(), {}};
      case 2: return wire::UserMsg{serf_message()};
      case 3: return wire::ErrResp{text(100)};
      default: return push_pull();
    }
  }

 private:
  FuzzedDataProvider& in_;
  const Sent& sent_;
};

}  // namespace fuzz_node
