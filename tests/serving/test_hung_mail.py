"""Live calls first: with a mail server that never answers, live webhooks keep their threads.

A voicemail's recording callback delivers the message before it answers (503 on a failure, so
Twilio retries): against a mail server that accepts and never greets, each attempt holds a
thread for the whole delivery timeout. The Procfile's server serves those callbacks in a lane
of their own; here 16 of them, each sent and then retried 3 times, hang while a caller walks
the menu, and every live answer comes within 2 s (a webhook takes milliseconds; without the
lane a key press waited behind the deliveries, up to 20 s).
"""

from __future__ import annotations

import http.client
import secrets
import socket
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode, urlsplit

import pytest
from servers import HOST, running
from twilio.request_validator import RequestValidator

from phonetree_tools.caller import HTTPTransport, SimulatedCall
from tests.prompts import MENU, SALES, VOICEMAIL
from tests.receivers import OFFICE, SENDER

pytestmark = pytest.mark.soak

TOKEN = "auth-token-for-hung-mail-tests"
ALWAYS_OPEN = "Mon-Sun 00:00-24:00"
VOICEMAILS = 16
SENDS = 4  # each callback is sent, then retried 3 times
LIVE_SECONDS = 2.0  # the slowest live answer allowed: hundreds of times a webhook's time
THINKING_SECONDS = 0.1  # between a caller's key presses


class SilentMailServer:
    """Accepts every connection and never says a word: smtplib waits for a greeting."""

    def __init__(self):
        self.listener = socket.create_server((HOST, 0))
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.accept, daemon=True)

    @property
    def settings(self) -> dict[str, str]:
        return {
            "SMTP_URL": f"smtp://{HOST}:{self.port}",
            "NOTIFY_EMAIL": OFFICE,
            "MAIL_FROM": SENDER,
        }

    def accept(self) -> None:
        while not self.stopped.is_set():
            try:
                self.accepted.append(self.listener.accept()[0])
            except TimeoutError:
                continue

    def __enter__(self) -> SilentMailServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self.thread.join()
        for sock in [*self.accepted, self.listener]:
            sock.close()


class TimedTransport(HTTPTransport):
    """Over HTTP, keeping how long each answer took."""

    def __init__(self, base_url, seconds: list[float]):
        super().__init__(base_url)
        self.seconds = seconds

    def request(self, method, path, body, headers):
        started = time.monotonic()
        try:
            return super().request(method, path, body, headers)
        finally:
            self.seconds.append(time.monotonic() - started)


def left_voicemail(server) -> tuple[str, dict]:
    """A call that reached the Record: its recording callback's URL and parameters."""
    call = SimulatedCall(HTTPTransport(server.url), auth_token=TOKEN, public_url=server.url)
    call.start("/voice")
    call.press("1")
    assert call.last_heard == [SALES, VOICEMAIL]
    sid = "RE" + secrets.token_hex(16)
    params = {
        **call.params,
        "RecordingSid": sid,
        "RecordingUrl": f"https://api.twilio.com/Recordings/{sid}",
        "RecordingStatus": "completed",
        "RecordingDuration": "4",
    }
    path = call.document.find("Record").get("recordingStatusCallback").partition("#")[0]
    return server.url + path, params


def send_callback(url: str, params: dict) -> list[tuple[int, float]]:
    """Send a callback as Twilio does, retrying on a 5xx; each attempt's status and seconds."""
    body = urlencode(params)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(url, params),
    }
    parts = urlsplit(url)
    target = f"{parts.path}?{parts.query}" if parts.query else parts.path
    token, attempts = secrets.token_hex(16), []
    for attempt in range(SENDS):
        started = time.monotonic()
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        try:
            retry = {"I-Twilio-Idempotency-Token": token} if attempt else {}
            conn.request("POST", target, body, {**headers, **retry})
            status = conn.getresponse().status
        finally:
            conn.close()
        attempts.append((status, time.monotonic() - started))
        if status < 500:
            break
    return attempts


def walk_the_menu(server, seconds: list[float]) -> None:
    """A live caller: the menu, the hours, back to the menu."""
    transport = TimedTransport(server.url, seconds)
    call = SimulatedCall(transport, auth_token=TOKEN, public_url=server.url)
    call.start("/voice")
    for key in ("3", "1", "9", "7"):
        time.sleep(THINKING_SECONDS)
        call.press(key)
    assert call.last_heard[-1] == MENU


@pytest.fixture(scope="module")
def hung():
    """Live calls walked while 16 voicemail callbacks hang on a mail server that never greets."""
    settings = {"TWILIO_AUTH_TOKEN": TOKEN, "OPENING_HOURS": ALWAYS_OPEN}
    with SilentMailServer() as mail, running(1, **settings, **mail.settings) as (server,):
        voicemails = [left_voicemail(server) for _ in range(VOICEMAILS)]
        live: list[float] = []
        with ThreadPoolExecutor(VOICEMAILS) as pool:
            callbacks = [pool.submit(send_callback, *voicemail) for voicemail in voicemails]
            time.sleep(0.5)  # every delivery thread is taken, and callbacks wait for one
            walks = 0
            while not all(callback.done() for callback in callbacks):
                walk_the_menu(server, live)
                walks += 1
            attempts = [callback.result() for callback in callbacks]
        yield attempts, live, walks, len(mail.accepted), server.log


def test_every_callback_attempt_hung_and_was_answered_503_for_a_retry(hung):
    attempts, _, _, connections, _ = hung
    assert [[status for status, _ in sends] for sends in attempts] == [[503] * SENDS] * VOICEMAILS
    assert connections >= VOICEMAILS * SENDS  # each attempt tried the mail server


def test_callbacks_hung_for_the_delivery_timeout(hung):
    attempts, _, _, _, _ = hung
    assert min(seconds for sends in attempts for _, seconds in sends) > 4.0


def test_a_live_caller_walked_the_menu_throughout(hung):
    _, live, walks, _, _ = hung
    assert walks >= 10
    assert len(live) == 5 * walks


def test_every_live_answer_came_within_2_seconds_while_callbacks_hung(hung):
    _, live, walks, _, _ = hung
    p99 = statistics.quantiles(live, n=100)[98]
    print(
        f"{len(live)} live webhooks in {walks} calls: p50 {statistics.median(live) * 1000:.1f}"
        f" ms, p99 {p99 * 1000:.1f} ms, slowest {max(live) * 1000:.1f} ms"
    )
    assert max(live) < LIVE_SECONDS
