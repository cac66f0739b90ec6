"""After a message was recorded."""

from twilio.twiml.voice_response import Hangup, Say


def enter(call):
    """Thank the caller and hang up."""
    return [
        Say("Thank you for your message. We will return your call as soon as possible. Goodbye."),
        Hangup(),
    ]
