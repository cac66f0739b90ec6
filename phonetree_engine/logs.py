"""Where the log lines go: stderr, written in small batches.

One ``write()`` per webhook made every log line a system call, and under waitress's threads
each one a hand-over of the GIL: it cost a quarter of the throughput. Lines are written
together instead, at most ``INTERVAL`` seconds late; warnings, errors and business events go
out at once, and so does whatever is pending when the process exits or is told to stop
(SIGTERM).
"""

from __future__ import annotations

import atexit
import logging
import os
import signal
import sys
import threading
import time

INTERVAL = 0.25  # seconds a line may wait
FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class BatchedStreamHandler(logging.StreamHandler):
    """A StreamHandler that writes what it has every INTERVAL seconds, in one write."""

    def __init__(self, stream=None, interval: float | None = None):
        super().__init__(stream)
        self.pending: list[str] = []
        self.interval = interval or INTERVAL
        threading.Thread(target=self._drain_forever, name="log-writer", daemon=True).start()
        atexit.register(self.drain)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.pending.append(self.format(record))
        except Exception:
            self.handleError(record)
        if record.levelno >= logging.WARNING or getattr(record, "business", False):
            self.drain()

    def drain(self) -> None:
        """Write every pending line now."""
        with self.lock:  # the same lock handle() holds around emit()
            lines, self.pending = self.pending, []
            if not lines:
                return
            try:
                self.stream.write("\n".join(lines) + "\n")
                self.flush()
            except (OSError, ValueError):  # the stream is closed or gone: nowhere to write
                pass

    def _drain_forever(self) -> None:
        while True:
            time.sleep(self.interval)
            self.drain()


class Formatter(logging.Formatter):
    """The standard format, with the clock formatted once a second rather than once a line."""

    def __init__(self):
        super().__init__(FORMAT)
        self._second = (None, "")  # one tuple, so threads swap it whole

    def formatTime(self, record, datefmt=None):
        second, text = self._second
        if second != int(record.created):
            second = int(record.created)
            text = time.strftime("%Y-%m-%d %H:%M:%S", self.converter(second))
            self._second = (second, text)
        return f"{text},{int(record.msecs):03d}"


def business_event(logger: logging.Logger, line: str, level: int = logging.INFO) -> None:
    """Write a fact the business must not lose (a voicemail, a callback request, a failed
    delivery): at once, before the webhook is answered, whatever LOG_LEVEL says."""
    record = logger.makeRecord(logger.name, level, "", 0, line, None, None)
    record.business = True
    logger.handle(record)  # handle(), not log(): no level check


def setup_logging(logger: logging.Logger, level: str = "INFO") -> None:
    """Send ``logger``'s lines to stderr, unless the host application set up logging."""
    if logging.getLogger().handlers or logger.handlers:
        return
    handler = BatchedStreamHandler(sys.stderr)
    handler.setFormatter(Formatter())
    logger.addHandler(handler)
    logger.propagate = False  # waitress.serve adds a root handler; one line per event is enough
    logger.setLevel(level)
    # What the logging HOWTO suggests when these are not logged: each record is cheaper.
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    drain_on_sigterm(handler)


def drain_on_sigterm(handler: BatchedStreamHandler) -> None:
    """Platforms stop a process with SIGTERM, which skips atexit: write the last lines first."""
    if threading.current_thread() is not threading.main_thread():
        return
    previous = signal.getsignal(signal.SIGTERM)
    if previous not in (signal.SIG_DFL, None):
        return  # someone else handles SIGTERM; atexit still drains on a clean exit

    def stop(signum, frame):
        handler.drain()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
