// Failure detection for swim::Core (SWIM §4 with Lifeguard, memberlist state.go probe/probeNode
// and net.go handlePing/handleIndirectPing/handleAck/handleNack; gossip-wire.md §7.1-§7.3).
// One probe runs at a time: ping, wait ProbeTimeout, then indirect pings plus a TCP ping, wait
// until the awareness-scaled probe interval is over, then suspect the target.
#include <algorithm>

#include "swim/core_impl.h"
#include "wire/codec.h"

namespace swim {

using util::LogLevel;

// memberlist's probe ticker: a tick that arrives while a probe runs is kept (Go's ticker
// channel holds one) and starts the next probe as soon as the current one is over.
void Core::Impl::probe_tick(util::Instant now, Outbox& out) {
  schedule(now + cfg.probe_interval, {TimerKind::probe_tick, 0, {}});
  if (prober.current) {
    prober.tick_pending = true;
    return;
  }
  probe(now, out);
}

// The next node of the shuffled round-robin that is neither us nor dead or left. Wrapping
// around reaps old dead nodes and reshuffles.
void Core::Impl::probe(util::Instant now, Outbox& out) {
  std::size_t checked = 0;
  for (;;) {
    if (checked >= members.size()) return;
    if (prober.index >= members.size()) {
      auto removed =
          members.reset(now, cfg.gossip_to_the_dead, cfg.reap_left_nodes, cfg.name, rng);
      for (const auto& name : removed) {
        suspicions.erase(name);
        logf(LogLevel::debug, "Reaped node {} from the member list", name);
      }
      prober.index = 0;
      ++checked;
      continue;
    }
    const Node& node = members.at(prober.index++);
    if (node.name == cfg.name || node.state == State::dead || node.state == State::left) {
      ++checked;
      continue;
    }
    const Node target = node;
    probe_node(target, now, out);
    return;
  }
}

void Core::Impl::probe_node(const Node& node, util::Instant now, Outbox& out) {
  if (!is_valid_ip(node.addr.ip)) {
    logf(LogLevel::err, "Failed to send ping: invalid address for node {}", node.name);
    return;
  }
  const util::Duration interval = awareness.scale(cfg.probe_interval);
  const std::uint32_t seq = prober.next_seq();
  const wire::Ping ping = make_ping(seq, node.name);
  if (node.state == State::alive) {
    send_msg(node.addr, wire::encode(ping), out);
  } else {
    // Give a suspect node the accusation along with the ping, so it can refute at once.
    const util::Bytes parts[] = {
        wire::encode(ping), wire::encode(wire::Suspect{node.incarnation, node.name, cfg.name})};
    raw_send(node.addr, &node, wire::make_compound(parts), out);
  }
  prober.current = ProbeRun{seq, node, now, now + interval, true, 0, 0, false};
  schedule(now + cfg.probe_timeout, {TimerKind::probe_timeout, seq, {}});
  schedule(now + interval, {TimerKind::probe_end, seq, {}});
}

// No direct ack in time: ask up to IndirectChecks alive peers, and try TCP ourselves.
void Core::Impl::on_probe_timeout(std::uint32_t seq, util::Instant /*now*/, Outbox& out) {
  ProbeRun* run = prober.running(seq);
  if (run == nullptr || !run->direct) return;
  ProbeRun& p = *run;
  p.direct = false;
  logf(LogLevel::debug, "Failed ping: {} (timeout reached)", p.target.name);

  auto peers = members.k_random(cfg.indirect_checks, rng, [&](const Node& n) {
    return n.name == cfg.name || n.name == p.target.name || n.state != State::alive;
  });
  wire::IndirectPing ind;
  ind.seq_no = seq;
  ind.target = p.target.addr.ip;
  ind.port = p.target.addr.port;
  ind.node = p.target.name;
  ind.source_addr = cfg.advertise.ip;
  ind.source_node = cfg.name;
  ind.source_port = cfg.advertise.port;
  for (Node* peer : peers) {
    ind.nack = peer->vsn.pmax >= 4;  // only protocol >= 4 peers send nacks
    if (ind.nack) ++p.expected_nacks;
    send_msg(peer->addr, wire::encode(ind), out);
  }

  if (!cfg.disable_tcp_pings && p.target.vsn.pmax >= 3) {
    PendingStream call;
    call.purpose = StreamPurpose::tcp_ping;
    call.to = p.target.addr;
    call.node = p.target.name;
    call.seq = seq;
    const StreamId id = calls.open(std::move(call));
    const wire::StreamMessage msg = make_ping(seq, p.target.name);
    out.streams.push_back(StreamCall{id, p.target.addr, frame_stream_msg(msg), true, p.end});
  }
}

// The probe interval is over without an ack: suspect the target (unless TCP got through).
void Core::Impl::on_probe_end(std::uint32_t seq, util::Instant now, Outbox& out) {
  const std::optional<ProbeRun> run = prober.finish(seq);
  if (!run) return;
  const ProbeRun& p = *run;
  if (p.tcp_ok) {
    logf(LogLevel::warn,
         "Was able to connect to {} but other probes failed, network may be misconfigured",
         p.target.name);
    awareness.apply_delta(-1);
  } else {
    // Lifeguard: missing nacks mean we may be the slow one; no nack-capable peers, +1.
    const int delta = p.expected_nacks > 0 ? std::max(0, p.expected_nacks - p.nacks) : 1;
    awareness.apply_delta(delta);
    logf(LogLevel::info, "Suspect {} has failed, no acks received", p.target.name);
    suspect_node(wire::Suspect{p.target.incarnation, p.target.name, cfg.name}, now);
  }
  finish_probe(now, out);
}

void Core::Impl::finish_probe(util::Instant now, Outbox& out) {
  if (prober.tick_pending) {
    prober.tick_pending = false;
    probe(now, out);
  }
}

void Core::Impl::handle_ping(const wire::Ping& p, const Address& from, Outbox& out) {
  if (!p.node.empty() && p.node != cfg.name) {
    logf(LogLevel::warn, "Got ping for unexpected node '{}' from={}", p.node, to_string(from));
    return;
  }
  wire::Ack ack{p.seq_no, delegate.ack_payload()};
  const bool has_source = !p.source_addr.empty() && p.source_port > 0;
  send_msg(has_source ? Address{p.source_addr, p.source_port} : from, wire::encode(ack), out);
}

void Core::Impl::handle_indirect_ping(const wire::IndirectPing& ind, const Address& from,
                                      util::Instant now, Outbox& out) {
  if (!is_valid_ip(ind.target)) {
    logf(LogLevel::err, "Failed to send indirect ping: invalid target address from={}",
         to_string(from));
    return;
  }
  if (prober.relays.size() >= limits::indirect_relays_max) {
    refuse(counters.relays_full, "Dropping indirect pings: {} are being served already from={}",
           limits::indirect_relays_max, to_string(from));
    return;
  }
  const std::uint16_t port = ind.port != 0 ? ind.port : cfg.advertise.port;
  const std::uint32_t local = prober.next_seq();
  const bool has_source = !ind.source_addr.empty() && ind.source_port > 0;
  prober.relays[local] = IndirectRelay{
      ind.seq_no, has_source ? Address{ind.source_addr, ind.source_port} : from, ind.nack};
  send_msg(Address{ind.target, port}, wire::encode(make_ping(local, ind.node)), out);
  schedule(now + cfg.probe_timeout, {TimerKind::indirect_timeout, local, {}});
}

void Core::Impl::handle_ack(const wire::Ack& ack, util::Instant now, Outbox& out) {
  if (const std::optional<ProbeRun> p = prober.finish(ack.seq_no)) {
    if (p->direct) delegate.notify_ping_complete(p->target, now - p->sent, ack.payload);
    awareness.apply_delta(-1);
    finish_probe(now, out);
    return;
  }
  if (const std::optional<IndirectRelay> relay = prober.take_relay(ack.seq_no)) {
    send_msg(relay->reply_to, wire::encode(wire::Ack{relay->requester_seq, {}}), out);
  }
}

void Core::Impl::handle_nack(const wire::Nack& nack) {
  if (ProbeRun* p = prober.running(nack.seq_no)) {
    p->nacks = std::min(p->nacks + 1, cfg.indirect_checks + 1);
  }
}

// The target of an indirect ping we serve stayed silent for ProbeTimeout.
void Core::Impl::on_indirect_timeout(std::uint32_t seq, Outbox& out) {
  const std::optional<IndirectRelay> relay = prober.take_relay(seq);
  if (relay && relay->nack) {
    send_msg(relay->reply_to, wire::encode(wire::Nack{relay->requester_seq}), out);
  }
}

void Core::Impl::on_tcp_ping_reply(const PendingStream& call, util::Result<util::Bytes> reply) {
  ProbeRun* probe = prober.running(call.seq);
  if (probe == nullptr) return;  // the probe is over
  if (!reply.ok()) {
    // A dead node is expected to refuse or time out: not worth more than a debug line.
    logf(LogLevel::debug, "Fallback ping to {} failed: {}", call.node, reply.error().detail);
    return;
  }
  auto plain = wire::unframe_stream(*reply);
  if (!plain.ok()) {
    logf(LogLevel::err, "Failed fallback ping: {}", plain.error().detail);
    return;
  }
  auto msg = wire::decode_stream(*plain);
  if (!msg.ok()) {
    logf(LogLevel::err, "Failed fallback ping: {}", msg.error().detail);
    return;
  }
  const auto* ack = std::get_if<wire::Ack>(&*msg);
  if (ack == nullptr) {
    logf(LogLevel::err, "Failed fallback ping: unexpected message from={}", to_string(call.to));
    return;
  }
  if (ack->seq_no != call.seq) {
    logf(LogLevel::err,
         "Failed fallback ping: Sequence number from ack ({}) doesn't match ping ({})",
         ack->seq_no, call.seq);
    return;
  }
  probe->tcp_ok = true;
}

}  // namespace swim
