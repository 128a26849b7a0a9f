#!/usr/bin/env bash
# mDNS discovery (-discover) between network namespaces on one bridge, with real shoal and
# serf agents: (a) shoal joins serf and serf joins shoal, and every agent lists every other
# alive; (b) a shoal agent whose namespace has IPv6 switched off discovers over IPv4;
# (c) shoal agents with only IPv6 addresses discover each other; (d) an agent with another
# cluster name is neither joined nor joins; and start-up errors. Needs root (ip netns);
# exits 77 without it.
# Namespaces are named shoal-mdns-<pid>-*; the bridge lives in its own namespace, so the
# host's interfaces are untouched. IPv4 198.19.53.0/24, IPv6 2001:2::/64 and fe80::N.
# Usage: mdns_test.sh PATH/TO/shoal
SHOAL=$(realpath "$1")
. "$(dirname "$0")/../interop/lib.sh"

if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null; then
  echo "skip: needs root and iproute2 for network namespaces"; exit 77
fi
NS=shoal-mdns-$$
NAMESPACES=()
delete_namespaces() {
  for ns in "${NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null; done
}
trap 'cleanup; delete_namespaces' EXIT
trap 'exit 1' INT TERM

in_ns() { local ns=$1; shift; ip netns exec "$NS-$ns" "$@"; }
new_ns() { ip netns add "$NS-$1" && NAMESPACES+=("$NS-$1") && in_ns "$1" ip link set lo up; }

new_ns hub || { echo "skip: cannot create network namespaces"; exit 77; }
in_ns hub ip link add br0 type bridge mcast_snooping 0
in_ns hub ip link set br0 up

# node NAME N MODE: a namespace with eth0 on the bridge. MODE: dual (198.19.53.N and
# fe80::N), v4only (IPv6 switched off in the namespace), v6only (2001:2::N and fe80::N).
# Debian's serf (hashicorp/mdns 1.0.x) needs both families on its interface: it gives up a
# poll when it cannot send over IPv6 and crashes when it cannot join 224.0.0.251.
node() {
  local name=$1 n=$2 mode=$3
  new_ns "$name"
  if [ "$mode" = v4only ]; then
    in_ns "$name" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  fi
  ip link add "m$$-$n" netns "$NS-hub" type veth peer name eth0 netns "$NS-$name"
  in_ns hub ip link set "m$$-$n" master br0 up
  # No automatic link-local address and no duplicate detection: addresses work at once.
  [ "$mode" = v4only ] || in_ns "$name" ip link set eth0 addrgenmode none
  in_ns "$name" ip link set eth0 up
  if [ "$mode" != v6only ]; then
    in_ns "$name" ip addr add "198.19.53.$n/24" dev eth0
    # serf's browser joins 224.0.0.251 on the kernel's choice of interface: it needs a route.
    in_ns "$name" ip route add 224.0.0.0/4 dev eth0
  fi
  if [ "$mode" != v4only ]; then
    in_ns "$name" ip addr add "fe80::$n/64" dev eth0 nodad
    [ "$mode" = v6only ] && in_ns "$name" ip addr add "2001:2::$n/64" dev eth0 nodad
  fi
  return 0
}

# shoal_in NAME [flags...] / serf_in NAME [flags...]: an agent in namespace NAME, RPC on its
# own 127.0.0.1:7373. Started directly (ip netns exec execs it), so $! is the agent itself.
shoal_in() {
  local name=$1; shift
  ip netns exec "$NS-$name" "$SHOAL" agent -node="$name" -rpc-addr=127.0.0.1:7373 \
    -log-level=debug "$@" >"$WORK/$name.log" 2>&1 &
  LAST_PID=$!
  PIDS+=($!)
}
serf_in() {
  local name=$1; shift
  ip netns exec "$NS-$name" serf agent -node="$name" -rpc-addr=127.0.0.1:7373 \
    -log-level=debug "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
}
members_of() { in_ns "$1" "$SHOAL" members -rpc-addr=127.0.0.1:7373 2>/dev/null; }
rpc_up() { wait_for 10 "RPC of $1" in_ns "$1" "$SHOAL" members -rpc-addr=127.0.0.1:7373; }
sees_alive() { members_of "$1" | awk -v n="$2" '$1 == n && $3 == "alive" {f=1} END {exit !f}'; }
alive_count() { members_of "$1" | awk '$3 == "alive"' | wc -l; }
count_is() { [ "$(alive_count "$1")" = "$2" ]; }
logged() { grep -q -- "$2" "$WORK/$1.log"; }
logged_once() { [ "$(grep -c -- "$2" "$WORK/$1.log")" = 1 ]; }
lists() { members_of "$1" | grep -q -- "$2"; }
joined_address() { grep 'agent: joining:' "$WORK/$1.log" | grep -q -- "$2"; }
not() { ! "$@"; }
all_running() { for pid in "${PIDS[@]}"; do kill -0 "$pid" || return 1; done; }

