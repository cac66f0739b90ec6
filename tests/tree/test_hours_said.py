"""How this tree says its opening hours (``states/hours_said.py``), in English and Spanish.

The engine groups the week (``Hours.openings()``); the words are the tree's. Every valid
OPENING_HOURS is said truly and unambiguously: a listener's reading of the English sentence
gives back the week.
"""

import re
from datetime import time

import pytest
from hypothesis import assume, given, settings

from phonetree import tree
from phonetree_engine import fill
from phonetree_engine.hours import Hours
from phonetree_engine.settings import Config
from states import hours
from states.hours_said import SAID
from tests.engine.weeks import opening_hours
from tests.tree.prompts import HOURS

NO_HOURS = Hours(week=((),) * 7)


def english(text: str) -> str:
    return SAID["en-US"](Hours.parse(text).openings())


def spanish(text: str) -> str:
    return SAID["es-US"](Hours.parse(text).openings())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mon-Fri 09:00-18:00", "Mondays through Fridays from 9 AM to 6 PM"),
        ("Sat 10:00-14:00", "Saturdays from 10 AM to 2 PM"),
        ("Sat-Sun 10:00-14:00", "Saturdays and Sundays from 10 AM to 2 PM"),
        ("Mon-Wed 09:00-17:00", "Mondays through Wednesdays from 9 AM to 5 PM"),
        ("Tue 08:30-12:45", "Tuesdays from 8:30 AM to 12:45 PM"),
        ("Tue 12:00-23:59", "Tuesdays from noon to 11:59 PM"),
        ("Sun 00:00-24:00", "Sundays, around the clock"),
        ("Mon-Sun 00:00-24:00", "every day, around the clock"),
        ("Sun-Sat 09:00-17:00", "every day from 9 AM to 5 PM"),
        ("Fri 00:30-01:00", "Fridays from 12:30 AM to 1 AM"),
        ("Sat-Mon 09:00-17:00", "Saturdays through Mondays from 9 AM to 5 PM"),
        ("Fri-Mon 10:00-14:00", "Fridays through Mondays from 10 AM to 2 PM"),
        ("Sun-Mon 10:00-14:00", "Sundays and Mondays from 10 AM to 2 PM"),
        ("Mon,Wed 09:00-17:00", "Mondays and Wednesdays from 9 AM to 5 PM"),
        ("Mon,Tue,Thu 09:00-17:00", "Mondays, Tuesdays, and Thursdays from 9 AM to 5 PM"),
        ("Mon-Wed,Fri 09:00-17:00", "Mondays through Wednesdays and Fridays from 9 AM to 5 PM"),
        ("Mon,Wed-Sun 09:00-17:00", "Wednesdays through Mondays from 9 AM to 5 PM"),
        ("Mon,Wed-Sat 09:00-17:00", "Mondays and Wednesdays through Saturdays from 9 AM to 5 PM"),
        (
            "Mon-Fri 09:00-18:00; Sat 10:00-14:00",
            "Mondays through Fridays from 9 AM to 6 PM and Saturdays from 10 AM to 2 PM",
        ),
        (
            "Mon-Fri 08:30-17:30; Sat 10:00-14:00; Sun 12:00-16:00",
            "Mondays through Fridays from 8:30 AM to 5:30 PM, Saturdays from 10 AM to 2 PM, "
            "and Sundays from noon to 4 PM",
        ),
        (
            "Mon-Fri 09:00-12:00; Mon-Fri 13:00-17:00",
            "Mondays through Fridays from 9 AM to noon and from 1 PM to 5 PM",
        ),
        (
            "Mon-Fri 09:00-12:00; Mon-Fri 13:00-17:00; Sat 10:00-14:00",
            "Mondays through Fridays from 9 AM to noon and from 1 PM to 5 PM, "
            "and Saturdays from 10 AM to 2 PM",
        ),
        (
            "Mon-Thu 09:00-18:00; Fri 09:00-17:00",
            "Mondays through Thursdays from 9 AM to 6 PM and Fridays from 9 AM to 5 PM",
        ),
        (
            "Mon,Wed,Fri 08:30-12:00; Sat 10:00-14:00",
            "Mondays, Wednesdays, and Fridays from 8:30 AM to noon, "
            "and Saturdays from 10 AM to 2 PM",
        ),
        (
            "Mon-Sun 09:00-17:00; Wed 18:00-20:00",
            "every day from 9 AM to 5 PM, and Wednesdays also from 6 PM to 8 PM",
        ),
        (
            "Mon-Fri 09:00-12:00; Mon-Thu 13:00-17:00",
            "Mondays through Fridays from 9 AM to noon, "
            "and Mondays through Thursdays also from 1 PM to 5 PM",
        ),
        (
            "Mon-Fri 00:00-24:00; Sat 10:00-14:00",
            "Mondays through Fridays, around the clock, and Saturdays from 10 AM to 2 PM",
        ),
        (
            "Fri 22:00-24:00; Sat 00:00-02:00",
            "Fridays from 10 PM to midnight and Saturdays from midnight to 2 AM",
        ),
        (
            "Mon 09:00-10:00; Tue 10:00-11:00; Wed 11:00-12:00",
            "Mondays from 9 AM to 10 AM, Tuesdays from 10 AM to 11 AM, "
            "and Wednesdays from 11 AM to noon",
        ),
    ],
)
def test_the_hours_are_said_in_english(text, expected):
    assert english(text) == expected


