// Address discovery for the agent: DNS (every address a name resolves to), interface
// addresses (-iface), and the private address Serf advertises when bound to 0.0.0.0.
//
// Two ways to resolve: resolve_host() blocks (start-up only: bind, advertise and RPC
// addresses, before the node serves anyone); HostLookups resolves on libuv's thread pool for
// everything once the loop runs (RPC join, -retry-join, mDNS), since a slow resolver must not
// freeze the node long enough for peers to suspect it.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "swim/address.h"
#include "util/result.h"

namespace agent {

// A literal IP gives itself; a name gives every IPv4 and IPv6 address it resolves to.
util::Result<std::vector<swim::Address>> resolve_host(const std::string& host, std::uint16_t port);

// Lookups on the loop's thread pool; answers come back on the loop thread.
class HostLookups {
 public:
  using Done = std::function<void(util::Result<std::vector<swim::Address>>)>;

  explicit HostLookups(uv_loop_t* loop) : loop_(loop), outstanding_(std::make_shared<std::size_t>(0)) {}
  ~HostLookups() { cancel_all(); }
  HostLookups(const HostLookups&) = delete;
  HostLookups& operator=(const HostLookups&) = delete;

  // Same answers as resolve_host. A literal IP, a lookup libuv refuses to start, or one past
  // limits::name_lookups_max in progress is answered at once, inside this call; a name is
  // answered later, from the loop.
  void resolve(const std::string& host, std::uint16_t port, Done done);
  // Lookups not answered yet never will be: queued ones are cancelled; one that a pool thread
  // is running finishes there (getaddrinfo cannot be interrupted) and its answer is dropped.
  void cancel_all();
  // Requests libuv still holds, cancelled ones included: each keeps the loop alive until its
  // thread returns from the resolver.
  [[nodiscard]] std::size_t outstanding() const { return *outstanding_; }

 private:
  struct Request;
  static void on_resolved(uv_getaddrinfo_t* req, int status, addrinfo* res);

  uv_loop_t* loop_;
  std::set<Request*> pending_;
  std::shared_ptr<std::size_t> outstanding_;  // shared with the requests, which may outlive us
};

// Resolves join strings ("host", "host:port", "[v6]:port"; `default_port` when none is given)
// to seeds, every lookup at once: `done(seeds, in the order given; one "Failed to resolve ..."
// line per string that failed)`, at once when every string is a literal address.
using SeedsDone = std::function<void(std::vector<swim::Address> seeds, std::vector<std::string> errors)>;
void resolve_join_addresses(HostLookups& lookups, const std::vector<std::string>& addresses,
                            std::uint16_t default_port, SeedsDone done);

// The first non-link-local address of `iface` (IPv4 preferred).
util::Result<util::Bytes> interface_address(const std::string& iface);
// Does `ip` belong to `iface`?
bool interface_has_address(const std::string& iface, const util::Bytes& ip);

// Serf's rule for bind 0.0.0.0 without -advertise: a private (RFC 6890) IPv4 address on the
// interface that carries the default route, else on any interface.
util::Result<util::Bytes> private_ip();

bool is_unspecified(const util::Bytes& ip);

}  // namespace agent
