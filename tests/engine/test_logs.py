"""Log lines: the standard format, through a queue that never blocks, drops counted."""

import io
import logging
import subprocess
import sys
import threading
import time

import pytest

from phonetree_engine import logs
from phonetree_engine.lines import event_line
from phonetree_engine.logs import FORMAT, DroppingQueue, Formatter
from tests.engine.streams import RecordingStream, StuckStream, install, queued


def record(level=logging.INFO, created=None, name="phonetree", message="webhook call=CA1"):
    line = logging.LogRecord(name, level, __file__, 1, message, None, None)
    if created is not None:
        line.created, line.msecs = created, (created - int(created)) * 1000
    return line


def business(message="recording call=CA1"):
    return record(name=logs.BUSINESS, message=message)


@pytest.mark.parametrize("created", [1e9, 1764000000.5, 1764000001.999])
def test_formatter_writes_what_the_standard_formatter_writes(created):
    line = record(created=created)
    assert Formatter().format(line) == logging.Formatter(FORMAT).format(line)


def failed_record():
    try:
        raise ValueError("boom")
    except ValueError:
        line = record(level=logging.ERROR, message="handler-failed path=%s")
        line.args, line.exc_info = ("/voice",), sys.exc_info()
        return line


def failed_event():
    """log.exception(event_line(...)): a message of its own, and a traceback."""
    try:
        raise ValueError("boom")
    except ValueError:
        line = record(level=logging.ERROR, message="handler-failed path=/voice")
        line.exc_info = sys.exc_info()
        return line


@pytest.mark.parametrize(
    "line",
    [
        record(message="plain"),
        record(message="%d lines", level=logging.WARNING),
        failed_record(),
        failed_event(),
    ],
    ids=["plain", "args", "traceback", "event-and-traceback"],
)
def test_formatter_writes_what_the_standard_formatter_writes_of_any_record(line):
    if line.msg == "%d lines":
        line.args = (3,)
    assert Formatter().format(line) == logging.Formatter(FORMAT).format(line)


@pytest.mark.parametrize("breaking", ["\r", "\x0b", "\x0c", "\x1c", "\x85", "\u2028"])
def test_a_message_from_anyone_never_breaks_its_line(breaking):
    # A waitress warning quoting a header, an exception's text: not written by event_line.
    line = Formatter().format(record(message=f"bad header{breaking}X-Forged: webhook call=CA1"))
    assert len(line.splitlines()) == 1
    assert f"bad header\\u{ord(breaking):04x}X-Forged" in line


# The queue ###################################################################


def test_a_full_queue_drops_the_new_ordinary_line():
    queue = DroppingQueue(capacity=2)
    for number in range(3):
        queue.put_nowait(record(message=f"line {number}"))
    assert [queue.get().msg for _ in range(2)] == ["line 0", "line 1"]


def test_a_full_queue_counts_what_it_dropped():
    queue = DroppingQueue(capacity=2)
    for _ in range(5):
        queue.put_nowait(record())
    assert queue.dropped == {"lines": 3, "business": 0}


def test_a_business_event_pushes_out_the_oldest_ordinary_line():
    queue = DroppingQueue(capacity=2)
    queue.put_nowait(record(message="old"))
    queue.put_nowait(record(message="new"))
    queue.put_nowait(business())
    assert [queue.get().msg for _ in range(2)] == ["new", "recording call=CA1"]


def test_a_business_event_is_dropped_only_when_all_queued_are_business_events():
    queue = DroppingQueue(capacity=2)
    for _ in range(3):
        queue.put_nowait(business())
    assert queue.dropped == {"lines": 1, "business": 1}


def test_a_business_event_pushes_out_an_ordinary_line_queued_behind_a_business_event():
    queue = DroppingQueue(capacity=2)
    queue.put_nowait(business("recording call=CA1"))
    queue.put_nowait(record(message="ordinary"))
    queue.put_nowait(business("recording call=CA2"))
    assert [queue.get().msg for _ in range(2)] == ["recording call=CA1", "recording call=CA2"]
    assert queue.dropped == {"lines": 1, "business": 0}


def test_extra_business_marks_a_business_event():
    line = record()
    line.business = True
    assert logs.is_business(line)


