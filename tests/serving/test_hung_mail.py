"""Live calls first: with a mail server that never answers, live webhooks keep their threads.

A voicemail's recording callback delivers the message before it answers (503 on a failure, so
Twilio retries): against a mail server that accepts and never greets, each attempt holds a
thread until the delivery's deadline (``delivery.DEADLINE``, 12 s) cuts it off. The Procfile's
server serves those callbacks in a lane of their own (``--delivery-threads=8``); here, on the
office, 16 of them, each sent and then retried 3 times, hang while a caller walks the menu, and
every live answer comes within 2 s (a webhook takes milliseconds; without the lane a key press
waited behind the deliveries, past the 15 s Twilio waits for an answer).

The deadline sets the time this takes: 64 attempts, 8 at a time, 12 s each, about 100 s.
Meanwhile, on a server of its own, 4 queued callers ask to be called back: a request the live
call delivers itself, on a thread of the calls lane (waitress's 4).
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
from twilio.request_validator import RequestValidator
from waitress.adjustments import Adjustments

from phonetree_engine.delivery import DEADLINE
from phonetree_engine.server import OPTIONS
from phonetree_tools.caller import HTTPTransport, SimulatedCall
from tests.engine.heard import DECLINED, MENU, ORDERS, RECORD
from tests.receivers import OFFICE, SENDER
from tests.servers import HOST, running

pytestmark = pytest.mark.soak

TOKEN = "auth-token-for-hung-mail-tests"
ALWAYS_OPEN = "Mon-Sun 00:00-24:00"
SETTINGS = {"TWILIO_AUTH_TOKEN": TOKEN, "OPENING_HOURS": ALWAYS_OPEN}
VOICEMAILS = 16
SENDS = 4  # each callback is sent, then retried 3 times
LIVE_SECONDS = 2.0  # the slowest live answer allowed: hundreds of times a webhook's time
THINKING_SECONDS = 0.1  # between a caller's key presses
# An attempt waits for at most one round of deliveries in the lane's queue (16 callbacks, 8
# threads), then for its own delivery: past both deadlines, the cut-off did not hold.
ATTEMPT_SECONDS = 2 * DEADLINE + 5.0


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
    assert call.last_heard == [ORDERS, RECORD]
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
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=ATTEMPT_SECONDS)
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


def logged(server, text: str, count: int, seconds: float = 5.0) -> list[str]:
    """The log lines holding ``text``, once there are ``count`` of them or time is up."""
    deadline = time.monotonic() + seconds
    while True:
        lines = [line for line in server.log.splitlines() if text in line]
        if len(lines) >= count or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


@pytest.fixture(scope="module")
def aside():
    """The call-back requests (`requests_hung`), started first and run while `hung` runs."""
    with ThreadPoolExecutor(1) as pool:
        yield pool.submit(requests_hung)


@pytest.fixture(scope="module")
def hung(aside):
    """Live calls walked while 16 voicemail callbacks hang on a mail server that never greets."""
    with SilentMailServer() as mail, running(1, **SETTINGS, **mail.settings) as (server,):
        with ThreadPoolExecutor(VOICEMAILS) as pool:
            voicemails = list(pool.map(lambda _: left_voicemail(server), range(VOICEMAILS)))
        live: list[float] = []
        with ThreadPoolExecutor(VOICEMAILS) as pool:
            callbacks = [pool.submit(send_callback, *voicemail) for voicemail in voicemails]
            time.sleep(0.5)  # every delivery thread is taken, and callbacks wait for one
            walks = 0
            while not all(callback.done() for callback in callbacks):
                walk_the_menu(server, live)
                walks += 1
            attempts = [callback.result() for callback in callbacks]
        failed = logged(server, " delivery-failed ", VOICEMAILS * SENDS)
        yield attempts, live, walks, len(mail.accepted), failed


def test_every_callback_attempt_hung_and_was_answered_503_for_a_retry(hung):
    attempts, _, _, connections, _ = hung
    assert [[status for status, _ in sends] for sends in attempts] == [[503] * SENDS] * VOICEMAILS
    assert connections >= VOICEMAILS * SENDS  # each attempt tried the mail server


def test_callbacks_hung_until_the_deadline_cut_them_off(hung):
    attempts, _, _, _, _ = hung
    seconds = [seconds for sends in attempts for _, seconds in sends]
    assert min(seconds) > DEADLINE - 1.0
    assert max(seconds) < ATTEMPT_SECONDS


def test_every_failed_attempt_is_in_the_log(hung):
    _, _, _, _, failed = hung
    assert len(failed) == VOICEMAILS * SENDS
    assert all(" kind=voicemail channel=email " in line for line in failed), failed[:3]


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


# Call-back requests: delivered by the live call itself ##########################

REQUESTS = int(OPTIONS.get("threads", Adjustments.threads))  # the calls lane's threads
REQUEST_SECONDS = 15.0  # Twilio's wait for an answer: past it, the caller hears an error


def ask_to_be_called_back(server) -> list[str]:
    """A queued caller confirms their number to be called back on; what they hear then."""
    call = SimulatedCall(
        HTTPTransport(server.url, timeout=REQUEST_SECONDS),
        from_="+15551234567",
        auth_token=TOKEN,
        public_url=server.url,
    )
    call.start("/voice")
    call.press("2")
    call.hold(position=1, queue_time=90)
    call.press("2")
    call.press("1")  # the caller ID: the request is delivered before the answer
    return call.last_heard


def requests_hung() -> tuple[list[list[str]], list[float]]:
    """As many call-back requests as the calls lane has threads hang on a mail server that never
    greets; a live caller walks the menu once all are being delivered. What each asking caller
    heard, how long each live answer took."""
    with (
        SilentMailServer() as mail,
        running(1, **SETTINGS, **mail.settings) as (server,),
        ThreadPoolExecutor(REQUESTS) as pool,
    ):
        asking = [pool.submit(ask_to_be_called_back, server) for _ in range(REQUESTS)]
        waited = time.monotonic() + REQUEST_SECONDS
        while len(mail.accepted) < REQUESTS and time.monotonic() < waited:
            time.sleep(0.02)
        live: list[float] = []
        walk_the_menu(server, live)
        return [request.result() for request in asking], live


@pytest.fixture(scope="module")
def requests(aside):
    return aside.result()


def test_a_caller_whose_request_hung_is_told_in_time_and_offered_voicemail(requests):
    heard, _ = requests
    assert heard == [[DECLINED, RECORD]] * REQUESTS


def test_every_live_answer_came_within_2_seconds_while_callback_requests_hung(requests):
    _, live = requests
    assert max(live) < LIVE_SECONDS, f"slowest live answer {max(live):.1f} s"
