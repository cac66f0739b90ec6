"""Nobody can take the call (closed, no answer, queue full): offer voicemail."""

from twilio.twiml.voice_response import Say

WORDS = {
    "en-US": {"unavailable": "Sorry, no one can take your call right now."},
    "es-US": {"unavailable": "Lo siento, nadie puede atender su llamada en este momento."},
}


def enter(call):
    """Say nobody is free; the table goes on to voicemail."""
    return Say(call.words(WORDS)["unavailable"])