node g1 1 dual; node s1 2 dual; node s2 3 dual; node g2 4 dual
node lone 5 dual; node s4 6 v4only; node s6a 7 v6only; node s6b 8 v6only

# --- (a) serf first; shoal s1 finds it (shoal -> serf); another cluster's agent starts early
serf_in g1 -iface=eth0 -discover=alpha
rpc_up g1
shoal_in lone -bind=198.19.53.5 -discover=other
rpc_up lone
shoal_in s1 -iface=eth0 -discover=alpha
s1_pid=$LAST_PID
rpc_up s1
check "shoal joins the serf agent it discovers" wait_for 20 "g1 sees s1" sees_alive g1 s1
check "... through its own mDNS poll" logged s1 "agent.mdns: Joined 1 hosts"
# s2 binds without -iface: it queries and answers on every multicast interface.
shoal_in s2 -bind=198.19.53.3 -discover=alpha
rpc_up s2
check "shoal without -iface discovers both" wait_for 20 "s2 sees 3" count_is s2 3
check "... joining both in one batch" logged s2 "agent.mdns: Joined 2 hosts"
# serf g2 starts last: its first poll must find the shoal agents from their answers. (serf
# also finds and "joins" itself: 3 peers make 4.)
serf_in g2 -iface=eth0 -discover=alpha
rpc_up g2
check "serf joins the shoal agents it discovers" \
  wait_for 20 "g2 joined" logged g2 "agent.mdns: Joined 4 hosts"
check "... having read s1's address from its answer" joined_address g2 198.19.53.2:7946
check "... and s2's" joined_address g2 198.19.53.3:7946
for a in g1 s1 s2 g2; do
  check "$a lists all four alpha agents alive" wait_for 20 "$a sees 4" count_is $a 4
done

# --- (b) IPv6 switched off in the namespace: IPv4 carries on
shoal_in s4 -bind=198.19.53.6 -discover=alpha
rpc_up s4
check "with IPv6 off, shoal still discovers and joins over IPv4" \
  wait_for 20 "s4 joined" logged s4 "agent.mdns: Joined 4 hosts"
check "... saying once that IPv6 is unavailable" logged_once s4 "Carrying on without mDNS over IPv6"
check "... and the cluster sees it" wait_for 20 "g1 sees s4" sees_alive g1 s4

# --- start-up errors, as serf's "Error starting mDNS listener": exit 1 with the reason
second() {
  in_ns s4 timeout 10 "$SHOAL" agent -bind=198.19.53.6:7950 -rpc-addr=127.0.0.1:7374 "$@" 2>&1
}
out=$(second -node=x -discover=alpha -mdns-disable-ipv4); rc=$?
check "no family left for mDNS is a start-up error" [ $rc -eq 1 ]
check "... naming each family's reason" grep -q "Error starting mDNS listener: No multicast \
listeners could be started (IPv6: no multicast interface has an IPv6 address)" <<<"$out"
out=$(second -node="$(printf 'n%.0s' {1..64})" -discover=alpha); rc=$?
check "a node name that is no DNS label is a start-up error" [ $rc -eq 1 ]
check "... saying so" \
  grep -q "Error starting mDNS listener: Node name 'n*' is not a DNS name" <<<"$out"

# --- (c) IPv6 only
shoal_in s6a -bind='[2001:2::7]' -discover=gamma
rpc_up s6a
shoal_in s6b -iface=eth0 -bind='[2001:2::8]' -discover=gamma
rpc_up s6b
check "IPv6-only shoal agents discover each other" wait_for 20 "s6a sees s6b" sees_alive s6a s6b
check "... s6b joined by mDNS over IPv6" logged s6b "agent.mdns: Joined 1 hosts"
check "... saying once that IPv4 is unavailable" \
  logged_once s6b "Carrying on without mDNS over IPv4"
check "... and its peer's IPv6 address" lists s6b '\[2001:2::7\]:7946'

# --- (d) another cluster name: nobody joined it, it joined nobody
check "the 'other' agent is alone" count_is lone 1
check "... and never joined anyone" not logged lone "agent.mdns: Joined"
for a in g1 s1 s2 g2 s4; do
  check "$a does not list the 'other' agent" not lists $a '^lone '
done
check "every agent still runs" all_running

# --- leave: mDNS stops with the agent, which exits cleanly
kill -INT "$s1_pid"
rc=running
if wait_for 20 "s1 to exit" not kill -0 "$s1_pid"; then wait "$s1_pid" 2>/dev/null; rc=$?; fi
check "an mDNS agent leaves on SIGINT and exits 0" [ "$rc" = 0 ]
check "... and peers record it left" wait_for 20 "g1 sees s1 left" \
  bash -c "ip netns exec $NS-g1 '$SHOAL' members -rpc-addr=127.0.0.1:7373 | grep -q '^s1 .* left'"
finish
