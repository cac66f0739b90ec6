"""How this tree says its opening hours, in each of its languages.

The engine groups the week (``Hours.openings()``: days with the same hours together, each
interval once); each function here turns those groups into the words that complete the hours
state's sentence ("We are open ..."). To add a language, add its function to ``SAID``.
"""

from datetime import time

from phonetree_engine.hours import END_OF_DAY

# English ######################################################################

DAYS = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")


def english_list(items: list[str]) -> str:
    """'A', 'A and B', 'A, B, and C'; two items with an 'and', 'also' or comma get one too."""
    plain = not any(word in item for item in items for word in (" and ", ",", " also "))
    if len(items) == 2 and plain:
        return " and ".join(items)
    return ", ".join(items[:-1]) + ", and " * (len(items) > 1) + items[-1]


def english_time(moment: time) -> str:
    if moment in (END_OF_DAY, time(0)):
        return "midnight"
    if moment == time(12):
        return "noon"
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{moment.hour % 12 or 12}{minutes} {'AM' if moment.hour < 12 else 'PM'}"


def english(openings) -> str:
    phrases = []
    for opening in openings:
        if opening.every_day:
            days = "every day"
        else:
            names = []
            for run in opening.runs:
                plural = [DAYS[day] for day in run]
                names += [f"{plural[0]} through {plural[-1]}"] if len(run) > 2 else plural
            days = english_list(names)
        if opening.around_the_clock:
            spans = ", around the clock"
        else:
            spans = " " + " and ".join(
                f"from {english_time(start)} to {english_time(end)}"
                for start, end in opening.intervals
            )
        phrases.append(days + (" also" if opening.also else "") + spans)
    return english_list(phrases) if phrases else "by appointment only"


# Spanish ######################################################################

DIAS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábados", "domingos")


def spanish_list(items: list[str]) -> str:
    return ", ".join(items[:-1]) + " y " * (len(items) > 1) + items[-1]


def spanish_time(moment: time) -> str:
    if moment in (END_OF_DAY, time(0)):
        return "medianoche"
    if moment == time(12):
        return "mediodía"
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    part = (
        "de la mañana" if moment.hour < 12 else "de la tarde" if moment.hour < 20 else "de la noche"
    )
    return f"{moment.hour % 12 or 12}{minutes} {part}"


def spanish(openings) -> str:
    phrases = []
    for opening in openings:
        if opening.every_day:
            days = "todos los días"
        else:
            spans = [f"de {DIAS[run[0]]} a {DIAS[run[-1]]}" for run in opening.runs if len(run) > 2]
            single = [DIAS[day] for run in opening.runs if len(run) <= 2 for day in run]
            days = spanish_list(spans + ([f"los {spanish_list(single)}"] if single else []))
        if opening.around_the_clock:
            hours = ", las 24 horas"
        else:
            hours = " " + " y ".join(
                f"de {spanish_time(start)} a {spanish_time(end)}"
                for start, end in opening.intervals
            )
        phrases.append(days + (" también" if opening.also else "") + hours)
    return spanish_list(phrases) if phrases else "solo con cita previa"


# How each language says the hours: a function of the week's groups.
SAID = {"en-US": english, "es-US": spanish}
