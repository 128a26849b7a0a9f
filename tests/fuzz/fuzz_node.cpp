// libFuzzer harness for the whole sans-IO core: one serf::Node fed what hostile peers and a
// driver can do to it. The input is a program: each step delivers a datagram or a stream
// (arbitrary bytes, or messages encoded by wire/ and then damaged: fuzz_node_input.h),
// answers one of the node's outstanding stream calls or its last ping, moves virtual time,
// ticks, or runs a local operation (set_tags, user_event, query, respond, leave, force_leave,
// join).
// Besides "no crash, no ASSERT, no sanitizer report" it checks what the node must keep:
//   - everything it sends decodes with our own decoders and fits in a UDP datagram;
//   - after a tick, its next deadline lies in the future (else the driver spins);
//   - its own incarnation (as a push/pull answer shows it) never goes down;
//   - its Lamport clocks never go back, and leaving never undoes itself;
//   - it only lists members whose names it was fed, and answers each inbound stream once;
//   - query replies carry handles that query() returned; stream calls end within a minute.
// Build: CXX=clang++ meson setup build-fuzz -Dfuzz=true && ninja -C build-fuzz tests/fuzz/fuzz_node
// Run:   build-fuzz/tests/fuzz/fuzz_node -rss_limit_mb=2048 -timeout=10 -max_total_time=60
// A finding: FUZZ_NODE_TRACE=1 build-fuzz/tests/fuzz/fuzz_node <input> prints every step.
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <type_traits>

#include "fuzz_node_input.h"
#include "serf/node.h"
#include "wire/limits.h"

namespace fuzz_node {

using namespace std::chrono_literals;

#define FUZZ_CHECK(cond, what)                                                             \
  do {                                                                                     \
    if (!(cond)) {                                                                         \
      std::fprintf(stderr, "fuzz_node: invariant broken: %s (%s) at %s:%d\n", what, #cond, \
                   __FILE__, __LINE__);                                                    \
      std::abort();                                                                        \
    }                                                                                      \
  } while (false)

// Formats every line (the formatting of hostile names is code to cover) and drops it.
class DiscardLogger final : public util::Logger {
 public:
  DiscardLogger() { set_level(util::LogLevel::trace); }
  void write(util::LogLevel, std::string_view, std::string_view message) override {
    bytes_ += message.size();
  }

 private:
  std::size_t bytes_ = 0;
};

serf::Config node_config(Input& in) {
  serf::Config c;
  c.memberlist = swim::Config::local();
  c.memberlist.name = self_name;
  c.memberlist.advertise = self_addr();
  c.memberlist.enable_compression = in.flip();
  c.protocol = 2 + in.upto(3);
  c.disable_coordinates = in.flip();
  c.tags = {{"role", "web-server-eu-west-1"}, {"dc", "eu-west"}};
  c.reap_interval = 1s;
  c.reconnect_interval = 5s;
  return c;
}

class Harness {
 public:
  explicit Harness(FuzzedDataProvider& data) : in_(data, sent_) {
    node_ = std::make_unique<serf::Node>(node_config(in_), log_, util::Rng(7), now_);
    fed_.insert(self_name);
  }

  void run() {
    // Once the node asked to shut down (it left, or lost a name-conflict vote) the driver
    // stops calling it.
    for (int step = 0; step < 64 && in_.raw().remaining_bytes() > 0 && !shutdown_; ++step) {
      const int op = in_.upto(10);
      trace("step %d: op %d at t=%lld us", step, op, static_cast<long long>(util::to_us(now_)));
      switch (op) {
        case 0: deliver_packet(in_.raw().ConsumeBytes<std::uint8_t>(in_.upto(1500))); break;
        case 1:
        case 2: deliver_packet(in_.datagram()); break;
        case 3: deliver_stream(flip_raw() ? in_.bytes(3000) : in_.stream()); break;
        case 4: answer_call(); break;
        case 10: answer_ping(); break;
        case 5: advance(); break;
        case 6: tick_to_next_deadline(); break;
        default: local_operation(); break;
      }
      check_state();
    }
  }

 private:
  bool flip_raw() { return in_.upto(3) == 0; }

