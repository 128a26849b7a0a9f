// Parsing of the address strings users give the agent, without DNS (the caller resolves the
// host with net_lookup): -bind/-advertise follow Serf's AddrParts (Go's net.SplitHostPort, a
// missing port becomes 7946), join strings follow memberlist's resolveAddr ("name/host:port",
// a missing port becomes the caller's default, a bare IPv6 address may go without brackets).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.h"

namespace agent {

inline constexpr std::uint16_t default_bind_port = 7946;

struct HostPort {
  std::string host;        // IP literal or DNS name, brackets removed ("::1", "10.0.0.1", "db")
  std::uint16_t port = 0;
  std::string name;        // join strings only: the optional "nodename/" prefix
  friend bool operator==(const HostPort&, const HostPort&) = default;
};

// "host", "host:port", "[v6]", "[v6]:port" (an unbracketed IPv6 address is an error, as in
// Serf: "address ::1: too many colons in address"). An empty host means 0.0.0.0.
// Errors are Go's texts, e.g. "address 1.2.3.4:x: invalid port".
util::Result<HostPort> parse_bind_address(std::string_view addr);

// Go's net.Listen("tcp", addr), as Serf opens its RPC listener: the port is required ("address
// 127.0.0.1: missing port in address"); an empty host means every address (0.0.0.0).
util::Result<HostPort> parse_listen_address(std::string_view addr);

// "host", "host:port", "[v6]", "[v6]:port", "::1" (no port), each optionally prefixed with
// "nodename/". Errors: "empty node name provided", Go's SplitHostPort texts, "invalid port".
util::Result<HostPort> parse_join_address(std::string_view addr, std::uint16_t default_port);

// Go's net.JoinHostPort: brackets a host that contains a colon. "[::1]:7946", "a:1".
std::string join_host_port(std::string_view host, std::uint16_t port);

}  // namespace agent