def test_the_default_hours_complete_the_hours_prompt():
    config = Config.from_environ({}, tree().settings, tree().defaults)
    said = SAID["en-US"](config.opening_hours.openings())
    assert fill(hours.WORDS["en-US"]["open"], hours=said) == HOURS


def test_a_week_without_hours_still_makes_a_sentence():
    assert SAID["en-US"](NO_HOURS.openings()) == "by appointment only"
    assert SAID["es-US"](NO_HOURS.openings()) == "solo con cita previa"


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("Mon-Fri 09:00-18:00", "de lunes a viernes de 9 de la mañana a 6 de la tarde"),
        ("Sat 10:30-14:00", "los sábados de 10:30 de la mañana a 2 de la tarde"),
        ("Sat-Sun 10:00-14:00", "los sábados y domingos de 10 de la mañana a 2 de la tarde"),
        ("Mon-Sun 00:00-24:00", "todos los días, las 24 horas"),
        (
            "Mon-Tue 08:00-12:00; Mon-Tue 13:00-24:00",
            "los lunes y martes de 8 de la mañana a mediodía y de 1 de la tarde a medianoche",
        ),
        (
            "Mon 09:00-17:00; Fri 20:00-23:00",
            "los lunes de 9 de la mañana a 5 de la tarde y los viernes de 8 de la noche a "
            "11 de la noche",
        ),
        (
            "Mon-Sun 09:00-17:00; Wed 18:00-20:00",
            "todos los días de 9 de la mañana a 5 de la tarde y los miércoles también de 6 de la "
            "tarde a 8 de la noche",
        ),
    ],
)
def test_the_hours_are_said_in_spanish(text, spoken):
    assert spanish(text) == spoken


def test_every_language_the_hours_state_speaks_says_the_hours():
    assert set(hours.WORDS) <= set(SAID)


# What a caller hears, read back ##############################################

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SPOKEN_DAYS = {day + "s": number for number, day in enumerate(DAY_NAMES)}


def spoken_time(words: list[str], closing: bool) -> time:
    word = words.pop(0)
    if word == "midnight":
        return time.max if closing else time(0)
    if word == "noon":
        return time(12)
    hour, _, minute = word.partition(":")
    pm = words.pop(0) == "PM"
    return time(int(hour) % 12 + 12 * pm, int(minute or 0))


def heard_week(spoken: str) -> tuple:
    """The week a listener takes from the English words: days, then their hours, phrase by
    phrase."""
    words = spoken.replace(",", " ,").split()
    week: list[set] = [set() for _ in DAY_NAMES]
    while words:
        days: list[int] = []
        while words and words[0] not in ("from", "around"):
            word = words.pop(0)
            if word == "every":
                words.pop(0)  # day
                days += range(7)
            elif word == "through":
                last = SPOKEN_DAYS[words.pop(0)]
                days += [(days[-1] + step) % 7 for step in range(1, (last - days[-1]) % 7 + 1)]
            elif word in SPOKEN_DAYS:
                days.append(SPOKEN_DAYS[word])
            else:
                assert word in (",", "and", "also"), spoken
        if words[0] == "around":
            del words[:3]  # around the clock
            spans = [(time(0), time.max)]
        else:
            spans = []
            while words[:1] == ["from"]:
                words.pop(0)
                opens = spoken_time(words, closing=False)
                assert words.pop(0) == "to", spoken
                spans.append((opens, spoken_time(words, closing=True)))
                if words[:2] == ["and", "from"]:
                    words.pop(0)
        for day in days:
            week[day] |= set(spans)
        while words and words[0] in (",", "and"):
            words.pop(0)
    return tuple(tuple(sorted(day)) for day in week)


@given(opening_hours())
@settings(max_examples=300, deadline=None)
def test_the_spoken_hours_are_the_opening_hours(text):
    try:
        week = Hours.parse(text)
    except ValueError:
        assume(False)  # overlapping groups
    spoken = SAID["en-US"](week.openings())
    assert heard_week(spoken) == week.week, spoken
    assert not re.search(r"\b12 [AP]M|\b0\d", spoken)  # midnight and noon by name, no 09


@pytest.mark.parametrize("text", ["Mon-Sun 09:00-17:00; Wed 18:00-20:00", "Sat-Mon 09:00-17:00"])
def test_the_reader_of_spoken_hours_tells_different_weeks_apart(text):
    assert heard_week(english(text)) != Hours.parse("Mon-Sun 09:00-17:00").week
