"""The receptionist: ring them, and fall back to voicemail when nobody answers.

``ring`` is also how the engine reaches a person when the tree itself cannot go on (the last
resort, the number's fallback route): the tree hands it over as ``Tree(person=...)``.
"""

from twilio.twiml.voice_response import Dial


def enter(call):
    """Ring the receptionist; Dial's action tells the table how it went."""
    return ring(call.config, action=call.action)


def ring(config, **attrs) -> Dial:
    """Dial the receptionist's number, or their SIP address (which needs the Sip noun)."""
    address = config.receptionist_number
    sip = address.startswith("sip:")
    dial = Dial(
        None if sip else address,
        timeout=config.dial_timeout,
        caller_id=config.caller_id,
        **attrs,
    )
    if sip:
        dial.sip(address)
    return dial
