// A gossip endpoint: raw IP bytes (4 for IPv4, 16 for IPv6, as on the wire) and a port.
#pragma once

#include <compare>
#include <cstdint>
#include <string>

#include "util/bytes.h"

namespace swim {

struct Address {
  util::Bytes ip;  // 4 or 16 bytes; an IPv4 address is never stored in 16-byte form
  std::uint16_t port = 0;
  friend auto operator<=>(const Address&, const Address&) = default;
};

// "127.0.0.1:7946", "[::1]:7946"; ip_string omits the port ("127.0.0.1", "::1").
std::string to_string(const Address& a);
std::string ip_string(const util::Bytes& ip);
// ::ffff:a.b.c.d, the 16-byte form of an IPv4 address (Go's To4 accepts it).
bool is_ipv4_mapped(const util::Bytes& ip);
// 4 or 16 bytes: the only lengths Go's net.IP gives meaning to (gossip-wire.md §4).
inline bool is_valid_ip(const util::Bytes& ip) { return ip.size() == 4 || ip.size() == 16; }

}  // namespace swim
