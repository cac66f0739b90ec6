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

import inspect
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

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
        "clock",
        "config",
        "prefix",
        "state",
        "tries",
        "volatile",  # set once the answer depends on the input or the clock
    )

    def __init__(self, state, config, params=None, tries=0, clock=None, prefix="", is_open=None):
        self.state = state
        self.config = config
        self._params: Mapping[str, str] = params or {}
        self.tries = tries
        self.clock = clock
        self.prefix = prefix
        self._is_open = is_open
        self._now: datetime | None = None
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

    def url(self, part: str) -> str:
        """The URL of one of this state's callbacks, e.g. ``call.url("wait")``."""
        return state_url(self.prefix, self.state, part)


# Checking a table ############################################################


def check_table(table: Mapping[str, State], start: str, recovery: str, config: Any) -> None:
    """Raise TableError listing every problem with the table, or return quietly."""
    problems = []
    for name, row in table.items():
        problems += _check_row(name, row, table, config)
    for role, name in (("start", start), ("recovery", recovery)):
        if name not in table:
            problems.append(f"the {role} state {name!r} is not in the table")
    if not problems:
        problems += _check_reachable(table, start) + _check_chains(table)
    if problems:
        raise TableError(problems)


def _check_row(name: str, row: Any, table: Mapping[str, State], config: Any) -> list[str]:
    if not isinstance(row, State):
        return [f"state {name!r}: the row must be a State(...), not {type(row).__name__}"]
    problems = []
    if not isinstance(name, str) or not STATE_NAME.match(name):
        problems.append(f"state {name!r}: names are lower-case letters, digits and _ (max 40)")
    exit_ = row.exit
    if not (exit_ is None or isinstance(exit_, (str, Keys, Outcome, Choose))):
        problems.append(
            f"state {name!r}: exit must be None, a state name, Keys, Outcome or Choose, "
            f"not {type(exit_).__name__}"
        )
        return problems
    for label, target in row.edges():
        if target not in table:
            via = f" on {label}" if label else ""
            problems.append(f"state {name!r}: leads{via} to {target!r}, which is not a state")
    if isinstance(exit_, Choose):
        problems += _check_handler(name, "exit handler", exit_.handler)
    for part, handler in row.callbacks.items():
        if part == "exit" or not STATE_NAME.match(part):
            problems.append(f"state {name!r}: callback name {part!r} is not a usable URL part")
        problems += _check_handler(name, f"callback {part!r}", handler)
    handler_problems = _check_handler(name, "enter handler", row.enter)
    return problems + (handler_problems or _check_rendering(name, row, config))


def _check_handler(name: str, what: str, handler: Any) -> list[str]:
    if not callable(handler):
        return [f"state {name!r}: the {what} is not callable"]
    try:
        inspect.signature(handler).bind(None)
    except TypeError:
        return [f"state {name!r}: the {what} must take exactly one argument, the call"]
    except ValueError:  # no signature to inspect (some builtins): trust it
        pass
    return []


def _check_rendering(name: str, row: State, config: Any) -> list[str]:
    """Enter the state, open and closed, and check the TwiML keeps the call going."""
    for is_open in (True, False):
        call = Call(name, config, is_open=is_open)
        try:
            verbs = as_verbs(row.enter(call))
        except Exception as error:
            return [f"state {name!r}: the enter handler failed: {error!r}"]
        if not all(isinstance(verb, TwiML) for verb in verbs):
            return [f"state {name!r}: the enter handler must return TwiML verbs (or a list)"]
        problem = _check_way_out(name, row, verbs, call.action)
        if problem:
            return [problem]
    return []


def _check_way_out(name: str, row: State, verbs: list, action: str) -> str | None:
    names = [verb.name for verb in verbs]
    if row.exit is None and (not names or names[-1] not in ENDING_VERBS):
        return f"state {name!r}: a terminal state must end the call with Hangup"
    if not row.waits:
        return None
    waiting = [verb for verb in verbs if verb.name in WAITING_VERBS]
    if not any(verb.attrs.get("action") == action for verb in waiting):
        return (
            f"state {name!r}: its exit waits, but no Gather, Dial, Record or Enqueue "
            "posts to call.action"
        )
    last = verbs[-1]
    if last.name == "Gather" and not last.attrs.get("actionOnEmptyResult"):
        return f"state {name!r}: a Gather without actionOnEmptyResult hangs up on silence"
    return None


def _check_reachable(table: Mapping[str, State], start: str) -> list[str]:
    seen, todo = {start}, [start]
    while todo:
        for _, target in table[todo.pop()].edges():
            if target not in seen:
                seen.add(target)
                todo.append(target)
    unreachable = [name for name in table if name not in seen]
    return [f"state {name!r}: cannot be reached from {start!r}" for name in unreachable]


def _check_chains(table: Mapping[str, State]) -> list[str]:
    """States entered at once (string exits, when_closed) must not form a cycle."""

    def at_once(name):
        row = table[name]
        return [t for t in (row.when_closed, row.exit if isinstance(row.exit, str) else None) if t]

    problems, done = [], set()
    for first in table:
        path: list[str] = []
        stack = [(first, iter(at_once(first)))]
        path.append(first)
        while stack:
            name, targets = stack[-1]
            target = next(targets, None)
            if target is None:
                stack.pop()
                path.pop()
                done.add(name)
            elif target in path:
                cycle = " -> ".join([*path[path.index(target) :], target])
                problems.append(f"state {target!r}: goes on at once in a cycle: {cycle}")
                return problems
            elif target not in done:
                stack.append((target, iter(at_once(target))))
                path.append(target)
    return problems


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
