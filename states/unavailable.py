"""Nobody can take the call (closed, no answer, queue full): offer voicemail."""

from twilio.twiml.voice_response import Say


def enter(call):
    """Say nobody is free; the table goes on to voicemail."""
    return Say("Sorry, no one can take your call right now.")
