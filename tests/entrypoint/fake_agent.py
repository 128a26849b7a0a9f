#!/usr/bin/env python3
"""A stand-in for `shoal agent` in the cluster-init tests, steered by FAKE_AGENT_* variables.

Every event goes to FAKE_AGENT_LOG as "MONOTONIC PID EVENT [WORDS]": start (with its session
id and arguments), listening, signal N, leave, members (with its arguments).
FAKE_AGENT_MODE: listen (default: listen on -rpc-addr, leave on SIGINT), stubborn (listen,
ignore SIGINT), silent (never listen), fail (exit 2 at once). FAKE_AGENT_LISTEN_DELAY delays
listening, FAKE_AGENT_LEAVE_DELAY the exit after SIGINT. `members` prints 1 alive member at start, one more every 0.3 s, up to
FAKE_AGENT_MEMBERS.
"""
import os
import signal
import socket
import sys
import time

LOG = os.environ["FAKE_AGENT_LOG"]
MODE = os.environ.get("FAKE_AGENT_MODE", "listen")


def log(*words):
    with open(LOG, "a") as f:
        f.write("%.3f %d %s\n" % (time.monotonic(), os.getpid(), " ".join(words)))


def flag(args, name):
    for a in args:
        if a.startswith("-" + name + "="):
            return a.split("=", 1)[1]
    return None


def members(args):
    log("members", *args)
    with open(LOG + ".start") as f:
        started = float(f.read())
    n = min(int(os.environ.get("FAKE_AGENT_MEMBERS", "3")), 1 + int((time.monotonic() - started) / 0.3))
    for i in range(n):
        print("node%d  127.0.0.%d:7946  alive" % (i, i + 1))


def agent(args):
    log("start", "sid=%d" % os.getsid(0), *args)
    with open(LOG + ".start", "w") as f:
        f.write("%.3f" % time.monotonic())
    if MODE == "fail":
        sys.exit(2)

    def on_signal(signo, _frame):
        log("signal", str(signo))
        if signo == signal.SIGINT and MODE != "stubborn":
            time.sleep(float(os.environ.get("FAKE_AGENT_LEAVE_DELAY", "0")))
            log("leave")
            os._exit(0)

    for s in signal.valid_signals():
        if s not in (signal.SIGKILL, signal.SIGSTOP, signal.SIGCHLD):
            signal.signal(s, on_signal)
    if MODE == "silent":
        return time.sleep(600)
    time.sleep(float(os.environ.get("FAKE_AGENT_LISTEN_DELAY", "0")))
    host, port = (flag(args, "rpc-addr") or "127.0.0.1:7373").rsplit(":", 1)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, int(port)))
    sock.listen(16)
    log("listening")
    for _ in range(600):  # bounded: ten minutes at most
        time.sleep(1)


if sys.argv[1] == "members":
    members(sys.argv[2:])
elif sys.argv[1] == "agent":
    agent(sys.argv[2:])
else:
    sys.exit("fake_agent.py: unknown command " + sys.argv[1])
