"""The web side of the tree: turns Twilio's HTTP requests into engine steps, and back.

Checks signatures against the public URL Twilio called, parses forms the way Twilio sends
them, recovers from any failure with TwiML a caller can hear, and writes one line per webhook.
"""

from __future__ import annotations

import functools
import hmac
import logging
import re
import time
from collections.abc import Mapping
from urllib.parse import quote, unquote_plus, urlsplit

import bottle
from twilio.request_validator import HMAC_SHA1, RequestValidator, get_signature_algorithm
from twilio.twiml.voice_response import Leave, Say

from phonetree_engine.engine import Engine
from phonetree_engine.settings import Config
from phonetree_engine.tree import (
    Call,
    State,
    TryAgain,
    as_verbs,
    event_line,
    mask_number,
    shown,
    words_in,
)

log = logging.getLogger("phonetree")

MAX_BODY = 64 * 1024  # Twilio's largest webhooks are a few KB; the Procfile says the same
MAX_FIELDS = 200

XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?><Response>'
XML_TAIL = "</Response>"

APOLOGY = {
    "en-US": {"sorry": "Sorry, something went wrong on our side."},
    "es-US": {"sorry": "Lo siento, algo salió mal de nuestro lado."},
}


# Webhooks ####################################################################


class UnknownState(LookupError):
    """A URL names a state (or a part of one) the table does not have."""

    def __init__(self, message: str, callback: bool = False):
        super().__init__(message)
        self.callback = callback


