// Text forms of gossip addresses for logs, join errors and member listings, as Go's net.IP
// String prints them (Serf's listings): RFC 5952 zero compression, and an IPv4-mapped address
// (Serf bound to 0.0.0.0 gossips its IPv4 address in that 16-byte form) in dotted IPv4 form.
// Written here because the core must not include socket headers.
#include "swim/address.h"

#include <algorithm>

#include <fmt/format.h>

namespace swim {
namespace {

std::string ipv6_string(const util::Bytes& ip) {
  std::uint16_t words[8];
  for (int i = 0; i < 8; ++i) words[i] = static_cast<std::uint16_t>(ip[2 * i] << 8 | ip[2 * i + 1]);
  // The longest run of two or more zero words (the first on ties) becomes "::".
  int best = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (words[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && words[j] == 0) ++j;
    if (j - i >= 2 && j - i > best_len) {
      best = i;
      best_len = j - i;
    }
    i = j;
  }
  std::string s;
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      s += "::";
      i += best_len - 1;
      continue;
    }
    if (!s.empty() && s.back() != ':') s += ':';
    s += fmt::format("{:x}", words[i]);
  }
  return s;
}

}  // namespace

bool is_ipv4_mapped(const util::Bytes& ip) {
  static constexpr std::uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return ip.size() == 16 && std::equal(prefix, prefix + 12, ip.begin());
}

std::string ip_string(const util::Bytes& ip) {
  if (ip.size() == 4) return fmt::format("{}.{}.{}.{}", ip[0], ip[1], ip[2], ip[3]);
  if (is_ipv4_mapped(ip)) return fmt::format("{}.{}.{}.{}", ip[12], ip[13], ip[14], ip[15]);
  if (ip.size() == 16) return ipv6_string(ip);
  if (ip.empty()) return "<nil>";
  return "?" + util::to_hex(ip);  // as Go prints an IP of the wrong length
}

std::string to_string(const Address& a) {
  if (a.ip.size() == 16 && !is_ipv4_mapped(a.ip)) return fmt::format("[{}]:{}", ip_string(a.ip), a.port);
  return fmt::format("{}:{}", ip_string(a.ip), a.port);
}

}  // namespace swim
