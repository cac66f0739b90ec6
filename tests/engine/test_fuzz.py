"""Random requests and random callers, in process: the app answers TwiML or plain text, never 5xx.

Twilio hangs up with "an application error has occurred" on anything but a 200 XML answer, so a
webhook route must answer TwiML to whatever arrives, and nothing may ever show a traceback or an
HTML page. The requests here are built by hand (a WSGI environ through webtest) so that paths,
headers, content types and bodies can be anything a client could send.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, quote, unquote, unquote_to_bytes, urlencode, urlsplit

import pytest
import webtest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from phonetree_engine.call import SEALED
from phonetree_engine.seal import Seal
from phonetree_engine.settings import Config
from phonetree_engine.web import make_app
from phonetree_engine.web.forms import MAX_BODY
from phonetree_tools.caller import SimulatedCall
from tests.conftest import CLOSED, OPEN
from tests.engine.heard import DESK, MENU, QUIET, RECORD, TRANSFER, UNAVAILABLE, WRONG
from tests.engine.trees import office

TOKEN = "auth-token-for-fuzz-tests"
RETRIES = Config().max_retries
# The office's state names, not its table: start-up names the file that assigns a table, and
# this file must never be taken for the office's.
STATES = list(office.TABLE)
MENU_KEYS = {option.key for option in office.MENU}

OPEN_APP = make_app(office.TREE, Config(), clock=lambda: OPEN)
CLOSED_APP = make_app(office.TREE, Config(), clock=lambda: CLOSED)
GUARDED_APP = make_app(office.TREE, Config(twilio_auth_token=TOKEN), clock=lambda: OPEN)
WEBHOOK_RULES = sorted({route.rule for route in OPEN_APP.routes if route.rule != "/healthz"})
FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# What a client may send ######################################################

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
CONTROL = st.text(st.characters(max_codepoint=0x1F) | st.sampled_from("\x7f\x85\u2028\ufeff"))
HUGE = st.builds(
    lambda piece, count: (piece * count)[:MAX_BODY],
    st.sampled_from(["x", "é", "山", "%", "&=", "\x00", "😀"]),
    st.integers(1_000, MAX_BODY),
)
VALUES = st.one_of(TEXT, CONTROL, HUGE, st.sampled_from(["", " ", "1", "orders", "completed"]))
DIGITS = st.one_of(st.text("0123456789*#wW ", max_size=8), TEXT)
TRIES = st.one_of(
    st.integers(-(10**9), 10**9).map(str),
    st.sampled_from(["", "abc", "1e3", "0x1", " 1", "1.5", "²", "٣", "-0", "9" * 40]),
    TEXT,
)
TWILIO_NAMES = [
    "CallSid",
    "AccountSid",
    "From",
    "To",
    "CallStatus",
    "CallerName",
    "FromCity",
    "SpeechResult",
    "Confidence",
    "DialCallStatus",
    "DialCallDuration",
    "QueueResult",
    "QueuePosition",
    "QueueTime",
    "RecordingUrl",
    "RecordingDuration",
    "RecordingStatus",
    "TranscriptionText",
]
FIELD = st.one_of(
    st.tuples(st.sampled_from(TWILIO_NAMES) | TEXT, VALUES),
    st.tuples(st.just("Digits"), DIGITS),
    st.tuples(st.just("tries"), TRIES),
)
FIELDS = st.lists(FIELD, max_size=12)  # repeated names included: lists of pairs


def sealed_by(app, text: str) -> str:
    return app.config["phonetree.engine"].setup.seal.seal(text)


def sealed_values(app) -> list[str]:
    """Sealed values an app opens (what it carries for a caller), altered ones, and others'."""
    own = [
        sealed_by(app, "entry=2125550100"),
        sealed_by(app, "from=%2B15551234567&name=Zo%C3%AB&via=orders"),
        sealed_by(app, "entry=1&entry=2&tries=99&lang=xx-XX&callback=" + "9" * 40),
        sealed_by(app, "%ff=%zz&&=="),
    ]
    altered = [value[:-3] for value in own] + [value[:20] + "A" + value[21:] for value in own]
    others = [Seal(b"another key").seal("entry=2125550100"), "", "A" * 3000, "%zz", "AQ"]
    return own + altered + others


