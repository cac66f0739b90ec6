"""What the business's messages say: a voicemail, its transcript, a callback request.

Each builds a `delivery.Message` from plain values: the caller's number in full (the message is
for the business, not a log), the caller's name when Twilio sent one, the time in the
business's time zone, and how the caller got there.
"""

from __future__ import annotations

from datetime import datetime

from phonetree_engine.delivery import Message


def spoken_time(moment: datetime) -> str:
    """'Tuesday 24 November 2026, 10:05 AM EST': a time a person reads at a glance."""
    clock = f"{moment.hour % 12 or 12}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"
    return f"{moment:%A} {moment.day} {moment:%B %Y}, {clock} {moment.tzname() or ''}".strip()


def caller(number: str, name: str) -> str:
    who = number or "a withheld number"
    return f"{who} ({name})" if name else who


def voicemail(*, recording_sid, call_sid, number, name, when, path, duration, recording_url):
    """A new voicemail: who, when, how they got there, how long, where to listen."""
    lines = [
        f"New voicemail from {caller(number, name)}.",
        f"When: {spoken_time(when)}",
        f"Via: {path}",
        f"Duration: {duration} seconds",
        f"Recording: {recording_url}",
    ]
    return Message(
        id=recording_sid,
        kind="voicemail",
        subject=f"Voicemail from {caller(number, name)}, {path}",
        text="\n".join(lines),
        when=when,
        fields={
            "from": number,
            "caller_name": name,
            "when": when.isoformat(timespec="seconds"),
            "path": path,
            "duration": duration,
            "recording_url": recording_url,
            "call_sid": call_sid,
            "recording_sid": recording_sid,
        },
    )


def transcript(*, recording_sid, call_sid, number, name, when, path, text, recording_url):
    """A voicemail's transcript, in the voicemail's thread; ``text`` None: Twilio failed."""
    said = f'"{text}"' if text else "(Twilio could not transcribe this message.)"
    lines = [f"Transcript of the voicemail from {caller(number, name)}:", "", said, ""]
    lines.append(f"Recording: {recording_url}")
    return Message(
        id=recording_sid,
        kind="transcript",
        follows="voicemail",
        subject=f"Re: Voicemail from {caller(number, name)}, {path}",
        text="\n".join(lines),
        when=when,
        fields={
            "from": number,
            "caller_name": name,
            "when": when.isoformat(timespec="seconds"),
            "transcript": text or "",
            "transcribed": bool(text),
            "recording_url": recording_url,
            "call_sid": call_sid,
            "recording_sid": recording_sid,
        },
    )


def callback_request(*, call_sid, number, caller_id, name, when, path):
    """A caller asked to be called back at ``number`` instead of holding."""
    lines = [
        f"Please call back {number}.",
        f"Caller: {caller(caller_id, name)}",
        f"When: {spoken_time(when)}",
        f"Via: {path}",
    ]
    return Message(
        id=call_sid,
        kind="callback-request",
        subject=f"Call back {number}",
        text="\n".join(lines),
        when=when,
        fields={
            "number": number,
            "from": caller_id,
            "caller_name": name,
            "when": when.isoformat(timespec="seconds"),
            "path": path,
            "call_sid": call_sid,
        },
    )
