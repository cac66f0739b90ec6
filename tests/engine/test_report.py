"""`report` on the app's real log lines, and on what else a log holds: other programs' lines,
platform prefixes, lines cut off, gzip, nothing at all, and a window of time; on the office
(``trees/office.py``), its queue's wait music a state of its own, and calls of every carrier."""

from __future__ import annotations

import gzip
import io
import json
import logging
import re
import subprocess
import sys
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from twilio.twiml.voice_response import Gather
from webtest import TestApp

from phonetree_engine.logs import Formatter
from phonetree_engine.tree import Choose, Keys, Option, State
from phonetree_tools import report
from phonetree_tools.caller import SimulatedCall
from phonetree_tools.carriers import NAMES as CARRIERS
from phonetree_tools.logread import MAX_LINE, PREFIXES, Entry, merged, parse
from phonetree_tools.traffic import GRACE, STALE, Traffic
from tests.conftest import OPEN, ROOT
from tests.engine.heard import SAVED
from tests.engine.trees import office

NEW_YORK = ZoneInfo("America/New_York")
UTC = timezone.utc


@pytest.fixture
def log_lines():
    """The lines the app writes while a test runs, formatted as the app formats them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(Formatter())
    logger = logging.getLogger("phonetree")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)  # (setLevel, not .level: the logger caches its answer)
    yield lambda: stream.getvalue().splitlines(keepends=True)
    logger.removeHandler(handler)
    logger.setLevel(level)


def place(app, keys, end=None, carrier="twilio"):
    """One call: start, press each key (``_`` for silence), then ``end(call)``."""
    call = SimulatedCall(app, carrier=carrier)
    call.start("/voice")
    for key in keys:
        call.silence() if key == "_" else call.press(key)
    if end:
        end(call)
    return call


def hang_up(app, call, duration=30):
    """The number's status callback at the end of ``call``."""
    params = {**call.params, "CallStatus": "completed", "CallDuration": str(duration)}
    assert TestApp(app).post("/status", params).xml.tag == "Response"


def three_calls(app, carrier="twilio"):
    """Three calls through ``app`` at an open hour, with ``carrier``'s call ids."""
    place(app, "3", lambda call: hang_up(app, call, 20), carrier)  # hangs up hearing the hours
    place(app, "1", lambda call: call.record(duration=9), carrier)  # leaves a message at orders
    place(app, "0", lambda call: call.dial_result("completed", duration=40), carrier)


@pytest.fixture
def calls(build, log_lines):
    """Three calls through the office at an open hour, and the lines they wrote."""
    three_calls(build(OPEN))
    return log_lines()


def summarize(lines, table=office.TABLE, **window):
    """The report's summary of ``lines``, read as the command reads them."""
    return Traffic(table, NEW_YORK, **window).read(merged([lines], UTC)).summary()


def summarize_files(paths):
    out = io.StringIO()
    options = {"business_zone": NEW_YORK, "log_zone": UTC, "format": "json", "out": out}
    report.run(office.TABLE, "greeting", [str(path) for path in paths], **options)
    return json.loads(out.getvalue())


def counts(summary):
    """What the report says of calls, states and edges."""
    return (
        summary["calls"],
        {name: tuple(s.values()) for name, s in summary["states"].items() if s["entered"]},
        {(e["from"], e["to"]): e["count"] for e in summary["edges"] if e["count"]},
    )


EXPECTED = (
    3,
    {
        "greeting": (3, 0),
        "language": (3, 0),  # passed at once: the office speaks one language
        "menu": (3, 0),
        "hours": (1, 1),
        "orders": (1, 0),
        "voicemail": (1, 0),
        "saved": (1, 1),
        "desk": (1, 0),
        "goodbye": (1, 1),
    },
    {
        ("greeting", "language"): 3,
        ("language", "menu"): 3,
        ("menu", "hours"): 1,
        ("menu", "orders"): 1,
        ("orders", "voicemail"): 1,
        ("voicemail", "saved"): 1,
        ("menu", "desk"): 1,
        ("desk", "goodbye"): 1,
    },
)


# The app's own lines #########################################################


def test_the_lines_of_three_calls_give_back_the_calls(calls):
    assert counts(summarize(calls)) == EXPECTED


def test_a_chained_answer_logs_every_state_it_entered(calls):
    (line,) = [line for line in calls if "path=/state/menu/exit digits=1 " in line]
    assert parse(line, UTC).fields["entered"] == "orders,voicemail"


def test_the_status_callback_logs_the_end_of_the_call(calls):
    (line,) = [line for line in calls if " call-ended " in line]
    entry = parse(line, UTC)
    assert (entry.fields["status"], entry.fields["duration"]) == ("completed", "20")


