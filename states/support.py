"""Support: a queue that tells the caller where they are and how long they may wait, and
lets them leave a message or ask to be called back."""

from twilio.twiml.voice_response import Enqueue, Gather, Leave, Play, Redirect, Say

LEAVE_KEY = "1"
CALLBACK_KEY = "2"


def enter(call):
    """Put the caller in the support queue."""
    return [
        Say(
            "You are being transferred to the support line. "
            "A representative will be with you shortly."
        ),
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
    verbs = []
    position = call.param("QueuePosition")
    if position.isascii() and position.isdigit():
        verbs.append(Say(f"You are caller number {int(position)}."))
    average = seconds(call.param("AvgQueueTime"))
    if average:
        verbs.append(Say(f"The estimated wait is {estimate(average)}."))
    if seconds(call.param("QueueTime")) < config.queue_voicemail_after:
        return [*verbs, Play(config.hold_music_url)]
    offer = Gather(num_digits=1, action=call.url("wait"))
    offer.say("To leave a message instead, press 1 at any time.")
    offer.say("To hang up and be called back, press 2.")
    offer.play(config.hold_music_url)
    return [*verbs, offer]


def estimate(average: int) -> str:
    """An average wait in words: 'less than a minute', 'about 1 minute', 'about 3 minutes'."""
    minutes = round(average / 60)
    if minutes < 1:
        return "less than a minute"
    return "about 1 minute" if minutes == 1 else f"about {minutes} minutes"


def seconds(text: str) -> int:
    return int(text) if text.isascii() and text.isdigit() else 0
