#!/usr/bin/env bash
# Interop: a mixed cluster of real serf agents and shoal agents on loopback. Every agent must
# list every other alive; SIGINT gives "left" and SIGKILL gives "failed" on agents of the other
# implementation, in both directions; tags set on one side are seen on the other; each CLI
# works against the other implementation's agent.
# Usage: mixed_cluster.sh PATH/TO/shoal
SHOAL=$(realpath "$1")
. "$(dirname "$0")/lib.sh"

S1=127.0.0.81 S2=127.0.0.82 S3=127.0.0.83
H1=127.0.0.84 H2=127.0.0.85 H3=127.0.0.86

# Each agent starts once the one it joins answers RPC (its gossip port is bound by then).
up() { wait_for 15 "RPC on $1" serf members -rpc-addr="$1:7373"; }
start_serf s1 $S1;                 s1=$LAST_PID; up $S1
start_shoal h1 $H1 -join=$S1;      h1=$LAST_PID; up $H1
start_serf s2 $S2 -join=$H1;       s2=$LAST_PID; up $S2
start_shoal h2 $H2 -join=$S2;      h2=$LAST_PID; up $H2
start_serf s3 $S3 -join=$S1;       s3=$LAST_PID; up $S3
start_shoal h3 $H3 -join=$H1;      h3=$LAST_PID; up $H3

all_alive_on() {  # RPC_IP: six members, all alive
  [ "$(serf members -rpc-addr="$1:7373" -status=alive | wc -l)" -eq 6 ]
}
for ip in $S1 $S2 $S3 $H1 $H2 $H3; do
  check "agent $ip sees all six alive" wait_for 30 "six alive on $ip" all_alive_on $ip
done

check "shoal CLI lists a serf agent's members" \
  bash -c "[ \"\$('$SHOAL' members -rpc-addr=$S1:7373 -status=alive | wc -l)\" -eq 6 ]"
check "serf CLI lists a shoal agent's members" \
  bash -c "[ \"\$(serf members -rpc-addr=$H1:7373 | grep -c alive)\" -eq 6 ]"

serf tags -rpc-addr=$H2:7373 -set role=cache >/dev/null
check "tags set on shoal are seen by serf" wait_for 15 "tag on s3" \
  bash -c "serf members -rpc-addr=$S3:7373 -name=h2 -tag role=cache | grep -q h2"
"$SHOAL" tags -rpc-addr=$S2:7373 -set zone=b >/dev/null
check "tags set on serf are seen by shoal" wait_for 15 "tag on h3" \
  bash -c "serf members -rpc-addr=$H3:7373 -name=s2 -tag zone=b | grep -q s2"

kill -INT $h3
kill -INT $s3
check "shoal's SIGINT leave is 'left' on serf" wait_for 20 "h3 left on s1" status_is $S1 h3 left
check "serf's SIGINT leave is 'left' on shoal" wait_for 20 "s3 left on h1" status_is $H1 s3 left
wait_for 10 "h3 to exit" bash -c "! kill -0 $h3"
wait $h3; h3_rc=$?
check "shoal exits 0 after a SIGINT leave" [ "$h3_rc" -eq 0 ]

kill -9 $h2
kill -9 $s2
check "SIGKILLed shoal is 'failed' on serf" wait_for 40 "h2 failed on s1" status_is $S1 h2 failed
check "SIGKILLed serf is 'failed' on shoal" wait_for 40 "s2 failed on h1" status_is $H1 s2 failed
check "the serf side agrees" wait_for 20 "s2 failed on s1" status_is $S1 s2 failed
check "the shoal side agrees" wait_for 20 "h2 failed on h1" status_is $H1 h2 failed

finish
