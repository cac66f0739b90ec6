"""Call me back instead of holding: the caller's number, confirmed, goes to the business.

A queued caller who presses 2 is asked to confirm their caller ID (or to enter another
number) by the ``callback_number`` row, a ``collect`` of the table; this state then hands the
request to the business through the same channels as voicemail. All of it plays as the queue's
wait music (Say, Gather, Hangup, Leave), so an agent who frees up meanwhile still gets the call.
"""

import re

from twilio.twiml.voice_response import Hangup, Leave, Say

from phonetree_engine.collect import spoken
from phonetree_engine.delivery import notify

INTO = "callback"  # the context name of the confirmed number

# The callback_number row's prompts (the collect's others are the tree's, in words.py).
ASK = {
    "en-US": {
        "ask": "Please enter the number we should call, then press pound.",
        "offer": (
            "We will call you back at {digits}. Press 1 to confirm, or 2 to enter another number."
        ),
    },
    "es-US": {
        "ask": "Marque el número al que debemos llamarle y luego oprima la tecla numeral.",
        "offer": (
            "Le llamaremos al {digits}. Oprima 1 para confirmar, o 2 para marcar otro número."
        ),
    },
}
WORDS = {
    "en-US": {
        "thanks": "Thank you. We will call you back at {digits} as soon as we can. Goodbye.",
        "declined": "Sorry, we could not take your number. Please leave a message instead.",
    },
    "es-US": {
        "thanks": "Gracias. Le llamaremos al {digits} lo antes posible. Adiós.",
        "declined": "Lo sentimos, no pudimos tomar su número. Por favor, deje un mensaje.",
    },
}


# What carriers send in From for a withheld caller ID: ANONYMOUS, RESTRICTED, BLOCKED and
# UNAVAILABLE spelled on a keypad, and the words themselves.
WITHHELD = {"+266696687", "+7378742833", "+2562533", "+86282452253"}


def caller_id(call) -> str:
    """The caller's own number, unless it is withheld or not a phone number."""
    number = call.param("From")
    if number in WITHHELD or not re.fullmatch(r"\+[1-9]\d{7,14}", number):
        return ""
    return number


def valid(digits: str) -> bool:
    return 7 <= len(digits) <= 15


def requested(call):
    """Pass the confirmed number to the business; thank the caller once anyone has it."""
    digits = call.context.get(INTO)
    if digits:
        own = caller_id(call)
        number = own if own.lstrip("+") == digits else digits
        if notify.callback_request(call, number, own, via="support queue"):
            thanks = call.words(WORDS)["thanks"].format(digits=spoken(digits))
            return [Say(thanks), Hangup()]
    return declined(call)  # nobody has it: the caller leaves a message instead


def declined(call):
    """No number to call back: out of the queue, where the caller can leave a message."""
    return [Say(call.words(WORDS)["declined"]), Leave()]
