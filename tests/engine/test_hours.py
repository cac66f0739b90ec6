"""Opening hours: read from OPENING_HOURS, asked whether they are open, grouped to be said.

How a tree says the groups is the tree's (the shipped tree's in ``tests/tree/test_hours_said.py``);
here, only what any tree gets from the engine.
"""

from datetime import datetime, time
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings

from phonetree_engine.hours import END_OF_DAY, Hours, Opening, day_runs
from tests.engine.weeks import opening_hours

# 2026-01-05 is a Monday; the days after it follow the week.
MONDAY, TUESDAY, FRIDAY, SATURDAY, SUNDAY = 5, 6, 9, 10, 11
NO_HOURS = Hours(week=((),) * 7)
NINE_TO_SIX = ((time(9), time(18)),)


def january(day: int, hour: int, minute: int = 0, tz=None) -> datetime:
    return datetime(2026, 1, day, hour, minute, tzinfo=tz)


# Reading OPENING_HOURS #######################################################


@pytest.mark.parametrize(
    ("text", "open_days"),
    [
        ("Mon-Fri 09:00-18:00", [0, 1, 2, 3, 4]),
        ("Mon,Wed,Fri 09:00-18:00", [0, 2, 4]),
        ("Mon, Wed, Fri 09:00-18:00", [0, 2, 4]),
        ("Sat-Sun 09:00-18:00", [5, 6]),
        ("Fri-Mon 09:00-18:00", [0, 4, 5, 6]),
        ("Sun-Mon 09:00-18:00", [0, 6]),
        ("Mon-Mon 09:00-18:00", [0]),
        ("Mon-Tue,Thu 09:00-18:00", [0, 1, 3]),
        ("mon-FRI 09:00-18:00", [0, 1, 2, 3, 4]),
        ("Monday-Friday 09:00-18:00", [0, 1, 2, 3, 4]),
        ("monday,WEDNESDAY 09:00-18:00", [0, 2]),
        ("  Tue   09:00-18:00 ; ", [1]),
    ],
)
def test_parse_reads_days(text, open_days):
    week = Hours.parse(text).week
    assert week == tuple(NINE_TO_SIX if day in open_days else () for day in range(7))


@pytest.mark.parametrize(
    ("text", "monday"),
    [
        ("Mon 08:30-12:00", ((time(8, 30), time(12)),)),
        ("Mon 8:30-12:00", ((time(8, 30), time(12)),)),
        ("Mon 08:30 - 12:00", ((time(8, 30), time(12)),)),
        ("Mon 00:00-23:59", ((time(0), time(23, 59)),)),
        ("Mon 18:00-24:00", ((time(18), END_OF_DAY),)),
        ("Mon 09:00-12:00; Mon 13:00-17:00", ((time(9), time(12)), (time(13), time(17)))),
        ("Mon 13:00-17:00; Mon 09:00-12:00", ((time(9), time(12)), (time(13), time(17)))),
        ("Mon 09:00-12:00; Mon 12:00-17:00", ((time(9), time(12)), (time(12), time(17)))),
    ],
)
def test_parse_reads_times_sorted(text, monday):
    assert Hours.parse(text).week[0] == monday


