#!/usr/bin/env python3
"""RPC clients that misbehave, against a real `shoal agent` (issue 7).

1. pipeline: one client pipelines `stats` requests (a few hundred MB worth) and never reads its
   replies. The agent must stop reading it (backpressure): its RSS stays bounded and it still
   answers another client.
2. monitors: fifty `monitor` clients (stream "*" + monitor, as `shoal monitor` opens them) never
   read while events and log lines flow. The total they hold is bounded, not only each one.
3. resets: rounds of twenty `monitor` clients that close abruptly (RST, SO_LINGER 0) while log
   lines flow. The agent must survive (no SIGPIPE) and still answer RPC.
4. cli_pipe: `shoal monitor` whose stdout reader goes away ends by SIGPIPE, as serf's does,
   although shoal ignores SIGPIPE for its sockets.

usage: rpc_load_test.py path/to/shoal [--measure] [--only=pipeline|monitors|resets|cli_pipe]
  --measure prints the figures (VmRSS/VmHWM in MB) without asserting, for before/after notes;
  --only runs one scenario (each on a fresh agent, so that its peak is its own).
env:   RPC_LOAD_ADDR (default 127.0.0.61), RPC_LOAD_PORT (gossip, 17946), RPC_LOAD_RPC_PORT (17373).
Run it in a private network namespace (meson's 'integration' suite is run that way).
"""
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

RSS_MAX_MB = 100  # generous: the agent idles at a few MB and may hold ~17 MB of queued replies
PIPELINE_TARGET_MB = 300
STALL_S = 3.0  # no byte accepted for this long: the agent stopped reading us


# ---- the little msgpack the RPC protocol needs (maps, str, bin, ints, bools) ---------------
def mp(obj):
    if obj is None:
        return b"\xc0"
    if obj is True or obj is False:
        return b"\xc3" if obj else b"\xc2"
    if isinstance(obj, int):
        if 0 <= obj < 128:
            return bytes([obj])
        return b"\xcf" + struct.pack(">Q", obj)
    if isinstance(obj, str):
        raw = obj.encode()
        if len(raw) < 32:
            return bytes([0xA0 | len(raw)]) + raw
        return b"\xda" + struct.pack(">H", len(raw)) + raw
    if isinstance(obj, bytes):
        return b"\xc5" + struct.pack(">H", len(obj)) + obj
    if isinstance(obj, dict):
        out = bytes([0x80 | len(obj)])
        for k, v in obj.items():
            out += mp(k) + mp(v)
        return out
    raise TypeError(obj)


def request(command, seq, body=None):
    out = mp({"Command": command, "Seq": seq})
    return out + (mp(body) if body is not None else b"")


HANDSHAKE = request("handshake", 0, {"Version": 1})


# ---- process and socket helpers ---------------------------------------------------------------
class Agent:
    def __init__(self, shoal, addr, gport, rport, workdir):
        self.rpc = (addr, rport)
        self.log = open(os.path.join(workdir, "agent.log"), "wb")
        self.proc = subprocess.Popen(
            [shoal, "agent", "-node=load", f"-bind={addr}:{gport}",
             f"-rpc-addr={addr}:{rport}", "-log-level=debug"],
            stdout=self.log, stderr=subprocess.STDOUT)

    def status_mb(self, field):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024.0
        raise RuntimeError(f"no {field} for pid {self.proc.pid}")

    def rss(self):
        return self.status_mb("VmRSS"), self.status_mb("VmHWM")

    def alive(self):
        return self.proc.poll() is None

    def interrupt(self):
        """Ctrl-C: a graceful leave, then exit 0 as Serf does; returns the exit code (None: it
        hung). A sanitizer that found an error or a leak makes it non-zero."""
        if self.alive():
            self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            return None

    def stop(self):
        if self.alive():
            self.proc.kill()
        self.proc.wait()
        self.log.close()