  // Runs one input of the node (fn(node, outbox)) and checks what came out.
  template <typename F>
  void step(F&& fn) {
    serf::Outbox out;
    fn(*node_, out);
    drain(out);
  }

  void deliver_packet(util::Bytes datagram) {
    trace_packet(datagram);
    note_fed_packet(datagram);
    const swim::Address from =
        in_.flip() ? peer_addr(in_.peer()) : swim::Address{in_.ip(), in_.port()};
    step([&](serf::Node& n, serf::Outbox& out) { n.on_packet(from, datagram, now_, out); });
  }

  void deliver_stream(util::Bytes bytes) {
    trace_stream(bytes);
    note_fed_stream(bytes);
    const swim::StreamId id = ++inbound_streams_;
    serf::Outbox out;
    node_->on_stream_request(id, peer_addr(in_.peer()), bytes, now_, out);
    const std::size_t replies = out.swim.stream_replies.size();
    FUZZ_CHECK(replies == 1 || (shutdown_ && replies == 0), "one reply per inbound stream");
    for (const auto& reply : out.swim.stream_replies) {
      FUZZ_CHECK(reply.id == id, "the reply answers the stream it came on");
      if (!reply.bytes.empty()) check_stream_bytes(reply.bytes, "a stream reply decodes");
    }
    drain(out);
  }

  // As the driver would: an answer, an error, or bytes; a tcp ping gets its ack when asked.
  void answer_call() {
    if (calls_.empty()) return;
    const std::size_t i = in_.upto(calls_.size() - 1);
    const swim::StreamCall call = std::move(calls_[i]);
    calls_.erase(calls_.begin() + static_cast<std::ptrdiff_t>(i));
    util::Result<util::Bytes> reply = util::Bytes{};
    const int kind = in_.upto(3);
    trace("  answer stream call %llu: kind %d", static_cast<unsigned long long>(call.id), kind);
    switch (kind) {
      case 0: reply = util::Result<util::Bytes>(util::Errc::io, "connection refused"); break;
      case 1: reply = in_.bytes(3000); break;
      case 2: reply = in_.stream(); break;
      default: {
        wire::StreamMessage ack = wire::Ack{ping_seq_of(call.request), {}};
        reply = in_.stream(&ack);
      }
    }
    if (reply.ok()) note_fed_stream(*reply);
    step([&](serf::Node& n, serf::Outbox& out) {
      n.on_stream_reply(call.id, std::move(reply), now_, out);
    });
  }

  // The ack a probed peer sends at once, with its Vivaldi coordinate (or none), before the
  // probe times out: what reaches the coordinate code.
  void answer_ping() {
    if (sent_.pings.empty()) return;
    const Sent::Ping ping = sent_.pings.back();
    now_ += 1ms * in_.upto(20);
    util::Bytes payload;
    if (in_.flip()) payload = wire::serf::encode_ping_payload(in_.coordinate());
    const util::Bytes ack = wire::encode(wire::Ack{ping.seq, std::move(payload)});
    trace("  ack for ping %u", ping.seq);
    step([&](serf::Node& n, serf::Outbox& out) {
      n.on_packet(ping.to, wire::frame_packet(ack, {}), now_, out);
    });
  }

  static std::uint32_t ping_seq_of(const util::Bytes& request) {
    auto plain = wire::unframe_stream(request);
    if (!plain.ok()) return 0;
    auto msg = wire::decode_stream(*plain);
    const auto* ping = msg.ok() ? std::get_if<wire::Ping>(&*msg) : nullptr;
    return ping ? ping->seq_no : 0;
  }

  void advance() {
    static constexpr util::Duration units[] = {1ms, 1s, 1min, 1h};
    const util::Duration unit = units[in_.upto(3)];
    now_ += unit * (1 + in_.upto(59));
    settle();
  }

  void tick_to_next_deadline() {
    const util::Instant next = node_->next_deadline();
    if (next > now_ && next - now_ <= 48h) now_ = next;
    settle();
  }