SEALED_VALUES = {app: sealed_values(app) for app in (OPEN_APP, CLOSED_APP, GUARDED_APP)}
# Every app's own, so that each is opened by one app and refused by the others.
SEALS = st.sampled_from([value for values in SEALED_VALUES.values() for value in values])
QUERY = st.lists(
    st.one_of(st.tuples(st.just("tries"), TRIES), st.tuples(st.just(SEALED), SEALS), FIELD),
    max_size=3,
).map(lambda pairs: urlencode([(name, value[:3000]) for name, value in pairs]))
RAW_QUERY = st.sampled_from(["tries=%ff", "%zz", "&&==", "tries", "tries=1&tries=2", "a=%"])

FORM = "application/x-www-form-urlencoded"
CONTENT_TYPES = st.sampled_from(
    [
        FORM,
        f"{FORM}; charset=latin-1",
        FORM.upper(),
        "",
        "text/plain",
        "text/xml",
        "application/json",
        "multipart/form-data; boundary=fuzz",
        "application/octet-stream",
        ";;;",
        "x" * 300,
    ]
)


def multipart(fields) -> bytes:
    parts = [
        f'--fuzz\r\nContent-Disposition: form-data; name="{quote(name)}"\r\n\r\n{value}\r\n'
        for name, value in fields
    ]
    return ("".join(parts) + "--fuzz--\r\n").encode("utf-8")


BODIES = st.one_of(
    FIELDS.map(lambda pairs: (urlencode(pairs).encode(), FORM)),
    st.binary(max_size=300).map(lambda raw: (raw, FORM)),
    st.sampled_from([b"\xff\xfe\xfd", b"Digits=\xff", b"Digits=%ff%fe", b"\xc3\x28=1", b"%"]).map(
        lambda raw: (raw, FORM)
    ),
    st.text("%=&+;az09Z \n\r", max_size=60).map(lambda text: (text.encode(), FORM)),
    st.dictionaries(TEXT, TEXT | st.integers(), max_size=5).map(
        lambda data: (json.dumps(data).encode(), "application/json")
    ),
    FIELDS.map(lambda pairs: (multipart(pairs), "multipart/form-data; boundary=fuzz")),
    st.just((b"", "")),
)

SEGMENTS = st.one_of(
    st.sampled_from([*STATES, "..", ".", "", "exit", "wait", "recorded", "x" * 3000, "%00"]),
    TEXT.map(lambda text: quote(text, safe="")),
    st.text("%0123456789abcdefzZ/.~", max_size=20),
)
JUNK_PATHS = st.one_of(
    st.sampled_from(["/state/../x", "/state/", "/state", "/", "/voice/", "//voice", "/x.php"]),
    SEGMENTS.map(lambda segment: f"/state/{segment}"),
    SEGMENTS.map(lambda segment: f"/{segment}"),
    st.integers(1, 20_000).map(lambda n: "/state/" + "a" * n),
)


# One path segment that names a state, or no state at all: the route is still the app's.
NAMES = st.one_of(
    st.sampled_from([*STATES, "..", ".", "exit", "wait", "x" * 3000]),
    st.from_regex(r"[A-Za-z0-9_.~-]{1,60}", fullmatch=True),
    TEXT.filter(lambda text: text and "/" not in text).map(lambda text: quote(text, safe="")),
)


@st.composite
def route_paths(draw, segments=SEGMENTS):
    """A path of one of the app's routes, its placeholders filled from ``segments``."""
    rule = draw(st.sampled_from(WEBHOOK_RULES))
    return re.sub(r"<[^>]+>", lambda _: draw(segments), rule)


HEADER_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=40)
HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "X-Twilio-Signature": HEADER_TEXT,
        "X-Twilio-Webhooks-Signature-Settings": HEADER_TEXT
        | st.sampled_from(["algorithm=HMAC_SHA256", "key=k,algorithm=MD5", "algorithm="]),
        "X-Forwarded-Proto": HEADER_TEXT | st.sampled_from(["https", "http, https"]),
        "X-Forwarded-Host": HEADER_TEXT,
    },
)


@st.composite
def requests(draw):
    """(method, path, query, body, content type, headers): anything a client could send."""
    method = draw(st.sampled_from(["GET", "POST", "POST", "HEAD", "PUT", "DELETE", "OPTIONS"]))
    path = draw(st.one_of(route_paths(), JUNK_PATHS, st.just("/healthz")))
    query = draw(st.one_of(QUERY, RAW_QUERY))
    body, content_type = draw(BODIES)
    content_type = draw(st.one_of(st.just(content_type), CONTENT_TYPES))
    headers = draw(HEADERS)
    length = draw(st.none() | st.sampled_from(["", "abc", "-1", " 7", "1e3", str(MAX_BODY + 1)]))
    if length is not None:  # a Content-Length that does not match the body
        headers["Content-Length"] = length
    return method, path, query, body, content_type, headers


