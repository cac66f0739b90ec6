"""The traffic report's example in ``docs/report.md``: ten calls through the shipped tree.

The calls are placed with the simulated caller on a clock of their own: every log line is
stamped with the moment the calls have reached, so the report's times are the same on every
run. The report of their log, as Mermaid and as text, must be what the page shows; when the
tree changes, the failure prints the blocks to paste into the page.
"""

from __future__ import annotations

import io
import json
import logging
import re
import time
from datetime import timezone
from zoneinfo import ZoneInfo

import pytest
from webtest import TestApp

import phonetree
from phonetree_engine.logs import Formatter
from phonetree_tools import report
from phonetree_tools.caller import SimulatedCall
from tests.conftest import OPEN, ROOT
from tests.tree.prompts import CALLBACK_OFFER, GOODBYE, OFFER, THANKS

PAGE = ROOT / "docs" / "report.md"
FENCED = re.compile(r"^```[^\n]*\n(.*?)^```$", re.M | re.S)
EXCERPT = ("where calls ended", "seconds")  # the text report's sections the page shows


class Clock:
    """The moment the calls have reached; each log line is stamped with it."""

    def __init__(self, start: float):
        self.now = start

    def filter(self, record: logging.LogRecord) -> bool:
        record.created, record.msecs = self.now, 0
        return True


class Calls:
    """Places calls on ``clock``: each step some seconds after the one before."""

    def __init__(self, app, clock: Clock):
        self.app, self.clock, self.began = app, clock, 0.0

    def start(self) -> SimulatedCall:
        self.clock.now += 60  # a minute after the call before
        self.began = self.clock.now
        call = SimulatedCall(self.app)
        call.start("/voice")
        return call

    def after(self, seconds: float, action, *args, **options):
        """``action(*args, **options)``, ``seconds`` after the last step."""
        self.clock.now += seconds
        return action(*args, **options)

    def post(self, path: str, params: dict) -> int:
        return TestApp(self.app).post(path, params, expect_errors=True).status_int

    def recording(self, call: SimulatedCall) -> None:
        """The voicemail's recording callback, as the carrier posts it once it is stored."""
        params = {
            **call.params,
            "RecordingStatus": "completed",
            "RecordingSid": "RE" + call.params["CallSid"][2:],
            "RecordingUrl": "https://api.twilio.com/Recordings/RE1",
            "RecordingDuration": "12",
        }
        assert self.post("/state/voicemail/recorded", params) == 200

    def hang_up(self, call: SimulatedCall) -> None:
        """The number's status callback, the call's length read on the clock."""
        self.clock.now += 1
        duration = str(round(self.clock.now - self.began))
        params = {**call.params, "CallStatus": "completed", "CallDuration": duration}
        assert self.post("/status", params) == 200