def test_a_put_on_a_full_queue_returns_at_once():
    queue = DroppingQueue(capacity=1)
    queue.put_nowait(record())
    finished = threading.Event()
    threading.Thread(target=lambda: (queue.put_nowait(record()), finished.set())).start()
    assert finished.wait(5)


# The writer ##################################################################


def test_queued_lines_are_written_in_order():
    stream = io.StringIO()
    log = queued(stream)
    for number in range(3):
        log.handler.handle(record(message=f"line {number}"))
    assert log.flush(5)
    assert stream.getvalue() == "INFO line 0\nINFO line 1\nINFO line 2\n"


def test_a_stuck_stream_keeps_no_caller_waiting():
    stream = StuckStream()
    log = queued(stream, capacity=10)
    done = threading.Event()

    def log_many():
        for _ in range(1000):
            log.handler.handle(record())
        done.set()

    threading.Thread(target=log_many).start()
    try:
        assert done.wait(10)
    finally:
        stream.free.set()


def test_lines_dropped_are_reported_when_the_stream_recovers():
    stream = StuckStream()
    log = queued(stream, capacity=10)
    for _ in range(100):
        log.handler.handle(record())
    stream.free.set()
    assert log.flush(5)
    log.handler.handle(record(message="after"))
    assert log.flush(5)
    reports = [line for line in stream.getvalue().splitlines() if "log-dropped" in line]
    assert reports == [f"WARNING log-dropped lines={log.dropped()['lines']} business=0"]
    assert log.dropped()["lines"] >= 50  # the queue holds 10, the writer a few more


def test_a_closed_stream_counts_the_lines_it_lost():
    stream = io.StringIO()
    stream.close()
    log = queued(stream)
    log.handler.handle(record())
    assert log.flush(5)
    assert log.dropped() == {"lines": 1, "business": 0}


def test_flush_gives_up_on_a_stuck_stream_in_time():
    stream = StuckStream()
    log = queued(stream)
    log.handler.handle(record())
    try:
        assert log.flush(0.2) is False
    finally:
        stream.free.set()


# Lingering: a busy writer writes many lines at once, yet nothing urgent waits ###

LONG = 60.0  # seconds of lingering: longer than any of these tests may take


def written_once(log, stream, message="first"):
    """A line written by a writer that now lingers after the write."""
    log.handler.handle(record(message=message))
    assert stream.wrote.wait(5)
    stream.wrote.clear()


def test_a_line_after_a_quiet_spell_is_written_at_once():
    stream = RecordingStream()
    log = queued(stream, linger=LONG)
    log.handler.handle(record(message="first"))
    assert stream.wrote.wait(5)  # no flush, and LONG has not passed
    assert stream.writes == ["INFO first\n"]


def test_a_line_soon_after_a_write_waits_only_a_moment():
    stream = RecordingStream()
    log = queued(stream)  # the server's own LINGER, a tenth of a second
    written_once(log, stream)
    log.handler.handle(record(message="second"))
    assert stream.wrote.wait(2)
    assert stream.writes[1:] == ["INFO second\n"]


def test_ordinary_lines_soon_after_a_write_wait_and_go_out_together():
    stream = RecordingStream()
    log = queued(stream, linger=LONG)
    written_once(log, stream)
    for number in (2, 3):
        log.handler.handle(record(message=f"line {number}"))
    assert not stream.wrote.wait(0.3)
    assert log.flush(5)
    assert stream.writes[1:] == ["INFO line 2\nINFO line 3\n"]


@pytest.mark.parametrize(
    "urgent, shown",
    [
        (record(level=logging.ERROR, message="handler-failed"), "ERROR handler-failed"),
        (record(level=logging.CRITICAL, message="down"), "CRITICAL down"),
        (business(), "INFO recording call=CA1"),
    ],
    ids=["error", "critical", "business"],
)
def test_an_urgent_line_is_written_at_once_with_what_lingers(urgent, shown):
    stream = RecordingStream()
    log = queued(stream, linger=LONG)
    written_once(log, stream)
    log.handler.handle(record(message="waiting"))
    log.handler.handle(urgent)
    assert stream.wrote.wait(5)
    assert stream.writes[1] == f"INFO waiting\n{shown}\n"


def test_flush_writes_what_lingers_at_once():
    stream = RecordingStream()
    log = queued(stream, linger=LONG)
    written_once(log, stream)
    log.handler.handle(record(message="waiting"))
    assert log.flush(2)
    assert stream.getvalue() == "INFO first\nINFO waiting\n"


