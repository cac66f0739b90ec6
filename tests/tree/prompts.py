"""What callers hear, written out in full: a changed prompt must fail a test, not follow it."""

WELCOME = "Welcome to ACME, Inc."
CLOSED_NOTICE = "Our office is closed right now, but you can still leave us a message."
HOURS = "We are open Mondays through Fridays from 9 AM to 6 PM."
HOURS_AGAIN = "Press 1 to repeat this message or any other key to go back to the menu."
INVALID = "The option that you selected is invalid."
NO_CHOICE = "Sorry, we did not hear your choice."
TRANSFER = "Sorry, I still did not get that. Let me put you through to someone who can help."
SALES = (
    "All our sales representatives are currently busy, please leave us a message "
    "and we will return your call as soon as possible."
)
SUPPORT = (
    "You are being transferred to the support line. A representative will be with you shortly."
)
OFFER = "To leave a message instead, press 1 at any time."
CALLBACK_OFFER = "To hang up and be called back, press 2."
UNAVAILABLE = "Sorry, no one can take your call right now."
VOICEMAIL = "Please leave a message after the beep. Press the pound key when you are done."
NO_MESSAGE = "We did not get a message. Goodbye."
THANKS = "Thank you for your message. We will return your call as soon as possible. Goodbye."
GOODBYE = "Thank you for calling ACME, Inc. Goodbye."
SORRY = "Sorry, something went wrong on our side."
MENU = " ".join(
    [
        "Listen to the following menu options.",
        "For sales, press one.",
        "For support, press two.",
        "For our business hours, press three.",
        "To repeat these options, press nine.",
        "To speak with the receptionist, press zero.",
    ]
)
MENU_ES = " ".join(
    [
        "Escuche las siguientes opciones.",
        "Para ventas, oprima uno.",
        "Para soporte, oprima dos.",
        "Para nuestro horario de atención, oprima tres.",
        "Para repetir estas opciones, oprima nueve.",
        "Para hablar con la recepcionista, oprima cero.",
    ]
)
CHOICE = ["For English, press 1.", "Para español, oprima 2."]
HOURS_ES = "Estamos abiertos de lunes a viernes de 9 de la mañana a 6 de la tarde."
HOURS_AGAIN_ES = "Oprima 1 para repetir este mensaje o cualquier otra tecla para volver al menú."
SUPPORT_ES = (
    "Le estamos transfiriendo a la línea de soporte. Un representante le atenderá en breve."
)
CALLBACK_ASK = "Please enter the number we should call, then press pound."
CALLBACK_INVALID = "That number is not valid."
CALLBACK_DECLINED = "Sorry, we could not take your number. Please leave a message instead."