  // Fails overdue stream calls (the driver's timeout), then ticks until nothing is due.
  void settle() {
    for (std::size_t i = 0; i < calls_.size();) {
      if (calls_[i].deadline > now_) {
        ++i;
        continue;
      }
      const swim::StreamId id = calls_[i].id;
      calls_.erase(calls_.begin() + static_cast<std::ptrdiff_t>(i));
      util::Result<util::Bytes> timed_out(util::Errc::timeout, "i/o timeout");
      step([&](serf::Node& n, serf::Outbox& out) {
        n.on_stream_reply(id, std::move(timed_out), now_, out);
      });
    }
    if (node_->next_deadline() > now_) return;
    step([&](serf::Node& n, serf::Outbox& out) { n.on_tick(now_, out); });
    FUZZ_CHECK(node_->next_deadline() > now_, "no deadline is left in the past by a tick");
  }

  void local_operation() {
    const int op = in_.upto(6);
    trace("  local operation %d", op);
    switch (op) {
      case 0:
        step([&](serf::Node& n, serf::Outbox& out) {
          (void)n.set_tags(in_.tags(), now_, out);
        });
        return;
      case 1:
        step([&](serf::Node& n, serf::Outbox& out) {
          (void)n.user_event(in_.text(100), in_.bytes(1200), in_.flip(), now_, out);
        });
        return;
      case 2: return start_query();
      case 3: return respond();
      case 4:
        step([&](serf::Node& n, serf::Outbox& out) { n.leave(now_, out); });
        return;
      case 5:
        step([&](serf::Node& n, serf::Outbox& out) {
          (void)n.force_leave(in_.name(), in_.flip(), now_, out);
        });
        return;
      default: return join();
    }
  }

  void start_query() {
    serf::QueryParams p;
    for (int n = in_.upto(2); n > 0; --n) p.filter_nodes.push_back(in_.name());
    for (const auto& [tag, value] : in_.tags()) p.filter_tags[tag] = in_.text(2000) + value;
    p.request_ack = in_.flip();
    p.relay_factor = in_.upto<std::uint8_t>(3);
    p.timeout = in_.flip() ? util::Duration(0) : 1ms * in_.upto(100000);
    for (const auto& [tag, expr] : p.filter_tags) {
      trace("    tag filter %s =~ %.200s (%zu bytes)", tag.c_str(), expr.c_str(), expr.size());
    }
    step([&](serf::Node& n, serf::Outbox& out) {
      auto handle = n.query(in_.text(100), in_.bytes(1200), p, now_, out);
      if (handle.ok()) handles_.insert(*handle);
    });
  }

  void respond() {
    std::uint64_t id = in_.raw().ConsumeIntegral<std::uint64_t>();
    if (!query_events_.empty() && in_.flip()) {
      id = query_events_[in_.upto(query_events_.size() - 1)];
    }
    step([&](serf::Node& n, serf::Outbox& out) {
      (void)n.respond(id, in_.bytes(1200), now_, out);
    });
  }

  void join() {
    std::vector<swim::Address> seeds;
    for (int n = in_.upto(3); n > 0; --n) seeds.push_back(peer_addr(in_.peer()));
    step([&](serf::Node& n, serf::Outbox& out) {
      n.join(seeds, in_.flip(), now_, out);
    });
  }

  // --- what the node was fed: the names it may list as members ------------------------------

  void note_fed_packet(util::ByteView datagram) {
    auto packet = wire::decode_packet(datagram);
    if (!packet.ok()) return;
    for (const auto& m : packet->messages) {
      if (const auto* a = std::get_if<wire::Alive>(&m)) fed_.insert(a->node);
    }
  }

  void note_fed_stream(util::ByteView bytes) {
    auto plain = wire::unframe_stream(bytes);
    if (!plain.ok()) return;
    auto msg = wire::decode_stream(*plain);
    if (!msg.ok()) return;
    if (const auto* pp = std::get_if<wire::PushPull>(&*msg)) {
      for (const auto& n : pp->nodes) fed_.insert(n.name);
    }
  }

  // --- what the node sent ---------------------------------------------------------------------

