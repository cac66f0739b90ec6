"""The vocabulary of a phone tree: a table of states, their exits, and the tree as a whole.

A tree is a dict of ``State`` rows. A state's *enter* handler returns the TwiML the caller hears
(it gets the ``Call``, see ``call.py``); its *exit* says where the call goes next:

- ``None``: a terminal state; its TwiML must end the call (Hangup, or Leave inside a queue).
- ``"menu"``: go on to that state at once, in the same answer.
- ``Keys``, ``Outcome`` or ``Choose``: wait for what the caller (or the carrier) does; the verb
  that waits (Gather, Dial, Record, Enqueue) posts to ``call.action``, and the exit turns what
  was posted into the next state's name. Each declares every state it can lead to.
- ``collect(...)`` (``collect.py``) and ``choose_language(...)`` (``languages.py``): whole rows
  that collect and confirm digits, and offer the tree's languages.

A menu's options are ``Option``s, each in one place: its key, where it leads, and per language
what the menu says of it and what a caller may say instead::

    Keys(
        [
            Option("1", "sales", say={"en-US": "For sales, press one."}, hear={"en-US": "sales"}),
            Option("0", "reception", say={"en-US": "For the receptionist, press zero."}),
        ],
        otherwise="error",      # a key no option has, or words none listens for
        silence="no_choice",    # nothing at all (default: otherwise)
        give_up="transfer",     # after MAX_RETRIES (or tries=N) failed tries in a row
    )

A row may also say ``when_closed="unavailable"`` (enter that state instead outside business
hours), ``hold="hold"`` (the state whose TwiML plays while this state's Enqueue waits, at
``call.hold_url``: a state of the table like any other, whose keys the table can see), and
``webhooks={"recorded": handler}`` (the state's other webhooks, at ``/state/<name>/recorded``,
e.g. a recording's status callback).

``Tree`` gathers what the app factory takes: the table, where calls start and recover, the
sentences the engine says on the tree's behalf (an apology, collect prompts, the fallback
route's), how a person is reached when all else fails, and the business's own settings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from twilio.twiml import TwiML

from phonetree_engine.words import Phrases, find_words, split_phrases

if TYPE_CHECKING:
    from phonetree_engine.call import Call, Slot

STATE_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}\Z")
WAITING_VERBS = ("Gather", "Dial", "Record", "Enqueue")
# Leave too: a queued caller goes on at the Enqueue's action, anyone else is hung up on.
ENDING_VERBS = ("Hangup", "Reject", "Leave")
# What a queue's wait music may use (the carrier's rule for an Enqueue's waitUrl).
HOLD_VERBS = ("Say", "Play", "Pause", "Gather", "Redirect", "Leave", "Hangup")
MAX_CHAIN = 16  # states entered in one answer; the check keeps real chains far shorter
MAX_TRIES = 99  # the most failed tries a URL can count (its slot holds two digits)

# Twilio's connection override: retry a callback up to 5 times on a 5xx, a failed connection
# or a read timeout. Not part of the signed URL: HTTP clients never send the fragment.
RETRY_FRAGMENT = "#rc=5&rp=5xx,ct,rt"


class TableError(ValueError):
    """The tree is wrong; the message lists every problem, naming the state and the file."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("the state table is wrong:\n" + "\n".join(f"- {p}" for p in problems))


class TransitionError(RuntimeError):
    """An exit handler chose a state it did not declare."""


class TryAgain(RuntimeError):
    """A webhook could not do its work yet (a message was not delivered): answered with a 5xx,
    so that the carrier sends it again when its URL asks for retries (``call.url(retry=True)``).
    """


# Exits ######################################################################