def test_the_json_report_has_the_documented_shape(calls, tmp_path):
    path = tmp_path / "web.log"
    path.write_text("".join(calls))
    summary = summarize_files([path])
    assert isinstance(summary["calls"], int)
    assert set(summary["states"]["menu"]) == {"entered", "ended_here"}
    assert set(summary["edges"][0]) >= {"from", "to", "count"}
    assert counts(summary) == EXPECTED


def test_a_handler_failure_is_counted_and_its_traceback_skipped(build, log_lines):
    def buggy(call):
        raise RuntimeError("a bug in a handler")

    tree = office.tree(hours=State(office.hours, Choose(buggy, ("menu",))))
    place(build(tree=tree), "31")  # hours, then the bug: an apology and the menu
    lines = log_lines()
    summary = summarize(lines, table=tree.table)
    assert summary["failures"]["handler_failed"] == 1
    ours = [line for line in lines if " phonetree webhook " in line or "handler-failed" in line]
    assert len(ours) == 4
    assert summary["lines"]["skipped"] == len(lines) - 4  # the traceback, the open-mode warning
    taken = {(e["from"], e["to"]): e["count"] for e in summary["edges"] if e["count"]}
    assert taken[("hours", "menu")] == 1
    assert summary["states"]["menu"] == {"entered": 2, "ended_here": 1}


def test_a_call_put_through_to_a_person_as_a_last_resort_is_counted(build, log_lines):
    def broken(call):
        raise RuntimeError("a bug in a handler")

    targets = tuple(dict.fromkeys(target for _, target in office.TABLE["menu"].edges()))
    tree = office.tree(menu=State(office.menu, Choose(broken, targets)))
    place(build(tree=tree), "333")  # fails each time: twice the apology, then a person
    assert summarize(log_lines(), table=tree.table)["failures"]["last_resort"] == 1


def test_a_dial_answered_is_a_person_reached(build, log_lines):
    place(build(OPEN), "0", lambda call: call.dial_result("answered", duration=40))
    assert summarize(log_lines())["outcomes"]["reached_person"] == 1


def test_a_menu_given_up_on_is_counted(build, log_lines):
    place(build(OPEN), "___", lambda call: call.dial_result("no-answer"))
    summary = summarize(log_lines())
    assert summary["outcomes"]["gave_up_after_retries"] == 1
    assert summary["states"]["voicemail"] == {"entered": 1, "ended_here": 1}


def test_a_closed_office_counts_the_state_it_passed(build, log_lines):
    place(build(OPEN.replace(hour=3)), "0")  # closed: the desk goes on to unavailable
    summary = summarize(log_lines())
    taken = {(e["from"], e["to"]) for e in summary["edges"] if e["count"]}
    assert {("menu", "desk"), ("desk", "unavailable")} <= taken


# Call ids ####################################################################

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
CALL_IDS = {"twilio": r"CA[0-9a-f]{32}", "telnyx": r"v2:[\w-]{50,}", "signalwire": UUID}
CALL_IDS["somleng"] = UUID


def test_every_carrier_has_the_shape_of_its_call_ids():
    assert set(CALL_IDS) == set(CARRIERS)


@pytest.mark.parametrize("carrier", CARRIERS)
def test_calls_with_any_carriers_call_ids_give_back_the_calls(build, log_lines, carrier):
    three_calls(build(OPEN), carrier)
    lines = log_lines()
    starts = [parse(line, UTC).fields["call"] for line in lines if " path=/voice " in line]
    assert len(set(starts)) == 3
    assert all(re.fullmatch(CALL_IDS[carrier], sid) for sid in starts), starts
    summary = summarize(lines)
    assert counts(summary) == EXPECTED
    assert summary["outcomes"]["left_message"] == 1
    assert summary["call_status"] == {"completed": 1}


def test_a_repeated_recording_of_a_telnyx_call_counts_once_and_another_call_apart():
    one, other = "v2:" + "aB-_9" * 11, "v2:" + "aB-_9" * 10 + "aB-_8"  # the last letter apart
    lines = [
        f"2026-11-24 15:00:0{index},000 INFO phonetree.business recording call={sid} "
        "status=completed\n"
        for index, sid in enumerate([one, one, other])
    ]
    assert summarize(lines)["outcomes"]["left_message"] == 2


# The queue's wait music ######################################################
# The help desk's hold state plays while a caller is queued; the carrier fetches it again each
# time its music runs out, and its keys lead to states that play in the queue too.


def queued(app, *queue_times):
    """A call put in the help desk's queue, its wait music fetched at each of ``queue_times``."""
    call = place(app, "2")
    for seconds in queue_times:
        if call.waiting_for == "input":  # the offer's keys unpressed: the music runs out
            call.silence()
        call.hold(position=1, queue_time=seconds)
    return call


