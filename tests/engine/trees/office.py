"""The office: a whole tree of the engine's own tests, built only from what the engine exports.

It has the shape of a real phone tree (a greeting, a language choice, a menu that listens for
words, a queue with hold music and a call-back collect, a Dial, voicemail with its recording
webhooks, the hours) but words, settings and names of its own: the engine's tests walk it, so
they hold whatever a tree author does to ``states/``.

Keys: 1 orders (voicemail), 2 the help desk queue, 3 the hours, 9 the menu again, 0 the front
desk (a Dial). While queued, 1 leaves for voicemail and 2 asks to be called back.
"""

from __future__ import annotations

from twilio.twiml.voice_response import Dial, Enqueue, Gather, Hangup, Leave, Play, Say

from phonetree_engine import (
    Choose,
    Group,
    Keys,
    Option,
    Outcome,
    Setting,
    State,
    Tree,
    choose_language,
    collect,
    fill,
)
from phonetree_engine.collect import spoken
from phonetree_engine.delivery import notify
from phonetree_engine.lines import seconds
from phonetree_engine.settings import integer, phone_or_sip, text, url

EN, ES, FR = "en-US", "es-US", "fr-CA"

# What the engine says for the office ############################################

ENGINE_WORDS = {
    EN: {
        "apology": "Office apology: something broke.",
        "connecting": "Office trouble: connecting you to the front desk.",
        "not_connected": "Office: the front desk did not answer. Goodbye.",
        "fallback_apology": "Office fallback: our system is down, a person will answer.",
        "fallback_record": "Office fallback: leave a message after the tone.",
        "fallback_thanks": "Office fallback: thanks for the message. Goodbye.",
        "fallback_nothing": "Office fallback: no message. Goodbye.",
        "collect_confirm": "Office: you typed {digits}. 1 to confirm, 2 to retype.",
        "collect_offer": "Office: we have {digits}. 1 to confirm, 2 for another.",
        "collect_invalid": "Office: that entry does not work.",
        "collect_silence": "Office: no digits heard.",
    },
    ES: {
        "apology": "Oficina disculpa: algo falló.",
        "connecting": "Oficina problema: le paso con la recepción.",
        "not_connected": "Oficina: la recepción no contestó. Adiós.",
        "fallback_apology": "Oficina respaldo: el sistema falla, le atiende una persona.",
        "fallback_record": "Oficina respaldo: deje un mensaje después del tono.",
        "fallback_thanks": "Oficina respaldo: gracias por el mensaje. Adiós.",
        "fallback_nothing": "Oficina respaldo: sin mensaje. Adiós.",
        "collect_confirm": "Oficina: marcó {digits}. 1 para confirmar, 2 para corregir.",
        "collect_offer": "Oficina: tenemos {digits}. 1 para confirmar, 2 para otro.",
        "collect_invalid": "Oficina: esa entrada no sirve.",
        "collect_silence": "Oficina: no oímos dígitos.",
    },
    FR: {
        "apology": "Bureau excuse : un problème est survenu.",
        "connecting": "Bureau problème : je vous passe l'accueil.",
        "not_connected": "Bureau : l'accueil n'a pas répondu. Au revoir.",
        "fallback_apology": "Bureau secours : le système est en panne, une personne répond.",
        "fallback_record": "Bureau secours : laissez un message après le bip.",
        "fallback_thanks": "Bureau secours : merci pour le message. Au revoir.",
        "fallback_nothing": "Bureau secours : aucun message. Au revoir.",
        "collect_confirm": "Bureau : vous avez tapé {digits}. 1 pour confirmer, 2 pour corriger.",
        "collect_offer": "Bureau : nous avons le {digits}. 1 pour confirmer, 2 pour un autre.",
        "collect_invalid": "Bureau : cette saisie ne convient pas.",
        "collect_silence": "Bureau : aucun chiffre entendu.",
    },
}

# The office's settings ##########################################################

