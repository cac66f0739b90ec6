"""From a state's callback to the business: deliver a message, or have Twilio send it again.

A state's handler calls ``deliver(call, message)``; when a channel did not take the message, each
failure goes to the log at once and `TryAgain` makes the callback answer 5xx, so that Twilio
retries it (its URL was built with ``call.url(..., retry=True)``).
"""

from __future__ import annotations

import logging
from datetime import datetime
from email.utils import parsedate_to_datetime

from phonetree_engine.delivery import Delivery, Message
from phonetree_engine.logs import business_event
from phonetree_engine.tree import TryAgain, event_line

log = logging.getLogger("phonetree.delivery")


def deliver(call, message: Message) -> None:
    """Send ``message`` on every configured channel; raise TryAgain unless all took it."""
    failures = Delivery.from_config(call.config).deliver(message)
    for failure in failures:
        line = event_line(
            "delivery-failed",
            id=message.id,
            kind=message.kind,
            channel=failure.channel,
            reason=failure.reason,
        )
        business_event(log, line, logging.WARNING)
    if failures:
        channels = ", ".join(failure.channel for failure in failures)
        raise TryAgain(f"the {message.kind} was not delivered by {channels}")


def started(call, text: str) -> datetime:
    """When a recording started (Twilio's RFC 2822 time), in the business's time zone."""
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        moment = None
    if moment is None or moment.tzinfo is None:
        return call.now
    return moment.astimezone(call.config.timezone)
