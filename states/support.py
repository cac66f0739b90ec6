"""Support: a queue. While the caller waits, the ``hold`` state plays (see ``hold.py``)."""

from twilio.twiml.voice_response import Enqueue, Say

WORDS = {
    "en-US": {
        "transfer": "You are being transferred to the support line. "
        "A representative will be with you shortly."
    },
    "es-US": {
        "transfer": "Le estamos transfiriendo a la línea de soporte. "
        "Un representante le atenderá en breve."
    },
}


def enter(call):
    """Put the caller in the support queue, with the hold state as its wait music."""
    return [
        Say(call.words(WORDS)["transfer"]),
        Enqueue(call.config.support_queue, action=call.action, wait_url=call.hold_url),
    ]
