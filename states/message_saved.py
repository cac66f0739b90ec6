"""After a message was recorded."""

from twilio.twiml.voice_response import Hangup, Say

WORDS = {
    "en-US": {
        "thanks": "Thank you for your message. "
        "We will return your call as soon as possible. Goodbye."
    },
    "es-US": {
        "thanks": "Gracias por su mensaje. Le devolveremos la llamada lo antes posible. Adiós."
    },
}


def enter(call):
    """Thank the caller and hang up."""
    return [Say(call.words(WORDS)["thanks"]), Hangup()]
