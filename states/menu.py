"""The main menu: the table maps its keys and spoken words to states."""

from twilio.twiml.voice_response import Gather

PROMPT = (
    "Listen to the following menu options. "
    "For sales, press one. "
    "For support, press two. "
    "For our business hours, press three. "
    "To repeat these options, press nine. "
    "To speak with the receptionist, press zero."
)


def enter(call):
    """Read the options and wait for one key (or word); silence also comes back to us."""
    menu = Gather(num_digits=1, action=call.action, action_on_empty_result=True)
    menu.say(PROMPT)
    return menu
