"""An invalid choice at the menu."""

from twilio.twiml.voice_response import Say


def enter(call):
    """Tell the caller the option was invalid; the table goes back to the menu."""
    return Say("The option that you selected is invalid.")
