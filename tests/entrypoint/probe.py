#!/usr/bin/env python3
"""The command that the cluster-init tests run under cluster-init; it records what happens to it.

  probe.py record DIR [EXIT_SIG]  pid to DIR/pid, catch every catchable signal and append
                                  "SIGNO MONOTONIC" to DIR/signals; exit 0 on EXIT_SIG
  probe.py status FILE            write pid, pgid, sid, terminal pgrp, SigBlk and SigIgn
  probe.py mark LOG WORD CODE [SLEEP]  sleep, append "MONOTONIC PID WORD" to LOG, exit CODE
  probe.py queued DIR SIGNO       wait for SIGNO with sigwaitinfo; write "SI_CODE VALUE" to DIR/queued
  probe.py orphans DIR N          leave N orphaned grandchildren that exit at once; wait until
                                  they are reaped (gone from /proc); write DIR/orphans
"""
import os
import signal
import sys
import time


def write(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.rename(path + ".tmp", path)


def record(directory, exit_sig):
    fd = os.open(os.path.join(directory, "signals"), os.O_WRONLY | os.O_CREAT | os.O_APPEND)

    def handler(signo, _frame):
        os.write(fd, b"%d %.3f\n" % (signo, time.monotonic()))
        if signo == exit_sig:
            os._exit(0)

    for s in signal.valid_signals():
        if s not in (signal.SIGKILL, signal.SIGSTOP, signal.SIGCHLD):
            signal.signal(s, handler)
    write(os.path.join(directory, "pid"), str(os.getpid()))
    for _ in range(600):  # bounded: ten minutes at most
        time.sleep(1)


def status(path):
    fields = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("SigBlk", "SigIgn"):
                fields[key] = value.strip()
    try:
        tty_pgrp = os.tcgetpgrp(0)
    except OSError:
        tty_pgrp = -1
    write(path, "pid=%d pgid=%d sid=%d tty_pgrp=%d SigBlk=%s SigIgn=%s\n" % (
        os.getpid(), os.getpgrp(), os.getsid(0), tty_pgrp, fields["SigBlk"], fields["SigIgn"]))


def mark(log, word, code, pause):
    time.sleep(pause)
    with open(log, "a") as f:
        f.write("%.3f %d %s\n" % (time.monotonic(), os.getpid(), word))
    sys.exit(code)


def orphans(directory, count):
    pids = []
    for _ in range(count):
        r, w = os.pipe()
        child = os.fork()
        if child == 0:
            grandchild = os.fork()
            if grandchild == 0:
                os.close(r)
                os.close(w)
                time.sleep(0.2)  # outlive the parent, then exit: a zombie for cluster-init
                os._exit(0)
            os.write(w, b"%d" % grandchild)
            os._exit(0)
        os.close(w)
        pids.append(int(os.read(r, 32)))
        os.close(r)
        os.waitpid(child, 0)
    left = pids
    for _ in range(100):  # bounded: 5 s
        left = [p for p in pids if os.path.exists("/proc/%d" % p)]
        if not left:
            break
        time.sleep(0.05)
    write(os.path.join(directory, "orphans"), "spawned=%d unreaped=%d\n" % (len(pids), len(left)))


def queued(directory, signo):
    """sigwaitinfo through ctypes, as Python's siginfo lacks si_value (x86-64/aarch64 layout)."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signo})
    write(os.path.join(directory, "pid"), str(os.getpid()))
    mask = ctypes.create_string_buffer(128)
    libc.sigemptyset(mask)
    libc.sigaddset(mask, signo)
    info = ctypes.create_string_buffer(128)
    if libc.sigwaitinfo(mask, info) != signo:
        sys.exit("sigwaitinfo failed: errno %d" % ctypes.get_errno())
    code = int.from_bytes(info.raw[8:12], "little", signed=True)
    value = int.from_bytes(info.raw[24:32], "little", signed=True)
    write(os.path.join(directory, "queued"), "%d %d\n" % (code, value))


def main():
    mode = sys.argv[1]
    if mode == "record":
        record(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 0)
    elif mode == "status":
        status(sys.argv[2])
    elif mode == "mark":
        mark(sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5]) if len(sys.argv) > 5 else 0)
    elif mode == "queued":
        queued(sys.argv[2], int(sys.argv[3]))
    elif mode == "orphans":
        orphans(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit("probe.py: unknown mode " + mode)


main()
