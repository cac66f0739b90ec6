"""What the engine says on this tree's behalf, in each language (see ENGINE_WORDS).

An apology before going on after something failed, the last resort around the receptionist's
Dial, the number's fallback route (said in the first of LANGUAGES), and the prompts every
collect shares unless its own words change them ({digits} is where digits are read one by one).
"""

WORDS = {
    "en-US": {
        "apology": "Sorry, something went wrong on our side.",
        "connecting": "Sorry, we are having trouble. Let me connect you to our receptionist.",
        "not_connected": "We could not connect your call. Please call again later. Goodbye.",
        "fallback_apology": (
            "Sorry, we are having trouble with our phone system. "
            "Let me put you through to a person."
        ),
        "fallback_record": (
            "Nobody could take your call. Please leave a message after the beep, "
            "and press the pound key when you are done."
        ),
        "fallback_thanks": "Thank you for your message. We will call you back. Goodbye.",
        "fallback_nothing": "We did not get a message. Please call again later. Goodbye.",
        "collect_confirm": "You entered {digits}. Press 1 to confirm, or 2 to enter it again.",
        "collect_offer": (
            "We have the number {digits}. Press 1 to confirm, or 2 to enter another number."
        ),
        "collect_invalid": "That number is not valid.",
        "collect_silence": "Sorry, I did not hear any digits.",
    },
    "es-US": {
        "apology": "Lo siento, algo salió mal de nuestro lado.",
        "connecting": "Lo siento, tenemos problemas. Le comunico con nuestra recepcionista.",
        "not_connected": "No pudimos conectar su llamada. Por favor, llame más tarde. Adiós.",
        "fallback_apology": (
            "Lo siento, tenemos problemas con nuestro sistema telefónico. "
            "Le comunico con una persona."
        ),
        "fallback_record": (
            "Nadie pudo atender su llamada. Por favor, deje un mensaje después del tono, "
            "y oprima la tecla de numeral cuando termine."
        ),
        "fallback_thanks": "Gracias por su mensaje. Le devolveremos la llamada. Adiós.",
        "fallback_nothing": "No recibimos ningún mensaje. Por favor, llame más tarde. Adiós.",
        "collect_confirm": (
            "Usted marcó {digits}. Oprima 1 para confirmar, o 2 para marcarlo de nuevo."
        ),
        "collect_offer": (
            "Tenemos el número {digits}. Oprima 1 para confirmar, o 2 para marcar otro."
        ),
        "collect_invalid": "Ese número no es válido.",
        "collect_silence": "Lo siento, no escuché ningún dígito.",
    },
}
