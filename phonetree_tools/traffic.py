"""Count what callers did, from log entries read in one pass (see ``logread``).

A webhook line says which state the call left (its path) and every state the answer entered,
so states and edges are counted one line at a time, whatever the order of the lines. Where a
call ended, and the times, follow the call while it is open: it ended in the state it entered
last and did not leave. A call closes ``GRACE`` seconds after its status line says it ended
or it reaches a terminal state (Twilio may post a Record's action and the status callback at
once, to two replicas), after ``STALE`` seconds of silence, or when the input ends; so memory
holds the calls still open, never the whole log.

A queue's hold state (a row's ``hold``) is its wait music, which the carrier fetches again each
time it runs out: the first fetch enters it from the queue (the "while queued" edge), later
ones while the caller is still there enter nothing. The states that play while a caller is
queued (the hold state and those its keys lead to) end in the queue: a ``Leave`` or a
``Hangup`` there is followed by the queue's own exit, which takes the call out of all of them.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter, OrderedDict, deque
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone, tzinfo
from itertools import pairwise

from phonetree_engine.checks import held_states
from phonetree_engine.tree import Keys, State
from phonetree_tools.logread import Entry

STATE_PATH = re.compile(r"/state/([^/]+)(?:/(.*))?\Z")
START_PATH = "/voice"
STALE = 4 * 3600  # Twilio ends a call after 4 hours unless told otherwise
GRACE = 60  # seconds a call stays open after it ended, for its last lines to arrive
REPEATS = 3600  # seconds a message is remembered, so a callback Twilio repeats counts once

# Business events that mean a caller left something for the business, and the outcome each is.
MESSAGES = {"recording": "left_message", "callback-request": "requested_callback"}
NOT_LEFT = ("absent", "failed", "in-progress")  # a recording's statuses that hold no message
FAILURES = ("handler-failed", "recovery-failed", "unknown-state", "refused")
OUTCOMES = (
    "reached_person",  # a Dial was answered
    "queued_and_bridged",
    "left_queue",  # the queue's exit said "leave": a Leave in its wait music
    "hung_up_in_queue",
    "left_message",
    "requested_callback",
    "hung_up_at_menu",  # ended in a state whose exit is a Keys menu
    "gave_up_after_retries",  # a menu's give_up edge
)
ANSWERED = ("completed", "answered")
QUEUE_RESULTS = {
    "bridged": "queued_and_bridged",
    "leave": "left_queue",
    "hangup": "hung_up_in_queue",
}
TIMES = ("to_person", "in_queue", "call")
# Lines read, and those skipped, by why: ``skipped`` is the sum of the three after it.
LINE_COUNTS = ("read", "skipped", "not_ours", "incomplete", "too_long")


class OpenCall:
    """What is followed of a call: when it began and was last seen, and where it is;
    ``waiting_since`` is when it last entered a state outside a queue's wait music (the queue
    itself, when it waits there)."""

    __slots__ = ("began", "here", "seen", "waiting_since")

    def __init__(self, began: float | None, seen: float):
        self.began, self.seen, self.waiting_since = began, seen, seen
        self.here: dict[str, tuple[int, float]] = {}  # state -> (entered - left, last entered)

    def move(self, time: float, leaving: str | None, entered: list[str]) -> None:
        if leaving:
            count, since = self.here.get(leaving, (0, time))
            self.here[leaving] = (count - 1, since)
        for name in entered:
            count, _ = self.here.get(name, (0, time))
            self.here[name] = (count + 1, time)
        for name in entered[:-1]:  # went on at once
            count, since = self.here[name]
            self.here[name] = (count - 1, since)

    def holds(self, name: str) -> bool:
        return self.here.get(name, (0, 0.0))[0] > 0

    def left_all(self, names: set[str]) -> None:
        """Out of every state of ``names`` (a queue's wait music, when the queue is left)."""
        for name, (count, since) in self.here.items():
            if count > 0 and name in names:
                self.here[name] = (0, since)

    def last_state(self) -> str | None:
        """The state entered last among those not left (the lines may come a little out of
        order across replicas, so counts decide first, then time)."""
        held = [(since, name) for name, (count, since) in self.here.items() if count > 0]
        return max(held)[1] if held else None


class Traffic:
    """The counts of a window of log lines, for one state table."""

    def __init__(
        self, table: Mapping[str, State], zone: tzinfo = timezone.utc, since=None, until=None
    ):
        self.table, self.zone = table, zone
        self.since, self.until = since, until  # epoch seconds, or None
        self.calls = 0
        self.entered: Counter = Counter()
        self.ended: Counter = Counter()  # state -> calls that ended in it
        self.edges: Counter = Counter()
        self.outcomes: Counter = Counter()
        self.failures: Counter = Counter()
        self.statuses: Counter = Counter()
        self.events: Counter = Counter()
        self.lines: Counter = Counter()
        self.times = {name: Counter() for name in TIMES}  # whole seconds -> calls
        self.hours = [0] * 24
        self.open: OrderedDict[str, OpenCall] = OrderedDict()  # least recently seen first
        self.messages: OrderedDict[tuple, float] = OrderedDict()  # key -> when, oldest first
        self.closing: deque[tuple[float, str]] = deque()  # (when, sid), in time order
        self.next_stale_check = float("-inf")
        self.give_ups = {  # a menu's or a collect's "too many tries"
            (name, row.exit.give_up)
            for name, row in table.items()
            if getattr(row.exit, "give_up", None)
        }
        self.held = held_states(table)  # the states that play while a caller is queued
        self.queues: dict[str, list[str]] = {}  # hold state -> the queue states it plays for
        for name, row in table.items():
            if row.hold:
                self.queues.setdefault(row.hold, []).append(name)
        self.queued = {queue for queues in self.queues.values() for queue in queues}
        # Where a call is over; not in a queue's wait music, where the queue's exit follows
        self.terminal = {name for name, row in table.items() if row.exit is None} - self.held

    # Reading ##

    def read(self, entries: Iterable[Entry]) -> Traffic:
        for entry in entries:
            self.add(entry)
        while self.open:  # still open when the input ends: they end where they are
            self.close(next(iter(self.open)))
        self.closing.clear()
        return self

    def add(self, entry: Entry) -> None:
        self.lines["read"] += 1
        if entry.event is None:
            self.skip("too_long" if entry.too_long else "not_ours")
            return
        if (self.since is not None and entry.time < self.since) or (
            self.until is not None and entry.time >= self.until
        ):
            self.lines["outside_window"] += 1
            return
        if not self.count(entry.event, entry.time, entry.fields):
            self.skip("incomplete")  # ours, but cut off or missing what we read
            return
        self.events[entry.event] += 1
        self.close_due(entry.time)

    def skip(self, why: str) -> None:
        self.lines["skipped"] += 1
        self.lines[why] += 1

    def count(self, event: str, time: float, fields: dict) -> bool:
        """Count one of our lines; False when it lacks what its event must have."""
        if event == "webhook":
            return self.webhook(time, fields)
        if event == "call-ended":
            return self.call_ended(time, fields)
        if event in MESSAGES:
            self.message(event, time, fields)
        elif event == "log-dropped":  # the app could not write some lines: counts are short
            self.lines["dropped_by_the_app"] += int(seconds(fields.get("lines")))
        elif event in FAILURES:
            self.failures[event.replace("-", "_")] += 1
        return True  # an event the report does not read is still counted in ``events``

    def webhook(self, time: float, fields: dict) -> bool:
        sid, path = fields.get("call"), fields.get("path")
        if not sid or path is None or "ms" not in fields:
            return False
        match = STATE_PATH.match(path)
        leaving = match.group(1) if match and match.group(2) == "exit" else None
        fetched = match.group(1) if match and match.group(2) is None else None  # entered by URL
        if "entered" in fields:
            entered = [name for name in fields["entered"].split(",") if name]
        else:  # written before lines listed every state: the one the call was left in
            moves = path == START_PATH or leaving or fetched
            entered = [fields["next"]] if moves and fields.get("next") in self.table else []
        call = self.follow(sid, time, path == START_PATH, bool(leaving or entered))
        steps = [leaving, *entered] if leaving else entered
        if call is not None and fetched in self.queues:  # a queue's wait music
            steps = self.wait_music(call, fetched) if entered else []
            entered = steps[-1:]
        self.entered.update(entered)
        for edge in pairwise(steps):
            self.edges[edge] += 1
            if edge in self.give_ups:
                self.outcomes["gave_up_after_retries"] += 1
        if fields.get("next") == "last-resort":
            self.failures["last_resort"] += 1
        self.results(time, fields, call)
        if call is not None and (leaving or entered):
            if leaving in self.queued:
                call.left_all(self.held)  # out of the queue: out of its wait music too
            call.move(time, leaving, entered)
            if any(name not in self.held for name in entered):
                call.waiting_since = time
            if entered and entered[-1] in self.terminal:
                self.closing.append((time + GRACE, sid))  # a terminal state: it is over
        return True

    def wait_music(self, call: OpenCall, hold: str) -> list[str]:
        """The steps of a fetch of ``hold``, a queue's wait music: none when the caller hears
        it again, else from the queue the call waits in (or the one queue it plays for)."""
        if call.holds(hold):
            return []
        call.left_all(self.held)  # (back to the music from a state it led to)
        queues = self.queues[hold]
        queue = next((name for name in queues if call.holds(name)), None)
        if queue is None and len(queues) == 1:
            queue = queues[0]
        return [hold] if queue is None else [queue, hold]

    def follow(self, sid: str, time: float, started: bool, moved: bool) -> OpenCall | None:
        """The open call of ``sid``, opened now if this line starts or moves it.

        Lines of one call written by two replicas in the same millisecond may come in either
        order: a call's start is counted even when a later line of it came first.
        """
        call = self.open.get(sid)
        if started and (call is None or call.began is None):
            self.calls += 1
            self.hours[hour_of_day(time, self.zone)] += 1
        if call is not None:
            call.seen = time
            if started and call.began is None:
                call.began = time
            self.open.move_to_end(sid)
        elif started or moved:
            call = self.open[sid] = OpenCall(time if started else None, time)
        return call

    def close(self, sid: str) -> None:
        call = self.open.pop(sid, None)
        if call is None:
            return
        state = call.last_state()
        if state is not None:
            self.ended[state] += 1

    def results(self, time: float, fields: dict, call: OpenCall | None) -> None:
        """How a Dial or a queue ended, and how long it took a person to answer."""
        if fields.get("dialcallstatus") in ANSWERED:
            self.outcomes["reached_person"] += 1
            if call is not None and call.began is not None:
                talked = seconds(fields.get("dialcallduration"))
                self.time("to_person", time - talked - call.began)
        queue = fields.get("queueresult")
        if queue is None:
            return
        waited = seconds(fields.get("queuetime"))
        self.time("in_queue", waited)
        if queue in QUEUE_RESULTS:
            self.outcomes[QUEUE_RESULTS[queue]] += 1
        if queue == "bridged" and call is not None and call.began is not None:
            self.time("to_person", call.waiting_since + waited - call.began)

    def call_ended(self, time: float, fields: dict) -> bool:
        if "duration" not in fields or not fields.get("status"):
            return False
        self.statuses[fields["status"]] += 1
        self.time("call", seconds(fields["duration"]))
        if fields.get("call") in self.open:
            self.closing.append((time + GRACE, fields["call"]))
        return True

    def message(self, event: str, time: float, fields: dict) -> None:
        """A message for the business; a callback Twilio repeats is counted once."""
        if fields.get("status") in NOT_LEFT:
            return
        key = (event, fields.get("call") or fields.get("sid") or time)
        while self.messages and next(iter(self.messages.values())) < time - REPEATS:
            self.messages.popitem(last=False)
        if key not in self.messages:
            self.outcomes[MESSAGES[event]] += 1
            self.messages[key] = time

    def time(self, name: str, value: float) -> None:
        self.times[name][max(0, round(value))] += 1

    def close_due(self, now: float) -> None:
        """Close the calls that ended a while ago, and those silent for too long."""
        while self.closing and self.closing[0][0] <= now:
            self.close(self.closing.popleft()[1])
        if now < self.next_stale_check:
            return
        self.next_stale_check = now + 60
        while self.open:
            sid, call = next(iter(self.open.items()))
            if call.seen >= now - STALE:
                return
            self.close(sid)

    # Results ##

    def ended_here(self, name: str) -> int:
        """Calls that ended in a state (or were still in it when the input ended)."""
        return self.ended[name]

    def summary(self) -> dict:
        """Everything counted, in the shape of ``report --format json``."""
        names = list(self.table) + sorted((set(self.entered) | set(self.ended)) - set(self.table))
        states = {
            name: {"entered": self.entered[name], "ended_here": self.ended_here(name)}
            for name in names
        }
        outcomes = {name: self.outcomes[name] for name in OUTCOMES}
        outcomes["hung_up_at_menu"] = sum(
            self.ended_here(name)
            for name, row in self.table.items()
            if isinstance(row.exit, Keys) and name not in self.held
        )
        return {
            "calls": self.calls,
            "states": states,
            "edges": self.edge_list(),
            "outcomes": outcomes,
            "times": {name: percentiles(self.times[name]) for name in TIMES},
            "failures": {
                name: self.failures[name]
                for name in (
                    "handler_failed",
                    "recovery_failed",
                    "unknown_state",
                    "refused",
                    "last_resort",
                )
            },
            "call_status": dict(sorted(self.statuses.items())),
            "calls_per_hour": list(self.hours),
            "lines": {
                name: self.lines[name]
                for name in (*LINE_COUNTS, "outside_window", "dropped_by_the_app")
            },
            "events": dict(sorted(self.events.items())),
        }

    def edge_list(self) -> list[dict]:
        """Every edge of the table (taken or not), then any other taken (after a recovery).

        A share is of the times its state was left; a queue's edge to its wait music leaves
        nothing, so its share is of the times the queue was entered.
        """
        drawn = list(dict.fromkeys((a, b) for a, row in self.table.items() for _, b in row.edges()))
        pairs = drawn + sorted(set(self.edges) - set(drawn))
        waits = {(name, row.hold) for name, row in self.table.items() if row.hold}
        out: Counter = Counter()
        for (source, target), count in self.edges.items():
            if (source, target) not in waits:
                out[source] += count
        edges = []
        for index, pair in enumerate(pairs):
            count = self.edges[pair]
            of = self.entered[pair[0]] if pair in waits else out[pair[0]]
            edges.append(
                {
                    "from": pair[0],
                    "to": pair[1],
                    "count": count,
                    "share": round(count / of, 4) if of else 0.0,
                    "in_table": index < len(drawn),
                }
            )
        return edges


def percentiles(counts: Counter) -> dict:
    """How many, the median and the 90th percentile (nearest rank), in whole seconds."""
    total = sum(counts.values())
    result = {"count": total, "median": None, "p90": None}
    if not total:
        return result
    ranks = {"median": math.ceil(0.5 * total), "p90": math.ceil(0.9 * total)}
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        for name, rank in ranks.items():
            if result[name] is None and seen >= rank:
                result[name] = value
    return result


def seconds(text) -> float:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return 0.0
    return value if math.isfinite(value) and value >= 0 else 0.0


@functools.lru_cache(maxsize=1024)
def quarter_hour(slot: int, zone: tzinfo) -> int:
    return datetime.fromtimestamp(slot * 900, zone).hour


def hour_of_day(time: float, zone: tzinfo) -> int:
    """The hour in the business's time zone; every zone's offset is a whole quarter-hour."""
    return quarter_hour(int(time // 900), zone)