  void drain(serf::Outbox& out) {
    if (out.shutdown) shutdown_ = true;
    for (const auto& p : out.swim.packets) check_datagram(p.bytes, p.to);
    for (auto& call : out.swim.streams) {
      // (A deadline may already have passed when a tick comes late: the TCP fallback of a probe
      // keeps the probe's end, as memberlist's does; the driver then fails the call at once.)
      FUZZ_CHECK(call.deadline <= now_ + 1min, "a stream call is given up within a minute");
      check_stream_bytes(call.request, "a stream request decodes");
      if (calls_.size() < 64) calls_.push_back(std::move(call));
    }
    for (const auto& r : out.query_replies) {
      FUZZ_CHECK(handles_.count(r.handle) == 1, "a query reply belongs to a query we started");
    }
    for (const auto& e : out.events) {
      if (const auto* q = std::get_if<serf::QueryEvent>(&e)) {
        if (query_events_.size() < 64) query_events_.push_back(q->id);
      } else if (const auto* m = std::get_if<serf::MemberEvent>(&e)) {
        for (const auto& member : m->members) {
          FUZZ_CHECK(fed_.count(member.name) == 1, "member events name members we were fed");
        }
      }
    }
  }

  void check_datagram(const util::Bytes& bytes, const swim::Address& to) {
    FUZZ_CHECK(bytes.size() <= wire::limits::udp_packet_bytes_max, "a datagram fits in UDP");
    auto packet = wire::decode_packet(bytes);
    FUZZ_CHECK(packet.ok() && packet->bad_parts == 0, "what we send decodes");
    for (const auto& m : packet->messages) {
      // (An alive about ourselves may be older than one sent before it: memberlist keys a
      // refutation by our address and our own alive by our name, so both can be queued.)
      if (const auto* p = std::get_if<wire::Ping>(&m)) {
        remember(sent_.pings, Sent::Ping{p->seq_no, to});
      } else if (const auto* ip = std::get_if<wire::IndirectPing>(&m)) {
        remember(sent_.pings, Sent::Ping{ip->seq_no, to});
      } else if (const auto* u = std::get_if<wire::UserMsg>(&m)) {
        // Not required to decode: a relay forwards a peer's inner bytes unchanged, as Serf does.
        auto serf_msg = wire::serf::decode(u->payload);
        const auto* q = serf_msg.ok() ? std::get_if<wire::serf::Query>(&*serf_msg) : nullptr;
        if (q) {
          remember(sent_.queries, Sent::QueryId{q->ltime, q->id});
        }
      }
    }
  }

  void check_stream_bytes(const util::Bytes& bytes, const char* what) {  // what: the invariant
    auto plain = wire::unframe_stream(bytes);
    FUZZ_CHECK(plain.ok(), what);
    auto msg = wire::decode_stream(*plain);
    FUZZ_CHECK(msg.ok(), what);
    if (const auto* pp = std::get_if<wire::PushPull>(&*msg)) {
      for (const auto& n : pp->nodes) {
        if (n.name == self_name) note_self_incarnation(n.incarnation);
      }
    }
  }

  // --- FUZZ_NODE_TRACE=1: what a finding did -------------------------------------------------

  __attribute__((format(printf, 2, 3))) void trace(const char* format, ...) const {
    if (!tracing_) return;
    va_list args;
    va_start(args, format);
    std::vfprintf(stderr, format, args);
    va_end(args);
    std::fputc('\n', stderr);
  }

  void trace_packet(util::ByteView datagram) const {
    if (!tracing_) return;
    auto packet = wire::decode_packet(datagram);
    trace("  datagram of %zu bytes, %s", datagram.size(), packet.ok() ? "decodes" : "garbage");
    if (!packet.ok()) return;
    for (const auto& m : packet->messages) {
      trace("  memberlist message type %zu", m.index());
      std::visit(
          [this](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, wire::Alive> || std::is_same_v<T, wire::Suspect> ||
                          std::is_same_v<T, wire::Dead>) {
              trace("    about %.100s, incarnation %u", v.node.c_str(), v.incarnation);
            }
          },
          m);
      if (const auto* u = std::get_if<wire::UserMsg>(&m)) trace_serf(u->payload);
    }
  }

  void trace_stream(util::ByteView bytes) const {
    if (!tracing_) return;
    auto plain = wire::unframe_stream(bytes);
    auto msg = plain.ok() ? wire::decode_stream(*plain) : plain.error();
    trace("  stream of %zu bytes, %s", bytes.size(), msg.ok() ? "decodes" : "garbage");
    if (!msg.ok()) return;
    trace("  stream message type %zu", msg->index());
    if (const auto* u = std::get_if<wire::UserMsg>(&*msg)) trace_serf(u->payload);
  }

