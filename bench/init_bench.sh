#!/usr/bin/env bash
# Compares cluster-init with the usual container inits (Debian's tini, tini-static, dumb-init,
# catatonit) in one run: binary size, start-to-exit time of `INIT -- /bin/true`, and peak RSS.
# Peak RSS comes two ways: GNU time's %M for `INIT -- /bin/true` (the maximum over the init and
# the command it waited for, so /bin/true's own ~1 MB usually dominates), and the init's own
# VmHWM read from /proc while it runs `sleep`. Installs the other inits, hyperfine and time
# when missing (as root). Usage: bench/init_bench.sh [path/to/cluster-init] [runs]
set -euo pipefail
ci=${1:-build/entrypoint/cluster-init}
runs=${2:-200}
[ -x "$ci" ] || { echo "no cluster-init at $ci: build it (ninja -C build entrypoint/cluster-init) or pass its path"; exit 1; }
ci=$(readlink -f "$ci")

need=()
for p in tini dumb-init catatonit time hyperfine; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if ((${#need[@]})); then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

# name | binary | how it runs a command (not PID 1 here: the tinis need -s to be a subreaper)
inits=(
  "cluster-init|$ci|$ci --"
  "tini|/usr/bin/tini|/usr/bin/tini -s --"
  "tini-static|/usr/bin/tini-static|/usr/bin/tini-static -s --"
  "dumb-init|/usr/bin/dumb-init|/usr/bin/dumb-init --"
  "catatonit|/usr/bin/catatonit|/usr/bin/catatonit --"
)
export CLUSTER_INIT_AGENT=none  # plain init, like the others; the rest ignore it
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

own_rss() {  # the init's own VmHWM in KiB, sampled while it waits for `sleep`
  local pid hwm
  $1 /bin/sleep 0.3 & pid=$!
  sleep 0.15
  hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
  wait "$pid"
  echo "$hwm"
}

printf '%-13s %10s %-8s %22s %14s %14s\n' init "size (B)" linkage "time median/min/mean" "time %M (KiB)" "own RSS (KiB)"
for entry in "${inits[@]}"; do
  IFS='|' read -r name bin cmd <<<"$entry"
  size=$(stat -c %s "$bin")
  if file -L "$bin" | grep -q 'statically linked'; then linkage=static; else linkage=dynamic; fi
  hyperfine -N --warmup 20 --runs "$runs" --export-json "$tmp/$name.json" "$cmd /bin/true" >/dev/null 2>&1
  mean=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.0f/%.0f/%.0f us" % (r["median"]*1e6, r["min"]*1e6, r["mean"]*1e6))' "$tmp/$name.json")
  peak=$(for _ in 1 2 3 4 5; do /usr/bin/time -f %M $cmd /bin/true 2>&1 >/dev/null | tail -1; done | sort -n | sed -n 3p)
  printf '%-13s %10s %-8s %22s %14s %14s\n' "$name" "$size" "$linkage" "$mean" "$peak" "$(own_rss "$cmd")"
done
echo "($runs runs each with hyperfine -N after 20 warm-ups; time %M is the median of 5 runs)"
