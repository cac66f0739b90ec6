"""Sales: nobody answers the phone there, so the caller leaves a message."""

from twilio.twiml.voice_response import Say

WORDS = {
    "en-US": {
        "busy": "All our sales representatives are currently busy, please leave us a message "
        "and we will return your call as soon as possible."
    },
    "es-US": {
        "busy": "Todos nuestros representantes de ventas están ocupados, por favor déjenos un "
        "mensaje y le devolveremos la llamada lo antes posible."
    },
}


def enter(call):
    """Explain that sales is busy; the table goes on to voicemail."""
    return Say(call.words(WORDS)["busy"])
