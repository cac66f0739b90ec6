"""Where the studio reaches into the app it serves: its tree, its clock, its log, its delivery.

Each is one small function here, so that when the engine changes the studio follows in this
file only. Everything else in the studio speaks to the app as the carrier does, over HTTP.
"""

from __future__ import annotations

import contextvars
import logging
import time
from datetime import datetime, timezone

from phonetree_engine import logs
from phonetree_engine.delivery import Message, Outcome
from phonetree_tools import logread

# The moment a studio call pretends it is: set for each request from this header, read by the
# app's clock. No carrier sends it; only the studio's own caller does.
CLOCK_HEADER = "X-Studio-Clock"
_MOMENT: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("moment", default=None)


def engine_of(app):
    return app.config["phonetree.engine"]


def tree_of(app):
    """The app's tree: its table, its start state, its settings and defaults."""
    return engine_of(app).tree


def config_of(app):
    return engine_of(app).config


# The clock ####################################################################


def pretend_clock(app, served):
    """Make the app's clock read the moment of the request's call; return ``served`` (the app
    as served) wrapped to take that moment from ``CLOCK_HEADER`` (without it: the app's own
    clock)."""
    engine = engine_of(app)
    own = engine.clock

    def clock() -> datetime:
        moment = _MOMENT.get()
        if moment is not None:
            return moment
        return own() if own else datetime.now(timezone.utc)

    engine.clock = clock

    def wsgi(environ, start_response):
        token = _MOMENT.set(
            moment_of(environ.get("HTTP_" + CLOCK_HEADER.upper().replace("-", "_")))
        )
        try:  # Bottle renders the whole answer inside the call
            return served(environ, start_response)
        finally:
            _MOMENT.reset(token)

    return wsgi


def moment_of(text: str | None) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text) if text else None
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


# The log ######################################################################


class UTCFormatter(logs.Formatter):
    converter = time.gmtime


class LogCapture(logging.Handler):
    """Each of the app's log lines, read back as the report reads it, handed to ``take``."""

    def __init__(self, take):
        super().__init__(logging.INFO)
        self.take = take
        self.setFormatter(UTCFormatter())

    def emit(self, record):
        try:
            entry = logread.parse(self.format(record), timezone.utc)
            if entry.event is not None:
                self.take(entry)
        except Exception:  # the app's answer must not fail on the studio's account
            self.handleError(record)


def capture_log(take, quiet: bool) -> LogCapture:
    """Hand every line the app logs to ``take`` (an ``logread.Entry``), webhooks included
    whatever LOG_LEVEL says. ``quiet``: stderr shows only warnings and business events, as
    the studio replays a call's webhooks at every step."""
    ours = logging.getLogger("phonetree")
    handler = LogCapture(take)
    ours.addHandler(handler)
    level = ours.getEffectiveLevel()
    if level > logging.INFO or quiet:
        shown = max(level, logging.WARNING) if quiet else level
        for written in logging.getLogger().handlers:  # stderr: as LOG_LEVEL (or quiet) says
            written.addFilter(lambda record, shown=shown: keeps(record, shown))
        ours.setLevel(logging.INFO)
    return handler


def keeps(record: logging.LogRecord, level: int) -> bool:
    return record.levelno >= level or logs.is_business(record)


# Delivery #####################################################################


class CapturedDelivery:
    """The app's delivery while the studio serves it: each message goes to ``hand(message,
    real, wait)``, which returns its ``Outcome``; ``real`` is the delivery the settings
    configured, ``wait`` how long a live call waits for it (see ``Delivery.deliver``)."""

    def __init__(self, real, hand):
        self.real, self.hand = real, hand
        self.channels = real.channels
        self.later = None  # retries in the background, should a carrier not retry itself

    def deliver(self, message: Message, wait: float | None = None) -> Outcome:
        return self.hand(message, self.real, wait)


def capture_delivery(app, hand) -> CapturedDelivery:
    """Hand each message the app delivers to ``hand`` instead of sending it."""
    setup = engine_of(app).setup
    setup.delivery = CapturedDelivery(setup.delivery, hand)
    return setup.delivery
