"""Where the log lines go: stderr, through a queue, so no request ever waits on the stream.

Request threads hand each record to a bounded queue (the standard library's `QueueHandler`) and
go on; one thread (a `QueueListener`) writes them to stderr, everything queued in one write. A
quiet server writes each line at once. A busy one writes at most every ``LINGER`` seconds, many
lines per system call: waking the writer for every line cost a few percent of the throughput,
in thread switches. Errors and business events are written at once, busy or not, and so is
everything queued when `flush` is called (at start-up, on SIGTERM, at exit).

If stderr is slow, full (a pipe nobody reads) or gone, the queue fills and what does not fit is
dropped and counted: ordinary lines first, business events last (a business event pushes out the
oldest ordinary line). When a write succeeds again, a ``log-dropped`` line says how many were
lost; `dropped()` gives the counts to the health check at any time.

Business events, the facts a business must not lose (a voicemail recorded, a callback asked
for), have an API of their own::

    from phonetree_engine import logs

    logs.business.info(event_line("recording", call=sid, url=url))   # last to be dropped
    if not logs.write_business_event(event_line("recording", call=sid, url=url)):
        ...  # not written within BUSINESS_WAIT seconds: e.g. answer 5xx so Twilio retries

Any logger named ``phonetree.business`` (or below it), or any record logged with
``extra={"business": True}``, is a business event. `write_business_event` queues the line like
any other, then waits (at most ``BUSINESS_WAIT`` seconds, never longer) until the writer has
written it, and says whether it was: a request thread never waits on a stuck stream for longer
than that, and never at all for an ordinary line.
"""

from __future__ import annotations

import atexit
import collections
import logging
import logging.handlers
import queue
import re
import sys
import threading
import time

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
CAPACITY = 10_000  # records the queue holds while the stream is stuck: a few MB at most
BATCH = 500  # records written in one write() at most, so a recovered stream sees lines soon
BUSINESS_WAIT = 2.0  # seconds write_business_event waits for its line to be written
LINGER = 0.1  # seconds an ordinary line may wait after a write, for others to join it
BUSINESS = "phonetree.business"

business = logging.getLogger(BUSINESS)


def is_business(record: logging.LogRecord) -> bool:
    # vars(), not getattr: a missing attribute costs an exception, on every line.
    return record.name.startswith(BUSINESS) or vars(record).get("business", False)


def is_urgent(record: logging.LogRecord | None) -> bool:
    """Written without lingering: the listener's stop, errors, business events."""
    return record is None or record.levelno >= logging.ERROR or is_business(record)


# The queue ###################################################################


