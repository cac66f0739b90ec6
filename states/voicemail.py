"""Voicemail: one state for sales, after hours and every way to a message.

The message reaches the business from the carrier's recording callback, which asks to be
retried: it is answered 2xx only once every channel (email, POST) took the message. That
callback carries few of the call's parameters, so its URL carries the caller (sealed) and how
they got here (``via``).
"""

from twilio.twiml.voice_response import Hangup, Say

from phonetree_engine.delivery import notify

WORDS = {
    "en-US": {
        "record": "Please leave a message after the beep. Press the pound key when you are done.",
        "nothing": "We did not get a message. Goodbye.",
    },
    "es-US": {
        "record": "Por favor, deje un mensaje después del tono. "
        "Oprima la tecla de numeral cuando termine.",
        "nothing": "No recibimos ningún mensaje. Adiós.",
    },
}


def enter(call):
    """Record a message; Record's action thanks the caller."""
    words = call.words(WORDS)
    return [
        Say(words["record"]),
        notify.recording(call, via=via(call)),
        # The carrier skips the action when the recording is empty, and goes on here.
        Say(words["nothing"]),
        Hangup(),
    ]


def via(call) -> str:
    """How the caller got here, in the business's words."""
    if not call.is_open:
        return "after hours"
    trail = call.trail
    if "support" in trail:
        left = call.param("QueueResult") == "leave"
        return "left the support queue" if left else "support queue unavailable"
    if "reception" in trail:
        return "no answer at reception"
    if "sales" in trail:
        return "sales"
    return "voicemail"


def saved(call):
    """Thank the caller when there is a recording."""
    return "message_saved" if call.param("RecordingUrl") else "goodbye"
