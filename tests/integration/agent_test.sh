#!/usr/bin/env bash
# The shoal agent as a process: start-up errors, joins (start, retry, retry-max), signals
# (SIGINT leave, SIGTERM with and without leave_on_terminate, SIGHUP reload), RPC leave, IPv6.
# Peers' views are read with the shoal CLI. Uses 127.0.0.41-49, [::1]:79xx, 127.0.0.57 (signals
# that must not kill), and for slow DNS 127.0.0.58 with a silent nameserver on 127.0.0.53:53.
# Usage: agent_test.sh PATH/TO/shoal
SHOAL=$(realpath "$1")
. "$(dirname "$0")/../interop/lib.sh"

status_on() { "$SHOAL" members -rpc-addr="$1:7373" -name="^$2\$" 2>/dev/null | awk '{print $3}'; }
shows() { [ "$(status_on "$1" "$2")" = "$3" ]; }
rpc_up() { wait_for 10 "RPC on $1" "$SHOAL" members -rpc-addr="$1:7373"; }
exited() { ! kill -0 "$1" 2>/dev/null; }
# The exit status of a child of this shell (wait must run here, not in a subshell).
reap() { wait "$1" 2>/dev/null; RC=$?; }

# --- start-up errors: one clear line, exit 1, nothing started
out=$("$SHOAL" agent -nosuchflag 2>&1 >/dev/null); rc=$?
check "an unknown flag exits 1" [ $rc -eq 1 ]
check "an unknown flag is named on stderr" grep -q "flag provided but not defined: -nosuchflag" <<<"$out"
echo '{"node_name": "x", "bogus_key": 1}' >"$WORK/bad.json"
out=$("$SHOAL" agent -config-file="$WORK/bad.json" 2>&1); rc=$?
check "a config file with an unknown key exits 1" [ $rc -eq 1 ]
check "the unknown key is named" grep -q "bogus_key" <<<"$out"
out=$("$SHOAL" agent -node=j -bind=127.0.0.49 -rpc-addr=127.0.0.49:7373 -join=127.0.0.48 2>&1); rc=$?
check "a -join that reaches nobody exits 1" [ $rc -eq 1 ]
check "the join error names the address" grep -q "Failed to join 127.0.0.48" <<<"$out"
out=$("$SHOAL" agent -node=r -bind=127.0.0.49 -rpc-addr=127.0.0.49 2>&1); rc=$?
check "an RPC address without a port exits 1" [ $rc -eq 1 ]
check "... with Go's listen error" grep -qx "==> Error starting RPC listener: listen tcp: address 127.0.0.49: missing port in address" <<<"$out"
out=$("$SHOAL" agent -node=r -bind=127.0.0.49 -rpc-addr=127.0.0.49:7946 2>&1); rc=$?
check "an RPC port already taken (by our own gossip) exits 1, no crash" [ $rc -eq 1 ]
check "... naming the bind error" grep -qx "==> Error starting RPC listener: listen tcp 127.0.0.49:7946: bind: address already in use" <<<"$out"
check "... before any log line, as Serf's gated log" bash -c "! grep -q 'INFO' <<<'$out'"

A=127.0.0.41 B=127.0.0.42 C=127.0.0.43 D=127.0.0.44
# --- retry-join: B starts first and retries until A appears
start_shoal b $B -retry-join=$A -retry-interval=1s; b=$LAST_PID
rpc_up $B
sleep 1.5
echo '{"tags": {"role": "web"}, "leave_on_terminate": true}' >"$WORK/a.json"
start_shoal a $A -config-file="$WORK/a.json"; a=$LAST_PID
check "retry-join joins once the seed is up" wait_for 15 "b sees a" shows $B a alive

# --- retry-max: gives up and exits 1
start_shoal r 127.0.0.45 -retry-join=127.0.0.46 -retry-interval=1s -retry-max=1; r=$LAST_PID
check "an exhausted -retry-max exits" wait_for 15 "r to exit" exited $r
reap $r; check "... with status 1" [ $RC -eq 1 ]

# --- SIGHUP reloads tags from the config file
echo '{"tags": {"role": "db"}, "leave_on_terminate": true}' >"$WORK/a.json"
kill -HUP $a
check "SIGHUP reloads tags, seen by peers" wait_for 10 "new tag on b" \
  bash -c "'$SHOAL' members -rpc-addr=$B:7373 -tag role=db | grep -q '^a '"

# --- SIGTERM with leave_on_terminate leaves; without it the node fails
kill -TERM $a
check "SIGTERM with leave_on_terminate is 'left'" wait_for 15 "a left on b" shows $B a left
reap $a; check "... and exits 0" [ $RC -eq 0 ]
start_shoal c $C -join=$B; c=$LAST_PID
check "c joins" wait_for 10 "c alive on b" shows $B c alive
kill -TERM $c
reap $c; check "plain SIGTERM exits at once with status 1" [ $RC -eq 1 ]
check "... and peers record it 'failed'" wait_for 30 "c failed on b" shows $B c failed

# --- RPC leave: the agent leaves and exits 0
start_shoal d $D -join=$B; d=$LAST_PID
check "d joins" wait_for 10 "d alive on b" shows $B d alive
out=$("$SHOAL" leave -rpc-addr=$D:7373)
check "shoal leave reports success" grep -q "Graceful leave complete" <<<"$out"
reap $d; check "the agent exits 0 after an RPC leave" [ $RC -eq 0 ]
check "peers record it 'left'" wait_for 10 "d left on b" shows $B d left

