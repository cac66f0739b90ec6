"""Messages for the business: by email through SMTP, and as a JSON POST to a webhook.

Settings in, messages out: this module knows neither the engine nor the tree. `deliver()` hands
a `Message` to every configured channel at once and returns what failed, within `TIMEOUT`
seconds whatever a server does, so that a Twilio callback can answer 2xx only when every
channel accepted, and 5xx (Twilio retries) otherwise. A repeat is harmless: the email's
Message-ID and the webhook's ``id`` come from the message's own id (a RecordingSid, a CallSid),
so the same message delivered twice is the same message to whoever receives it.
"""

from __future__ import annotations

import http.client
import json
import smtplib
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import urlsplit

TIMEOUT = 5.0  # seconds a channel may take: well inside the 15 s Twilio waits for our answer
USER_AGENT = "phonetree"


@dataclass(frozen=True)
class Message:
    """One thing the business must hear about: a voicemail, its transcript, a callback request.

    ``id`` names the thread (a voicemail and its transcript share it); ``kind`` tells the
    messages of a thread apart; ``follows`` is the kind this one answers in the thread.
    ``fields`` are the structured facts, ``text`` the same for a person to read.
    """

    id: str
    kind: str
    subject: str
    text: str
    when: object  # an aware datetime, in the business's time zone
    fields: Mapping[str, str] = field(default_factory=dict)
    follows: str | None = None


class NotDelivered(Exception):
    """A channel did not accept a message; the text says why, without secrets."""


# Channels ####################################################################


class Email:
    """Send each message as a plain-text email; a transcript threads under its voicemail."""

    name = "email"

    def __init__(self, server, sender: str, recipients: tuple[str, ...]):
        self.server, self.sender, self.recipients = server, sender, recipients
        self.domain = sender.rpartition("@")[2]

    def message_id(self, message: Message, kind: str | None = None) -> str:
        return f"<{kind or message.kind}.{message.id}@{self.domain}>"

    def compose(self, message: Message) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = ", ".join(self.recipients)
        mail["Subject"] = message.subject
        mail["Date"] = format_datetime(message.when)
        mail["Message-ID"] = self.message_id(message)
        if message.follows:
            parent = self.message_id(message, message.follows)
            mail["In-Reply-To"] = parent
            mail["References"] = parent
        mail["Auto-Submitted"] = "auto-generated"  # so that no auto-reply answers it
        mail.set_content(message.text)
        return mail

    def send(self, message: Message, timeout: float) -> None:
        server = self.server
        context = ssl.create_default_context()
        try:
            if server.tls:
                smtp = smtplib.SMTP_SSL(server.host, server.port, timeout=timeout, context=context)
            else:
                smtp = smtplib.SMTP(server.host, server.port, timeout=timeout)
            with smtp:
                if server.starttls:
                    smtp.starttls(context=context)
                if server.user:
                    smtp.login(server.user, server.password)
                smtp.send_message(self.compose(message))
        except (OSError, smtplib.SMTPException) as error:
            raise NotDelivered(f"{server.host}:{server.port}: {describe(error)}") from None


class Webhook:
    """POST each message as JSON; ``text`` makes a Slack or Teams incoming webhook show it."""

    name = "webhook"

    def __init__(self, url: str):
        self.url = urlsplit(url)

    @staticmethod
    def payload(message: Message) -> dict:
        return {"text": message.text, "id": message.id, "type": message.kind, **message.fields}

    def send(self, message: Message, timeout: float) -> None:
        url = self.url
        body = json.dumps(self.payload(message), ensure_ascii=False).encode()
        path = url.path or "/"
        if url.query:
            path += "?" + url.query
        if url.scheme == "https":
            context = ssl.create_default_context()
            conn = http.client.HTTPSConnection(url.netloc, timeout=timeout, context=context)
        else:
            conn = http.client.HTTPConnection(url.netloc, timeout=timeout)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "Idempotency-Key": f"{message.id}.{message.kind}",
        }
        # Only the host is ever named: a webhook URL's path is its secret.
        try:
            conn.request("POST", path, body=body, headers=headers)
            status = conn.getresponse().status
        except OSError as error:
            raise NotDelivered(f"{url.hostname}: {describe(error)}") from None
        finally:
            conn.close()
        if not 200 <= status < 300:  # a redirect is not delivery either
            raise NotDelivered(f"{url.hostname}: answered {status}")


def describe(error: BaseException) -> str:
    text = str(error).strip() or "no detail"
    return f"{type(error).__name__}: {text}"[:200]


# Delivery ####################################################################


@dataclass(frozen=True)
class Failure:
    channel: str
    reason: str


class Delivery:
    """The configured channels; ``deliver`` tries them all at once, each within ``timeout``."""

    def __init__(self, channels: list, timeout: float | None = None):
        self.channels, self.timeout = channels, timeout or TIMEOUT

    @classmethod
    def from_config(cls, config, timeout: float | None = None) -> Delivery:
        channels: list = []
        if config.smtp:
            channels.append(Email(config.smtp, config.mail_from, config.notify_email))
        if config.notify_url:
            channels.append(Webhook(config.notify_url))
        return cls(channels, timeout)

    def deliver(self, message: Message) -> list[Failure]:
        """Send ``message`` on every channel; return the channels that did not accept it."""
        outcomes: dict[str, str | None] = {}

        def send(channel):
            try:
                channel.send(message, self.timeout)
                outcomes[channel.name] = None
            except NotDelivered as error:
                outcomes[channel.name] = str(error)
            except Exception as error:  # a bug in a channel must not pass for delivery
                outcomes[channel.name] = describe(error)

        threads = [
            threading.Thread(target=send, args=(channel,), name=f"deliver-{channel.name}")
            for channel in self.channels
        ]
        for thread in threads:
            thread.daemon = True  # a stuck server must not keep the process from stopping
            thread.start()
        # One deadline for all: each socket operation has the timeout, the whole send too.
        deadline = time.monotonic() + self.timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return [
            Failure(channel.name, outcomes.get(channel.name) or f"no answer in {self.timeout:g} s")
            for channel in self.channels
            if channel.name not in outcomes or outcomes[channel.name] is not None
        ]
