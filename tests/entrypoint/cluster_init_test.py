#!/usr/bin/env python3
"""Black-box tests of the real cluster-init binary (issue 3 item 7).

usage: cluster_init_test.py CLUSTER_INIT CASE [SHOAL]

Each CASE is one meson test. cluster-init runs as a child subreaper of this script (or as PID 1
under `unshare --pid --fork`); the command is probe.py, which records what happens to it, and
the agent is fake_agent.py, the real serf, or the real shoal. Every wait is bounded.
"""
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PROBE = [sys.executable, os.path.join(HERE, "probe.py")]
FAKE_AGENT = os.path.join(HERE, "fake_agent.py")
SOURCE = os.path.join(HERE, "..", "..", "entrypoint", "cluster_init.cpp")
CI = os.path.abspath(sys.argv[1])
SHOAL = sys.argv[3] if len(sys.argv) > 3 else ""


def check(cond, message):
    if not cond:
        raise AssertionError(message)


def wait_for(pred, what, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:  # bounded in time; the sleep bounds the count
        value = pred()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("timed out after %.1f s waiting for %s" % (timeout, what))


def env(**extra):
    e = {k: v for k, v in os.environ.items() if not k.startswith(("CLUSTER_INIT_", "SHOAL_", "FAKE_"))}
    e.update({k: str(v) for k, v in extra.items()})
    return e


def no_core():
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except FileNotFoundError:
        return ""


def recorded(directory):
    """Signals the probe recorded: [(signo, monotonic)]."""
    return [(int(a), float(b)) for a, b in (l.split() for l in read(os.path.join(directory, "signals")).splitlines())]


def events(log):
    """fake_agent.py / probe.py mark events: [(monotonic, pid, event, args)]."""
    out = []
    for line in read(log).splitlines():
        t, pid, event, *args = line.split()
        out.append((float(t), int(pid), event, args))
    return out


def first(evs, name):
    return next((e for e in evs if e[2] == name), None)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def children(pid):
    return [int(p) for p in read("/proc/%d/task/%d/children" % (pid, pid)).split()]


def kill_quietly(pid, sig=signal.SIGKILL):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def agent_env(tmp, mode="listen", **extra):
    port = free_port()
    log = os.path.join(tmp, "agent.log")
    e = env(CLUSTER_INIT_AGENT=FAKE_AGENT, SHOAL_AGENT_OPTS="-rpc-addr=127.0.0.1:%d" % port,
            FAKE_AGENT_LOG=log, FAKE_AGENT_MODE=mode, **extra)
    return e, log, port


# ---- plain init (CLUSTER_INIT_AGENT=none) ---------------------------------------------------------
def case_exit_codes():
    for n in range(256):
        r = subprocess.run([CI, "--", "sh", "-c", "exit %d" % n], env=env(CLUSTER_INIT_AGENT="none"))
        check(r.returncode == n, "command exited %d, cluster-init exited %d" % (n, r.returncode))
    r = subprocess.run([CI, "sh", "-c", "exit 42"], env=env(CLUSTER_INIT_AGENT="none"))
    check(r.returncode == 42, "without --: exit %d, want 42" % r.returncode)


def case_signal_deaths():
    for sig in (signal.SIGHUP, signal.SIGINT, signal.SIGQUIT, signal.SIGABRT, signal.SIGKILL,
                signal.SIGSEGV, signal.SIGUSR1, signal.SIGPIPE, signal.SIGTERM, 40):
        r = subprocess.run([CI, "--", "sh", "-c", "kill -%d $$" % sig], env=env(CLUSTER_INIT_AGENT="none"),
                           preexec_fn=no_core)
        check(r.returncode == 128 + sig, "command died of %d: exit %d, want %d" % (sig, r.returncode, 128 + sig))


def expect_one_error(args, code, what, extra_env=None):
    r = subprocess.run([CI] + args, env=extra_env or env(CLUSTER_INIT_AGENT="none"),
                       capture_output=True, text=True)
    lines = r.stderr.splitlines()
    check(r.returncode == code, "%s: exit %d, want %d (stderr %r)" % (what, r.returncode, code, r.stderr))
    check(len(lines) == 1 and lines[0].startswith("[ERROR cluster-init] "),
          "%s: want one [ERROR cluster-init] line, got %r" % (what, r.stderr))
    return lines[0]


def case_exec_errors():
    with tempfile.TemporaryDirectory() as tmp:
        line = expect_one_error(["--", "/nonexistent/cmd"], 127, "missing path")
        check("/nonexistent/cmd" in line and "not found" in line, "unclear message: " + line)
        expect_one_error(["no-such-command-xyz"], 127, "missing command in PATH")
        line = expect_one_error(["--", "/etc/passwd"], 126, "non-executable file")
        check("Permission denied" in line, "unclear message: " + line)
        expect_one_error(["--", tmp], 126, "directory")
        garbage = os.path.join(tmp, "garbage")
        with open(garbage, "wb") as f:
            f.write(b"\x7fELF\x00\x00garbage")
        os.chmod(garbage, 0o755)
        expect_one_error(["--", garbage], 126, "exec format error")
        expect_one_error([], 1, "no command and no agent")
        expect_one_error(["--leave-timeout=soon", "true"], 1, "bad option value")
        e, log, _ = agent_env(tmp)
        expect_one_error(["--", "/nonexistent/cmd"], 127, "missing command with an agent", e)
        check(not read(log), "the agent was started although the command is missing")
        expect_one_error(["true"], 1, "missing agent", env(CLUSTER_INIT_AGENT="/nonexistent/shoal"))


def case_forwarding():
    with tempfile.TemporaryDirectory() as tmp:
        ci = subprocess.Popen([CI, "--"] + PROBE + ["record", tmp], env=env(CLUSTER_INIT_AGENT="none"))
        pid = int(wait_for(lambda: read(os.path.join(tmp, "pid")), "the probe"))
        sigs = sorted(set(signal.valid_signals()) - {signal.SIGKILL, signal.SIGSTOP, signal.SIGCHLD})
        check(len(sigs) > 55, "too few signals to test: %d" % len(sigs))
        for sig in sigs:
            os.kill(ci.pid, sig)
            wait_for(lambda: any(s == sig for s, _ in recorded(tmp)), "signal %d at the command" % sig, 3)
        os.kill(pid, signal.SIGKILL)
        check(ci.wait(5) == 128 + 9, "exit %s after the command was killed" % ci.returncode)
        got = [s for s, _ in recorded(tmp)]
        check(got == sigs, "signals arrived as %s, sent %s" % (got, sigs))
        # A queued real-time signal keeps its value (sigqueue, si_code SI_QUEUE).
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        rt = signal.SIGRTMIN + 3
        os.unlink(os.path.join(tmp, "pid"))
        ci = subprocess.Popen([CI, "--"] + PROBE + ["queued", tmp, str(rt)], env=env(CLUSTER_INIT_AGENT="none"))
        wait_for(lambda: read(os.path.join(tmp, "pid")), "the probe")
        check(libc.sigqueue(ci.pid, rt, ctypes.c_void_p(4242)) == 0, "sigqueue failed")
        check(ci.wait(5) == 0, "queued: exit %s" % ci.returncode)
        check(read(os.path.join(tmp, "queued")).split() == ["-1", "4242"],
              "the command got si_code/value %s, want SI_QUEUE (-1) 4242" % read(os.path.join(tmp, "queued")))


def group_run(tmp, group, script):
    flags = ["-g"] if group else []
    return subprocess.Popen([CI] + flags + ["--", "sh", "-c", script], env=env(CLUSTER_INIT_AGENT="none"),
                            cwd=tmp)


def case_group_mode():
    with tempfile.TemporaryDirectory() as tmp:
        probe = " ".join(PROBE)
        for group in (True, False):
            for d in ("a", "b"):
                shutil.rmtree(os.path.join(tmp, d), ignore_errors=True)
                os.mkdir(os.path.join(tmp, d))
            ci = group_run(tmp, group, "%s record a & %s record b & wait" % (probe, probe))
            pids = [int(wait_for(lambda: read(os.path.join(tmp, d, "pid")), "probe " + d)) for d in "ab"]
            os.kill(ci.pid, signal.SIGUSR1)  # the shell dies of it in both modes
            check(ci.wait(5) == 128 + signal.SIGUSR1, "exit %s, want 138" % ci.returncode)
            if group:
                for d in "ab":
                    wait_for(lambda: signal.SIGUSR1 in [s for s, _ in recorded(os.path.join(tmp, d))],
                             "SIGUSR1 at group member " + d, 3)
            else:
                time.sleep(0.3)
                check(not recorded(os.path.join(tmp, "a")), "child mode forwarded to the whole group")
            for p in pids:
                kill_quietly(p)
        for group in (True, False):
            d = os.path.join(tmp, "left-%d" % group)
            os.mkdir(d)
            ci = group_run(tmp, group, "%s record %s & while [ ! -e %s/pid ]; do sleep 0.05; done; exit 3"
                           % (probe, d, d))
            check(ci.wait(10) == 3, "exit %s, want 3" % ci.returncode)
            if group:
                wait_for(lambda: (15, ) in [(s, ) for s, _ in recorded(d)], "SIGTERM at the leftover", 3)
            else:
                time.sleep(0.5)
                check(not recorded(d), "child mode signalled the leftover: %s" % recorded(d))
            kill_quietly(int(read(os.path.join(d, "pid"))))


def status_of(cmd_prefix, tmp, name, preexec=None, **kw):
    path = os.path.join(tmp, name)
    subprocess.run(cmd_prefix + PROBE + ["status", path], env=env(CLUSTER_INIT_AGENT="none"),
                   preexec_fn=preexec, check=True, **kw)
    return dict(kv.split("=") for kv in read(path).split())


def case_signal_state():
    def dirty():
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR2, signal.SIGWINCH})
        signal.signal(signal.SIGHUP, signal.SIG_IGN)

    with tempfile.TemporaryDirectory() as tmp:
        clean = status_of([CI, "--"], tmp, "clean")
        check(int(clean["SigBlk"], 16) == 0, "the command starts with signals blocked: " + clean["SigBlk"])
        check(clean["pgid"] == clean["pid"], "the command is not in its own process group")
        direct = status_of([], tmp, "direct", dirty)
        via = status_of([CI, "--"], tmp, "via", dirty)
        for key in ("SigBlk", "SigIgn"):
            check(via[key] == direct[key], "%s is %s under cluster-init, %s without" % (key, via[key], direct[key]))
        check(int(direct["SigBlk"], 16) != 0, "the test did not block anything")
        master, slave = os.openpty()
        import fcntl
        import termios

        def with_tty():
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        tty = status_of([CI, "--"], tmp, "tty", with_tty, stdin=slave)
        os.close(slave)
        os.close(master)
        check(tty["tty_pgrp"] == tty["pid"], "the command is not the terminal's foreground group: %s" % tty)


