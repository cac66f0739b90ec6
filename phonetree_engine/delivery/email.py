"""The email channel: each message as a plain-text email through an SMTP server.

Settings: ``SMTP_URL``, ``NOTIFY_EMAIL`` and ``MAIL_FROM``, all three or none. A transcript
threads under its voicemail (``In-Reply-To``). The server has taken a message once it answered
the end of its data with 250: a failed QUIT after that changes nothing. A recipient the server
refuses for now (4xx) is tried again when Twilio retries, and only that one; one refused for good
(5xx) is reported (``Refused``) while the others still get the message.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import unquote

from phonetree_engine.delivery import (
    Exchange,
    Memory,
    Message,
    NotDelivered,
    Refused,
    describe,
)
from phonetree_engine.settings import Group, Setting, url_without_secrets

NAME = "email"
_ADDRESS = re.compile(r"[^\s@<>,;\"]+@[^\s@<>,;\"]+\.[^\s@<>,;\".]+")
_SMTP_PORTS = {"smtp": 587, "smtps": 465}
QUIT_SECONDS = 2.0
_EXPECTED = "expected smtp://user:pass@host:587, smtps://user:pass@host:465 or smtp://host:25"
# What a header value may not hold: anything that ends or folds a line.
_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")


@dataclass(frozen=True)
class MailServer:
    """Where email goes, read from SMTP_URL; the password never shows in a repr or a log."""

    host: str
    port: int
    tls: bool  # smtps://: TLS from the first byte
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def starttls(self) -> bool:
        """smtp:// with a login upgrades to TLS first; a bare local relay (port 25) does not."""
        return not self.tls and (self.user is not None or self.port == 587)