def ended(summary):
    return {name: s["ended_here"] for name, s in summary["states"].items() if s["ended_here"]}


def shares(summary):
    return {(e["from"], e["to"]): e["share"] for e in summary["edges"] if e["count"]}


def stamped(lines, seconds):
    """The lines as if written at these seconds after 15:00:00 (2026-11-24, UTC)."""
    assert len(lines) == len(seconds)
    return [
        f"2026-11-24 15:{s // 60:02d}:{s % 60:02d},000{line[23:]}"
        for s, line in zip(seconds, lines, strict=True)
    ]


def test_wait_music_played_again_is_one_stay_in_the_hold_state(build, log_lines):
    queued(build(OPEN), 0, 20, 40).queue_result("bridged", queue_time=50)  # ran out twice
    summary = summarize(log_lines())
    _, states_, edges = counts(summary)
    assert (states_["helpdesk"], states_["hold"], states_["goodbye"]) == ((1, 0), (1, 0), (1, 1))
    assert edges[("helpdesk", "hold")] == 1
    assert shares(summary)[("helpdesk", "hold")] == 1.0  # of the calls queued
    assert shares(summary)[("helpdesk", "goodbye")] == 1.0  # of those that left the queue
    assert summary["outcomes"]["queued_and_bridged"] == 1
    assert summary["outcomes"]["hung_up_at_menu"] == 0


def test_the_queues_exit_takes_the_call_out_of_its_wait_music(build, log_lines):
    """Two replicas write in the same millisecond: the queue's exit and the music's last
    fetch at one time, and the call still ends where the queue's exit took it."""
    queued(build(OPEN), 0, 40).queue_result("hangup", queue_time=70)
    lines = stamped(log_lines(), [0, 5, 6, 70, 70])
    summary = summarize(lines)
    assert ended(summary) == {"goodbye": 1}
    assert summary["outcomes"]["hung_up_in_queue"] == 1
    assert summary["outcomes"]["hung_up_at_menu"] == 0


def test_a_queue_left_in_the_millisecond_its_music_began_ends_where_the_exit_took_it(
    build, log_lines
):
    queued(build(OPEN), 0).queue_result("hangup", queue_time=1)
    summary = summarize(stamped(log_lines(), [0, 5, 70, 70]))
    assert ended(summary) == {"goodbye": 1}


def test_a_call_still_queued_when_the_log_ends_did_not_hang_up_at_a_menu(build, log_lines):
    queued(build(OPEN), 0, 40)  # the offer of keys, and nothing more
    summary = summarize(log_lines())
    assert ended(summary) == {"hold": 1}
    assert summary["outcomes"]["hung_up_at_menu"] == 0


def test_time_to_reach_a_person_counts_from_entering_the_queue(build, log_lines):
    """Queued at 5 s, the music fetched at 6, 126 and 246 s, bridged 250 s after queueing:
    a person answered 255 s into the call, however often the music ran out."""
    queued(build(OPEN), 0, 120, 240).queue_result("bridged", queue_time=250)
    lines = stamped(log_lines(), [0, 5, 6, 126, 246, 300])
    times = summarize(lines)["times"]
    assert times["to_person"] == {"count": 1, "median": 255, "p90": 255}
    assert times["in_queue"] == {"count": 1, "median": 250, "p90": 250}


def test_a_long_message_after_leaving_the_queue_ends_the_call_once(build, log_lines):
    """Key 1 leaves the queue (its Leave is no end of the call), the queue's exit goes to
    voicemail, and the message is over after the time a call is kept once it has ended."""
    call = queued(build(OPEN), 0, 40)
    call.press("1")
    call.record(duration=GRACE + 60)
    assert call.last_heard == [SAVED]
    done = 50 + GRACE + 60
    lines = stamped(log_lines(), [0, 5, 6, 40, 45, 45, done, done, done])
    other = stamped([forged("CAother", "/voice", "greeting,language,menu")], [45 + GRACE + 5])
    summary = summarize(lines[:6] + other + lines[6:])  # meanwhile, another call
    assert ended(summary) == {"saved": 1, "menu": 1}
    _, _, edges = counts(summary)
    assert (edges[("hold", "leave_queue")], edges[("helpdesk", "voicemail")]) == (1, 1)
    outcomes = summary["outcomes"]
    assert (outcomes["left_queue"], outcomes["left_message"]) == (1, 1)


