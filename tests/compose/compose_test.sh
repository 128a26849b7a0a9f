#!/usr/bin/env bash
# The compose cluster (compose/docker-compose.yml) with real containers: every node sees every
# other alive; a one-shot container's exit status comes out of cluster-init and it is `left`
# afterwards; `docker stop` gives `left`, `docker kill` gives `failed`, a network disconnect
# gives `failed` and reconnecting gives `alive` again. Needs Docker and compose: without them it
# fails (CI has both). Usage: compose_test.sh [STATIC_BUILD_DIR]  (default build-static)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
export SHOAL_BUILD_DIR=${1:-$root/build-static}
export SHOAL_IMAGE_TAG=compose-test-$$
project=shoal-compose-test-$$
network=${project}_shoal
file=$root/compose/docker-compose.yml
images=(shoal/scratch shoal/busybox shoal/serf shoal/busybox-base)
started=$SECONDS

say() { echo "[$((SECONDS - started))s] $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

command -v docker >/dev/null || fail "docker is not installed (CI provides Docker Engine)"
docker info >/dev/null 2>&1 ||
  fail "the Docker daemon does not answer: $(docker info 2>&1 | tail -1)"
if docker compose version >/dev/null 2>&1; then compose_cmd=(docker compose)
elif command -v docker-compose >/dev/null; then compose_cmd=(docker-compose)
else fail "neither 'docker compose' nor docker-compose is installed (scripts/install-deps)"; fi
compose() { "${compose_cmd[@]}" -p "$project" -f "$file" "$@"; }

job=$project-job
nodes=()
declare -A id
cleanup() {
  local rc=$?
  if ((rc != 0)); then
    for s in "${nodes[@]}"; do
      echo "--- members on $s:"; members_of "$s" 2>&1 || true
    done
    echo "--- logs:"; compose logs --no-color 2>&1 | grep -v '^\s*$' | tail -n 80 || true
  fi
  docker rm -f "$job" >/dev/null 2>&1 || true
  compose down -v --remove-orphans -t 3 >/dev/null 2>&1 || true
  docker network rm "$network" >/dev/null 2>&1 || true
  for i in "${images[@]}"; do docker rmi "$i:$SHOAL_IMAGE_TAG" >/dev/null 2>&1 || true; done
  say "cleaned up (exit $rc)"
}
trap cleanup EXIT

# What a killed earlier run left behind (its test process is gone) would hold the subnet.
for stale in $(docker network ls --format '{{.Name}}' --filter name=shoal-compose-test-); do
  pid=${stale#shoal-compose-test-}
  pid=${pid%%_*}
  kill -0 "$pid" 2>/dev/null && continue
  docker ps -aq --filter "network=$stale" | xargs -r docker rm -f >/dev/null
  docker network rm "$stale" >/dev/null || true
done

say "building the images (tag $SHOAL_IMAGE_TAG)"
"$root/images/build.sh"
compose up -d
nodes=(container01 container02 container03 container04 joiner serf01)
for s in "${nodes[@]}"; do id[$s]=$(compose ps -q "$s"); done

members_of() {  # service: its agent's member list (name addr status ...)
  local cli=/shoal
  [ -n "${id[$1]:-}" ] || return 1
  [ "$1" = serf01 ] && cli=/usr/bin/serf
  timeout 10 docker exec "${id[$1]}" "$cli" members
}
status_on() { members_of "$1" | awk -v n="$2" '$1 == n { print $3 }'; }
all_alive() {  # every given node sees every given node alive
  local o n
  for o in "$@"; do for n in "$@"; do
    [ "$(status_on "$o" "$n")" = alive ] || return 1
  done; done
}
seen_as() {  # status node observers...: every observer sees node in status
  local status=$1 node=$2 o
  shift 2
  for o in "$@"; do [ "$(status_on "$o" "$node")" = "$status" ] || return 1; done
}
wait_until() {  # seconds description command...: bounded in time and in tries
  local limit=$1 what=$2 from=$SECONDS tries
  shift 2
  for ((tries = 0; tries < limit * 4; tries++)); do
    if "$@" 2>/dev/null; then say "ok: $what (after $((SECONDS - from)) s)"; return 0; fi
    ((SECONDS - from < limit)) || break
    sleep 0.5
  done
  fail "$what: not within $limit s"
}

wait_until 90 "all six containers see all six alive" all_alive "${nodes[@]}"
observers=(container01 joiner serf01)

# A one-shot job joins, sees the whole cluster (readiness gate), exits 3; cluster-init exits 3
# and the node has left.
docker run -d --name "$job" --hostname job --network "$network" \
  -e SHOAL_AGENT_OPTS="-join=container01" -e CLUSTER_INIT_MEMBERS=7 \
  "shoal/busybox:$SHOAL_IMAGE_TAG" sh -c 'sleep 1; exit 3' >/dev/null
code=$(timeout 90 docker wait "$job") || fail "the job container did not exit within 90 s"
[ "$code" = 3 ] || fail "the job's command exited 3 but the container exited $code"
say "ok: a container whose command exits 3 exits 3"
wait_until 20 "the finished job is left on the others" seen_as left job "${observers[@]}"

# docker stop: SIGTERM, the agent leaves inside the 10 s grace (no SIGKILL: 143, not 137).
from=$SECONDS
docker stop -t 10 "${id[container04]}" >/dev/null
code=$(docker inspect -f '{{.State.ExitCode}}' "${id[container04]}")
say "docker stop took $((SECONDS - from)) s, exit code $code"
[ "$code" = 143 ] || fail "docker stop: expected exit 143 (sleep ended by SIGTERM), got $code"
wait_until 20 "docker stop: container04 is left" seen_as left container04 "${observers[@]}"

docker kill "${id[container03]}" >/dev/null
wait_until 60 "docker kill: container03 is failed" seen_as failed container03 "${observers[@]}"

docker network disconnect "$network" "${id[container02]}"
wait_until 60 "network disconnect: container02 is failed" \
  seen_as failed container02 "${observers[@]}"
docker network connect --ip 198.18.90.12 --alias container02 "$network" "${id[container02]}"
wait_until 120 "network connect: container02 is alive again" \
  all_alive container02 "${observers[@]}"

# serf01 gossips its address IPv4-mapped (::ffff:198.18.90.21): shoal must still reach it by
# UDP, not only by the TCP fallback ping.
for s in container01 joiner; do
  if docker logs "${id[$s]}" 2>&1 | grep -q "connect to serf01 but other probes failed"; then
    fail "$s reached serf01 only over TCP"
  fi
done
say "ok: shoal pings serf01 over UDP at its IPv4-mapped address"
say "PASS"
