"""What the engine says on the practice's behalf, in each language (the names and when each is
said: ``phonetree_engine.ENGINE_WORDS``).

An apology before the menu after something failed on our side, the last resort around the
front desk's Dial, the number's fallback route (said in the first of LANGUAGES, as that route
cannot know the caller's choice), and the prompts every collect shares ({digits} is where the
digits are read one by one).
"""

WORDS = {
    "fr-CA": {
        "apology": "Désolé, un problème est survenu de notre côté.",
        "connecting": "Désolé, notre système éprouve des difficultés. "
        "Je vous transfère à la réception.",
        "not_connected": "Nous n'avons pas pu joindre la réception. "
        "Veuillez rappeler plus tard. Au revoir.",
        "fallback_apology": "Désolé, notre système téléphonique est en panne. "
        "Je vous transfère à une personne.",
        "fallback_record": "Personne n'a pu prendre votre appel. "
        "Laissez un message après le bip, puis faites le carré.",
        "fallback_thanks": "Merci pour le message; quelqu'un vous rappellera. Au revoir.",
        "fallback_nothing": "Nous n'avons reçu aucun message. "
        "Veuillez rappeler plus tard. Au revoir.",
        "collect_confirm": "Vous avez entré le {digits}. "
        "Faites le 1 pour confirmer, ou le 2 pour corriger.",
        "collect_offer": "Nous avons le numéro {digits}. "
        "Faites le 1 pour le confirmer, ou le 2 pour en entrer un autre.",
        "collect_invalid": "Ce numéro n'est pas valide.",
        "collect_silence": "Désolé, je n'ai entendu aucun chiffre.",
    },
    "en-US": {
        "apology": "Sorry, we ran into a problem on our end.",
        "connecting": "Sorry, our system is having difficulties. "
        "I will put you through to the front desk.",
        "not_connected": "We could not reach the front desk. Please call back later. Goodbye.",
        "fallback_apology": "Sorry, our phone system is down. I will put you through to someone.",
        "fallback_record": "Nobody was free to take your call. "
        "Leave a message after the beep, then press pound.",
        "fallback_thanks": "Thank you for the message; someone will call you back. Goodbye.",
        "fallback_nothing": "We received no message. Please call back later. Goodbye.",
        "collect_confirm": "That is {digits}. Press 1 if it is right, or 2 to correct it.",
        "collect_offer": "Is {digits} the right number? "
        "Press 1 if it is, or 2 to enter another one.",
        "collect_invalid": "That is not a valid phone number.",
        "collect_silence": "Sorry, I heard no digits.",
    },
}