def test_a_callback_requested_in_the_queue_ends_there(build, log_lines):
    call = queued(build(OPEN), 0, 40)
    call.press("2")  # called back: the number it called from is offered
    call.press("1")  # confirmed
    assert call.outcome == ("hangup",)
    summary = summarize(log_lines())
    assert ended(summary) == {"callback_requested": 1}
    _, _, edges = counts(summary)
    assert edges[("hold", "callback_number")] == 1
    assert edges[("callback_number", "callback_requested")] == 1
    outcomes = {name: n for name, n in summary["outcomes"].items() if n}
    assert outcomes == {"requested_callback": 1}


def test_a_callback_given_up_on_leaves_the_queue_for_a_message(build, log_lines):
    call = queued(build(OPEN), 0, 40)
    call.press("2")
    for _ in range(3):  # nothing confirmed: the collect gives up, callback_declined leaves
        call.silence()
    call.record(duration=5)
    assert call.last_heard == [SAVED]
    summary = summarize(log_lines())
    assert ended(summary) == {"saved": 1}
    _, _, edges = counts(summary)
    assert edges[("callback_number", "callback_declined")] == 1
    outcomes = {name: n for name, n in summary["outcomes"].items() if n}
    assert outcomes == {"left_queue": 1, "left_message": 1, "gave_up_after_retries": 1}


def test_a_wrong_key_in_the_wait_music_plays_it_again(build, log_lines):
    call = queued(build(OPEN), 0, 40)
    call.press("7")  # the hold state again, then its music runs out and is fetched again
    call.hold(position=1, queue_time=80)
    call.press("1")
    summary = summarize(log_lines())
    _, states_, edges = counts(summary)
    assert states_["hold"] == (2, 0)
    assert (edges[("helpdesk", "hold")], edges[("hold", "hold")]) == (1, 1)
    assert ended(summary) == {"voicemail": 1}  # hung up at the beep


# Other lines #################################################################


# What each platform or process manager writes before a line of the app, as it writes it.
PREFIX_EXAMPLES = {
    "heroku logs": ["2026-11-24T15:00:01.123456+00:00 app[web.1]: "],
    "honcho, foreman, heroku local": [
        "15:00:01 web.1  | ",
        "\x1b[0m\x1b[32m15:00:01 web.1 | \x1b[0m",  # honcho's colours, on a terminal
    ],
    "docker compose logs": [
        "web-1  | ",
        "phonetree_web_1  | 2026-11-24T15:00:01.123456789Z ",  # compose v1, --timestamps
    ],
    "docker logs -t, kubectl logs --timestamps": ["2026-11-24T15:00:01.123456789Z "],
    "syslog, journalctl": [
        "Nov 24 15:00:01 host1 phonetree[1234]: ",
        "Nov  4 15:00:01 host1 python3[1234]: ",
        "2026-11-24T15:00:01+0000 host1 waitress-serve[811]: ",  # journalctl -o short-iso
    ],
}


def test_every_known_prefix_has_an_example():
    assert set(PREFIX_EXAMPLES) == set(PREFIXES)


@pytest.mark.parametrize(
    "prefix",
    [pytest.param(p, id=f"{name}: {p!r}") for name, ps in PREFIX_EXAMPLES.items() for p in ps],
)
def test_a_platform_prefix_before_our_lines_is_passed_over(calls, prefix):
    summary = summarize([prefix + line for line in calls])
    assert counts(summary) == EXPECTED
    assert summary["lines"]["not_ours"] == summarize(calls)["lines"]["not_ours"]


def forged(sid, path, entered):
    """A webhook line as the app writes it, at 15:00:05."""
    fields = f"call={sid} path={path} entered={entered} next={entered.split(',')[-1]} ms=1"
    return f"2026-11-24 15:00:05,000 INFO phonetree webhook {fields}"


@pytest.fixture
def forgeries(calls):
    """Lines that quote a webhook line where no line of ours starts, as a router logs a header
    a client sent: a new call, and a real call sent on to orders."""
    sid = parse(next(line for line in calls if " path=/voice " in line), UTC).fields["call"]
    new_call = forged("CAforged", "/voice", "greeting,language,menu")
    moved = forged(sid, "/state/menu/exit", "orders")
    router = '2026-11-24T15:00:05.113+00:00 heroku[router]: at=info method=POST path="/voice" '
    return [
        f'{router}host=tree.example.com fwd="{new_call}" dyno=web.1 status=200 bytes=300\n',
        f'{router}host=tree.example.com fwd="{moved}" dyno=web.1 status=200 bytes=300\n',
        f"2026-11-24T15:00:05.113+00:00 heroku[router]: {new_call}\n",
        f"2026-11-24T15:00:05.113+00:00 app[web.1]: a line that ends with {moved}\n",
        f"15:00:05 web.1  | Traceback: {moved}\n",
        f'10.0.0.1 - - [24/Nov/2026:15:00:05 +0000] "POST /voice HTTP/1.1" 200 "{new_call}"\n',
        f"GET /{moved}\n",
        f"  {new_call}\n",
        f"\ufffd{moved}\n",
    ]


