"""Silence at the menu: the caller chose nothing, which is not the same as a wrong key."""

from twilio.twiml.voice_response import Say

WORDS = {
    "en-US": {"nothing": "Sorry, we did not hear your choice."},
    "es-US": {"nothing": "Lo siento, no escuchamos su elección."},
}


def enter(call):
    """Say we heard no choice; the table goes back to the menu, which reads the options again."""
    return Say(call.words(WORDS)["nothing"])
