// The UDP sockets of mDNS discovery, one address family each, handed to libuv once set up.
//
// The responder's socket is bound to the wildcard address and port 5353 with SO_REUSEADDR and
// joined to 224.0.0.251 / ff02::fb, as Go's net.ListenMulticastUDP does, so serf and several
// shoal agents share one host or network namespace (the kernel gives every one of them each
// multicast datagram). The browser's socket has an ephemeral port: queries go out from it
// (multicast loop on, so agents on the same host hear them; TTL/hop limit left at the kernel's
// 1, as Go leaves it) and the unicast answers come back to it. IPv6 sockets are IPv6-only.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <uv.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "runtime/uv_handle.h"
#include "util/bytes.h"
#include "util/result.h"

namespace agent {

constexpr std::uint16_t mdns_port = 5353;

struct MulticastInterface {
  std::string name;
  unsigned index = 0;  // 0: the kernel's choice (the route to the group)
};

// The interfaces to join and send on for `family` (AF_INET or AF_INET6): `only` when given, if
// it has an address of that family; otherwise every interface that is up, multicast-capable,
// not loopback and has an address of that family. Fails, with the reason, when none qualifies.
util::Result<std::vector<MulticastInterface>> multicast_interfaces(int family,
                                                                const std::string& only);

// "IPv4" or "IPv6".
const char* family_name(int family);

class MdnsSocket {
 public:
  // A datagram and its sender; the bytes are only valid during the call.
  using OnDatagram = std::function<void(util::ByteView bytes, const sockaddr* from)>;

  // The responder's socket: port 5353, joined on each interface that accepts the group. Fails
  // when none does (the reasons joined in the error).
  static util::Result<std::unique_ptr<MdnsSocket>> open_multicast(
      uv_loop_t* loop, int family, const std::vector<MulticastInterface>& interfaces,
      util::Bytes& slab, OnDatagram on_datagram);
  // The browser's socket: an ephemeral port.
  static util::Result<std::unique_ptr<MdnsSocket>> open_unicast(uv_loop_t* loop, int family,
                                                                util::Bytes& slab,
                                                                OnDatagram on_datagram);
  ~MdnsSocket() = default;
  MdnsSocket(const MdnsSocket&) = delete;
  MdnsSocket& operator=(const MdnsSocket&) = delete;

  // Sends now or fails (a would-block is a failure: mDNS is best effort).
  util::Status send_to(util::ByteView bytes, const sockaddr* to);
  // Sends to the family's mDNS group out of `out` (index 0: the kernel's choice).
  util::Status send_to_group(util::ByteView bytes, const MulticastInterface& out);

  [[nodiscard]] int family() const { return family_; }

 private:
  MdnsSocket(int family, util::Bytes& slab, OnDatagram on_datagram)
      : family_(family), slab_(slab), on_datagram_(std::move(on_datagram)) {}
  util::Status adopt(uv_loop_t* loop, int fd);
  void on_read(ssize_t nread, const sockaddr* from, unsigned flags);

  int family_;
  util::Bytes& slab_;  // shared by an agent's sockets: libuv reads one datagram at a time
  OnDatagram on_datagram_;
  runtime::UvHandle<uv_udp_t> udp_;
};

}  // namespace agent