def smtp_url(value: str) -> MailServer:
    """Read SMTP_URL. The user and password may hold any character (/ # ? @ too): everything
    up to the last @ is theirs, and %-escapes in them are decoded."""
    scheme, sep, rest = value.partition("://")
    if not sep or scheme not in _SMTP_PORTS:
        raise ValueError(_EXPECTED)
    userinfo, at, address = rest.rpartition("@")
    match = re.fullmatch(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?/?", address)
    if not match:
        raise ValueError(f"the host is not host or host:port; {_EXPECTED}")
    host, port = match.group(1).strip("[]"), match.group(2)
    if port and not 0 < int(port) < 65536:
        raise ValueError(f"the port is not 1 to 65535; {_EXPECTED}")
    user, colon, password = userinfo.partition(":")
    if at and not (user and colon and password):
        raise ValueError(f"give both a user and a password, or neither; {_EXPECTED}")
    return MailServer(
        host=host,
        port=int(port) if port else _SMTP_PORTS[scheme],
        tls=scheme == "smtps",
        user=unquote(user) if at else None,
        password=unquote(password) if at else None,
    )


def address(value: str) -> str:
    if not _ADDRESS.fullmatch(value):
        raise ValueError("expected an email address like office@example.com")
    return value


def addresses(value: str) -> tuple[str, ...]:
    found = [item.strip() for item in re.split(r"[,;]", value) if item.strip()]
    bad = [repr(item) for item in found if not _ADDRESS.fullmatch(item)]
    if bad or not found:
        raise ValueError(
            f"not email addresses: {', '.join(bad) or repr(value)}; "
            "expected e.g. office@example.com, owner@example.com"
        )
    return tuple(found)


def _all_or_none(values: Mapping, environ: Mapping[str, str]) -> list[str]:
    names = [setting.name for setting in GROUP.settings]
    given = [name for name in names if (environ.get(name) or "").strip()]
    missing = [name for name in names if name not in given]
    if not given or not missing:
        return []
    return [f"{', '.join(given)} set: email also needs {' and '.join(missing)}"]


GROUP = Group(
    "Messages by email",
    (
        Setting(
            "SMTP_URL",
            smtp_url,
            "",
            "Mail server for messages: `smtp://user:pass@host:587` (STARTTLS), "
            "`smtps://user:pass@host:465` (TLS) or `smtp://host:25` (a local relay)",
            shown=url_without_secrets,
        ),
        Setting(
            "NOTIFY_EMAIL",
            addresses,
            "",
            "Who gets messages by email: addresses separated by commas",
            unset=(),
        ),
        Setting(
            "MAIL_FROM", address, "", "Sender address of those emails, e.g. `phonetree@example.com`"
        ),
    ),
    check=_all_or_none,
)


def channel(config) -> Email | None:
    if not config.smtp_url:
        return None
    return Email(config.smtp_url, config.mail_from, config.notify_email)


def header(text: str) -> str:
    """A header value that cannot end or fold its line, whatever the caller's name holds."""
    return " ".join(_BREAKS.sub(" ", text).split())


def masked_address(address: str) -> str:
    """An address as a log may show it: the first letter of the name, and the domain."""
    name, _, domain = address.rpartition("@")
    return f"{name[:1]}***@{domain}" if name else "***"


class Email:
    """Send each message as a plain-text email; a transcript threads under its voicemail."""

    name = NAME

    def __init__(self, server: MailServer, sender: str, recipients: tuple[str, ...]):
        self.server, self.sender, self.recipients = server, sender, recipients
        self.domain = sender.rpartition("@")[2]
        self.accepted = Memory()  # (message, recipient) the server took: not sent again

    def message_id(self, message: Message, kind: str | None = None) -> str:
        """``<voicemail.RE...@domain>``: the same for every copy of a message. An id of a shape a
        Message-ID cannot hold (Telnyx's ``v2:...``) has those characters written as ``=XX``."""
        safe = re.sub(
            r"[^A-Za-z0-9!#$%&'*+/?^_`{|}~.-]", lambda c: f"={ord(c.group()):02X}", message.id
        )
        return f"<{kind or message.kind}.{safe}@{self.domain}>"

    def compose(self, message: Message) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = ", ".join(self.recipients)
        mail["Subject"] = header(message.subject)
        mail["Date"] = format_datetime(message.when)
        mail["Message-ID"] = self.message_id(message)
        if message.follows:
            parent = self.message_id(message, message.follows)
            mail["In-Reply-To"] = parent
            mail["References"] = parent
        mail["Auto-Submitted"] = "auto-generated"  # so that no auto-reply answers it
        mail.set_content(message.text)
        return mail

    def send(self, message: Message, exchange: Exchange) -> list[Refused]:
        """Send to every recipient not yet served; return those refused for good."""
        todo = [r for r in self.recipients if not self.accepted.has(message.key, r)]
        if not todo:
            return []
        server = self.server
        where = f"{server.host}:{server.port}"
        smtp = None
        try:
            context = ssl.create_default_context()
            smtp = (SSLClient if server.tls else Client)(exchange, context)
            smtp.connect(server.host, server.port)  # (the greeting is read here)
            if server.starttls:
                smtp.sock.settimeout(exchange.left())
                smtp.starttls(context=context)
            if server.user:
                smtp.sock.settimeout(exchange.left())
                smtp.login(server.user, server.password)
            smtp.sock.settimeout(exchange.left())
            refused = smtp.sendmail(self.sender, todo, self.compose(message).as_bytes())
        except smtplib.SMTPRecipientsRefused as error:
            refused = error.recipients
        except (OSError, smtplib.SMTPException) as error:
            raise NotDelivered(f"{where}: {describe(error)}") from None
        finally:
            _close(smtp)
        for recipient in todo:
            if recipient not in refused:
                self.accepted.add(message.key, recipient)
        later = {r: reply for r, reply in refused.items() if not 500 <= reply[0] < 600}
        if later:
            shown = ", ".join(f"{masked_address(r)} ({reply[0]})" for r, reply in later.items())
            raise NotDelivered(f"{where}: refused for now: {shown}")
        if len(refused) == len(self.recipients):  # nobody has it, then or before
            raise NotDelivered(f"{where}: every recipient refused")
        return [
            Refused(NAME, masked_address(r), f"{reply[0]} {_reply(reply[1])}")
            for r, reply in refused.items()
        ]


class Client(smtplib.SMTP):
    """smtplib's client, its connections opened through the exchange, which can end them."""

    def __init__(self, exchange: Exchange, context: ssl.SSLContext):
        self.exchange = exchange
        super().__init__(timeout=exchange.left())

    def _get_socket(self, host, port, timeout):
        self._host = host  # what STARTTLS checks the certificate against
        return self.exchange.connect((host, port), timeout, self.source_address)


class SSLClient(smtplib.SMTP_SSL):
    """The same, with TLS from the first byte (smtps://)."""

    def __init__(self, exchange: Exchange, context: ssl.SSLContext):
        self.exchange = exchange
        super().__init__(context=context, timeout=exchange.left())

    def _get_socket(self, host, port, timeout):
        self._host = host
        sock = self.exchange.connect((host, port), timeout, self.source_address)
        return self.context.wrap_socket(sock, server_hostname=host)


def _reply(text: bytes) -> str:
    return text.decode("utf-8", "replace")[:120] if isinstance(text, bytes) else str(text)[:120]


def _close(smtp) -> None:
    """Say QUIT if the server still listens, briefly; the message, if taken, stays taken."""
    if smtp is None:
        return
    try:
        if smtp.sock is not None:
            smtp.sock.settimeout(min(QUIT_SECONDS, smtp.exchange.left()))
            smtp.quit()
    except (OSError, smtplib.SMTPException):
        pass
    finally:
        smtp.close()
