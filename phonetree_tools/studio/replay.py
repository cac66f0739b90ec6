"""Replay a studio call from its start up to a moment, over HTTP, as the carrier places calls.

Each step of the page replays the whole call: the address alone says what happened, so any
address reproduces its moment, and the server keeps nothing of a call between steps. While a
call is replayed, the app's log lines and messages that carry its CallSid are gathered into
its `Walk`; past the actions the page had already shown (``known``), a message may go out for
real when the person asked for it.
"""

from __future__ import annotations

import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from phonetree_engine import carriers
from phonetree_engine.delivery import Outcome
from phonetree_tools.caller import CallFailed, HTTPTransport, SimulatedCall
from phonetree_tools.studio import business
from phonetree_tools.studio.moment import WORDS_PER_SECOND, Action, Moment, recorded_seconds
from phonetree_tools.studio.seams import CLOCK_HEADER

NOT_A_STUDIO_CALL = "not sent: the studio sends the messages of its own calls only"
MAX_AUTOMATIC = 10  # the carrier's actions in a row with none of the caller's: the tree goes round
STATE_PATH = re.compile(r"/state/([^/?#]+)")


@dataclass
class Walk:
    """What one replay of a call made the app log and send."""

    sid: str
    deliver: bool = False  # the person asked for messages to go out for real
    live: bool = False  # past the actions already shown: a message now is a new one
    entries: list = field(default_factory=list)  # logread.Entry, in the order logged
    messages: dict = field(default_factory=dict)  # (id, kind) -> what the business would get


class Walks:
    """The calls being replayed, by CallSid: where the app's log lines and messages go."""

    def __init__(self, config):
        self.config = config
        self.following: dict[str, Walk] = {}
        self.lock = threading.Lock()

    @contextmanager
    def follow(self, walk: Walk):
        with self.lock:
            self.following[walk.sid] = walk
        try:
            yield walk
        finally:
            with self.lock:
                self.following.pop(walk.sid, None)

    def take_entry(self, entry) -> None:
        walk = self.following.get(entry.fields.get("call", ""))
        if walk is not None:
            walk.entries.append(entry)

    def hand_message(self, message, real, wait=None) -> Outcome:
        """Keep what the business would get; send it for real only when asked, and new.

        A message shown, not sent, counts as taken, so that the caller hears what a caller
        would; one of no studio call is neither shown nor sent, and says so.
        """
        walk = self.following.get(str(message.fields.get("call_sid", "")))
        if walk is None:
            return Outcome(failed=dict.fromkeys(real.names, NOT_A_STUDIO_CALL))
        sent = walk.live and walk.deliver and bool(real.channels)
        outcome = real.deliver(message, wait) if sent else Outcome(taken=list(real.names))
        shown = business.shown(message, self.config, sent=sent, outcome=outcome)
        walk.messages[message.id, message.kind] = shown  # a carrier's retry: the latest attempt
        return outcome


@dataclass
class Played:
    """A call replayed up to its moment, and what the page shows of it."""

    moment: Moment
    actions: list[Action] = field(default_factory=list)  # the moment's, then the carrier's own
    events: list[dict] = field(default_factory=list)  # the transcript, in order
    first_heard: list[str] = field(default_factory=list)
    steps: list[tuple[Action, list[str]]] = field(default_factory=list)  # and what was heard
    failure: str | None = None
    heard: int = 0
    call: SimulatedCall | None = None
    walk: Walk | None = None
    carrier: str = "Twilio"  # who plays the other side of the call, by name

    def hear(self, call: SimulatedCall) -> None:
        for item in call.heard_verbs[self.heard :]:
            self.events.append(
                {
                    "kind": "heard",
                    "text": item.text,
                    "verb": item.verb,
                    "language": item.language,
                    "url": item.url,
                    "request": item.request,
                }
            )
        self.heard = len(call.heard_verbs)

    def act(self, call: SimulatedCall, action: Action) -> None:
        self.actions.append(action)
        self.events.append(
            {
                "kind": "carrier" if action.by_carrier else "caller",
                "text": action.described(self.carrier),
                "step": len(self.actions),
            }
        )
        method, arguments = action.caller_method()
        sent = len(call.requests)
        getattr(call, method)(**arguments)
        if action.kind == "press":
            posted = call.requests[sent].params.get("Digits") if len(call.requests) > sent else ""
            if posted != action.value:  # the Gather stopped listening, as on a phone
                self.events.append(
                    {"kind": "note", "text": f"{self.carrier} sent {posted or 'no keys'}"}
                )
        self.hear(call)
        self.steps.append((action, list(call.last_heard)))

    # What the page reads ##

    @property
    def waiting(self) -> str | None:
        return self.call.waiting_for

    @property
    def queued(self) -> bool:
        return queued(self.call)

    @property
    def state(self) -> str | None:
        """The state the call waits in: the one its waiting verb posts to."""
        verb = self.call.waiting_verb
        if verb is None:  # (an Element without children is false: a Record, an Enqueue)
            return None
        found = STATE_PATH.search(urlsplit(verb.get("action") or "").path)
        return found.group(1) if found else None

    @property
    def passed(self) -> list[str]:
        """Every state this call entered, in the order first entered."""
        names: dict[str, None] = {}
        for entry in self.walk.entries:
            if entry.event == "webhook":
                names.update(
                    dict.fromkeys(n for n in entry.fields.get("entered", "").split(",") if n)
                )
        return list(names)

    @property
    def last_state(self) -> str | None:
        """The state the app entered last, as its log says: where an ended call ended."""
        for entry in reversed(self.walk.entries):
            entered = entry.fields.get("entered", "") if entry.event == "webhook" else ""
            if entered:
                return entered.split(",")[-1]
        return None

    @property
    def requests(self) -> list:
        return sorted(self.call.requests + self.call.callbacks, key=lambda seen: seen.sequence)


