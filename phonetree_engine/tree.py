"""The vocabulary of a phone tree: states, exits, the call a handler sees, its context.

A tree is a dict of ``State`` rows (see ``states/__init__.py``). A state's *enter* handler
returns the TwiML the caller hears; its *exit* says where the call goes next:

- ``None``: a terminal state; its TwiML must end the call (Hangup).
- ``"menu"``: go on to that state at once, in the same answer.
- ``Keys``, ``Outcome`` or ``Choose``: wait for what the caller (or Twilio) does; the verb
  that waits (Gather, Dial, Record, Enqueue) posts to ``call.action``, and the exit turns
  what was posted into the next state's name. Each declares every state it can lead to.
- ``Collect`` (``collect.py``): a whole row that asks for digits and has them confirmed.

**The call's context.** A call carries a few named values in the query string of every URL
the engine hands Twilio (``call.action``, ``call.url(...)``), so any replica can serve the
next step. Each name is declared with a ``Slot(size, chars=DIGITS, collected=False)``: the
engine's own (``tries``, and ``entry``/``step`` of a Collect in progress), one per Collect
(its ``into``), and the tree's own (``CONTEXT`` in ``states/``). Declared sizes must fit
``CONTEXT_BUDGET`` characters together, checked at start-up. A handler reads
``call.context.get("account")``; a missing or odd value (too long, other characters) reads
as ``None``, never as an error. An exit handler keeps a value for later states with
``call.keep("team", "sales")`` (``None`` forgets it). Collected values are masked in logs.

**Collect and confirm**, one row of the table::

    "account": collect(
        into="account",             # the confirmed digits land in call.context["account"]
        then="account_menu",        # where the call goes once they are confirmed
        give_up="reception",        # after MAX_RETRIES (or attempts=) failed tries
        words={"en-US": {"ask": "Please enter your account number, then press pound."}},
        max_length=8,               # up to 8 digits ended by #; or length=10 for exactly ten
        valid=lambda digits: len(digits) >= 4,   # optional; refused entries hear "invalid"
        default=None,               # optional: call -> digits offered first (the caller ID)
    ),

The caller hears ``ask``; their digits are read back one by one ("You entered 1, 2, 3, 4.
Press 1 to confirm, or 2 to enter it again."); 1 goes on to ``then``, 2 asks again. An
entry that is too short, too long or refused by ``valid`` hears ``invalid`` and is asked
again; silence hears ``silence``. Each of these, and each 2, counts as a try. A ``default``
value that passes the same checks is offered first with ``offer`` ("We have the number
...") and confirmed the same way; a withheld or unusable one goes straight to ``ask``.
``words`` may also change ``confirm``, ``offer``, ``invalid`` and ``silence`` (defaults in
``COLLECT_WORDS``; ``{digits}`` is where the digits are read).

**Languages.** A state's prompts are ``{language: {name: sentence}}``, read with
``call.words(WORDS)`` in ``call.language`` (the caller's choice from the URL, else the first
of LANGUAGES); start-up renders every state and stops on a language or prompt missing.
``Keys(words=..., announce=...)`` give, per language, the words a caller may say and what
each key does (``call.announcements``). ``choose_language`` (``languages.py``) is the row
that offers LANGUAGES; with one language the call passes it at once.

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
# Leave too: a queued caller goes on at the Enqueue's action, anyone else is hung up on.
ENDING_VERBS = ("Hangup", "Reject", "Leave")
# Every character a line-splitting tool may honour (str.splitlines' list, and DEL), written as
# an escape, so that no value can start a line of its own in the log.
LINE_BREAKS = {code: f"\\u{code:04x}" for code in (*range(0x20), 0x7F, 0x85, 0x2028, 0x2029)}
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

    ``words`` maps each language to the words a caller may say instead of a key
    (``{"en-US": {"support": "support"}, "es-US": {"soporte": "support"}}``); ``announce``
    maps each language to a sentence per key (``{"en-US": {"2": "For support, press two."}}``),
    which the state reads out with ``call.announcements``; then every key must have one.
    ``otherwise`` takes invalid input, ``silence`` a timeout (default: ``otherwise``). Digits
    are looked up whole: "12" is not "1" (Twilio posts one key to a ``numDigits="1"`` menu, so
    more are not from Twilio's Gather, and are invalid). Both
    count as a failed try; after ``MAX_RETRIES`` failed tries in a row the call goes to
    ``give_up`` instead, so nobody is kept at a menu forever.
    """

    keys: Mapping[str, str]
    otherwise: str
    words: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    silence: str | None = None
    give_up: str | None = None
    announce: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def edges(self) -> list[tuple[str, str]]:
        edges = [(key, state) for key, state in self.keys.items()]
        for words in self.words.values():
            edges += [(f'"{word}"', state) for word, state in words.items()]
        edges.append(("other key", self.otherwise))
        edges.append(("silence", self.silence or self.otherwise))
        if self.give_up:
            edges.append(("too many tries", self.give_up))
        return edges

    def spoken(self, call: Call) -> Mapping[str, str]:
        """The words a caller may say, in their language (each language has words of its own)."""
        return find_words(self.words, call.language) if self.words else {}

    def decide(self, call: Call) -> tuple[str, bool]:
        """Return the next state and whether the input was a failed try."""
        if call.digits:
            state = self.keys.get(call.digits)
            return (state, False) if state else (self.otherwise, True)
        if call.speech:
            words = self.spoken(call)
            for word in re.findall(r"\w+", call.speech.lower()):
                if word in words:
                    return words[word], False
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
        return self.exit is not None and not isinstance(self.exit, str)

    def edges(self) -> list[tuple[str, str]]:
        """(label, state) for every state this one can lead to."""
        edges = [("closed", self.when_closed)] if self.when_closed else []
        if isinstance(self.exit, str):
            edges.append(("", self.exit))
        elif self.exit is not None:
            edges += self.exit.edges()
        return edges


