"""The Procfile's server, serving the office, on a hostile network and a failing platform.

Slow clients, a log reader that stops reading, malformed headers, forged log lines, SIGTERM
with webhooks in flight. Each attack is bounded in count and time, on loopback only.
"""

from __future__ import annotations

import array
import fcntl
import http.client
import logging
import selectors
import signal
import socket
import statistics
import subprocess
import termios
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote, urlencode

import pytest
from twilio.request_validator import RequestValidator

from tests.servers import HOST, WebProcess, running

pytestmark = pytest.mark.soak

TOKEN = "auth-token-for-hostile-tests"
ALWAYS_OPEN = "Mon-Sun 00:00-24:00"
SETTINGS = {"TWILIO_AUTH_TOKEN": TOKEN, "OPENING_HOURS": ALWAYS_OPEN}
CALL = {"CallSid": "CA0123456789abcdef0123456789abcdef", "From": "+15005550006"}


def signed_post(port: int, path: str = "/voice", params: dict = CALL, headers: dict | None = None):
    """POST ``params`` to ``path`` signed as Twilio signs; the status and the time it took."""
    body = urlencode(params)
    url = f"http://{HOST}:{port}{path}"
    signature = RequestValidator(TOKEN).compute_signature(url, params)
    sent = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": signature,
        **(headers or {}),
    }
    started = time.monotonic()
    conn = http.client.HTTPConnection(HOST, port, timeout=15)  # Twilio's webhook timeout
    try:
        conn.request("POST", path, body, sent)
        answer = conn.getresponse()
        answer.read()
        return answer.status, time.monotonic() - started
    finally:
        conn.close()


def raw_exchange(port: int, request: bytes) -> bytes:
    with socket.create_connection((HOST, port), timeout=15) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        return answer


# Slow clients ################################################################

SLOW_CONNECTIONS = 300
SIGNED_CALLS = 100