class DroppingQueue:
    """A bounded queue whose put never blocks: what does not fit is dropped and counted.

    When full, an ordinary record is dropped; a business event takes the place of the oldest
    ordinary record instead, and is dropped only when the queue holds nothing but business
    events. It has the methods `QueueHandler` and `QueueListener` use.
    """

    def __init__(self, capacity: int = CAPACITY, linger: float = LINGER):
        self.capacity, self.linger_seconds = capacity, linger
        self.records: collections.deque = collections.deque()
        self.ready = threading.Condition(threading.Lock())  # guards the counts and the wake-up
        self.dropped = {"lines": 0, "business": 0}
        self.sleeping = None  # the writer waits: for ANY record, or for an URGENT one
        self.hurry = False  # an urgent record, or a flush, is waiting: no lingering
        self.linger_until = 0.0  # (monotonic) ordinary records wait for this after a write
        self.busy = False  # the writer holds records not yet written

    def put_nowait(self, record) -> None:
        # The common path takes no lock: deque.append is atomic. None is the listener's stop
        # sentinel, which always fits.
        queued = len(self.records)
        if queued > self.capacity // 2:
            time.sleep(0)  # let a writer that is behind (not stuck) have the GIL: never blocks
        if record is not None and queued >= self.capacity:
            with self.ready:
                if not (is_business(record) and self._drop_oldest_ordinary()):
                    self._count(record)
                    return
        self.records.append(record)
        # Set and read after the append: a writer going to sleep sees one or the other.
        if self.sleeping is ANY:
            self.wake()
        elif is_urgent(record):
            self.hurry = True
            if self.sleeping is URGENT:
                self.wake()

    def wake(self) -> None:
        with self.ready:
            self.ready.notify()

    def hurry_up(self) -> None:
        """Have the writer write what is queued now, not when it stops lingering."""
        self.hurry = True
        self.wake()

    put = put_nowait

    def _drop_oldest_ordinary(self) -> bool:
        for queued in list(self.records):
            if queued is not None and not is_business(queued):
                try:
                    self.records.remove(queued)
                except ValueError:  # the writer took it meanwhile
                    continue
                self._count(queued)
                return True
        return False

    def _count(self, record) -> None:
        self.dropped["lines"] += 1
        if is_business(record):
            self.dropped["business"] += 1

    def get(self, block: bool = True, timeout: float | None = None):
        """The oldest record; only the writer's thread calls it."""
        self.busy = True  # before the pop, so that flush() never sees neither
        if block and self.linger_until > time.monotonic():
            self.linger()
        while True:
            try:
                return self.records.popleft()
            except IndexError:
                if not block:
                    raise queue.Empty from None
            with self.ready:
                self.sleeping = ANY
                if not self.records:
                    self.busy = False
                    self.ready.wait(timeout)
                self.sleeping = None
                self.busy = True

    def linger(self) -> None:
        """After a write, let ordinary records gather until LINGER is over; urgent ones end it."""
        with self.ready:
            self.sleeping = URGENT
            if not self.hurry:
                self.ready.wait(self.linger_until - time.monotonic())
            self.sleeping = None
            self.hurry = False
            self.linger_until = 0.0

    def empty(self) -> bool:
        return not self.records

    def lost(self, count: int) -> None:
        """The stream refused ``count`` records the writer had."""
        with self.ready:
            self.dropped["lines"] += count

    def __len__(self) -> int:
        return len(self.records)


ANY, URGENT = "any", "urgent"  # what a sleeping writer waits for


# The writer ##################################################################


class StreamWriter(logging.Handler):
    """Writes what the listener hands it: everything queued in one write, then flushes."""

    def __init__(self, stream, records: DroppingQueue):
        super().__init__()
        self.stream, self.records = stream, records
        self.pending: list[str] = []
        self.waiting: list[threading.Event] = []
        self.reported = {"lines": 0, "business": 0}

    def handle(self, record) -> bool:  # only the listener's thread calls it: no lock needed
        try:
            self.pending.append(self.format(record) + "\n")
        except Exception:
            self.pending.append("")  # still one record to account for
            self.handleError(record)
        written = vars(record).get("written")
        if written is not None:
            self.waiting.append(written)
        if self.records.empty() or len(self.pending) >= BATCH:
            self.write_out()
        return True

    def write_out(self) -> None:
        count, text, self.pending = len(self.pending), "".join(self.pending), []
        waiting, self.waiting = self.waiting, []
        try:
            self.stream.write(text)  # may block: only this thread waits
            self.stream.flush()
        except (OSError, ValueError):  # the stream is closed or gone: count what was lost
            self.records.lost(count)
            return
        for event in waiting:
            event.set()
        self.report_drops()
        if len(self.records) < BATCH:  # a writer that is a batch behind writes on at once
            self.records.linger_until = time.monotonic() + self.records.linger_seconds

    def report_drops(self) -> None:
        """After a write succeeds, say how many lines were dropped since the last report."""
        with self.records.ready:
            total = dict(self.records.dropped)
        if total == self.reported:
            return
        lost = {name: total[name] - self.reported[name] for name in total}
        self.reported = total
        line = logging.LogRecord("phonetree.logs", logging.WARNING, "", 0, "", None, None)
        line.msg = f"log-dropped lines={lost['lines']} business={lost['business']}"
        try:
            self.stream.write(self.format(line) + "\n")
            self.stream.flush()
        except (OSError, ValueError):
            pass


# What may break a line but "\n", which only a traceback holds (event_line escapes its own).
BREAKS = {
    code: f"\\u{code:04x}" for code in (0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029)
}


BREAKING = re.compile("[" + "".join(map(chr, BREAKS)) + "]")