# The call's context: named values carried in the URLs ########################

DIGITS = "0123456789"
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
# The query string a call's context may fill in every URL, at most. Twilio accepts URLs of
# 4,000 characters and more; a budget this small leaves room for any proxy or PUBLIC_URL path.
CONTEXT_BUDGET = 512


class Slot(NamedTuple):
    """A named value the call carries in its URLs: at most ``size`` characters of ``chars``.

    ``collected`` marks what the caller entered (an account, a phone number): it is masked in
    log lines, and TwiML that reads it is never cached, as it differs from call to call.
    """

    size: int
    chars: str = DIGITS
    collected: bool = False

    def read(self, text: str) -> str | None:
        """The value from a URL, or None when it is odd: too long, empty, other characters."""
        if 0 < len(text) <= self.size and all(char in self.chars for char in text):
            return text
        return None


# What the engine itself carries: failed tries, and the state of a Collect in progress.
ENGINE_SLOTS = {
    "tries": Slot(2),
    "entry": Slot(20, collected=True),  # digits awaiting the caller's confirmation
    "step": Slot(8, LETTERS),  # which prompt a Collect plays next
    "lang": Slot(6, LETTERS + "-"),  # the caller's language, when there are several
}


def state_url(prefix: str, state: str, part: str | None = None, context=None) -> str:
    """The path of a state's webhook; the only place a URL is spelled out."""
    url = f"{prefix}/state/{state}/{part}" if part else f"{prefix}/state/{state}"
    if not context:
        return url
    return url + "?" + "&".join(f"{name}={value}" for name, value in sorted(context.items()))


