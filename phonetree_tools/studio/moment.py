"""A moment of a studio call, as the page's address holds it: the clock, the outcomes, and
every action so far, the caller's and the carrier's.

An action is a short token (``3``, ``_``, ``say:hours``, ``dial:busy``, ...); `Action.caller_method`
is the one place that says which method of ``SimulatedCall`` plays it, for the studio's replay
and for the tests it saves alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

KEYS = set("0123456789*#")
DIAL_RESULTS = ("completed", "answered", "busy", "no-answer", "failed", "canceled")
# Enqueue's QueueResult when the carrier ends the wait; "hangup" is the caller hanging up instead,
# and "wait" keeps the caller holding, hearing the queue's wait music.
QUEUE_RESULTS = ("bridged", "queue-full", "error", "system-error")
QUEUE_CHOICES = ("wait", *QUEUE_RESULTS, "hangup")
MAX_ACTIONS = 100  # a call's actions, caller's and the carrier's: a long call has a few dozen
MAX_SAID = 500  # characters said, or left as a message
MAX_SECONDS = 24 * 3600
WORDS_PER_SECOND = 2.5  # how fast a caller speaks a message, for its recording's duration


class BadMoment(ValueError):
    """An address (or a request) the studio cannot replay; the text says why."""


class Action(NamedTuple):
    """One thing that happened: ``kind`` is press, say, silence, dial, hold, queue, record or
    hangup; ``value`` the keys, words or result; ``numbers`` a hold's position, average wait
    and time waited."""

    kind: str
    value: str = ""
    numbers: tuple[int, ...] = ()

    @property
    def token(self) -> str:
        if self.kind == "press":
            return self.value
        if self.kind == "silence":
            return "_"
        if self.kind == "hold":
            return "hold:" + ",".join(str(number) for number in self.numbers)
        return f"{self.kind}:{self.value}" if self.value or self.kind != "hangup" else "hangup"

    @property
    def by_carrier(self) -> bool:
        """The carrier's side of the call (a Dial or a queue ending), not the caller's."""
        return self.kind in ("dial", "hold", "queue")

    def fits(self, waiting: str | None, queued: bool) -> bool:
        """Whether a call waiting for ``waiting`` (in a queue, or not) can take this action."""
        if self.kind == "queue":
            return queued
        if self.kind == "hangup":
            return waiting is not None
        needs = {"dial": "dial", "hold": "queue", "record": "record"}
        return waiting == needs.get(self.kind, "input")

    def caller_method(self) -> tuple[str, dict]:
        """The ``SimulatedCall`` method that plays this action, and its arguments."""
        if self.kind == "press":
            return "press", {"digits": self.value}
        if self.kind == "say":
            return "say", {"speech": self.value}
        if self.kind == "silence":
            return "silence", {}
        if self.kind == "dial":
            return "dial_result", {"status": self.value}
        if self.kind == "hold":
            position, average, waited = self.numbers
            return "hold", {"position": position, "queue_time": waited, "avg_queue_time": average}
        if self.kind == "queue":
            return "queue_result", {"result": self.value}
        message = {"duration": recorded_seconds(self.value)}
        if self.value:
            message["transcript"] = self.value
        return ("record", message) if self.kind == "record" else ("hang_up", message)

    def described(self, carrier: str = "Twilio") -> str:
        """What happened, for the transcript; ``carrier`` names the carrier's side."""
        words = f"“{self.value}”"
        if self.kind == "press":
            return f"pressed {self.value}"
        if self.kind == "say":
            return f"said {words}"
        if self.kind == "silence":
            return "stayed silent"
        if self.kind == "dial":
            return f"{carrier}: the Dial ended, {self.value}"
        if self.kind == "hold":
            position, average, waited = self.numbers
            return (
                f"{carrier}: holding in the queue, caller number {position}, "
                f"average wait {average} s, waited {waited} s"
            )
        if self.kind == "queue":
            return f"{carrier}: the wait in the queue ended, {self.value}"
        if self.kind == "record":
            return f"left the message {words}, then pressed #" if self.value else "said nothing"
        return f"left the message {words}, and hung up" if self.value else "hung up"


def recorded_seconds(words: str) -> int:
    """How long a message of these words takes to say; 0 (nothing recorded) for none."""
    return max(1, round(len(words.split()) / WORDS_PER_SECOND)) if words.strip() else 0


