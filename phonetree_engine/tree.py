"""The vocabulary of a phone tree: states, exits, the call a handler sees, and the checks.

A tree is a dict of ``State`` rows (see ``states/__init__.py``). A state's *enter* handler
returns the TwiML the caller hears; its *exit* says where the call goes next:

- ``None``: a terminal state; its TwiML must end the call (Hangup).
- ``"menu"``: go on to that state at once, in the same answer.
- ``Keys``, ``Outcome`` or ``Choose``: wait for what the caller (or Twilio) does; the verb
  that waits (Gather, Dial, Record, Enqueue) posts to ``call.action``, and the exit turns
  what was posted into the next state's name. Each declares every state it can lead to.

Everything here is plain data and pure functions; ``phonetree.py`` puts it on the web.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple
from urllib.parse import urlencode

from twilio.twiml import TwiML

STATE_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}\Z")
WAITING_VERBS = ("Gather", "Dial", "Record", "Enqueue")
ENDING_VERBS = ("Hangup", "Reject")
PLAIN_VALUE = re.compile(r'[^ "=]+')  # what a log value can be without quotes
MAX_CHAIN = 16  # states entered in one answer; the check keeps real chains far shorter


class TableError(ValueError):
    """The state table is wrong; the message lists every problem, naming the state."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("the state table is wrong:\n" + "\n".join(f"- {p}" for p in problems))


class TransitionError(RuntimeError):
    """An exit handler chose a state it did not declare."""


class TryAgain(RuntimeError):
    """A callback could not do its work yet (a message was not delivered): answered with a
    5xx, so that Twilio sends it again when its URL asks for retries (``call.url(retry=True)``).
    """


# Twilio's connection override: retry a callback up to 5 times on a 5xx, a failed connection
# or a read timeout. Not part of the signed URL: HTTP clients never send the fragment.
RETRY_FRAGMENT = "#rc=5&rp=5xx,ct,rt"


# Exits ######################################################################


@dataclass(frozen=True)
class Keys:
    """Go where the caller's key (or spoken word) says.

    ``otherwise`` takes invalid input, ``silence`` a timeout (default: ``otherwise``). Both
    count as a failed try; after ``MAX_RETRIES`` failed tries in a row the call goes to
    ``give_up`` instead, so nobody is kept at a menu forever.
    """

    keys: Mapping[str, str]
    otherwise: str
    words: Mapping[str, str] = field(default_factory=dict)
    silence: str | None = None
    give_up: str | None = None

    def edges(self) -> list[tuple[str, str]]:
        edges = [(key, state) for key, state in self.keys.items()]
        edges += [(f'"{word}"', state) for word, state in self.words.items()]
        edges.append(("other key", self.otherwise))
        edges.append(("silence", self.silence or self.otherwise))
        if self.give_up:
            edges.append(("too many tries", self.give_up))
        return edges

    def decide(self, call: Call) -> tuple[str, bool]:
        """Return the next state and whether the input was a failed try."""
        if call.digits:
            state = self.keys.get(call.digits)
            return (state, False) if state else (self.otherwise, True)
        if call.speech:
            for word in re.findall(r"[a-z0-9]+", call.speech.lower()):
                if word in self.words:
                    return self.words[word], False
            return self.otherwise, True
        return self.silence or self.otherwise, True


@dataclass(frozen=True)
class Outcome:
    """Go where a parameter of the verb's action says (``DialCallStatus``, ``QueueResult``)."""

    param: str
    results: Mapping[str, str]
    otherwise: str

    def edges(self) -> list[tuple[str, str]]:
        return [*self.results.items(), (f"other {self.param}", self.otherwise)]

    def decide(self, call: Call) -> tuple[str, bool]:
        return self.results.get(call.param(self.param), self.otherwise), False


@dataclass(frozen=True)
class Choose:
    """Go where ``handler(call)`` says; it may only name one of ``targets``."""

    handler: Callable[[Call], str]
    targets: tuple[str, ...]

    def edges(self) -> list[tuple[str, str]]:
        return [("", state) for state in self.targets]

    def decide(self, call: Call) -> tuple[str, bool]:
        state = self.handler(call)
        if state not in self.targets:
            raise TransitionError(f"{call.state}: exit chose {state!r}, not one of {self.targets}")
        return state, False


Exit = None | str | Keys | Outcome | Choose
Verbs = TwiML | list | tuple | None


