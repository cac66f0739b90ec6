"""phonetree: a stateless phone tree (IVR) for Twilio Programmable Voice, on Bottle.

Twilio posts a webhook, we answer with TwiML. Which state the call is in, and any context
(how many tries at a menu), travel in the URLs the TwiML points Twilio at, so the server keeps
nothing between requests: any process, on any replica, can serve any step of any call.

The tree itself is the table in ``states/``; this module turns it into routes:

    /voice                      the number's "A call comes in" webhook: enter the start state
    /state/<name>               enter a state
    /state/<name>/exit          what the caller did there (Gather, Dial, Record, Enqueue action)
    /state/<name>/<callback>    a state's other webhooks (Enqueue waitUrl, recording status)
    /healthz                    for the platform's health checks; needs no signature

Run it with ``python phonetree.py`` (see ``--help``) or as the Procfile says.
"""

from __future__ import annotations

import functools
import hmac
import logging
import sys
import time
from urllib.parse import quote, unquote_plus, urlsplit

import bottle
from twilio.request_validator import HMAC_SHA1, RequestValidator, get_signature_algorithm
from twilio.twiml.voice_response import Dial, Hangup, Say

import states
from logs import setup_logging
from settings import Config, ConfigError
from tree import (
    MAX_CHAIN,
    Call,
    Keys,
    State,
    TableError,
    as_verbs,
    check_table,
    event_line,
    state_url,
)

log = logging.getLogger("phonetree")

MAX_BODY = 64 * 1024  # Twilio's largest webhooks are a few KB; the Procfile says the same
MAX_FIELDS = 200
SERVER_OPTIONS = {
    "host": "0.0.0.0",
    "max_request_body_size": MAX_BODY,
    # Behind a PaaS router or tunnel the public scheme and host arrive in these headers;
    # without trusting them waitress drops them, and every signature check fails.
    "trusted_proxy": "*",
    "trusted_proxy_headers": "x-forwarded-proto x-forwarded-host x-forwarded-port",
}
XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?><Response>'
XML_TAIL = "</Response>"


# Rendering the tree ##########################################################


class Engine:
    """Walks the table: enters states (chaining those that go on at once) and takes exits."""

    def __init__(self, table, start, recovery, config: Config, clock=None):
        check_table(table, start, recovery, config)
        self.table: dict[str, State] = dict(table)
        self.start, self.recovery = start, recovery
        self.config, self.clock = config, clock
        self._rendered: dict[tuple, str] = {}  # (prefix, state, tries) -> TwiML of a steady state

    def call(self, state, params, tries, prefix) -> Call:
        return Call(state, self.config, params, tries, self.clock, prefix)

    def enter(self, name, params, tries=0, prefix="") -> tuple[list[str], str]:
        """Return the TwiML of ``name`` and the states it goes on to at once, and the last."""
        parts = []
        for _ in range(MAX_CHAIN):
            row = self.table[name]
            call = self.call(name, params, tries, prefix)
            if row.when_closed and not call.is_open:
                name = row.when_closed
                continue
            parts.append(self.render(row, call))
            if not isinstance(row.exit, str):
                return parts, name
            name = row.exit
        raise RuntimeError(f"more than {MAX_CHAIN} states in one answer, ending at {name!r}")

    def render(self, row: State, call: Call) -> str:
        key = (call.prefix, call.state, call.tries)
        text = self._rendered.get(key)
        if text is None:
            text = self.to_xml(as_verbs(row.enter(call)), row, call)
            if not call.volatile:  # it read neither input nor clock: the same every time
                self._rendered[key] = text
        return text

    def leave(self, name, params, tries=0, prefix="") -> tuple[str, int]:
        """Take the exit of ``name`` with what was posted; return the next state and tries."""
        exit_ = self.table[name].exit
        target, failed = exit_.decide(self.call(name, params, tries, prefix))
        if not (failed and isinstance(exit_, Keys) and exit_.give_up):
            return target, 0
        if tries + 1 >= self.config.max_retries:
            return exit_.give_up, 0
        return target, tries + 1

    def callback(self, name, part, params, prefix="") -> list[str]:
        call = self.call(name, params, 0, prefix)
        row = self.table[name]
        return [self.to_xml(as_verbs(row.callbacks[part](call)), row, call)]

    def to_xml(self, verbs, row: State, call: Call) -> str:
        return "".join(self.dress(verb, row, call).to_xml(xml_declaration=False) for verb in verbs)

    def dress(self, verb, row: State, call: Call):
        """Set voice and language once for every Say, and speech input for a Keys menu."""
        config = self.config
        if verb.name == "Say":
            if config.voice and "voice" not in verb.attrs:
                verb.attrs["voice"] = config.voice
            verb.attrs.setdefault("language", config.language)
        elif verb.name == "Gather" and self.listens(verb, row, call):
            verb.attrs.setdefault("input", "dtmf speech")
            verb.attrs.setdefault("hints", ", ".join(row.exit.words))
            verb.attrs.setdefault("language", config.language)
            verb.attrs.setdefault("speechTimeout", "auto")
        for child in verb.verbs:
            self.dress(child, row, call)
        return verb

    @staticmethod
    def listens(gather, row: State, call: Call) -> bool:
        """A Gather posting to a Keys exit with words also takes speech, hinted with them."""
        words = isinstance(row.exit, Keys) and row.exit.words
        return bool(words) and gather.attrs.get("action") == call.action


