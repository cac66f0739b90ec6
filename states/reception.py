"""The receptionist: ring them, and fall back to voicemail when nobody answers."""

from twilio.twiml.voice_response import Dial


def enter(call):
    """Ring the receptionist; Dial's action tells the table how it went."""
    config = call.config
    return Dial(
        config.receptionist_number,
        action=call.action,
        timeout=config.dial_timeout,
        caller_id=config.caller_id,
    )
