#!/usr/bin/env bash
# The shoal CLI against REAL Serf agents (/usr/bin/serf): starts three `serf agent`s on loopback
# addresses, then runs shoal's client commands and compares their output and exit codes with
# the `serf` CLI's where the output is deterministic (rows sorted first: member order is random).
#
# usage: cli_serf_test.sh path/to/shoal [path/to/agent-program]
#   The agents are started as `<agent-program> agent ...`, default the real serf. Passing the
#   shoal binary again tests shoal's own agent (its RPC server) with both CLIs.
# env:   SERF (default /usr/bin/serf), CLI_TEST_NET (default 127.0.0.7 -> nodes .71 .72 .73),
#        CLI_TEST_PORT (gossip port, default 17946), CLI_TEST_RPC_PORT (default 17373),
#        CLI_TEST_VERBOSE=1 prints shoal's output of every comparison.
# Exit 0 = pass, 1 = failures (listed), 77 = skipped (no serf binary).
set -u

SHOAL=${1:?usage: $0 path/to/shoal}
SERF=${SERF:-/usr/bin/serf}
AGENT=${2:-$SERF}
NET=${CLI_TEST_NET:-127.0.0.7}
GPORT=${CLI_TEST_PORT:-17946}
RPORT=${CLI_TEST_RPC_PORT:-17373}
[ -x "$SERF" ] || { echo "skip: no serf binary at $SERF"; exit 77; }
[ -x "$SHOAL" ] || { echo "no shoal binary at $SHOAL"; exit 1; }
[ -x "$AGENT" ] || { echo "no agent program at $AGENT"; exit 1; }
SHOAL=$(readlink -f "$SHOAL")
AGENT=$(readlink -f "$AGENT")

