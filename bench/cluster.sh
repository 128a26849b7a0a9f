#!/usr/bin/env bash
# Benchmark (on demand, not a test): N shoal agents and N serf agents on loopback, one cluster
# per implementation, measured the same way in one run and printed side by side:
#   join convergence  - from starting agent 2..N (all joining agent 1) until every agent lists N alive
#   failure detection - from SIGKILL of one agent until every other agent lists it failed
#   leave propagation - from SIGINT of one agent until every other agent lists it left
#   idle RSS / CPU    - per agent, over an idle window after convergence (first round only)
# Each round starts fresh clusters (shoal, then serf) and takes one convergence, two detection and
# two leave samples; the table gives the median and the worst sample of all rounds, and counts
# the tails: clusters that took over 10 s to converge and leaves that some agent first saw `failed`.
# Usage: [SHOAL=path] bench/cluster.sh [N] [idle-seconds] [rounds]   (defaults 32 20 1; SHOAL
# defaults to build/src/shoal; for figures build a release: meson setup build-rel
# -Dbuildtype=release -Dstatic=true -Db_lto=true && ninja -C build-rel src/shoal)
set -euo pipefail
N=${1:-32}
IDLE=${2:-20}
ROUNDS=${3:-1}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHOAL=${SHOAL:-$ROOT/build/src/shoal}
[ -x "$SHOAL" ] || { echo "build shoal first: ninja -C build"; exit 1; }
command -v serf >/dev/null || { echo "install serf: apt-get install serf"; exit 1; }
((N >= 8)) || { echo "N must be at least 8"; exit 1; }
WORK=$(mktemp -d /tmp/shoal-bench.XXXXXX)
PIDS=()
# BENCH_LOG_LEVEL=info BENCH_KEEP=1 keep the agents' logs in $WORK for a look at the timeline.
LOG_LEVEL=${BENCH_LOG_LEVEL:-warn}
IMPLS=${BENCH_IMPLS:-shoal serf}  # BENCH_IMPLS=shoal runs one side only
trap 'kill -9 "${PIDS[@]}" 2>/dev/null; wait 2>/dev/null; [ -n "${BENCH_KEEP:-}" ] && echo "logs in $WORK" >&2 || rm -rf "$WORK"' EXIT

now() { date +%s.%N; }
elapsed() { echo "$(now) - $1" | bc; }
ip_of() { echo "127.0.$1.$(($2 + 10))"; }  # subnet, index

start_agent() {  # impl subnet index
  local impl=$1 net=$2 i=$3 ip; ip=$(ip_of "$net" "$i")
  local join=(); [ "$i" -gt 1 ] && join=(-join="$(ip_of "$net" 1)")
  local bin=serf; [ "$impl" = shoal ] && bin=$SHOAL
  "$bin" agent -node="$impl$i" -bind="$ip" -rpc-addr="$ip:7373" -log-level="$LOG_LEVEL" "${join[@]}" \
    >>"$WORK/$impl$i.log" 2>&1 &
  echo $!
}

# count subnet index status [node] -> how many members (or whether `node`) the agent lists with status
count() {
  local args=(-rpc-addr="$(ip_of "$1" "$2"):7373" -status="$3"); [ -n "${4:-}" ] && args+=(-name="^$4\$")
  "$SHOAL" members "${args[@]}" 2>/dev/null | awk -v s="$3" '$3 == s' | wc -l
}

# wait_all subnet indexes status want limit [node] -> seconds until every asked agent lists `want`
# members (or `node`) with status, or "timeout". Sets SEEN_FAILED when an agent listed `node` failed.
SEEN_FAILED=0
wait_all() {
  local net=$1 asked=$2 status=$3 want=$4 limit=$5 node=${6:-} t0; t0=$(now)
  while :; do
    local ok=1
    for i in $asked; do
      [ "$(count "$net" "$i" "$status" "$node")" -ge "$want" ] && continue
      ok=0
      [ "$status" = left ] && [ "$(count "$net" "$i" failed "$node")" -ge 1 ] && SEEN_FAILED=1
      break
    done
    [ $ok = 1 ] && { elapsed "$t0"; return; }
    (($(echo "$(elapsed "$t0") > $limit" | bc))) && { echo timeout; return; }
    sleep 0.05
  done
}

rss_cpu() {  # pids... -> "avg_rss_mb avg_cpu_percent" over IDLE seconds
  local hz; hz=$(getconf CLK_TCK)
  for p in "$@"; do
    [ -e /proc/"$p"/stat ] || { echo "agent pid $p died; logs in $WORK" >&2; exit 1; }
  done
  local t0=0 t1=0 rss=0
  for p in "$@"; do t0=$((t0 + $(awk '{print $14 + $15}' /proc/"$p"/stat))); done
  sleep "$IDLE"
  for p in "$@"; do
    t1=$((t1 + $(awk '{print $14 + $15}' /proc/"$p"/stat)))
    rss=$((rss + $(awk '/VmRSS/ {print $2}' /proc/"$p"/status)))
  done
  echo "$(echo "scale=2; $rss / $# / 1024" | bc) $(echo "scale=3; ($t1 - $t0) * 100 / $hz / $IDLE / $#" | bc)"
}