def test_a_writer_a_batch_behind_does_not_linger():
    stream = StuckStream()
    log = queued(stream, capacity=10 * logs.BATCH, linger=LONG)
    for number in range(3 * logs.BATCH):
        log.handler.handle(record(message=f"line {number}"))
    stream.free.set()  # the first write takes what it holds; the rest are a batch behind
    deadline = time.monotonic() + 5
    while stream.getvalue().count("\n") < 3 * logs.BATCH and time.monotonic() < deadline:
        time.sleep(0.01)
    assert stream.getvalue().count("\n") == 3 * logs.BATCH


# Business events #############################################################


@pytest.fixture
def active(monkeypatch, request):
    """A queued log installed as the process's, on a stream the test controls."""
    return lambda stream, linger=logs.LINGER: install(monkeypatch, request, stream, linger)


def test_a_business_event_is_written_before_write_business_event_returns(active):
    stream = io.StringIO()
    active(stream)
    assert logs.write_business_event("recording call=CA1") is True
    assert stream.getvalue() == "INFO recording call=CA1\n"


def test_a_business_event_is_written_at_once_while_the_writer_lingers(active):
    stream = RecordingStream()
    log = active(stream, linger=LONG)
    written_once(log, stream)
    assert logs.write_business_event("recording call=CA1", wait=5) is True
    assert stream.writes[1:] == ["INFO recording call=CA1\n"]


def test_a_business_event_on_a_stuck_stream_returns_false_in_time(active):
    stream = StuckStream()
    active(stream)
    try:
        assert logs.write_business_event("recording call=CA1", wait=0.2) is False
    finally:
        stream.free.set()


def test_a_business_event_written_late_is_still_written(active):
    stream = StuckStream()
    log = active(stream)
    logs.write_business_event("recording call=CA1", wait=0.1)
    stream.free.set()
    assert log.flush(5)
    assert "INFO recording call=CA1\n" in stream.getvalue()


@pytest.mark.parametrize(
    "value, shown",
    [
        ("CA1", "CA1"),
        ("", '""'),  # an empty value stays visible: `key=` would read as the next field
        ("two words", '"two words"'),
        ("a=b", '"a=b"'),
        ("line\nbreak", '"line\\nbreak"'),
        ('Zo"e', '"Zo\\"e"'),  # a quote would open a quoted run to the end of the line
        ("next=goodbye", '"next=goodbye"'),
        # What other tools take for line breaks: the rest would read as a line of its own.
        ("a\u2028b", '"a\\u2028b"'),
        ("a\u2029b", '"a\\u2029b"'),
        ("a\x85b", '"a\\u0085b"'),
        ("Zoë", "Zoë"),
    ],
)
def test_a_log_value_is_quoted_when_it_needs_to_be(value, shown):
    assert event_line("webhook", field=value) == f"webhook field={shown}"


def test_a_quoted_log_value_keeps_its_letters():
    assert event_line("webhook", name="Zoë O'Brien") == 'webhook name="Zoë O\'Brien"'


def test_business_events_are_written_whatever_log_level_says(tmp_path):
    # The server's own set-up, in a process of its own: LOG_LEVEL=WARNING keeps the log quiet,
    # but a voicemail's line is a fact the business needs.
    script = (
        "import logging\n"
        "from phonetree_engine import logs\n"
        "log = logging.getLogger('phonetree')\n"
        "logs.setup_logging(log, 'WARNING')\n"
        "log.info('webhook call=CA1')\n"
        "print(logs.write_business_event('recording call=CA1'))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (0, "True\n")
    assert " INFO phonetree.business recording call=CA1" in done.stderr
    assert "webhook" not in done.stderr


def test_a_host_that_set_up_logging_keeps_its_own(tmp_path):
    # An app that logs its own way (a host of the WSGI app) gets each line once, its way.
    script = (
        "import logging, sys\n"
        "from phonetree_engine import logs\n"
        "logging.basicConfig(stream=sys.stdout, format='host %(message)s')\n"
        "log = logging.getLogger('phonetree')\n"
        "logs.setup_logging(log, 'INFO')\n"
        "log.warning('refused path=/voice')\n"
        "logs.flush()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert (done.stdout, done.stderr) == ("host refused path=/voice\n", "")