def connect(addr, rcvbuf=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf is not None:  # before connect: the window the agent sees stays small
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(5)
    s.connect(addr)
    return s


def reset(sock):
    """Closes with an RST instead of a FIN."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def wait_until(what, cond, timeout_s=15.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for: {what}")


def sanitized(binary):
    """An ASan build maps gigabytes of shadow memory: its RSS says nothing about our queues."""
    with open(binary, "rb") as f:
        return b"__asan_init" in f.read()


def rpc_answers(shoal, agent):
    """Another client gets its answer (shoal's own CLI, bounded in time)."""
    addr = f"-rpc-addr={agent.rpc[0]}:{agent.rpc[1]}"
    try:
        r = subprocess.run([shoal, "members", addr], capture_output=True, timeout=10)
    except subprocess.TimeoutExpired:
        return False
    return r.returncode == 0 and r.stdout.startswith(b"load ")


class EventDriver:
    """A well-behaved client: sends user events (each one a log line and a stream record for
    every monitor) and reads its replies on a thread. Events are name + 400-byte payload."""

    def __init__(self, agent):
        self.sock = connect(agent.rpc)
        self.sock.settimeout(120)  # an agent built with sanitizers takes its time
        self.sock.sendall(HANDSHAKE)
        self.replies = 0
        self.closed = False
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        tail = b""
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError:
                data = b""
            if not data:
                self.closed = True
                return
            buf = tail + data
            self.replies += buf.count(b"\xa5Error")
            tail = buf[-5:]

    def send(self, count, start=1):
        payload = b"p" * 400
        batch = b"".join(request("event", start + i, {"Name": f"load{start + i}", "Payload": payload,
                                                       "Coalesce": False}) for i in range(count))
        self.sock.sendall(batch)

    def wait_replies(self, n, timeout_s=120.0):
        wait_until(f"{n} event replies", lambda: self.replies >= n or self.closed, timeout_s)

    def close(self):
        self.sock.close()


# ---- the scenarios ------------------------------------------------------------------------------
def pipeline(shoal, agent, measure):
    """Returns the MB of requests the agent let us send and its RSS/HWM afterwards."""
    chunk = request("stats", 7) * (1 << 15)  # ~0.8 MB of pipelined requests
    target = PIPELINE_TARGET_MB << 20 if not measure else 40 << 20
    s = connect(agent.rpc)
    s.sendall(HANDSHAKE)
    s.setblocking(False)
    sent, last_progress = 0, time.monotonic()
    view = memoryview(chunk)
    while sent < target and time.monotonic() - last_progress < STALL_S:
        _, writable, _ = select.select([], [s], [], 0.2)
        if not writable:
            continue
        try:
            n = s.send(view[sent % len(chunk):])
        except BlockingIOError:
            continue
        sent += n
        last_progress = time.monotonic()
    answered = rpc_answers(shoal, agent)
    rss = agent.rss()
    reset(s)
    wait_until("the agent drops the pipelining client", lambda: rpc_answers(shoal, agent))
    print("pipeline: after the client left, VmRSS %.1f MB" % agent.rss()[0], flush=True)
    return sent / (1 << 20), rss, answered


def open_monitors(agent, count):
    """Clients that open what `shoal monitor` opens (stream "*" and monitor) and never read."""
    clients = []
    for _ in range(count):
        c = connect(agent.rpc, rcvbuf=4096)
        c.sendall(HANDSHAKE + request("stream", 1, {"Type": "*"}) +
                  request("monitor", 2, {"LogLevel": "debug"}))
        clients.append(c)
    return clients


def monitors(shoal, agent, count=50, events=20000):
    clients = open_monitors(agent, count)
    driver = EventDriver(agent)
    driver.send(events)
    driver.wait_replies(events)
    answered = rpc_answers(shoal, agent)
    rss = agent.rss()
    driver.close()
    for c in clients:
        reset(c)
    return rss, answered


def resets(shoal, agent, rounds=5, count=20):
    try:
        return resets_rounds(shoal, agent, rounds, count)
    except OSError:  # the agent went away under us
        return agent.alive(), False


def resets_rounds(shoal, agent, rounds, count):
    driver = EventDriver(agent)
    seq = 1
    for _ in range(rounds):
        clients = open_monitors(agent, count)
        driver.send(500, seq)
        seq += 500
        for c in clients:  # while the agent is still writing records to them
            reset(c)
        driver.send(500, seq)
        seq += 500
        driver.wait_replies(seq - 1)
        if not agent.alive():
            break
    driver.close()
    return agent.alive(), agent.alive() and rpc_answers(shoal, agent)


def cli_pipe(shoal, agent):
    """Returns the exit code of a `shoal monitor` whose stdout was closed (None: still running)."""
    mon = subprocess.Popen([shoal, "monitor", f"-rpc-addr={agent.rpc[0]}:{agent.rpc[1]}"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    mon.stdout.readline()  # the monitor is streaming
    mon.stdout.close()
    driver = EventDriver(agent)
    seq = 1
    deadline = time.monotonic() + 15
    while mon.poll() is None and time.monotonic() < deadline:
        driver.send(10, seq)  # each one a log line and an event record for the monitor
        seq += 10
        time.sleep(0.05)
    driver.close()
    if mon.poll() is None:
        mon.kill()
        mon.wait()
        return None
    return mon.returncode


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    measure = "--measure" in sys.argv
    only = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--only=")), None)
    if len(args) != 1:
        print(__doc__)
        return 2
    shoal = os.path.abspath(args[0])
    addr = os.environ.get("RPC_LOAD_ADDR", "127.0.0.61")
    gport = int(os.environ.get("RPC_LOAD_PORT", "17946"))
    rport = int(os.environ.get("RPC_LOAD_RPC_PORT", "17373"))
    failures = []
    bound_rss = not sanitized(shoal)
    if not bound_rss:
        print("note: a sanitizer build: RSS is reported, not bounded", flush=True)

    def check(ok, what):
        print(("ok:   " if ok else "FAIL: ") + what, flush=True)
        if not ok and not measure:
            failures.append(what)

    with tempfile.TemporaryDirectory() as tmp:
        agent = Agent(shoal, addr, gport, rport, tmp)
        try:
            wait_until("the agent answers RPC", lambda: rpc_answers(shoal, agent))
            print("idle: VmRSS %.1f MB, VmHWM %.1f MB" % agent.rss(), flush=True)

            if only in (None, "pipeline"):
                mb, (rss, hwm), answered = pipeline(shoal, agent, measure)
                print(f"pipeline: sent {mb:.1f} MB of stats requests; VmRSS {rss:.1f} MB, "
                      f"VmHWM {hwm:.1f} MB", flush=True)
                check(answered, "another client is answered while one pipelines and never reads")
                check(mb < PIPELINE_TARGET_MB, "the agent stops reading a client that never reads")
                check(hwm < RSS_MAX_MB or not bound_rss, f"VmHWM {hwm:.1f} MB after pipelining" +
                      (f" < {RSS_MAX_MB} MB" if bound_rss else " (not bounded)"))

            if only in (None, "monitors"):
                (rss, hwm), answered = monitors(shoal, agent)
                print(f"monitors: 50 non-reading monitors, 20000 events; VmRSS {rss:.1f} MB, "
                      f"VmHWM {hwm:.1f} MB", flush=True)
                check(answered, "another client is answered while 50 monitors never read")
                check(hwm < RSS_MAX_MB or not bound_rss, f"VmHWM {hwm:.1f} MB with 50 monitors" +
                      (f" < {RSS_MAX_MB} MB" if bound_rss else " (not bounded)"))
                wait_until("the monitors' resets are handled",
                           lambda: not agent.alive() or rpc_answers(shoal, agent))

            if only in (None, "resets"):
                alive, answered = resets(shoal, agent)
                code = agent.proc.returncode
                print(f"resets: agent alive {alive}" + ("" if alive else f", exit code {code}"),
                      flush=True)
                check(alive, "the agent survives monitors that close with an RST (no SIGPIPE)")
                check(answered, "the agent answers RPC after the resets")

            if only in (None, "cli_pipe") and agent.alive():
                code = cli_pipe(shoal, agent)
                print(f"cli_pipe: shoal monitor exit code {code}", flush=True)
                check(code == -13, "shoal monitor ends by SIGPIPE once its stdout reader is gone")

            if only is None:
                code = agent.interrupt()
                check(code == 0, f"the agent leaves and exits with 0 on SIGINT (got {code})")
        finally:
            agent.stop()
            if failures:
                with open(os.path.join(tmp, "agent.log"), "rb") as f:
                    sys.stdout.write(f.read()[-4000:].decode(errors="replace"))
    print(f"rpc_load_test: {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