def test_parse_reads_several_groups():
    week = Hours.parse("Mon-Fri 09:00-18:00; Sat 10:00-14:00").week
    assert week[4:] == (NINE_TO_SIX, ((time(10), time(14)),), ())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "no opening hours"),
        ("   ", "no opening hours"),
        (" ; ;", "no opening hours"),
        ("Mon-Fri", "'Mon-Fri' is not days and times"),
        ("09:00-18:00", "'09:00-18:00' is not days and times"),
        ("Mnday 09:00-17:00", "'Mnday' is not a day"),
        ("Tues 09:00-17:00", "'Tues' is not a day"),
        ("Mon- 09:00-17:00", "'' is not a day"),
        ("Mon Tue 09:00-17:00", "'Mon Tue' is not a day"),
        ("Mon-Fri-Sat 09:00-17:00", "'Fri-Sat' is not a day"),
        ("Mon 9-17", "'9-17' is not a time range"),
        ("Mon09:00-17:00", "'Mon09:00-17:00' is not days and times"),
        ("Mon 09:00-17:00x", "'09:00-17:00x' is not a time range"),
        ("Mon 9am-5pm", "'9am-5pm' is not a time range"),
        ("Mon 25:00-26:00", "'25:00-26:00' is not a time range"),
        ("Mon 09:60-17:00", "'09:60-17:00' is not a time range"),
        ("Mon 24:00-24:00", "'24:00-24:00' is not a time range"),
        ("Mon 18:00-09:00", "'18:00-09:00' does not close after it opens"),
        ("Mon 09:00-09:00", "'09:00-09:00' does not close after it opens"),
        ("Mon 09:00-12:00; Mon 11:00-17:00", "Monday 09:00-12:00 overlaps 11:00-17:00"),
        ("Mon-Fri 09:00-18:00; Wed 10:00-11:00", "Wednesday 09:00-18:00 overlaps 10:00-11:00"),
        ("Mon,Mon 09:00-10:00", "Monday 09:00-10:00 overlaps 09:00-10:00"),
        ("Mon-Fri 09:00-18:00; Sat 10-14", "'10-14' is not a time range"),
    ],
)
def test_a_parse_error_names_the_part_and_the_expected_form(text, expected):
    with pytest.raises(ValueError) as caught:
        Hours.parse(text)
    message = str(caught.value)
    assert expected in message
    assert "expected" in message
    assert "\n" not in message


# is_open_at() ################################################################

DEFAULT_HOURS = Hours.parse("Mon-Fri 09:00-18:00")


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (january(MONDAY, 9, 0), True),
        (january(MONDAY, 8, 59), False),
        (january(MONDAY, 12, 0), True),
        (january(MONDAY, 17, 59), True),
        (datetime(2026, 1, MONDAY, 17, 59, 59, 999999), True),
        (january(MONDAY, 18, 0), False),
        (january(MONDAY, 0, 0), False),
        (january(FRIDAY, 17, 59), True),
        (january(SATURDAY, 12, 0), False),
        (january(SUNDAY, 12, 0), False),
    ],
)
def test_nine_to_six_is_open_from_nine_until_just_before_six_on_weekdays(moment, expected):
    assert DEFAULT_HOURS.is_open_at(moment) is expected


def test_is_open_at_uses_the_wall_clock_of_an_aware_moment():
    assert DEFAULT_HOURS.is_open_at(january(MONDAY, 9, 0, ZoneInfo("Asia/Tokyo"))) is True


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (january(MONDAY, 17, 59), False),
        (january(MONDAY, 18, 0), True),
        (datetime(2026, 1, MONDAY, 23, 59, 59, 999999), True),
        (january(TUESDAY, 0, 0), False),
    ],
)
def test_closing_at_24_00_stays_open_until_midnight(moment, expected):
    assert Hours.parse("Mon 18:00-24:00").is_open_at(moment) is expected


@pytest.mark.parametrize(
    ("hour", "minute", "expected"),
    [(11, 59, True), (12, 0, False), (12, 59, False), (13, 0, True), (17, 0, False)],
)
def test_split_shift_is_closed_between_its_intervals(hour, minute, expected):
    hours = Hours.parse("Mon 09:00-12:00; Mon 13:00-17:00")
    assert hours.is_open_at(january(MONDAY, hour, minute)) is expected


def test_a_week_without_hours_is_never_open():
    assert NO_HOURS.is_open_at(january(MONDAY, 12)) is False


# openings(): the week in the groups a person says ############################