class Webhooks:
    """Turns HTTP requests into engine steps: checks, parses, answers, recovers, logs."""

    def __init__(self, engine: Engine, config: Config, last_resort: Mapping[str, list]):
        """``last_resort`` gives each of LANGUAGES the verbs heard when even recovery fails."""
        self.engine, self.config = engine, config
        self.token = RequestValidator(config.auth_token) if config.auth_token else None
        self.shared = RequestValidator(config.shared_key) if config.shared_key else None
        self.prefix = urlsplit(config.public_url).path if config.public_url else None
        languages = config.languages
        self.apology = {
            language: self.xml(
                Say(words_in(APOLOGY, language, languages)["sorry"]), language=language
            )
            for language in languages
        }
        self.leave_queue = self.xml(Leave())
        # What a caller hears when even the recovery state fails: built once, cannot fail.
        self.last_resort = {
            language: self.xml(*last_resort[language], language=language) for language in languages
        }

    def xml(self, *verbs, language=None) -> str:
        call = Call("", self.config, context={"lang": language} if language else None)
        return self.engine.to_xml(verbs, State(enter=as_verbs), call)

    # Steps: each takes (params, context, prefix) and returns (TwiML parts, the state the
    # call is left in, every state entered on the way).
    def start(self, params, context, prefix):
        return answer(*self.engine.enter(self.engine.start, params, {}, prefix))

    def entering(self, name):
        return lambda params, context, prefix: answer(
            *self.engine.enter(name, params, context, prefix)
        )

    def leaving(self, name):
        def step(params, context, prefix):
            target, context = self.engine.leave(name, params, context, prefix)
            return answer(*self.engine.enter(target, params, context, prefix, trail=(name,)))

        return step

    def calling_back(self, name, part):
        def step(params, context, prefix):
            return self.engine.callback(name, part, params, context, prefix), name, ()

        return step

    def ended(self, params, context, prefix):
        """Log the end of a call, from the number's "call status changes" webhook."""
        status = params.get("CallStatus", "-")[:20]
        if status in FINAL_STATUSES:
            log.info(
                event_line(
                    "call-ended",
                    call=params.get("CallSid", "-")[:40],
                    status=status,
                    duration=params.get("CallDuration", "-")[:10],
                )
            )
        return [], None, ()

    def unknown(self, params, context, prefix, name, part=None):
        shown = f"{name}/{part}" if part else name
        callback = part is not None and part.split("/")[0] != "exit"
        raise UnknownState(f"no state {shown[:80]!r} in the table", callback=callback)

    def route(self, step, callback=False, private=False):
        """Wrap a step as a Bottle callback that answers Twilio.

        ``callback`` marks a state's other webhooks (waitUrl, status callbacks): what fails
        there cannot be answered with the menu, as a queue's wait music may only Say, Play,
        Pause, Gather, Redirect, Leave or Hangup. ``private`` marks the exit of a state that
        collects digits: they are masked in the log line.
        """

        def webhook(**names):
            started = time.perf_counter()
            environ = bottle.request.environ
            query, form, context = self.admit(environ)
            params = dict(reversed(query + form))  # the first value of each name wins
            prefix = self.prefix if self.prefix is not None else environ.get("SCRIPT_NAME", "")
            try:
                parts, reached, entered = step(params, context, prefix, **names)
            except TryAgain as error:
                if not callback:  # a live call must hear something: never a 5xx
                    log.exception(event_line("handler-failed", path=environ.get("PATH_INFO")))
                    parts, reached, entered = self.recover(params, context, prefix)
                else:
                    log.info(WebhookLine(environ, params, "retry", (), started, private))
                    raise bottle.HTTPError(
                        503, f"Service Unavailable: {error}; send it again."
                    ) from None
            except UnknownState as error:
                log.warning(event_line("unknown-state", detail=str(error)))
                parts, reached, entered = self.recover(params, context, prefix, error.callback)
            except Exception:
                log.exception(event_line("handler-failed", path=environ.get("PATH_INFO")))
                parts, reached, entered = self.recover(params, context, prefix, callback)
            bottle.response.content_type = "text/xml; charset=utf-8"
            if reached is not None and log.isEnabledFor(logging.INFO):  # None: it logged its own
                log.info(WebhookLine(environ, params, reached, entered, started, private))
            return XML_HEAD + "".join(parts) + XML_TAIL

        return webhook

    def admit(self, environ):
        """Read and check a request, or refuse it with a 4xx and one line: it cannot fail.

        A Host or X-Forwarded-* header that no URL can hold (``h:abc``, ``[::1``) cannot have
        been signed by Twilio: it is refused as a bad request, like any other odd input.
        """
        path = environ.get("PATH_INFO", "")[:100]
        try:
            query, form = read_params(environ)
            if self.config.validates_signatures and not self.signed(environ, form):
                log.warning(event_line("refused", path=path))
                raise bottle.HTTPError(403, "Forbidden: the request is not signed by Twilio.")
            return query, form, self.engine.read_context(query)
        except bottle.HTTPError:
            raise
        except Exception as error:
            log.warning(event_line("refused", path=path, reason=type(error).__name__))
            raise bottle.HTTPError(400, "Bad Request: malformed host or headers.") from None

    def recover(self, params, context, prefix, callback=False):
        """Apologise and go on at the recovery state; after repeated failures, to a person.

        A failed callback instead takes a waiting caller out of the queue (Enqueue's action
        then offers voicemail), and answers a status callback with nothing.
        """
        if callback:
            waiting = "QueuePosition" in params and "QueueResult" not in params
            return ([self.leave_queue], "left-queue", ()) if waiting else ([], "-", ())
        language = context.get("lang")
        language = language if language in self.apology else self.config.language
        tries = int(context.get("tries", "0")) + 1
        if tries < self.config.max_retries:
            # What the call learned goes on with it; a Collect in progress starts again.
            context = {k: v for k, v in context.items() if k not in ("entry", "step")}
            context["tries"] = str(tries)
            try:
                parts, entered = self.engine.enter(self.engine.recovery, params, context, prefix)
                return [self.apology[language], *parts], entered[-1], entered
            except Exception:
                log.exception(event_line("recovery-failed", state=self.engine.recovery))
        return [self.last_resort[language]], "last-resort", ()

    def signed(self, environ, form) -> bool:
        """Check X-Twilio-Signature against the public URL Twilio called."""
        signature = environ.get("HTTP_X_TWILIO_SIGNATURE")
        settings = environ.get("HTTP_X_TWILIO_WEBHOOKS_SIGNATURE_SETTINGS")
        validator = self.shared if settings else self.token
        if not signature or not signature.isascii() or validator is None:
            return False
        algorithm = get_signature_algorithm(settings) if settings else HMAC_SHA1
        url = public_url(environ, self.config.public_url)
        params = SignedForm()
        if environ.get("REQUEST_METHOD") == "POST":
            for name, value in form:  # Twilio signs every value of a repeated name
                params.setdefault(name, []).append(value)
        # The common case first: the exact URL, one HMAC. The validator also tries the URL
        # with and without its default port, as Twilio's own signing is inconsistent there.
        try:
            expected = validator.compute_signature(url, params, algorithm)
            return hmac.compare_digest(expected, signature) or validator.validate(
                url, params, signature, algorithm=algorithm
            )
        except ValueError:  # an algorithm the twilio package does not know, a host urllib
            return False  # cannot parse (a forwarded host of "[")


def answer(parts, entered):
    return parts, entered[-1], entered


# What the number's "call status changes" webhook reports once a call is over.
FINAL_STATUSES = ("completed", "busy", "no-answer", "failed", "canceled")


class SignedForm(dict):
    """Every value of each name, read the way the twilio validator reads a MultiDict."""

    def getall(self, name):
        return self[name]


def read_params(environ) -> tuple[list, list]:
    """Parse the query string and a form body as UTF-8, the way Twilio sends them."""
    query = parse_pairs(environ.get("QUERY_STRING", "").encode("latin-1"))
    content_type = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    if environ.get("REQUEST_METHOD") != "POST" or content_type not in FORM_TYPES:
        return query, []
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise bottle.HTTPError(400, "Bad Request: invalid Content-Length.") from None
    if length >= MAX_BODY:  # as waitress's max_request_body_size counts
        raise bottle.HTTPError(413, "Request body too large.")
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    return query, parse_pairs(body)


FORM_TYPES = ("application/x-www-form-urlencoded", "")


