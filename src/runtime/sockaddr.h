// Conversions between swim::Address (raw IP bytes + port, as on the wire) and sockaddrs.
#pragma once

#include <sys/socket.h>

#include "swim/address.h"
#include "util/result.h"

namespace runtime {

// IPv4-mapped IPv6 addresses come back as 4-byte IPv4 (the wire form must not flip).
util::Result<swim::Address> from_sockaddr(const sockaddr* sa);
// Fails for an ip that is neither 4 nor 16 bytes. An IPv4 address, 4-byte or IPv4-mapped (as
// Serf bound to 0.0.0.0 gossips it), becomes AF_INET, unless the socket it is for is AF_INET6:
// then the mapped form, which a dual-stack socket sends over IPv4.
util::Status to_sockaddr(const swim::Address& a, sockaddr_storage& out, int socket_family = AF_UNSPEC);
// Parses a numeric IPv4/IPv6 literal (no brackets, no port).
util::Result<util::Bytes> parse_ip(const std::string& text);

}  // namespace runtime
