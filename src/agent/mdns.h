// agent::Mdns: `-discover=CLUSTER`, serf's agent.mdns (cmd/serf/command/agent/mdns.go, 0.9.4)
// on our loop. It answers for this node's instance of `_serf_<CLUSTER>._tcp.local.` and polls
// for the others: a query at start and every 60 s, answers collected for 1 s; each new
// complete `ip:port` waits for a 100 ms quiet spell, then the batch is joined through the
// agent's join (so -replay applies) and remembered, so it is never joined again.
//
// Families: IPv4 and IPv6 each get a responder socket and a browser socket (mdns_socket.h).
// A family that is switched off, absent or failing is logged once and the other carries on;
// only when no responder socket opens is it a start-up error, as in serf. Our own answers are
// skipped (serf joins itself).
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "agent/mdns_browse.h"
#include "agent/mdns_service.h"
#include "agent/limits.h"
#include "agent/mdns_socket.h"
#include "runtime/uv_handle.h"
#include "swim/address.h"
#include "util/log.h"

namespace agent {

class Mdns {
 public:
  struct Options {
    std::string cluster;     // -discover
    std::string node;        // the instance name
    swim::Address advertise; // the address and gossip port peers should join
    std::string interface;   // -mdns-iface, else -iface; empty: every multicast interface
    bool disable_ipv4 = false;
    bool disable_ipv6 = false;
  };
  // Joins the addresses; done(number joined, error text or "").
  using Join = std::function<void(std::vector<std::string> addresses,
                                  std::function<void(int joined, std::string error)> done)>;

  // The error is the reason for "Error starting mDNS listener: ...".
  static util::Result<std::unique_ptr<Mdns>> start(uv_loop_t* loop, Options options,
                                                   util::Logger& log, Join join);
  ~Mdns();
  Mdns(const Mdns&) = delete;
  Mdns& operator=(const Mdns&) = delete;

 private:
  struct Family {
    int af = AF_INET;
    std::vector<MulticastInterface> interfaces;
    std::unique_ptr<MdnsSocket> responder;
    std::unique_ptr<MdnsSocket> browser;
    bool send_warned = false;  // a failed query was logged; quiet until one succeeds
  };

  Mdns(uv_loop_t* loop, Options options, mdns::Service service, util::Logger& log, Join join);
  util::Status open_family(Family& f);
  void start_timer(runtime::UvHandle<uv_timer_t>& timer, uv_timer_cb on_fire, std::uint64_t ms);
  void poll();
  // Sends `query` over every family; returns how many families got it out, and the last error.
  int send_query(const mdns::Message& query, std::string& error);
  template <typename... Args>
  void note(util::LogLevel level, fmt::format_string<Args...> format, Args&&... args) {
    log_.log(level, "agent.mdns", format, std::forward<Args>(args)...);
  }
  util::Result<mdns::Message> decode_from(util::ByteView bytes, const sockaddr* from);
  void on_responder_datagram(Family& f, util::ByteView bytes, const sockaddr* from);
  void on_browser_datagram(util::ByteView bytes, const sockaddr* from);
  // Answers that arrived while a poll collects them.
  void on_answers(const mdns::Message& message);
  void on_found(const mdns::Found& found);
  void join_pending();

  uv_loop_t* loop_;
  Options options_;
  mdns::Service service_;
  mdns::Browse browse_;
  util::Logger& log_;
  Join join_;
  util::Bytes slab_;
  Family v4_, v6_;
  bool collecting_ = false;
  std::vector<std::string> pending_;
  mdns::JoinedAddresses joined_;
  runtime::UvHandle<uv_timer_t> poll_timer_, collect_timer_, quiet_timer_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // join callbacks check it
};

}  // namespace agent
