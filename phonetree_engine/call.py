"""The call, as a handler sees it: what the caller did, what the call carries, where it goes next.

**The call's context.** A call carries a few named values in the query string of every URL the
engine hands the carrier (``call.action``, ``call.url(...)``), so any replica can serve the next
step. Each name is declared with a ``Slot(size, chars=DIGITS, personal=False)``: the engine's
own (``tries``, ``lang``, and ``entry``/``step`` of a collect in progress), one per collect (its
``into``), and the tree's own (``Tree(context=...)``). Declared sizes must fit
``CONTEXT_BUDGET`` characters together, checked at start-up. A handler reads
``call.context.get("account")``; a missing or odd value (too long, other characters) reads as
``None``, never as an error. An exit handler keeps a value for later states with
``call.keep("team", "sales")`` (``None`` forgets it).

A ``personal`` slot holds what identifies a person (a number the caller entered): it travels
sealed (``seal.py``), is masked in log lines, and TwiML that reads it is never reused.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlencode

from phonetree_engine.seal import Seal
from phonetree_engine.tree import MAX_TRIES, RETRY_FRAGMENT, Keys
from phonetree_engine.words import words_in

DIGITS = "0123456789"
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
# The query string a call's context may fill in every URL, at most. Twilio accepts URLs of
# 4,000 characters and more; a budget this small leaves room for any proxy or PUBLIC_URL path.
CONTEXT_BUDGET = 512
SEALED = "sealed"  # the query value that holds the personal values, sealed


class Slot(NamedTuple):
    """A named value the call carries in its URLs: at most ``size`` characters of ``chars``.

    ``personal`` marks what identifies a person (an account, a phone number the caller
    entered): it is sealed in URLs, masked in log lines, and TwiML that reads it is never
    reused, as it differs from call to call.
    """

    size: int
    chars: str = DIGITS
    personal: bool = False

    def read(self, text: str) -> str | None:
        """The value from a URL, or None when it is odd: too long, empty, other characters."""
        if 0 < len(text) <= self.size and all(char in self.chars for char in text):
            return text
        return None


# What the engine itself carries: failed tries, the caller's language, a collect in progress.
ENGINE_SLOTS = {
    "tries": Slot(2),
    "entry": Slot(20, personal=True),  # digits awaiting the caller's confirmation
    "step": Slot(8, LETTERS),  # which prompt a collect plays next
    "lang": Slot(6, LETTERS + "-"),  # the caller's language, when there are several
}


class ContextError(LookupError):
    """A handler read or kept a context name the tree did not declare, or a value too big."""


@dataclass
class Setup:
    """What every call of one app shares: settings, clock, the names it carries, the seal,
    delivery, the tree's own words for what the engine says (``Tree.words``), the carrier."""

    config: Any
    clock: Callable[[], datetime] | None = None
    slots: Mapping[str, Slot] = field(default_factory=lambda: dict(ENGINE_SLOTS))
    seal: Seal | None = None
    delivery: Any = None
    words: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    carrier: Any = None

    @property
    def retry_fragment(self) -> str:
        """What a callback URL ends in to be retried on a 5xx, if the carrier can."""
        return self.carrier.RETRY_FRAGMENT if self.carrier is not None else RETRY_FRAGMENT


def state_url(prefix: str, state: str, part: str | None = None) -> str:
    """The path of a state's webhook; the only place a URL path is spelled out."""
    return f"{prefix}/state/{state}/{part}" if part else f"{prefix}/state/{state}"


def with_query(url: str, readable: Mapping[str, str], private: Mapping[str, str], seal) -> str:
    """``url`` with the context: readable values as they are, private ones sealed together."""
    pairs = [f"{name}={value}" for name, value in sorted(readable.items())]
    if private:
        if seal is None:
            raise ContextError("a personal value cannot travel without a seal key")
        pairs.append(f"{SEALED}={seal.seal(urlencode(sorted(private.items())))}")
    return f"{url}?{'&'.join(pairs)}" if pairs else url


def unsealed(pairs: list[tuple[str, str]], seal: Seal | None) -> list[tuple[str, str]]:
    """Query pairs with the sealed value opened in place; one that does not open is dropped."""
    if not pairs or SEALED not in dict(pairs):
        return pairs
    opened = []
    for name, value in pairs:
        if name != SEALED:
            opened.append((name, value))
            continue
        text = seal.open(value) if seal is not None else None
        if text is not None:
            opened += parse_qsl(text, keep_blank_values=True)
    return opened


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
        slot = self._call.setup.slots.get(name)
        if slot is None:
            raise ContextError(f"{self._call.state}: {name!r} is not a declared context name")
        self.read.add(name)
        value = self._values.get(name)
        if value is not None and slot.personal:
            self._call.volatile = True
        return default if value is None else value

    def __iter__(self):
        return iter(self._values)

    def __len__(self):
        return len(self._values)


