"""The main menu, each option in one place, and what a caller hears after a miss.

An ``Option`` holds its key, the state it leads to, what the menu says of it and the words a
caller may say instead, per language. Keys 2 and 3 are free for the practice's next options.
"""

from twilio.twiml.voice_response import Gather, Say

from phonetree_engine import Option

OPTIONS = (
    Option(
        "1",
        "hours",
        say={
            "fr-CA": "Pour nos heures d'ouverture, faites le 1.",
            "en-US": "For our opening hours, press 1.",
        },
        hear={"fr-CA": "heures, horaire, heures d'ouverture", "en-US": "hours, opening hours"},
    ),
    Option(
        "4",
        "appointment",
        say={
            "fr-CA": "Pour prendre, changer ou annuler un rendez-vous, faites le 4.",
            "en-US": "To book, change or cancel an appointment, press 4.",
        },
        hear={"fr-CA": "rendez-vous", "en-US": "appointment, appointments"},
    ),
    Option(
        "9",
        "menu",
        say={
            "fr-CA": "Pour réentendre ces options, faites le 9.",
            "en-US": "To hear these options again, press 9.",
        },
    ),
    Option(
        "0",
        "front_desk",
        say={
            "fr-CA": "Pour parler à la réception, faites le 0.",
            "en-US": "To speak with the front desk, press 0.",
        },
        hear={"fr-CA": "réception, réceptionniste", "en-US": "front desk, receptionist"},
    ),
)

WORDS = {
    "fr-CA": {
        "intro": "Voici notre menu.",
        "invalid": "Ce choix n'est pas au menu.",
        "no_choice": "Nous n'avons pas entendu votre choix.",
        "transfer": "Désolé, je n'ai toujours pas compris.",
    },
    "en-US": {
        "intro": "Here is our menu.",
        "invalid": "That choice is not on the menu.",
        "no_choice": "We did not hear your choice.",
        "transfer": "Sorry, I still could not understand.",
    },
}


def enter(call):
    """Read the options and wait for one key or word; silence comes back to us too."""
    menu = Gather(num_digits=1, action=call.action, action_on_empty_result=True)
    menu.say(" ".join([call.words(WORDS)["intro"], *call.announcements]))
    return menu


def invalid(call):
    """A key no option has; the table goes back to the menu."""
    return Say(call.words(WORDS)["invalid"])


def no_choice(call):
    """Silence; the table goes back to the menu, which reads the options again."""
    return Say(call.words(WORDS)["no_choice"])


def transfer(call):
    """Too many misses (at the menu, or entering a number); the table rings the front desk."""
    return Say(call.words(WORDS)["transfer"])
