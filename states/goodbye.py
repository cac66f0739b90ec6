"""The polite end of a call."""

from twilio.twiml.voice_response import Hangup, Say

WORDS = {
    "en-US": {"goodbye": "Thank you for calling {company}. Goodbye."},
    "es-US": {"goodbye": "Gracias por llamar a {company}. Adiós."},
}


def enter(call):
    """Thank the caller and hang up."""
    company = call.config.company_name.rstrip(".")
    return [Say(call.words(WORDS)["goodbye"].format(company=company)), Hangup()]
