"""The front desk: ring it, and offer voicemail when nobody answers or the clinic is closed.

``ring`` is also how the engine reaches a person when the tree itself cannot go on (the last
resort, the number's fallback route): the tree hands it over as ``Tree(person=...)``.
"""

from twilio.twiml.voice_response import Dial, Say

WORDS = {
    "fr-CA": {
        "connecting": "Un instant, je vous mets en communication avec la réception.",
        "unavailable": "Personne ne peut prendre votre appel pour le moment.",
    },
    "en-US": {
        "connecting": "One moment, I am putting you through to the front desk.",
        "unavailable": "Nobody can take your call at the moment.",
    },
}


def enter(call):
    """Ring the front desk; the Dial's action tells the table how it went."""
    return [Say(call.words(WORDS)["connecting"]), ring(call.config, action=call.action)]


def ring(config, **attrs) -> Dial:
    """Dial the front desk's number, or its SIP address (which needs the Sip noun)."""
    address = config.front_desk_number
    sip = address.startswith("sip:")
    dial = Dial(None if sip else address, timeout=config.front_desk_seconds, **attrs)
    if sip:
        dial.sip(address)
    return dial


def unavailable(call):
    """Nobody answered, or the clinic is closed; the table goes on to voicemail."""
    return Say(call.words(WORDS)["unavailable"])
