"""`report` on the real log output of calls placed through two Procfile-started replicas of
the office (``trees/office.py``).

Each call is placed with the simulated caller, alternating between the replicas, and written
in a ledger as the states it went through; the report of the two logs must give back exactly
what the ledger says.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime
from itertools import pairwise
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from twilio.request_validator import RequestValidator

from phonetree_tools.caller import HTTPTransport, SimulatedCall
from tests.conftest import ROOT
from tests.engine.heard import CALLBACK_OFFER, DESK, GOODBYE, SAVED, VOICEMAIL_OFFER
from tests.engine.trees import office
from tests.servers import running

pytestmark = pytest.mark.soak

TOKEN = "auth-token-for-report-tests"
ALWAYS_OPEN = "Mon-Sun 00:00-24:00"
NEW_YORK = ZoneInfo("America/New_York")


class Ledger:
    """What was placed: calls, states entered, edges taken, where each call ended."""

    def __init__(self):
        self.calls = 0
        self.entered, self.edges, self.ended = Counter(), Counter(), Counter()
        self.durations = []

    def placed(self, path: str, duration: int, recovered=()):
        """A call's walk, states in order; `` | `` goes on from a state entered before (a
        queue's exit, after its wait music): ``"menu helpdesk hold | helpdesk goodbye"``."""
        walks = [walk.split() for walk in path.split(" | ")]
        self.calls += 1
        for index, states in enumerate(walks):
            self.entered.update(states if index == 0 else states[1:])
            self.edges.update(pairwise(states))
        for source, target in recovered:  # a webhook for a state the table no longer has
            self.edges[source, target] += 1
            self.entered[target] += 1
        self.ended[walks[-1][-1]] += 1
        self.durations.append(duration)


class Line:
    """Twilio's side of the calls: signed webhooks, to the replicas in turn."""

    def __init__(self, servers):
        self.transports = [HTTPTransport(server.url) for server in servers]
        self.public = servers[0].url
        self.sent = 0  # webhooks, each of which writes one line
        self.turn = 0

    def call(self) -> SimulatedCall:
        first = self.turn % 2  # calls start on either replica, and then alternate
        self.turn += 1
        transports = self.transports[first:] + self.transports[:first]
        call = SimulatedCall(transports, auth_token=TOKEN, public_url=self.public)
        call.start("/voice")
        return call

    def done(self, call: SimulatedCall):
        self.sent += len(call.requests) + len(call.callbacks)

    def post(self, path, params, signed=True) -> int:
        url = self.public + path
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Host": url.split("/")[2]}
        if signed:
            headers["X-Twilio-Signature"] = RequestValidator(TOKEN).compute_signature(url, params)
        transport = self.transports[self.turn % 2]
        self.turn += 1
        status, _, _ = transport.request("POST", path, urlencode(params).encode(), headers)
        self.sent += 1
        return status

    def hang_up(self, call: SimulatedCall, duration: int):
        """The number's status callback once the call is over."""
        self.done(call)
        params = {**call.params, "CallStatus": "completed", "CallDuration": str(duration)}
        assert self.post("/status", params) == 200

    def recording(self, call: SimulatedCall):
        params = {
            **call.params,
            "CallStatus": "completed",
            "RecordingStatus": "completed",
            "RecordingSid": "RE" + call.params["CallSid"][2:],
            "RecordingUrl": "https://api.twilio.com/Recordings/RE1",
            "RecordingDuration": "12",
        }
        assert self.post("/state/voicemail/recorded", params) == 200


