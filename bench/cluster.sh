#!/usr/bin/env bash
# Benchmark (on demand, not a test): N shoal agents and N serf agents on loopback, one cluster
# per implementation, measured the same way in one run and printed side by side:
#   join convergence  - from starting agent 2..N (all joining agent 1) until every agent lists N alive
#   failure detection - from SIGKILL of one agent until every other agent lists it failed
#   leave propagation - from SIGINT of one agent until every other agent lists it left
#   idle RSS / CPU    - per agent, over an idle window after convergence
# Usage: [SHOAL=path] bench/cluster.sh [N] [idle-seconds]   (N defaults to 32; SHOAL defaults to
# build/src/shoal; for figures build a release: meson setup build-rel -Dbuildtype=release
# -Dstatic=true -Db_lto=true && ninja -C build-rel src/shoal, then SHOAL=build-rel/src/shoal)
set -euo pipefail
N=${1:-32}
IDLE=${2:-20}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHOAL=${SHOAL:-$ROOT/build/src/shoal}
[ -x "$SHOAL" ] || { echo "build shoal first: ninja -C build"; exit 1; }
command -v serf >/dev/null || { echo "install serf: apt-get install serf"; exit 1; }
WORK=$(mktemp -d /tmp/shoal-bench.XXXXXX)
PIDS=()
trap 'kill -9 "${PIDS[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT

now() { date +%s.%N; }
ip_of() { echo "127.0.$1.$(($2 + 10))"; }  # subnet, index

start_agent() {  # impl subnet index
  local impl=$1 net=$2 i=$3 ip; ip=$(ip_of "$net" "$i")
  local join=(); [ "$i" -gt 1 ] && join=(-join="$(ip_of "$net" 1)")
  if [ "$impl" = shoal ]; then
    "$SHOAL" agent -node="$impl$i" -bind="$ip" -rpc-addr="$ip:7373" -log-level=warn "${join[@]}" >"$WORK/$impl$i.log" 2>&1 &
  else
    serf agent -node="$impl$i" -bind="$ip" -rpc-addr="$ip:7373" -log-level=warn "${join[@]}" >"$WORK/$impl$i.log" 2>&1 &
  fi
  echo $!
}

count_status() {  # subnet index status -> how many members the agent lists with that status
  "$SHOAL" members -rpc-addr="$(ip_of "$1" "$2"):7373" -status="$3" 2>/dev/null | awk -v s="$3" '$3 == s' | wc -l
}

# wait_all subnet indexes-to-ask status expected-count timeout -> prints seconds waited or "timeout"
wait_all() {
  local net=$1 asked=$2 status=$3 want=$4 limit=$5 t0; t0=$(now)
  while :; do
    local ok=1
    for i in $asked; do
      [ "$(count_status "$net" "$i" "$status")" -ge "$want" ] || { ok=0; break; }
    done
    [ $ok = 1 ] && { echo "$(echo "$(now) - $t0" | bc)"; return; }
    (( $(echo "$(now) - $t0 > $limit" | bc) )) && { echo timeout; return; }
    sleep 0.05
  done
}

rss_cpu() {  # pids... -> "avg_rss_mb avg_cpu_percent" over IDLE seconds
  local hz; hz=$(getconf CLK_TCK)
  for p in "$@"; do
    [ -e /proc/"$p"/stat ] || { echo "agent pid $p died; logs in $WORK" >&2; ls "$WORK" >&2; exit 1; }
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

run_impl() {  # impl subnet -> "converge rss cpu detect leave"
  local impl=$1 net=$2 pids=() all
  pids[1]=$(start_agent "$impl" "$net" 1); PIDS+=("${pids[1]}")
  for _ in $(seq 50); do "$SHOAL" members -rpc-addr="$(ip_of "$net" 1):7373" >/dev/null 2>&1 && break; sleep 0.1; done
  local t0; t0=$(now)
  for i in $(seq 2 "$N"); do pids[$i]=$(start_agent "$impl" "$net" "$i"); PIDS+=("${pids[$i]}"); done
  all=$(seq 1 "$N")
  local converge; converge=$(wait_all "$net" "$all" alive "$N" 180)
  [ "$converge" = timeout ] || converge=$(echo "$(now) - $t0" | bc)
  read -r rss cpu < <(rss_cpu "${pids[@]:1}")
  kill -9 "${pids[$N]}"
  local others; others=$(seq 1 $((N - 2)))
  local detect; detect=$(wait_all "$net" "$others" failed 1 120)
  kill -INT "${pids[$((N - 1))]}"
  local leave; leave=$(wait_all "$net" "$others" left 1 60)
  for p in "${pids[@]:1}"; do kill -9 "$p" 2>/dev/null || true; done
  echo "$converge $rss $cpu $detect $leave"
}

echo "N=$N agents per implementation, idle window ${IDLE}s"
read -r s_conv s_rss s_cpu s_det s_leave < <(run_impl shoal 1)
read -r g_conv g_rss g_cpu g_det g_leave < <(run_impl serf 2)
ratio() { [[ $1 =~ ^[0-9.]+$ && $2 =~ ^[0-9.]+$ ]] && [ "$(echo "$2 > 0" | bc)" = 1 ] && echo "scale=2; $1 / $2" | bc || echo "-"; }
printf '%-28s %12s %12s %10s\n' metric shoal serf shoal/serf
printf '%-28s %12s %12s %10s\n' "join convergence (s)" "$s_conv" "$g_conv" "$(ratio "$s_conv" "$g_conv")"
printf '%-28s %12s %12s %10s\n' "failure detection (s)" "$s_det" "$g_det" "$(ratio "$s_det" "$g_det")"
printf '%-28s %12s %12s %10s\n' "leave propagation (s)" "$s_leave" "$g_leave" "$(ratio "$s_leave" "$g_leave")"
printf '%-28s %12s %12s %10s\n' "idle RSS per agent (MB)" "$s_rss" "$g_rss" "$(ratio "$s_rss" "$g_rss")"
printf '%-28s %12s %12s %10s\n' "idle CPU per agent (%core)" "$s_cpu" "$g_cpu" "$(ratio "$s_cpu" "$g_cpu")"
