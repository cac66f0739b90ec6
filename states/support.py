"""Support: a queue that tells the caller where they are, and lets them leave a message."""

from twilio.twiml.voice_response import Enqueue, Gather, Leave, Play, Say

LEAVE_KEY = "1"

WORDS = {
    "en-US": {
        "transfer": "You are being transferred to the support line. "
        "A representative will be with you shortly.",
        "position": "You are caller number {position}.",
        "offer": "To leave a message instead, press 1 at any time.",
    },
    "es-US": {
        "transfer": "Le estamos transfiriendo a la línea de soporte. "
        "Un representante le atenderá en breve.",
        "position": "Usted es la persona número {position} en la fila.",
        "offer": "Para dejar un mensaje, oprima 1 en cualquier momento.",
    },
}


def enter(call):
    """Put the caller in the support queue."""
    return [
        Say(call.words(WORDS)["transfer"]),
        Enqueue(call.config.support_queue, action=call.action, wait_url=call.url("wait")),
    ]


def wait(call):
    """While the caller waits: their position, hold music, and later a way out to voicemail."""
    if call.digits == LEAVE_KEY:
        return Leave()  # Enqueue's action then hears QueueResult=leave
    config = call.config
    words = call.words(WORDS)
    verbs = []
    position = call.param("QueuePosition")
    if position.isascii() and position.isdigit():
        verbs.append(Say(words["position"].format(position=int(position))))
    if seconds(call.param("QueueTime")) < config.queue_voicemail_after:
        return [*verbs, Play(config.hold_music_url)]
    offer = Gather(num_digits=1, action=call.url("wait"))
    offer.say(words["offer"])
    offer.play(config.hold_music_url)
    return [*verbs, offer]


def seconds(text: str) -> int:
    return int(text) if text.isascii() and text.isdigit() else 0
