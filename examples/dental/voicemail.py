"""Voicemail: one state for every way to a message, and what the caller hears after it.

The message reaches the practice from the carrier's recording callback (``recorded``), which
asks to be retried until every channel (email, POST) took it. That callback carries few of the
call's parameters, so its URL carries the caller (sealed) and how they got here (``via``); it
carries the call's context too, with the number an appointment request confirmed.
"""

from twilio.twiml.voice_response import Hangup, Say

from examples.dental.appointment import INTO
from phonetree_engine.delivery import notify

# What a voicemail hands the practice of what the call collected: label -> context name. The
# number goes in full to the practice and masked to the log.
DETAILS = {"Phone number to call back": INTO}

WORDS = {
    "fr-CA": {
        "record": "Laissez votre message après le bip, puis faites le carré.",
        "nothing": "Nous n'avons reçu aucun message. Au revoir.",
        "saved": "Merci, votre message est enregistré. Nous vous rappellerons dès que possible. "
        "Au revoir.",
    },
    "en-US": {
        "record": "Leave your message after the beep, then press pound.",
        "nothing": "We received no message. Goodbye.",
        "saved": "Thank you, your message is saved. We will call you back as soon as we can. "
        "Goodbye.",
    },
}


def enter(call):
    """Record a message; the Record's action thanks the caller."""
    words = call.words(WORDS)
    # The carrier skips the action when the recording is empty, and goes on here.
    return [
        Say(words["record"]),
        notify.recording(call, via(call)),
        Say(words["nothing"]),
        Hangup(),
    ]


def via(call) -> str:
    """How the caller got here, in the words of the practice's messages."""
    if "appointment" in call.trail:
        return "appointment request"
    if not call.is_open:
        return "after hours"
    if "front_desk" in call.trail:
        return "no answer at the front desk"
    return "voicemail"


def saved(call):
    """Thank the caller when there is a recording."""
    return "message_saved" if call.param("RecordingUrl") else "goodbye"


def thanks(call):
    """After a message: thank the caller and hang up."""
    return [Say(call.words(WORDS)["saved"]), Hangup()]
