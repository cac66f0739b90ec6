"""The server as the Procfile runs it, in a process of its own: the open files its connection
limit needs, its usage, and its stop on SIGTERM (every webhook in flight answered, the log
written, exit 0), as a platform sends it on every deploy."""

from __future__ import annotations

import http.client
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.receivers import Hook
from tests.servers import HOST, START_SECONDS, free_port, server_environ

TARGET = "tests.engine.served:app"  # the office, as phonetree:app serves the shipped tree


class Process:
    """``python -m phonetree_engine.server`` under ``sh`` (for ``ulimit``), output to a file."""

    def __init__(self, tmp_path: Path, *options: str, before: str = "", **settings: str):
        self.port, self.output = free_port(), tmp_path / "server.log"
        command = f"exec {sys.executable} -m phonetree_engine.server --port={self.port}"
        command = " ".join([command, *options, TARGET])
        with self.output.open("wb") as output:
            self.process = subprocess.Popen(
                ["sh", "-c", f"{before}{command}"],
                cwd=ROOT,
                env=server_environ({"ALLOW_UNSIGNED": "true", **settings}),
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    @property
    def log(self) -> str:
        return self.output.read_text("utf-8", "replace")

    def wait_until_serving(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while "serving on" not in self.log:
            assert self.process.poll() is None, self.log
            assert time.monotonic() < deadline, self.log
            time.sleep(0.05)

    def post(self, path: str, form: str) -> int:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=15)
        try:
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            conn.request("POST", path, form.encode(), headers)
            return conn.getresponse().status
        finally:
            conn.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


@pytest.fixture
def started(tmp_path):
    processes = []

    def start(*options, **settings):
        processes.append(Process(tmp_path, *options, **settings))
        processes[-1].wait_until_serving()
        return processes[-1]

    yield start
    for process in processes:
        process.stop()


def open_files(pid: int) -> tuple[int, int]:
    """The soft and hard limit of open files of a process."""
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max open files"):
            soft, hard = line.split()[3:5]
            return int(soft), int(hard)
    raise AssertionError("no open files limit")


@pytest.mark.skipif(not Path("/proc/self/limits").exists(), reason="reads /proc")
@pytest.mark.parametrize(("connections", "soft"), [(1000, 1000 + 256), (2000, 1500)])
def test_the_open_files_limit_is_raised_to_what_the_connections_need(started, connections, soft):
    # Started with 1024 open files (a common default) under a hard limit of 1500: each
    # connection is a file, and the log, the trigger and a backlog being accepted need more.
    server = started(
        f"--connection-limit={connections}", before="ulimit -Sn 1024 && ulimit -Hn 1500 && "
    )
    assert open_files(server.process.pid) == (soft, 1500)


def test_sigterm_answers_the_webhook_in_flight_writes_the_log_and_exits_0(started):
    with Hook(delay=1.5) as hook:
        server = started(NOTIFY_URL=hook.url)
        form = "CallSid=CA1&RecordingSid=RE1&RecordingStatus=completed&RecordingDuration=9"
        form += "&RecordingUrl=https%3A%2F%2Fapi.twilio.com%2FRE1"
        answers = []
        posting = threading.Thread(
            target=lambda: answers.append(server.post("/state/voicemail/recorded", form))
        )
        posting.start()
        deadline = time.monotonic() + 5
        while " INFO phonetree.business recording " not in server.log:  # in flight now
            assert time.monotonic() < deadline, server.log
            time.sleep(0.02)
        server.process.terminate()
        posting.join(15)
        code = server.process.wait(15)
    assert (answers, code) == ([200], 0)
    assert [payload["id"] for payload in hook.payloads] == ["RE1"]
    assert "INFO phonetree stopped in-flight=0 " in server.log


@pytest.mark.parametrize(("args", "code", "stream"), [([], 2, "stderr"), (["--help"], 0, "stdout")])
def test_the_usage_is_said_and_a_missing_app_is_a_usage_error(args, code, stream):
    done = subprocess.run(
        [sys.executable, "-m", "phonetree_engine.server", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == code
    assert "python -m phonetree_engine.server [waitress-serve's options] module:app" in getattr(
        done, stream
    )
