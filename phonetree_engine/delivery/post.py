"""The POST channel: each message as JSON, posted to ``NOTIFY_URL``.

``text`` is for a person (Slack and Teams incoming webhooks show it as is); ``id`` and ``type``
tell repeats apart, and go in the ``Idempotency-Key`` header too. A user and password in the URL
(``https://user:pass@host/path``) are sent as HTTP Basic authentication, never as part of the
URL, and never shown. Only a 2xx answer is delivery; a redirect is not.
"""

from __future__ import annotations

import base64
import http.client
import json
import re
import ssl
from dataclasses import dataclass, field
from urllib.parse import unquote

from phonetree_engine.delivery import Exchange, Message, NotDelivered, describe
from phonetree_engine.settings import Group, Setting, is_loopback, url_without_secrets

NAME = "post"
USER_AGENT = "phonetree"
_EXPECTED = "expected an https URL, e.g. https://hooks.slack.com/services/..."


@dataclass(frozen=True)
class Endpoint:
    """Where NOTIFY_URL posts; the credentials and the path (its secret) never show."""

    scheme: str
    host: str
    port: int | None
    path: str = field(repr=False)
    user: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)

    @property
    def netloc(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}" if self.port else host


def notify_url(value: str) -> Endpoint:
    """Read NOTIFY_URL; a user and password must have / ? # and @ written as %-escapes."""
    scheme, sep, rest = value.partition("://")
    if not sep or scheme not in ("http", "https"):
        raise ValueError(_EXPECTED)
    authority, slash, path = rest.partition("/")
    path = slash + path
    if "@" in path or "#" in rest:
        raise ValueError(
            "has @ or # where a URL cannot: write / ? # and @ of a user or password as "
            "%2F %3F %23 %40; " + _EXPECTED
        )
    if "?" in authority:
        authority, question, query = authority.partition("?")
        path = "/" + question + query
    userinfo, at, address = authority.rpartition("@")
    match = re.fullmatch(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?", address)
    if not match:
        raise ValueError(_EXPECTED)
    host, port = match.group(1).strip("[]"), match.group(2)
    if port and not 0 < int(port) < 65536:
        raise ValueError(f"the port is not 1 to 65535; {_EXPECTED}")
    if scheme == "http" and not is_loopback(host):
        raise ValueError("expected https: plain http only to a loopback address (127.0.0.1)")
    user, colon, password = userinfo.partition(":")
    if at and not user:
        raise ValueError(f"the user is empty; {_EXPECTED}")
    return Endpoint(
        scheme,
        host,
        int(port) if port else None,
        path or "/",
        unquote(user) if at else None,
        unquote(password) if at and colon else None,
    )


GROUP = Group(
    "Messages by POST",
    (
        Setting(
            "NOTIFY_URL",
            notify_url,
            "",
            "https URL that gets a JSON POST per message (Slack and Teams incoming webhooks work "
            "as is); a user and password in it are sent as HTTP Basic authentication",
            shown=url_without_secrets,
        ),
    ),
)


def channel(config) -> Post | None:
    return Post(config.notify_url) if config.notify_url else None


class Post:
    """POST each message as JSON; ``text`` makes a Slack or Teams incoming webhook show it."""

    name = NAME

    def __init__(self, endpoint: Endpoint):
        self.endpoint = endpoint

    @staticmethod
    def payload(message: Message) -> dict:
        return {"text": message.text, "id": message.id, "type": message.kind, **message.fields}

    def headers(self, message: Message) -> dict[str, str]:
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "Idempotency-Key": message.key,
        }
        if self.endpoint.user is not None:
            pair = f"{self.endpoint.user}:{self.endpoint.password or ''}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        return headers

    def send(self, message: Message, exchange: Exchange) -> list:
        endpoint = self.endpoint
        body = json.dumps(self.payload(message), ensure_ascii=False).encode()
        if endpoint.scheme == "https":
            context = ssl.create_default_context()
            conn = http.client.HTTPSConnection(
                endpoint.netloc, timeout=exchange.left(), context=context
            )
        else:
            conn = http.client.HTTPConnection(endpoint.netloc, timeout=exchange.left())
        conn._create_connection = exchange.connect  # so that the deadline can end it
        # Only the host is ever named: a webhook URL's path is its secret.
        try:
            conn.request("POST", endpoint.path, body=body, headers=self.headers(message))
            conn.sock.settimeout(exchange.left())
            status = conn.getresponse().status
        except (OSError, http.client.HTTPException) as error:
            raise NotDelivered(f"{endpoint.host}: {describe(error)}") from None
        finally:
            conn.close()
        if not 200 <= status < 300:  # a redirect is not delivery either
            raise NotDelivered(f"{endpoint.host}: answered {status}")
        return []