def test_a_webhook_line_quoted_inside_another_line_is_not_counted(calls, forgeries):
    summary = summarize(calls[:5] + forgeries + calls[5:])
    assert counts(summary) == EXPECTED
    assert summary["events"] == summarize(calls)["events"]
    assert summary["lines"]["not_ours"] == len(forgeries) + summarize(calls)["lines"]["not_ours"]


def test_the_forged_lines_are_well_formed_where_our_lines_start(calls, forgeries):
    """The same text at the start of a line would count: the test above tests the place."""
    sid = parse(next(line for line in calls if " path=/voice " in line), UTC).fields["call"]
    lines = [*calls, forged("CAforged", "/voice", "greeting,language,menu") + "\n"]
    lines.append(forged(sid, "/state/menu/exit", "orders") + "\n")
    calls_, states_, _ = counts(summarize(lines))
    assert calls_ == 4
    assert states_["orders"][0] == 2


def test_the_text_report_says_why_lines_were_skipped(calls, forgeries):
    too_long = "2026-11-24 15:00:05,000 INFO phonetree webhook note=" + "a" * MAX_LINE + "\n"
    cut = [line[: line.index(" ms=")] for line in calls if " path=/voice " in line]
    summary = summarize([*calls, *forgeries, *cut, too_long])
    skipped = summarize(calls)["lines"]["skipped"]
    lines = summary["lines"]
    assert (lines["not_ours"], lines["incomplete"], lines["too_long"]) == (
        skipped + len(forgeries),
        len(cut),
        1,
    )
    assert lines["skipped"] == skipped + len(forgeries) + len(cut) + 1
    text = report.text(summary | {"timezone": "UTC"}, office.TABLE, "greeting")
    assert (
        f"skipped: {skipped + len(forgeries)} not ours, {len(cut)} incomplete, "
        "1 too long (over 65,536 characters)"
    ) in text.splitlines()


def test_foreign_and_odd_lines_are_counted_and_skipped(calls):
    odd = [
        "INFO:waitress:Serving on http://0.0.0.0:8000\n",
        "Traceback (most recent call last):\n",
        "\n",
        "\ufffd\ufffd binary \x00 junk\n",
        "2026-11-24 15:00:01,113 INFO someone.else webhook call=CA9 path=/voice ms=1\n",
        "2026-11-24 15:00:01,113 WARNING phonetree TWILIO_AUTH_TOKEN is not set: ...\n",
        "2026-13-45 99:00:01,113 INFO phonetree webhook call=CA9 path=/voice ms=1\n",
    ]
    summary = summarize(odd + calls)
    assert counts(summary) == EXPECTED
    assert summary["lines"]["skipped"] == len(odd) + summarize(calls)["lines"]["skipped"]


def test_an_end_of_call_without_its_duration_is_incomplete_not_an_error():
    line = "2026-11-24 15:00:00,000 INFO phonetree call-ended call=CA1 status=completed"
    summary = summarize([line])
    assert (summary["lines"]["incomplete"], summary["call_status"]) == (1, {})


def test_a_fraction_of_a_second_is_read_whatever_its_digits():
    # Lines of two replicas in one second are ordered by it; a shipper may write it its way.
    base = parse("2026-11-24 15:00:01 INFO phonetree webhook call=CA1", UTC).time
    for fraction, seconds in ((",123", 0.123), (".5", 0.5), (".123456", 0.123456)):
        line = f"2026-11-24 15:00:01{fraction} INFO phonetree webhook call=CA1"
        assert parse(line, UTC).time - base == pytest.approx(seconds)


def test_a_log_with_bytes_that_are_not_utf8_is_read_past_them(calls):
    damaged = b"\xff\xfe garbage from a crashed writer \xc3\n" + "".join(calls).encode()
    result = phonetree("report", "--format", "json", stdin=damaged)
    assert counts(json.loads(result.stdout)) == EXPECTED


def test_a_line_cut_off_is_skipped(calls):
    cut = [line[: line.index(" ms=")] + "\n" if " path=/voice " in line else line for line in calls]
    summary = summarize(cut)
    assert summary["calls"] == 0
    assert summary["lines"]["skipped"] == 3 + summarize(calls)["lines"]["skipped"]


def test_a_line_cut_inside_a_quoted_value_loses_only_that_value():
    entry = parse('2026-11-24 15:00:01,113 WARNING phonetree unknown-state detail="no st', UTC)
    assert entry.event == "unknown-state"
    assert "detail" not in entry.fields