SETTINGS = Group(
    "The office",
    (
        Setting("OFFICE_NAME", text, "The Office, Ltd.", "Said in the greeting"),
        Setting("DESK_NUMBER", phone_or_sip, "+15555550177", "Where the front desk answers"),
        Setting("DESK_SECONDS", integer(5, 120), "15", "Seconds to ring the front desk"),
        Setting("HELP_QUEUE", text, "helpdesk", "Name of the help desk queue"),
        Setting("MUSIC_URL", url, "https://music.example.com/hold.mp3", "Hold music"),
        Setting("OFFER_AFTER", integer(0, 3600), "30", "Seconds queued before the offer"),
    ),
)

# Sentences, by state ##########################################################

WORDS = {
    EN: {
        "welcome": "Welcome to {office}.",
        "closed": "The office is closed now; you may leave a message.",
        "intro": "Office menu.",
        "orders": "Orders are taken by message only.",
        "queued": "Joining the help desk queue.",
        "position": "You are number {position} in line.",
        "estimate": "Expect about {minutes} minutes.",
        "open": "The office opens {hours}.",
        "again": "Press 1 to hear the hours again.",
        "wrong": "That key does nothing here.",
        "quiet": "Nothing was pressed.",
        "transfer": "Let us find you someone.",
        "unavailable": "Nobody is free at the office.",
        "record": "Leave your message after the tone, then press pound.",
        "no_message": "No message was left. Goodbye.",
        "saved": "Your message is saved. Goodbye.",
        "goodbye": "Goodbye from {office}.",
        "ask": "Type the number to call back, then pound.",
        "thanks": "We will call {digits} back. Goodbye.",
        "declined": "We could not take the number; please leave a message.",
    },
    ES: {
        "welcome": "Bienvenido a {office}.",
        "closed": "La oficina está cerrada; puede dejar un mensaje.",
        "intro": "Menú de la oficina.",
        "orders": "Los pedidos solo por mensaje.",
        "queued": "Entrando en la fila de ayuda.",
        "position": "Usted es el número {position} en la fila.",
        "estimate": "Espere unos {minutes} minutos.",
        "open": "La oficina abre {hours}.",
        "again": "Oprima 1 para oír el horario de nuevo.",
        "wrong": "Esa tecla no hace nada aquí.",
        "quiet": "No se oprimió nada.",
        "transfer": "Le buscamos a alguien.",
        "unavailable": "Nadie está libre en la oficina.",
        "record": "Deje su mensaje después del tono y oprima numeral.",
        "no_message": "No dejó mensaje. Adiós.",
        "saved": "Su mensaje quedó guardado. Adiós.",
        "goodbye": "Adiós de parte de {office}.",
        "ask": "Marque el número para devolverle la llamada y numeral.",
        "thanks": "Llamaremos al {digits}. Adiós.",
        "declined": "No pudimos tomar el número; deje un mensaje.",
    },
    FR: {
        "welcome": "Bienvenue chez {office}.",
        "closed": "Le bureau est fermé; vous pouvez laisser un message.",
        "intro": "Menu du bureau.",
        "orders": "Les commandes se font par message.",
        "queued": "Vous entrez dans la file de l'assistance.",
        "position": "Vous êtes numéro {position} dans la file.",
        "estimate": "Comptez environ {minutes} minutes.",
        "open": "Le bureau ouvre {hours}.",
        "again": "Faites le 1 pour réentendre l'horaire.",
        "wrong": "Cette touche ne fait rien ici.",
        "quiet": "Aucune touche.",
        "transfer": "Nous vous trouvons quelqu'un.",
        "unavailable": "Personne n'est libre au bureau.",
        "record": "Laissez votre message après le bip, puis le carré.",
        "no_message": "Aucun message. Au revoir.",
        "saved": "Votre message est enregistré. Au revoir.",
        "goodbye": "Au revoir de la part de {office}.",
        "ask": "Tapez le numéro à rappeler, puis le carré.",
        "thanks": "Nous rappellerons le {digits}. Au revoir.",
        "declined": "Nous n'avons pas pu prendre le numéro; laissez un message.",
    },
}