# Webhooks ####################################################################


class UnknownState(LookupError):
    """A URL names a state (or a part of one) the table does not have."""


class Webhooks:
    """Turns HTTP requests into engine steps: checks, parses, answers, recovers, logs."""

    def __init__(self, engine: Engine, config: Config):
        self.engine, self.config = engine, config
        self.token = RequestValidator(config.auth_token) if config.auth_token else None
        self.shared = RequestValidator(config.shared_key) if config.shared_key else None
        self.prefix = urlsplit(config.public_url).path if config.public_url else None
        self.apology = self.xml(Say("Sorry, something went wrong on our side."))
        # What a caller hears when even the recovery state fails: built once, cannot fail.
        self.last_resort = self.xml(
            Say("Sorry, we are having trouble. Let me connect you to our receptionist."),
            Dial(config.receptionist_number, timeout=config.dial_timeout),
            Say("We could not connect your call. Please call again later. Goodbye."),
            Hangup(),
        )

    def xml(self, *verbs) -> str:
        return self.engine.to_xml(verbs, State(enter=as_verbs), Call("", self.config))

    # Steps: each takes (params, tries, prefix) and returns (TwiML parts, state reached).
    def start(self, params, tries, prefix):
        return self.engine.enter(self.engine.start, params, 0, prefix)

    def entering(self, name):
        return lambda params, tries, prefix: self.engine.enter(name, params, tries, prefix)

    def leaving(self, name):
        def step(params, tries, prefix):
            target, tries = self.engine.leave(name, params, tries, prefix)
            return self.engine.enter(target, params, tries, prefix)

        return step

    def calling_back(self, name, part):
        def step(params, tries, prefix):
            return self.engine.callback(name, part, params, prefix), name

        return step

    def unknown(self, params, tries, prefix, name, part=None):
        shown = f"{name}/{part}" if part else name
        raise UnknownState(f"no state {shown[:80]!r} in the table")

    def route(self, step):
        """Wrap a step as a Bottle callback that answers Twilio."""

        def webhook(**names):
            started = time.perf_counter()
            environ = bottle.request.environ
            query, form = read_params(environ)
            if self.config.validates_signatures and not self.signed(environ, form):
                log.warning(event_line("refused", path=environ.get("PATH_INFO", "")[:100]))
                raise bottle.HTTPError(403, "Forbidden: the request is not signed by Twilio.")
            params = dict(reversed(query + form))  # the first value of each name wins
            tries = parse_tries(params.get("tries"), self.config.max_retries)
            prefix = self.prefix if self.prefix is not None else environ.get("SCRIPT_NAME", "")
            try:
                parts, reached = step(params, tries, prefix, **names)
            except UnknownState as error:
                log.warning(event_line("unknown-state", detail=str(error)))
                parts, reached = self.recover(params, tries, prefix)
            except Exception:
                log.exception(event_line("handler-failed", path=environ.get("PATH_INFO")))
                parts, reached = self.recover(params, tries, prefix)
            bottle.response.content_type = "text/xml; charset=utf-8"
            log.info(webhook_line(environ, params, reached, started))
            return XML_HEAD + "".join(parts) + XML_TAIL

        return webhook

    def recover(self, params, tries, prefix):
        """Apologise and go on at the recovery state; after repeated failures, to a person."""
        if tries + 1 < self.config.max_retries:
            try:
                parts, reached = self.engine.enter(self.engine.recovery, params, tries + 1, prefix)
                return [self.apology, *parts], reached
            except Exception:
                log.exception(event_line("recovery-failed", state=self.engine.recovery))
        return [self.last_resort], "last-resort"

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
        except ValueError:  # an algorithm the twilio package does not know
            return False
        return hmac.compare_digest(expected, signature) or validator.validate(
            url, params, signature, algorithm=algorithm
        )


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
    pairs = []
    for field in fields:
        name, _, value = field.partition("=")
        pairs.append((unquote_form(name), unquote_form(value)))
    return pairs


def unquote_form(text: str) -> str:
    return unquote_cached(text) if "%" in text or "+" in text else text