def action(token: str) -> Action:
    """Read one action token; BadMoment says what is wrong with it."""
    kind, colon, value = token.partition(":")
    if not colon:
        if token == "_":
            return Action("silence")
        if token == "hangup":
            return Action("hangup")
        if token and set(token) <= KEYS and len(token) <= 40:
            return Action("press", token)
        raise BadMoment(f"{token[:40]!r} is neither keys (0-9 * #), _ nor an action like say:…")
    if kind in ("say", "record", "hangup"):
        if len(value) > MAX_SAID or (kind == "say" and not value.strip()):
            raise BadMoment(f"{kind}: up to {MAX_SAID} characters, and something to say")
        return Action(kind, value.strip())
    if kind == "dial" and value in DIAL_RESULTS:
        return Action(kind, value)
    if kind == "queue" and value in QUEUE_RESULTS:
        return Action(kind, value)
    if kind == "hold":
        return Action(kind, numbers=hold_numbers(value.split(",")))
    raise BadMoment(f"{token[:40]!r}: no such action (dial:{'|'.join(DIAL_RESULTS)}, ...)")


def hold_numbers(texts: list[str]) -> tuple[int, int, int]:
    """A queue position (1 or more), an average wait and a time waited (seconds)."""
    try:
        position, average, waited = (int(text) for text in texts)
    except ValueError:
        raise BadMoment("hold: position, average wait, time waited: three whole numbers") from None
    if not (1 <= position <= 999 and 0 <= average <= MAX_SECONDS and 0 <= waited <= MAX_SECONDS):
        raise BadMoment("hold: a position from 1 to 999, waits from 0 to 86400 seconds")
    return position, average, waited


@dataclass
class Moment:
    """A call up to a moment: when it is, how the carrier ends a Dial or a queue, what happened."""

    at: datetime
    actions: list[Action] = field(default_factory=list)
    dial: str = "no-answer"
    queue: str = "wait"
    hold: tuple[int, int, int] = (1, 0, 0)  # position, average wait, time waited

    def automatic(self, waiting: str | None, queued: bool, last: Action | None) -> Action | None:
        """What the carrier does next by itself, if anything: a Dial ends as ``dial`` says, a wait
        in the queue as ``queue`` says; holding, the wait music plays once per caller action."""
        if waiting == "dial":
            return Action("dial", self.dial)
        if not queued:
            return None
        if self.queue == "hangup":
            return Action("hangup")
        if self.queue != "wait":
            return Action("queue", self.queue)
        if waiting == "queue" and (last is None or last.kind != "hold"):
            return Action("hold", numbers=self.hold)
        return None


def from_address(query, zone, resolve_clock) -> Moment:
    """Read a moment from the page's address (a mapping of lists, as parse_qs gives).

    ``at`` is the call's moment (ISO, with its offset; without one, in ``zone``); without it
    ``clock`` (now, open, closed or a date and time) is resolved by ``resolve_clock``.
    """

    def one(name, default=""):
        values = query.get(name) or [default]
        return values[-1]

    text = one("at")
    at = read_time(text, zone) if text else resolve_clock(one("clock", "now"))
    tokens = query.get("do") or []
    if len(tokens) > MAX_ACTIONS:
        raise BadMoment(f"at most {MAX_ACTIONS} actions in a call")
    dial, queue = one("dial", "no-answer"), one("queue", "wait")
    if dial not in DIAL_RESULTS:
        raise BadMoment(f"dial={dial[:20]!r}: expected one of {', '.join(DIAL_RESULTS)}")
    if queue not in QUEUE_CHOICES:
        raise BadMoment(f"queue={queue[:20]!r}: expected one of {', '.join(QUEUE_CHOICES)}")
    hold = hold_numbers([one("position", "1"), one("average", "0"), one("waited", "0")])
    actions = []
    for number, token in enumerate(tokens, 1):
        try:
            actions.append(action(token))
        except BadMoment as error:
            raise BadMoment(f"action {number}: {error}") from None
    return Moment(at, actions, dial, queue, hold)


def read_time(text: str, zone) -> datetime:
    """An ISO date and time; without an offset, in ``zone``."""
    try:
        moment = datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError:
        raise BadMoment(f"{text[:40]!r} is not a date and time like 2026-11-24T10:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)