def place_calls(line: Line, ledger: Ledger):
    call = line.call()  # the hours twice, back to the menu, the front desk answers
    for key in "315":
        call.press(key)
    call.press("0")
    call.dial_result("completed", duration=30)
    assert call.last_heard[-1] == GOODBYE
    line.hang_up(call, 75)
    ledger.placed("greeting language menu hours hours menu desk goodbye", 75)

    call = line.call()  # orders take a message; Twilio repeats the recording callback
    call.press("1")
    call.record(duration=12)
    assert call.last_heard == [SAVED]
    line.recording(call)
    line.recording(call)
    line.hang_up(call, 60)
    ledger.placed("greeting language menu orders voicemail saved", 60)

    call = line.call()  # the help desk queue, its music twice, bridged to an agent after 40 s
    call.press("2")
    call.hold(position=1, queue_time=10)
    call.hold(position=1, queue_time=25)  # the music ran out: fetched again
    call.queue_result("bridged", queue_time=40)
    line.hang_up(call, 50)
    ledger.placed("greeting language menu helpdesk hold | helpdesk goodbye", 50)

    call = line.call()  # hangs up in the queue after 100 s
    call.press("2")
    call.hold(position=2, queue_time=30)
    call.queue_result("hangup", queue_time=100)
    line.hang_up(call, 120)
    ledger.placed("greeting language menu helpdesk hold | helpdesk goodbye", 120)

    call = line.call()  # leaves the queue after 70 s to leave a message
    call.press("2")
    call.hold(position=3, queue_time=70)
    assert VOICEMAIL_OFFER in call.last_heard
    call.press("1")
    call.record(duration=20)
    line.recording(call)
    line.hang_up(call, 90)
    ledger.placed("greeting language menu helpdesk hold leave_queue | helpdesk voicemail saved", 90)

    call = line.call()  # silent three times: put through, nobody answers, hangs up at the beep
    for _ in range(3):
        call.silence()
    call.dial_result("no-answer")
    assert call.waiting_for == "record"
    line.hang_up(call, 200)
    ledger.placed(
        "greeting language menu quiet menu quiet menu transfer desk unavailable voicemail", 200
    )

    call = line.call()  # hangs up during the menu
    line.hang_up(call, 8)
    ledger.placed("greeting language menu", 8)

    call = line.call()  # a webhook for a state renamed by a deploy: recovered at the menu
    assert line.post("/state/old_menu/exit", {**call.params, "Digits": "1"}) == 200
    line.hang_up(call, 15)
    ledger.placed("greeting language menu", 15, recovered=[("old_menu", "menu")])

    call = line.call()  # asks for the front desk, which is busy; leaves a message
    call.say("front desk please")
    assert call.outcome == ("dial", DESK)
    call.dial_result("busy")
    call.record(duration=5)
    line.recording(call)
    line.hang_up(call, 95)
    ledger.placed("greeting language menu desk unavailable voicemail saved", 95)

    call = line.call()  # asks to be called back from the queue, at the number it called from
    call.press("2")
    call.hold(position=1, queue_time=90)
    assert CALLBACK_OFFER in call.last_heard
    call.press("2")
    call.press("1")
    assert call.outcome == ("hangup",)
    line.hang_up(call, 110)
    ledger.placed("greeting language menu helpdesk hold callback_number callback_requested", 110)

    # Not Twilio: refused, and not a call.
    assert line.post("/voice", {"CallSid": "CAstranger", "From": "+15550000000"}, False) == 403


@pytest.fixture(scope="module")
def placed(tmp_path_factory):
    """Place the calls; return the ledger, the two logs' files and the hours the calls took."""
    ledger = Ledger()
    folder = tmp_path_factory.mktemp("logs")
    with running(2, TWILIO_AUTH_TOKEN=TOKEN, OPENING_HOURS=ALWAYS_OPEN) as servers:
        line = Line(servers)
        began = datetime.now(NEW_YORK).hour
        place_calls(line, ledger)
        ended = datetime.now(NEW_YORK).hour
        wait_for_lines(servers, line.sent)
        files = []
        for index, server in enumerate(servers):
            files.append(folder / f"web.{index + 1}.log")
            files[-1].write_text(server.log, "utf-8")
    return ledger, files, {began, ended}


def wait_for_lines(servers, count, seconds=5.0):
    """Wait until the replicas wrote a line for each webhook (they write in batches)."""
    pattern = re.compile(r" phonetree(?:\.\w+)? (?:webhook|call-ended|refused) ")
    deadline = time.monotonic() + seconds
    while len(pattern.findall("".join(s.log for s in servers))) < count:
        assert time.monotonic() < deadline, f"fewer than {count} lines written"
        time.sleep(0.05)