NINE, NOON, ONE, FIVE, SIX = time(9), time(12), time(13), time(17), time(18)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mon-Fri 09:00-18:00", [Opening(((0, 1, 2, 3, 4),), ((NINE, SIX),), False)]),
        ("Sat-Mon 09:00-17:00", [Opening(((5, 6, 0),), ((NINE, FIVE),), False)]),
        ("Mon,Wed-Sun 09:00-17:00", [Opening(((2, 3, 4, 5, 6, 0),), ((NINE, FIVE),), False)]),
        ("Mon,Wed,Fri 09:00-17:00", [Opening(((0,), (2,), (4,)), ((NINE, FIVE),), False)]),
        (
            "Mon-Fri 09:00-12:00; Mon-Fri 13:00-17:00",
            [Opening(((0, 1, 2, 3, 4),), ((NINE, NOON), (ONE, FIVE)), False)],
        ),
        (
            "Mon-Thu 09:00-18:00; Fri 09:00-17:00",
            [
                Opening(((0, 1, 2, 3),), ((NINE, SIX),), False),
                Opening(((4,),), ((NINE, FIVE),), False),
            ],
        ),
        (
            "Mon-Sun 09:00-17:00; Wed 18:00-20:00",
            [
                Opening((tuple(range(7)),), ((NINE, FIVE),), False),
                Opening(((2,),), ((SIX, time(20)),), True),
            ],
        ),
        (
            "Mon-Fri 09:00-12:00; Mon-Thu 13:00-17:00",
            [
                Opening(((0, 1, 2, 3, 4),), ((NINE, NOON),), False),
                Opening(((0, 1, 2, 3),), ((ONE, FIVE),), True),
            ],
        ),
        (
            "Sat 10:00-14:00; Mon-Fri 09:00-18:00",
            [
                Opening(((0, 1, 2, 3, 4),), ((NINE, SIX),), False),
                Opening(((5,),), ((time(10), time(14)),), False),
            ],
        ),
    ],
)
def test_openings_group_days_with_the_same_hours_first_days_first(text, expected):
    assert Hours.parse(text).openings() == expected


def test_a_week_without_hours_has_no_openings():
    assert NO_HOURS.openings() == []


@pytest.mark.parametrize(
    ("text", "every_day", "around_the_clock"),
    [
        ("Mon-Sun 00:00-24:00", True, True),
        ("Sun-Sat 09:00-17:00", True, False),
        ("Sun 00:00-24:00", False, True),
        ("Mon-Sat 00:00-23:59", False, False),
    ],
)
def test_an_opening_knows_every_day_and_around_the_clock(text, every_day, around_the_clock):
    [opening] = Hours.parse(text).openings()
    assert (opening.every_day, opening.around_the_clock) == (every_day, around_the_clock)


@pytest.mark.parametrize(
    ("days", "runs"),
    [
        ({0, 1, 2}, [(0, 1, 2)]),
        ({0, 2, 4}, [(0,), (2,), (4,)]),
        ({5, 6, 0}, [(5, 6, 0)]),
        ({6, 0, 3}, [(6, 0), (3,)]),  # from the day after the week's last closed day
        (set(range(7)), [tuple(range(7))]),
    ],
)
def test_day_runs_join_consecutive_days_across_the_weekend(days, runs):
    assert day_runs(days) == runs


@given(opening_hours())
@settings(max_examples=200, deadline=None)
def test_openings_say_every_open_interval_of_every_day_exactly_once(text):
    try:
        hours = Hours.parse(text)
    except ValueError:
        assume(False)  # overlapping groups
    said = [
        (day, interval)
        for opening in hours.openings()
        for run in opening.runs
        for day in run
        for interval in opening.intervals
    ]
    week = [(day, interval) for day, intervals in enumerate(hours.week) for interval in intervals]
    assert sorted(said) == sorted(week)


@given(opening_hours())
@settings(max_examples=200, deadline=None)
def test_openings_are_runs_of_days_each_interval_once_also_after_its_days(text):
    try:
        openings = Hours.parse(text).openings()
    except ValueError:
        assume(False)
    intervals = [interval for opening in openings for interval in opening.intervals]
    assert len(intervals) == len(set(intervals))  # each interval said for all its days at once
    seen: set[int] = set()
    firsts = []
    for opening in openings:
        days = [day for run in opening.runs for day in run]
        assert len(days) == len(set(days))
        for run in opening.runs:  # consecutive, and no run could join the next
            assert all((b - a) % 7 == 1 for a, b in pairwise(run))
        if len(days) < 7:
            ends, starts = {run[-1] for run in opening.runs}, {run[0] for run in opening.runs}
            assert not any((end + 1) % 7 in starts for end in ends)
        assert list(opening.intervals) == sorted(opening.intervals)
        assert opening.also == bool(seen & set(days))
        seen |= set(days)
        firsts.append(min(days))
    assert firsts == sorted(firsts)