def case_orphans():
    with tempfile.TemporaryDirectory() as tmp:
        r = subprocess.run([CI, "--"] + PROBE + ["orphans", tmp, "8"], env=env(CLUSTER_INIT_AGENT="none"))
        check(r.returncode == 0, "exit %d" % r.returncode)
        check(read(os.path.join(tmp, "orphans")).strip() == "spawned=8 unreaped=0",
              "orphans: " + read(os.path.join(tmp, "orphans")))


def case_pid1():
    with tempfile.TemporaryDirectory() as tmp:
        unshare = ["unshare", "--pid", "--fork", "--mount-proc", CI, "--"]
        r = subprocess.run(unshare + ["sh", "-c", "[ $PPID = 1 ] && exit 5"], env=env(CLUSTER_INIT_AGENT="none"))
        check(r.returncode == 5, "as PID 1: exit %d, want 5" % r.returncode)
        r = subprocess.run(unshare + PROBE + ["orphans", tmp, "8"], env=env(CLUSTER_INIT_AGENT="none"))
        check(r.returncode == 0, "as PID 1: orphans exit %d" % r.returncode)
        check(read(os.path.join(tmp, "orphans")).strip() == "spawned=8 unreaped=0",
              "as PID 1: " + read(os.path.join(tmp, "orphans")))


