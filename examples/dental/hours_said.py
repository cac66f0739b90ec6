"""How the practice says its opening hours, in French and in English.

The engine groups the week (``Hours.openings()``): each group is days said together, in runs
of consecutive days (0 is Monday), open in the same intervals; ``also`` when some of its days
were said before with other hours. Each function turns the groups into the end of the hours
state's sentence ("La clinique est ouverte ...").
"""

from datetime import time

from phonetree_engine.hours import END_OF_DAY


def listed(items: list[str], last: str) -> str:
    """'A', 'A<last>B', 'A, B<last>C'."""
    return ", ".join(items[:-1]) + (last if len(items) > 1 else "") + items[-1]


# Français #####################################################################

JOURS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def heure(moment: time) -> str:
    """'8 h', '8 h 30', 'midi', 'minuit': the hours as Quebecers say them."""
    if moment in (time(0), END_OF_DAY):
        return "minuit"
    if moment == time(12):
        return "midi"
    return f"{moment.hour} h" + (f" {moment.minute:02d}" if moment.minute else "")


def french(openings) -> str:
    """'du lundi au jeudi de 8 h à 18 h et le vendredi de 8 h à 13 h'."""
    phrases = []
    for opening in openings:
        days = []
        for run in opening.runs:
            if len(run) > 2:
                days.append(f"du {JOURS[run[0]]} au {JOURS[run[-1]]}")
            else:
                days += [f"le {JOURS[day]}" for day in run]
        said = "tous les jours" if opening.every_day else listed(days, " et ")
        if opening.around_the_clock:
            spans = "24 heures sur 24"
        else:
            spans = " et ".join(f"de {heure(a)} à {heure(b)}" for a, b in opening.intervals)
        phrases.append(f"{said}{' aussi' if opening.also else ''} {spans}")
    return listed(phrases, " et ") if phrases else "sur rendez-vous seulement"


# English ######################################################################

DAYS = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")


def clock(moment: time) -> str:
    """'8 AM', '8:30 PM', 'noon', 'midnight'."""
    if moment in (time(0), END_OF_DAY):
        return "midnight"
    if moment == time(12):
        return "noon"
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{moment.hour % 12 or 12}{minutes} {'AM' if moment.hour < 12 else 'PM'}"


def english(openings) -> str:
    """'Mondays through Thursdays from 8 AM to 6 PM, and Fridays from 8 AM to 1 PM'."""
    phrases = []
    for opening in openings:
        days = []
        for run in opening.runs:
            if len(run) > 2:
                days.append(f"{DAYS[run[0]]} through {DAYS[run[-1]]}")
            else:
                days += [DAYS[day] for day in run]
        last = ", and " if len(days) > 2 else " and "  # Mondays and Fridays; A, B, and C
        said = "every day" if opening.every_day else listed(days, last)
        if opening.around_the_clock:
            spans = "around the clock"
        else:
            spans = " and ".join(f"from {clock(a)} to {clock(b)}" for a, b in opening.intervals)
        phrases.append(f"{said}{' also' if opening.also else ''} {spans}")
    return listed(phrases, ", and ") if phrases else "by appointment only"


# How each language says the hours: a function of the week's groups.
SAID = {"fr-CA": french, "en-US": english}