class Formatter(logging.Formatter):
    """The standard format, with the clock formatted once a second rather than once a line.

    Characters other tools read as line breaks are escaped, whatever wrote the message.
    """

    def __init__(self):
        super().__init__(FORMAT)
        self._second = (None, "")  # one tuple, so threads swap it whole

    def format(self, record):
        if record.args or record.exc_info or record.exc_text or record.stack_info:
            text = super().format(record)
        else:  # a plain message, as event_line makes: FORMAT written out, at half the cost
            message = record.message = str(record.msg)
            text = f"{self.formatTime(record)} {record.levelname} {record.name} {message}"
        # Looking is a fifth of the cost of translating, and almost no line needs it.
        return text.translate(BREAKS) if BREAKING.search(text) else text

    def formatTime(self, record, datefmt=None):
        second, text = self._second
        if second != int(record.created):
            second = int(record.created)
            text = time.strftime("%Y-%m-%d %H:%M:%S", self.converter(second))
            self._second = (second, text)
        return f"{text},{int(record.msecs):03d}"


class Handler(logging.handlers.QueueHandler):
    """Puts records on the queue as they are, formatted later by the writer's thread.

    `QueueHandler.prepare` formats each record on the calling thread; our messages are plain
    strings (``event_line``), so the writer formats them, exceptions included.
    """

    def prepare(self, record):
        return record

    def handle(self, record) -> bool:
        # Without Handler.handle's lock: the queue is safe for threads, and never blocks.
        if self.filter(record):
            self.enqueue(record)
        return True


# Setting it up ###############################################################


class QueuedLog:
    """The queue, its listener thread and the stream: started once, flushed on exit."""

    def __init__(self, stream, capacity: int = CAPACITY, linger: float = LINGER):
        self.records = DroppingQueue(capacity, linger)
        self.writer = StreamWriter(stream, self.records)
        self.writer.setFormatter(Formatter())
        self.handler = Handler(self.records)
        self.listener = logging.handlers.QueueListener(self.records, self.writer)
        self.listener.start()

    def flush(self, timeout: float = 2.0) -> bool:
        """Wait (at most ``timeout`` seconds) until every queued line is written."""
        deadline = time.monotonic() + timeout
        while self.records.records or self.records.busy:
            if time.monotonic() > deadline:
                return False
            self.records.hurry_up()  # again: lines logged meanwhile may have made it linger
            time.sleep(0.01)
        return True

    def dropped(self) -> dict[str, int]:
        with self.records.ready:
            return dict(self.records.dropped)


_active: QueuedLog | None = None


def setup_logging(logger: logging.Logger, level: str = "INFO", stream=None) -> None:
    """Send every log line (ours at ``level``, the server's warnings) through the queue.

    Does nothing when the host application has set up logging itself.
    """
    global _active
    root = logging.getLogger()
    if root.handlers or logger.handlers:
        return
    _active = QueuedLog(sys.stderr if stream is None else stream)
    root.addHandler(_active.handler)
    logger.setLevel(level)
    business.setLevel(logging.INFO)  # facts the business needs, whatever LOG_LEVEL says
    # What the logging HOWTO suggests when these are not logged: each record is cheaper.
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    atexit.register(flush)


def active() -> QueuedLog | None:
    """The queue setup_logging installed, if it did."""
    return _active


def flush(timeout: float = 2.0) -> bool:
    """Write what is queued, waiting at most ``timeout`` seconds; True when all was written."""
    return _active.flush(timeout) if _active else True


def dropped() -> dict[str, int]:
    """Lines dropped since start-up: ``{"lines": all of them, "business": business events}``."""
    return _active.dropped() if _active else {"lines": 0, "business": 0}


def business_event(message: str) -> threading.Event:
    """Log a business event at INFO; the event is set once the line is written.

    Without the queue (logging set up by a host application) the line goes to its handlers as
    any other, and counts as written at once.
    """
    written = threading.Event()
    if _active is None:
        business.info(message)
        written.set()
    else:
        business.info(message, extra={"business": True, "written": written})
    return written


def write_business_event(message: str, wait: float = BUSINESS_WAIT) -> bool:
    """Log a business event at INFO and wait until it is written; False if not in ``wait`` s."""
    return business_event(message).wait(wait)
