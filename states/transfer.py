"""Too many invalid or silent tries at the menu: hand the caller to a person."""

from twilio.twiml.voice_response import Say


def enter(call):
    """Stop repeating the menu; the table goes on to the receptionist."""
    return Say("Sorry, I still did not get that. Let me put you through to someone who can help.")