LANGUAGE = {
    EN: {"choice": "Office in English: press {key}.", "names": "English"},
    ES: {"choice": "Oficina en español: oprima {key}.", "names": "español, espanol"},
    FR: {"choice": "Bureau en français : faites le {key}.", "names": "français"},
}

# How the office says its hours: a plain list of days and times, in each language.
DAY_NAMES = {
    EN: ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    ES: ("lun", "mar", "mié", "jue", "vie", "sáb", "dom"),
    FR: ("lun", "mar", "mer", "jeu", "ven", "sam", "dim"),
}


def hours_in(language):
    def said(openings):
        days = DAY_NAMES[language]
        parts = []
        for opening in openings:
            named = "+".join(days[day] for run in opening.runs for day in run)
            spans = "+".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in opening.intervals)
            parts.append(f"{named} {spans}")
        return "; ".join(parts) or "-"

    return said


HOURS_SAID = {language: hours_in(language) for language in (EN, ES, FR)}

MENU = (
    Option(
        "1",
        "orders",
        say={EN: "Orders: 1.", ES: "Pedidos: 1.", FR: "Commandes : 1."},
        hear={EN: "orders, order", ES: "pedidos", FR: "commandes"},
    ),
    Option(
        "2",
        "helpdesk",
        say={EN: "Help desk: 2.", ES: "Ayuda: 2.", FR: "Assistance : 2."},
        hear={EN: "help desk, help", ES: "ayuda", FR: "assistance, rendez-vous"},
    ),
    Option(
        "3",
        "hours",
        say={EN: "Hours: 3.", ES: "Horario: 3.", FR: "Horaire : 3."},
        hear={EN: "hours", ES: "horario", FR: "l'horaire"},
    ),
    Option("9", "menu", say={EN: "Again: 9.", ES: "Repetir: 9.", FR: "Répéter : 9."}),
    Option(
        "0",
        "desk",
        say={EN: "Front desk: 0.", ES: "Recepción: 0.", FR: "Accueil : 0."},
        hear={EN: "front desk, person", ES: "recepción", FR: "accueil"},
    ),
)
HOLD = (
    Option(
        "1",
        "leave_queue",
        say={EN: "Press 1 for voicemail.", ES: "Oprima 1 para un mensaje.", FR: "Le 1 : message."},
    ),
    Option(
        "2",
        "callback_number",
        say={EN: "Press 2 to be called back.", ES: "Oprima 2 y le llamamos.", FR: "Le 2 : rappel."},
    ),
)
AGAIN = (Option("1", "hours"),)

# Handlers ###################################################################


def words(call):
    return call.words(WORDS)


def greeting(call):
    said = words(call)
    welcome = Say(fill(said["welcome"], office=call.config.office_name))
    return welcome if call.is_open else [welcome, Say(said["closed"])]


def menu(call):
    gather = Gather(num_digits=1, action=call.action, action_on_empty_result=True)
    gather.say(" ".join([words(call)["intro"], *call.announcements]))
    return gather


def saying(name):
    def enter(call):
        return Say(words(call)[name])

    enter.__name__ = name
    return enter


def helpdesk(call):
    queue = Enqueue(call.config.help_queue, action=call.action, wait_url=call.hold_url)
    return [Say(words(call)["queued"]), queue]


def hold(call):
    said = words(call)
    verbs = []
    position = call.param("QueuePosition")
    if position.isdigit():
        verbs.append(Say(said["position"].format(position=int(position))))
    average = seconds(call.param("AvgQueueTime"))
    if average:
        verbs.append(Say(said["estimate"].format(minutes=max(1, round(average / 60)))))
    if seconds(call.param("QueueTime")) < call.config.offer_after:
        return [*verbs, Play(call.config.music_url)]
    offer = Gather(num_digits=1, action=call.action)
    for sentence in call.announcements:
        offer.say(sentence)
    offer.play(call.config.music_url)
    return [*verbs, offer]


def leave_queue(call):
    return Leave()


