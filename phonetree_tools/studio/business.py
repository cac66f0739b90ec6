"""What the business would get of a message: the email and the POST's JSON, as the configured
channels would send them, and both of them when none is configured."""

from __future__ import annotations

import json

from phonetree_engine.delivery import Message, Outcome, email, post
from phonetree_engine.settings import redacted

# Addresses shown in an email when email is not configured (example.invalid never resolves).
UNSET_FROM = "phonetree@example.invalid"
UNSET_TO = "notify-email@example.invalid"
NOTIFY_URL = next(setting for setting in post.GROUP.settings if setting.name == "NOTIFY_URL")


def shown(message: Message, config, sent: bool = False, outcome: Outcome | None = None) -> dict:
    """The message as each channel would send it, and whether it went out for real."""
    channels = [as_email(message, config), as_post(message, config)]
    failed = outcome.failed if outcome is not None else {}
    for channel in channels:
        if sent and channel["configured"]:
            channel["sent"] = (
                "not delivered: " + failed[channel["name"]]
                if channel["name"] in failed
                else "delivered"
            )
    return {
        "id": message.id,
        "kind": message.kind,
        "subject": message.subject,
        "text": message.text,
        "channels": channels,
    }


def as_email(message: Message, config) -> dict:
    configured = bool(config.smtp_url)
    sender = config.mail_from if configured else UNSET_FROM
    recipients = config.notify_email if configured else (UNSET_TO,)
    mail = email.Email(config.smtp_url, sender, recipients).compose(message)
    headers = "".join(f"{name}: {value}\n" for name, value in mail.items())
    return {
        "name": email.NAME,
        "configured": configured,
        "to": ", ".join(recipients),
        "headers": headers,
        "body": mail.get_content(),
        "sent": None,
        "setup": None if configured else "set SMTP_URL, NOTIFY_EMAIL and MAIL_FROM to send it",
    }


def as_post(message: Message, config) -> dict:
    endpoint = config.notify_url
    body = json.dumps(post.Post.payload(message), indent=2, ensure_ascii=False)
    return {
        "name": post.NAME,
        "configured": endpoint is not None,
        # The path of the URL is its secret, and the user and password are never shown.
        "to": redacted(NOTIFY_URL, f"{endpoint.scheme}://{endpoint.netloc}/") if endpoint else "",
        "body": body,
        "sent": None,
        "setup": None if endpoint else "set NOTIFY_URL to POST it",
    }
