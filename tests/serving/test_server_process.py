"""The server as the Procfile runs it, in a process of its own: the open files its connection
limit needs, its usage, and its stop on SIGTERM (every webhook in flight answered, the log
written, exit 0), as a platform sends it on every deploy."""

from __future__ import annotations

import contextlib
import http.client
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from phonetree_engine.server import parse_args, path_info
from tests.conftest import ROOT
from tests.engine.odd_receivers import Silent
from tests.receivers import OFFICE, SENDER, Hook
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
    usage = getattr(done, stream).strip()
    assert usage.startswith("python -m phonetree_engine.server [waitress-serve's options]")
    assert usage.endswith(" module:app")


def left_hanging(server: Process, form: str) -> None:
    """A voicemail's callback whose answer nobody waits for (the server is stopped first)."""
    with contextlib.suppress(OSError, http.client.HTTPException):
        server.post("/state/voicemail/recorded", form)


def test_live_webhooks_keep_their_threads_while_voicemails_wait_on_a_silent_mail_server(started):
    # Each voicemail's callback waits on the mail server for the whole delivery deadline; as
    # many as waitress has threads (4) must not keep a caller's next step waiting behind them.
    with Silent() as mail:
        mailing = {"SMTP_URL": mail.smtp_url, "NOTIFY_EMAIL": OFFICE, "MAIL_FROM": SENDER}
        server = started("--threads=4", **mailing)
        form = "CallSid=CA{}&RecordingSid=RE{}&RecordingStatus=completed&RecordingDuration=9"
        form += "&RecordingUrl=https%3A%2F%2Fapi.twilio.com%2FRE1"
        for number in range(6):
            sent = form.format(number, number)
            threading.Thread(target=left_hanging, args=(server, sent), daemon=True).start()
        deadline = time.monotonic() + 5
        while mail.accepted < 6 and time.monotonic() < deadline:
            time.sleep(0.02)
        began = time.monotonic()
        status = server.post("/voice", "CallSid=CA99&From=%2B15551234567")
        waited = time.monotonic() - began
        server.stop()
    assert mail.accepted == 6  # every delivery was under way
    assert (status, waited < 5) == (200, True)  # milliseconds, not the deliveries' 12 s


@pytest.mark.parametrize(
    ("argv", "options"),
    [
        (["--delivery-threads=3", "x:app"], {"delivery_threads": "3"}),
        (["--delivery-threads", "5", "x:app"], {"delivery_threads": "5"}),
    ],
)
def test_the_delivery_threads_are_read_from_the_command_line(argv, options):
    parsed, targets = parse_args(argv)
    assert (parsed["delivery_threads"], targets) == (options["delivery_threads"], ["x:app"])


def test_delivery_threads_that_are_no_number_are_one_line_and_exit_2():
    done = subprocess.run(
        [sys.executable, "-m", "phonetree_engine.server", "--delivery-threads=many", TARGET],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (done.returncode, done.stderr) == (
        1,
        "phonetree: --delivery-threads takes a whole number, not 'many'\n",
    )


@pytest.mark.parametrize(
    ("path", "prefix", "seen"),
    [
        ("/state/voicemail/recorded", "", "/state/voicemail/recorded"),
        ("/ivr/state/voicemail/recorded", "/ivr", "/state/voicemail/recorded"),
        ("//state/voicemail/recorded", "", "/state/voicemail/recorded"),
        ("/ivr", "/ivr", ""),
        ("/ivrx/voice", "/ivr", "/ivrx/voice"),
    ],
)
def test_a_request_s_lane_is_chosen_by_the_path_the_app_will_see(path, prefix, seen):
    # Behind --url-prefix the app's word for a path is for the path without the prefix.
    assert path_info(path, prefix) == seen
