"""Voicemail: one state for sales, after hours and every fallback."""

import logging

from twilio.twiml.voice_response import Hangup, Record, Say

from phonetree_engine.tree import event_line

log = logging.getLogger("phonetree.voicemail")

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
    record = Record(
        action=call.action,
        max_length=config.voicemail_max_length,
        finish_on_key="#",
        play_beep=True,
        recording_status_callback=call.url("recorded"),
    )
    if config.transcribe:
        record.attrs.update(transcribe=True, transcribeCallback=call.url("transcribed"))
    return [
        Say(words["record"]),
        record,
        # Twilio skips the action when the recording is empty, and goes on here.
        Say(words["nothing"]),
        Hangup(),
    ]


def saved(call):
    """Thank the caller when there is a recording."""
    return "message_saved" if call.param("RecordingUrl") else "goodbye"


def recorded(call):
    """Log a finished recording, for whoever returns the call."""
    log.info(
        event_line(
            "recording",
            call=call.param("CallSid", "-")[:40],
            status=call.param("RecordingStatus", "-")[:20],
            url=call.param("RecordingUrl", "-")[:300],
            duration=call.param("RecordingDuration", "-")[:10],
        )
    )


def transcribed(call):
    """Log a recording's transcription."""
    log.info(
        event_line(
            "transcription",
            call=call.param("CallSid", "-")[:40],
            status=call.param("TranscriptionStatus", "-")[:20],
            text=call.param("TranscriptionText")[:2000],
        )
    )