class Trickle:
    """``count`` connections that send a request's first line, then a header byte at a time."""

    def __init__(self, port: int, count: int):
        self.sockets = []
        for _ in range(count):
            sock = socket.create_connection((HOST, port), timeout=5)
            sock.sendall(b"POST /voice HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            sock.setblocking(False)
            self.sockets.append(sock)

    def drip(self) -> int:
        """One more byte on each connection still open; how many are."""
        open_ = 0
        for sock in self.sockets:
            try:
                sock.send(b"a")
                open_ += 1
            except OSError:
                pass
        return open_

    def close(self) -> None:
        for sock in self.sockets:
            sock.close()


@pytest.fixture(scope="module")
def slowed():
    """A server with 300 slow connections held open while 100 signed calls are made."""
    with running(1, **SETTINGS) as (server,):
        trickle = Trickle(server.port, SLOW_CONNECTIONS)
        try:
            trickle.drip()
            times, statuses = [], []
            for number in range(SIGNED_CALLS):
                status, seconds = signed_post(server.port)
                statuses.append(status)
                times.append(seconds)
                if number % 10 == 0:
                    trickle.drip()
            still_open = trickle.drip()
        finally:
            trickle.close()
        yield statuses, times, still_open


def test_slow_connections_stay_open_meanwhile(slowed):
    _, _, still_open = slowed
    assert still_open == SLOW_CONNECTIONS  # the attack held; the calls went past it


def test_signed_calls_past_slow_connections_are_all_answered(slowed):
    statuses, _, _ = slowed
    assert statuses == [200] * SIGNED_CALLS


def test_signed_calls_past_slow_connections_answer_p99_under_a_second(slowed):
    _, times, _ = slowed
    p99 = statistics.quantiles(times, n=100)[98]
    assert p99 < 1.0, f"p99 {p99:.3f} s, median {statistics.median(times):.3f} s"


# A log reader that stops reading #############################################

WEBHOOKS = 1000


@pytest.fixture(scope="module")
def unread():
    """1,000 webhooks to a server whose stderr is a pipe nobody reads, then SIGTERM."""
    server = WebProcess(stderr=subprocess.PIPE, **SETTINGS).start()
    try:
        server.wait_until_healthy()
        with ThreadPoolExecutor(4) as pool:
            statuses = list(pool.map(lambda _: signed_post(server.port)[0], range(WEBHOOKS)))
        unread_bytes = array.array("i", [0])
        fcntl.ioctl(server.process.stderr, termios.FIONREAD, unread_bytes)
        health = http.client.HTTPConnection(HOST, server.port, timeout=5)
        health.request("GET", "/healthz")
        healthz = health.getresponse().status, unread_bytes[0]
        health.close()
        started = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        try:
            returncode = server.process.wait(30)
        except subprocess.TimeoutExpired:
            returncode = None
        stopped_in = time.monotonic() - started
        yield statuses, healthz, returncode, stopped_in
    finally:
        server.process.stderr.close()
        server.stop()


def test_webhooks_are_all_answered_while_nobody_reads_the_log(unread):
    statuses, _, _, _ = unread
    assert statuses == [200] * WEBHOOKS


def test_the_log_pipe_was_full(unread):
    _, (_, unread_bytes), _, _ = unread
    assert unread_bytes >= 60_000  # a pipe holds 64 KiB: the writer was stuck on it


def test_the_health_check_answers_while_nobody_reads_the_log(unread):
    _, (status, _), _, _ = unread
    assert status == 200


def test_sigterm_stops_a_server_with_a_stuck_log_within_10_seconds(unread):
    _, _, returncode, stopped_in = unread
    assert returncode == 0
    assert stopped_in < 10


# Malformed headers, forged lines #############################################


@pytest.fixture(scope="module")
def server():
    """Its stderr straight to a file: honcho would split lines at U+2028 itself."""
    server = WebProcess(**SETTINGS).start()
    try:
        server.wait_until_healthy()
        yield server
    finally:
        server.stop()


def lines_for(server, action, marker: str) -> list[str]:
    """The log lines written while ``action`` ran, from the first one holding ``marker``."""
    before = len(server.log.splitlines())
    result = action()
    assert server.wait_for_log(marker)
    time.sleep(0.3)  # anything else the request wrote arrives too
    return result, server.log.splitlines()[before:]


@pytest.mark.parametrize(
    "headers",
    [
        {"Host": "h:abc"},
        {"Host": "h:99999"},
        {"Host": "[::1"},
        {"X-Forwarded-Host": "ivr.example.com", "X-Forwarded-Port": "abc"},
        {"X-Forwarded-Host": "ivr.example.com", "X-Forwarded-Port": "99999"},
        {"X-Forwarded-Host": "[::1"},
    ],
)
def test_a_malformed_host_gets_a_4xx_and_one_line_without_traceback(server, headers):
    def send():
        lines = [f"{name}: {value}" for name, value in headers.items()]
        if "Host" not in headers:
            lines.append("Host: 127.0.0.1")
        head = "\r\n".join(["POST /voice HTTP/1.1", *lines, "X-Twilio-Signature: x"])
        body = urlencode(CALL)
        request = f"{head}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        request += f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n{body}"
        return raw_exchange(server.port, request.encode())

    answer, lines = lines_for(server, send, "refused path=/voice")
    assert answer.split(b" ")[1].startswith(b"4")
    assert len(lines) == 1, lines
    assert "Traceback" not in server.log


SEPARATORS = ["\u2028", "\u2029", "\u0085", "\r", "\x0b", "\x0c", "\x1c"]


@pytest.mark.parametrize("separator", SEPARATORS)
def test_a_separator_in_a_refused_path_reaches_the_log_escaped(server, separator):
    path = "/state/menu" + separator + "2026-12-01 00:00:00,000 INFO phonetree recording forged"
    forge = lambda: signed_post(server.port, quote(path), headers={"X-Twilio-Signature": "x"})  # noqa: E731
    answer, _ = lines_for(server, forge, "forged")
    assert answer[0] == 403
    assert separator not in server.log
    forged = [line for line in server.log.split("\n") if "forged" in line]
    assert all(" WARNING phonetree refused path=" in line for line in forged)


@pytest.mark.parametrize("separator", SEPARATORS)
def test_a_separator_in_a_signed_value_reaches_the_log_escaped(server, separator):
    params = {**CALL, "Digits": "1" + separator + "forged-digits"}
    status, _ = signed_post(server.port, "/state/menu/exit", params)
    assert status == 200
    assert server.wait_for_log("forged-digits")
    assert separator not in server.log


# SIGTERM with a webhook in flight ############################################


def test_a_webhook_in_flight_at_sigterm_is_answered():
    server = WebProcess(**SETTINGS).start()
    try:
        server.wait_until_healthy()
        body = urlencode(CALL).encode()
        url = f"http://{HOST}:{server.port}/voice"
        signature = RequestValidator(TOKEN).compute_signature(url, CALL)
        head = (
            f"POST /voice HTTP/1.1\r\nHost: {HOST}:{server.port}\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nX-Twilio-Signature: {signature}"
            f"\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode()
        with socket.create_connection((HOST, server.port), timeout=15) as sock:
            sock.sendall(head + body[:10])  # half a request when the platform says stop
            server.process.send_signal(signal.SIGTERM)
            time.sleep(0.3)
            sock.sendall(body[10:])
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 200 ")
        assert server.process.wait(10) == 0
    finally:
        server.stop()


def refused_within(port: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection((HOST, port), timeout=1).close()
        except ConnectionRefusedError:
            return True
        time.sleep(0.05)
    return False


def test_a_stopping_server_refuses_new_connections_and_fails_its_health_check():
    server = WebProcess(**SETTINGS).start()
    try:
        server.wait_until_healthy()
        # A keep-alive connection made before the stop, holding a request in progress.
        keep = socket.create_connection((HOST, server.port), timeout=15)
        keep.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        server.process.send_signal(signal.SIGTERM)
        assert refused_within(server.port, 2.0)
        keep.sendall(b"\r\n")
        selector = selectors.DefaultSelector()
        selector.register(keep, selectors.EVENT_READ)
        assert selector.select(10)
        assert keep.recv(65536).startswith(b"HTTP/1.1 503 ")
        keep.close()
        assert server.process.wait(10) == 0
    finally:
        server.stop()


# A burst: more requests than threads ########################################


def test_a_burst_writes_one_queue_warning_not_one_per_waiting_request():
    """Waitress warns for every request that waits for a thread; the server lets one through."""
    server = WebProcess(target="tests.engine.trees.slow:app").start()
    try:
        server.wait_until_healthy()

        def get(_):
            conn = http.client.HTTPConnection(HOST, server.port, timeout=15)
            try:
                conn.request("GET", "/")
                return conn.getresponse().status
            finally:
                conn.close()

        with ThreadPoolExecutor(BURST) as pool:  # three times waitress's 4 threads
            assert list(pool.map(get, range(BURST))) == [200] * BURST
        # Each warning is written before its request is served: all are in the log by now.
        warnings = [line for line in server.log.splitlines() if "Task queue depth is" in line]
    finally:
        server.stop()
    assert len(warnings) == 1, warnings


BURST = 12


@pytest.fixture
def notice():
    """A QueueDepthNotice on a clock the test moves, and what it lets through."""
    from phonetree_engine.server import QueueDepthNotice

    clock = [100.0]
    kept = QueueDepthNotice(every=10.0, clock=lambda: clock[0])

    def warn(depth: int, at: float) -> str | None:
        clock[0] = at
        line = logging.LogRecord("waitress.queue", logging.WARNING, "", 0, QUEUE, (depth,), None)
        return line.getMessage() if kept.filter(line) else None

    return warn


QUEUE = "Task queue depth is %d"  # waitress's own words


def test_the_first_queue_warning_comes_through_as_waitress_wrote_it(notice):
    assert notice(3, at=100.0) == "Task queue depth is 3"


def test_queue_warnings_within_the_interval_are_held_back(notice):
    notice(1, at=100.0)
    assert [notice(depth, at=100.0 + depth) for depth in (2, 7, 4)] == [None, None, None]


def test_the_next_warning_after_the_interval_says_how_many_it_stands_for(notice):
    notice(1, at=100.0)
    for depth, at in ((2, 101.0), (7, 102.0), (4, 109.9)):
        notice(depth, at)
    shown = "Task queue depth is 3 (3 more since the last such line, the deepest 7)"
    assert notice(3, at=110.0) == shown
    assert notice(5, at=121.0) == "Task queue depth is 5"  # nothing held back meanwhile