def environ_header(name: str) -> str:
    """The WSGI environ key of a request header (Content-Length and -Type have no HTTP_)."""
    key = name.upper().replace("-", "_")
    return key if key in ("CONTENT_LENGTH", "CONTENT_TYPE") else f"HTTP_{key}"


def send(app, method, path, query="", body=b"", content_type="", headers=None):
    """Serve one request, built as a WSGI environ, the way a server would hand it over."""
    client = webtest.TestApp(app, lint=False)
    request = webtest.TestRequest.blank("/", method=method)
    request.environ["PATH_INFO"] = unquote_to_bytes(path).decode("latin-1")
    request.environ["QUERY_STRING"] = query
    request.body = body
    request.environ["CONTENT_TYPE"] = content_type
    for name, value in (headers or {}).items():
        request.environ[environ_header(name)] = value
    return client.do_request(request, expect_errors=True)


def expected_status(path: str, query: str = "", body: bytes = b"") -> int:
    """What a webhook route answers a request, as Bottle and waitress really route it.

    waitress (like webtest here) decodes %0A to a newline in PATH_INFO. Bottle's ``<part:path>``
    filter is ``.+?``, which matches no newline, though its ``$`` lets one newline end the path:
    ``/state/menu/%0A`` is no route (404), ``/state/menu/exit%0A`` is the unknown-state route.
    A query or form naming a field twice is refused (400), the query read first; waitress and the
    app refuse a body of ``MAX_BODY`` bytes or more (413) before reading it.
    """
    parts = unquote(path).split("/", 3)  # "", "state", name, the rest: /state/<name>/<part:path>
    if len(parts) == 4 and parts[1] == "state":
        rest = parts[3].removesuffix("\n")
        if not rest or "\n" in rest:
            return 404
    if repeats(query.encode("latin-1")):
        return 400
    if len(body) >= MAX_BODY:
        return 413
    return 400 if repeats(body) else 200


def repeats(raw: bytes) -> bool:
    """Whether a query or form names a field twice, as the standard library splits it."""
    pairs = parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True, errors="replace")
    names = [name for name, _ in pairs]
    return len(set(names)) < len(names)


def check(response, method, path, guarded, validate) -> None:
    """What must hold for every answer, whatever was asked."""
    text = response.body.decode("utf-8", "replace")
    assert response.status_int < 500, text[:300]
    assert "Traceback" not in text
    assert "<html" not in text.lower()
    assert "<!doctype" not in text.lower()
    if response.status_int == 403:
        assert guarded
    if path == "/healthz" and response.status_int == 200:
        return
    if response.status_int == 200:
        assert response.content_type == "text/xml"
        if method != "HEAD":
            validate(text)
    else:
        assert response.content_type == "text/plain"


# Random requests #############################################################


@FUZZ
@given(request=requests())
def test_any_request_to_an_open_app_gets_twiml_or_plain_text(request, validate):
    method, path, query, body, content_type, headers = request
    response = send(OPEN_APP, method, path, query, body, content_type, headers)
    check(response, method, path, False, validate)


@FUZZ
@given(request=requests())
def test_any_request_to_a_guarded_app_gets_twiml_or_plain_text(request, validate):
    method, path, query, body, content_type, headers = request
    response = send(GUARDED_APP, method, path, query, body, content_type, headers)
    check(response, method, path, True, validate)


@FUZZ
@given(
    path=route_paths(NAMES),
    method=st.sampled_from(["GET", "POST"]),
    query=QUERY,
    fields=FIELDS,
)
def test_any_form_posted_to_a_webhook_gets_twiml(path, method, query, fields, validate):
    body = urlencode(fields).encode() if method == "POST" else b""
    response = send(OPEN_APP, method, path, query, body, FORM)
    check(response, method, path, False, validate)
    assert response.status_int == expected_status(path, query, body)


def signed_for(url: str, fields) -> str:
    values: dict[str, list[str]] = {}
    for name, value in fields:
        values.setdefault(name, []).append(value)
    return RequestValidator(TOKEN).compute_signature(url, AllValues(values))


