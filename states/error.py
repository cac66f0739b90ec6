"""An invalid choice at the menu."""

from twilio.twiml.voice_response import Say

WORDS = {
    "en-US": {"invalid": "The option that you selected is invalid."},
    "es-US": {"invalid": "La opción que seleccionó no es válida."},
}


def enter(call):
    """Tell the caller the option was invalid; the table goes back to the menu."""
    return Say(call.words(WORDS)["invalid"])
