// Outgoing UDP for swim::Core (memberlist net.go sendMsg/rawSendMsgPacket, state.go gossip,
// gossip-wire.md §3, §5.1, §5.2, §7.6): piggybacking queued broadcasts on every message,
// compound packing within the UDP budget, compression and the CRC rule.
#include "swim/core_impl.h"
#include "wire/codec.h"
#include "wire/limits.h"

namespace swim {

using util::LogLevel;

namespace {
constexpr std::size_t user_msg_overhead = 1;  // the 08 byte memberlist prepends to Serf's bytes
}

void Core::Impl::queue_broadcast(const std::string& node, util::Bytes msg,
                                 std::function<void()> on_finished) {
  broadcasts.queue(node, std::move(msg), std::move(on_finished));
}

// memberlist's own broadcasts first, then the delegate's (each framed as a user message).
std::vector<util::Bytes> Core::Impl::get_broadcasts(std::size_t overhead, std::size_t limit) {
  constexpr std::size_t max_parts = wire::limits::compound_parts_max - 1;  // one for the primary
  std::vector<util::Bytes> out = broadcasts.get(overhead, limit, num_nodes(), max_parts);
  std::size_t used = 0;
  for (const auto& m : out) used += m.size() + overhead;
  const std::size_t avail = limit > used ? limit - used : 0;
  if (avail > overhead + user_msg_overhead) {
    auto user = delegate.get_broadcasts(overhead + user_msg_overhead, avail);
    for (auto& msg : user) {
      if (out.size() >= max_parts) {
        logf(LogLevel::warn, "Dropping a delegate broadcast: compound message is full");
        break;
      }
      util::Bytes framed;
      framed.reserve(msg.size() + 1);
      framed.push_back(static_cast<std::uint8_t>(wire::MessageType::user));
      framed.insert(framed.end(), msg.begin(), msg.end());
      out.push_back(std::move(framed));
    }
  }
  return out;
}

void Core::Impl::send_msg(const Address& to, util::Bytes msg, Outbox& out) {
  const std::size_t overheads =
      msg.size() + wire::compound_header_overhead + cfg.encryption_overhead;
  const std::size_t avail = cfg.udp_buffer_size > overheads ? cfg.udp_buffer_size - overheads : 0;
  std::vector<util::Bytes> extra = get_broadcasts(wire::compound_part_overhead, avail);
  if (extra.empty()) {
    raw_send(to, nullptr, msg, out);
    return;
  }
  std::vector<util::Bytes> parts;
  parts.reserve(extra.size() + 1);
  parts.push_back(std::move(msg));
  for (auto& e : extra) parts.push_back(std::move(e));
  raw_send(to, nullptr, wire::make_compound(parts), out);
}

void Core::Impl::raw_send(const Address& to, const Node* node, util::ByteView msg, Outbox& out) {
  // Without a node record memberlist looks the destination up by its IP string as a node
  // name: that only hits for nodes named after their IP, but then they get a CRC too (§5.2).
  if (node == nullptr) node = members.find(ip_string(to.ip));
  wire::PacketOptions options;
  options.compress = cfg.enable_compression;
  options.crc = node != nullptr && node->vsn.pmax >= 5;
  out.packets.push_back(Datagram{to, wire::frame_packet(msg, options)});
}

// One gossip round: up to GossipNodes random alive, suspect or recently dead peers each get
// one packet of queued broadcasts, sent through the node record (so with a CRC to pmax >= 5).
void Core::Impl::gossip(util::Instant now, Outbox& out) {
  auto targets = members.k_random(cfg.gossip_nodes, rng, [&](const Node& n) {
    if (n.name == cfg.name) return true;
    switch (n.state) {
      case State::alive:
      case State::suspect: return false;
      case State::dead: return now - n.state_change > cfg.gossip_to_the_dead;
      case State::left: return true;
    }
    return true;
  });
  const std::size_t overheads = wire::compound_header_overhead + cfg.encryption_overhead;
  const std::size_t avail = cfg.udp_buffer_size > overheads ? cfg.udp_buffer_size - overheads : 0;
  for (Node* node : targets) {
    std::vector<util::Bytes> msgs = get_broadcasts(wire::compound_part_overhead, avail);
    if (msgs.empty()) return;
    if (msgs.size() == 1) {
      raw_send(node->addr, node, msgs[0], out);
    } else {
      raw_send(node->addr, node, wire::make_compound(msgs), out);
    }
  }
}

wire::Ping Core::Impl::make_ping(std::uint32_t seq, const std::string& node) const {
  wire::Ping p;
  p.seq_no = seq;
  p.node = node;
  p.source_addr = cfg.advertise.ip;
  p.source_node = cfg.name;
  p.source_port = cfg.advertise.port;
  return p;
}

}  // namespace swim