  // A Serf message's type and Lamport time, and a query's filters.
  void trace_serf(util::ByteView serf_bytes) const {
    auto serf_msg = wire::serf::decode(serf_bytes);
    if (!serf_msg.ok()) return;
    std::visit(
        [this, &serf_msg](const auto& v) {
          if constexpr (requires { v.ltime; }) {
            trace("    serf message type %zu, ltime %llu", serf_msg->index(),
                  static_cast<unsigned long long>(v.ltime));
          }
        },
        *serf_msg);
    const auto* q = std::get_if<wire::serf::Query>(&*serf_msg);
    if (!q) return;
    trace("    query %s ltime=%llu timeout_ns=%lld", q->name.c_str(),
          static_cast<unsigned long long>(q->ltime), static_cast<long long>(q->timeout_ns));
    for (const auto& raw : q->filters) {
      auto f = wire::serf::decode_filter(raw);
      const auto* tag = f.ok() ? std::get_if<wire::serf::TagFilter>(&*f) : nullptr;
      if (tag) {
        trace("    tag filter %s =~ %.200s (%zu bytes)", tag->tag.c_str(), tag->expr.c_str(),
              tag->expr.size());
      }
    }
  }

  void note_self_incarnation(std::uint32_t incarnation) {
    trace("  we announce incarnation %u", incarnation);
    FUZZ_CHECK(incarnation >= self_incarnation_, "our own incarnation never goes down");
    self_incarnation_ = incarnation;
  }

  template <typename T>
  static void remember(std::vector<T>& v, T value) {
    if (v.size() >= 16) v.erase(v.begin());
    v.push_back(value);
  }

  // --- the node's own state, after every step ---------------------------------------------------

  void check_state() {
    const auto leave = static_cast<int>(node_->leave_state());
    FUZZ_CHECK(leave >= leave_state_, "leaving never undoes itself");
    leave_state_ = leave;
    const auto stats = node_->stats();
    for (const char* clock : {"member_time", "event_time", "query_time"}) {
      const std::uint64_t t = std::strtoull(stats.at(clock).c_str(), nullptr, 10);
      std::uint64_t& last = clocks_[clock];
      FUZZ_CHECK(t >= last, "Lamport clocks never go back");
      last = t;
    }
    // Every member is a name we fed (so their number is bounded by what was fed).
    for (const auto& m : node_->members()) FUZZ_CHECK(fed_.count(m.name) == 1, "members were fed");
    FUZZ_CHECK(node_->local_member().name == self_name, "we stay ourselves");
    (void)node_->coordinate(in_.name());
    if (!shutdown_) ask_for_state();
  }

  // Our own incarnation as a peer reads it: our entry in the answer to an empty push/pull,
  // which merges nothing.
  void ask_for_state() {
    static const util::Bytes empty_push_pull =
        wire::frame_stream(wire::encode_stream(wire::PushPull{}), false);
    const swim::StreamId id = ++inbound_streams_;
    serf::Outbox out;
    node_->on_stream_request(id, peer_addr(0), empty_push_pull, now_, out);
    FUZZ_CHECK(out.swim.stream_replies.size() == 1, "a push/pull is answered");
    check_stream_bytes(out.swim.stream_replies[0].bytes, "a push/pull answer decodes");
    drain(out);
  }

  Sent sent_;
  Input in_;
  DiscardLogger log_;
  util::Instant now_ = util::instant_from_us(1'000'000'000);
  std::unique_ptr<serf::Node> node_;
  std::vector<swim::StreamCall> calls_;          // the node's stream calls not yet answered
  std::vector<std::uint64_t> query_events_;      // QueryEvent ids it asked us to answer
  std::set<std::uint64_t> handles_;              // handles its query() returned
  std::set<std::string> fed_;                    // every member name fed (and our own)
  std::map<std::string, std::uint64_t> clocks_;  // last Lamport times seen
  swim::StreamId inbound_streams_ = 0;
  std::uint32_t self_incarnation_ = 0;
  int leave_state_ = 0;
  bool shutdown_ = false;
  bool tracing_ = std::getenv("FUZZ_NODE_TRACE") != nullptr;
};

}  // namespace fuzz_node

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  fuzz_node::Harness(in).run();
  return 0;
}
