"""The polite end of a call: after talking with the front desk, or a Record with no message."""

from twilio.twiml.voice_response import Hangup, Say

WORDS = {
    "fr-CA": {"goodbye": "Merci de votre appel et bonne journée."},
    "en-US": {"goodbye": "Thanks for calling, and have a good day."},
}


def enter(call):
    """Thank the caller and hang up."""
    return [Say(call.words(WORDS)["goodbye"]), Hangup()]