def switches(pid):
    s = read("/proc/%d/status" % pid)
    return sum(int(v) for v in re.findall(r"ctxt_switches:\s+(\d+)", s))


def case_idle():
    with tempfile.TemporaryDirectory() as tmp:
        e, log, _ = agent_env(tmp)
        for extra in (env(CLUSTER_INIT_AGENT="none"), e):
            ci = subprocess.Popen([CI, "--", "sleep", "30"], env=extra)
            wait_for(lambda: any(read("/proc/%d/comm" % c).strip() == "sleep" for c in children(ci.pid)), "sleep")
            time.sleep(0.3)
            before = switches(ci.pid)
            time.sleep(1.5)
            after = switches(ci.pid)
            state = read("/proc/%d/stat" % ci.pid).rsplit(")", 1)[1].split()[0]
            ci.send_signal(signal.SIGTERM)
            ci.wait(10)
            check(after == before, "an idle cluster-init woke up %d times in 1.5 s" % (after - before))
            check(state == "S", "an idle cluster-init is in state %s, not sleeping" % state)


def case_help():
    r = subprocess.run([CI, "--help"], capture_output=True, text=True)
    check(r.returncode == 0, "--help exits %d" % r.returncode)
    names = set(re.findall(r'"(CLUSTER_INIT_[A-Z_]+)"', read(SOURCE))) | {"SHOAL_AGENT_OPTS"}
    check(len(names) >= 10, "found only %s in the source" % names)
    for name in names:
        check(name in r.stdout, "--help does not document " + name)


