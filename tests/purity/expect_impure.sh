#!/usr/bin/env bash
# Proves that scripts/check-core-purity can fail: run on the library built from impure.cpp
# (and on this folder's sources), it must exit 1 and name every impurity impure.cpp holds.
# Usage: expect_impure.sh CHECKER LIBRARY SOURCE_DIR
set -u
checker=$1 library=$2 sources=$3
out=$("$checker" "$library" "$sources" 2>&1)
status=$?
fail=0
if [ "$status" -ne 1 ]; then
  echo "expected exit status 1 (impure), got $status"
  fail=1
fi
# One extended regex per impurity of impure.cpp, each as the checker must report it.
expected=(
  'impure.cpp.o: imports std::chrono::_V2::steady_clock::now\(\): a clock read'
  'impure.cpp.o: imports std::chrono::_V2::system_clock::now\(\): a clock read'
  'impure.cpp.o: imports clock_gettime: a clock read'
  'impure.cpp.o: imports getenv: environment'
  'impure.cpp.o: imports std::random_device::.*: global randomness'
  'impure.cpp.o: imports rand: global randomness'
  'impure.cpp.o: imports fopen(64)?: file or terminal I/O'
  'impure.cpp.o: imports std::cout: file or terminal I/O'
  'impure.cpp.o: imports socket: network I/O'
  'impure.cpp.o: imports sendto: network I/O'
  'impure.cpp.o: imports recv: network I/O'
  'impure.cpp.o: impure::log_line\(char const\*\) uses stderr: only '
  'impure.cpp.o: impure::log_line\(char const\*\) uses fprintf: only '
  'impure.cpp.o: imports std::thread::.*: threads'
  'impure.cpp.o: imports pthread_\w+: threads'
  'impure.cpp.o: defines thread-local impure::threads\(\)::calls: threads'
  'impure.cpp.o: imports uv_run: libuv'
  'impure.cpp.o: imports unheard_of: not on the allow-list'
  'impure.cpp.o: imports .*regex.*: std::regex backtracks'
  'impure.cpp:[0-9]+: includes sys/socket.h: '
  'impure.cpp:[0-9]+: includes thread: '
  'impure.cpp:[0-9]+: includes random: '
  'impure.cpp:[0-9]+: includes iostream: '
)
for pattern in "${expected[@]}"; do
  if ! grep -qE -- "$pattern" <<<"$out"; then
    echo "not reported: $pattern"
    fail=1
  fi
done
if [ "$fail" -ne 0 ]; then
  echo "--- checker output:"
  echo "$out"
  exit 1
fi
echo "the purity check fails on impure code, naming all ${#expected[@]} impurities"