class State(NamedTuple):
    """One row of the table."""

    enter: Callable[[Call], Verbs]
    exit: Exit = None
    # Where to go instead of entering this state when the business is closed.
    when_closed: str | None = None
    # Extra webhooks of this state, served at /state/<name>/<key> (Enqueue's waitUrl, ...).
    callbacks: Mapping[str, Callable[[Call], Verbs]] = {}

    @property
    def waits(self) -> bool:
        return isinstance(self.exit, (Keys, Outcome, Choose))

    def edges(self) -> list[tuple[str, str]]:
        """(label, state) for every state this one can lead to."""
        edges = [("closed", self.when_closed)] if self.when_closed else []
        if isinstance(self.exit, str):
            edges.append(("", self.exit))
        elif self.exit is not None:
            edges += self.exit.edges()
        return edges


# The call, as a handler sees it ##############################################


def state_url(prefix: str, state: str, part: str | None = None, tries: int = 0) -> str:
    """The path of a state's webhook; the only place a URL is spelled out."""
    url = f"{prefix}/state/{state}/{part}" if part else f"{prefix}/state/{state}"
    return f"{url}?tries={tries}" if tries else url


class Call:
    """What a handler may know: the input, the context from the URL, the config, the clock.

    Reading the input or the clock marks the answer as ``volatile``; anything else a handler
    renders depends only on the state and its URL, so the engine renders it once and reuses it.
    """

    __slots__ = (
        "_is_open",
        "_now",
        "_params",
        "_trail",
        "clock",
        "config",
        "prefix",
        "state",
        "tries",
        "volatile",  # set once the answer depends on the input or the clock
    )

    def __init__(
        self, state, config, params=None, tries=0, clock=None, prefix="", is_open=None, trail=()
    ):
        self.state = state
        self.config = config
        self._params: Mapping[str, str] = params or {}
        self.tries = tries
        self.clock = clock
        self.prefix = prefix
        self._is_open = is_open
        self._now: datetime | None = None
        self._trail = trail
        self.volatile = False

    # What the caller did; reading it makes the answer depend on it.
    def param(self, name: str, default: str = "") -> str:
        self.volatile = True
        return self._params.get(name, default)

    @property
    def digits(self) -> str:
        return self.param("Digits").strip()

    @property
    def speech(self) -> str:
        return self.param("SpeechResult").strip()

    @property
    def now(self) -> datetime:
        """The time in the business's time zone; use this, never the system clock."""
        self.volatile = True
        if self._now is None:
            self._now = self.config.now(self.clock)
        return self._now

    @property
    def trail(self) -> tuple[str, ...]:
        """The states this answer passed through before this one, the state left first.

        Menu key 1 at the menu reaches voicemail with ``("menu", "sales")``; a caller who left
        the support queue with ``("support",)``. Empty when Twilio asked for the state itself.
        """
        self.volatile = True
        return self._trail

    @property
    def is_open(self) -> bool:
        if self._is_open is None:
            self._is_open = self.config.is_open(self.now)
        self.volatile = True
        return self._is_open

    # Where Twilio should go next; built here so states never spell a URL.
    @property
    def action(self) -> str:
        """The URL the waiting verb posts to: this state's exit, with the call's context."""
        return state_url(self.prefix, self.state, "exit", self.tries)

    def url(self, part: str, retry: bool = False, **context: str) -> str:
        """The URL of one of this state's callbacks, e.g. ``call.url("wait")``.

        ``context`` travels in its query string (a callback Twilio sends after the call, such
        as a recording's, carries few of the call's parameters); ``retry`` asks Twilio to send
        it again when it fails (see ``TryAgain``).
        """
        url = state_url(self.prefix, self.state, part)
        values = {name: value for name, value in context.items() if value}
        if values:
            url += "?" + urlencode(values)
        return url + RETRY_FRAGMENT if retry else url


def as_verbs(verbs: Verbs) -> list:
    if verbs is None:
        return []
    return list(verbs) if isinstance(verbs, (list, tuple)) else [verbs]


def event_line(event: str, **fields) -> str:
    """One log line: the event, then key=value pairs, quoted when a value needs it."""
    parts = [event]
    for key, value in fields.items():
        text = str(value)
        if not text or not text.isprintable() or PLAIN_VALUE.fullmatch(text) is None:
            text = json.dumps(text, ensure_ascii=False)
        parts.append(f"{key}={text}")
    return " ".join(parts)


def mask_number(number: str) -> str:
    """Keep the last four digits of a caller's number: enough to tell calls apart in a log."""
    if not number:
        return "-"
    head = "+" if number.startswith("+") else ""
    tail = number[-4:] if len(number) > 6 else number[-2:]
    return head + "*" * (len(number) - len(head) - len(tail)) + tail
