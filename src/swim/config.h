// memberlist's tunables, with the exact values of its lan/wan/local profiles
// (gossip-wire.md §7.10, serf-behaviour.md §1.6).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "swim/address.h"
#include "util/time.h"
#include "wire/messages.h"

namespace swim {

using namespace std::chrono_literals;

struct Config {
  std::string name;            // our node name, unique in the cluster
  Address advertise;           // what we gossip as our address
  wire::Vsn vsn;               // advertised protocol versions (01 05 02 02 05 05)

  util::Duration tcp_timeout = 10s;            // stream connect + exchange deadline
  int indirect_checks = 3;                     // helpers asked per failed probe
  int retransmit_mult = 4;                     // broadcasts sent mult*ceil(log10(n+1)) times
  // shoal's own: membership changes (alive, suspect, dead; serf's join/leave intents) go out
  // (mult + boost)*ceil(log10(n+1)) times. With memberlist's count about one 64-node cluster
  // in five has a node that misses a join until the next push-pull, tens of seconds later
  // (Serf's convergence tail); with 2 more none in a hundred does (tests/sim). 0 = memberlist.
  int membership_retransmit_boost = 2;
  int suspicion_mult = 4;                      // suspicion min = mult*max(1,log10(n))*probe
  int suspicion_max_timeout_mult = 6;          // suspicion max = mult*min
  util::Duration push_pull_interval = 30s;     // anti-entropy, scaled above 32 nodes; 0 = off
  util::Duration probe_timeout = 500ms;        // wait for a direct ack
  util::Duration probe_interval = 1s;          // one probe per interval (times awareness)
  int awareness_max_multiplier = 8;            // Lifeguard local health cap
  int gossip_nodes = 3;                        // peers per gossip round
  util::Duration gossip_interval = 200ms;      // 0 = no gossip rounds
  util::Duration gossip_to_the_dead = 30s;     // keep gossiping to a dead node this long
  bool disable_tcp_pings = false;
  bool enable_compression = true;
  std::size_t udp_buffer_size = 1400;          // packing budget of one datagram
  std::size_t encryption_overhead = 0;         // 29 when the driver encrypts (v1)
  util::Duration dead_node_reclaim = 0s;       // 0 = a dead name is never reclaimed elsewhere
  // Reap left nodes like dead ones once gossip_to_the_dead has passed (memberlist >= 0.3.1;
  // v0.2.2 kept them in its list, and so in every push/pull, until restart).
  bool reap_left_nodes = true;

  static Config lan();
  static Config wan();
  static Config local();
};

}  // namespace swim
