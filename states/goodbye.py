"""The polite end of a call."""

from twilio.twiml.voice_response import Hangup, Say

from phonetree_engine import fill

WORDS = {
    "en-US": {"goodbye": "Thank you for calling {company}. Goodbye."},
    "es-US": {"goodbye": "Gracias por llamar a {company}. Adiós."},
}


def enter(call):
    """Thank the caller and hang up."""
    goodbye = fill(call.words(WORDS)["goodbye"], company=call.config.company_name)
    return [Say(goodbye), Hangup()]