def test_fields_added_to_lines_and_new_events_are_tolerated(calls):
    extended = [line.replace(" ms=", ' lang=es-US note="a b=c" ms=') for line in calls] + [
        "2026-11-24 15:00:09,000 ERROR phonetree.delivery delivery-failed channel=email\n"
    ]
    summary = summarize(extended)
    assert counts(summary) == EXPECTED
    assert summary["events"]["delivery-failed"] == 1


def test_a_callback_request_and_a_repeated_recording_are_counted_once_each():
    lines = [
        "2026-11-24 15:00:01,000 INFO phonetree.voicemail recording call=CA1 status=completed\n",
        "2026-11-24 15:00:02,000 INFO phonetree.voicemail recording call=CA1 status=completed\n",
        "2026-11-24 15:00:03,000 INFO phonetree.voicemail recording call=CA2 status=absent\n",
        "2026-11-24 15:00:04,000 INFO phonetree.delivery callback-request call=CA3 number=+1\n",
    ]
    outcomes = summarize(lines)["outcomes"]
    assert (outcomes["left_message"], outcomes["requested_callback"]) == (1, 1)


def test_lines_of_older_versions_count_the_state_each_answer_left_the_call_in(calls):
    older = [re.sub(r" entered=\S+", "", line) for line in calls]
    calls_, states_, edges = counts(summarize(older))
    assert calls_ == 3
    assert states_["menu"] == (3, 0)
    assert "greeting" not in states_  # went on at once: those lines did not say
    assert edges[("menu", "desk")] == 1


def test_a_recording_logged_without_a_status_counts_as_a_message():
    line = "2026-11-24 15:00:01,000 INFO phonetree.business recording call=CA1 status=- url=u\n"
    assert summarize([line])["outcomes"]["left_message"] == 1


def test_lines_the_app_could_not_write_are_reported(calls):
    dropped = "2026-11-24 15:00:09,000 WARNING phonetree log-dropped lines=12 business=0\n"
    summary = summarize([*calls, dropped])
    assert summary["lines"]["dropped_by_the_app"] == 12
    assert "could not write 12 lines" in report.text(summary | {"timezone": "UTC"}, {}, "")


def test_the_text_report_tells_each_count_in_words(calls):
    text = report.text(summarize(calls) | {"timezone": "UTC"}, office.TABLE, "greeting")
    assert "calls: 3" in text.splitlines()
    assert re.search(r"^hours +1 +1$", text, re.M)
    assert re.search(r"^menu -> orders +1 +33%$", text, re.M)
    assert re.search(r"^  reached a person +1$", text, re.M)
    assert re.search(r"^  left a message +1$", text, re.M)  # the simulated recording callback


def test_the_text_report_keeps_its_columns_for_long_names(build, log_lines):
    call = queued(build(OPEN), 0, 40)
    call.press("2")
    call.press("1")
    text = report.text(summarize(log_lines()) | {"timezone": "UTC"}, office.TABLE, "greeting")
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("edge "))
    (row,) = [line for line in lines if line.startswith("callback_number -> ")]
    assert row.split() == ["callback_number", "->", "callback_requested", "1", "100%"]
    assert len(row) == len(header)
    state = next(line for line in lines if line.startswith("callback_requested "))
    assert len(state) == len(next(line for line in lines if line.startswith("state ")))


def test_one_call_is_said_as_one_call_on_the_diagram(build, log_lines):
    place(build(OPEN), "3")
    drawn = report.mermaid(summarize(log_lines()), office.TABLE, "greeting")
    assert '    _call((call)) -->|"1 call"| greeting' in drawn.splitlines()


def test_the_text_report_lists_the_hours_that_had_calls_only(calls):
    text = report.text(summarize(calls) | {"timezone": "UTC"}, office.TABLE, "greeting")
    hours = [line for line in text.splitlines() if re.fullmatch(r"  \d\d:00 .*", line)]
    assert len(hours) == 1  # three calls, in one hour
    assert hours[0].split()[1:] == ["3", "#" * 30]


def test_the_text_report_widens_the_state_column_for_a_long_name():
    name = "a_state_a_deploy_renamed_long_ago"
    line = f"2026-11-24 15:00:00,000 INFO phonetree webhook call=CA1 path=/voice entered={name}"
    summary = summarize([line + " next=x ms=1.00"]) | {"timezone": "UTC"}
    lines = report.text(summary, office.TABLE, "greeting").splitlines()
    header = next(line for line in lines if line.startswith("state "))
    row = next(line for line in lines if line.startswith(name))
    assert (row.split(), len(row)) == ([name, "1", "1"], len(header))


