"""The practice's name, in the caller's language, and whether it is open."""

from twilio.twiml.voice_response import Say

from phonetree_engine import fill

WORDS = {
    "fr-CA": {
        "welcome": "{practice}, bonjour.",
        "closed": "La clinique est fermée en ce moment, mais vous pouvez nous laisser un message.",
    },
    "en-US": {
        "welcome": "Thank you for calling {practice}.",
        "closed": "The clinic is closed right now, but you can leave us a message.",
    },
}


def enter(call):
    """Name the practice, and say so when it is closed; the table goes on to the menu."""
    words = call.words(WORDS)
    welcome = Say(fill(words["welcome"], practice=call.config.practice_name))
    return welcome if call.is_open else [welcome, Say(words["closed"])]