class Call:
    """What a handler may know: the input, the context from the URL, the settings, the clock.

    Handlers read ``call.digits``, ``call.speech``, ``call.param(name)``, ``call.now`` and
    ``call.is_open`` (the business clock; never the system clock), ``call.language`` and
    ``call.words(WORDS)`` (their sentences in it), ``call.context.get(name)``, ``call.config``;
    they point the carrier at ``call.action`` (this state's exit), ``call.url(part)`` (one of its
    webhooks) and ``call.hold_url`` (its hold state).

    Reading the input, the clock or a personal value marks the answer as ``volatile``; anything
    else a handler renders depends only on the state and the context values it read, so the
    engine renders it once for those values and reuses it.
    """

    __slots__ = (
        "_context",
        "_is_open",
        "_now",
        "_params",
        "_query",
        "_trail",
        "exit",
        "hold",
        "kept",
        "prefix",
        "setup",
        "state",
        "values",
        "volatile",  # set once the answer depends on the input, the clock or personal values
    )

    def __init__(
        self,
        state: str,
        setup: Setup,
        params=None,
        context=None,
        prefix="",
        *,
        is_open=None,
        exit=None,
        hold=None,
        trail=(),
    ):
        self.state = state
        self.setup = setup
        self.exit, self.hold = exit, hold
        self._params: Mapping[str, str] = params or {}
        self.values: Mapping[str, str] = context or {}  # the context, as it came in the URL
        self._context: Context | None = None  # made when a handler first reads it
        self.kept: dict[str, str | None] = {}
        self.prefix = prefix
        self._is_open = is_open
        self._now: datetime | None = None
        self._trail = trail
        self._query: str | None = None  # the context as a query, sealed once per answer
        self.volatile = False

    @property
    def config(self):
        return self.setup.config

    @property
    def delivery(self):
        return self.setup.delivery

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

    def param_names(self) -> list[str]:
        self.volatile = True
        return list(self._params)

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
            self._now = self.config.now(self.setup.clock)
        return self._now

    @property
    def trail(self) -> tuple[str, ...]:
        """The states this answer passed through before this one, the state left first.

        Menu key 1 at the menu reaches voicemail with ``("menu", "sales")``; a caller who left
        the support queue with ``("support",)``. Empty when the carrier asked for the state.
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
        """A state's sentences in the caller's language, from ``{language: {name: sentence}}``."""
        return words_in(words, self.language, self.config.languages)

    @property
    def tries(self) -> int:
        """Failed tries in a row at this state (invalid keys, silence), from the URL."""
        return min(int(self.context.get("tries", "0")), MAX_TRIES)

    @property
    def announcements(self) -> list[str]:
        """What the options of this state's menu do, in order, in the caller's language."""
        if not isinstance(self.exit, Keys):
            return []
        return [self.words(option.say) for option in self.exit.options if option.say]

    # What an exit learned, for the states after it.
    def keep(self, name: str, value: str | None) -> None:
        """Carry ``value`` under ``name`` in every later URL of the call (None forgets it)."""
        slot = self.setup.slots.get(name)
        if slot is None:
            raise ContextError(f"{self.state}: {name!r} is not a declared context name")
        if value is not None and slot.read(value) is None:
            raise ContextError(f"{self.state}: the value for {name!r} does not fit its slot")
        self.kept[name] = value

    # Where the carrier should go next; built here so states never spell a URL.
    @property
    def action(self) -> str:
        """The URL the waiting verb posts to: this state's exit, with the call's context."""
        return self.link(state_url(self.prefix, self.state, "exit"))

    @property
    def hold_url(self) -> str:
        """The URL of this state's hold state (an Enqueue's ``wait_url``)."""
        if not self.hold:
            raise ContextError(f"{self.state}: the row names no hold state")
        return self.link(state_url(self.prefix, self.hold))

    def url(self, part: str, retry: bool = False, **once: str) -> str:
        """The URL of one of this state's webhooks, e.g. ``call.url("recorded")``.

        ``once`` adds values for that webhook alone, read there with ``call.param``: a
        callback the carrier sends after the call (a recording's) carries few of the call's
        parameters, and ends the call's path, so they need no slot; they travel sealed.
        ``retry`` asks the carrier to send it again when it fails (see ``TryAgain``).
        """
        once = {name: value for name, value in once.items() if value}
        url = self.link(state_url(self.prefix, self.state, part), once)
        return url + self.setup.retry_fragment if retry else url

    def link(self, url: str, once: Mapping[str, str] | None = None) -> str:
        """``url`` with the call's context (and ``once``); one sealed value per answer, so that
        every URL of one answer carries the same."""
        if not once and self._query is not None:
            return url + self._query
        readable, private = {}, dict(once or {})
        for name, slot in self.setup.slots.items():
            value = self.context.get(name)
            if value is not None:
                (private if slot.personal else readable)[name] = value
        linked = with_query(url, readable, private, self.setup.seal)
        if not once:
            self._query = linked[len(url) :]
        return linked
