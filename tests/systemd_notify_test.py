#!/usr/bin/env python3
"""actorwire run under a stand-in for systemd: this script binds the notify socket that systemd
would (NOTIFY_SOCKET), sets WATCHDOG_USEC, starts the daemon with a control socket directory of
its own and reads what the daemon tells it.

  systemd_notify_test.py ACTORWIRE lifecycle   READY=1 once running, `stats --json` answers,
                                               WATCHDOG=1 keeps coming, SIGTERM -> STOPPING=1
                                               and exit 0; journald-style log lines; the binary
                                               does not link libsystemd; the unit file verifies.
  systemd_notify_test.py ACTORWIRE stuck       ACTORWIRE_TEST_DELAY_ACTOR="single=stuck": the
                                               pings stop and the daemon logs the stuck stage.
  systemd_notify_test.py ACTORWIRE stuck-scheduled   the same with a pipeline's crypto1.
                                               Both exit 77 (skipped) when the binary lacks the
                                               hook.
"""
import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

SKIPPED = 77
WATCHDOG_USEC = 1_000_000  # pings every 0.5 s expected
SOURCE_DIR = pathlib.Path(__file__).resolve().parent.parent


def fail(message):
    print(f"FAIL: {message}", flush=True)
    sys.exit(1)


class FakeSystemd:
    """The notify socket (AF_UNIX datagrams, as sd_notify sends them) and what came on it."""

    def __init__(self, directory):
        self.path = str(directory / "notify.sock")
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.socket.bind(self.path)
        self.messages = []  # (monotonic time, "KEY=value")

    def receive_until(self, deadline, stop=None):
        """Collects assignments until `deadline` (monotonic) or until stop(key_value) holds."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.socket.settimeout(left)
            try:
                data = self.socket.recv(4096)
            except socket.timeout:
                return None
            now = time.monotonic()
            for assignment in data.decode().split("\n"):
                if not assignment:
                    continue
                self.messages.append((now, assignment))
                if stop is not None and stop(assignment):
                    return now

    def times(self, assignment, since=0.0):
        return [t for t, a in self.messages if a == assignment and t >= since]


class Daemon:
    def __init__(self, actorwire, work, systemd, extra_env=None, extra_args=()):
        self.work = work
        self.sockets = work / "run"
        config = work / "default.toml"
        with open(config, "w") as out:
            subprocess.run([actorwire, "run", "--print-default-config"], stdout=out, check=True,
                           timeout=20)
        config.chmod(0o600)
        env = dict(os.environ, NOTIFY_SOCKET=systemd.path, WATCHDOG_USEC=str(WATCHDOG_USEC))
        env.pop("JOURNAL_STREAM", None)  # stderr is a file: journal style all the same
        env.update(extra_env or {})
        self.stdout = open(work / "daemon.out", "w")
        self.stderr = open(work / "daemon.err", "w")
        # -d bounds it if this script dies; the test ends it long before.
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [actorwire, "run", "-c", str(config), "-d", "60", "--socket-dir", str(self.sockets),
             *extra_args],
            stdout=self.stdout, stderr=self.stderr, env=env)

    def log(self):
        return (self.work / "daemon.err").read_text()

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def wait_ready(systemd, daemon, seconds=30):
    ready = systemd.receive_until(time.monotonic() + seconds, lambda a: a == "READY=1")
    if ready is None:
        fail(f"no READY=1 within {seconds} s (exit status {daemon.process.poll()}): "
             f"{daemon.log()[-800:]}")
    return ready


def lifecycle(actorwire, work):
    needed = subprocess.run(["readelf", "-d", actorwire], capture_output=True, text=True,
                            check=True).stdout
    if "libsystemd" in needed:
        fail("actorwire links libsystemd; it must load it with dlopen (optional at run time)")
    systemd = FakeSystemd(work)
    daemon = Daemon(actorwire, work, systemd)
    try:
        ready = wait_ready(systemd, daemon)
        print(f"READY=1 {ready - daemon.started:.2f} s after the start")
        answer = subprocess.run([actorwire, "stats", "--socket-dir", str(daemon.sockets), "--json"],
                                capture_output=True, text=True, timeout=10)
        if answer.returncode != 0:
            fail(f"stats --json after READY exited {answer.returncode}: {answer.stderr}")
        stats = json.loads(answer.stdout)
        if stats.get("name") != "aw0" or not stats.get("actors"):
            fail(f"stats --json: {answer.stdout[:400]}")
        # Pings for 3 s: about 6 at 0.5 s; a busy machine may delay a few.
        systemd.receive_until(ready + 3.5)
        pings = systemd.times("WATCHDOG=1", since=ready)
        gaps = [b - a for a, b in zip(pings, pings[1:])]
        if len(pings) < 3:
            fail(f"only {len(pings)} WATCHDOG=1 in 3.5 s after READY (expected ~7)")
        print(f"{len(pings)} WATCHDOG=1 in 3.5 s, largest gap {max(gaps):.2f} s")
        if not any(a.startswith("STATUS=forwarding: ") for _, a in systemd.messages):
            fail(f"no STATUS=forwarding line: {systemd.messages[:5]}")
        daemon.process.send_signal(signal.SIGTERM)
        term = time.monotonic()
        stopping = systemd.receive_until(term + 10, lambda a: a == "STOPPING=1")
        if stopping is None:
            fail("no STOPPING=1 within 10 s of SIGTERM")
        try:
            status = daemon.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            fail("still running 20 s after SIGTERM")
        print(f"STOPPING=1 {stopping - term:.2f} s and exit {time.monotonic() - term:.2f} s "
              f"after SIGTERM")
        if status != 0:
            fail(f"exit status {status} after SIGTERM: {daemon.log()[-800:]}")
        log = daemon.log()
        if "<6>actorwire: topology single" not in log:
            fail(f"no journald-style start line (<6>actorwire: topology ...): {log[-800:]}")
        if "data plane stuck" in log:
            fail(f"a healthy gateway was reported stuck: {log[-800:]}")
        if "<6>actorwire: stopping on SIGTERM" not in log:
            fail(f"SIGTERM not logged: {log[-800:]}")
        if (daemon.sockets / "aw0.sock").exists():
            fail("the control socket outlived the exit")
        summary = (work / "daemon.out").read_text()
        if "summary after" not in summary or "Mpps  out" in summary:
            fail(f"stdout is a file: final counters only, no live view: {summary[:400]}")
    finally:
        daemon.kill()
    verify_unit_file(actorwire, work)


def verify_unit_file(actorwire, work):
    """systemd-analyze verify on contrib/actorwire@.service, ExecStart pointing at this build."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        fail("systemd-analyze missing (scripts/install-deps.sh --test installs systemd)")
    unit = (SOURCE_DIR / "contrib" / "actorwire@.service").read_text()
    if "/usr/bin/actorwire" not in unit:
        fail("the unit does not start /usr/bin/actorwire")
    units = work / "units"
    units.mkdir()
    (units / "actorwire@aw0.service").write_text(unit.replace("/usr/bin/actorwire", actorwire))
    result = subprocess.run([analyze, "verify", "--man=no", str(units / "actorwire@aw0.service")],
                            capture_output=True, text=True, timeout=60)
    if result.returncode != 0 or result.stderr.strip():
        fail(f"systemd-analyze verify: {result.returncode} {result.stderr.strip()}")
    print("systemd-analyze verify: contrib/actorwire@.service ok")


