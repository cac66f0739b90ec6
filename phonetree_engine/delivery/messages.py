"""What the business's messages say: a voicemail, its transcript, a callback request.

Each builds a `Message` from plain values: the caller's number in full (the message is for the
business, not a log), the caller's name when the carrier sent one, the time in the business's
time zone, how the caller got there (``via``), and the details the tree chose to pass on (what
the call collected: an account, a number to call). A value the carrier sent that cannot be read
(a time, a duration) is passed on as it came rather than dropped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from phonetree_engine.delivery import Message

# What may not stand in a line of text meant for one line: anything that ends or folds it.
_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")


def one_line(text: str) -> str:
    """A value as one line of text: a caller's name cannot add lines to a message."""
    return " ".join(_BREAKS.sub(" ", text).split())


def spoken_time(moment: datetime) -> str:
    """'Tuesday 24 November 2026, 10:05 AM EST': a time a person reads at a glance."""
    clock = f"{moment.hour % 12 or 12}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"
    return f"{moment:%A} {moment.day} {moment:%B %Y}, {clock} {moment.tzname() or ''}".strip()


def caller(number: str, name: str) -> str:
    who = one_line(number) or "a withheld number"
    return f"{who} ({one_line(name)})" if name.strip() else who


def when_lines(when: datetime, sent: str | None) -> list[str]:
    """When it happened; a time the carrier sent that could not be read is shown as sent."""
    if sent:
        return [f"When: {spoken_time(when)} (the carrier sent {one_line(sent)!r})"]
    return [f"When: {spoken_time(when)}"]


def detail_lines(details: Mapping[str, str]) -> list[str]:
    return [f"{one_line(label)}: {one_line(value)}" for label, value in details.items()]


def duration_line(duration: int | None, sent: str) -> str:
    if duration is None:
        return f"Duration: {one_line(sent) or 'unknown'} (as the carrier sent it)"
    return f"Duration: {duration} seconds"


def voicemail(
    *,
    recording_sid,
    call_sid,
    number,
    name,
    when,
    via,
    duration,
    recording_url,
    details=None,
    sent_time=None,
    sent_duration="",
):
    """A new voicemail: who, when, how they got there, how long, where to listen.

    ``duration`` is None when the carrier's value could not be read (``sent_duration``);
    ``sent_time`` is the carrier's time when it could not be read (``when`` is then ours).
    """
    details = details or {}
    lines = [
        f"New voicemail from {caller(number, name)}.",
        *when_lines(when, sent_time),
        f"Via: {one_line(via)}",
        *detail_lines(details),
        duration_line(duration, sent_duration),
        f"Recording: {one_line(recording_url)}",
    ]
    fields = {
        "from": number,
        "caller_name": name,
        "when": when.isoformat(timespec="seconds"),
        "via": via,
        "duration": duration,
        "recording_url": recording_url,
        "call_sid": call_sid,
        "recording_sid": recording_sid,
        "details": dict(details),
    }
    if sent_time:
        fields["sent_time"] = sent_time
    if duration is None:
        fields["sent_duration"] = sent_duration
    return Message(
        id=recording_sid,
        kind="voicemail",
        subject=f"Voicemail from {caller(number, name)}, {one_line(via)}",
        text="\n".join(lines),
        when=when,
        fields=fields,
    )


def transcript(*, recording_sid, call_sid, number, name, when, via, text, recording_url):
    """A voicemail's transcript, in the voicemail's thread; ``text`` None: the carrier failed."""
    said = f'"{text}"' if text else "(The carrier could not transcribe this message.)"
    lines = [f"Transcript of the voicemail from {caller(number, name)}:", "", said, ""]
    lines.append(f"Recording: {one_line(recording_url)}")
    return Message(
        id=recording_sid,
        kind="transcript",
        follows="voicemail",
        subject=f"Re: Voicemail from {caller(number, name)}, {one_line(via)}",
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


def callback_request(*, call_sid, number, caller_id, name, when, via, details=None):
    """A caller asked to be called back at ``number`` instead of holding."""
    details = details or {}
    lines = [
        f"Please call back {one_line(number)}.",
        f"Caller: {caller(caller_id, name)}",
        f"When: {spoken_time(when)}",
        f"Via: {one_line(via)}",
        *detail_lines(details),
    ]
    return Message(
        id=call_sid,
        kind="callback-request",
        subject=f"Call back {one_line(number)}",
        text="\n".join(lines),
        when=when,
        fields={
            "number": number,
            "from": caller_id,
            "caller_name": name,
            "when": when.isoformat(timespec="seconds"),
            "via": via,
            "call_sid": call_sid,
            "details": dict(details),
        },
    )


def raw(*, kind, id, when, params: Mapping[str, str]):
    """A message that could not be built as it should: what the carrier sent, as it came.

    The business still hears of it; a person can read the parameters.
    """
    lines = [f"A {kind} arrived, but its details could not be read. What the carrier sent:"]
    lines += [f"{one_line(name)}: {one_line(value)}" for name, value in sorted(params.items())]
    return Message(
        id=id,
        kind=kind,
        subject=f"New {kind} (unreadable details)",
        text="\n".join(lines),
        when=when,
        fields={"sent": dict(params), "when": when.isoformat(timespec="seconds")},
    )