# ---- with an agent ---------------------------------------------------------------------------------
def case_agent_lifecycle():
    with tempfile.TemporaryDirectory() as tmp:
        e, log, port = agent_env(tmp, FAKE_AGENT_LISTEN_DELAY=0.5, FAKE_AGENT_LEAVE_DELAY=0.2)
        e["SHOAL_AGENT_OPTS"] = "  -node=a\t-tag  role=web \n  -rpc-addr=127.0.0.1:%d " % port
        r = subprocess.run([CI, "--"] + PROBE + ["mark", log, "command", "7"], env=e)
        done = time.monotonic()
        check(r.returncode == 7, "exit %d, want the command's 7" % r.returncode)
        evs = events(log)
        order = [ev[2] for ev in evs if ev[2] != "signal"] + ["signal " + ev[3][0] for ev in evs if ev[2] == "signal"]
        check([ev[2] for ev in evs] == ["start", "listening", "command", "signal", "leave"] and evs[3][3] == ["2"],
              "events out of order: %s" % order)
        start = evs[0]
        check(start[3] == ["sid=%d" % start[1], "-node=a", "-tag", "role=web", "-rpc-addr=127.0.0.1:%d" % port],
              "the agent got %s" % start[3])
        check(done >= evs[-1][0], "cluster-init exited before the agent had left")
        # Default agent: `shoal` beside cluster-init.
        os.mkdir(os.path.join(tmp, "bin"))
        shutil.copy(CI, os.path.join(tmp, "bin", "cluster-init"))
        with open(os.path.join(tmp, "bin", "shoal"), "w") as f:
            f.write("#!/bin/sh\nexec %s %s \"$@\"\n" % (sys.executable, FAKE_AGENT))
        os.chmod(os.path.join(tmp, "bin", "shoal"), 0o755)
        del e["CLUSTER_INIT_AGENT"]
        os.unlink(log)
        r = subprocess.run([os.path.join(tmp, "bin", "cluster-init"), "true"], env=e)
        check(r.returncode == 0 and first(events(log), "leave"), "shoal beside cluster-init was not used: %s"
              % events(log))
        # cluster-init killed outright (possible when it is not PID 1): the agent still leaves.
        os.unlink(log)
        e["CLUSTER_INIT_AGENT"] = FAKE_AGENT
        ci = subprocess.Popen([CI, "--", "sleep", "100"], env=e)
        wait_for(lambda: first(events(log), "listening") and children(ci.pid)[1:], "the agent and the command")
        command = [c for c in children(ci.pid) if c != first(events(log), "start")[1]]
        ci.kill()
        ci.wait(5)
        for c in command:
            kill_quietly(c)
        wait_for(lambda: first(events(log), "leave"), "the orphaned agent to leave", 5)