class AllValues(dict):
    """Every value of each name, as the twilio validator reads a multi-valued mapping."""

    def getall(self, name):
        return self[name]


@FUZZ
@given(
    path=route_paths(st.sampled_from(STATES)),
    method=st.sampled_from(["GET", "POST"]),
    query=QUERY,
    fields=FIELDS,
)
def test_any_signed_request_passes_the_check(path, method, query, fields, validate):
    # Twilio signs the URL it requested, then each POST parameter: every value of a name.
    body = urlencode(fields).encode() if method == "POST" else b""
    url = f"http://localhost{path}" + (f"?{query}" if query else "")
    signature = signed_for(url, fields if method == "POST" else [])
    headers = {"X-Twilio-Signature": signature}
    response = send(GUARDED_APP, method, path, query, body, FORM, headers)
    check(response, method, path, True, validate)
    assert response.status_int == expected_status(path, query, body)


# Known inputs found by fuzzing ###############################################


@pytest.mark.parametrize(
    "path, status, content_type",
    [
        ("/state/greeting/%0A", 404, "text/plain"),  # found by fuzzing: .+? matches no newline
        ("/state/greeting/a%0Ab", 404, "text/plain"),
        ("/state/menu/exit%0A", 200, "text/xml"),  # a final newline is allowed by the route's $
        ("/state/greeting%0A", 200, "text/xml"),  # <name> matches anything but a slash
        ("/state/greeting/%0D", 200, "text/xml"),
    ],
)
def test_a_newline_in_a_path_is_routed_as_bottle_routes_it(path, status, content_type):
    response = send(OPEN_APP, "POST", path, "", b"", FORM)
    assert (response.status_int, response.content_type) == (status, content_type)
    assert expected_status(path) == status


@pytest.mark.parametrize("size, status", [(MAX_BODY - 1, 200), (MAX_BODY, 413)])
def test_the_body_limit_is_the_one_waitress_enforces(size, status):
    body = b"Digits=1&x=" + b"a" * (size - len("Digits=1&x="))
    response = send(OPEN_APP, "POST", "/state/menu/exit", "", body, FORM)
    assert (len(body), response.status_int) == (size, status)


@pytest.mark.parametrize("tries", ["²", "¹²", "٣", "-1", "1e3", "9" * 40])
def test_any_count_of_tries_in_the_url_gets_twiml(tries, validate):
    response = send(OPEN_APP, "POST", "/state/menu/exit", urlencode({"tries": tries}), b"", FORM)
    assert response.status_int == 200
    validate(response.text)


@pytest.mark.parametrize("query", ["", "tries=1&tries=2"])
def test_a_repeated_name_signed_with_all_its_values_is_refused(query):
    fields = [("CallSid", "CA1"), ("Digits", "1"), ("Digits", "2")]
    url = "http://localhost/state/menu/exit" + (f"?{query}" if query else "")
    headers = {"X-Twilio-Signature": signed_for(url, fields)}
    body = urlencode(fields).encode()
    response = send(GUARDED_APP, "POST", "/state/menu/exit", query, body, FORM, headers)
    assert (response.status_int, response.content_type) == (400, "text/plain")
    assert expected_status("/state/menu/exit", query, body) == 400


@pytest.mark.parametrize("signature", ["é", "\xff" * 28, "abc\x80"])
def test_a_signature_that_is_not_ascii_is_refused_in_plain_text(signature):
    headers = {"X-Twilio-Signature": signature}
    response = send(GUARDED_APP, "POST", "/voice", "", b"Digits=1", FORM, headers)
    assert response.status_int == 403
    assert response.content_type == "text/plain"


@pytest.mark.parametrize("host", ["[", "]", "[::1", "a]b"])
def test_a_forwarded_host_no_url_can_hold_is_refused_not_an_error(host):
    headers = {"X-Twilio-Signature": "0", "X-Forwarded-Host": host}  # found by fuzzing
    response = send(GUARDED_APP, "GET", "/state/wrong", "", b"", FORM, headers)
    assert (response.status_int, response.content_type) == (403, "text/plain")


def test_a_signed_request_to_a_path_beyond_latin_1_gets_twiml(validate):
    path = "/state/%C4%80"  # a state no table has, spelt in UTF-8
    headers = {"X-Twilio-Signature": signed_for(f"http://localhost{path}", [])}
    response = send(GUARDED_APP, "GET", path, "", b"", FORM, headers)
    assert response.status_int == 200
    validate(response.text)


# Random callers ##############################################################

