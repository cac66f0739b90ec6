"""The main menu: the table maps its keys and spoken words to states, and announces them."""

from twilio.twiml.voice_response import Gather

WORDS = {
    "en-US": {"intro": "Listen to the following menu options."},
    "es-US": {"intro": "Escuche las siguientes opciones."},
}

# What each key of the menu's row does, read out in the order of the row's keys.
OPTIONS = {
    "en-US": {
        "1": "For sales, press one.",
        "2": "For support, press two.",
        "3": "For our business hours, press three.",
        "9": "To repeat these options, press nine.",
        "0": "To speak with the receptionist, press zero.",
    },
    "es-US": {
        "1": "Para ventas, oprima uno.",
        "2": "Para soporte, oprima dos.",
        "3": "Para nuestro horario de atención, oprima tres.",
        "9": "Para repetir estas opciones, oprima nueve.",
        "0": "Para hablar con la recepcionista, oprima cero.",
    },
}

# Words a caller may say instead of pressing a key.
SPOKEN = {
    "en-US": {
        "sales": "sales",
        "support": "support",
        "hours": "hours",
        "operator": "reception",
        "receptionist": "reception",
    },
    "es-US": {
        "ventas": "sales",
        "soporte": "support",
        "horario": "hours",
        "operador": "reception",
        "operadora": "reception",
        "recepcionista": "reception",
    },
}


def enter(call):
    """Read the options and wait for one key (or word); silence also comes back to us."""
    menu = Gather(num_digits=1, action=call.action, action_on_empty_result=True)
    menu.say(" ".join([call.words(WORDS)["intro"], *call.announcements]))
    return menu
