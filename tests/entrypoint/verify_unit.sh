#!/usr/bin/env bash
# Checks the configured shoal.service: the seed's settings are there, and `systemd-analyze
# verify` accepts it. verify insists that ExecStart's binary exists, and the unit names the
# installed path (<bindir>/shoal), which a build tree does not have: so the check runs on a
# copy whose ExecStart points at a stub executable, the only line that differs. A deliberately
# broken copy must fail, which shows that verify really runs here (no systemd as PID 1 needed).
set -euo pipefail
unit=${1:?usage: verify_unit.sh path/to/shoal.service}
command -v systemd-analyze >/dev/null || { echo "systemd-analyze missing: run scripts/install-deps (package systemd)"; exit 1; }
for want in '^KillSignal=SIGINT$' '^EnvironmentFile=-/etc/default/shoal$' \
    '^EnvironmentFile=-/etc/sysconfig/shoal$' '^ExecStart=/.*/shoal agent \$SHOAL_AGENT_OPTS$' \
    '^Restart=on-failure$'; do
  grep -Eq "$want" "$unit" || { echo "shoal.service lacks a line matching $want"; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/ok" "$tmp/bad"
printf '#!/bin/sh\nexit 0\n' > "$tmp/bin/shoal"
chmod +x "$tmp/bin/shoal"
sed -E "s|^ExecStart=/.*/shoal |ExecStart=$tmp/bin/shoal |" "$unit" > "$tmp/ok/shoal.service"
sed -E 's|^KillSignal=SIGINT$|KillSignal=SIGNOTONE|' "$tmp/ok/shoal.service" > "$tmp/bad/shoal.service"
if ! out=$(systemd-analyze --man=no verify "$tmp/ok/shoal.service" 2>&1) || [ -n "$out" ]; then
  echo "systemd-analyze verify rejects shoal.service:"; echo "$out"; exit 1
fi
if systemd-analyze --man=no verify "$tmp/bad/shoal.service" >/dev/null 2>&1 &&
   [ -z "$(systemd-analyze --man=no verify "$tmp/bad/shoal.service" 2>&1)" ]; then
  echo "systemd-analyze verify accepted a broken unit: the check proves nothing here"; exit 1
fi
echo "shoal.service verified"