KEYS = st.sampled_from(list("0123456789*#"))
# What a caller may say at the office's menu, and whether it names an option: a phrase the menu
# hears, whole and in order, whatever the case, accents or punctuation around it.
SPOKEN = {
    "orders": True,
    "order": True,
    "help desk": True,
    "help": True,
    "hours": True,
    "front desk": True,
    "person": True,
    "HOURS": True,
    "Help-Desk!": True,
    "the front desk, please": True,
    "I want to talk to a person": True,
    "": False,
    "hello": False,
    "desk": False,  # half of "front desk"
    "helpdesk": False,
    "ordering": False,
    "sails": False,
    "二": False,
    "front, desk": True,  # punctuation between words is no word
    "desk front": False,  # nor is a phrase out of order
}
WORDS = st.sampled_from(list(SPOKEN))


def menu_input_fails(action) -> bool:
    """Whether a caller action at the menu is an invalid or silent try."""
    kind, value = action
    if kind == "press":
        return value not in MENU_KEYS
    if kind == "say":
        return not SPOKEN[value]
    return True


def is_silent(action) -> bool:
    """Whether a caller action at the menu reaches the app as no input at all."""
    kind, value = action
    if kind == "press":
        return value == "#"  # the finishing key ends the Gather with nothing entered
    return kind == "silence" or not value.strip()


def at_menu(call) -> bool:
    gather = call.gather
    return gather is not None and urlsplit(gather.get("action", "")).path == "/state/menu/exit"


def tries_in(call) -> int:
    gather = call.gather
    match = re.search(r"tries=(\d+)", gather.get("action", "")) if gather is not None else None
    return int(match.group(1)) if match else 0


def act(call, action) -> None:
    kind, value = action
    if kind == "press":
        call.press(value)
    elif kind == "say":
        call.say(value)
    else:
        call.silence()


INPUTS = st.one_of(
    st.tuples(st.just("press"), KEYS),
    st.tuples(st.just("say"), WORDS),
    st.just(("silence", "")),
)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), is_open=st.booleans())
def test_no_sequence_of_caller_actions_keeps_a_caller_at_the_menu(data, is_open, validate):
    call = SimulatedCall(OPEN_APP if is_open else CLOSED_APP, validate=validate)
    call.start("/voice")
    misses = 0
    for _ in range(30):
        if call.ended:
            break
        if call.waiting_for == "dial":
            call.dial_result(data.draw(st.sampled_from(["completed", "busy", "no-answer"])))
        elif call.waiting_for == "record":
            call.record()
        elif call.waiting_for == "queue" and data.draw(st.booleans()):
            call.hold(position=1, queue_time=data.draw(st.sampled_from([0, 60])))
        elif call.waiting_for == "queue":
            call.queue_result(data.draw(st.sampled_from(["bridged", "leave", "queue-full"])))
        elif not at_menu(call):
            act(call, data.draw(INPUTS))
        else:
            assert tries_in(call) == misses
            action = data.draw(INPUTS)
            misses = misses + 1 if menu_input_fails(action) else 0
            act(call, action)
            if misses == RETRIES:
                assert call.last_heard[0] == TRANSFER
                assert not at_menu(call)
                event("the caller was put through after too many tries")
                misses = 0
            elif misses:
                assert call.last_heard == [QUIET if is_silent(action) else WRONG, MENU]
    assert "an application error has occurred" not in call.heard
    event(f"the call ended: {call.ended}")


def walk_at_menu(call, action, limit=30) -> int:
    """Repeat ``action`` while the call waits at the menu; return how many times it was done."""
    for done in range(limit):
        if not at_menu(call):
            return done
        act(call, action)
    return limit


@pytest.mark.parametrize("action", [("press", "7"), ("silence", ""), ("say", "banana")])
def test_thirty_failed_tries_reach_the_front_desk_when_open(dial, action):
    call = dial()
    assert walk_at_menu(call, action) == RETRIES
    assert call.last_heard == [TRANSFER]
    assert call.outcome == ("dial", DESK)


@pytest.mark.parametrize("action", [("press", "7"), ("silence", ""), ("say", "banana")])
def test_thirty_failed_tries_reach_voicemail_when_closed(dial, closed_app, action):
    call = dial(closed_app)
    assert walk_at_menu(call, action) == RETRIES
    assert call.last_heard == [TRANSFER, UNAVAILABLE, RECORD]
    assert call.waiting_for == "record"