def test_the_dot_report_is_the_graph_with_counts(calls):
    summary = summarize(calls)
    drawn = report.dot(summary, office.TABLE, "greeting").splitlines()
    assert '    _call -> greeting [label="3 calls"];' in drawn
    assert (
        '    menu -> hours [label="3, say hours, say horario, say l\'horaire\\n1 (33%)"];' in drawn
    )
    assert '    hours [label="hours\\n1 in, 1 ended here", color="#c0392b"];' in drawn
    assert '    goodbye [shape=doublecircle, label="goodbye\\n1 in, 1 ended here"];' in drawn


def test_the_mermaid_report_marks_the_states_calls_dropped_off_in(calls):
    drawn = report.mermaid(summarize(calls), office.TABLE, "greeting").splitlines()
    assert "    class hours dropoff" in drawn  # ended there, though hours is no end
    assert "    classDef dropoff stroke:#c0392b,stroke-dasharray:4" in drawn


def test_a_quote_in_a_phrase_cannot_end_a_label_of_the_diagram():
    def menu(call):
        return Gather(num_digits=1, action=call.action, action_on_empty_result=True)

    option = Option("1", "menu", say={"en-US": "One."}, hear={"en-US": 'the "one"'})
    table = {"menu": State(menu, Keys([option], otherwise="menu"))}
    drawn = report.mermaid(Traffic(table).read([]).summary(), table, "menu")
    [edge] = [line for line in drawn.splitlines() if line.startswith("    menu -->")]
    assert edge == '    menu -->|"1, say the #quot;one#quot;, other key, silence · 0"| menu'


def test_an_empty_input_reports_no_calls():
    summary = summarize([])
    assert summary["calls"] == 0
    assert all(s == {"entered": 0, "ended_here": 0} for s in summary["states"].values())
    assert summary["lines"]["read"] == 0
    for render in (report.text, report.mermaid, report.dot):
        assert render(summary | {"timezone": "UTC"}, office.TABLE, "greeting")


def test_gzip_and_plain_files_give_the_same_report(calls, tmp_path):
    plain, packed = tmp_path / "web.log", tmp_path / "web.log.1"  # no .gz: the content tells
    plain.write_text("".join(calls))
    packed.write_bytes(gzip.compress("".join(calls).encode()))
    assert summarize_files([packed]) == summarize_files([plain])


def test_a_gzip_file_cut_short_gives_what_it_holds(calls, tmp_path):
    packed = gzip.compress("".join(calls * 50).encode())
    path = tmp_path / "web.log.gz"
    path.write_bytes(packed[: len(packed) * 2 // 3])
    result = phonetree("report", "--format", "json", str(path))
    assert result.returncode == 0
    assert 0 < json.loads(result.stdout)["lines"]["read"] < len(calls) * 50
    assert b"cut off" in result.stderr


def test_a_byte_order_mark_and_windows_line_ends_are_passed_over(calls, tmp_path):
    path = tmp_path / "web.log"
    path.write_bytes(b"\xef\xbb\xbf" + "".join(calls).replace("\n", "\r\n").encode())
    summary = summarize_files([path])
    assert counts(summary) == EXPECTED
    assert summary["lines"]["not_ours"] == summarize(calls)["lines"]["not_ours"]


def test_lines_split_over_two_files_are_read_in_time_order(calls, tmp_path):
    first, second = tmp_path / "web.1.log", tmp_path / "web.2.log"
    first.write_text("".join(calls[1::2]))
    second.write_text("".join(calls[0::2]))
    assert counts(summarize_files([first, second])) == EXPECTED


def test_the_report_page_names_every_prefix_and_every_key(calls):
    page = (ROOT / "docs" / "report.md").read_text(encoding="utf-8")
    prefix_rows = {row.split(" | ")[0].strip("| ").replace("`", "") for row in page.splitlines()}
    assert set(PREFIXES) <= prefix_rows
    summary = summarize(calls) | {"timezone": "UTC"}
    assert [key for key in summary if f"| `{key}` |" not in page] == []
    assert [key for key in summary["lines"] if f'"{key}"' not in page] == []


# Time ########################################################################


def calls_of(lines, suffix):
    """The same calls under other call ids."""
    return [re.sub(r" call=(\S+)", rf" call=\1{suffix}", line) for line in lines]


def at(lines, when):
    """The lines as if written at ``when`` ("2026-11-24 15:00"), one second apart."""
    return [f"{when}:{index:02d},000{line[23:]}" for index, line in enumerate(lines)]


def test_since_and_until_keep_the_lines_of_the_window(calls):
    lines = at(calls_of(calls, "a"), "2026-11-23 15:00") + at(
        calls_of(calls, "b"), "2026-11-24 15:00"
    )
    monday = summarize(lines, until=report.moment("2026-11-24", NEW_YORK))
    tuesday = summarize(lines, since=report.moment("2026-11-24", NEW_YORK))
    assert counts(monday) == EXPECTED
    assert counts(tuesday) == EXPECTED
    ours = len(calls) - summarize(calls)["lines"]["skipped"]
    assert monday["lines"]["outside_window"] == ours


def test_calls_are_counted_in_the_business_hour(calls):
    summary = summarize(at(calls, "2026-11-24 15:00"))  # 10 AM in New York
    assert summary["calls_per_hour"][10] == 3
    assert sum(summary["calls_per_hour"]) == 3


def test_the_window_on_the_command_line(calls, tmp_path):
    path = tmp_path / "web.log"
    path.write_text("".join(at(calls, "2026-11-24 15:00")))
    inside = phonetree("report", "--format", "json", "--since", "2026-11-24T09:59", str(path))
    outside = phonetree("report", "--format", "json", "--since", "2026-11-24T10:01", str(path))
    assert json.loads(inside.stdout)["calls"] == 3
    assert json.loads(outside.stdout)["calls"] == 0


def test_stdin_is_read_when_no_file_is_named(calls):
    result = phonetree("report", "--format", "json", stdin="".join(calls).encode())
    assert counts(json.loads(result.stdout)) == EXPECTED


def test_gzip_on_stdin_is_read(calls):
    result = phonetree("report", "--format", "json", stdin=gzip.compress("".join(calls).encode()))
    assert counts(json.loads(result.stdout)) == EXPECTED


def test_the_log_s_own_time_zone_is_read_as_given(calls):
    def busy_hours(*args):
        result = phonetree("report", "--format", "json", *args, stdin="".join(calls).encode())
        hours = json.loads(result.stdout)["calls_per_hour"]
        return {hour for hour, count in enumerate(hours) if count}

    # The same lines, their times read in New York rather than UTC: as many hours later there
    # as New York is behind UTC (the lines were written now).
    behind = -round(datetime.now(NEW_YORK).utcoffset().total_seconds() / 3600)
    later = {(hour + behind) % 24 for hour in busy_hours()}
    assert busy_hours("--log-timezone", "America/New_York") == later


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "yesterday"], "Invalid isoformat"),
        (["--log-timezone", "Mars/Olympus"], "Mars/Olympus"),
        (["no-such.log"], "no-such.log"),
    ],
)
def test_bad_arguments_get_a_message_not_a_traceback(args, message):
    result = phonetree("report", *args, stdin=b"")
    assert result.returncode != 0
    assert message in result.stderr.decode()
    assert "Traceback" not in result.stderr.decode()


