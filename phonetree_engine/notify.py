"""From a state's callback to the business: log the fact, deliver it, or have Twilio retry.

A state's handler writes the fact with ``record(line)`` and hands the message to
``deliver(call, message)``. When the log did not take the line in time, or a channel did not
take the message (each failure is logged too), `TryAgain` makes the callback answer 5xx, so
that Twilio retries it (its URL was built with ``call.url(..., retry=True)``).
"""

from __future__ import annotations

from datetime import datetime
from email.utils import parsedate_to_datetime

from phonetree_engine import logs, messages
from phonetree_engine.delivery import Delivery, Message
from phonetree_engine.tree import TryAgain, event_line, mask_number, seconds


def record(line: str) -> None:
    """Write a business event before the callback is answered; TryAgain if it was not."""
    if not logs.write_business_event(line):
        raise TryAgain(f"the log did not take the {line.split(' ', 1)[0]} line in time")


def deliver(call, message: Message) -> None:
    """Send ``message`` on every configured channel; raise TryAgain unless all took it."""
    send(call.config, message)


def send(config, message: Message) -> None:
    """`deliver` with the settings alone, for a route that has no call (the fallback)."""
    failures = Delivery.from_config(config).deliver(message)
    for failure in failures:
        line = event_line(
            "delivery-failed",
            id=message.id,
            kind=message.kind,
            channel=failure.channel,
            reason=failure.reason,
        )
        logs.write_business_event(line)  # the 5xx follows whether or not it was written
    if failures:
        channels = ", ".join(failure.channel for failure in failures)
        raise TryAgain(f"the {message.kind} was not delivered by {channels}")


def voicemail_recorded(get, config, now) -> None:
    """A recording's status callback, from a voicemail state or the fallback route.

    Writes the fact at once, then delivers a finished recording; TryAgain when either fails.
    ``get(name, default)`` reads the callback's parameters, with what its URL carries
    (``from``, ``name``, ``via``); ``now()`` is the time when Twilio sent none.
    """
    status = get("RecordingStatus", "-")[:20]
    record(
        event_line(
            "recording",
            call=get("CallSid", "-")[:40],
            status=status,
            url=get("RecordingUrl", "-")[:300],
            duration=get("RecordingDuration", "-")[:10],
            recording=get("RecordingSid", "-")[:40],
            via=get("via", "-")[:40],
            **{"from": mask_number(get("from", ""))},
        ),
    )
    if status != "completed":  # "absent" (silence) or "failed": there is nothing to listen to
        return
    send(
        config,
        messages.voicemail(
            recording_sid=get("RecordingSid", "")[:40],
            call_sid=get("CallSid", "")[:40],
            number=get("from", "")[:20],
            name=get("name", "")[:40],
            when=started_at(get("RecordingStartTime", ""), config.timezone) or now(),
            path=get("via", "voicemail")[:40],
            duration=seconds(get("RecordingDuration", "")),
            recording_url=get("RecordingUrl", "")[:300],
        ),
    )


def started_at(text: str, timezone) -> datetime | None:
    """When a recording started (Twilio's RFC 2822 time), in ``timezone``; None if odd."""
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None or moment.tzinfo is None:
        return None
    return moment.astimezone(timezone)
