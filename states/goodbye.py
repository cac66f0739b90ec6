"""The polite end of a call."""

from twilio.twiml.voice_response import Hangup, Say


def enter(call):
    """Thank the caller and hang up."""
    company = call.config.company_name.rstrip(".")
    return [Say(f"Thank you for calling {company}. Goodbye."), Hangup()]
