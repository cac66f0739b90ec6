"""What the business would get of a message: the email and the webhook's JSON, as the
configured channels would send them, and both of them when none is configured."""

from __future__ import annotations

import json

from phonetree_engine import delivery
from phonetree_engine.settings import shown as setting_shown

# Addresses shown in an email when email is not configured (example.invalid never resolves).
UNSET_FROM = "phonetree@example.invalid"
UNSET_TO = "notify-email@example.invalid"


def shown(message: delivery.Message, config, sent: bool = False, failures=()) -> dict:
    """The message as each channel would send it, and whether it went out for real."""
    channels = [email(message, config), webhook(message, config)]
    failed = {failure.channel: failure.reason for failure in failures}
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


def email(message: delivery.Message, config) -> dict:
    configured = bool(config.smtp)
    sender = config.mail_from if configured else UNSET_FROM
    recipients = config.notify_email if configured else (UNSET_TO,)
    mail = delivery.Email(config.smtp, sender, recipients).compose(message)
    headers = "".join(f"{name}: {value}\n" for name, value in mail.items())
    return {
        "name": "email",
        "configured": configured,
        "to": ", ".join(recipients),
        "headers": headers,
        "body": mail.get_content(),
        "sent": None,
        "setup": None if configured else "set SMTP_URL, NOTIFY_EMAIL and MAIL_FROM to send it",
    }


def webhook(message: delivery.Message, config) -> dict:
    configured = bool(config.notify_url)
    body = json.dumps(delivery.Webhook.payload(message), indent=2, ensure_ascii=False)
    return {
        "name": "webhook",
        "configured": configured,
        # The path of a webhook's URL is its secret: the host only.
        "to": setting_shown("NOTIFY_URL", config.notify_url) if configured else "",
        "body": body,
        "sent": None,
        "setup": None if configured else "set NOTIFY_URL to POST it",
    }
