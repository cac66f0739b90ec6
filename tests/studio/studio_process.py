"""``python phonetree.py studio`` as a person runs it, on a free port, stopped afterwards.

`running(**settings)` starts it with only the settings given (any phone tree variable of the
environment left out), waits for the address it prints, and stops it (SIGTERM, then a bounded
wait)::

    with running(LANGUAGES="en-US,es-US") as studio:
        studio.step(["2", "3"])      # POST /studio/step, the JSON answer
"""

from __future__ import annotations

import json
import os
import re
import select
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from tests.servers import server_environ

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 20.0
ADDRESS = re.compile(r"phonetree studio: (http://127\.0\.0\.1:(\d+)/)")


class Studio:
    """A running studio: its address, its process, what it wrote on stderr."""

    def __init__(self, process: subprocess.Popen, url: str, errors: Path):
        self.process, self.url, self.errors = process, url, errors
        self.port = int(url.rstrip("/").rsplit(":", 1)[1])

    def stderr(self) -> str:
        return self.errors.read_text(encoding="utf-8", errors="replace")

    def post(self, path: str, body: bytes, headers: dict) -> tuple[int, str]:
        request = urllib.request.Request(self.url + path.lstrip("/"), body, headers, method="POST")
        return answer(request)

    def get(self, path: str) -> tuple[int, str]:
        return answer(urllib.request.Request(self.url + path.lstrip("/")))

    def headers(self, path: str) -> dict:
        request = urllib.request.Request(self.url + path.lstrip("/"))
        with urllib.request.urlopen(request, timeout=30) as response:
            return dict(response.headers)

    def step(self, actions=(), **fields) -> dict:
        """A step as the page sends it; the answer's JSON (an error fails the test)."""
        body = {"session": "tests", "call": "call-1", "clock": "open", **fields}
        body["actions"] = list(actions)
        status, text = self.post(
            "studio/step", json.dumps(body).encode(), {"Content-Type": "application/json"}
        )
        assert status == 200, text
        return json.loads(text)


def answer(request) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


@contextmanager
def running(*args: str, **settings: str):
    errors = Path(tempfile.mkstemp(prefix="phonetree-studio-", suffix=".log")[1])
    with errors.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "phonetree.py", "studio", "--port", "0", "--no-browser", *args],
            cwd=ROOT,
            env=server_environ(settings),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
        )
    try:
        url = address(process, errors)
        yield Studio(process, url, errors)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        process.stdout.close()
        errors.unlink(missing_ok=True)


def address(process: subprocess.Popen, errors: Path) -> str:
    """The page's address, as the command prints it once it listens."""
    deadline, printed = time.monotonic() + START_SECONDS, b""
    descriptor = process.stdout.fileno()
    while time.monotonic() < deadline:
        ready, _, _ = select.select([descriptor], [], [], 0.1)
        if ready:
            chunk = os.read(descriptor, 4096)
            if not chunk:
                break
            printed += chunk
            found = ADDRESS.search(printed.decode("utf-8", "replace"))
            if found:
                return found.group(1)
        elif process.poll() is not None:
            break
    raise RuntimeError(
        f"the studio did not start: {printed.decode(errors='replace')}{errors.read_text()}"
    )
