"""Appointments: the caller's number, read back and confirmed, then a message for the front desk.

The ``appointment`` row of the table is a ``collect`` of 10 digits: it offers the caller's own
number first when it is a North American one, and takes another on 2. The confirmed number
travels sealed in the call's URLs as ``call.context["callback"]``, and the voicemail that
follows hands it to the practice (``voicemail.DETAILS``).
"""

import re

from twilio.twiml.voice_response import Say

INTO = "callback"  # the context name of the confirmed number

# The collect's own prompt (the others are the tree's, in engine_words.py).
ASK = {
    "fr-CA": {
        "ask": "Entrez les 10 chiffres du numéro où nous pouvons vous rappeler, "
        "en commençant par l'indicatif régional."
    },
    "en-US": {"ask": "Enter the 10-digit number where we can call you back, area code first."},
}

WORDS = {
    "fr-CA": {
        "message": "Merci. Dans votre message, dites-nous votre nom et les moments qui vous "
        "conviennent. Nous vous rappellerons pour fixer le rendez-vous."
    },
    "en-US": {
        "message": "Thank you. In your message, tell us your name and the times that suit you. "
        "We will call you back to book the appointment."
    },
}


def caller_number(call) -> str:
    """The caller's own number without its +1, when it is a North American one."""
    number = call.param("From")
    return number[2:] if re.fullmatch(r"\+1\d{10}", number) else ""


def valid(digits: str) -> bool:
    """A North American number: neither its area code nor its exchange starts with 0 or 1."""
    return re.fullmatch(r"[2-9]\d\d[2-9]\d{6}", digits) is not None


def message(call):
    """Say what the message should hold; the table goes on to voicemail."""
    return Say(call.words(WORDS)["message"])