def parse_pairs(raw: bytes) -> list[tuple[str, str]]:
    """Split ``a=1&b=2`` into decoded pairs, as parse_qsl(keep_blank_values=True) does.

    Written out because it is on every webhook: most of Twilio's values need no unquoting.
    """
    if not raw:
        return []
    fields = [field for field in raw.decode("utf-8", "replace").split("&") if field]
    if len(fields) > MAX_FIELDS:
        raise bottle.HTTPError(400, "Bad Request: too many fields.")
    # Only short fields are remembered: a stranger's huge ones must not fill the memory.
    return [split_cached(field) if len(field) <= 80 else split_field(field) for field in fields]


def split_field(field: str) -> tuple[str, str]:
    name, _, value = field.partition("=")
    return unquote_form(name), unquote_form(value)


# Twilio sends the same numbers, SIDs and statuses with every webhook of a call.
split_cached = functools.lru_cache(maxsize=4096)(split_field)


def unquote_form(text: str) -> str:
    if "%" not in text and "+" not in text:
        return text
    return unquote_plus(text, errors="replace")


def public_url(environ, configured: str | None) -> str:
    """The URL Twilio called: the configured public base, or what the proxy headers say."""
    if configured:
        base = configured
    else:
        scheme = first(environ.get("HTTP_X_FORWARDED_PROTO")) or environ["wsgi.url_scheme"]
        host = first(environ.get("HTTP_X_FORWARDED_HOST"))
        port = first(environ.get("HTTP_X_FORWARDED_PORT"))
        if host and port and not HAS_PORT.search(host) and port != DEFAULT_PORTS.get(scheme):
            host = f"{host}:{port}"
        if not host:
            host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
        base = f"{scheme}://{host}{wsgi_quote(environ.get('SCRIPT_NAME', ''))}"
    # Bottle decodes PATH_INFO as UTF-8 in place and keeps the server's original here.
    url = base + wsgi_quote(environ.get("bottle.raw_path", environ.get("PATH_INFO", "")))
    query = environ.get("QUERY_STRING")
    return f"{url}?{query}" if query else url


HAS_PORT = re.compile(r":\d+\Z")
DEFAULT_PORTS = {"http": "80", "https": "443"}


def first(header: str | None) -> str:
    """The first value of a comma-separated forwarded header: what the caller-facing proxy saw."""
    return header.split(",")[0].strip() if header else ""


def wsgi_quote(path: str) -> str:
    # A tree has few paths: short ones are remembered, a stranger's long ones never.
    return quote_cached(path) if len(path) <= 200 else quote_path(path)


def quote_path(path: str) -> str:
    return quote(path.encode("latin-1"), safe="/:@!$&'()*+,;=-._~")


quote_cached = functools.lru_cache(maxsize=1024)(quote_path)


# What a webhook line keeps of Twilio's parameters: what the caller did, and what the report
# reads (how a Dial or a queue ended, and how long it took).
LOGGED_PARAMS = (
    "Digits",
    "SpeechResult",
    "DialCallStatus",
    "DialCallDuration",
    "QueueResult",
    "QueueTime",
    "RecordingDuration",
)
LOGGED_KEYS = tuple((name, name.lower()) for name in LOGGED_PARAMS)


class WebhookLine:
    """One line per webhook, built when it is written: ``str(line)``.

    A request thread keeps only the facts; the log's writer thread builds the text, many lines
    together (the logging HOWTO's "arbitrary objects as messages"). Built on request threads,
    the line cost about a twentieth of the throughput; on the writer, a fraction of that.
    ``entered`` lists every state the answer went through (the report counts each); ``ms``
    stays last, as the report reads a line without it as cut off.
    """

    __slots__ = ("entered", "ms", "params", "path", "private", "reached", "token")

    def __init__(self, environ, params, reached, entered, started, private=False):
        self.ms = (time.perf_counter() - started) * 1000
        self.path = environ.get("PATH_INFO", "")
        # Twilio retried: the same token on every attempt of one callback
        self.token = environ.get("HTTP_I_TWILIO_IDEMPOTENCY_TOKEN")
        self.params, self.reached, self.entered = params, reached, tuple(entered)
        self.private = private

    def __str__(self) -> str:
        # Written out rather than through event_line: the writer builds one per webhook.
        get = self.params.get
        parts = [
            "webhook",
            "call=" + shown(get("CallSid", "-")[:40]),
            "from=" + shown(mask_number(get("From", ""))),
            "path=" + shown(self.path[:100]),
        ]
        for name, key in LOGGED_KEYS:
            value = get(name)
            if value is not None:
                value = value[:40]
                if self.private and key == "digits":  # a number the caller entered
                    value = mask_number(value)
                parts.append(f"{key}={shown(value)}")
        if self.entered:
            parts.append("entered=" + shown(",".join(self.entered)))
        parts.append("next=" + shown(self.reached))
        if self.token:
            parts.append("retry_token=" + shown(self.token[:80]))
        parts.append(f"ms={self.ms:.2f}")
        return " ".join(parts)
