"""Sales: nobody answers the phone there, so the caller leaves a message."""

from twilio.twiml.voice_response import Say


def enter(call):
    """Explain that sales is busy; the table goes on to voicemail."""
    return Say(
        "All our sales representatives are currently busy, please leave us a message "
        "and we will return your call as soon as possible."
    )
