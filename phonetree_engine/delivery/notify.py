"""From a state's webhook to the business: write the fact, deliver the message, say how it went.

A voicemail state's recording callback calls ``voicemail(call)``; its transcription callback
``transcript(call)``: each writes a business line to the log and delivers the message on every
channel at once, and raises `TryAgain` (the callback answers 5xx, so that the carrier retries)
unless every channel took it, or, with no channel configured, unless the log took the line. A
stuck log never holds up delivery: the line is queued, the message goes out meanwhile.

A live call cannot be retried, nor kept waiting: ``callback_request(call, number)`` waits
``LIVE_WAIT`` seconds at most, then says whether anyone has the request (a channel took it, or
with no channel the log did), so the caller hears the truth; what no channel took yet is tried
again in the background.
Numbers and what the call collected go in full to the business and masked to the log.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime

from phonetree_engine import logs
from phonetree_engine.delivery import Delivery, Later, Message, Outcome, messages
from phonetree_engine.lines import event_line, mask_digits, mask_number, seconds
from phonetree_engine.tree import TryAgain

log = logging.getLogger("phonetree")

# Seconds a live call waits for a channel to take what it asked for: it holds one of the
# threads every caller needs meanwhile. A channel still trying goes on, and is tried again.
LIVE_WAIT = 1.5


def send(call, message: Message, line: str, wait: float | None = None) -> tuple[Outcome, bool]:
    """Write ``line`` (a business event) and deliver ``message`` (``wait``: see ``deliver``);
    log every failure and every recipient refused for good. Return the outcome and whether the
    log took the line in time."""
    written = logs.business_event(line)
    outcome = call.delivery.deliver(message, wait)
    logged(message, outcome)
    # The log decides the answer only where no channel does: then it is worth waiting for.
    return outcome, written.wait(logs.BUSINESS_WAIT) if not call.delivery.channels else True


def required(call, message: Message, outcome: Outcome, written: bool) -> None:
    """Raise TryAgain unless the business has it: every channel, or with none the log.

    A carrier that does not retry a failed callback gets a 2xx once the message waits to be
    tried again by this process (``Later``): a 5xx would change nothing.
    """
    kind = message.kind
    if call.delivery.channels and not outcome.complete:
        if not call.setup.carrier.retries_at_url and later(call.delivery).add(message):
            return
        channels = ", ".join(outcome.failed)
        raise TryAgain(f"the {kind} was not delivered by {channels}")
    if not call.delivery.channels and not written:
        raise TryAgain(f"the log did not take the {kind} line in time")


def later(delivery: Delivery) -> Later:
    """The delivery's background retries, each try reported in the log."""
    if delivery.later is None:
        delivery.later = Later(delivery, tried_again)
    return delivery.later


def logged(message: Message, outcome: Outcome, **more) -> None:
    """A business line for each channel that did not take ``message``, and each recipient
    refused for good; ``more`` fields end each failure's line (``final=``)."""
    facts = {"id": message.id, "kind": message.kind}
    for channel, reason in outcome.failed.items():
        fields = {**facts, "channel": channel, "reason": reason, **more}
        logs.business_event(event_line("delivery-failed", **fields))
    for refused in outcome.refused:
        fields = {**facts, "channel": refused.channel, "to": refused.address}
        logs.business_event(event_line("delivery-refused", **fields, reason=refused.reason))


def tried_again(message: Message, outcome: Outcome, final: bool) -> None:
    logged(message, outcome, final=final)
    if outcome.complete:
        logs.business_event(event_line("delivered-later", id=message.id, kind=message.kind))


def detail_values(call, details: Mapping[str, str] | None) -> dict[str, str]:
    """``{label: context name}`` read from the call's context; names it does not carry are left
    out."""
    values = {}
    for label, name in (details or {}).items():
        value = call.context.get(name)
        if value:
            values[label] = value
    return values


def masked(details: Mapping[str, str]) -> str:
    return ",".join(f"{label}:{mask_number(value)}" for label, value in details.items())


# Voicemail ###################################################################


def recording(call, via: str):
    """The Record of a voicemail state: its action this state's exit, its recording (and with
    TRANSCRIBE its transcript) sent to this state's webhooks ``recorded`` and ``transcribed``
    (``webhooks()``), whose URLs carry the caller (sealed) and ``via``, how they got there."""
    from twilio.twiml.voice_response import Record

    once = {"from": call.param("From")[:20], "name": call.param("CallerName")[:40], "via": via}
    record = Record(
        action=call.action,
        max_length=call.config.voicemail_max_length,
        finish_on_key="#",
        play_beep=True,
        recording_status_callback=call.url("recorded", retry=True, **once),
    )
    if call.config.transcribe:
        record.attrs.update(
            transcribe=True, transcribeCallback=call.url("transcribed", retry=True, **once)
        )
    return record


