"""How the practice says its hours, whatever OPENING_HOURS a deployer sets."""

import pytest

from examples.dental.hours_said import english, french
from phonetree_engine.hours import Hours

# OPENING_HOURS: (in French, in English)
WEEKS = {
    "Mon-Thu 08:00-18:00; Fri 08:00-13:00": (
        "du lundi au jeudi de 8 h à 18 h et le vendredi de 8 h à 13 h",
        "Mondays through Thursdays from 8 AM to 6 PM, and Fridays from 8 AM to 1 PM",
    ),
    "Mon,Wed 07:30-12:00; Mon,Wed 13:00-19:45": (
        "le lundi et le mercredi de 7 h 30 à midi et de 13 h à 19 h 45",
        "Mondays and Wednesdays from 7:30 AM to noon and from 1 PM to 7:45 PM",
    ),
    "Mon-Fri 09:00-17:00; Tue 18:00-21:00; Sat 09:00-12:00": (
        "du lundi au vendredi de 9 h à 17 h, le mardi aussi de 18 h à 21 h et le samedi de 9 h "
        "à midi",
        "Mondays through Fridays from 9 AM to 5 PM, Tuesdays also from 6 PM to 9 PM, and "
        "Saturdays from 9 AM to noon",
    ),
    "Tue,Thu,Sat 10:00-24:00": (
        "le mardi, le jeudi et le samedi de 10 h à minuit",
        "Tuesdays, Thursdays, and Saturdays from 10 AM to midnight",
    ),
    "Mon-Sun 00:00-24:00": (
        "tous les jours 24 heures sur 24",
        "every day around the clock",
    ),
}


@pytest.mark.parametrize("week", WEEKS)
def test_the_hours_in_french(week):
    assert french(Hours.parse(week).openings()) == WEEKS[week][0]


@pytest.mark.parametrize("week", WEEKS)
def test_the_hours_in_english(week):
    assert english(Hours.parse(week).openings()) == WEEKS[week][1]


def test_a_practice_never_open_is_open_by_appointment():
    closed = Hours(((),) * 7)
    assert (french(closed.openings()), english(closed.openings())) == (
        "sur rendez-vous seulement",
        "by appointment only",
    )
