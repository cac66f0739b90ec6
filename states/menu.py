"""The main menu: each option in one place, its key, where it leads, and what is said and heard.

The menu reads the options in this order (``call.announcements``); a caller may press the key or
say one of the words in ``hear``. To add an option, add an ``Option`` here (and its state's row
and module); ``python phonetree.py check`` names anything missing.
"""

from twilio.twiml.voice_response import Gather

from phonetree_engine import Option

WORDS = {
    "en-US": {"intro": "Listen to the following menu options."},
    "es-US": {"intro": "Escuche las siguientes opciones."},
}

OPTIONS = (
    Option(
        "1",
        "sales",
        say={"en-US": "For sales, press one.", "es-US": "Para ventas, oprima uno."},
        hear={"en-US": "sales", "es-US": "ventas"},
    ),
    Option(
        "2",
        "support",
        say={"en-US": "For support, press two.", "es-US": "Para soporte, oprima dos."},
        hear={"en-US": "support", "es-US": "soporte"},
    ),
    Option(
        "3",
        "hours",
        say={
            "en-US": "For our business hours, press three.",
            "es-US": "Para nuestro horario de atención, oprima tres.",
        },
        hear={"en-US": "hours", "es-US": "horario"},
    ),
    Option(
        "9",
        "menu",
        say={
            "en-US": "To repeat these options, press nine.",
            "es-US": "Para repetir estas opciones, oprima nueve.",
        },
    ),
    Option(
        "0",
        "reception",
        say={
            "en-US": "To speak with the receptionist, press zero.",
            "es-US": "Para hablar con la recepcionista, oprima cero.",
        },
        hear={"en-US": "operator, receptionist", "es-US": "operador, operadora, recepcionista"},
    ),
)


def enter(call):
    """Read the options and wait for one key (or word); silence also comes back to us."""
    menu = Gather(num_digits=1, action=call.action, action_on_empty_result=True)
    menu.say(" ".join([call.words(WORDS)["intro"], *call.announcements]))
    return menu
