// Address discovery: see net_lookup.h.
#include "agent/net_lookup.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>

#include "runtime/sockaddr.h"

namespace agent {

namespace {

bool is_private_v4(const util::Bytes& ip) {
  if (ip.size() != 4) return false;
  return ip[0] == 10 || (ip[0] == 100 && (ip[1] & 0xc0) == 64) ||
         (ip[0] == 172 && (ip[1] & 0xf0) == 16) || (ip[0] == 192 && ip[1] == 168) ||
         (ip[0] == 198 && (ip[1] & 0xfe) == 18);
}

bool is_link_local(const util::Bytes& ip) {
  if (ip.size() == 4) return ip[0] == 169 && ip[1] == 254;
  return ip.size() == 16 && ip[0] == 0xfe && (ip[1] & 0xc0) == 0x80;
}

std::string default_route_interface() {
  std::ifstream routes("/proc/net/route");
  std::string line;
  std::getline(routes, line);  // header
  while (std::getline(routes, line)) {
    std::istringstream fields(line);
    std::string iface, destination;
    fields >> iface >> destination;
    if (destination == "00000000") return iface;
  }
  return {};
}

template <typename Visit>
void for_each_interface_address(Visit&& visit) {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return;
  for (ifaddrs* it = list; it; it = it->ifa_next) {
    if (!it->ifa_addr || !(it->ifa_flags & IFF_UP)) continue;
    auto a = runtime::from_sockaddr(it->ifa_addr);
    if (a.ok()) visit(std::string(it->ifa_name), a->ip);
  }
  freeifaddrs(list);
}

}  // namespace

bool is_unspecified(const util::Bytes& ip) {
  return std::all_of(ip.begin(), ip.end(), [](std::uint8_t b) { return b == 0; });
}

util::Result<std::vector<swim::Address>> resolve_host(const std::string& host, std::uint16_t port) {
  if (auto ip = runtime::parse_ip(host); ip.ok()) return std::vector<swim::Address>{{*ip, port}};
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(host.c_str(), nullptr, &hints, &res);
  if (rc != 0) return util::Error{util::Errc::not_found, "lookup " + host + ": " + gai_strerror(rc)};
  std::vector<swim::Address> out;
  for (addrinfo* it = res; it; it = it->ai_next) {
    auto a = runtime::from_sockaddr(it->ai_addr);
    if (!a.ok()) continue;
    a->port = port;
    if (std::find(out.begin(), out.end(), *a) == out.end()) out.push_back(*a);
  }
  freeaddrinfo(res);
  if (out.empty()) return util::Error{util::Errc::not_found, "lookup " + host + ": no addresses"};
  return out;
}

util::Result<util::Bytes> interface_address(const std::string& iface) {
  util::Bytes v4, v6;
  bool found = false;
  for_each_interface_address([&](const std::string& name, const util::Bytes& ip) {
    if (name != iface) return;
    found = true;
    if (is_link_local(ip)) return;
    if (ip.size() == 4 && v4.empty()) v4 = ip;
    if (ip.size() == 16 && v6.empty()) v6 = ip;
  });
  if (!found) return util::Error{util::Errc::not_found, "Error getting interface: route ip+net: no such network interface"};
  if (!v4.empty()) return v4;
  if (!v6.empty()) return v6;
  return util::Error{util::Errc::not_found, "Interface '" + iface + "' has no addresses"};
}

bool interface_has_address(const std::string& iface, const util::Bytes& ip) {
  bool has = false;
  for_each_interface_address([&](const std::string& name, const util::Bytes& a) {
    if (name == iface && a == ip) has = true;
  });
  return has;
}

util::Result<util::Bytes> private_ip() {
  const std::string route_iface = default_route_interface();
  util::Bytes on_route, anywhere;
  for_each_interface_address([&](const std::string& name, const util::Bytes& ip) {
    if (!is_private_v4(ip)) return;
    if (name == route_iface && on_route.empty()) on_route = ip;
    if (anywhere.empty()) anywhere = ip;
  });
  if (!on_route.empty()) return on_route;
  if (!anywhere.empty()) return anywhere;
  return util::Error{util::Errc::not_found, "Failed to get advertise address: no private IP address found, and explicit IP not provided"};
}

}  // namespace agent
