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
#include <memory>
#include <sstream>

#include <fmt/format.h>

#include "agent/address_parse.h"
#include "agent/limits.h"
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

addrinfo lookup_hints() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  return hints;
}

// Every distinct address in `res`, with `port`.
util::Result<std::vector<swim::Address>> addresses_of(const std::string& host, std::uint16_t port,
                                                      const addrinfo* res) {
  std::vector<swim::Address> out;
  for (const addrinfo* it = res; it; it = it->ai_next) {
    auto a = runtime::from_sockaddr(it->ai_addr);
    if (!a.ok()) continue;
    a->port = port;
    if (std::find(out.begin(), out.end(), *a) == out.end()) out.push_back(*a);
  }
  if (out.empty()) return util::Error{util::Errc::not_found, "lookup " + host + ": no addresses"};
  return out;
}

}  // namespace

bool is_unspecified(const util::Bytes& ip) {
  return std::all_of(ip.begin(), ip.end(), [](std::uint8_t b) { return b == 0; });
}

util::Result<std::vector<swim::Address>> resolve_host(const std::string& host, std::uint16_t port) {
  if (auto ip = runtime::parse_ip(host); ip.ok()) return std::vector<swim::Address>{{*ip, port}};
  const addrinfo hints = lookup_hints();
  addrinfo* res = nullptr;
  int rc = getaddrinfo(host.c_str(), nullptr, &hints, &res);
  if (rc != 0) return util::Error{util::Errc::not_found, "lookup " + host + ": " + gai_strerror(rc)};
  auto out = addresses_of(host, port, res);
  freeaddrinfo(res);
  return out;
}

struct HostLookups::Request {
  uv_getaddrinfo_t req{};
  HostLookups* owner = nullptr;  // nullptr once cancelled: the answer is dropped
  std::shared_ptr<std::size_t> outstanding;
  std::string host;
  std::uint16_t port = 0;
  Done done;
};

void HostLookups::resolve(const std::string& host, std::uint16_t port, Done done) {
  if (auto ip = runtime::parse_ip(host); ip.ok())
    return done(std::vector<swim::Address>{{*ip, port}});
  if (pending_.size() >= limits::name_lookups_max)
    return done(util::Error{util::Errc::refused, fmt::format("lookup {}: {} lookups already in progress",
                                                             host, limits::name_lookups_max)});
  auto* r = new Request{{}, this, outstanding_, host, port, std::move(done)};
  r->req.data = r;
  const addrinfo hints = lookup_hints();
  int rc = uv_getaddrinfo(loop_, &r->req, on_resolved, r->host.c_str(), nullptr, &hints);
  if (rc != 0) {
    std::unique_ptr<Request> owned(r);  // never started: libuv will not call back
    return owned->done(util::Error{util::Errc::not_found, "lookup " + host + ": " + uv_strerror(rc)});
  }
  pending_.insert(r);
  ++*outstanding_;
}

void HostLookups::on_resolved(uv_getaddrinfo_t* req, int status, addrinfo* res) {
  std::unique_ptr<Request> r(static_cast<Request*>(req->data));
  util::Result<std::vector<swim::Address>> answer =
      status == 0 ? addresses_of(r->host, r->port, res)
                  : util::Error{util::Errc::not_found, "lookup " + r->host + ": " + uv_strerror(status)};
  uv_freeaddrinfo(res);
  --*r->outstanding;
  if (!r->owner) return;  // cancelled, or UV_ECANCELED itself
  r->owner->pending_.erase(r.get());
  r->done(std::move(answer));
}

void HostLookups::cancel_all() {
  for (Request* r : pending_) {
    r->owner = nullptr;
    uv_cancel(reinterpret_cast<uv_req_t*>(&r->req));  // UV_EBUSY when running: it finishes, dropped
  }
  pending_.clear();
}

void resolve_join_addresses(HostLookups& lookups, const std::vector<std::string>& addresses,
                            std::uint16_t default_port, SeedsDone done) {
  struct Batch {
    std::vector<std::vector<swim::Address>> seeds;  // per string, in order
    std::vector<std::string> errors;                // per string, "" when it resolved
    std::size_t waiting = 1;  // held by the loop below until every lookup has started
    SeedsDone done;
    void settle() {
      if (--waiting != 0) return;
      std::vector<swim::Address> all;
      std::vector<std::string> failed;
      for (auto& s : seeds) all.insert(all.end(), s.begin(), s.end());
      for (auto& e : errors)
        if (!e.empty()) failed.push_back(std::move(e));
      done(std::move(all), std::move(failed));
    }
  };
  auto batch = std::make_shared<Batch>();
  batch->seeds.resize(addresses.size());
  batch->errors.resize(addresses.size());
  batch->done = std::move(done);
  for (std::size_t i = 0; i < addresses.size(); ++i) {
    const std::string& text = addresses[i];
    auto hp = parse_join_address(text, default_port);
    if (!hp.ok()) {
      batch->errors[i] = "Failed to resolve " + text + ": " + hp.error().detail;
      continue;
    }
    ++batch->waiting;
    lookups.resolve(hp->host, hp->port, [batch, i, text](util::Result<std::vector<swim::Address>> r) {
      if (r.ok()) batch->seeds[i] = std::move(*r);
      else batch->errors[i] = "Failed to resolve " + text + ": " + r.error().detail;
      batch->settle();
    });
  }
  batch->settle();
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
