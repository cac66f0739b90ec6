"""Place a simulated call to a Twilio voice app the way Twilio does: no phone, no Twilio account.

`SimulatedCall` speaks Twilio's webhook protocol and interprets the TwiML it gets back. It knows
nothing about any particular phone tree, so it can walk any app in a pytest suite or a terminal::

    from phonetree_tools.caller import SimulatedCall

    call = SimulatedCall(app, from_="+15551234567", params={"CallerName": "Zoë"}, auth_token="s")
    call.start("/voice")                # the "A call comes in" webhook
    assert call.waiting_for == "input"  # a <Gather> waits for the caller
    call.press("2")                     # posts Digits=2 to the Gather's action
    assert call.last_heard == ["Please hold."]
    assert call.outcome == ("queue", "support")

`app` is a WSGI callable, a `webtest.TestApp`, a transport (`WSGITransport`, `HTTPTransport`, or
any object with the same `request` method), or a list of them: webhooks then rotate between them
round-robin, as when one call is served by several instances of the app.

What the caller hears, in `heard` (all of it) and `last_heard` (since the last caller action):
`<Say>` as its text with whitespace collapsed, `<Play>` as ``"[play <url>]"`` (``"[play digits
<digits>]"`` for DTMF), ``"[hold music]"`` for an `<Enqueue>` without waitUrl, and
``"an application error has occurred"`` when Twilio would have said so. `<Pause>` is silent.

`waiting_for` is "input" (a `<Gather>`), "dial", "record", "queue", or None once the call ended.
Each wait has its caller action: `press`/`say`/`silence`, `dial_result`, `record` (``duration=0``
for an empty recording), and
`hold`/`queue_result`. An action that does not match the wait raises `CallFailed`.

`outcome` is a tuple telling where the call is or how it ended:
``("input",)``, ``("dial", "<number or noun text>")``, ``("record",)``, ``("queue", "<name>")``
(also while a wait-music Gather runs), ``("hangup",)`` (a `<Hangup>`, or no verbs left),
``("reject", "<reason>")``, or ``("error", "<code>")`` where code is Twilio's error code
("11200" bad status, "11205" no answer, "12300" bad Content-Type, "12100" not TwiML or a verb
this simulator cannot play) or "loop".

Signing: with `auth_token`, each webhook carries X-Twilio-Signature computed as Twilio does; with
`shared_key`, an HMAC-SHA256 one and X-Twilio-Webhooks-Signature-Settings. `carrier` plays
another carrier ("signalwire", "telnyx", "somleng": its call ids, its signature, its retries; see
`phonetree_tools/carriers.py`), signing with `key` (SignalWire's signing key, Telnyx's private
key seed in base64) or `auth_token` (Somleng's). The URL signed is the
public one Twilio would call: `public_url` (default "http://localhost") + path + query, whose host
also goes in the Host header; `headers` adds others (e.g. X-Forwarded-Proto).

Every answer must pass Twilio's rules (200, XML Content-Type, a `<Response>` document) or the
call ends and `CallFailed` is raised. `requests` keeps a `Webhook` per request, `cookies_seen`
every Set-Cookie header (they are not sent back), `document` the last answer's parsed root.
`validate(xml_text)`, if given, is called on every accepted answer; what it raises propagates.

After a recording, `record()` sends the Record's `recordingStatusCallback` with the parameters
Twilio sends, and with ``transcript="..."`` its `transcribeCallback`. A callback's answer
does not touch the call; it is retried as its URL's connection-override fragment says
(``#rc=5&rp=5xx``: up to 5 retries of a 5xx), retries carrying `I-Twilio-Idempotency-Token`.
`callbacks` keeps a `Webhook` per attempt; `send_callback(url, params)` sends one directly.

`hang_up()` is the caller hanging up: at a Record the recording ends there (``Digits=hangup``),
in a queue the Enqueue's action gets ``QueueResult=hangup``, at a Dial still ringing
``DialCallStatus=canceled``; Twilio runs none of those answers. `status_callback(url)` then sends
the number's "call status changes" webhook. Times Twilio sends (``RecordingStartTime``,
``Timestamp``) come from `clock` (default: the real one).

Each `Webhook` (of `requests` and `callbacks`) has its `sequence`, its place among every request
of the call, and the `ms` its answer took; `heard_verbs` holds a `Heard` for each entry of
`heard`: the verb, the Say's language, the Play's URL, and the sequence of the request whose
answer made the caller hear it. `waiting_verb` is the element the call waits on.
"""

