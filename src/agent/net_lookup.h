// Address discovery for the agent: DNS (every address a name resolves to), interface
// addresses (-iface), and the private address Serf advertises when bound to 0.0.0.0.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "swim/address.h"
#include "util/result.h"

namespace agent {

// A literal IP gives itself; a name gives every IPv4 and IPv6 address it resolves to.
util::Result<std::vector<swim::Address>> resolve_host(const std::string& host, std::uint16_t port);

// The first non-link-local address of `iface` (IPv4 preferred).
util::Result<util::Bytes> interface_address(const std::string& iface);
// Does `ip` belong to `iface`?
bool interface_has_address(const std::string& iface, const util::Bytes& ip);

// Serf's rule for bind 0.0.0.0 without -advertise: a private (RFC 6890) IPv4 address on the
// interface that carries the default route, else on any interface.
util::Result<util::Bytes> private_ip();

bool is_unspecified(const util::Bytes& ip);

}  // namespace agent
