"""Real servers for tests: `honcho start web`, exactly as the Procfile says, then stopped.

Each `Server` is one honcho process running the Procfile's ``web`` line on a free port, its
output captured to a temporary file. `running(count, **settings)` starts several at once,
waits until each answers ``GET /healthz``, and stops them all (SIGTERM, then a bounded wait)::

    with running(2, TWILIO_AUTH_TOKEN="secret") as (a, b):
        transports = [HTTPTransport(a.url), HTTPTransport(b.url)]
        SimulatedCall(transports, auth_token="secret", public_url=a.url)

The engine's tests serve their own tree (``OFFICE``, the office of ``tests/engine/trees``) with
the Procfile's command and options, only its last word (the app) changed; ``target=None``
serves the shipped tree, ``phonetree:app``, as the Procfile does.

Only the settings a test gives reach the app: any phone tree variable already in the
environment (a developer's ``TWILIO_AUTH_TOKEN``, ``PORT``, ...) is left out.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

from phonetree_engine.settings import engine_groups
from tests.engine.trees import office

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent  # where honcho and waitress-serve are installed
HOST = "127.0.0.1"
START_SECONDS = 15.0
STOP_SECONDS = 10.0
PORT_ATTEMPTS = 3
OFFICE = "tests.engine.served:app"  # the office, served as phonetree:app is
# Variables that would change which app, port or settings honcho starts with: the engine's,
# the office's, and the shipped tree's when it is there.
LEFT_OUT = {s.name for g in [*engine_groups(), office.SETTINGS] for s in g.settings}
LEFT_OUT |= {"PORT", "PROCFILE", "COMPANY_NAME", "RECEPTIONIST_NUMBER", "CALLER_ID"}
LEFT_OUT |= {"DIAL_TIMEOUT", "SUPPORT_QUEUE", "HOLD_MUSIC_URL", "QUEUE_VOICEMAIL_AFTER"}


class ServerError(RuntimeError):
    """A server did not start (or stop) in time; the message holds its captured output."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def server_environ(settings: dict[str, str]) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in LEFT_OUT}
    env["PATH"] = os.pathsep.join([str(BIN), env.get("PATH", "")])
    env["PYTHONUNBUFFERED"] = "1"  # so the captured log is complete when a test reads it
    env.update(settings)
    return env


class Server:
    """One `honcho start -p PORT web` and what it printed; ``target`` the app it serves."""

    def __init__(self, target: str | None = OFFICE, **settings: str):
        self.settings, self.target = settings, target
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        handle, name = tempfile.mkstemp(prefix="phonetree-web-", suffix=".log")
        self.output, self.log_path = os.fdopen(handle, "wb"), Path(name)
        self.process: subprocess.Popen | None = None

    def start(self) -> Server:
        command = [str(BIN / "honcho"), "-e", os.devnull]
        if self.target is not None:  # the same Procfile, serving another app
            procfile = self.log_path.with_suffix(".Procfile")
            procfile.write_text(f"web: {served(self.target)}\n")
            command += ["-f", str(procfile), "-d", str(ROOT)]
        command += ["start", "-p", str(self.port), "web"]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=server_environ(self.settings),
            stdin=subprocess.DEVNULL,
            stdout=self.output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so one signal reaches it all
        )
        return self

    def wait_until_healthy(self, seconds: float = START_SECONDS) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(f"{self.url} exited with {self.process.returncode}:\n{self.log}")
            if self.healthy():
                return
            time.sleep(0.1)
        raise ServerError(f"{self.url} did not answer /healthz in {seconds:.0f} s:\n{self.log}")

    def healthy(self) -> bool:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=1)
        try:
            conn.request("GET", "/healthz")
            return conn.getresponse().status == 200
        except OSError:
            return False
        finally:
            conn.close()

    @property
    def log(self) -> str:
        return self.log_path.read_text("utf-8", "replace")

    def wait_for_log(self, text: str, seconds: float = 5.0) -> bool:
        """Whether ``text`` shows up in the output within ``seconds`` (it arrives via honcho)."""
        deadline = time.monotonic() + seconds
        while text not in self.log:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def stop(self) -> None:
        """SIGTERM honcho's group (honcho stops the web process); kill what stays too long."""
        try:
            if self.process is not None:
                self.end(self.process)
        finally:
            self.process = None
            if not self.output.closed:
                self.output.close()
                self.log_path.unlink(missing_ok=True)
                self.log_path.with_suffix(".Procfile").unlink(missing_ok=True)

    def end(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(STOP_SECONDS)
        # honcho starts the web process in a session of its own: if honcho did not see it
        # stop, end that session too, by the id honcho printed.
        started = re.search(r"web\.1 started \(pid=(\d+)\)", self.log)
        if started and "web.1 stopped" not in self.log:
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(int(started.group(1)), signal.SIGKILL)


def procfile_command() -> str:
    """The Procfile's ``web:`` command, as honcho runs it (through ``sh -c``)."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            return line.removeprefix("web:").strip()
    raise ServerError("the Procfile has no web: line")


def served(target: str | None) -> str:
    """The Procfile's command, serving ``target`` (module:app) instead of its own app."""
    command = procfile_command()
    if target is None:
        return command
    return command.removesuffix(command.split()[-1]) + target


class WebProcess(Server):
    """The Procfile's web command without honcho, its stderr where a test says.

    For what honcho would hide: stderr into a pipe nobody reads, the exact exit of the process.
    ``target`` (module:callable) serves another app with the same command and options.
    """

    def __init__(self, stderr=None, target: str | None = OFFICE, **settings: str):
        super().__init__(target, **settings)
        self.stderr = stderr

    def start(self) -> WebProcess:
        env = {**server_environ(self.settings), "PORT": str(self.port)}
        command = served(self.target)
        self.process = subprocess.Popen(
            ["sh", "-c", "exec " + command],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self.output,
            stderr=self.output if self.stderr is None else self.stderr,
            start_new_session=True,
        )
        return self


@contextmanager
def running(count: int, target: str | None = OFFICE, **settings: str):
    """Start ``count`` servers with ``settings`` in their environment; yield them, then stop."""
    with ExitStack() as stack:
        servers = []
        for _ in range(count):
            server = Server(target, **settings)
            stack.callback(server.stop)
            servers.append(server.start())
        for index, server in enumerate(servers):
            for _ in range(PORT_ATTEMPTS):
                try:
                    server.wait_until_healthy()
                    break
                except ServerError:
                    # Another program may have taken the free port before waitress bound it.
                    if "address already in use" not in server.log.lower():
                        raise
                    server = Server(target, **settings)
                    stack.callback(server.stop)
                    servers[index] = server.start()
            else:
                raise ServerError(f"no free port after {PORT_ATTEMPTS} attempts:\n{server.log}")
        yield servers
