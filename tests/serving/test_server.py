"""The office in real waitress processes, started as the Procfile says, called over HTTP."""

from __future__ import annotations

import http.client
import socket
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from twilio.request_validator import RequestValidator

from phonetree_engine.web import MAX_BODY
from phonetree_tools.caller import HTTPTransport, SimulatedCall
from tests.engine.heard import (
    CLOSED_NOTICE,
    DESK,
    GOODBYE,
    HOURS_AGAIN,
    MENU,
    MUSIC,
    ORDERS,
    QUEUED,
    RECORD,
    SAVED,
    UNAVAILABLE,
    WELCOME,
    WRONG,
)
from tests.servers import HOST, Server, running

pytestmark = pytest.mark.soak

TOKEN = "auth-token-for-server-tests"
SHARED_KEY = "shared-key-for-server-tests"
ALWAYS_OPEN = "Mon-Sun 00:00-24:00"
PUBLIC = "https://ivr.example.com"
PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "ivr.example.com"}
SHARED_KEY_SETTINGS = "key=webhooks_sharedkey_test,algorithm=HMAC_SHA256"

HOURS = "The office opens Mon+Tue+Wed+Thu+Fri+Sat+Sun 00:00-23:59."  # said of ALWAYS_OPEN

TWILIO_PARAMS = {
    "CallSid": "CA0123456789abcdef0123456789abcdef",
    "AccountSid": "AC0123456789abcdef0123456789abcdef",
    "From": "+15005550006",
    "To": "+15005550001",
    "Caller": "+15005550006",
    "Called": "+15005550001",
    "CallStatus": "ringing",
    "Direction": "inbound",
    "ApiVersion": "2010-04-01",
}
FOREIGN = {"CallerName": "Zoë O'Brien 山田", "FromCity": "São Paulo"}


@pytest.fixture(scope="module")
def pair():
    """Two processes of one always-open deployment, checking both kinds of signature."""
    settings = {"TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_SHARED_KEY": SHARED_KEY}
    with running(2, OPENING_HOURS=ALWAYS_OPEN, **settings) as servers:
        yield servers


@pytest.fixture(scope="module")
def server(pair):
    return pair[0]


@pytest.fixture(scope="module")
def closed():
    """A process whose office is closed today, whatever the hour in New York."""
    today = datetime.now(ZoneInfo("America/New_York")).date()
    days = ", ".join(str(today + timedelta(days=step)) for step in (-1, 0, 1))
    settings = {"OPENING_HOURS": ALWAYS_OPEN, "CLOSED_DATES": days}
    with running(1, TWILIO_AUTH_TOKEN=TOKEN, **settings) as (server,):
        yield server


@pytest.fixture(scope="module")
def configured():
    """A process told its public URL, so it need not trust forwarded headers."""
    settings = {"OPENING_HOURS": ALWAYS_OPEN, "PUBLIC_URL": PUBLIC}
    with running(1, TWILIO_AUTH_TOKEN=TOKEN, **settings) as (server,):
        yield server


# Helpers #####################################################################


@dataclass
class Answer:
    status: int
    content_type: str
    headers: list
    text: str

    @property
    def xml(self) -> ET.Element:
        return ET.fromstring(self.text)


def send(server, method, target, body=b"", headers=None) -> Answer:
    conn = http.client.HTTPConnection(HOST, server.port, timeout=15)
    try:
        conn.request(method, target, body=body, headers=headers or {})
        res = conn.getresponse()
        text = res.read().decode("utf-8", "replace")
        return Answer(res.status, res.getheader("Content-Type", ""), res.getheaders(), text)
    finally:
        conn.close()


def signature(url, params=None, key=TOKEN, algorithm=None) -> str:
    return RequestValidator(key).compute_signature(url, params or {}, algorithm)


