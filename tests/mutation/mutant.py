"""What a mutant is, and which tests each part of the code is measured by.

``Mutant(path, old, new, tests)`` replaces the one occurrence of ``old`` in ``path`` with
``new`` and runs ``tests``. ``why`` says what a user would suffer, where the change does not
say it by itself; ``equivalent`` says why no test can tell the mutant from the code (it is then
left out of the score).

A module's tests are the files that exercise it, fastest first (``-x`` stops at the first
failure, so a killed mutant rarely runs them all). The engine's are in ``tests/engine``, on the
engine's own trees: they never import ``states``, so an engine mutant is killed (or not) by
the engine's suite alone, whatever tree ships beside it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mutant:
    path: str
    old: str
    new: str
    tests: tuple[str, ...]
    why: str = ""
    equivalent: str = ""


def group(path: str, tests: tuple[str, ...], *changes) -> list[Mutant]:
    """Mutants of one file: (old, new) or (old, new, {"why": ..., "equivalent": ...})."""
    return [
        Mutant(path, old, new, tests, **(extra[0] if extra else {})) for old, new, *extra in changes
    ]


def engine(*names: str) -> tuple[str, ...]:
    """``tests/engine/test_<name>.py`` for each name."""
    return tuple(f"tests/engine/test_{name}.py" for name in names)


def tree(*names: str) -> tuple[str, ...]:
    """``tests/tree/test_<name>.py`` for each name: the shipped tree's suite."""
    return tuple(f"tests/tree/test_{name}.py" for name in names)


# The engine's suite, by what it exercises (fastest files first).
WALK = engine(
    "table",
    "engine",
    "context",
    "collect",
    "never_stuck",
    "fallback",
    "callback",
    "carriers",
    "languages",
    "webhooks",
    "fuzz",
)
CHECKS = engine("table", "context", "collect", "engine", "carriers", "never_stuck", "languages")
WEB = engine(
    "engine",
    "context",
    "collect",
    "fallback",
    "callback",
    "settings",
    "languages",
    "webhooks",
    "carriers",
    "fuzz",
    "starting",
)
SETTINGS = engine("settings", "carriers", "hours", "webhooks", "starting")
LOGS = engine("logs", "webhooks", "callback", "delivery")
DELIVERY = engine(
    "settings",
    "messages",
    "voicemail",
    "later",
    "callback",
    "fallback",
    "delivery",
    "delivery_server",
)
CARRIERS = engine("carriers", "settings", "webhooks", "caller", "cli")
SERVER = (
    *engine("queue_notice"),
    *(f"tests/serving/test_{name}.py" for name in ("server_process", "loop", "server", "lanes")),
    *engine("starting", "delivery_server"),
    "tests/serving/test_proxy.py",
)
CALLER = engine("caller", "carriers", "callback", "cli")
COMMANDS = engine("cli", "starting")
PLAYING = engine("carriers", "cli")
REPORT = engine("report", "report_calls", "report_hostile")
DIAGRAM = engine("cli", "report", "report_calls")
STUDIO = tuple(
    f"tests/studio/test_studio_{name}.py"
    for name in (
        "moment",
        "business",
        "layout",
        "sessions",
        "testfile",
        "replay",
        "caller",
        "server",
        "browser",
    )
)
# The shipped tree's suite, and the example's.
STATES = tree("settings", "calls", "callback", "languages", "hours_said", "business", "cli")
DENTAL = tuple(
    f"examples/dental/tests/test_{name}.py"
    for name in ("hours_said", "calls", "appointment", "languages", "commands")
)