def hours(call):
    said = words(call)
    gather = Gather(num_digits=1, action=call.action, action_on_empty_result=True)
    week = call.words(HOURS_SAID)(call.config.opening_hours.openings())
    gather.say(fill(said["open"], hours=week))
    gather.say(said["again"])
    return gather


def ring(config, **attrs):
    """The front desk: the office's person, for the last resort and the fallback route too."""
    address = config.desk_number
    sip = address.startswith("sip:")
    dial = Dial(None if sip else address, timeout=config.desk_seconds, **attrs)
    if sip:
        dial.sip(address)
    return dial


def desk(call):
    return ring(call.config, action=call.action)


def via(call):
    if not call.is_open:
        return "after hours"
    trail = call.trail
    if "helpdesk" in trail:
        return "left the queue" if call.param("QueueResult") == "leave" else "queue unavailable"
    if "desk" in trail:
        return "no answer at the desk"
    return "orders" if "orders" in trail else "voicemail"


def voicemail(call):
    record = notify.recording(call, via=via(call))
    return [Say(words(call)["record"]), record, Say(words(call)["no_message"]), Hangup()]


def saved(call):
    return "saved" if call.param("RecordingUrl") else "goodbye"


# What a voicemail carries of what the call collected: label -> context name.
DETAILS = {"Call back on": "callback"}


def caller_id(call):
    number = call.param("From")
    return number if number.startswith("+") and number[1:].isdigit() else ""


def requested(call):
    digits = call.context.get("callback")
    if digits and notify.callback_request(call, digits, caller_id(call), via="help desk queue"):
        return [Say(words(call)["thanks"].format(digits=spoken(digits))), Hangup()]
    return declined(call)


def declined(call):
    return [Say(words(call)["declined"]), Leave()]


def goodbye(call):
    return [Say(fill(words(call)["goodbye"], office=call.config.office_name)), Hangup()]


def saved_message(call):
    return [Say(words(call)["saved"]), Hangup()]


# The table ##################################################################

TABLE = {
    "greeting": State(greeting, "language"),
    "language": choose_language(then="menu", words=LANGUAGE),
    "menu": State(menu, Keys(MENU, otherwise="wrong", silence="quiet", give_up="transfer")),
    "orders": State(saying("orders"), "voicemail"),
    "helpdesk": State(
        helpdesk,
        Outcome(
            "QueueResult",
            {"bridged": "goodbye", "hangup": "goodbye", "leave": "voicemail"},
            otherwise="unavailable",
        ),
        when_closed="unavailable",
        hold="hold",
    ),
    "hold": State(hold, Keys(HOLD, otherwise="hold")),
    "leave_queue": State(leave_queue),
    "callback_number": collect(
        into="callback",
        then="callback_requested",
        give_up="callback_declined",
        words={language: {"ask": WORDS[language]["ask"]} for language in WORDS},
        max_length=15,
        valid=lambda digits: 7 <= len(digits) <= 15,
        default=caller_id,
    ),
    "callback_requested": State(requested),
    "callback_declined": State(declined),
    "hours": State(hours, Keys(AGAIN, otherwise="menu")),
    "desk": State(
        desk,
        Outcome("DialCallStatus", {"completed": "goodbye", "answered": "goodbye"}, "unavailable"),
        when_closed="unavailable",
    ),
    "wrong": State(saying("wrong"), "menu"),
    "quiet": State(saying("quiet"), "menu"),
    "transfer": State(saying("transfer"), "desk"),
    "unavailable": State(saying("unavailable"), "voicemail"),
    "voicemail": State(
        voicemail,
        Choose(saved, ("saved", "goodbye")),
        webhooks=notify.webhooks(details=DETAILS),
    ),
    "saved": State(saved_message),
    "goodbye": State(goodbye),
}

TREE = Tree(
    table=TABLE,
    start="greeting",
    recovery="menu",
    words=ENGINE_WORDS,
    person=ring,
    settings=SETTINGS,
)


def tree(**rows) -> Tree:
    """The office with rows replaced (or added) as a test needs."""
    from dataclasses import replace

    return replace(TREE, table={**TABLE, **rows})
