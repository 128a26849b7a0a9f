// sockaddr <-> swim::Address.
#include "runtime/sockaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

namespace runtime {

util::Result<swim::Address> from_sockaddr(const sockaddr* sa) {
  if (sa == nullptr) return util::Error{util::Errc::invalid_argument, "no address"};
  swim::Address a;
  if (sa->sa_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    const auto* p = reinterpret_cast<const std::uint8_t*>(&in->sin_addr);
    a.ip.assign(p, p + 4);
    a.port = ntohs(in->sin_port);
    return a;
  }
  if (sa->sa_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    const auto* p = reinterpret_cast<const std::uint8_t*>(&in6->sin6_addr);
    if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
      a.ip.assign(p + 12, p + 16);
    else
      a.ip.assign(p, p + 16);
    a.port = ntohs(in6->sin6_port);
    return a;
  }
  return util::Error{util::Errc::unsupported, "address family"};
}

util::Status to_sockaddr(const swim::Address& a, sockaddr_storage& out, int socket_family) {
  std::memset(&out, 0, sizeof out);
  const bool v4 = a.ip.size() == 4 || swim::is_ipv4_mapped(a.ip);
  if (v4 && socket_family != AF_INET6) {
    auto* in = reinterpret_cast<sockaddr_in*>(&out);
    in->sin_family = AF_INET;
    in->sin_port = htons(a.port);
    std::memcpy(&in->sin_addr, a.ip.data() + a.ip.size() - 4, 4);
    return {};
  }
  if (v4) {  // an IPv4 peer reached from an IPv6 (dual-stack) socket
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&out);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(a.port);
    in6->sin6_addr.s6_addr[10] = 0xff;
    in6->sin6_addr.s6_addr[11] = 0xff;
    std::memcpy(&in6->sin6_addr.s6_addr[12], a.ip.data() + a.ip.size() - 4, 4);
    return {};
  }
  if (a.ip.size() == 16) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&out);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(a.port);
    std::memcpy(&in6->sin6_addr, a.ip.data(), 16);
    return {};
  }
  return util::Error{util::Errc::invalid_argument, "IP address must have 4 or 16 bytes"};
}

util::Result<util::Bytes> parse_ip(const std::string& text) {
  std::uint8_t buf[16];
  if (inet_pton(AF_INET, text.c_str(), buf) == 1) return util::Bytes(buf, buf + 4);
  if (inet_pton(AF_INET6, text.c_str(), buf) == 1) {
    util::Bytes ip(buf, buf + 16);
    // Keep IPv4-mapped addresses in their 4-byte wire form.
    if (swim::is_ipv4_mapped(ip)) ip.erase(ip.begin(), ip.begin() + 12);
    return ip;
  }
  return util::Error{util::Errc::invalid_argument, "not an IP address: " + text};
}

}  // namespace runtime
