"""A moment of a call as the page's address holds it: its actions, its clock, its outcomes."""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from phonetree_tools.studio.moment import (
    MAX_ACTIONS,
    Action,
    BadMoment,
    Moment,
    action,
    from_address,
    recorded_seconds,
)

NEW_YORK = ZoneInfo("America/New_York")
AT = datetime(2026, 11, 24, 15, 0, tzinfo=timezone.utc)


def never(choice):
    raise AssertionError(f"the clock {choice!r} was resolved although the moment has one")


ACTIONS = ["3", "12#", "*", "_", "say:hours", "dial:busy", "hold:2,60,90", "queue:bridged"]
MESSAGES = [
    "record:call me back",
    "record:",
    "hangup",
    "hangup:call me back",
    "record:" + "a" * 500,
]
NOT_ACTIONS = ["", "abc", "3a", "dial:maybe", "queue:leave", "hold:0,0,0", "hold:a,b,c", "1" * 41]
NOT_SAID = ["hold:1,2", "say:", "say:" + "a" * 501, "fly:away"]


@pytest.mark.parametrize("token", [*ACTIONS, *MESSAGES])
def test_a_token_reads_back_as_itself(token):
    assert action(token).token == token


@pytest.mark.parametrize("token", [*NOT_ACTIONS, *NOT_SAID])
def test_a_token_that_is_no_action_is_refused(token):
    with pytest.raises(BadMoment):
        action(token)


@pytest.mark.parametrize(
    ("token", "step"),
    [
        ("3", ("press", {"digits": "3"})),
        ("say:hours", ("say", {"speech": "hours"})),
        ("_", ("silence", {})),
        ("dial:busy", ("dial_result", {"status": "busy"})),
        ("hold:2,60,90", ("hold", {"position": 2, "queue_time": 90, "avg_queue_time": 60})),
        ("queue:error", ("queue_result", {"result": "error"})),
        ("record:one two three", ("record", {"duration": 1, "transcript": "one two three"})),
        ("record:", ("record", {"duration": 0})),
        ("hangup", ("hang_up", {"duration": 0})),
    ],
)
def test_each_action_is_one_method_of_the_simulated_caller(token, step):
    assert action(token).caller_method() == step


@pytest.mark.parametrize(("words", "seconds"), [("", 0), ("hi", 1), ("a b c d e f", 2)])
def test_a_message_lasts_as_long_as_saying_its_words(words, seconds):
    assert recorded_seconds(words) == seconds


@pytest.mark.parametrize(
    ("token", "waiting", "queued", "fits"),
    [
        ("3", "input", False, True),
        ("3", "record", False, False),
        ("dial:busy", "dial", False, True),
        ("dial:busy", "input", False, False),
        ("hold:1,0,0", "queue", True, True),
        ("queue:bridged", "input", True, True),
        ("queue:bridged", "input", False, False),
        ("record:hi", "record", False, True),
        ("hangup", "queue", True, True),
        ("hangup", None, False, False),
    ],
)
def test_an_action_fits_only_the_wait_that_takes_it(token, waiting, queued, fits):
    assert action(token).fits(waiting, queued) is fits


# What Twilio does by itself ##################################################


def test_a_dial_ends_as_the_dial_outcome_says():
    assert Moment(AT, dial="failed").automatic("dial", False, None) == Action("dial", "failed")


def test_a_queue_holds_the_caller_once_per_caller_action():
    wanted = Moment(AT, hold=(2, 60, 0))
    assert wanted.automatic("queue", True, Action("press", "2")) == action("hold:2,60,0")


def test_a_caller_just_held_holds_on_until_they_act():
    assert Moment(AT).automatic("queue", True, action("hold:1,0,0")) is None


def test_a_queue_outcome_ends_the_wait():
    assert Moment(AT, queue="bridged").automatic("input", True, None) == action("queue:bridged")


def test_the_caller_hanging_up_in_the_queue_is_their_hang_up():
    assert Moment(AT, queue="hangup").automatic("queue", True, None) == action("hangup")


def test_a_menu_waits_for_the_caller():
    assert Moment(AT).automatic("input", False, None) is None


# The address #################################################################


def test_the_address_gives_every_action_in_order():
    found = from_address({"at": ["2026-11-24T10:00"], "do": ["1", "say:hours"]}, NEW_YORK, never)
    assert [a.token for a in found.actions] == ["1", "say:hours"]


def test_a_moment_without_an_offset_is_in_the_business_time_zone():
    found = from_address({"at": ["2026-11-24T10:00"]}, NEW_YORK, never)
    assert found.at == AT


def test_without_a_moment_the_clock_is_resolved():
    assert from_address({"clock": ["open"]}, NEW_YORK, lambda choice: AT).at == AT


def test_the_outcomes_and_the_hold_come_from_the_address():
    query = {"at": ["2026-11-24T10:00"], "dial": ["busy"], "queue": ["bridged"], "average": ["60"]}
    found = from_address(query, NEW_YORK, never)
    assert (found.dial, found.queue, found.hold) == ("busy", "bridged", (1, 60, 0))


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ({"dial": ["maybe"]}, "dial='maybe'"),
        ({"queue": ["leave"]}, "queue='leave'"),
        ({"do": ["3", "x"]}, "action 2: 'x'"),
        ({"do": ["3"] * (MAX_ACTIONS + 1)}, f"at most {MAX_ACTIONS} actions"),
        ({"position": ["0"]}, "a position from 1 to 999"),
    ],
)
def test_a_bad_address_says_what_is_wrong(query, said):
    with pytest.raises(BadMoment, match=said):
        from_address({"at": ["2026-11-24T10:00"], **query}, NEW_YORK, never)


def test_a_moment_that_is_no_time_says_so():
    with pytest.raises(BadMoment, match="not a date and time"):
        from_address({"at": ["noon"]}, NEW_YORK, never)