import http.client
import io
import secrets
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import NamedTuple
from urllib.parse import parse_qs, unquote_to_bytes, urlencode, urljoin, urlsplit, urlunsplit
from wsgiref.util import setup_testing_defaults

from phonetree_tools.carriers import Signer, account_id, call_id, recording_id

__all__ = ["CallFailed", "HTTPTransport", "Heard", "SimulatedCall", "WSGITransport", "Webhook"]

APPLICATION_ERROR = "an application error has occurred"
XML_CONTENT_TYPES = ("text/xml", "application/xml")
SHARED_KEY_SETTINGS = "key=webhooks_sharedkey_test,algorithm=HMAC_SHA256"
WAITS = {"Gather": "input", "Dial": "dial", "Record": "record", "Enqueue": "queue"}
WAIT_MUSIC_VERBS = {"Say", "Play", "Pause", "Gather", "Redirect", "Leave", "Hangup"}


class CallFailed(Exception):
    """The app answered something Twilio would refuse, or the caller did the impossible."""


@dataclass(frozen=True)
class Webhook:
    """One request Twilio made and the answer it got."""

    method: str
    url: str  # the public URL requested, query included
    params: dict  # the parameters sent, in the body (POST) or the query (GET)
    status: int  # 0 when no answer came
    content_type: str
    body: str
    headers: dict = field(default_factory=dict)  # what was sent besides the Host and signature
    sequence: int = 0  # its place among every request of the call, webhooks and callbacks: 1 first
    ms: float = 0.0  # how long the answer took


class Heard(NamedTuple):
    """One entry of ``heard``, in detail."""

    text: str  # as in ``heard``
    verb: str  # "Say", "Play", "Enqueue" (hold music), "" (Twilio's own error message)
    language: str | None  # a Say's language attribute
    url: str | None  # a Play's URL
    request: int  # the sequence of the request whose answer it came from


def _sid(prefix):
    return prefix + secrets.token_hex(16)


# Transports ###############################################################################


class WSGITransport:
    """Serve webhooks from a WSGI app in this process (no server, no extra package)."""

    def __init__(self, app):
        # A webtest.TestApp is unwrapped: its lint would reject the odd answers we want to
        # see, and its cookie jar would send cookies back, which Twilio never does.
        webtest = sys.modules.get("webtest")
        self.app = app.app if webtest and isinstance(app, webtest.TestApp) else app

    def request(self, method, path, body, headers):
        url = urlsplit(path)
        environ = {}
        setup_testing_defaults(environ)
        environ.update(
            REQUEST_METHOD=method,
            PATH_INFO=unquote_to_bytes(url.path).decode("latin-1"),  # as PEP 3333 has it
            QUERY_STRING=url.query,
            CONTENT_LENGTH=str(len(body)),
        )
        environ["wsgi.input"] = io.BytesIO(body)
        for name, value in headers.items():
            key = name.upper().replace("-", "_")
            environ[key if key == "CONTENT_TYPE" else f"HTTP_{key}"] = value
        answer = []

        def start_response(status, response_headers, exc_info=None):
            answer[:] = [int(status.split()[0]), list(response_headers)]

        chunks = self.app(environ, start_response)
        try:
            content = b"".join(chunks)
        finally:
            getattr(chunks, "close", lambda: None)()
        return answer[0], answer[1], content


class HTTPTransport:
    """Send webhooks to a server over HTTP, e.g. "http://127.0.0.1:8001"."""

    def __init__(self, base_url, timeout=15, context=None):  # Twilio waits 15 s for an answer
        """``context``: an ``ssl.SSLContext`` for https, e.g. one trusting a test certificate."""
        parts = urlsplit(base_url)
        https = parts.scheme == "https"
        self.connection_class = http.client.HTTPSConnection if https else http.client.HTTPConnection
        self.netloc, self.timeout = parts.netloc, timeout
        self.options = {"context": context} if https and context else {}

    def request(self, method, path, body, headers):
        conn = self.connection_class(self.netloc, timeout=self.timeout, **self.options)
        try:
            conn.request(method, path, body=body or None, headers=headers)
            res = conn.getresponse()
            return res.status, res.getheaders(), res.read()
        finally:
            conn.close()


# The call #################################################################################


