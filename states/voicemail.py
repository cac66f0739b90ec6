"""Voicemail: one state for sales, after hours and every fallback.

The message reaches the business from Twilio's recording callback, which asks Twilio to retry:
it is answered 2xx only once every channel (email, webhook) took the message. That callback
carries few of the call's parameters, so its URL carries the caller and how they got here.
"""

from twilio.twiml.voice_response import Hangup, Record, Say

from phonetree_engine import messages, notify
from phonetree_engine.tree import event_line

WORDS = {
    "en-US": {
        "record": "Please leave a message after the beep. Press the pound key when you are done.",
        "nothing": "We did not get a message. Goodbye.",
    },
    "es-US": {
        "record": "Por favor, deje un mensaje después del tono. "
        "Oprima la tecla de numeral cuando termine.",
        "nothing": "No recibimos ningún mensaje. Adiós.",
    },
}


def enter(call):
    """Record a message; Record's action thanks the caller."""
    config = call.config
    words = call.words(WORDS)
    context = {
        "from": call.param("From")[:20],
        "name": call.param("CallerName")[:40],
        "via": path(call),
    }
    record = Record(
        action=call.action,
        max_length=config.voicemail_max_length,
        finish_on_key="#",
        play_beep=True,
        recording_status_callback=call.url("recorded", retry=True, **context),
    )
    if config.transcribe:
        record.attrs.update(
            transcribe=True, transcribeCallback=call.url("transcribed", retry=True, **context)
        )
    return [
        Say(words["record"]),
        record,
        # Twilio skips the action when the recording is empty, and goes on here.
        Say(words["nothing"]),
        Hangup(),
    ]


def path(call) -> str:
    """How the caller got here, in the business's words."""
    if not call.is_open:
        return "after hours"
    trail = call.trail
    if "support" in trail:
        left = call.param("QueueResult") == "leave"
        return "left the support queue" if left else "support queue unavailable"
    if "reception" in trail:
        return "no answer at reception"
    if "sales" in trail:
        return "sales"
    return "voicemail"


def saved(call):
    """Thank the caller when there is a recording."""
    return "message_saved" if call.param("RecordingUrl") else "goodbye"


def recorded(call):
    """Write a finished recording to the log at once, and deliver it to the business."""
    notify.voicemail_recorded(call.param, call.config, lambda: call.now)


def transcribed(call):
    """Write a recording's transcription to the log at once, and deliver it in its thread."""
    status = call.param("TranscriptionStatus", "-")[:20]
    text = call.param("TranscriptionText")[:4000]
    notify.record(
        event_line(
            "transcription",
            call=call.param("CallSid", "-")[:40],
            status=status,
            text=text[:2000],
            recording=call.param("RecordingSid", "-")[:40],
        ),
    )
    notify.deliver(
        call,
        messages.transcript(
            recording_sid=call.param("RecordingSid")[:40],
            call_sid=call.param("CallSid")[:40],
            number=call.param("from") or call.param("From")[:20],
            name=call.param("name"),
            when=call.now,
            path=call.param("via", "voicemail"),
            text=text if status == "completed" else None,
            recording_url=call.param("RecordingUrl")[:300],
        ),
    )