class Context(Mapping):
    """The call's named values, as a handler reads them: ``call.context.get("account")``.

    Only declared names can be read (another name is a bug in the tree, caught at start-up);
    an absent or odd value reads as ``None``. Every name read is remembered, so the engine
    can reuse TwiML rendered for the same values.
    """

    __slots__ = ("_call", "_values", "read")

    def __init__(self, call: Call, values: Mapping[str, str]):
        self._call = call
        self._values = values
        self.read: set[str] = set()

    def __getitem__(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def get(self, name: str, default=None):
        slot = self._call.slots.get(name)
        if slot is None:
            raise ContextError(f"{self._call.state}: {name!r} is not a declared context name")
        self.read.add(name)
        value = self._values.get(name)
        if value is not None and slot.collected:
            self._call.volatile = True
        return default if value is None else value

    def __iter__(self):
        return iter(self._values)

    def __len__(self):
        return len(self._values)


class ContextError(LookupError):
    """A handler read or kept a context name the tree did not declare, or a value too big."""


# The call, as a handler sees it ##############################################


class Call:
    """What a handler may know: the input, the context from the URL, the config, the clock.

    Reading the input, the clock or a collected value marks the answer as ``volatile``;
    anything else a handler renders depends only on the state and the context values it read,
    so the engine renders it once for those values and reuses it.
    """

    __slots__ = (
        "_context",
        "_is_open",
        "_now",
        "_params",
        "_trail",
        "clock",
        "config",
        "exit",
        "kept",
        "prefix",
        "slots",
        "state",
        "values",
        "volatile",  # set once the answer depends on the input, the clock or collected values
    )

    def __init__(
        self,
        state,
        config,
        params=None,
        context=None,
        clock=None,
        prefix="",
        is_open=None,
        slots=None,
        exit=None,
        trail=(),
    ):
        self.state = state
        self.exit = exit
        self.config = config
        self._params: Mapping[str, str] = params or {}
        self.slots: Mapping[str, Slot] = ENGINE_SLOTS if slots is None else slots
        self.values: Mapping[str, str] = context or {}  # the context, as it came in the URL
        self._context: Context | None = None  # made when a handler first reads it
        self.kept: dict[str, str | None] = {}
        self.clock = clock
        self.prefix = prefix
        self._is_open = is_open
        self._now: datetime | None = None
        self._trail = trail
        self.volatile = False

    @property
    def context(self) -> Context:
        """What earlier steps learned: ``call.context.get("account")``."""
        if self._context is None:
            self._context = Context(self, self.values)
        return self._context

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

    @property
    def language(self) -> str:
        """The caller's language: their choice from the URL, if it is one of LANGUAGES."""
        chosen = self.context.get("lang")
        return chosen if chosen in self.config.languages else self.config.language

    def words(self, words: Mapping[str, Mapping[str, str]]) -> Mapping[str, str]:
        """A state's prompts in the caller's language, from ``{language: {name: sentence}}``."""
        return words_in(words, self.language, self.config.languages)

    @property
    def tries(self) -> int:
        """Failed tries in a row at this state (invalid keys, silence), from the URL."""
        return min(int(self.context.get("tries", "0")), self.config.max_retries)

    @property
    def announcements(self) -> list[str]:
        """What each key of this state's menu does, in key order, in the caller's language."""
        if not isinstance(self.exit, Keys) or not self.exit.announce:
            return []
        said = self.words(self.exit.announce)
        return [said[key] for key in self.exit.keys]

    # What an exit learned, for the states after it.
    def keep(self, name: str, value: str | None) -> None:
        """Carry ``value`` under ``name`` in every later URL of the call (None forgets it)."""
        slot = self.slots.get(name)
        if slot is None:
            raise ContextError(f"{self.state}: {name!r} is not a declared context name")
        if value is not None and slot.read(value) is None:
            raise ContextError(f"{self.state}: the value for {name!r} does not fit its slot")
        self.kept[name] = value

    # Where Twilio should go next; built here so states never spell a URL.
    @property
    def action(self) -> str:
        """The URL the waiting verb posts to: this state's exit, with the call's context."""
        return state_url(self.prefix, self.state, "exit", self.carried())

    def url(self, part: str, retry: bool = False, **once: str) -> str:
        """The URL of one of this state's callbacks, e.g. ``call.url("wait")``.

        ``once`` adds values for that callback alone, read there with ``call.param``: a
        callback Twilio sends after the call (a recording's) carries few of the call's
        parameters, and ends the call's path, so they need no slot. ``retry`` asks Twilio to
        send it again when it fails (see ``TryAgain``).
        """
        url = state_url(self.prefix, self.state, part, self.carried())
        values = {name: value for name, value in once.items() if value}
        if values:
            url += ("&" if "?" in url else "?") + urlencode(values)
        return url + RETRY_FRAGMENT if retry else url

    def carried(self) -> dict[str, str]:
        """Every context value, for a URL: the TwiML then depends on all of them."""
        values = {}
        for name in self.slots:
            value = self.context.get(name)
            if value is not None:
                values[name] = value
        return values


# Words in several languages #################################################


class MissingWords(LookupError):
    """A state has no words in one of LANGUAGES, or fewer than in the default language."""


def words_in(words: Mapping, language: str, languages=()) -> Mapping[str, str]:
    """The words for ``language`` (or, failing that, its primary language: en-GB finds en-US).

    Every language of ``languages`` must have every name the first one has: checked each
    time, as this is how start-up finds a prompt missing before any caller does.
    """
    if (id(words), languages) in _COMPLETE:
        return find_words(words, language)
    for other in languages:
        missing = set(find_words(words, languages[0])) - set(find_words(words, other))
        if missing:
            raise MissingWords(f"no {other} words for {', '.join(sorted(missing))}")
    _COMPLETE.add((id(words), languages))
    return find_words(words, language)


_COMPLETE: set[tuple[int, tuple]] = set()  # words found complete: prompts are module constants


def find_words(words: Mapping, language: str) -> Mapping[str, str]:
    found = words.get(language)
    if found is None:
        primary = language.split("-")[0]
        found = next((v for k, v in words.items() if k.split("-")[0] == primary), None)
    if found is None:
        raise MissingWords(f"no {language} words")
    return found


def as_verbs(verbs: Verbs) -> list:
    if verbs is None:
        return []
    return list(verbs) if isinstance(verbs, (list, tuple)) else [verbs]


def event_line(event: str, **fields) -> str:
    """One log line: the event, then key=value pairs, quoted when a value needs it."""
    parts = [event]
    for key, value in fields.items():
        parts.append(f"{key}={shown(str(value))}")
    return " ".join(parts)


def shown(text: str) -> str:
    """A log value as written: quoted when empty, or when it holds what ends or splits a value.

    `in` on each character is a tenth of a regular expression's cost: this runs for every
    field of every line.
    """
    if not text or not text.isprintable() or " " in text or '"' in text or "=" in text:
        return json.dumps(text, ensure_ascii=False).translate(LINE_BREAKS)
    return text


def seconds(text: str) -> int:
    """A duration Twilio posted (QueueTime, RecordingDuration), in whole seconds; 0 if odd."""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 7 else 0


def mask_number(number: str) -> str:
    """Keep the last four digits of a caller's number: enough to tell calls apart in a log."""
    if not number:
        return "-"
    head = "+" if number.startswith("+") else ""
    tail = number[-4:] if len(number) > 6 else number[-2:]
    return head + "*" * (len(number) - len(head) - len(tail)) + tail
