"""While a caller waits in the support queue: their place, the expected wait, hold music, and
after a while two ways out, options of this state's menu: a message, or a call back.

This state plays as the queue's wait music (Say, Play, Gather, Leave...); the carrier requests it
again whenever it runs out. Pressing 1 leaves the queue (``leave_queue``: the queue's own exit
then goes to voicemail); 2 asks for a call back while still queued, so an agent who frees up
meanwhile still gets the call.
"""

from twilio.twiml.voice_response import Gather, Leave, Play, Say

from phonetree_engine import Option
from phonetree_engine.lines import seconds

WORDS = {
    "en-US": {
        "position": "You are caller number {position}.",
        "estimate": "The estimated wait is {estimate}.",
        "under_a_minute": "less than a minute",
        "one_minute": "about 1 minute",
        "minutes": "about {minutes} minutes",
    },
    "es-US": {
        "position": "Usted es la persona número {position} en la fila.",
        "estimate": "El tiempo de espera estimado es de {estimate}.",
        "under_a_minute": "menos de un minuto",
        "one_minute": "aproximadamente 1 minuto",
        "minutes": "aproximadamente {minutes} minutos",
    },
}

OPTIONS = (
    Option(
        "1",
        "leave_queue",
        say={
            "en-US": "To leave a message instead, press 1 at any time.",
            "es-US": "Para dejar un mensaje, oprima 1 en cualquier momento.",
        },
    ),
    Option(
        "2",
        "callback_number",
        say={
            "en-US": "To hang up and be called back, press 2.",
            "es-US": "Para colgar y que le devolvamos la llamada, oprima 2.",
        },
    ),
)


def enter(call):
    """The caller's place and the expected wait, hold music, and later the options."""
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
    offer = Gather(num_digits=1, action=call.action)
    for sentence in call.announcements:
        offer.say(sentence)
    offer.play(config.hold_music_url)
    return [*verbs, offer]


def leave(call):
    """Out of the queue: the queue's own exit hears QueueResult=leave, and goes to voicemail."""
    return Leave()


def estimate(words, average: int) -> str:
    """An average wait in words: 'less than a minute', 'about 1 minute', 'about 3 minutes'."""
    minutes = round(average / 60)
    if minutes < 1:
        return words["under_a_minute"]
    return words["one_minute"] if minutes == 1 else words["minutes"].format(minutes=minutes)
