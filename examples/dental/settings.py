"""The practice's settings, read from the environment with the engine's at start-up.

Each is declared once (its variable, how its text is read, its default, what it means); a
handler reads ``call.config.practice_name``. ``DEFAULTS`` are the tree's own defaults for the
engine's settings: a deployer's environment still decides.
"""

from phonetree_engine import Group, Setting
from phonetree_engine.settings import integer, phone_or_sip, text

SETTINGS = Group(
    "The dental practice",
    (
        Setting(
            "PRACTICE_NAME",
            text,
            "Clinique dentaire Mont-Royal",
            "The practice's name, said after the language choice",
        ),
        Setting(
            "FRONT_DESK_NUMBER",
            phone_or_sip,
            "+15145550100",
            "Where the front desk answers: E.164 or sip: URI",
        ),
        Setting(
            "FRONT_DESK_SECONDS",
            integer(5, 120, " of seconds"),
            "25",
            "Seconds to ring the front desk before voicemail, 5 to 120",
        ),
    ),
)

# French first: a caller who chooses nothing is served in French.
DEFAULTS = {
    "LANGUAGES": "fr-CA,en-US",
    "TIMEZONE": "America/Toronto",  # Montréal's time zone
    "OPENING_HOURS": "Mon-Thu 08:00-18:00; Fri 08:00-13:00",
}