class SimulatedCall:
    """One inbound call, driven step by step by the caller's actions."""

    def __init__(
        self,
        app,
        *,
        from_="+15005550006",
        to="+15005550001",
        params=None,
        auth_token=None,
        shared_key=None,
        carrier="twilio",
        key=None,
        failover_url=None,
        public_url="http://localhost",
        headers=None,
        validate=None,
        max_webhooks=50,
        clock=None,
    ):
        apps = app if isinstance(app, (list, tuple)) else [app]
        if not apps:
            raise ValueError("SimulatedCall(app): give at least one app or transport")
        if auth_token and shared_key:
            raise ValueError("SimulatedCall(): give auth_token or shared_key, not both")
        self.transports = [_transport(a) for a in apps]
        self.public_url = public_url
        self.headers = dict(headers or {})
        self.validate = validate
        self.max_webhooks = max_webhooks
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.carrier = carrier
        secret = key or auth_token or shared_key
        self._signer = Signer(carrier, secret, bool(shared_key)) if secret else None
        # Where Telnyx sends a callback answered with an error, once: its failover URL.
        self.failover_url = failover_url or urljoin(public_url, "/fallback")
        self.params = {
            "CallSid": call_id(carrier),
            "AccountSid": account_id(carrier),
            "From": from_,
            "To": to,
            "Caller": from_,
            "Called": to,
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
            **(params or {}),
        }
        self.heard, self.last_heard, self.heard_verbs = [], [], []
        self.requests, self.cookies_seen = [], []
        self.callbacks = []  # status callbacks sent after the TwiML, every attempt
        self.document = None  # root Element of the last answer
        self.outcome = None
        self.ended = False
        self._turn = 0
        self._sent = 0  # requests sent, webhooks and callbacks alike
        self._since_input = 0
        self._doc_url, self._verbs = None, []  # the running document and its verbs still to do
        self._pending = None  # the verb waiting for the caller
        self._queue = None  # while enqueued: (Enqueue element, its document URL, verbs after it)
        self._queue_sid, self._queue_time = None, 0

    # What the call is waiting for ##

    @property
    def waiting_for(self):
        return WAITS[self._pending.tag] if self._pending is not None else None

    @property
    def gather(self):
        return self._pending if self.waiting_for == "input" else None

    @property
    def waiting_verb(self):
        """The Gather, Dial, Record or Enqueue element the call waits on; None once it ended."""
        return self._pending

    # Caller actions ##

    def start(self, path="/voice", method="POST"):
        """Ring the app: the first webhook, with CallStatus=ringing."""
        if self.requests:
            raise CallFailed("start(): this call has already started")
        self._load(urljoin(self.public_url, path), method)
        self._run()

    def press(self, digits):
        """Press keys while a Gather waits."""
        gather = self._expect("input", "press")
        if set(digits) - set("0123456789*#"):
            raise CallFailed(f"press({digits!r}): a phone has only 0-9, * and #")
        finish = gather.get("finishOnKey", "#")
        if finish and finish in digits:  # the finishing key ends input and is not sent
            digits = digits[: digits.index(finish)]
        if gather.get("numDigits"):  # Gather stops listening after numDigits keys
            digits = digits[: int(gather.get("numDigits"))]
        if not digits or "dtmf" not in gather.get("input", "dtmf").split():
            return self.silence()  # Twilio ignores keys a Gather does not listen for
        self._act(gather, {"Digits": digits}, default_url=self._doc_url)

    def say(self, speech, confidence=0.9, language=None):
        """Speak while a Gather waits; a Gather without input="speech" times out instead.

        ``speech`` may be in any language. With ``language`` (e.g. "es-US") the caller speaks
        that language: a Gather listening for another one (its ``language``, default en-US)
        does not understand them, and times out as Twilio's recognizer would.
        """
        gather = self._expect("input", "say")
        if "speech" not in gather.get("input", "dtmf").split():
            return self.silence()
        if language and language.lower() != gather.get("language", "en-US").lower():
            return self.silence()
        extra = {"SpeechResult": speech, "Confidence": str(confidence)}
        self._act(gather, extra, default_url=self._doc_url)

    def silence(self):
        """Let a Gather time out."""
        gather = self._expect("input", "silence")
        if gather.get("actionOnEmptyResult", "").lower() == "true":
            self._act(gather, {}, default_url=self._doc_url)
        else:  # Twilio goes on with the verbs after the Gather, and hangs up when none are left
            self._act(gather, None)

    def dial_result(self, status="completed", duration=0):
        """End a Dial: "completed", "answered", "busy", "no-answer", "failed" or "canceled"."""
        dial = self._expect("dial", "dial_result")
        extra = {"DialCallStatus": status, "DialCallDuration": str(duration)}
        self._act(dial, {**extra, "DialCallSid": call_id(self.carrier)})

    def record(self, duration=5, digits="#", transcript=None, transcription_status="completed"):
        """Finish a Record; without an action Twilio requests the current document again.

        ``duration=0`` is an empty recording: Twilio then requests no action and goes on with
        the verbs after the Record. Otherwise, as Twilio does once the recording is stored,
        send the Record's recordingStatusCallback, and with ``transcript`` (the words Twilio
        heard) its transcribeCallback; each is retried as its URL's connection overrides say.
        """
        record = self._expect("record", "record")
        if digits == "hangup":
            self._input()
        if not duration:
            if digits == "hangup":  # nothing recorded, and nobody left to hear the next verbs
                return self._hung_up()
            return self._act(record, None)
        record_url = self._doc_url
        sid = recording_id(self.carrier)
        account = self.params["AccountSid"]
        recording = {
            "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/{account}/Recordings/{sid}",
            "RecordingSid": sid,
            "RecordingDuration": str(duration),
        }
        if digits == "hangup":  # Twilio posts the action, and runs none of its answer
            self._post(record, {**recording, "Digits": digits}, default_url=record_url)
            self._hung_up()
        else:
            self._act(record, {**recording, "Digits": digits}, default_url=record_url)
        if record.get("recordingStatusCallback"):
            status = {
                "AccountSid": account,
                "CallSid": self.params["CallSid"],
                **recording,
                "RecordingStatus": "completed",
                "RecordingChannels": "1",
                "RecordingSource": "RecordVerb",
                "RecordingStartTime": format_datetime(self._now_utc(), usegmt=True),
            }
            url = urljoin(record_url, record.get("recordingStatusCallback").strip())
            self.send_callback(url, status, record.get("recordingStatusCallbackMethod"))
        if transcript is not None and record.get("transcribe") == "true":
            url = record.get("transcribeCallback")
            if url:
                words = {
                    "TranscriptionSid": _sid("TR"),
                    "TranscriptionText": transcript,
                    "TranscriptionStatus": transcription_status,
                    "RecordingSid": sid,
                    "RecordingUrl": recording["RecordingUrl"],
                    "CallSid": self.params["CallSid"],
                    "AccountSid": account,
                    "From": self.params["From"],
                    "To": self.params["To"],
                }
                words["TranscriptionUrl"] = (
                    f"https://api.twilio.com/2010-04-01/Accounts/{account}/Transcriptions/"
                    + words["TranscriptionSid"]
                )
                self.send_callback(urljoin(record_url, url.strip()), words)

    def hold(self, position=1, queue_time=0, avg_queue_time=0, queue_size=None):
        """Wait in the queue: fetch the Enqueue's waitUrl and play its TwiML.

        ``avg_queue_time`` is the queue's average wait in seconds, 0 for a queue with no history.
        """
        self._expect("queue", "hold")
        enqueue, enqueue_url, _ = self._queue
        self._input()
        self._pending = None
        self._queue_time = queue_time
        if not enqueue.get("waitUrl"):
            self._hear_text("[hold music]", "Enqueue")
            self._pending = enqueue
            return
        extra = {
            "QueuePosition": str(position),
            "QueueTime": str(queue_time),
            "AvgQueueTime": str(avg_queue_time),
            "CurrentQueueSize": str(position if queue_size is None else queue_size),
            "QueueSid": self._queue_sid,
        }
        url = urljoin(enqueue_url, enqueue.get("waitUrl").strip())
        self._load(url, enqueue.get("waitUrlMethod"), extra)
        self._run()

    def hang_up(self, duration=5, transcript=None):
        """The caller hangs up: Twilio tells the verb waiting, and runs none of the answers.

        At a Record the recording ends there, as ``record(duration, "hangup", transcript)``; in a
        queue the Enqueue's action gets ``QueueResult=hangup``; at a Dial still ringing, its
        action gets ``DialCallStatus=canceled``; at a Gather nothing is requested.
        """
        wait = self.waiting_for
        if wait is None:
            raise CallFailed("hang_up() needs a call in progress, but this call has ended")
        if wait == "record":
            return self.record(duration, digits="hangup", transcript=transcript)
        self._input()
        if self._queue is not None:
            self._leave_queue("hangup", self._queue_time)
        elif wait == "dial":
            extra = {"DialCallStatus": "canceled", "DialCallDuration": "0"}
            self._post(self._pending, {**extra, "DialCallSid": call_id(self.carrier)})
        self._hung_up()

    def status_callback(self, url="/status", status="completed", duration=0):
        """Send the number's "call status changes" webhook, as Twilio does once a call is over.

        ``url`` is relative to ``public_url``; returns the request (see ``send_callback``).
        """
        params = {
            **self.params,
            "CallStatus": status,
            "CallDuration": str(duration),
            "Timestamp": format_datetime(self._now_utc(), usegmt=True),
            "SequenceNumber": "0",
        }
        return self.send_callback(urljoin(self.public_url, url), params)

    def queue_result(self, result="bridged", queue_time=None):
        """Leave the queue: "bridged", "queue-full", "leave", "hangup", "error", ..."""
        if self._queue is None:
            self._expect("queue", "queue_result")
        self._input()
        self._leave_queue(result, self._queue_time if queue_time is None else queue_time)
        self._run()

    # Interpreting TwiML ##

    def _run(self):
        """Play verbs until one waits for the caller or the call ends."""
        while self._verbs and not self.ended:
            verb = self._verbs.pop(0)
            if self._queue and verb.tag not in WAIT_MUSIC_VERBS:
                raise self._fail("12100", f"<{verb.tag}> cannot be used in waitUrl TwiML")
            elif verb.tag in ("Say", "Play", "Pause"):
                self._hear(verb)
            elif verb.tag == "Redirect":
                self._load(urljoin(self._doc_url, (verb.text or "").strip()), verb.get("method"))
            elif verb.tag == "Gather":
                for child in verb:
                    self._hear(child)
                self._wait(verb, None if self._queue else ("input",))  # in a queue it stays queued
                return
            elif verb.tag == "Dial":
                noun = next(iter(verb), verb)  # <Number>, <Client>, <Queue>... or the bare number
                self._wait(verb, ("dial", (noun.text or "").strip()))
                return
            elif verb.tag == "Record":
                self._wait(verb, ("record",))
                return
            elif verb.tag == "Enqueue":
                self._queue = (verb, self._doc_url, self._verbs)
                self._queue_sid = _sid("QU")
                self._wait(verb, ("queue", (verb.text or "").strip()))
                return
            elif verb.tag == "Leave" and self._queue:
                self._leave_queue("leave", self._queue_time)
            elif verb.tag == "Hangup":
                self._end(("hangup",))
            elif verb.tag == "Reject":
                self._end(("reject", verb.get("reason", "rejected")))
            else:
                raise self._fail("12100", f"<{verb.tag}> cannot be played here by this simulator")
        if self._queue and not self.ended:  # wait music ran out: the caller holds on
            self._pending = self._queue[0]
        elif not self.ended:
            self._end(("hangup",))

    def _hear(self, verb):
        if verb.tag == "Say":
            text = " ".join("".join(verb.itertext()).split())
            self._hear_text(text, "Say", language=verb.get("language"))
        elif verb.tag == "Play" and verb.get("digits"):
            self._hear_text(f"[play digits {verb.get('digits')}]", "Play")
        elif verb.tag == "Play":
            url = (verb.text or "").strip()
            self._hear_text(f"[play {url}]", "Play", url=url)
        elif verb.tag != "Pause":
            raise self._fail("12100", f"<{verb.tag}> cannot be nested in <Gather>")

    def _hear_text(self, text, verb="", language=None, url=None):
        self.heard.append(text)
        self.last_heard.append(text)
        self.heard_verbs.append(Heard(text, verb, language, url, self._sent))

    def _wait(self, verb, outcome):
        self._pending = verb
        self.outcome = outcome or self.outcome

    def _expect(self, kind, action):
        if self.waiting_for != kind:
            state = "has ended" if self.ended else f"waits for {self.waiting_for!r}"
            raise CallFailed(f"{action}() needs a call waiting for {kind!r}, but this call {state}")
        return self._pending

    def _input(self):
        """The caller acted: what they hear next is new, and the loop count starts again."""
        self.last_heard = []
        self._since_input = 0

    def _act(self, verb, extra, default_url=None):
        """Request the verb's action (or default_url) with extra, or go on with the next verbs."""
        self._input()
        self._post(verb, extra, default_url)
        self._run()

    def _post(self, verb, extra, default_url=None):
        self._pending = None
        url = verb.get("action") or default_url
        if extra is not None and url:
            self._load(urljoin(self._doc_url, url.strip()), verb.get("method"), extra)

    def _hung_up(self):
        self._end(("hangup",))

    def _now_utc(self):
        return self.clock().astimezone(timezone.utc)

    def _leave_queue(self, result, queue_time):
        enqueue, enqueue_url, verbs_after = self._queue
        self._queue, self._pending = None, None
        if enqueue.get("action"):
            extra = {"QueueResult": result, "QueueTime": str(queue_time)}
            extra["QueueSid"] = self._queue_sid
            url = urljoin(enqueue_url, enqueue.get("action").strip())
            self._load(url, enqueue.get("method"), extra)
        else:  # Twilio goes on with the verbs after the Enqueue
            self._doc_url, self._verbs = enqueue_url, verbs_after

    def _end(self, outcome):
        self.ended, self.outcome = True, outcome
        self._pending, self._queue, self._verbs = None, None, []

    def _fail(self, code, reason):
        """End the call as Twilio would on an application error; return the error to raise."""
        self._hear_text(APPLICATION_ERROR)
        self._end(("error", code))
        return CallFailed(f"{reason}; Twilio would say '{APPLICATION_ERROR}' and hang up ({code})")

    # Callbacks after the TwiML: their answers are ignored, and retried as their URLs say ##

    def send_callback(self, url, params, method=None):
        """Send a status callback, retrying as its connection-override fragment says.

        ``rc`` retries (0 to 5, default 1) of the failures ``rp`` names (``4xx``, ``5xx``,
        ``ct`` a failed connection, ``rt`` no answer in time, ``all``; default ``ct``), all
        within ``tt`` ms (default and at most 15000). Retries carry I-Twilio-Idempotency-Token.
        Each attempt is kept in ``callbacks``; returns the last one. The overrides are
        Twilio's: SignalWire and Somleng send a callback once; Telnyx sends one answered with an
        error once more, to its failover URL (``failover_url``).
        """
        if self.carrier != "twilio":
            seen, failure = self._request(url.partition("#")[0], method, params, {})
            self.callbacks.append(seen)
            if failure and self.carrier == "telnyx":
                seen, _ = self._request(self.failover_url, method, params, {})
                self.callbacks.append(seen)
            return seen
        url, _, fragment = url.partition("#")
        overrides = {name: values[-1] for name, values in parse_qs(fragment).items()}
        retries = min(max(_number(overrides.get("rc"), 1), 0), 5)
        policy = set(overrides.get("rp", "ct").split(","))
        budget = min(_number(overrides.get("tt"), 15000), 15000) / 1000
        token = secrets.token_hex(16)
        started = time.monotonic()
        for attempt in range(retries + 1):
            headers = {"I-Twilio-Idempotency-Token": token} if attempt else {}
            seen, failure = self._request(url, method, params, headers)
            self.callbacks.append(seen)
            if failure is None or not ({failure, "all"} & policy):
                return seen
            if time.monotonic() - started >= budget:
                return seen
        return seen

    def _request(self, url, method, params, extra_headers):
        """One request to the app as Twilio makes it; returns it and its failure class."""
        method = (method or "POST").upper()
        if urlsplit(url).netloc != urlsplit(self.public_url).netloc:
            raise CallFailed(f"{url} is not on {self.public_url}, the app's URL")
        requested, path, body, headers = self._prepare(method, url, params, extra_headers)
        sequence, started = self._count_request(), time.perf_counter()
        try:
            status, res_headers, raw = self._next_transport().request(method, path, body, headers)
        except (TimeoutError, OSError) as error:
            failure = "rt" if isinstance(error, TimeoutError) else "ct"
            seen = Webhook(method, requested, params, 0, "", "", extra_headers, sequence)
            return seen, failure
        ms = (time.perf_counter() - started) * 1000
        content_type = next((v for k, v in res_headers if k.lower() == "content-type"), "")
        text = raw.decode("utf-8", "replace")
        seen = Webhook(
            method, requested, params, status, content_type, text, extra_headers, sequence, ms
        )
        failure = f"{status // 100}xx" if status >= 400 else None
        return seen, failure

    def _prepare(self, method, url, params, extra_headers=None):
        """What Twilio sends: the URL it signs, the path requested, the body, the headers."""
        headers = {"Host": urlsplit(self.public_url).netloc, "User-Agent": "TwilioProxy/1.1"}
        headers.update(self.headers)
        headers.update(extra_headers or {})
        if method == "GET":  # the parameters join the query, and the signature covers the URL
            requested = url + ("&" if urlsplit(url).query else "?") + urlencode(params)
            signed, body = {}, b""
        else:
            requested, signed, body = url, params, urlencode(params).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self._sign(requested, signed, headers, body)
        parts = urlsplit(requested)
        return requested, urlunsplit(("", "", parts.path or "/", parts.query, "")), body, headers

    def _count_request(self):
        self._sent += 1
        return self._sent

    def _next_transport(self):
        """Webhooks rotate between the transports, as between replicas of the app."""
        transport = self.transports[self._turn % len(self.transports)]
        self._turn += 1
        return transport

    # Webhooks ##

    def _load(self, url, method=None, extra=None):
        """Request url as Twilio would, check the answer, and make it the running document."""
        url = url.partition("#")[0]  # connection overrides: never sent, never signed
        method = (method or "POST").upper()
        self._since_input += 1
        if self._since_input > self.max_webhooks:
            raise self._fail("loop", f"loop: {self._since_input} webhooks without caller input")
        if method not in ("GET", "POST"):
            raise self._fail("12100", f"{url}: method {method!r} is neither GET nor POST")
        public = urlsplit(self.public_url)
        if urlsplit(url).netloc != public.netloc:
            raise self._fail("11200", f"{url} is not on {self.public_url}, the app's URL")
        params = {**self.params, "CallStatus": "in-progress" if self.requests else "ringing"}
        params.update(extra or {})
        requested, path, body, headers = self._prepare(method, url, params)
        sequence, started = self._count_request(), time.perf_counter()
        try:
            status, res_headers, raw = self._next_transport().request(method, path, body, headers)
        except OSError as error:
            self.requests.append(Webhook(method, requested, params, 0, "", "", {}, sequence))
            raise self._fail("11205", f"{method} {requested} got no answer: {error}") from error
        ms = (time.perf_counter() - started) * 1000
        self._accept(method, requested, params, status, res_headers, raw, sequence, ms)
        self._doc_url, self._verbs = url, list(self.document)

    def _sign(self, url, params, headers, body=b""):
        if self._signer is not None:
            headers.update(self._signer.headers(url, params, body))

    def _accept(self, method, url, params, status, res_headers, raw, sequence=0, ms=0.0):
        """Hold the answer to Twilio's rules: 200, an XML Content-Type, a <Response> document."""
        content_type = next((v for k, v in res_headers if k.lower() == "content-type"), "")
        self.cookies_seen += [v for k, v in res_headers if k.lower() == "set-cookie"]
        text = raw.decode("utf-8", "replace")
        seen = Webhook(method, url, params, status, content_type, text, {}, sequence, ms)
        self.requests.append(seen)
        answer = f"{method} {url} answered {status} {content_type!r} {text[:200]!r}"
        if status != 200:
            raise self._fail("11200", f"{answer}: the status is not 200")
        if content_type.split(";")[0].strip().lower() not in XML_CONTENT_TYPES:
            raise self._fail("12300", f"{answer}: the Content-Type is not XML")
        try:
            root = ET.fromstring(raw)
        except ET.ParseError as error:
            raise self._fail("12100", f"{answer}: the body is not XML ({error})") from error
        if root.tag != "Response":
            raise self._fail("12100", f"{answer}: the root is <{root.tag}>, not <Response>")
        if self.validate is not None:
            self.validate(text)
        self.document = root


def _number(text, default):
    return int(text) if text and text.isdigit() else default


def _transport(app):
    """Wrap a WSGI app or TestApp; pass through anything that already has request()."""
    webtest = sys.modules.get("webtest")
    if webtest and isinstance(app, webtest.TestApp):
        return WSGITransport(app)
    if callable(app) and not hasattr(app, "request"):
        return WSGITransport(app)
    if not hasattr(app, "request"):
        raise TypeError(f"SimulatedCall(app): {app!r} is neither a WSGI app nor a transport")
    return app
