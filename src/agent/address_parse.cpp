// Address-string parsing for the agent (see address_parse.h). The split follows Go's
// net.SplitHostPort case by case so that the same strings are accepted and the same error
// texts come out ("address X: missing port in address", "... too many colons in address").
#include "agent/address_parse.h"

#include <algorithm>

namespace agent {
namespace {

struct Split {
  std::string host;
  std::string port;
};

util::Error addr_error(std::string_view addr, std::string_view why) {
  return {util::Errc::invalid_argument, "address " + std::string(addr) + ": " + std::string(why)};
}

constexpr std::string_view missing_port = "missing port in address";

// Go's net.SplitHostPort.
util::Result<Split> split_host_port(std::string_view hp) {
  auto i = hp.rfind(':');
  if (i == std::string_view::npos) return addr_error(hp, missing_port);
  std::size_t j = 0, k = 0;
  std::string_view host;
  if (!hp.empty() && hp[0] == '[') {
    auto end = hp.find(']');
    if (end == std::string_view::npos) return addr_error(hp, "missing ']' in address");
    if (end + 1 == hp.size()) return addr_error(hp, missing_port);
    if (end + 1 != i) {
      return addr_error(hp, hp[end + 1] == ':' ? "too many colons in address" : missing_port);
    }
    host = hp.substr(1, end - 1);
    j = 1;
    k = end + 1;
  } else {
    host = hp.substr(0, i);
    if (host.find(':') != std::string_view::npos) {
      return addr_error(hp, "too many colons in address");
    }
  }
  if (hp.substr(j).find('[') != std::string_view::npos) {
    return addr_error(hp, "unexpected '[' in address");
  }
  if (hp.substr(k).find(']') != std::string_view::npos) {
    return addr_error(hp, "unexpected ']' in address");
  }
  return Split{std::string(host), std::string(hp.substr(i + 1))};
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Value of a digit string, saturating well above 65535 so that long inputs cannot overflow.
std::uint32_t digits_value(std::string_view s) {
  std::uint32_t v = 0;
  for (char c : s) v = std::min<std::uint32_t>(v * 10 + static_cast<std::uint32_t>(c - '0'), 1000000);
  return v;
}

// Port of a TCP address as net.ResolveTCPAddr reads it (no service-name lookup: a name is an
// "unknown port", which is what Go reports for names not in /etc/services).
util::Result<std::uint16_t> tcp_port(std::string_view port) {
  if (port.empty()) return std::uint16_t{0};
  if (!all_digits(port)) {
    return util::Error{util::Errc::invalid_argument,
                       "lookup tcp/" + std::string(port) + ": unknown port"};
  }
  auto v = digits_value(port);
  if (v > 65535) return addr_error(port, "invalid port");
  return static_cast<std::uint16_t>(v);
}

// memberlist's hasPort: a bracketed host has a port after ']'; otherwise exactly one colon.
bool has_port(std::string_view s) {
  if (s.rfind('[') == 0) {
    auto colon = s.rfind(':');
    auto close = s.find(']');
    return colon != std::string_view::npos && (close == std::string_view::npos || colon > close);
  }
  return std::count(s.begin(), s.end(), ':') == 1;
}

}  // namespace

std::string join_host_port(std::string_view host, std::uint16_t port) {
  std::string out;
  if (host.find(':') != std::string_view::npos) {
    out = "[" + std::string(host) + "]";
  } else {
    out = std::string(host);
  }
  return out + ":" + std::to_string(port);
}

util::Result<HostPort> parse_bind_address(std::string_view addr) {
  auto split = split_host_port(addr);
  std::string with_port;
  if (!split.ok() && split.error().detail == "address " + std::string(addr) + ": " +
                                                 std::string(missing_port)) {
    with_port = std::string(addr) + ":" + std::to_string(default_bind_port);
    split = split_host_port(with_port);
  }
  if (!split.ok()) return split.error();
  auto port = tcp_port(split->port);
  if (!port.ok()) return port.error();
  HostPort out;
  out.host = split->host.empty() ? "0.0.0.0" : split->host;
  out.port = *port;
  return out;
}

util::Result<HostPort> parse_listen_address(std::string_view addr) {
  auto split = split_host_port(addr);
  if (!split.ok()) return split.error();
  auto port = tcp_port(split->port);
  if (!port.ok()) return port.error();
  return HostPort{split->host.empty() ? "0.0.0.0" : split->host, *port, {}};
}

util::Result<HostPort> parse_join_address(std::string_view addr, std::uint16_t default_port) {
  HostPort out;
  if (auto slash = addr.find('/'); slash != std::string_view::npos) {
    if (slash == 0) return util::Error{util::Errc::invalid_argument, "empty node name provided"};
    out.name = std::string(addr.substr(0, slash));
    addr.remove_prefix(slash + 1);
  }
  std::string hp(addr);
  if (!has_port(hp)) {
    std::string_view bare = addr;
    while (!bare.empty() && (bare.front() == '[' || bare.front() == ']')) bare.remove_prefix(1);
    while (!bare.empty() && (bare.back() == '[' || bare.back() == ']')) bare.remove_suffix(1);
    hp = join_host_port(bare, default_port);
  }
  auto split = split_host_port(hp);
  if (!split.ok()) return split.error();
  const std::string parsing = "strconv.ParseUint: parsing \"" + split->port + "\": ";
  if (!all_digits(split->port)) {
    return util::Error{util::Errc::invalid_argument, parsing + "invalid syntax"};
  }
  auto port = digits_value(split->port);
  if (port > 65535) return util::Error{util::Errc::invalid_argument, parsing + "value out of range"};
  out.host = split->host;
  out.port = static_cast<std::uint16_t>(port);
  return out;
}

}  // namespace agent
