#!/usr/bin/env bash
# Hostile query tag filters against shoal agents in a cluster with real serf agents (issue 7):
# a serf agent sends `serf query -tag 'role=(.*.*)*Z'` (catastrophic backtracking for
# std::regex) and a filter nesting 520 groups (over shoal's 1 KiB pattern cap), and a crafted
# datagram carries thousands of nested groups (5000 and 30000, LZW-compressed: a serf agent
# cannot gossip a query that big). During the flood and after it, every shoal agent must stay
# up, answer each `shoal members` within 2 s, and never be suspected or failed by anyone; a
# valid Go-syntax tag filter must still select exactly the matching nodes.
# Uses 127.0.0.131-135 (ports 7946 and 7373).
# Usage: hostile_query_test.sh PATH/TO/shoal PATH/TO/hostile_datagram
SHOAL=$(realpath "$1")
DATAGRAM=$(realpath "$2")
. "$(dirname "$0")/../interop/lib.sh"

S1=127.0.0.131 S2=127.0.0.132
H1=127.0.0.133 H2=127.0.0.134 H3=127.0.0.135
WEB=web-server-eu-west-1
ROUNDS=8           # each round: two serf queries (1 s each) and four crafted datagrams
RPC_LIMIT=2        # seconds a `shoal members` may take
QUIET=5            # seconds of watching after the flood, for late suspicions

up() { wait_for 15 "RPC on $1" serf members -rpc-addr="$1:7373"; }
# s1 sends the queries: a larger query size limit lets its 520-group filter (~1.2 KB) through.
echo '{"query_size_limit": 1400}' >"$WORK/s1.json"
start_serf s1 $S1 -tag role=client -config-file="$WORK/s1.json"; up $S1
start_shoal h1 $H1 -join=$S1 -tag role=$WEB;  h1=$LAST_PID; up $H1
start_shoal h2 $H2 -join=$S1 -tag role=$WEB;  h2=$LAST_PID; up $H2
start_shoal h3 $H3 -join=$H1 -tag role=db;    h3=$LAST_PID; up $H3
start_serf s2 $S2 -join=$H2 -tag role=$WEB;                 up $S2
ALL="$S1 $S2 $H1 $H2 $H3"
SHOALS="$H1 $H2 $H3"

all_alive_on() { [ "$(serf members -rpc-addr="$1:7373" -status=alive | wc -l)" -eq 5 ]; }
for ip in $ALL; do
  check "agent $ip sees all five alive" wait_for 30 "five alive on $ip" all_alive_on $ip
done

# --- watch until told to stop: every shoal agent answers `members` within RPC_LIMIT, and
# neither a serf nor a shoal agent lists anyone as other than alive.
rpc_watch() {
  local t0 ms ip
  while [ ! -e "$WORK/stop" ]; do
    for ip in $SHOALS; do
      t0=$(date +%s%N)
      if ! timeout "$RPC_LIMIT" "$SHOAL" members -rpc-addr="$ip:7373" >/dev/null 2>&1; then
        echo "$ip: no members answer within ${RPC_LIMIT}s at $(date +%T.%N)" >>"$WORK/rpc_failures"
      fi
      ms=$((($(date +%s%N) - t0) / 1000000))
      echo "$ms" >>"$WORK/rpc_ms"
    done
    for ip in $S2 $H3; do
      timeout "$RPC_LIMIT" serf members -rpc-addr="$ip:7373" | grep -v ' alive ' \
        >>"$WORK/not_alive"
    done
    sleep 0.1
  done
}
rpc_watch & watcher=$!
PIDS+=("$watcher")

# --- the flood
query_time() { "$SHOAL" info -rpc-addr="$1:7373" | awk '$1 == "query_time" {print $3}'; }
nested_520=$(printf '(%.0s' $(seq 520))$(printf ')%.0s' $(seq 520))
for ((round = 0; round < ROUNDS; round++)); do
  serf query -rpc-addr=$S1:7373 -tag 'role=(.*.*)*Z' -timeout=1s q-catastrophic \
    >>"$WORK/flood.out" 2>&1 & q1=$!
  serf query -rpc-addr=$S1:7373 -tag "role=$nested_520" -timeout=1s q-nested \
    >>"$WORK/flood.out" 2>&1 & q2=$!
  for ip in $SHOALS; do
    lt=$(query_time $ip)
    for depth in 5000 30000; do
      "$DATAGRAM" $ip 7946 $((${lt:-1} + 1)) $depth >>"$WORK/datagram_sizes" ||
        echo "datagram to $ip not sent" >>"$WORK/rpc_failures"
    done
  done
  wait_for 10 "round $round's queries to finish" bash -c "! kill -0 $q1 $q2 2>/dev/null"
  wait $q1 $q2
done
# Keep watching a while: a stalled node would be suspected within a probe interval or two.
deadline=$((SECONDS + QUIET))
while [ $SECONDS -lt $deadline ] && kill -0 $h1 $h2 $h3 2>/dev/null; do sleep 0.5; done
touch "$WORK/stop"
wait_for 10 "the RPC watch to stop" bash -c "! kill -0 $watcher"

polls=$(wc -l <"$WORK/rpc_ms")
echo "RPC polls: $polls, slowest: $(sort -n "$WORK/rpc_ms" | tail -1) ms," \
  "datagram sizes: $(sort -un "$WORK/datagram_sizes" | tr '\n' ' ')"
check "the RPC watch ran through the flood (>= 5 polls per shoal agent)" [ "$polls" -ge 15 ]
check "every shoal members call answered within ${RPC_LIMIT}s" [ ! -s "$WORK/rpc_failures" ]
check "no agent listed anyone as other than alive during the flood" [ ! -s "$WORK/not_alive" ]
check "every shoal agent is still running" kill -0 $h1 $h2 $h3
for q in q-catastrophic q-nested; do
  check "serf's $q queries reached the shoal agents" grep -q "messageQueryType: $q" "$WORK/h3.log"
done
check "the nested filters were refused as unusable" \
  grep -q "failed to compile filter regex" "$WORK/h1.log" "$WORK/h2.log" "$WORK/h3.log"
for ip in $ALL; do
  check "agent $ip still sees all five alive" all_alive_on $ip
done
check "no agent suspected or failed anyone" \
  bash -c "! grep -E 'Suspect .* has failed|as failed|EventMemberFailed|Refuting a suspect' $WORK/*.log"

# --- filters still work: a Go-syntax filter ((?i), \pL, \d) selects the web nodes, only them
acks() {  # serf query ... -format=json -> sorted ack names, one line
  serf query -rpc-addr=$S1:7373 -format=json -timeout=2s "$@" |
    python3 -c 'import json,sys; print(" ".join(sorted(json.load(sys.stdin)["Acks"] or [])))'
}
got=$(acks -tag 'role=(?i)^WEB-\pL+-\pL+-\pL+-\d$' q-valid)
check "a valid Go-syntax filter is acked by h1, h2 and s2 only (got: $got)" [ "$got" = "h1 h2 s2" ]
got=$(acks -tag 'role=^db$' q-db)
check "a filter matching the db role is acked by h3 only (got: $got)" [ "$got" = "h3" ]

finish