# --- IPv6
"$SHOAL" agent -node=v1 -bind='[::1]:7961' -rpc-addr=127.0.0.47:7373 >"$WORK/v1.log" 2>&1 & PIDS+=($!)
rpc_up 127.0.0.47
"$SHOAL" agent -node=v2 -bind='[::1]:7962' -rpc-addr=127.0.0.48:7373 -join='[::1]:7961' >"$WORK/v2.log" 2>&1 & PIDS+=($!)
check "two agents join over IPv6" wait_for 10 "v2 on v1" shows 127.0.0.47 v2 alive
check "IPv6 addresses print bracketed" bash -c "'$SHOAL' members -rpc-addr=127.0.0.47:7373 | grep -q '\[::1\]:7962'"

kill -INT $b

# --- signals Serf survives: SIGUSR1 dumps what the agent knows (Serf dumps its telemetry),
# SIGUSR2 and the other signals Go ignores change nothing; none of them kills the agent.
U=127.0.0.57
start_shoal u $U -log-level=info; u=$LAST_PID
rpc_up $U
dumps() { [ "$(grep -c 'State dump (SIGUSR1)' "$WORK/u.log")" -eq "$1" ]; }
kill -USR1 $u
check "SIGUSR1 dumps the agent's state" wait_for 5 "a dump in u's log" dumps 1
kill -USR1 $u  # (a second signal sent before the first is handled would merge with it)
check "... and again on a second SIGUSR1" wait_for 5 "two dumps in u's log" dumps 2
check "... with the members by status" grep -q "\[INFO\] agent:   members: alive=1" "$WORK/u.log"
check "... the serf counters and queues" grep -q "agent:   serf: .*event_queue=0" "$WORK/u.log"
check "... and the streams and counters of memberlist" grep -q "agent:   memberlist: inbound_streams=0" "$WORK/u.log"
for sig in USR2 PIPE ALRM VTALRM PROF IO PWR XCPU XFSZ; do kill -$sig $u; done
kill -USR1 $u  # handled once the signals sent before it have been
check "SIGUSR2 and the other signals Go ignores leave the agent running" wait_for 5 "a third dump" dumps 3
check "... and answering RPC" bash -c "kill -0 $u && '$SHOAL' members -rpc-addr=$U:7373 | grep -q '^u '"
kill -INT $u
reap $u; check "... and it still leaves on SIGINT, exit 0" [ $RC -eq 0 ]

# --- slow DNS: a name lookup that hangs (a nameserver that never answers, through a private
# resolv.conf in a mount namespace) must not stall the agent: RPC keeps answering at once, the
# RPC join answers once the lookup has failed, and a SIGTERM meanwhile exits at once.
# Needs root (unshare -m) and 127.0.0.53:53 free (we run in a private network namespace).
S=127.0.0.58
dns_hole() {  # a UDP nameserver that reads queries and never answers
  python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.53", 53))
print("ready", flush=True)
while True: s.recv(4096)' >"$WORK/dns.out" 2>&1 &
  PIDS+=($!)
  wait_for 5 "the silent nameserver" grep -q ready "$WORK/dns.out"
}
# start_slow_dns_agent NAME: an agent on $S whose resolver waits 6 s for the silent nameserver
start_slow_dns_agent() {
  printf 'nameserver 127.0.0.53\noptions timeout:6 attempts:1\n' >"$WORK/resolv.conf"
  unshare -m bash -c "mount --bind '$WORK/resolv.conf' /etc/resolv.conf && exec '$SHOAL' agent \
    -node=$1 -bind=$S -rpc-addr=$S:7373 -log-level=debug" >"$WORK/$1.log" 2>&1 &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
}
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
if [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null && dns_hole; then
  start_slow_dns_agent s; s=$LAST_PID
  rpc_up $S
  "$SHOAL" join -rpc-addr=$S:7373 seed.slow.test >"$WORK/join.out" 2>&1 & joiner=$!
  wait_for 5 "the join request to be in" grep -q "joining: \[seed.slow.test\]" "$WORK/s.log"
  t0=$(date +%s%N); "$SHOAL" members -rpc-addr=$S:7373 >/dev/null; took=$(ms_since $t0)
  check "RPC answers while a join's lookup hangs (${took} ms, the lookup takes 6 s)" [ "$took" -lt 3000 ]
  check "... and the join is still waiting for its lookup" kill -0 $joiner
  check "the RPC join answers once the lookup fails" wait_for 15 "the join reply" exited $joiner
  check "... with the lookup error" grep -q "Failed to resolve seed.slow.test" "$WORK/join.out"
  "$SHOAL" join -rpc-addr=$S:7373 seed.slow.test >/dev/null 2>&1 & PIDS+=($!)
  sleep 0.5  # let the second lookup start (either way SIGTERM must not wait for it)
  t0=$(date +%s%N); kill -TERM $s
  check "SIGTERM during a hanging lookup exits at once" wait_for 3 "the agent to exit" exited $s
  reap $s; check "... with status 1 after $(ms_since $t0) ms" [ $RC -eq 1 ]
else
  echo "ok - # SKIP slow DNS: needs root, unshare -m and 127.0.0.53:53"
fi
finish