def report(*args):
    """The office's ``python phonetree.py report ARGS``."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.engine.office_cli", "report", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def summary(placed):
    _, files, _ = placed
    return json.loads(report("--format", "json", *files))


def test_each_replica_served_some_of_the_calls(placed):
    _, files, _ = placed
    for log in files:
        assert "path=/voice" in log.read_text("utf-8")


def test_the_report_counts_every_call_placed(placed, summary):
    ledger, _, _ = placed
    assert summary["calls"] == ledger.calls


def test_the_report_counts_every_state_entered(placed, summary):
    ledger, _, _ = placed
    assert {name: s["entered"] for name, s in summary["states"].items() if s["entered"]} == dict(
        ledger.entered
    )


def test_the_report_says_where_each_call_ended(placed, summary):
    ledger, _, _ = placed
    ended = {name: s["ended_here"] for name, s in summary["states"].items() if s["ended_here"]}
    assert ended == dict(ledger.ended)


def test_the_report_counts_every_edge_taken(placed, summary):
    ledger, _, _ = placed
    taken = {(e["from"], e["to"]): e["count"] for e in summary["edges"] if e["count"]}
    assert taken == dict(ledger.edges)


def test_an_edge_after_a_recovery_is_not_one_of_the_table(summary):
    (edge,) = [e for e in summary["edges"] if not e["in_table"]]
    assert (edge["from"], edge["to"], edge["count"]) == ("old_menu", "menu", 1)


def test_shares_are_of_the_calls_that_left_a_state(placed, summary):
    """The queue's edge to its wait music leaves nothing: its share is of the calls queued."""
    ledger, _, _ = placed
    waits = {(name, row.hold) for name, row in office.TABLE.items() if row.hold}
    assert waits == {("helpdesk", "hold")}
    left = Counter()
    for (source, target), count in ledger.edges.items():
        if (source, target) not in waits:
            left[source] += count
    for edge in summary["edges"]:
        if edge["count"]:
            pair = (edge["from"], edge["to"])
            of = ledger.entered[pair[0]] if pair in waits else left[pair[0]]
            assert (*pair, edge["share"]) == (*pair, round(edge["count"] / of, 4))


def test_the_report_tells_how_calls_ended(summary):
    assert summary["outcomes"] == {
        "reached_person": 1,
        "queued_and_bridged": 1,
        "left_queue": 1,
        "hung_up_in_queue": 1,
        "left_message": 3,  # the repeated recording callback counts once
        "requested_callback": 1,
        "hung_up_at_menu": 2,  # the menu, twice; never the queue's wait music
        "gave_up_after_retries": 1,
    }


def test_the_report_counts_failures(summary):
    assert summary["failures"] == {
        "handler_failed": 0,
        "recovery_failed": 0,
        "unknown_state": 1,
        "refused": 1,
        "last_resort": 0,
    }


def test_time_in_the_queue_is_what_twilio_reported(summary):
    assert summary["times"]["in_queue"] == {"count": 3, "median": 70, "p90": 100}


def test_time_to_reach_a_person_counts_the_wait_in_the_queue(summary):
    figures = summary["times"]["to_person"]
    assert figures["count"] == 2
    assert 40 <= figures["p90"] <= 42  # 40 s in the queue, and the walk to it


def test_every_end_of_call_is_counted_with_its_duration(placed, summary):
    ledger, _, _ = placed
    assert summary["call_status"] == {"completed": ledger.calls}
    durations = sorted(ledger.durations)
    assert summary["times"]["call"] == {
        "count": ledger.calls,
        "median": durations[(len(durations) + 1) // 2 - 1],
        "p90": durations[-(-len(durations) * 9 // 10) - 1],
    }


def test_calls_are_counted_in_the_hour_of_the_business(placed, summary):
    ledger, _, hours = placed
    by_hour = {hour: n for hour, n in enumerate(summary["calls_per_hour"]) if n}
    assert sum(by_hour.values()) == ledger.calls
    assert set(by_hour) <= hours


def test_the_mermaid_report_is_the_tree_with_traffic_on_its_edges(placed, summary):
    _, files, _ = placed
    drawn = report("--format", "mermaid", *files)
    graph = subprocess.run(
        [sys.executable, "-m", "tests.engine.office_cli", "graph"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    counts = {(e["from"], e["to"]): e["count"] for e in summary["edges"] if e["in_table"]}
    report_edges, graph_edges = [], []
    for text in drawn.splitlines():
        match = re.fullmatch(r'    (\w+) -->\|"([^"]*)"\| (\w+)', text)
        if match and match.group(1) != "_call":
            source, label, target = match.groups()
            label, _, note = label.rpartition(" · ")
            assert int(note.split()[0]) == counts[source, target], text
            report_edges.append((source, label, target))
    for text in graph.splitlines():
        match = re.fullmatch(r"    (\w+) -->(?:\|([^|]*)\|)? (\w+)", text)
        if match and match.group(1) != "_call":
            graph_edges.append((match.group(1), match.group(2) or "", match.group(3)))
    assert report_edges == graph_edges
    assert f'_call((call)) -->|"{summary["calls"]} calls"| greeting' in drawn
    assert 'old_menu -.->|"recovered 1 (100%)"| menu' in drawn


def test_the_dot_report_draws_an_edge_after_a_recovery_dashed(placed):
    _, files, _ = placed
    drawn = report("--format", "dot", *files).splitlines()
    assert '    old_menu -> menu [label="recovered 1 (100%)", style=dashed];' in drawn
