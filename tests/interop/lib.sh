# Helpers for the process-level tests: start real agents on loopback addresses, wait for a
# condition with a bound on time, and clean every process up on exit.
# Each script uses its own 127.0.0.x range so that suites can run in parallel.

set -u
PIDS=()
WORK=$(mktemp -d /tmp/shoal-test.XXXXXX)
FAILED=0
PASSED=0

cleanup() {
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null; done
  wait 2>/dev/null
  if [ "$FAILED" -ne 0 ]; then
    for f in "$WORK"/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 40 "$f"; }; done
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# start_serf NAME IP [extra serf agent flags...]  -> pid in $LAST_PID, log in $WORK/NAME.log
start_serf() {
  local name=$1 ip=$2; shift 2
  serf agent -node="$name" -bind="$ip:7946" -rpc-addr="$ip:7373" -log-level=debug "$@" \
    >"$WORK/$name.log" 2>&1 &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
}

# start_shoal NAME IP [extra shoal agent flags...]
start_shoal() {
  local name=$1 ip=$2; shift 2
  "$SHOAL" agent -node="$name" -bind="$ip:7946" -rpc-addr="$ip:7373" -log-level=debug "$@" \
    >"$WORK/$name.log" 2>&1 &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
}

# wait_for SECONDS DESCRIPTION COMMAND...: polls every 0.2 s, at most SECONDS.
wait_for() {
  local limit=$1 what=$2; shift 2
  local tries=$((limit * 5))
  for ((i = 0; i < tries; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  echo "timed out after ${limit}s waiting for: $what"
  return 1
}

# member_status RPC_IP NAME -> prints the status of NAME as seen by the agent at RPC_IP
member_status() {
  serf members -rpc-addr="$1:7373" -name="^$2\$" 2>/dev/null | awk '{print $3}'
}
status_is() { [ "$(member_status "$1" "$2")" = "$3" ]; }

check() {  # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then
    PASSED=$((PASSED + 1)); echo "ok - $what"
  else
    FAILED=$((FAILED + 1)); echo "not ok - $what"
  fi
}

finish() {
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
}