def case_agent_isolated():
    with tempfile.TemporaryDirectory() as tmp:
        e, log, _ = agent_env(tmp)
        ci = subprocess.Popen([CI, "--"] + PROBE + ["record", tmp], env=e, start_new_session=True)
        pid = int(wait_for(lambda: read(os.path.join(tmp, "pid")), "the probe"))
        check(first(events(log), "listening"), "the command started before the agent listened")
        sent = [signal.SIGUSR1, signal.SIGHUP, signal.SIGINT, signal.SIGWINCH, signal.SIGQUIT, signal.SIGCONT]
        for sig in sent:
            os.kill(ci.pid, sig)
            wait_for(lambda: sig in [s for s, _ in recorded(tmp)], "signal %d at the command" % sig, 3)
        os.killpg(ci.pid, signal.SIGINT)  # a ^C to cluster-init's own process group
        wait_for(lambda: [s for s, _ in recorded(tmp)].count(signal.SIGINT) == 2, "the second SIGINT", 3)
        time.sleep(0.2)
        check(not first(events(log), "signal"), "the agent got a signal: %s" % events(log))
        agent = first(events(log), "start")
        check(os.getsid(agent[1]) == agent[1] and os.getsid(pid) != agent[1], "the agent is not in its own session")
        os.kill(pid, signal.SIGKILL)
        check(ci.wait(10) == 137, "exit %s, want 137" % ci.returncode)
        check([ev[3] for ev in events(log) if ev[2] == "signal"] == [["2"]], "the agent did not get just SIGINT")


def case_agent_restart():
    # A shell agent that crashes 0.2 s after each start: it starts in a millisecond, unlike
    # fake_agent.py, so the crash-to-start gaps show cluster-init's backoff (0.3, 0.6, 1.2 s).
    with tempfile.TemporaryDirectory() as tmp:
        log, agent = os.path.join(tmp, "agent.log"), os.path.join(tmp, "crashing-agent")
        with open(agent, "w") as f:
            f.write('#!/bin/sh\necho "$(date +%%s.%%N) $$ start" >> %s\nsleep 0.2\n'
                    'echo "$(date +%%s.%%N) $$ crash" >> %s\nexit 3\n' % (log, log))
        os.chmod(agent, 0o755)
        cmdlog = os.path.join(tmp, "command.log")
        r = subprocess.run([CI, "--restart-backoff=300ms", "--rpc-timeout=0", "--"] + PROBE +
                           ["mark", cmdlog, "command", "0", "3.2"], env=env(CLUSTER_INIT_AGENT=agent),
                           capture_output=True, text=True)
        check(r.returncode == 0, "exit %d: %s" % (r.returncode, r.stderr))
        check(first(events(cmdlog), "command"), "the command was disturbed")
        evs = events(log)
        starts = [ev[0] for ev in evs if ev[2] == "start"]
        crashes = [ev[0] for ev in evs if ev[2] == "crash"]
        check(len(starts) == 4, "%d agent starts in 3.2 s, want 4: %s" % (len(starts), evs))
        gaps = [s - c for c, s in zip(crashes, starts[1:])]
        for want, gap in zip((0.3, 0.6, 1.2), gaps):
            check(want - 0.02 <= gap <= want + 0.25, "restart gaps %s, want about 0.3, 0.6, 1.2 s" % gaps)
        check("[WARN cluster-init] the agent exited (status 3); restarting it in 300 ms" in r.stderr,
              "no warning: " + r.stderr)


