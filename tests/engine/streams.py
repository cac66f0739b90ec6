"""Streams for the log to write to: one stuck like a pipe nobody reads, one that keeps each write.

``install(monkeypatch, request, stream)`` makes a `QueuedLog` on ``stream`` the process's log of
business events for one test, as ``setup_logging`` would.
"""

from __future__ import annotations

import functools
import io
import logging
import threading

from phonetree_engine import logs
from phonetree_engine.logs import QueuedLog


class StuckStream(io.StringIO):
    """A stream whose writes wait until it is let go (``free.set()``), like a pipe nobody reads."""

    def __init__(self):
        super().__init__()
        self.free = threading.Event()

    def write(self, text):
        self.free.wait(30)
        return super().write(text)


class RecordingStream(io.StringIO):
    """Keeps each write apart, and says when one happened."""

    def __init__(self):
        super().__init__()
        self.writes: list[str] = []
        self.wrote = threading.Event()

    def write(self, text):
        self.writes.append(text)
        self.wrote.set()
        return super().write(text)


def queued(stream, capacity=100, linger=logs.LINGER) -> QueuedLog:
    log = QueuedLog(stream, capacity, linger)
    log.writer.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    return log


def install(monkeypatch, request, stream, linger=logs.LINGER) -> QueuedLog:
    """A queued log on ``stream``, installed as the process's for the business's lines."""
    log = queued(stream, linger=linger)
    monkeypatch.setattr(logs, "_active", log)
    logger = logging.getLogger(logs.BUSINESS)
    monkeypatch.setattr(logger, "handlers", [log.handler])
    monkeypatch.setattr(logger, "propagate", False)
    # setLevel, not the attribute: it clears the cache of what earlier tests logged.
    request.addfinalizer(functools.partial(logger.setLevel, logger.level))
    logger.setLevel(logging.INFO)
    return log