def queued(call: SimulatedCall) -> bool:
    return not call.ended and bool(call.outcome) and call.outcome[0] == "queue"


class Caller:
    """Places the studio's calls to the app over HTTP, signed and addressed as its carrier would.

    ``signing`` is ``SimulatedCall``'s carrier and key arguments (``playing.signing``).
    """

    def __init__(self, base_url: str, config, walks: Walks, signing: dict):
        self.base_url, self.walks, self.signing = base_url, walks, signing
        self.public_url = config.public_url or base_url
        self.prefix = urlsplit(config.public_url).path if config.public_url else ""
        self.carrier = carriers.unsigned(config).title

    def placed(self, moment: Moment) -> SimulatedCall:
        return SimulatedCall(
            HTTPTransport(self.base_url),
            public_url=self.public_url,
            headers={CLOCK_HEADER: moment.at.isoformat()},
            clock=lambda: moment.at,
            **self.signing,
        )

    def replay(self, moment: Moment, known: int | None = None, deliver: bool = False) -> Played:
        """Play the moment's actions, then the carrier's own until the caller's turn or the end.

        Messages of the actions from ``known`` on (default: none) go out for real if
        ``deliver``; the others are only shown.
        """
        known = len(moment.actions) if known is None else known
        call = self.placed(moment)
        walk = Walk(call.params["CallSid"], deliver=deliver)
        played = Played(moment, call=call, walk=walk, carrier=self.carrier)
        with self.walks.follow(played.walk):
            try:
                call.start(self.prefix + "/voice")
                played.hear(call)
                played.first_heard = list(call.last_heard)
                self.play(call, played, known)
            except CallFailed as error:
                played.hear(call)
                played.failure = str(error)
            if call.ended:
                self.hung_up(call, played)
        return played

    def play(self, call: SimulatedCall, played: Played, known: int) -> None:
        moment, automatic = played.moment, 0
        while True:
            index = len(played.actions)
            if index < len(moment.actions):
                action = moment.actions[index]
            else:
                last = played.actions[-1] if played.actions else None
                action = moment.automatic(call.waiting_for, queued(call), last)
                automatic += 1
                if action is None or automatic > MAX_AUTOMATIC:
                    return
            if not action.fits(call.waiting_for, queued(call)):
                now = "has ended" if call.ended else f"waits for {call.waiting_for}"
                played.failure = f"action {index + 1} ({action.token}): the call {now}"
                return
            played.walk.live = index >= known
            played.act(call, action)

    def hung_up(self, call: SimulatedCall, played: Played) -> None:
        """The number's status callback, as the carrier sends it once the call is over."""
        try:
            call.status_callback(self.prefix + "/status", duration=call_seconds(played))
        except CallFailed as error:
            played.failure = played.failure or str(error)


def call_seconds(played: Played) -> int:
    """How long the call took, roughly: its words spoken, its messages, its waits in a queue."""
    words = sum(len(item.text.split()) for item in played.call.heard_verbs)
    held = max((action.numbers[2] for action in played.actions if action.kind == "hold"), default=0)
    said = sum(recorded_seconds(a.value) for a in played.actions if a.kind in ("record", "hangup"))
    return round(words / WORDS_PER_SECOND) + held + said