def case_agent_alone():
    # No command: the agent is the service (a scratch image's default). It is restarted when it
    # crashes, gets SIGHUP to reload, and leaves on SIGTERM, after which cluster-init exits 0.
    with tempfile.TemporaryDirectory() as tmp:
        e, log, _ = agent_env(tmp)
        err = open(os.path.join(tmp, "stderr"), "w")
        ci = subprocess.Popen([CI, "-vv", "--restart-backoff=100ms"], env=e, stderr=err)
        wait_for(lambda: "running the agent alone" in read(err.name), "start-up with no command")
        first_agent = first(events(log), "start")[1]
        os.kill(first_agent, signal.SIGKILL)
        wait_for(lambda: len([ev for ev in events(log) if ev[2] == "start"]) == 2, "the agent restarted", 5)
        wait_for(lambda: len([ev for ev in events(log) if ev[2] == "listening"]) == 2, "the new agent", 5)
        os.kill(ci.pid, signal.SIGHUP)
        wait_for(lambda: ["1"] in [ev[3] for ev in events(log) if ev[2] == "signal"], "SIGHUP at the agent", 3)
        check(ci.poll() is None, "cluster-init exited on SIGHUP")
        os.kill(ci.pid, signal.SIGTERM)
        check(ci.wait(10) == 0, "exit %s after SIGTERM, want 0" % ci.returncode)
        check(first(events(log), "leave"), "the agent did not leave: %s" % events(log))
        check(["2"] in [ev[3] for ev in events(log) if ev[2] == "signal"], "the agent did not get SIGINT")


def case_agent_not_ready():
    with tempfile.TemporaryDirectory() as tmp:
        cmdlog = os.path.join(tmp, "command.log")
        cmd = ["--"] + PROBE + ["mark", cmdlog, "command", "0"]
        e, log, _ = agent_env(tmp, "silent")
        t = time.monotonic()
        line = expect_one_error(["--rpc-timeout=0.5"] + cmd, 1, "silent agent", e)
        check(time.monotonic() - t < 3 and "did not answer" in line, "slow or unclear: " + line)
        check(first(events(log), "signal"), "the agent was not asked to leave")
        os.unlink(log)
        e, log, _ = agent_env(tmp, "fail")
        line = expect_one_error(cmd, 1, "failing agent", e)
        check("before it was ready" in line, "unclear: " + line)
        os.unlink(log)
        e, log, _ = agent_env(tmp, "silent")
        ci = subprocess.Popen([CI] + cmd, env=e)
        wait_for(lambda: first(events(log), "start"), "the agent")
        t = time.monotonic()
        os.kill(ci.pid, signal.SIGTERM)
        check(ci.wait(5) == 143 and time.monotonic() - t < 2, "SIGTERM during start-up: exit %s" % ci.returncode)
        check(not read(cmdlog), "the command ran although start-up failed")


