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
from aiosmtpd.smtp import AuthResult

from tests.servers import HOST, free_port

OFFICE = "office@example.com"
SENDER = "phonetree@example.com"


class Mailbox:
    """An SMTP server that accepts every message and keeps it, parsed.

    With ``tls`` (an ``ssl.SSLContext`` holding its certificate) and ``login`` (user, password)
    it is a submission server: ``"starttls"`` requires STARTTLS before AUTH and mail,
    ``"smtps"`` speaks TLS from the first byte.
    """

    def __init__(self, port=None, reply="250 OK", tls=None, mode="starttls", login=None):
        self.port = port or free_port()
        self.reply = reply  # e.g. "451 try later" to refuse what is sent
        self.tls, self.mode, self.login = tls, mode, login
        self.messages: list[email.message.EmailMessage] = []
        self.logins: list[tuple[str, str]] = []
        self.controller: Controller | None = None

    @property
    def settings(self) -> dict[str, str]:
        scheme = "smtps" if self.tls and self.mode == "smtps" else "smtp"
        user = f"{self.login[0]}:{self.login[1]}@" if self.login else ""
        return {
            "SMTP_URL": f"{scheme}://{user}{HOST}:{self.port}",
            "NOTIFY_EMAIL": OFFICE,
            "MAIL_FROM": SENDER,
        }

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        given = (auth_data.login.decode(), auth_data.password.decode())
        self.logins.append(given)
        # handled=False: the server answers a wrong login (535) itself, at once.
        return AuthResult(success=given == tuple(self.login or ()), handled=False)

    async def handle_DATA(self, server, session, envelope):
        if self.reply.startswith("250"):
            parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.messages.append(parsed)
        return self.reply

    def start(self) -> Mailbox:
        options = {}
        if self.tls and self.mode == "smtps":
            options["ssl_context"] = self.tls
        elif self.tls:
            options.update(tls_context=self.tls, require_starttls=True)
        if self.login:
            # aiosmtpd counts only STARTTLS as TLS for AUTH; smtps is TLS from the first byte.
            require = bool(self.tls) and self.mode == "starttls"
            options.update(authenticator=self.authenticate, auth_require_tls=require)
        self.controller = Controller(self, hostname=HOST, port=self.port, **options)
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