def post(server, path, params=None, *, signed_for=None, key=TOKEN, headers=None) -> Answer:
    """POST form params to path as Twilio through a TLS proxy would; sign for a public URL."""
    params = {**TWILIO_PARAMS, **(params or {})}
    sent = {**PROXY, "Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
    if signed_for is not None:
        algorithm = "HMAC_SHA256" if key == SHARED_KEY else None
        sent["X-Twilio-Signature"] = signature(signed_for, params, key, algorithm)
    return send(server, "POST", path, urlencode(params).encode(), sent)


def ends_well(call) -> None:
    """Every answer of a call was 200 text/xml, with no cookie."""
    assert [hook.status for hook in call.requests] == [200] * len(call.requests)
    assert {hook.content_type for hook in call.requests} == {"text/xml; charset=utf-8"}
    assert call.cookies_seen == []


def place(servers, validate, **options) -> SimulatedCall:
    transports = [HTTPTransport(server.url) for server in servers]
    options.setdefault("public_url", servers[0].url)
    call = SimulatedCall(transports, auth_token=TOKEN, validate=validate, **options)
    call.start("/voice")
    return call


# Whole calls, served by two processes in turn #################################


def test_greeting_and_menu_come_in_one_answer(pair, validate):
    call = place(pair, validate)
    assert call.heard == [WELCOME, MENU]
    assert call.waiting_for == "input"


def test_a_whole_call_is_served_by_two_processes_in_turn(pair, validate):
    call = place(pair, validate)
    call.press("3")
    assert call.last_heard == [HOURS, HOURS_AGAIN]
    call.press("1")
    assert call.last_heard == [HOURS, HOURS_AGAIN]
    call.press("5")
    assert call.last_heard == [MENU]
    call.press("7")
    assert call.last_heard == [WRONG, MENU]
    call.press("1")
    assert call.last_heard == [ORDERS, RECORD]
    assert call.waiting_for == "record"
    call.record()
    assert call.last_heard == [SAVED]
    assert call.outcome == ("hangup",)
    ends_well(call)


def test_each_process_serves_every_other_webhook(pair, validate):
    call = place(pair, validate)
    for key in ("3", "1", "5", "7"):
        call.press(key)
    first, second = pair
    line = f"webhook call={call.params['CallSid']}"
    assert logged(first, line, times=3) == 3
    assert logged(second, line, times=2) == 2


def logged(server, line, times, seconds=5.0):
    """How often ``line`` is in the server's log, once it is there ``times`` or time is up."""
    deadline = time.monotonic() + seconds
    while server.log.count(line) < times and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # a line too many would come in the same batch
    return server.log.count(line)


def test_key_2_queues_for_the_help_desk_and_a_bridged_call_ends_politely(pair, validate):
    call = place(pair, validate)
    call.press("2")
    assert call.last_heard == [QUEUED]
    assert call.outcome == ("queue", "helpdesk")
    call.hold(position=1)
    assert call.last_heard == ["You are number 1 in line.", MUSIC]
    call.queue_result("bridged")
    assert call.last_heard == [GOODBYE]
    assert call.outcome == ("hangup",)
    ends_well(call)


def test_key_0_rings_the_front_desk_and_no_answer_leads_to_voicemail(pair, validate):
    call = place(pair, validate)
    call.press("0")
    assert call.outcome == ("dial", DESK)
    call.dial_result("no-answer")
    assert call.last_heard == [UNAVAILABLE, RECORD]
    assert call.waiting_for == "record"
    ends_well(call)


def test_when_closed_the_greeting_says_so(closed, validate):
    call = place([closed], validate)
    assert call.heard == [WELCOME, CLOSED_NOTICE, MENU]


@pytest.mark.parametrize("key", ["0", "2"])
def test_when_closed_the_front_desk_and_the_help_desk_take_a_message(closed, validate, key):
    call = place([closed], validate)
    call.press(key)
    assert call.last_heard == [UNAVAILABLE, RECORD]
    assert call.waiting_for == "record"


# Signatures through a TLS-terminating proxy ##################################


def test_a_request_signed_for_the_public_url_is_answered(server, validate):
    answer = post(server, "/voice", signed_for=f"{PUBLIC}/voice")
    assert answer.status == 200
    assert answer.content_type == "text/xml; charset=utf-8"
    assert answer.xml.find("Gather") is not None
    validate(answer.text)


def test_a_proxy_on_another_port_is_part_of_the_url_checked(server):
    port = {"X-Forwarded-Port": "8443"}
    answer = post(server, "/voice", signed_for=f"{PUBLIC}:8443/voice", headers=port)
    assert answer.status == 200


def test_a_whole_call_behind_the_proxy_is_answered(pair, validate):
    host = pair[0].url.split("//")[1]  # what the proxy connects to, not what Twilio called
    call = place(pair, validate, public_url=PUBLIC, headers={"Host": host, **PROXY})
    call.press("0")
    call.dial_result("busy")
    call.record()
    assert call.last_heard == [SAVED]
    ends_well(call)


def assert_refused(answer: Answer) -> None:
    """A short plain-text 403, not TwiML and not an HTML page."""
    assert answer.status == 403
    assert answer.content_type == "text/plain; charset=utf-8"
    assert len(answer.text) < 200
    assert "<" not in answer.text


def test_an_unsigned_request_is_refused_in_short_plain_text(server):
    assert_refused(post(server, "/voice"))


def test_a_tampered_body_is_refused(server):
    params = {"Digits": "1"}
    sig = signature(f"{PUBLIC}/state/menu/exit", {**TWILIO_PARAMS, **params})
    answer = post(server, "/state/menu/exit", {"Digits": "2"}, headers={"X-Twilio-Signature": sig})
    assert_refused(answer)


def test_a_request_signed_for_another_path_is_refused(server):
    answer = post(server, "/state/menu/exit", {"Digits": "1"}, signed_for=f"{PUBLIC}/voice")
    assert_refused(answer)


def test_a_request_signed_for_another_host_is_refused(server):
    answer = post(server, "/voice", signed_for="https://attacker.example.net/voice")
    assert_refused(answer)


def test_a_request_signed_with_another_token_is_refused(server):
    answer = post(server, "/voice", signed_for=f"{PUBLIC}/voice", key="not-the-token")
    assert_refused(answer)


def test_non_ascii_parameters_pass_in_a_post(server):
    answer = post(server, "/voice", FOREIGN, signed_for=f"{PUBLIC}/voice")
    assert answer.status == 200


def test_non_ascii_parameters_pass_in_a_get(server):
    target = "/voice?" + urlencode({**TWILIO_PARAMS, **FOREIGN})
    headers = {**PROXY, "X-Twilio-Signature": signature(PUBLIC + target)}
    answer = send(server, "GET", target, headers=headers)
    assert answer.status == 200
    assert answer.content_type == "text/xml; charset=utf-8"


def test_a_shared_key_signature_passes(server):
    settings = {"X-Twilio-Webhooks-Signature-Settings": SHARED_KEY_SETTINGS}
    answer = post(server, "/voice", signed_for=f"{PUBLIC}/voice", key=SHARED_KEY, headers=settings)
    assert answer.status == 200


def test_a_shared_key_call_is_answered_from_start_to_end(pair, validate):
    transports = [HTTPTransport(server.url) for server in pair]
    call = SimulatedCall(
        transports, shared_key=SHARED_KEY, public_url=pair[0].url, validate=validate
    )
    call.start("/voice")
    call.press("1")
    call.record()
    assert call.outcome == ("hangup",)
    ends_well(call)


def test_a_shared_key_header_with_an_auth_token_signature_is_refused(server):
    settings = {"X-Twilio-Webhooks-Signature-Settings": SHARED_KEY_SETTINGS}
    sig = signature(f"{PUBLIC}/voice", TWILIO_PARAMS)  # HMAC-SHA1 with the auth token
    answer = post(server, "/voice", headers={**settings, "X-Twilio-Signature": sig})
    assert_refused(answer)


def test_a_repeated_field_is_refused_in_plain_text_even_signed_as_twilio_signs_it(server):
    # Twilio signs every value of a repeated name, sorted: the signature holds whatever their
    # order, so a captured request could be reshaped. Twilio never repeats a field: a 400.
    pairs = [*TWILIO_PARAMS.items(), ("Digits", "1"), ("Digits", "2")]
    values = {name: [value for key, value in pairs if key == name] for name, _ in pairs}
    sig = RequestValidator(TOKEN).compute_signature(f"{PUBLIC}/state/menu/exit", AllValues(values))
    headers = {**PROXY, "Content-Type": "application/x-www-form-urlencoded"}
    headers["X-Twilio-Signature"] = sig
    answer = send(server, "POST", "/state/menu/exit", urlencode(pairs).encode(), headers)
    assert (answer.status, answer.content_type) == (400, "text/plain; charset=utf-8")
    assert "twice" in answer.text
    assert "<" not in answer.text


class AllValues(dict):
    """A dict of lists that the twilio validator reads as every value of each name."""

    def getall(self, name):
        return self[name]


def test_a_signature_that_is_not_ascii_is_refused(server):
    assert_refused(post(server, "/voice", headers={"X-Twilio-Signature": "é" * 28}))


def test_a_signed_request_to_a_path_beyond_latin_1_gets_twiml(server):
    target = "/state/%C4%80"  # a state no table has, spelt in UTF-8
    headers = {**PROXY, "X-Twilio-Signature": signature(PUBLIC + target)}
    answer = send(server, "GET", target, headers=headers)
    assert answer.status == 200
    assert answer.content_type == "text/xml; charset=utf-8"


def test_a_configured_public_url_is_checked_whatever_the_headers_say(configured):
    headers = {"X-Forwarded-Host": "other.example.net"}
    answer = post(configured, "/voice", signed_for=f"{PUBLIC}/voice", headers=headers)
    assert answer.status == 200


def test_a_configured_public_url_refuses_what_the_headers_claim(configured):
    headers = {"X-Forwarded-Host": "other.example.net"}
    answer = post(
        configured, "/voice", signed_for="https://other.example.net/voice", headers=headers
    )
    assert_refused(answer)


def test_a_configured_public_url_needs_no_proxy_headers(configured, validate):
    host = configured.url.split("//")[1]
    call = place([configured], validate, public_url=PUBLIC, headers={"Host": host})
    assert call.heard == [WELCOME, MENU]
    call.press("3")
    assert call.last_heard[-1] == HOURS_AGAIN


# Limits and plain routes #####################################################


def padded(size: int) -> dict:
    """Twilio's parameters and a Pad field making the urlencoded body exactly size bytes."""
    base = len(urlencode({**TWILIO_PARAMS, "Pad": ""}))
    return {**TWILIO_PARAMS, "Pad": "x" * (size - base)}


def exchange(server, head: str, body: bytes = b"") -> bytes:
    """Send raw bytes, read the answer until the server closes (bounded in count and time)."""
    with socket.create_connection((HOST, server.port), timeout=15) as sock:
        sock.sendall(head.replace("\n", "\r\n").encode() + body)
        received = []
        for _ in range(64):
            data = sock.recv(65536)
            if not data:
                break
            received.append(data)
    return b"".join(received)


def test_a_body_at_the_limit_is_refused_by_waitress_before_it_is_sent(server):
    # waitress takes max_request_body_size as the first size refused, not the last accepted.
    head = (
        f"POST /voice HTTP/1.1\nHost: {HOST}:{server.port}\n"
        f"Content-Type: application/x-www-form-urlencoded\nContent-Length: {MAX_BODY}\n\n"
    )
    answer = exchange(server, head)  # the headers alone: the body never leaves the client
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert answer.endswith(b"(generated by waitress)")


def test_a_chunked_body_at_the_limit_is_refused_by_waitress(server):
    head = (
        f"POST /voice HTTP/1.1\nHost: {HOST}:{server.port}\n"
        "Content-Type: application/x-www-form-urlencoded\nTransfer-Encoding: chunked\n\n"
    )
    size_line = f"{MAX_BODY:x}\r\n".encode()
    # Exactly MAX_BODY bytes of chunked body: waitress stops reading at the limit, with
    # nothing left unread that would turn its close into a reset.
    answer = exchange(server, head, size_line + b"x" * (MAX_BODY - len(size_line)))
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert answer.endswith(b"(generated by waitress)")


def test_a_body_just_under_the_limit_reaches_the_app(server):
    params = padded(MAX_BODY - 1)
    assert len(urlencode(params)) == MAX_BODY - 1
    answer = post(server, "/voice", params, signed_for=f"{PUBLIC}/voice")
    assert answer.status == 200


def test_a_signed_chunked_body_is_read(server):
    params = {**TWILIO_PARAMS, "Digits": "3"}
    body = urlencode(params).encode()
    headers = {**PROXY, "Content-Type": "application/x-www-form-urlencoded"}
    headers["X-Twilio-Signature"] = signature(f"{PUBLIC}/state/menu/exit", params)
    conn = http.client.HTTPConnection(HOST, server.port, timeout=15)
    try:
        chunks = iter([body[:10], body[10:]])
        conn.request("POST", "/state/menu/exit", body=chunks, headers=headers, encode_chunked=True)
        res = conn.getresponse()
        text = res.read().decode()
    finally:
        conn.close()
    assert res.status == 200
    assert ET.fromstring(text).find("Gather/Say").text == HOURS


def test_the_health_check_needs_no_signature(server):
    answer = send(server, "GET", "/healthz")
    assert answer.status == 200
    assert answer.text == "ok\n"


def test_an_unknown_path_gets_a_plain_text_404(server):
    answer = send(server, "GET", "/wp-login.php", headers=PROXY)
    assert answer.status == 404
    assert answer.content_type.startswith("text/plain")
    assert "<" not in answer.text


def test_a_put_gets_a_plain_text_405(server):
    answer = send(server, "PUT", "/voice", b"x", PROXY)
    assert answer.status == 405
    assert answer.content_type.startswith("text/plain")


def test_a_signed_get_of_voice_is_answered(server, validate):
    target = "/voice?" + urlencode(TWILIO_PARAMS)
    headers = {**PROXY, "X-Twilio-Signature": signature(PUBLIC + target)}
    answer = send(server, "GET", target, headers=headers)
    assert answer.status == 200
    assert answer.xml.find("Gather/Say").text == MENU
    validate(answer.text)


def test_answers_set_no_cookie(server):
    answer = post(server, "/voice", signed_for=f"{PUBLIC}/voice")
    assert [name for name, _ in answer.headers if name.lower() == "set-cookie"] == []


def test_sigterm_stops_the_web_process():
    server = Server(OPENING_HOURS=ALWAYS_OPEN, TWILIO_AUTH_TOKEN=TOKEN).start()
    try:
        server.wait_until_healthy()
    finally:
        process = server.process
        server.stop()
    assert process.returncode is not None
    assert not server.healthy()
