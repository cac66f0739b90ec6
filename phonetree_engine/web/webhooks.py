"""Webhooks in, TwiML out: checks each request, hands it to the engine, answers, recovers, logs.

Checks signatures against the public URL the carrier called, reads forms the way the carrier
sends them (opening the sealed part of the query), recovers from any failure with TwiML a caller
can hear, and writes one line per webhook.
"""

from __future__ import annotations

import logging
import time
from urllib.parse import urlsplit

import bottle
from twilio.twiml.voice_response import Hangup, Leave, Say

from phonetree_engine.call import Call, unsealed
from phonetree_engine.carriers import Request
from phonetree_engine.engine import Engine, as_verbs
from phonetree_engine.lines import event_line
from phonetree_engine.tree import State, TryAgain
from phonetree_engine.web.forms import Headers, public_url, read_params
from phonetree_engine.web.logline import WebhookLine
from phonetree_engine.words import words_in

log = logging.getLogger("phonetree")

XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?><Response>'
XML_TAIL = "</Response>"
# What the number's "call status changes" webhook reports once a call is over.
FINAL_STATUSES = ("completed", "busy", "no-answer", "failed", "canceled")


class UnknownState(LookupError):
    """A URL names a state (or a part of one) the table does not have."""

    def __init__(self, message: str, callback: bool = False):
        super().__init__(message)
        self.callback = callback


class WebhookHandler:
    """Turns webhook requests into engine steps: checks, parses, answers, recovers, logs."""

    def __init__(self, engine: Engine):
        self.engine = engine
        config = self.config = engine.config
        self.carrier = engine.setup.carrier if config.validates_signatures else None
        self.prefix = urlsplit(config.public_url).path if config.public_url else None
        self.apology = {}
        self.last_resort = {}
        for language in config.languages:
            words = words_in(engine.tree.words, language, config.languages)
            self.apology[language] = self.xml(Say(words["apology"]), language=language)
            # What a caller hears when even the recovery state fails: built once, cannot fail.
            person = engine.tree.person(config)
            verbs = [Say(words["connecting"]), person, Say(words["not_connected"]), Hangup()]
            self.last_resort[language] = self.xml(*verbs, language=language)
        self.leave_queue = self.xml(Leave())

    def xml(self, *verbs, language=None) -> str:
        """TwiML of ``verbs`` in ``language`` (its voice on every Say), outside any state."""
        context = {"lang": language} if language else None
        call = Call("", self.engine.setup, context=context)
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

    def answering(self, name, part):
        def step(params, context, prefix):
            return self.engine.answer(name, part, params, context, prefix), name, ()

        return step

    def ended(self, params, context, prefix):
        """Log the end of a call, from the number's "call status changes" webhook."""
        status = params.get("CallStatus", "-")[:20]
        if status in FINAL_STATUSES:
            log.info(
                event_line(
                    "call-ended",
                    call=params.get("CallSid", "-")[:80],
                    status=status,
                    duration=params.get("CallDuration", "-")[:10],
                )
            )
        return [], None, ()

    def unknown(self, params, context, prefix, name, part=None):
        shown = f"{name}/{part}" if part else name
        callback = part is not None and part.split("/")[0] != "exit"
        raise UnknownState(f"no state {shown[:80]!r} in the table", callback=callback)

    def route(self, step, callback=False, private=False, queued=False):
        """Wrap a step as a Bottle callback that answers the carrier.

        ``callback`` marks a state's other webhooks (status callbacks): what fails there cannot
        be answered with the menu. ``private`` marks the exit of a state that collects digits:
        they are masked in the log line. ``queued`` marks a state that plays while the caller
        is queued: what fails there takes the caller out of the queue, to its own exit.
        """

        def webhook(**names):
            started = time.perf_counter()
            environ = bottle.request.environ
            query, form, context = self.admit(environ)
            params = dict(reversed(query + form))  # the query's own values win
            prefix = self.prefix if self.prefix is not None else environ.get("SCRIPT_NAME", "")
            try:
                parts, reached, entered = step(params, context, prefix, **names)
            except TryAgain as error:
                if not callback:  # a live call must hear something: never a 5xx
                    log.exception(event_line("handler-failed", path=environ.get("PATH_INFO")))
                    parts, reached, entered = self.recover(params, context, prefix, queued=queued)
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
                parts, reached, entered = self.recover(params, context, prefix, callback, queued)
            bottle.response.content_type = "text/xml; charset=utf-8"
            if reached is not None and log.isEnabledFor(logging.INFO):  # None: it logged its own
                log.info(WebhookLine(environ, params, reached, entered, started, private))
            return XML_HEAD + "".join(parts) + XML_TAIL

        return webhook

    def admit(self, environ):
        """Read and check a request, or refuse it with a 4xx and one line: it cannot fail.

        A Host or X-Forwarded-* header that no URL can hold (``h:abc``, ``[::1``) cannot have
        been signed by the carrier: it is refused as a bad request, like any other odd input.
        """
        path = environ.get("PATH_INFO", "")[:100]
        try:
            query, form, body = read_params(environ)
            if self.carrier is not None and not self.signed(environ, form, body):
                log.warning(event_line("refused", path=path))
                raise bottle.HTTPError(403, "Forbidden: the request is not signed by the carrier.")
            query = unsealed(query, self.engine.setup.seal)
            return query, form, self.engine.read_context(query)
        except bottle.HTTPError as error:
            if error.status_code == 400:
                log.warning(event_line("refused", path=path, reason=error.body))
            raise
        except Exception as error:
            log.warning(event_line("refused", path=path, reason=type(error).__name__))
            raise bottle.HTTPError(400, "Bad Request: malformed host or headers.") from None

    def recover(self, params, context, prefix, callback=False, queued=False):
        """Apologise and go on at the recovery state; after repeated failures, to a person.

        A caller in a queue's wait music (a state that plays there, or a request that says so)
        leaves the queue instead: the Enqueue's action then goes on; any other failed callback
        is answered with nothing.
        """
        waiting = "QueuePosition" in params and "QueueResult" not in params
        if waiting or queued:
            return [self.leave_queue], "left-queue", ()
        if callback:
            return [], "-", ()
        language = context.get("lang")
        language = language if language in self.apology else self.config.language
        tries = int(context.get("tries", "0")) + 1
        if tries < self.config.max_retries:
            # What the call learned goes on with it; a collect in progress starts again.
            context = {k: v for k, v in context.items() if k not in ("entry", "step")}
            context["tries"] = str(tries)
            try:
                parts, entered = self.engine.enter(self.engine.recovery, params, context, prefix)
                return [self.apology[language], *parts], entered[-1], entered
            except Exception:
                log.exception(event_line("recovery-failed", state=self.engine.recovery))
        return [self.last_resort[language]], "last-resort", ()

    def signed(self, environ, form, body) -> bool:
        """Check the carrier's signature against the public URL it called."""
        request = Request(
            url=public_url(environ, self.config.public_url),
            form=form,
            body=body,
            headers=Headers(environ),
            method=environ.get("REQUEST_METHOD", "POST"),
        )
        return self.carrier.verify(request)


def answer(parts, entered):
    return parts, entered[-1], entered
