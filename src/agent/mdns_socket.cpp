// mDNS sockets: see mdns_socket.h. Sockets are made with plain syscalls (so that a missing
// address family is an errno, not a half-made libuv handle) and then given to uv_udp_open.
#include "agent/mdns_socket.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include <fmt/format.h>

namespace agent {

namespace {

const in_addr group_v4 = {htonl(0xe00000fb)};  // 224.0.0.251
const in6_addr group_v6 = {{{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfb}}};

util::Error errno_error(const std::string& what, int err = errno) {
  return {util::Errc::io, what + ": " + std::strerror(err)};
}

util::Status set_int(int fd, int level, int option, int value, const char* what) {
  if (setsockopt(fd, level, option, &value, sizeof value) != 0) return errno_error(what);
  return {};
}

// A non-blocking UDP socket on the wildcard address and `port`.
util::Result<int> open_bound(int family, std::uint16_t port) {
  const int fd = ::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
  if (fd < 0) return errno_error("socket");
  auto fail = [fd](util::Error e) {
    ::close(fd);
    return e;
  };
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (family == AF_INET) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    len = sizeof *sin;
  } else {
    if (auto s = set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1, "IPV6_V6ONLY"); !s.ok())
      return fail(s.error());
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    len = sizeof *sin6;
  }
  if (port != 0)
    if (auto s = set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR"); !s.ok())
      return fail(s.error());
  if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0)
    return fail(errno_error(fmt::format("bind {} port {}", family_name(family), port)));
  return fd;
}

util::Status join_group(int fd, int family, unsigned index) {
  if (family == AF_INET) {
    ip_mreqn m{};
    m.imr_multiaddr = group_v4;
    m.imr_ifindex = static_cast<int>(index);
    if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m) != 0)
      return errno_error("join 224.0.0.251");
    return {};
  }
  ipv6_mreq m{};
  m.ipv6mr_multiaddr = group_v6;
  m.ipv6mr_interface = index;
  if (setsockopt(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &m, sizeof m) != 0)
    return errno_error("join ff02::fb");
  return {};
}

util::Status set_multicast_interface(int fd, int family, unsigned index) {
  if (family == AF_INET) {
    ip_mreqn m{};
    m.imr_ifindex = static_cast<int>(index);
    if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof m) != 0)
      return errno_error("IP_MULTICAST_IF");
    return {};
  }
  return set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, static_cast<int>(index), "IPV6_MULTICAST_IF");
}

sockaddr_storage group_address(int family) {
  sockaddr_storage ss{};
  if (family == AF_INET) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(mdns_port);
    sin->sin_addr = group_v4;
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(mdns_port);
    sin6->sin6_addr = group_v6;
  }
  return ss;
}

}  // namespace

const char* family_name(int family) { return family == AF_INET ? "IPv4" : "IPv6"; }

util::Result<std::vector<MulticastInterface>> multicast_interfaces(int family,
                                                                const std::string& only) {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return errno_error("getifaddrs");
  std::set<std::string> names;
  for (ifaddrs* it = list; it; it = it->ifa_next) {
    if (!it->ifa_addr || it->ifa_addr->sa_family != family || !(it->ifa_flags & IFF_UP)) continue;
    const bool multicast = (it->ifa_flags & IFF_MULTICAST) && !(it->ifa_flags & IFF_LOOPBACK);
    const bool wanted = only.empty() ? multicast : only == it->ifa_name;
    if (wanted) names.insert(it->ifa_name);
  }
  freeifaddrs(list);
  std::vector<MulticastInterface> out;
  for (auto& name : names)
    if (unsigned index = if_nametoindex(name.c_str()); index != 0) out.push_back({name, index});
  if (!out.empty()) return out;
  const char* fam = family_name(family);
  const std::string why = only.empty()
                              ? fmt::format("no multicast interface has an {} address", fam)
                              : fmt::format("interface {} has no {} address", only, fam);
  return util::Error{util::Errc::not_found, why};
}

