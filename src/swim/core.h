// swim::Core: memberlist's SWIM + Lifeguard protocol as a deterministic, sans-IO state machine
// (ARCHITECTURE §3). Time comes in as `now`, randomness from the injected Rng, effects go out
// into the Outbox; the core keeps its own deadline heap and the driver arms one timer at
// next_deadline().
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "swim/config.h"
#include "swim/counters.h"
#include "swim/delegate.h"
#include "swim/node.h"
#include "swim/outbox.h"
#include "util/log.h"
#include "util/result.h"
#include "util/rng.h"
#include "util/time.h"

namespace swim {

class Core {
 public:
  // Like memberlist.Create: we are alive with incarnation 1 (queued for gossip), and the
  // delegate hears notify_join for ourselves from inside this constructor, so it must not call
  // back into the Core from there. Timers start with a random stagger below each interval.
  Core(Config config, Delegate& delegate, util::Logger& log, util::Rng rng, util::Instant now);
  ~Core();
  Core(const Core&) = delete;
  Core& operator=(const Core&) = delete;

  // Push/pull (Join=true) with each seed; a JoinResult follows when all have answered.
  JoinId join(std::span<const Address> seeds, util::Instant now, Outbox& out);

  // A UDP datagram arrived (already decrypted).
  void on_packet(const Address& from, util::ByteView bytes, util::Instant now, Outbox& out);
  // The outcome of a StreamCall: the peer's framed reply, or why there is none.
  void on_stream_reply(StreamId id, util::Result<util::Bytes> reply, util::Instant now,
                       Outbox& out);
  // A peer opened a stream to us and sent one framed message (decrypted); answer in `out`.
  void on_stream_request(StreamId id, const Address& from, util::ByteView bytes,
                         util::Instant now, Outbox& out);
  // Call once now >= next_deadline().
  void on_tick(util::Instant now, Outbox& out);
  [[nodiscard]] util::Instant next_deadline() const;

  // Re-read our meta from the delegate, bump our incarnation and gossip the new alive.
  void update_meta(util::Instant now, Outbox& out);
  // Gossip our own death with From == us (peers record "left"). Check leave_done().
  void leave(util::Instant now, Outbox& out);
  [[nodiscard]] bool leave_done() const;  // our dead message has been fully retransmitted
  // memberlist SendToAddress: 08 + msg by direct UDP, no gossip.
  void send_user_packet(const Address& to, util::ByteView msg, Outbox& out);

  [[nodiscard]] const Node& self() const;
  [[nodiscard]] const Node* find(const std::string& name) const;
  [[nodiscard]] std::vector<const Node*> nodes() const;  // every known node, self included
  [[nodiscard]] int num_alive() const;                   // alive or suspect, self included
  [[nodiscard]] int estimate_num_nodes() const;          // all known, for timeouts
  [[nodiscard]] int health_score() const;                // Lifeguard awareness, 0 = healthy
  [[nodiscard]] const Counters& counters() const;        // what peers sent that we refused
  [[nodiscard]] Footprint footprint() const;             // what we hold now

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace swim
