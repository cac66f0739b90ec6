"""Log lines: the standard format, written in batches, never lost on a stop."""

import io
import logging
import os
import signal
import subprocess
import sys
import time

import pytest

from phonetree_engine.logs import FORMAT, BatchedStreamHandler, Formatter
from phonetree_engine.tree import event_line
from tests.conftest import ROOT


def record(level=logging.INFO, created=None):
    line = logging.LogRecord("phonetree", level, __file__, 1, "webhook call=CA1", None, None)
    if created is not None:
        line.created, line.msecs = created, (created - int(created)) * 1000
    return line


@pytest.mark.parametrize("created", [1e9, 1764000000.5, 1764000001.999])
def test_formatter_writes_what_the_standard_formatter_writes(created):
    line = record(created=created)
    assert Formatter().format(line) == logging.Formatter(FORMAT).format(line)


def batched(interval=60.0):
    stream = io.StringIO()
    handler = BatchedStreamHandler(stream, interval=interval)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    return handler, stream


def test_info_lines_wait_for_the_batch():
    handler, stream = batched()
    handler.handle(record())
    assert stream.getvalue() == ""


def test_a_warning_writes_everything_pending_at_once():
    handler, stream = batched()
    handler.handle(record())
    handler.handle(record(logging.WARNING))
    assert stream.getvalue() == "INFO webhook call=CA1\nWARNING webhook call=CA1\n"


def test_pending_lines_are_written_within_the_interval():
    handler, stream = batched(interval=0.05)
    handler.handle(record())
    deadline = time.monotonic() + 5
    while not stream.getvalue() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert stream.getvalue() == "INFO webhook call=CA1\n"


SERVE_ONE_LINE = """
import logging, time
from phonetree_engine import logs
logs.INTERVAL = 600  # nothing but the stop may write the line
import phonetree
phonetree.app  # built on first use, with its logging
logging.getLogger("phonetree").info("the last line")
print("ready", flush=True)
time.sleep(30)
"""


def test_a_stopped_process_writes_its_last_lines_first():
    env = {k: v for k, v in os.environ.items() if k != "LOG_LEVEL"}
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE_ONE_LINE],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout.readline() == "ready\n"
        process.send_signal(signal.SIGTERM)
        _, errors = process.communicate(timeout=20)
    finally:
        process.kill()
    assert "INFO phonetree the last line" in errors
    assert process.returncode == -signal.SIGTERM


def test_a_closed_stream_loses_the_lines_quietly():
    handler, stream = batched()
    handler.handle(record())
    stream.close()
    handler.drain()
    assert handler.pending == []


@pytest.mark.parametrize(
    "value, shown",
    [
        ("CA1", "CA1"),
        ("", '""'),  # an empty value stays visible: `key=` would read as the next field
        ("two words", '"two words"'),
        ("a=b", '"a=b"'),
        ("line\nbreak", '"line\\nbreak"'),
        ("Zoë", "Zoë"),
    ],
)
def test_a_log_value_is_quoted_when_it_needs_to_be(value, shown):
    assert event_line("webhook", field=value) == f"webhook field={shown}"
