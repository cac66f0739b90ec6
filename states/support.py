"""Support: a queue that tells the caller where they are and how long they may wait, and
lets them leave a message or ask to be called back."""

from twilio.twiml.voice_response import Enqueue, Gather, Leave, Play, Redirect, Say

from phonetree_engine.tree import seconds

LEAVE_KEY = "1"
CALLBACK_KEY = "2"

WORDS = {
    "en-US": {
        "transfer": "You are being transferred to the support line. "
        "A representative will be with you shortly.",
        "position": "You are caller number {position}.",
        "offer": "To leave a message instead, press 1 at any time.",
        "callback": "To hang up and be called back, press 2.",
        "estimate": "The estimated wait is {estimate}.",
        "under_a_minute": "less than a minute",
        "one_minute": "about 1 minute",
        "minutes": "about {minutes} minutes",
    },
    "es-US": {
        "transfer": "Le estamos transfiriendo a la línea de soporte. "
        "Un representante le atenderá en breve.",
        "position": "Usted es la persona número {position} en la fila.",
        "offer": "Para dejar un mensaje, oprima 1 en cualquier momento.",
        "callback": "Para colgar y que le devolvamos la llamada, oprima 2.",
        "estimate": "El tiempo de espera estimado es de {estimate}.",
        "under_a_minute": "menos de un minuto",
        "one_minute": "aproximadamente 1 minuto",
        "minutes": "aproximadamente {minutes} minutos",
    },
}


def enter(call):
    """Put the caller in the support queue."""
    return [
        Say(call.words(WORDS)["transfer"]),
        Enqueue(call.config.support_queue, action=call.action, wait_url=call.url("wait")),
    ]


def wait(call):
    """While the caller waits: their place, the expected wait, hold music, and later a way
    out to voicemail or to a callback."""
    if call.digits == LEAVE_KEY:
        return Leave()  # Enqueue's action then hears QueueResult=leave
    if call.digits == CALLBACK_KEY:
        # Still queued, to the exit with no QueueResult: the table goes on to the callback.
        return Redirect(call.action)
    config = call.config
    words = call.words(WORDS)
    verbs = []
    position = call.param("QueuePosition")
    if position.isascii() and position.isdigit():
        verbs.append(Say(words["position"].format(position=int(position))))
    average = seconds(call.param("AvgQueueTime"))
    if average:
        verbs.append(Say(words["estimate"].format(estimate=estimate(words, average))))
    if seconds(call.param("QueueTime")) < config.queue_voicemail_after:
        return [*verbs, Play(config.hold_music_url)]
    offer = Gather(num_digits=1, action=call.url("wait"))
    offer.say(words["offer"])
    offer.say(words["callback"])
    offer.play(config.hold_music_url)
    return [*verbs, offer]


def estimate(words, average: int) -> str:
    """An average wait in words: 'less than a minute', 'about 1 minute', 'about 3 minutes'."""
    minutes = round(average / 60)
    if minutes < 1:
        return words["under_a_minute"]
    return words["one_minute"] if minutes == 1 else words["minutes"].format(minutes=minutes)