@functools.lru_cache(maxsize=4096)
def unquote_cached(text: str) -> str:
    """Twilio sends the same numbers, SIDs and statuses with every webhook of a call."""
    return unquote_plus(text, errors="replace")


def parse_tries(text, max_retries) -> int:
    """The count of failed tries from the URL: anything odd counts as none."""
    if text and text.isascii() and text.isdigit() and len(text) < 3:
        return min(int(text), max_retries)
    return 0


def public_url(environ, configured: str | None) -> str:
    """The URL Twilio called: the configured public base, or what the proxy headers say."""
    if configured:
        base = configured
    else:
        scheme = first(environ.get("HTTP_X_FORWARDED_PROTO")) or environ["wsgi.url_scheme"]
        host = first(environ.get("HTTP_X_FORWARDED_HOST")) or environ.get("HTTP_HOST")
        if not host:
            host = f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
        base = f"{scheme}://{host}{wsgi_quote(environ.get('SCRIPT_NAME', ''))}"
    # Bottle decodes PATH_INFO as UTF-8 in place and keeps the server's original here.
    url = base + wsgi_quote(environ.get("bottle.raw_path", environ.get("PATH_INFO", "")))
    query = environ.get("QUERY_STRING")
    return f"{url}?{query}" if query else url


def first(header: str | None) -> str:
    """The first value of a comma-separated forwarded header: what the caller-facing proxy saw."""
    return header.split(",")[0].strip() if header else ""


def wsgi_quote(path: str) -> str:
    return quote(path.encode("latin-1"), safe="/:@!$&'()*+,;=-._~")


def webhook_line(environ, params, reached, started) -> str:
    fields = {
        "call": params.get("CallSid", "-")[:40],
        "from": mask_number(params.get("From", "")),
        "path": environ.get("PATH_INFO", "")[:100],
    }
    for name in ("Digits", "SpeechResult", "DialCallStatus", "QueueResult", "RecordingDuration"):
        if name in params:
            fields[name.lower()] = params[name][:40]
    fields["next"] = reached
    fields["ms"] = f"{(time.perf_counter() - started) * 1000:.2f}"
    return event_line("webhook", **fields)


def mask_number(number: str) -> str:
    """Keep the last four digits of a caller's number: enough to tell calls apart in a log."""
    if not number:
        return "-"
    head = "+" if number.startswith("+") else ""
    tail = number[-4:] if len(number) > 6 else number[-2:]
    return head + "*" * (len(number) - len(head) - len(tail)) + tail


# The application #############################################################


def plain_error(error: bottle.HTTPError) -> str:
    """Answer errors in plain text: no HTML pages, no tracebacks."""
    bottle.response.content_type = "text/plain; charset=utf-8"
    return error.body if isinstance(error.body, str) and error.body else error.status_line


def healthy() -> str:
    """Tell the platform's health check the process answers; no signature needed."""
    bottle.response.content_type = "text/plain; charset=utf-8"
    return "ok\n"


def make_app(config: Config | None = None, table=None, start=None, recovery=None, clock=None):
    """Build the Bottle app for a table (default: the one in ``states``)."""
    config = config or Config.from_environ()
    engine = Engine(
        states.TABLE if table is None else table,
        start or states.START,
        recovery or states.RECOVERY,
        config,
        clock,
    )
    hooks = Webhooks(engine, config)
    app = bottle.Bottle()
    app.config["phonetree.engine"] = engine
    methods = ["GET", "POST"]
    app.route("/healthz", "GET", healthy)
    app.route("/voice", methods, hooks.route(hooks.start))
    for name, row in engine.table.items():
        app.route(state_url("", name), methods, hooks.route(hooks.entering(name)))
        if row.waits:
            app.route(state_url("", name, "exit"), methods, hooks.route(hooks.leaving(name)))
        for part in row.callbacks:
            route = hooks.route(hooks.calling_back(name, part))
            app.route(state_url("", name, part), methods, route)
    # A call still in flight when a deploy renamed its state lands here, and is recovered.
    app.route("/state/<name>", methods, hooks.route(hooks.unknown))
    app.route("/state/<name>/<part:path>", methods, hooks.route(hooks.unknown))
    app.default_error_handler = plain_error
    if not config.validates_signatures:
        log.warning(
            "TWILIO_AUTH_TOKEN is not set: webhook signatures are NOT checked, and anyone "
            "can drive this phone tree. Set it (or TWILIO_SHARED_KEY) in production."
        )
    return app


def load_app():
    """The app as configured by the environment; a bad setting or table stops start-up here."""
    setup_logging(log)
    try:
        return make_app()
    except (ConfigError, TableError) as error:
        sys.exit(f"phonetree: cannot start: {error}")


if __name__ == "__main__":
    from cli import main

    sys.exit(main(load_app, SERVER_OPTIONS))
else:
    app = load_app()
