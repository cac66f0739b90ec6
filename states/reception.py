"""The receptionist: ring them, and fall back to voicemail when nobody answers."""

from twilio.twiml.voice_response import Dial, Hangup, Say

from phonetree_engine.tree import words_in

# What a caller hears when even the recovery state fails: the receptionist is the last resort.
LAST_RESORT = {
    "en-US": {
        "trouble": "Sorry, we are having trouble. Let me connect you to our receptionist.",
        "failed": "We could not connect your call. Please call again later. Goodbye.",
    },
    "es-US": {
        "trouble": "Lo siento, tenemos problemas. Le comunico con nuestra recepcionista.",
        "failed": "No pudimos conectar su llamada. Por favor, llame más tarde. Adiós.",
    },
}


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


def last_resort(config, language):
    """Apologise and ring the receptionist; verbs that cannot fail, built once at start-up."""
    words = words_in(LAST_RESORT, language, config.languages)
    return [Say(words["trouble"]), ring(config), Say(words["failed"]), Hangup()]