@dataclass(frozen=True)
class Option:
    """One choice of a menu: its key, the state it leads to, and per language what the menu
    says of it (``say``) and the words a caller may say for it (``hear``, comma-separated)."""

    key: str
    to: str
    say: Mapping[str, str] = field(default_factory=dict)
    hear: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Keys:
    """Go where the caller's key (or spoken words) say, among ``options``.

    ``otherwise`` takes a key no option has and words none listens for, ``silence`` a timeout
    (default: ``otherwise``). Digits are looked up whole: "12" is not "1" (a ``numDigits="1"``
    Gather posts one key, so more are not from it). Both count as a failed try; after ``tries``
    failed tries in a row (default MAX_RETRIES) the call goes to ``give_up`` instead, so nobody
    is kept at a menu forever.
    """

    options: Sequence[Option]
    otherwise: str
    silence: str | None = None
    give_up: str | None = None
    tries: int | None = None

    def edges(self) -> list[tuple[str, str]]:
        edges = []
        for option in self.options:
            edges.append((option.key, option.to))
            heard = [p for words in option.hear.values() for p in split_phrases(words)]
            edges += [(f'"{phrase}"', option.to) for phrase in dict.fromkeys(heard)]
        edges.append(("other key", self.otherwise))
        edges.append(("silence", self.silence or self.otherwise))
        if self.give_up:
            edges.append(("too many tries", self.give_up))
        return edges

    @property
    def listens(self) -> bool:
        """Whether a caller may speak an option, not only press its key."""
        return any(option.hear for option in self.options)

    def hints(self, language: str) -> list[str]:
        """The phrases a caller may say in ``language``, for the speech recognizer."""
        return [p for o in self.options for p in split_phrases(_heard(o, language))]

    def phrases(self, language: str) -> Phrases:
        return Phrases((p, o.to) for o in self.options for p in split_phrases(_heard(o, language)))

    def limit(self, config) -> int:
        return self.tries or config.max_retries

    def decide(self, call: Call) -> tuple[str, bool]:
        """Return the next state and whether the input was a failed try."""
        if call.digits:
            chosen = next((o.to for o in self.options if o.key == call.digits), None)
            return (chosen, False) if chosen else (self.otherwise, True)
        if call.speech:
            chosen = self.phrases(call.language).find(call.speech)
            return (chosen, False) if chosen else (self.otherwise, True)
        return self.silence or self.otherwise, True


def _heard(option: Option, language: str) -> str:
    if not option.hear:
        return ""
    return find_words(option.hear, language)


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


Verbs = TwiML | list | tuple | None


class State(NamedTuple):
    """One row of the table."""

    enter: Callable[[Call], Verbs]
    exit: Any = None  # None, a state's name, Keys, Outcome, Choose, Collect or ChooseLanguage
    # Where to go instead of entering this state when the business is closed.
    when_closed: str | None = None
    # The state whose TwiML plays while this state's Enqueue waits (its waitUrl).
    hold: str | None = None
    # Other webhooks of this state, at /state/<name>/<key> (a recording's status callback, ...).
    webhooks: Mapping[str, Callable[[Call], Verbs]] = {}

    @property
    def waits(self) -> bool:
        return self.exit is not None and not isinstance(self.exit, str)

    def edges(self) -> list[tuple[str, str]]:
        """(label, state) for every state this one can lead to."""
        edges = [("closed", self.when_closed)] if self.when_closed else []
        if self.hold:
            edges.append(("while queued", self.hold))
        if isinstance(self.exit, str):
            edges.append(("", self.exit))
        elif self.exit is not None:
            edges += self.exit.edges()
        return edges


# The tree ###################################################################

# The sentences the engine says on a tree's behalf, by name; a tree gives each in each language.
ENGINE_WORDS = {
    "apology": "before going on after something failed on our side",
    "connecting": "when even that fails, before the person is rung (the last resort)",
    "not_connected": "when the person did not answer then; the call ends",
    "fallback_apology": "on the fallback route, before the person is rung",
    "fallback_record": "on the fallback route, asking for a message after the beep",
    "fallback_thanks": "on the fallback route, after a message",
    "fallback_nothing": "on the fallback route, when no message came",
    "collect_confirm": "a collect's read-back: {digits} is where the digits are said",
    "collect_offer": "a collect's offer of a number it has: {digits}",
    "collect_invalid": "a collect's answer to an entry it cannot take",
    "collect_silence": "a collect's answer to silence",
}


@dataclass(frozen=True)
class Tree:
    """A whole phone tree, as the app factory takes it.

    ``words`` gives, per language, every sentence of ``ENGINE_WORDS``; ``person(config,
    **attrs)`` returns the Dial that reaches a person when the tree itself cannot go on (the
    last resort, the fallback route), ``attrs`` being the Dial's own (its ``action``);
    ``settings`` declares the business's settings (a ``Group``), read with the engine's;
    ``defaults`` gives the tree's own defaults, as text, for any setting the environment leaves
    unset (``{"LANGUAGES": "fr-CA,en-US", "TIMEZONE": "America/Toronto"}``); ``context`` the
    names the tree's handlers carry in its URLs, each a ``Slot``.
    """

    table: Mapping[str, State]
    start: str
    recovery: str
    words: Mapping[str, Mapping[str, str]]
    person: Callable[..., TwiML]
    settings: Any = None
    defaults: Mapping[str, str] = field(default_factory=dict)
    context: Mapping[str, Slot] = field(default_factory=dict)