# One round of one implementation; appends samples to $WORK/<impl>.<metric>.
run_round() {  # impl subnet round
  local impl=$1 net=$2 round=$3 pids=()
  pids[1]=$(start_agent "$impl" "$net" 1); PIDS+=("${pids[1]}")
  for _ in $(seq 50); do "$SHOAL" members -rpc-addr="$(ip_of "$net" 1):7373" >/dev/null 2>&1 && break; sleep 0.1; done
  local t0; t0=$(now)
  for i in $(seq 2 "$N"); do pids[$i]=$(start_agent "$impl" "$net" "$i"); PIDS+=("${pids[$i]}"); done
  local converge; converge=$(wait_all "$net" "$(seq 1 "$N")" alive "$N" 180)
  [ "$converge" = timeout ] || converge=$(elapsed "$t0")
  echo "$converge" >>"$WORK/$impl.converge"
  [ "$round" = 1 ] && rss_cpu "${pids[@]:1}" >"$WORK/$impl.idle"
  local observers; observers=$(seq 1 $((N - 4)))
  for victim in "$N" $((N - 1)); do
    kill -9 "${pids[$victim]}"
    wait_all "$net" "$observers" failed 1 120 "$impl$victim" >>"$WORK/$impl.detect"
  done
  for victim in $((N - 2)) $((N - 3)); do
    SEEN_FAILED=0
    kill -INT "${pids[$victim]}"
    wait_all "$net" "$observers" left 1 60 "$impl$victim" >>"$WORK/$impl.leave"
    echo "$SEEN_FAILED" >>"$WORK/$impl.leave_failed_first"
  done
  for p in "${pids[@]:1}"; do kill -9 "$p" 2>/dev/null || true; done
  wait "${pids[@]:1}" 2>/dev/null || true
}

# stat impl metric -> "median/max" of the samples ("timeout" sorts last)
stat() {
  [ -e "$WORK/$1.$2" ] || { echo -; return; }
  sed 's/timeout/999999/' "$WORK/$1.$2" | sort -g | awk '
    function show(v) { return v == 999999 ? "timeout" : sprintf("%.2f", v) }
    { v[NR] = $1 } END { printf "%s/%s", show(v[int((NR + 1) / 2)]), show(v[NR]) }'
}
ratio() {  # medians of "median/max" pairs
  local a=${1%%/*} b=${2%%/*}
  [[ $a =~ ^[0-9.]+$ && $b =~ ^[0-9.]+$ ]] && awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }' || echo "-"
}
tails() { [ -e "$WORK/$1.converge" ] || { echo -; return; }; awk -v slow="$2" '($1 == "timeout" || $1 > slow) { n++ } END { print n + 0 }' "$WORK/$1.converge"; }
failed_first() { [ -e "$WORK/$1.leave_failed_first" ] || { echo -; return; }; awk '{ n += $1 } END { print n + 0 }' "$WORK/$1.leave_failed_first"; }

echo "N=$N agents per implementation, idle window ${IDLE}s, $ROUNDS round(s)"
for round in $(seq "$ROUNDS"); do
  [[ " $IMPLS " == *" shoal "* ]] && run_round shoal 1 "$round"
  [[ " $IMPLS " == *" serf "* ]] && run_round serf 2 "$round"
  echo "round $round done" >&2
done
s_rss=- s_cpu=- g_rss=- g_cpu=-
[ -e "$WORK/shoal.idle" ] && read -r s_rss s_cpu <"$WORK/shoal.idle"
[ -e "$WORK/serf.idle" ] && read -r g_rss g_cpu <"$WORK/serf.idle"
row() { printf '%-34s %16s %16s %10s\n' "$@"; }
row metric shoal serf shoal/serf
row "" "median/max" "median/max" "(median)"
for m in converge:"join convergence (s)" detect:"failure detection (s)" leave:"leave propagation (s)"; do
  s=$(stat shoal "${m%%:*}"); g=$(stat serf "${m%%:*}")
  row "${m#*:}" "$s" "$g" "$(ratio "$s" "$g")"
done
row "idle RSS per agent (MB)" "$s_rss" "$g_rss" "$(ratio "$s_rss" "$g_rss")"
row "idle CPU per agent (%core)" "$s_cpu" "$g_cpu" "$(ratio "$s_cpu" "$g_cpu")"
row "clusters converging after >10 s" "$(tails shoal 10)/$ROUNDS" "$(tails serf 10)/$ROUNDS" ""
row "leaves first seen failed" "$(failed_first shoal)/$((2 * ROUNDS))" "$(failed_first serf)/$((2 * ROUNDS))" ""