TMP=$(mktemp -d)
declare -A PID
cleanup() {
  for n in "${!PID[@]}"; do kill -9 "${PID[$n]}" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

FAILS=0
PASSES=0
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
pass() { PASSES=$((PASSES + 1)); }

ip_of() { echo "${NET}${1#n}"; }     # n1 -> 127.0.0.71
rpc_of() { echo "$(ip_of "$1"):$RPORT"; }
gossip_of() { echo "$(ip_of "$1"):$GPORT"; }

start_agent() {  # name, extra agent args...
  local n=$1
  shift
  "$AGENT" agent -node="$n" -bind="$(gossip_of "$n")" -rpc-addr="$(rpc_of "$n")" \
    -log-level=warn "$@" >"$TMP/$n.log" 2>&1 &
  PID[$n]=$!
}

# wait_until DESCRIPTION CMD...: retries CMD up to 60 times, 0.25 s apart (15 s).
wait_until() {
  local what=$1
  shift
  for _ in $(seq 60); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.25
  done
  fail "timed out waiting for: $what"
  return 1
}

# run TOOL NODE ARGS...: runs `serf` or shoal against NODE's RPC address; sets OUT and RC.
run() {
  local tool=$1 node=$2
  shift 2
  local bin=$SERF
  [ "$tool" = shoal ] && bin=$SHOAL
  local cmd=$1
  shift
  OUT=$("$bin" "$cmd" -rpc-addr="$(rpc_of "$node")" "$@" 2>"$TMP/stderr")
  RC=$?
}

# same NAME NODE ARGS...: shoal and serf print the same lines and exit the same. Lines are
# sorted and trailing blanks dropped: row order is random, and columnize pads every row but
# the last.
same() {
  local name=$1 node=$2
  shift 2
  run serf "$node" "$@"
  local serf_out serf_rc=$RC
  serf_out=$(printf '%s\n' "$OUT" | sed 's/[[:space:]]*$//' | sort)
  run shoal "$node" "$@"
  local shoal_out
  shoal_out=$(printf '%s\n' "$OUT" | sed 's/[[:space:]]*$//' | sort)
  [ -n "${CLI_TEST_VERBOSE:-}" ] && printf '== %s (rc %s)\n%s\n' "$name" "$RC" "$shoal_out"
  if [ "$serf_out" != "$shoal_out" ] || [ "$serf_rc" != "$RC" ]; then
    fail "$name: serf (rc $serf_rc) and shoal (rc $RC) differ"
    diff <(echo "$serf_out") <(echo "$shoal_out") | head -20
  else
    pass
  fi
}

# same_first NAME NODE ARGS...: the first output line and the exit code agree (the help text
# that follows argument errors is shoal's own).
same_first() {
  local name=$1 node=$2
  shift 2
  run serf "$node" "$@"
  local a="$RC $(printf '%s\n' "$OUT" | head -1 | sed 's/^Usage: serf /Usage: shoal /')"
  run shoal "$node" "$@"
  local b="$RC $(printf '%s\n' "$OUT" | head -1)"
  [ "$a" = "$b" ] && pass || fail "$name: serf [$a] shoal [$b]"
}

# same_json NAME JQ_FILTER NODE ARGS...: both print JSON equal after the filter.
same_json() {
  local name=$1 filter=$2 node=$3
  shift 3
  command -v jq >/dev/null || { echo "note: jq missing, $name not compared"; return; }
  run serf "$node" "$@"
  local a b
  a=$(printf '%s' "$OUT" | jq -S "$filter")
  run shoal "$node" "$@"
  b=$(printf '%s' "$OUT" | jq -S "$filter") || { fail "$name: shoal printed no JSON"; return; }
  if [ "$a" != "$b" ]; then
    fail "$name: JSON differs"
    diff <(echo "$a") <(echo "$b") | head -20
  else
    pass
  fi
}

expect() {  # NAME EXPECTED_RC EXPECTED_OUTPUT (exact) -- compares with the last run
  if [ "$RC" != "$2" ] || [ "$OUT" != "$3" ]; then
    fail "$1: got rc $RC and output [$OUT], want rc $2 and [$3]"
  else
    pass
  fi
}

member_count() {  # NODE STATUS: how many members NODE sees with STATUS
  "$SERF" members -rpc-addr="$(rpc_of "$1")" -status="$2" | grep -c .
}
members_alive_is() { [ "$(member_count "$1" alive)" = "$2" ]; }
status_is() {  # NODE MEMBER STATUS
  "$SERF" members -rpc-addr="$(rpc_of "$1")" -name="$2" | grep -q " $3 *\( \|$\)"
}
absent() { ! "$SERF" members -rpc-addr="$(rpc_of "$1")" -name="$2" | grep -q .; }

# ---- cluster ---------------------------------------------------------------------------
# Encrypted with a key from shoal's keygen; every node answers the query "who" with its name.
KEY0=$("$SHOAL" keygen)
WHO='query:who=echo $SERF_SELF_NAME'
start_agent n1 -tag role=web -encrypt="$KEY0" -event-handler="$WHO"
wait_until "n1 answers RPC" "$SERF" members -rpc-addr="$(rpc_of n1)" || { cat "$TMP/n1.log"; exit 1; }
start_agent n2 -tag role=db -encrypt="$KEY0" -event-handler="$WHO" -join="$(gossip_of n1)"
start_agent n3 -encrypt="$KEY0" -event-handler="$WHO" -join="$(gossip_of n1)"
# n4 stands alone and wants an RPC auth token.
printf '{"rpc_auth": "s3cret"}' >"$TMP/n4.json"
start_agent n4 -config-file="$TMP/n4.json"
wait_until "3 alive members" members_alive_is n1 3 || { cat "$TMP"/n*.log; exit 1; }

# ---- top level -------------------------------------------------------------------------
"$SHOAL" >/dev/null 2>&1; [ $? = 127 ] && pass || fail "no command should exit 127"
"$SHOAL" bogus >/dev/null 2>&1; [ $? = 127 ] && pass || fail "unknown command should exit 127"
"$SHOAL" --help >/dev/null 2>&1; [ $? = 0 ] && pass || fail "--help should exit 0"
[ -z "$("$SHOAL" members -h 2>/dev/null)" ] && pass || fail "members -h: help must go to stderr"
"$SHOAL" members -h >/dev/null 2>&1; [ $? = 0 ] && pass || fail "members -h should exit 0"
"$SHOAL" members -nope >/dev/null 2>&1; [ $? = 1 ] && pass || fail "unknown flag should exit 1"
[ "$("$SHOAL" members -nope 2>&1 >/dev/null)" = "flag provided but not defined: -nope" ] \
  && pass || fail "unknown flag message on stderr"

# ---- version and keygen ----------------------------------------------------------------
OUT=$("$SHOAL" version); RC=$?
[ "$RC" = 0 ] && [ "$(echo "$OUT" | wc -l)" = 2 ] && pass || fail "version: two lines, exit 0"
[ "$(echo "$OUT" | sed -n 2p)" = "$("$SERF" version | sed -n 2p)" ] && pass \
  || fail "version: protocol line differs from serf's"
[ "$("$SHOAL" -v)" = "$OUT" ] && [ "$("$SHOAL" members --version)" = "$OUT" ] && pass \
  || fail "-v / --version anywhere should run version"
KEY=$("$SHOAL" keygen); RC=$?
[ "$RC" = 0 ] && [ "$(printf '%s' "$KEY" | base64 -d | wc -c)" = 32 ] && pass \
  || fail "keygen: want base64 of 32 bytes, got [$KEY]"
[ "$KEY" != "$("$SHOAL" keygen)" ] && pass || fail "keygen: two keys are equal"

# ---- members ---------------------------------------------------------------------------
same "members" n1 members
same "members -detailed" n1 members -detailed
same "members -status" n1 members -status=alive
same "members -tag" n1 members -tag role=web
same "members -tag regex" n1 members -tag 'role=(web|db)'
same "members -name" n1 members -name='n[23]'
same "members no match" n1 members -name=nobody
same "members -role" n1 members -role=db
same "members bad tag" n1 members -tag nokey
same "members bad regex" n1 members -status='('
same "members bad format" n1 members -format=yaml
same_json "members json" '.members |= sort_by(.name)' n1 members -format=json
same_json "members json empty" '.' n1 members -format=json -name=nobody
run shoal n1 members -format=json -name=nobody
expect "members json empty is null" 0 $'{\n  "members": null\n}'

# ---- info ------------------------------------------------------------------------------
run serf n1 info; a=$(echo "$OUT" | grep -v goroutines)
run shoal n1 info; b=$(echo "$OUT" | grep -v goroutines)
[ "$a" = "$b" ] && [ "$RC" = 0 ] && pass || { fail "info differs"; diff <(echo "$a") <(echo "$b"); }
same_json "info json" 'del(.runtime.goroutines)' n1 info -format=json

# ---- join ------------------------------------------------------------------------------
same "join existing" n3 join "$(gossip_of n2)"
same "join unreachable" n1 join "${NET}9:1"
same_first "join no address" n1 join
same "join -replay" n2 join -replay "$(gossip_of n1)"

# ---- events, queries, rtt, reachability, keys ------------------------------------------
same "event" n1 event deploy v1
same "event -coalesce=false" n1 event -coalesce=false deploy
same_first "event no name" n1 event
same_first "event too many" n1 event a b c
same "query" n1 query -timeout=500ms ping
same "query with responses" n1 query -timeout=1s who
same "query -node" n1 query -timeout=500ms -node=n2 -tag role=db who
same_json "query json with responses" '.Acks |= sort' n1 query -format=json -timeout=1s who
same "query -no-ack" n1 query -no-ack -timeout=300ms ping
same "query bad relay" n1 query -relay-factor=300 ping
same "query reserved name" n1 query _serf_x
same_json "query json" '.Acks |= sort' n1 query -format=json -timeout=500ms ping
same "rtt unknown node" n1 rtt nobody
same_first "rtt arg count" n1 rtt
run shoal n1 rtt n2 n3
[ "$RC" = 0 ] && [[ "$OUT" =~ ^Estimated\ n2\ \<-\>\ n3\ rtt:\ [0-9]+\.[0-9]{3}\ ms$ ]] && pass \
  || fail "rtt n2 n3: rc $RC [$OUT]"
same "reachability" n1 reachability
run shoal n1 reachability -verbose
[ "$RC" = 0 ] && [ "$(printf '%s\n' "$OUT" | grep -c "^	Ack from 'n[123]'$")" = 3 ] \
  && printf '%s\n' "$OUT" | grep -Eq '^Query time: [0-9]+\.[0-9]{2} sec, time to last response: [0-9]+\.[0-9]{2} sec$' \
  && pass || fail "reachability -verbose: rc $RC [$OUT]"
same "monitor bad level" n1 monitor -log-level=NOPE
KEY1=$("$SHOAL" keygen)
same "keys -list" n1 keys -list
same "keys -install" n1 keys -install="$KEY1"
same "keys -list two keys" n1 keys -list
same "keys -use" n1 keys -use="$KEY1"
same "keys -remove primary fails" n1 keys -remove="$KEY1"
same "keys -install bad key" n1 keys -install=AAAA
same "keys -remove" n2 keys -remove="$KEY0"
same "keys -list after remove" n3 keys -list
same_first "keys no action" n1 keys
same "keys two actions" n1 keys -list -install=x

# ---- monitor ---------------------------------------------------------------------------
# monitor_shows NODE FILE EVENT: sends user event EVENT through NODE until the monitor writing
# FILE has printed it (the monitor may not be streaming yet when the first one goes out).
monitor_shows() {
  "$SERF" event -rpc-addr="$(rpc_of "$1")" "$3" hello >/dev/null
  grep -q "Name: \"$3\"" "$2"
}
( exec "$SHOAL" monitor -log-level=debug -rpc-addr="$(rpc_of n1)" >"$TMP/monitor.out" 2>&1 ) &
MON=$!
wait_until "monitor shows an event" monitor_shows n1 "$TMP/monitor.out" monitored
kill -INT "$MON"
wait "$MON"; RC=$?
[ "$RC" = 0 ] && pass || fail "monitor: Ctrl-C should exit 0, got $RC"
grep -q '^Event Info:' "$TMP/monitor.out" && grep -q 'Name: "monitored"' "$TMP/monitor.out" \
  && grep -q 'Payload: \[\]byte{0x68, 0x65, 0x6c, 0x6c, 0x6f}' "$TMP/monitor.out" && pass \
  || { fail "monitor: user event not shown"; cat "$TMP/monitor.out"; }

# ---- tags ------------------------------------------------------------------------------
run shoal n1 tags -set foo=bar -set x=1
expect "tags -set" 0 "Successfully updated agent tags"
run shoal n1 members -tag foo=bar -tag x=1
[[ "$OUT" =~ ^n1\  ]] && pass || fail "tags -set: n1 not found by its new tags [$OUT]"
wait_until "n2 sees n1's new tags" bash -c "'$SERF' members -rpc-addr=$(rpc_of n2) -tag foo=bar | grep -q n1"
run shoal n1 tags -delete foo
expect "tags -delete" 0 "Successfully updated agent tags"
run shoal n1 members -tag foo=bar
expect "tags -delete took effect" 0 ""
same_first "tags without flags" n1 tags
same "tags bad pair" n1 tags -set novalue

# ---- env defaults ----------------------------------------------------------------------
OUT=$(SERF_RPC_ADDR=$(rpc_of n2) "$SHOAL" members -name=n2 | awk '{print $1}')
[ "$OUT" = n2 ] && pass || fail "SERF_RPC_ADDR default not used [$OUT]"
OUT=$(SERF_RPC_ADDR=${NET}9:1 SHOAL_RPC_ADDR=$(rpc_of n2) "$SHOAL" members -name=n2 | awk '{print $1}')
[ "$OUT" = n2 ] && pass || fail "SHOAL_RPC_ADDR should win over SERF_RPC_ADDR [$OUT]"
OUT=$("$SERF" members -rpc-addr="${NET}9:1"); a="$OUT $?"
OUT=$("$SHOAL" members -rpc-addr="${NET}9:1"); b="$OUT $?"
[ "$a" = "$b" ] && pass || fail "connect error: serf [$a] shoal [$b]"

# ---- rpc auth --------------------------------------------------------------------------
same "auth required" n4 members
same "auth wrong token" n4 members -rpc-auth=wrong
run shoal n4 members -rpc-auth=s3cret
[[ "$OUT" =~ ^n4\  ]] && [ "$RC" = 0 ] && pass || fail "members with token: rc $RC [$OUT]"
OUT=$(SERF_RPC_AUTH=s3cret "$SHOAL" members -rpc-addr="$(rpc_of n4)" | awk '{print $1}')
[ "$OUT" = n4 ] && pass || fail "SERF_RPC_AUTH default not used [$OUT]"
OUT=$(SERF_RPC_AUTH=wrong SHOAL_RPC_AUTH=s3cret "$SHOAL" members -rpc-addr="$(rpc_of n4)" | awk '{print $1}')
[ "$OUT" = n4 ] && pass || fail "SHOAL_RPC_AUTH should win over SERF_RPC_AUTH [$OUT]"

# ---- force-leave and leave -------------------------------------------------------------
kill -9 "${PID[n3]}"
unset 'PID[n3]'
wait_until "n3 failed" status_is n1 n3 failed
run shoal n1 force-leave n3
expect "force-leave" 0 ""
wait_until "n3 left" status_is n1 n3 left
run shoal n1 force-leave -prune n3
expect "force-leave -prune" 0 ""
wait_until "n3 pruned" absent n1 n3
run shoal n1 force-leave nobody
expect "force-leave unknown node is silent" 0 ""
same_first "force-leave no name" n1 force-leave
( exec "$SHOAL" monitor -rpc-addr="$(rpc_of n2)" >"$TMP/monitor2.out" 2>&1 ) &
MON=$!
wait_until "second monitor streams" monitor_shows n2 "$TMP/monitor2.out" monitored2
run shoal n2 leave
expect "leave" 0 "Graceful leave complete"
for _ in $(seq 40); do kill -0 "$MON" 2>/dev/null || break; sleep 0.25; done
if kill -0 "$MON" 2>/dev/null; then
  kill -9 "$MON"
  fail "monitor did not end when its agent left"
else
  wait "$MON"; RC=$?
  [ "$RC" = 1 ] && grep -q '^Remote side ended the monitor!' "$TMP/monitor2.out" && pass \
    || { fail "monitor after leave: rc $RC"; cat "$TMP/monitor2.out"; }
fi
wait_until "n2 agent exited" bash -c "! kill -0 ${PID[n2]}"
wait_until "n1 sees n2 left" status_is n1 n2 left

echo "cli_serf_test: $PASSES passed, $FAILS failed"
[ "$FAILS" = 0 ]
