"""Welcome the caller."""

from twilio.twiml.voice_response import Say


def enter(call):
    """Welcome the caller, and say so when the office is closed."""
    welcome = Say(f"Welcome to {call.config.company_name.rstrip('.')}.")
    if call.is_open:
        return welcome
    return [welcome, Say("Our office is closed right now, but you can still leave us a message.")]
