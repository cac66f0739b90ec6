"""Opening hours: read from OPENING_HOURS, asked whether they are open, grouped to be said.

The engine holds the mechanism only. ``Hours.parse("Mon-Fri 09:00-18:00; Sat 10:00-14:00")``
reads a week; ``is_open_at(moment)`` answers the ``when_closed`` of a row; ``openings()`` groups
the week the way a person says it (days with the same hours together, each interval once), and
the tree turns those groups into a sentence in each of its languages (``states/hours_said.py``
in the shipped tree).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from itertools import pairwise
from typing import NamedTuple

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# "24:00" is stored as the last instant of the day, so it sorts and compares after every other time.
END_OF_DAY = time.max
_CLOCK = r"(?:[01]?\d|2[0-3]):[0-5]\d"  # 24-hour HH:MM; 24:00 is allowed only as a closing time

Interval = tuple[time, time]


class Opening(NamedTuple):
    """One group of the week, as said: these days, open in these intervals.

    ``runs`` are the days in runs of consecutive days (0 is Monday; a run may wrap from Sunday
    into Monday), ``also`` tells that some of the days were said before with other hours ("and
    Wednesdays also from 6 PM to 8 PM"). A close of ``END_OF_DAY`` is midnight at the day's end.
    """

    runs: tuple[tuple[int, ...], ...]
    intervals: tuple[Interval, ...]
    also: bool

    @property
    def every_day(self) -> bool:
        return sum(len(run) for run in self.runs) == 7

    @property
    def around_the_clock(self) -> bool:
        return self.intervals == ((time(0), END_OF_DAY),)


def _day(word: str) -> int:
    name = word.strip().lower()
    for number, day in enumerate(DAYS):
        if name in (day, day[:3]):
            return number
    raise ValueError(f"{word.strip()!r} is not a day; expected Mon to Sun or Monday to Sunday")


def _days(text: str) -> list[int]:
    """Read 'Mon', 'Mon-Fri', 'Mon,Wed,Fri' or 'Fri-Mon' (wrapping the week) as day numbers."""
    days = []
    for item in text.split(","):
        first, dash, last = item.partition("-")
        start = _day(first)
        end = _day(last) if dash else start
        days += [(start + step) % 7 for step in range((end - start) % 7 + 1)]
    return days


def _interval(text: str) -> Interval:
    match = re.fullmatch(rf"({_CLOCK})\s*-\s*({_CLOCK}|24:00)", text)
    if not match:
        raise ValueError(f"{text!r} is not a time range; expected HH:MM-HH:MM, like 09:00-18:00")
    start, end = (
        END_OF_DAY if clock == "24:00" else datetime.strptime(clock, "%H:%M").time()
        for clock in match.groups()
    )
    if end <= start:
        raise ValueError(f"{text!r} does not close after it opens; expected e.g. 09:00-18:00")
    return start, end


def _parse_week(text: str) -> tuple[tuple[Interval, ...], ...]:
    week: list[list[tuple[time, time, str]]] = [[] for _ in DAYS]
    # Empty groups are skipped so that a trailing ";" in an env file is harmless.
    groups = [group.strip() for group in text.split(";") if group.strip()]
    if not groups:
        raise ValueError("no opening hours; expected e.g. 'Mon-Fri 09:00-18:00; Sat 10:00-14:00'")
    for group in groups:
        # Day names hold no digits, so the times start at the first digit.
        match = re.fullmatch(r"(\D+?)\s+(\d.*)", group)
        if not match:
            raise ValueError(
                f"{group!r} is not days and times; expected e.g. 'Mon-Fri 09:00-18:00'"
            )
        days, span = match.groups()
        interval = _interval(span)
        for day in _days(days):
            week[day].append((*interval, span))
    for day, intervals in enumerate(week):
        for (_, end, first), (start, _, second) in pairwise(sorted(intervals)):
            if start < end:
                raise ValueError(
                    f"{DAYS[day].title()} {first} overlaps {second}; expected no overlap"
                )
    return tuple(tuple((start, end) for start, end, _ in sorted(day)) for day in week)


def day_runs(days: set[int]) -> list[tuple[int, ...]]:
    """Split days into runs of consecutive days; a run may wrap from Sunday into Monday."""
    if len(days) == 7:
        return [tuple(range(7))]
    # Start after the week's last closed day, so that Sat, Sun and Mon make one run.
    first = (max(set(range(7)) - days) + 1) % 7
    runs: list[list[int]] = []
    for day in ((first + step) % 7 for step in range(7)):
        if day not in days:
            continue
        if runs and runs[-1][-1] == (day - 1) % 7:
            runs[-1].append(day)
        else:
            runs.append([day])
    return [tuple(run) for run in runs]


@dataclass(frozen=True)
class Hours:
    """Weekly opening hours: for each day, Monday first, its sorted (open, close) intervals."""

    week: tuple[tuple[Interval, ...], ...]

    @classmethod
    def parse(cls, text: str) -> Hours:
        """Read e.g. 'Mon-Fri 09:00-18:00; Sat 10:00-14:00'; ValueError says what is expected."""
        return cls(_parse_week(text))

    def is_open_at(self, moment: datetime) -> bool:
        """Tell whether the wall-clock time of ``moment`` falls in an opening interval."""
        now = moment.time()
        return any(
            start <= now and (now < end or end == END_OF_DAY)
            for start, end in self.week[moment.weekday()]
        )

    def openings(self) -> list[Opening]:
        """The week in the groups a person says, first days first; [] when never open.

        Each interval is said once, for all the days it applies to ('every day from 9 AM to 5 PM,
        and Wednesdays also from 6 PM to 8 PM'); days with the same intervals are said together
        ('Mondays, Wednesdays, and Fridays from 9 AM to noon and from 1 PM to 5 PM').
        """
        days_of: dict[Interval, set[int]] = {}
        for day, intervals in enumerate(self.week):
            for interval in intervals:
                days_of.setdefault(interval, set()).add(day)
        intervals_of: dict[frozenset[int], list[Interval]] = {}
        for interval, days in sorted(days_of.items()):
            intervals_of.setdefault(frozenset(days), []).append(interval)
        groups, said = [], set()
        for days, intervals in sorted(intervals_of.items(), key=lambda item: min(item[0])):
            groups.append(Opening(tuple(day_runs(set(days))), tuple(intervals), bool(days & said)))
            said |= days
        return groups


def opening_hours(text: str) -> Hours:
    """The reader of OPENING_HOURS."""
    return Hours.parse(text)
