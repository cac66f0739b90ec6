"""Business hours, read from the configuration and said in the caller's language."""

from twilio.twiml.voice_response import Gather

from phonetree_engine import Option, fill
from states.hours_said import SAID

OPTIONS = (Option("1", "hours"),)  # again; any other key goes back to the menu

WORDS = {
    "en-US": {
        "open": "We are open {hours}.",
        "again": "Press 1 to repeat this message or any other key to go back to the menu.",
    },
    "es-US": {
        "open": "Estamos abiertos {hours}.",
        "again": "Oprima 1 para repetir este mensaje o cualquier otra tecla para volver al menú.",
    },
}


def enter(call):
    """Say when we are open; 1 repeats, anything else goes back to the menu."""
    words = call.words(WORDS)
    said = call.words(SAID)(call.config.opening_hours.openings())
    hours = Gather(num_digits=1, action=call.action, action_on_empty_result=True)
    hours.say(fill(words["open"], hours=said))
    hours.pause()
    hours.say(words["again"])
    return hours