def place_calls(calls: Calls) -> None:
    call = calls.start()  # the hours twice, back to the menu, the receptionist answers
    calls.after(12, call.press, "3")
    calls.after(15, call.press, "1")
    calls.after(15, call.press, "5")
    calls.after(10, call.press, "0")
    calls.after(50, call.dial_result, "completed", duration=30)
    assert call.last_heard[-1] == GOODBYE
    calls.hang_up(call)

    call = calls.start()  # sales takes a message; the carrier repeats the recording callback
    calls.after(12, call.press, "1")
    calls.after(40, call.record, duration=30)
    assert call.last_heard == [THANKS]
    calls.recording(call)
    calls.recording(call)
    calls.hang_up(call)

    call = calls.start()  # the support queue, its music played twice, an agent after 100 s
    calls.after(12, call.press, "2")
    calls.after(8, call.hold, position=1, queue_time=0)
    calls.after(50, call.hold, position=1, queue_time=50)  # the music ran out
    calls.after(192, call.queue_result, "bridged", queue_time=100)  # after 150 s with the agent
    calls.hang_up(call)

    call = calls.start()  # hangs up in the queue after 40 s
    calls.after(12, call.press, "2")
    calls.after(8, call.hold, position=2, queue_time=0)
    calls.after(40, call.queue_result, "hangup", queue_time=40)
    calls.hang_up(call)

    call = calls.start()  # after 70 s in the queue, presses 1 to leave a message instead
    calls.after(12, call.press, "2")
    calls.after(8, call.hold, position=3, queue_time=70)
    assert OFFER in call.last_heard
    calls.after(5, call.press, "1")
    calls.after(25, call.record, duration=20)
    calls.recording(call)
    calls.hang_up(call)

    call = calls.start()  # silent three times: put through, nobody answers, hangs up at the beep
    for _ in range(3):
        calls.after(15, call.silence)
    calls.after(30, call.dial_result, "no-answer")
    assert call.waiting_for == "record"
    calls.after(10, calls.hang_up, call)

    call = calls.start()  # hangs up during the menu
    calls.after(8, calls.hang_up, call)

    call = calls.start()  # a webhook for a state a deploy renamed: recovered at the menu
    status = calls.after(12, calls.post, "/state/old_menu/exit", {**call.params, "Digits": "1"})
    assert status == 200
    calls.after(5, calls.hang_up, call)

    call = calls.start()  # asks for the operator, who is busy; leaves a message
    calls.after(10, call.say, "operator please")
    calls.after(25, call.dial_result, "busy")
    calls.after(30, call.record, duration=15)
    calls.recording(call)
    calls.hang_up(call)

    call = calls.start()  # in the queue, asks to be called back at the number it called from
    calls.after(12, call.press, "2")
    calls.after(8, call.hold, position=1, queue_time=90)
    assert CALLBACK_OFFER in call.last_heard
    calls.after(6, call.press, "2")
    calls.after(10, call.press, "1")
    assert call.outcome == ("hangup",)
    calls.hang_up(call)


@pytest.fixture(scope="module")
def log_file(tmp_path_factory):
    """The log of the ten calls, one line per webhook and event, in UTC."""
    clock = Clock(OPEN.timestamp())
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    formatter = Formatter()
    formatter.converter = time.gmtime  # (as platforms write it; the report reads UTC)
    handler.setFormatter(formatter)
    handler.addFilter(clock)
    logger = logging.getLogger("phonetree")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        place_calls(Calls(phonetree.make_app({}, clock=lambda: OPEN), clock))
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    path = tmp_path_factory.mktemp("example") / "web.log"
    path.write_text(stream.getvalue(), "utf-8")
    return path


def printed(log_file, format: str) -> str:
    """What ``python phonetree.py report --format FORMAT web.log`` prints."""
    out = io.StringIO()
    tree = phonetree.tree()
    zone = ZoneInfo("America/New_York")  # the shipped TIMEZONE's default
    options = {"business_zone": zone, "log_zone": timezone.utc, "format": format, "out": out}
    assert report.run(tree.table, tree.start, [str(log_file)], **options) == 0
    return out.getvalue().rstrip("\n")


def blocks() -> list[str]:
    """The page's fenced blocks, each without its fences."""
    return [block.rstrip("\n") for block in FENCED.findall(PAGE.read_text("utf-8"))]


def shown(matches, what: str) -> str:
    found = [block for block in blocks() if matches(block.splitlines())]
    assert len(found) == 1, f"docs/report.md: {len(found)} blocks hold {what}, not one"
    return found[0]


def test_the_calls_are_ten_each_ended(log_file):
    summary = json.loads(printed(log_file, "json"))
    assert summary["calls"] == 10
    assert summary["call_status"] == {"completed": 10}
    assert summary["lines"]["skipped"] == 0


def test_the_pages_diagram_is_the_report_of_the_calls(log_file):
    drawn = printed(log_file, "mermaid")
    page = shown(
        lambda lines: lines[:1] == ["flowchart TD"] and "calls" in lines[1],
        "a report's diagram (flowchart TD, then the calls)",
    )
    assert page == drawn, f"docs/report.md: the example's diagram is now:\n{drawn}"


def test_the_pages_table_is_the_report_of_the_calls(log_file):
    sections = printed(log_file, "text").split("\n\n")
    excerpt = "\n\n".join(s for s in sections if s.startswith(EXCERPT))
    assert excerpt.count("\n\n") == len(EXCERPT) - 1
    page = shown(lambda lines: "where calls ended" in lines, '"where calls ended"')
    assert page == excerpt, f"docs/report.md: the example's table is now:\n{excerpt}"
