"""Real receivers of the business's messages, in the test process: an SMTP server and a webhook.

`Mailbox` is an aiosmtpd server on a loopback port that keeps every email it accepted; it can
be down (`stop()`) and back (`start()`) on the same port. `Hook` is an http.server that keeps
every POST, answering after ``delay`` seconds with ``status``::

    with Mailbox() as mailbox, Hook() as hook:
        settings = {**mailbox.settings, "NOTIFY_URL": hook.url}
"""

from __future__ import annotations

import email
import email.policy
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

from tests.servers import HOST, free_port

OFFICE = "office@example.com"
SENDER = "phonetree@example.com"


class Mailbox:
    """An SMTP server that accepts every message and keeps it, parsed."""

    def __init__(self, port: int | None = None, reply: str = "250 OK"):
        self.port = port or free_port()
        self.reply = reply  # e.g. "451 try later" to refuse what is sent
        self.messages: list[email.message.EmailMessage] = []
        self.controller: Controller | None = None

    @property
    def settings(self) -> dict[str, str]:
        return {
            "SMTP_URL": f"smtp://{HOST}:{self.port}",
            "NOTIFY_EMAIL": OFFICE,
            "MAIL_FROM": SENDER,
        }

    async def handle_DATA(self, server, session, envelope):
        if self.reply.startswith("250"):
            parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.messages.append(parsed)
        return self.reply

    def start(self) -> Mailbox:
        self.controller = Controller(self, hostname=HOST, port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def wait_for(self, count: int, seconds: float = 5.0) -> list:
        deadline = time.monotonic() + seconds
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages

    def __enter__(self) -> Mailbox:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class Hook:
    """An HTTP server that keeps every JSON POST: (path, headers, payload)."""

    def __init__(self, status: int = 200, delay: float = 0.0):
        self.status, self.delay = status, delay
        self.posts: list[tuple[str, dict, dict]] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                time.sleep(hook.delay)
                if 200 <= hook.status < 300:
                    hook.posts.append((self.path, dict(self.headers), json.loads(body)))
                self.send_response(hook.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):  # quiet
                pass

        self.server = ThreadingHTTPServer((HOST, 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://{HOST}:{self.server.server_port}/hooks/T123/secret-part"

    @property
    def payloads(self) -> list[dict]:
        return [payload for _, _, payload in self.posts]

    def wait_for(self, count: int, seconds: float = 5.0) -> list[dict]:
        deadline = time.monotonic() + seconds
        while len(self.posts) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.payloads

    def __enter__(self) -> Hook:
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