def stuck(actorwire, work):
    """A polling actor (single) that freezes with its first burst."""
    stuck_stage(actorwire, work, "single", ())


def stuck_scheduled(actorwire, work):
    """A scheduled stage (a pipeline's crypto1) that freezes on a batch while more queue up."""
    stuck_stage(actorwire, work, "crypto1", ("-t", "pipeline", "-w", "2"))


def stuck_stage(actorwire, work, stage, args):
    if b"ACTORWIRE_TEST_DELAY_ACTOR" not in pathlib.Path(actorwire).read_bytes():
        print("SKIP: this actorwire has no ACTORWIRE_TEST_DELAY_ACTOR hook (SHARED-SPECS 2)")
        sys.exit(SKIPPED)
    systemd = FakeSystemd(work)
    daemon = Daemon(actorwire, work, systemd, {"ACTORWIRE_TEST_DELAY_ACTOR": f"{stage}=stuck"},
                    args)
    try:
        ready = wait_ready(systemd, daemon)
        # The error line names the stage; it comes within two checks (0.5 s each) of the stage
        # freezing, which it does with its first burst or batch.
        deadline = ready + 10
        logged = None
        while time.monotonic() < deadline:
            systemd.receive_until(time.monotonic() + 0.1)
            if f"<3>actorwire: watchdog: data plane stuck: {stage}" in daemon.log():
                logged = time.monotonic()
                break
        if logged is None:
            fail(f"no error line naming {stage} within 10 s of READY: {daemon.log()[-800:]}")
        # No ping for two watchdog intervals after that: systemd would have killed it.
        systemd.receive_until(logged + 2 * WATCHDOG_USEC / 1e6)
        late = systemd.times("WATCHDOG=1", since=logged)
        if late:
            fail(f"{len(late)} WATCHDOG=1 after the stuck line")
        pings = systemd.times("WATCHDOG=1")
        last = f"{pings[-1] - ready:.2f} s after READY" if pings else "never"
        line = [l for l in daemon.log().splitlines() if "data plane stuck" in l][0]
        print(f"last WATCHDOG=1: {last}; stuck logged {logged - ready:.2f} s after READY; "
              f"none for {2 * WATCHDOG_USEC / 1e6:.1f} s after: {line}")
        statuses = [a for _, a in systemd.messages if a.startswith("STATUS=")]
        if not statuses[-1].startswith(f"STATUS=data plane stuck: {stage}"):
            fail(f"systemd's status is not the stuck stage: {statuses[-3:]}")
    finally:
        daemon.kill()  # systemd would send SIGABRT: the stuck actor never lets it stop cleanly


def main():
    actorwire, case = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory(prefix="aw-systemd-") as work:
        {"lifecycle": lifecycle, "stuck": stuck, "stuck-scheduled": stuck_scheduled}[case](os.path.abspath(actorwire),
                                                       pathlib.Path(work))
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