util::Result<std::unique_ptr<MdnsSocket>> MdnsSocket::open_multicast(
    uv_loop_t* loop, int family, const std::vector<MulticastInterface>& interfaces,
    util::Bytes& slab, OnDatagram on_datagram) {
  auto fd = open_bound(family, mdns_port);
  if (!fd.ok()) return fd.error();
  std::string errors;
  bool joined = false;
  for (auto& i : interfaces) {
    auto s = join_group(*fd, family, i.index);
    if (s.ok()) joined = true;
    else errors += (errors.empty() ? "" : "; ") + i.name + ": " + s.error().detail;
  }
  if (!joined) {
    ::close(*fd);
    return util::Error{util::Errc::io, errors.empty() ? "no interface to join" : errors};
  }
  std::unique_ptr<MdnsSocket> s(new MdnsSocket(family, slab, std::move(on_datagram)));
  if (auto st = s->adopt(loop, *fd); !st.ok()) return st.error();
  return s;
}

util::Result<std::unique_ptr<MdnsSocket>> MdnsSocket::open_unicast(uv_loop_t* loop, int family,
                                                                   util::Bytes& slab,
                                                                   OnDatagram on_datagram) {
  auto fd = open_bound(family, 0);
  if (!fd.ok()) return fd.error();
  const int level = family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
  const int loop_option = family == AF_INET ? IP_MULTICAST_LOOP : IPV6_MULTICAST_LOOP;
  if (auto st = set_int(*fd, level, loop_option, 1, "multicast loop"); !st.ok()) {
    ::close(*fd);
    return st.error();
  }
  std::unique_ptr<MdnsSocket> s(new MdnsSocket(family, slab, std::move(on_datagram)));
  if (auto st = s->adopt(loop, *fd); !st.ok()) return st.error();
  return s;
}

// Hands `fd` to libuv and starts reading; closes `fd` itself if libuv did not take it.
util::Status MdnsSocket::adopt(uv_loop_t* loop, int fd) {
  if (auto s = udp_.init("uv_udp_init", uv_udp_init, loop, this); !s.ok()) {
    ::close(fd);
    return s;
  }
  if (int rc = uv_udp_open(udp_.get(), fd); rc != 0) {
    ::close(fd);
    return util::Error{util::Errc::io, std::string("uv_udp_open: ") + uv_strerror(rc)};
  }
  int rc = uv_udp_recv_start(
      udp_.get(),
      [](uv_handle_t* h, std::size_t, uv_buf_t* buf) {
        auto* self = runtime::owner_of<MdnsSocket>(h);
        if (!self) {
          *buf = uv_buf_init(nullptr, 0);
          return;
        }
        *buf = uv_buf_init(reinterpret_cast<char*>(self->slab_.data()),
                           static_cast<unsigned>(self->slab_.size()));
      },
      [](uv_udp_t* h, ssize_t nread, const uv_buf_t*, const sockaddr* from, unsigned flags) {
        if (auto* self = runtime::owner_of<MdnsSocket>(h)) self->on_read(nread, from, flags);
      });
  if (rc != 0)
    return util::Error{util::Errc::io, std::string("uv_udp_recv_start: ") + uv_strerror(rc)};
  return {};
}

void MdnsSocket::on_read(ssize_t nread, const sockaddr* from, unsigned flags) {
  // Nothing (0 bytes, no sender), errors and datagrams longer than the slab are dropped.
  if (nread <= 0 || !from || (flags & UV_UDP_PARTIAL)) return;
  on_datagram_(util::ByteView(slab_.data(), static_cast<std::size_t>(nread)), from);
}

util::Status MdnsSocket::send_to(util::ByteView bytes, const sockaddr* to) {
  uv_buf_t buf = uv_buf_init(const_cast<char*>(reinterpret_cast<const char*>(bytes.data())),
                             static_cast<unsigned>(bytes.size()));
  int rc = uv_udp_try_send(udp_.get(), &buf, 1, to);
  if (rc < 0) return util::Error{util::Errc::io, uv_strerror(rc)};
  return {};
}

util::Status MdnsSocket::send_to_group(util::ByteView bytes, const MulticastInterface& out) {
  uv_os_fd_t fd = -1;
  if (int rc = uv_fileno(udp_.handle(), &fd); rc != 0)
    return util::Error{util::Errc::io, uv_strerror(rc)};
  if (auto s = set_multicast_interface(fd, family_, out.index); !s.ok()) return s;
  const auto group = group_address(family_);
  return send_to(bytes, reinterpret_cast<const sockaddr*>(&group));
}

}  // namespace agent