def webhooks(details: Mapping[str, str] | None = None) -> dict:
    """A voicemail state's webhooks, for its row: ``State(..., webhooks=notify.webhooks())``.

    ``details`` maps a label to a context name whose value the message carries.
    """
    return {"recorded": lambda call: voicemail(call, details), "transcribed": transcript}


def voicemail(call, details: Mapping[str, str] | None = None) -> None:
    """A recording's status callback: log it, and deliver a finished recording.

    ``details`` maps a label to a context name whose value the message carries (``{"Account":
    "account"}``). The callback's URL carries the caller (``from``, ``name``) and ``via``.
    """
    get = call.param
    status = get("RecordingStatus", "-")[:20]
    found = detail_values(call, details)
    fields = {
        "call": get("CallSid", "-")[:80],
        "status": status,
        "url": get("RecordingUrl", "-")[:300],
        "duration": get("RecordingDuration", "-")[:10],
        "recording": get("RecordingSid", "-")[:80],
        "via": get("via", "-")[:40],
        "from": mask_number(get("from", "")),
    }
    if found:
        fields["details"] = masked(found)
    line = event_line("recording", **fields)
    if status != "completed":  # "absent" (silence) or "failed": there is nothing to listen to
        logs.business_event(line)
        return
    sent_time = get("RecordingStartTime", "")
    when = started_at(sent_time, call.config.timezone)
    sent_duration = get("RecordingDuration", "")[:20]
    try:
        message = messages.voicemail(
            recording_sid=get("RecordingSid", "")[:80],
            call_sid=get("CallSid", "")[:80],
            number=get("from", "")[:20],
            name=get("name", "")[:40],
            when=when or call.now,
            via=get("via", "voicemail")[:40],
            duration=seconds(sent_duration) if sent_duration.isdigit() else None,
            recording_url=get("RecordingUrl", "")[:300],
            details=found,
            sent_time=None if when else sent_time[:60],
            sent_duration=sent_duration,
        )
    except Exception:  # a value no one foresaw: the business still hears, with what came
        log.exception(event_line("message-unreadable", kind="voicemail"))
        message = unreadable(call, "voicemail", get("RecordingSid", "")[:80])
    outcome, written = send(call, message, line)
    required(call, message, outcome, written)


def transcript(call) -> None:
    """A recording's transcription callback: log it (digits masked), deliver it in its thread."""
    get = call.param
    status = get("TranscriptionStatus", "-")[:20]
    text = get("TranscriptionText")[:4000]
    line = event_line(
        "transcription",
        call=get("CallSid", "-")[:80],
        status=status,
        text=mask_digits(text[:2000]),
        recording=get("RecordingSid", "-")[:80],
    )
    try:
        message = messages.transcript(
            recording_sid=get("RecordingSid")[:80],
            call_sid=get("CallSid")[:80],
            number=get("from") or get("From")[:20],
            name=get("name")[:40],
            when=call.now,
            via=get("via", "voicemail")[:40],
            text=text if status == "completed" else None,
            recording_url=get("RecordingUrl")[:300],
        )
    except Exception:
        log.exception(event_line("message-unreadable", kind="transcript"))
        message = unreadable(call, "transcript", get("RecordingSid", "")[:80])
    outcome, written = send(call, message, line)
    required(call, message, outcome, written)


def unreadable(call, kind: str, id: str) -> Message:
    params = {name: call.param(name)[:300] for name in call.param_names()}
    return messages.raw(kind=kind, id=id, when=call.now, params=params)


def started_at(text: str, timezone) -> datetime | None:
    """When a recording started (the carrier's RFC 2822 time), in ``timezone``; None if odd."""
    try:
        moment = parsedate_to_datetime(text)
        if moment is None or moment.tzinfo is None:
            return None
        return moment.astimezone(timezone)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


# Call me back ################################################################


def callback_request(
    call, number: str, caller_id: str, via: str, details: Mapping[str, str] | None = None
) -> bool:
    """Pass a caller's request to be called back at ``number``; True when someone has it."""
    found = detail_values(call, details)
    fields = {
        "call": call.param("CallSid", "-")[:80] or "-",
        "number": mask_number(number),
        "from": mask_number(caller_id),
    }
    if found:
        fields["details"] = masked(found)
    message = messages.callback_request(
        call_sid=call.param("CallSid")[:80],
        number=number,
        caller_id=caller_id,
        name=call.param("CallerName")[:40],
        when=call.now,
        via=via,
        details=found,
    )
    outcome, written = send(call, message, event_line("callback-request", **fields), LIVE_WAIT)
    if not outcome.complete:  # tried again in the background, what a channel took left alone
        later(call.delivery).add(message)
    return bool(outcome.taken) or (not call.delivery.channels and written)
