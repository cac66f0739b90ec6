"""Too many invalid or silent tries at the menu: hand the caller to a person."""

from twilio.twiml.voice_response import Say

WORDS = {
    "en-US": {
        "transfer": "Sorry, I still did not get that. "
        "Let me put you through to someone who can help."
    },
    "es-US": {
        "transfer": "Lo siento, sigo sin entenderle. Le comunico con alguien que pueda ayudarle."
    },
}


def enter(call):
    """Stop repeating the menu; the table goes on to the receptionist."""
    return Say(call.words(WORDS)["transfer"])