def case_members_gate():
    with tempfile.TemporaryDirectory() as tmp:
        e, log, port = agent_env(tmp, FAKE_AGENT_MEMBERS=3)
        r = subprocess.run([CI, "--members=3", "--"] + PROBE + ["mark", log, "command", "0"], env=e)
        check(r.returncode == 0, "exit %d" % r.returncode)
        evs = events(log)
        started, command = first(evs, "start")[0], first(evs, "command")[0]
        check(command - started >= 0.55, "the command started %.2f s after the agent, before 3 members" %
              (command - started))
        m = first(evs, "members")
        check(m and "-status=alive" in m[3] and "-rpc-addr=127.0.0.1:%d" % port in m[3], "members ran as %s" % (m,))
        os.unlink(log)
        e, log, _ = agent_env(tmp, FAKE_AGENT_MEMBERS=1)
        line = expect_one_error(["--members=2", "--ready-timeout=1s", "--"] + PROBE + ["mark", log, "command", "0"],
                                1, "gate timeout", e)
        check("1 of 2 alive members" in line and not first(events(log), "command"), "gate: " + line)


def stop(tmp, mode, flags, **extra):
    e, log, _ = agent_env(tmp, mode, **extra)
    ci = subprocess.Popen([CI] + flags + ["--", "sleep", "100"], env=e)
    wait_for(lambda: children(ci.pid) and first(events(log), "listening"), "the command and the agent")
    wait_for(lambda: any(read("/proc/%d/comm" % c).strip() == "sleep" for c in children(ci.pid)), "sleep")
    t = time.monotonic()
    os.kill(ci.pid, signal.SIGTERM)
    code = ci.wait(15)
    return code, time.monotonic() - t, events(log)


def case_stop_timing():
    with tempfile.TemporaryDirectory() as tmp:
        code, took, evs = stop(tmp, "listen", [], FAKE_AGENT_LEAVE_DELAY=0.5)
        check(code == 143 and 0.45 <= took < 2, "leaving agent: exit %d after %.2f s" % (code, took))
        check(first(evs, "leave"), "the agent did not leave")
        os.unlink(os.path.join(tmp, "agent.log"))
        code, took, evs = stop(tmp, "stubborn", ["--leave-timeout=1"])
        check(code == 143 and 0.9 <= took < 2.5, "stubborn agent: exit %d after %.2f s" % (code, took))
        check(not alive(first(evs, "start")[1]), "the stubborn agent survived")
        os.unlink(os.path.join(tmp, "agent.log"))
        code, took, evs = stop(tmp, "stubborn", [])
        check(code == 143 and took < 9.5, "defaults: exit %d after %.2f s, beyond Docker's 10 s grace" % (code, took))


def case_drain():
    with tempfile.TemporaryDirectory() as tmp:
        for drain, second_term in (("600ms", False), ("5s", True)):
            for f in ("agent.log", "signals", "pid"):
                if os.path.exists(os.path.join(tmp, f)):
                    os.unlink(os.path.join(tmp, f))
            e, log, _ = agent_env(tmp, FAKE_AGENT_LEAVE_DELAY=0.1)
            ci = subprocess.Popen([CI, "--drain=" + drain, "--"] + PROBE + ["record", tmp, "15"], env=e)
            wait_for(lambda: read(os.path.join(tmp, "pid")), "the probe")
            t = time.monotonic()
            os.kill(ci.pid, signal.SIGTERM)
            if second_term:
                time.sleep(0.3)
                os.kill(ci.pid, signal.SIGTERM)
            check(ci.wait(10) == 0, "drain %s: exit %s" % (drain, ci.returncode))
            leave_asked = first(events(log), "signal")[0]
            term = [ts for s, ts in recorded(tmp) if s == 15][0]
            if second_term:
                check(term - t < 1.5, "a second SIGTERM did not cut the drain short (%.2f s)" % (term - t))
            else:
                check(leave_asked < term and term - t >= 0.59, "the command got SIGTERM %.2f s after docker stop, "
                      "%.2f s after the agent's SIGINT" % (term - t, term - leave_asked))
            check(first(events(log), "leave"), "the agent did not leave")


