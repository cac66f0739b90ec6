"""The callers of the serving tests: what each does after the greeting, and all it hears.

The office, open around the clock (``ALWAYS_OPEN``), walked by many callers at once; each
script is one way through it, and a caller hears exactly its ``transcript``.
"""

from __future__ import annotations

from dataclasses import dataclass

from phonetree_engine.settings import Config
from tests.engine.heard import (
    CALLBACK_OFFER,
    GOODBYE,
    HOURS_AGAIN,
    MENU,
    MUSIC,
    ORDERS,
    QUEUED,
    QUIET,
    RECORD,
    SAVED,
    TRANSFER,
    UNAVAILABLE,
    VOICEMAIL_OFFER,
    WELCOME,
    WRONG,
)
from tests.engine.trees import office

ALWAYS_OPEN = "Mon-Sun 00:00-24:00"
HOURS = "The office opens Mon+Tue+Wed+Thu+Fri+Sat+Sun 00:00-23:59."  # said of ALWAYS_OPEN
RETRIES = Config.from_environ({}, office.SETTINGS).max_retries  # the office's menu gives up then


@dataclass(frozen=True)
class Script:
    """What a caller does after the greeting, and all they should hear."""

    name: str
    actions: tuple[tuple, ...]  # (method of SimulatedCall, *arguments)
    heard: tuple[str, ...]


SCRIPTS = (
    Script(
        "hours loop, then the front desk answers",
        (
            ("press", "3"),
            ("press", "1"),
            ("press", "1"),
            ("press", "5"),
            ("press", "0"),
            ("dial_result", "completed"),
        ),
        (*[HOURS, HOURS_AGAIN] * 3, MENU, GOODBYE),
    ),
    Script(
        "wrong keys, a repeat, then an order by voicemail",
        (("press", "7"), ("press", "8"), ("press", "9"), ("press", "1"), ("record",)),
        (WRONG, MENU, WRONG, MENU, MENU, ORDERS, RECORD, SAVED),
    ),
    Script("an order by voicemail", (("press", "1"), ("record",)), (ORDERS, RECORD, SAVED)),
    Script(
        "help desk queue, then leaving it for voicemail",
        (
            ("press", "2"),
            ("hold", 3, 10),
            ("hold", 1, 90),
            ("press", "1"),
            ("record",),
        ),
        (
            QUEUED,
            "You are number 3 in line.",
            MUSIC,
            "You are number 1 in line.",
            VOICEMAIL_OFFER,
            CALLBACK_OFFER,
            MUSIC,
            RECORD,
            SAVED,
        ),
    ),
    Script(
        "help desk queue, bridged",
        (("say", "help desk please"), ("hold", 2, 5), ("queue_result", "bridged")),
        (QUEUED, "You are number 2 in line.", MUSIC, GOODBYE),
    ),
    Script(
        "the front desk does not answer, then voicemail",
        (("press", "0"), ("dial_result", "no-answer"), ("record",)),
        (UNAVAILABLE, RECORD, SAVED),
    ),
    Script(
        "silence until a person takes the call",
        (*[("silence",)] * RETRIES, ("dial_result", "completed")),
        (*[QUIET, MENU] * (RETRIES - 1), TRANSFER, GOODBYE),
    ),
)


def transcript(script: Script) -> list[str]:
    return [WELCOME, MENU, *script.heard]