def phonetree(*args, stdin=b""):
    """The office's ``python phonetree.py ARGS``, in a process of its own."""
    return subprocess.run(
        [sys.executable, "-m", "tests.engine.office_cli", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "TIMEZONE": "America/New_York"},
    )


# Memory ######################################################################


def test_memory_holds_only_the_calls_still_open():
    traffic = Traffic(office.TABLE, NEW_YORK)
    most = 0
    for number in range(2000):  # calls that never send a status line
        began = number * 600.0
        traffic.add(Entry(began, "webhook", start_fields(f"CA{number}")))
        most = max(most, len(traffic.open))
    assert most <= STALE // 600 + 1
    traffic.read([])
    assert traffic.open == {}
    assert traffic.summary()["states"]["menu"] == {"entered": 2000, "ended_here": 2000}


def start_fields(sid):
    return {"call": sid, "path": "/voice", "entered": "greeting,menu", "next": "menu", "ms": "1"}


def test_a_call_that_ended_is_forgotten_soon_after():
    traffic = Traffic(office.TABLE, NEW_YORK)
    traffic.add(Entry(0.0, "webhook", start_fields("CA1")))
    traffic.add(Entry(9.0, "call-ended", {"call": "CA1", "status": "completed", "duration": "9"}))
    traffic.add(Entry(9.0 + GRACE, "webhook", start_fields("CA2")))
    assert list(traffic.open) == ["CA2"]
    assert traffic.ended["menu"] == 1


def test_an_engine_table_of_its_own_is_reported():
    table = {
        "ask": State(
            lambda call: Gather(action=call.action), Keys((Option("1", "ask"),), otherwise="ask")
        ),
    }
    traffic = Traffic(table, UTC)
    traffic.add(Entry(0.0, "webhook", {"call": "C", "path": "/voice", "entered": "ask", "ms": "1"}))
    path = {"call": "C", "path": "/state/ask/exit", "digits": "1", "entered": "ask", "ms": "1"}
    traffic.add(Entry(1.0, "webhook", path))
    summary = traffic.read([]).summary()
    assert summary["edges"] == [
        {"from": "ask", "to": "ask", "count": 1, "share": 1.0, "in_table": True}
    ]
    assert summary["outcomes"]["hung_up_at_menu"] == 1