# ---- with a real agent and a real peer --------------------------------------------------------------
def peer_left(agent):
    serf = shutil.which("serf")
    check(serf, "serf missing: run scripts/install-deps")
    base = 2 + os.getpid() % 120 * 2
    peer_ip, node_ip = "127.0.0.%d" % base, "127.0.0.%d" % (base + 1)
    gossip, rpc = free_port(), free_port()
    peer_rpc = "-rpc-addr=%s:%d" % (peer_ip, rpc)
    peer = subprocess.Popen([serf, "agent", "-node=peer", "-bind=%s:%d" % (peer_ip, gossip), peer_rpc],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: subprocess.run([serf, "members", peer_rpc], capture_output=True).returncode == 0,
                 "the serf peer", 10)
        def node_env(node):
            return env(CLUSTER_INIT_AGENT=agent, SHOAL_AGENT_OPTS="-node=%s -bind=%s:%d -rpc-addr=%s:%d -join=%s:%d"
                       % (node, node_ip, gossip, node_ip, free_port(), peer_ip, gossip))

        def node_status(node):
            out = subprocess.run([serf, "members", peer_rpc], capture_output=True, text=True).stdout
            return next((line.split()[2] for line in out.splitlines() if line.split()[:1] == [node]), None)

        # The command exits on its own.
        r = subprocess.run([CI, "--members=2", "--ready-timeout=10s", "--", "sh", "-c", "sleep 1; exit 4"],
                           env=node_env("ci-node"), capture_output=True, text=True, timeout=40)
        check(r.returncode == 4, "exit %d: %s" % (r.returncode, r.stderr))
        wait_for(lambda: node_status("ci-node") in ("left", "failed"), "ci-node to go", 10)
        check(node_status("ci-node") == "left", "the peer sees ci-node %s, not left" % node_status("ci-node"))
        # docker stop: SIGTERM, and everything must be over within the 10 s grace.
        out = tempfile.TemporaryFile()
        ci = subprocess.Popen([CI, "--", "sleep", "100"], env=node_env("ci-stop"), stdout=out, stderr=out)
        wait_for(lambda: node_status("ci-stop") == "alive", "ci-stop to join", 15)
        time.sleep(1)  # serf installs its SIGINT handler only once its -join returns; until then ^C kills it
        t = time.monotonic()
        ci.send_signal(signal.SIGTERM)
        code = ci.wait(15)
        took = time.monotonic() - t
        check(code == 143 and took < 10, "docker-stop style: exit %d after %.1f s" % (code, took))
        wait_for(lambda: node_status("ci-stop") in ("left", "failed"), "ci-stop to go", 10)
        out.seek(0)
        check(node_status("ci-stop") == "left", "the peer sees ci-stop %s, not left; agent output:\n%s"
              % (node_status("ci-stop"), out.read().decode(errors="replace")))
    finally:
        peer.send_signal(signal.SIGKILL)
        peer.wait(5)


def case_peer_left_serf():
    peer_left(shutil.which("serf") or "/usr/bin/serf")


def case_peer_left_shoal():
    ready = SHOAL and os.access(SHOAL, os.X_OK) and "-rpc-addr" in subprocess.run(
        [SHOAL, "agent", "-h"], capture_output=True, text=True, timeout=10).stderr + subprocess.run(
        [SHOAL, "agent", "-h"], capture_output=True, text=True, timeout=10).stdout
    if not ready:
        print("SKIP: %s agent is not built or does not take -rpc-addr yet" % SHOAL)
        sys.exit(77)
    peer_left(SHOAL)


def main():
    case = globals().get("case_" + sys.argv[2])
    if not case:
        sys.exit("no such case: " + sys.argv[2])
    try:
        case()
    except AssertionError as err:
        print("FAIL %s: %s" % (sys.argv[2], err))
        sys.exit(1)
    print("ok %s" % sys.argv[2])


main()
