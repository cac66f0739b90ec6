"""Messages for the business, through channels: email (``email.py``), a JSON POST (``post.py``).

Settings in, messages out: this package knows neither the engine nor the tree. ``CHANNELS`` is
the registry, one entry and one module each; a module declares its settings (``GROUP``) and makes
its channel from a config (``channel(config)``, None when it is not configured).

``Delivery.deliver(message)`` hands the message to every channel at once and says which took it,
within ``DEADLINE`` seconds for the whole exchange whatever a server does (silent, slow, trickling
a byte at a time): at the deadline an unfinished channel's socket is shut, so its thread, socket
and buffers go at once. A Twilio callback can then answer 2xx when every channel took the message
and 5xx (Twilio retries) otherwise; a live call knows whether any channel took it.

**What is guaranteed**: every message reaches each channel at least once while Twilio retries (or
the failure is in the log, ``delivery-failed``). A copy carries the same id on every channel (the
email's Message-ID, the POST's ``id`` and ``Idempotency-Key``), so a receiver can drop repeats.
Copies are rare: a process remembers what each channel took for an hour and does not send it
again on a retry it serves; a retry served by another replica cannot know (there is no shared
storage), and the receiver sees the same id twice.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field

DEADLINE = 12.0  # seconds for a whole delivery: inside the 15 s Twilio waits for our answer
REMEMBERED = 10_000  # deliveries a process remembers, so that a retry does not send them again
REMEMBER_SECONDS = 3600.0


@dataclass(frozen=True)
class Message:
    """One thing the business must hear about: a voicemail, its transcript, a callback request.

    ``id`` names the thread (a voicemail and its transcript share it); ``kind`` tells the
    messages of a thread apart; ``follows`` is the kind this one answers in the thread.
    ``fields`` are the structured facts, ``text`` the same for a person to read.
    """

    id: str
    kind: str
    subject: str
    text: str
    when: object  # an aware datetime, in the business's time zone
    fields: Mapping[str, object] = field(default_factory=dict)
    follows: str | None = None

    @property
    def key(self) -> str:
        return f"{self.id}.{self.kind}"


class NotDelivered(Exception):
    """A channel did not take a message; the text says why, without secrets."""


@dataclass(frozen=True)
class Refused:
    """A recipient a server refused for good (a 5xx): retrying cannot help, a person must."""

    channel: str
    address: str
    reason: str


@dataclass
class Outcome:
    """What became of a message: the channels that took it, those that did not (and why), the
    recipients refused for good."""

    taken: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    refused: list[Refused] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # still trying, past the wait asked for

    @property
    def complete(self) -> bool:
        """Every channel took it: a callback may answer 2xx."""
        return not self.failed and not self.pending


# An exchange with a server, bounded as a whole ###############################


class Exchange:
    """The connections one channel opens for one message, and the time left: ``abort()`` ends it.

    A channel opens each connection with ``connect`` and sets each operation's timeout to
    ``left()``, so no read waits past the deadline; ``abort`` shuts the connections (through a
    duplicate of each socket, which still reaches it once TLS wraps it), which wakes a thread
    blocked on one of them, even on a server that trickles a byte at a time.
    """

    def __init__(self, deadline: float):
        self.deadline = deadline
        self.handles: list[socket.socket] = []
        self.aborted = False
        self.lock = threading.Lock()

    def left(self) -> float:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0 or self.aborted:
            raise TimeoutError("out of time")
        return remaining

    def connect(self, address: tuple[str, int], timeout=None, source_address=None):
        """``socket.create_connection``, watched (its signature, so clients can take it)."""
        sock = socket.create_connection(address, self.left(), source_address)
        handle = socket.socket(fileno=os.dup(sock.fileno()))
        with self.lock:
            self.handles.append(handle)
            aborted = self.aborted
        if aborted:
            _shut(handle)
        return sock

    def abort(self) -> None:
        with self.lock:
            self.aborted = True
            handles = list(self.handles)
        for handle in handles:
            _shut(handle)

    def close(self) -> None:
        """Let go of the duplicates (the channel closes its own sockets)."""
        with self.lock:
            handles, self.handles = self.handles, []
        for handle in handles:
            handle.close()


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed, or never connected
        sock.shutdown(socket.SHUT_RDWR)


def describe(error: BaseException) -> str:
    text = str(error).strip() or "no detail"
    return f"{type(error).__name__}: {text}"[:200]


# Delivery ####################################################################


class Memory:
    """What each channel took, by message, for an hour: a retry is not sent again."""

    def __init__(self, size: int = REMEMBERED, seconds: float = REMEMBER_SECONDS, clock=None):
        self.size, self.seconds = size, seconds
        self.clock = clock or time.monotonic
        self.taken: OrderedDict[tuple[str, str], float] = OrderedDict()
        self.lock = threading.Lock()

    def has(self, key: str, channel: str) -> bool:
        if key.startswith("."):  # a message with no id of its own: never taken for another
            return False
        with self.lock:
            self._forget_old()
            return (key, channel) in self.taken

    def add(self, key: str, channel: str) -> None:
        if key.startswith("."):
            return
        with self.lock:
            self.taken[(key, channel)] = self.clock()
            self.taken.move_to_end((key, channel))
            while len(self.taken) > self.size:
                self.taken.popitem(last=False)

    def _forget_old(self) -> None:
        now = self.clock()
        while self.taken and next(iter(self.taken.values())) < now - self.seconds:
            self.taken.popitem(last=False)


class Delivery:
    """The configured channels; ``deliver`` tries them all at once, all within ``deadline``."""

    def __init__(self, channels: list, deadline: float | None = None, memory: Memory | None = None):
        self.channels = channels
        self.deadline = deadline or DEADLINE
        self.memory = memory or Memory()
        self.later: Later | None = None  # made on first use, with how its tries are reported

    @classmethod
    def from_config(cls, config, deadline: float | None = None) -> Delivery:
        made = [module.channel(config) for module in CHANNELS.values()]
        return cls([channel for channel in made if channel is not None], deadline)

    @property
    def names(self) -> list[str]:
        return [channel.name for channel in self.channels]

    def deliver(self, message: Message, wait: float | None = None) -> Outcome:
        """Send ``message`` on every channel that has not taken it yet; say how it went.

        ``wait`` (seconds, shorter than the deadline) answers early, for a live call: a channel
        still trying then is ``pending``, and goes on alone until the deadline, what it takes
        remembered.
        """
        outcome = Outcome()
        todo = []
        for channel in self.channels:
            if self.memory.has(message.key, channel.name):
                outcome.taken.append(channel.name)
            else:
                todo.append(channel)
        deadline = time.monotonic() + self.deadline
        until = min(deadline, time.monotonic() + wait) if wait is not None else deadline
        runs = [Run(channel, message, Exchange(deadline), self.memory) for channel in todo]
        for run in runs:
            run.start()
        for run in runs:
            run.join(max(0.0, until - time.monotonic()))
        for run in runs:
            if run.is_alive() and until < deadline:
                outcome.pending.append(run.channel.name)
                continue
            run.join(1.0)  # at the deadline the exchange was ended: it returns at once
            name = run.channel.name
            if run.error is None and run.done:
                outcome.taken.append(name)
                outcome.refused += run.refused
            else:
                outcome.failed[name] = run.error or f"no answer in {self.deadline:g} s"
        return outcome


class Later:
    """Messages not every channel took, tried again in the background, for a carrier that does
    not retry a failed callback itself (see ``phonetree_engine/carriers``).

    Each is tried again after each of ``SCHEDULE``'s waits (about 38 minutes in all), on the
    channels that did not take it yet (``Memory``), while the process lives; ``report(message,
    outcome, final)`` hears how each try went. At most ``LIMIT`` wait at once: ``add`` says
    whether one more fits.
    """

    SCHEDULE = (30.0, 60.0, 120.0, 300.0, 600.0, 1200.0)
    LIMIT = 1000

    def __init__(self, delivery: Delivery, report, schedule=None, clock=time.monotonic):
        self.delivery, self.report = delivery, report
        self.schedule = tuple(schedule or self.SCHEDULE)
        self.clock = clock
        self.waiting: list[tuple[float, int, Message]] = []  # (when, tries so far, message)
        self.ready = threading.Condition()
        self.thread: threading.Thread | None = None

    def add(self, message: Message) -> bool:
        with self.ready:
            if len(self.waiting) >= self.LIMIT:
                return False
            self.waiting.append((self.clock() + self.schedule[0], 1, message))
            if self.thread is None:
                self.thread = threading.Thread(target=self.run, name="deliver-later", daemon=True)
                self.thread.start()
            self.ready.notify()
        return True

    def __len__(self) -> int:
        with self.ready:
            return len(self.waiting)

    def run(self) -> None:
        while True:
            with self.ready:
                while not self.waiting:
                    self.ready.wait()
                due = min(self.waiting, key=lambda item: item[0])
                wait = due[0] - self.clock()
                if wait > 0:
                    self.ready.wait(wait)
                    continue
                self.waiting.remove(due)
            _, tries, message = due
            outcome = self.delivery.deliver(message)
            final = outcome.complete or tries >= len(self.schedule)
            if not final:
                with self.ready:
                    self.waiting.append((self.clock() + self.schedule[tries], tries + 1, message))
            # A report that fails must not end the retries of the others.
            with contextlib.suppress(Exception):
                self.report(message, outcome, final)


class Run(threading.Thread):
    """One channel sending one message, on a thread of its own, within its exchange's deadline:
    there a timer ends the exchange, whatever the server does. What it takes is remembered."""

    def __init__(self, channel, message: Message, exchange: Exchange, memory: Memory):
        super().__init__(name=f"deliver-{channel.name}", daemon=True)
        self.channel, self.message, self.exchange = channel, message, exchange
        self.memory = memory
        self.error: str | None = None
        self.refused: list[Refused] = []
        self.done = False

    def run(self) -> None:
        timer = threading.Timer(self.exchange.deadline - time.monotonic(), self.exchange.abort)
        timer.daemon = True
        timer.start()
        try:
            self.refused = list(self.channel.send(self.message, self.exchange) or ())
            self.memory.add(self.message.key, self.channel.name)
            self.done = True
        except NotDelivered as error:
            self.error = str(error)
        except Exception as error:  # a bug in a channel must not pass for delivery
            self.error = describe(error)
        finally:
            timer.cancel()
            self.exchange.close()


# The registry ################################################################


def _channels() -> dict:
    from phonetree_engine.delivery import email, post

    return {"email": email, "post": post}


CHANNELS: Mapping[str, object] = _channels()


def channel_groups() -> list:
    """Each channel's settings, for the engine's list of settings."""
    return [module.GROUP for module in CHANNELS.values()]
