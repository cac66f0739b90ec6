"""Over HTTP: servers started as a user would start them, driven by wrk on loopback.

Every server runs a command through ``sh -c``, as honcho does, with ``$PORT`` from the
environment: the Procfile's ``web:`` command, with only the app target at the end of the line
swapped for a baseline, or plain waitress (``WAITRESS``), what a user would otherwise run.
Beside wrk's figures, each run reads the CPU time the server process spent (all its threads,
from ``/proc/PID/stat``): CPU per request moves less than requests per second when other work
shares the machine.
"""

import http.client
import os
import re
import resource
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import step

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 10.0  # seconds; a server that needs longer is broken, not slow
# A Bottle or Flask app served the plain way: waitress-serve's command, its 4 threads.
WAITRESS = "python -m waitress --port=$PORT --threads=4"


def procfile_command() -> str:
    """The Procfile's web: command."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            return line.removeprefix("web:").strip()
    sys.exit("bench: the Procfile has no web: line")


def with_target(command: str, target: str | None) -> str:
    """The command serving ``target`` (module:callable) instead of the Procfile's app."""
    if target is None:
        return command
    current = shlex.split(command)[-1]
    if not command.endswith(current):
        sys.exit(f"bench: cannot find the app target at the end of {command!r}")
    return command.removesuffix(current) + target


def command_for(server: str, target: str | None) -> str:
    """The command line: ``server`` is "procfile" or "waitress"; ``target`` None for ours."""
    if server == "waitress":
        return f"{WAITRESS} {target}"
    return with_target(procfile_command(), target)


def machine_cpu_seconds() -> float:
    """CPU time every process on the machine has spent since boot (``/proc/stat``)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields)
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended (wrk's runs)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """One process of a command, on a free port, logging to a temporary file."""

    def __init__(self, command: str):
        self.command = command
        self.port = free_port()
        self.host = f"127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop(), with the process)
        # The interpreter's own bin first, so python is the one of this environment.
        bin_dir = str(Path(sys.executable).parent)
        path = bin_dir + os.pathsep + os.environ.get("PATH", "")
        env = {**os.environ, **step.ENVIRON, "PORT": str(self.port), "PATH": path}
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            ["sh", "-c", "exec " + self.command],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def post(self, path: str = step.PATH, params: dict = step.PRESS_3) -> tuple[int, str]:
        """One signed webhook on a new connection: (status, Content-Type)."""
        body, headers = step.signed(self.host, path, params)
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            conn.request("POST", path, body, headers)
            res = conn.getresponse()
            res.read()
            return res.status, res.getheader("Content-Type", "")
        finally:
            conn.close()

    def first_answer(self, path: str, params: dict) -> float:
        """Seconds from process start to the first 200 to a webhook, polling tightly."""
        while time.perf_counter() - self.started < START_TIMEOUT:
            if self.process.poll() is not None:
                break
            try:
                status, _ = self.post(path, params)
            except OSError:  # not listening yet
                time.sleep(0.002)
                continue
            if status == 200:
                return time.perf_counter() - self.started
            self.fail(f"answered {status} to {path}")
        self.fail(f"did not answer {path} within {START_TIMEOUT:.0f} s")

    def rss_mb(self) -> float:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+) kB", status)[1]) / 1024

    def cpu_seconds(self) -> float:
        """CPU time the process has spent so far, user and system, all its threads."""
        stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        fields = stat.rpartition(")")[2].split()  # after the name, which may hold spaces
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def fail(self, why: str):
        self.log.seek(0)
        tail = self.log.read()[-2000:].decode(errors="replace")
        self.stop()
        sys.exit(f"bench: {self.command} (port {self.port}) {why}\n{tail}")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


@contextmanager
def serving(command: str, path: str = step.PATH, params: dict = step.PRESS_3):
    """A started server that has answered one signed webhook with 200 and XML."""
    server = Server(command)
    try:
        server.first_answer(path, params)
        status, content_type = server.post()
        if status != 200 or not content_type.startswith("text/xml"):
            server.fail(f"answered the step with {status} {content_type!r}, not 200 XML")
        yield server
    finally:
        server.stop()


def cold_start(command: str, path: str, params: dict, runs: int) -> dict:
    """Median seconds from spawning the command to the first answered webhook."""
    times = []
    for _ in range(runs):
        server = Server(command)
        try:
            times.append(server.first_answer(path, params))
        finally:
            server.stop()
    return {"median_s": statistics.median(times), "runs_s": times}


# wrk ########################################################################

WRK_SCRIPT = """\
wrk.method = "POST"
wrk.body = {body}
wrk.headers["Content-Type"] = {content_type}
wrk.headers["X-Twilio-Signature"] = {signature}
"""
CLOSE = 'wrk.headers["Connection"] = "close"\n'  # a new connection for every request


def lua_string(text: str) -> str:
    if not text.isascii() or not text.isprintable():
        raise ValueError(f"not plain ASCII: {text!r}")
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def wrk(
    server: Server, seconds: float, close: bool = False, connections: int = 16, threads: int = 2
) -> dict:
    """Run wrk against the step: requests/s, p50/p99 in ms, failures, the server's CPU."""
    body, headers = step.signed(server.host)
    script = WRK_SCRIPT.format(
        body=lua_string(body.decode()),
        content_type=lua_string(headers["Content-Type"]),
        signature=lua_string(headers["X-Twilio-Signature"]),
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script + (CLOSE if close else ""))
        lua.flush()
        command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency"]
        command += ["--timeout", "5s", "-s", lua.name, f"http://{server.host}{step.PATH}"]
        cpu = server.cpu_seconds()
        out = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + 30, check=True
        ).stdout
        cpu = server.cpu_seconds() - cpu
    figures = parse_wrk(out)
    figures["cpu_us"] = cpu / max(figures["requests"], 1) * 1e6
    return figures


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def parse_wrk(out: str) -> dict:
    def latency(percent):
        value, unit = re.search(rf"^\s*{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M).groups()
        return float(value) * UNITS[unit]

    errors = re.search(r"connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
        "requests": int(re.search(r"(\d+) requests in", out)[1]),
        "p50_ms": latency(50),
        "p99_ms": latency(99),
        "non_2xx": int(non_2xx[1]) if non_2xx else 0,
        "socket_errors": sum(map(int, errors.groups())) if errors else 0,
    }


def summary(runs: list[dict]) -> dict:
    """The median round of each figure, the failures of all rounds, and the rounds."""
    median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    failures = {
        key: sum(run[key] for run in runs) for key in ("requests", "non_2xx", "socket_errors")
    }
    return {**median, **failures, "rounds": runs}


def have_wrk() -> bool:
    return shutil.which("wrk") is not None
