"""Welcome the caller."""

from twilio.twiml.voice_response import Say

from phonetree_engine import fill

WORDS = {
    "en-US": {
        "welcome": "Welcome to {company}.",
        "closed": "Our office is closed right now, but you can still leave us a message.",
    },
    "es-US": {
        "welcome": "Bienvenido a {company}.",
        "closed": "Nuestra oficina está cerrada en este momento, pero puede dejarnos un mensaje.",
    },
}


def enter(call):
    """Welcome the caller, and say so when the office is closed."""
    words = call.words(WORDS)
    welcome = Say(fill(words["welcome"], company=call.config.company_name))
    if call.is_open:
        return welcome
    return [welcome, Say(words["closed"])]
