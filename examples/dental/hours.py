"""The opening hours, read from OPENING_HOURS and said in the caller's language."""

from twilio.twiml.voice_response import Gather

from examples.dental.hours_said import SAID
from phonetree_engine import Option, fill

OPTIONS = (Option("1", "hours"),)  # again; any other key goes back to the menu

WORDS = {
    "fr-CA": {
        "open": "La clinique est ouverte {hours}.",
        "again": "Faites le 1 pour réentendre nos heures, ou toute autre touche pour revenir "
        "au menu.",
    },
    "en-US": {
        "open": "The clinic is open {hours}.",
        "again": "Press 1 to hear our hours again, or any other key to go back to the menu.",
    },
}


def enter(call):
    """Say when the clinic is open; 1 says it again, anything else goes back to the menu."""
    words = call.words(WORDS)
    said = call.words(SAID)(call.config.opening_hours.openings())
    hours = Gather(num_digits=1, action=call.action, action_on_empty_result=True)
    hours.say(fill(words["open"], hours=said))
    hours.pause()
    hours.say(words["again"])
    return hours
