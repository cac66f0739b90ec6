"""Business hours, read from the configuration."""

from twilio.twiml.voice_response import Gather


def enter(call):
    """Say when we are open; 1 repeats, anything else goes back to the menu."""
    hours = Gather(num_digits=1, action=call.action, action_on_empty_result=True)
    hours.say(f"We are open {call.config.hours.describe()}.")
    hours.pause()
    hours.say("Press 1 to repeat this message or any other key to go back to the menu.")
    return hours
