"""Receivers that misbehave, on loopback: for the delivery's deadline, refusals and retries.

`Silent` accepts connections and never greets (or trickles one byte of a greeting that never
ends); it counts the connections it still holds. `Scripted` is `tests.receivers.Mailbox` (a real
aiosmtpd server) that refuses chosen recipients, answers QUIT as told, takes its time over every
reply, and keeps the recipients of each message it took. `sockets_to(port)` lists this process's
sockets still connected to a port.
"""

from __future__ import annotations

import asyncio
import os
import select
import socket
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult

from tests.receivers import Mailbox
from tests.servers import HOST


class Silent:
    """A TCP server that accepts and says nothing; with ``every`` (seconds), it trickles an
    endless greeting, one byte at a time. Its side of a connection closes when the client's
    does, so ``open`` counts the connections a client still holds."""

    def __init__(self, every: float | None = None):
        self.every = every
        self.listener = socket.create_server((HOST, 0))
        self.port = self.listener.getsockname()[1]
        self.accepted = self.open = 0
        self.lock = threading.Lock()
        self.stopping = threading.Event()

    @property
    def smtp_url(self) -> str:
        return f"smtp://{HOST}:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/hooks/T123/secret-part"

    def serve(self) -> None:
        while not self.stopping.is_set():
            if not select.select([self.listener], [], [], 0.05)[0]:
                continue
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                self.accepted += 1
                self.open += 1
            threading.Thread(target=self.hold, args=(connection,), daemon=True).start()

    def hold(self, connection: socket.socket) -> None:
        greeting = b"220 " + b"." * 100_000  # never a whole line
        sent = 0
        try:
            while not self.stopping.is_set():
                readable = select.select([connection], [], [], self.every or 0.05)[0]
                if readable:
                    if not connection.recv(4096):
                        return  # the client closed (or shut) its side
                elif self.every is not None:
                    connection.send(greeting[sent : sent + 1])
                    sent += 1
        except OSError:
            return
        finally:
            connection.close()
            with self.lock:
                self.open -= 1

    def wait_closed(self, seconds: float = 5.0) -> int:
        """The connections still open, once those a client let go were seen closed."""
        deadline = time.monotonic() + seconds
        while self.open and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.open

    def __enter__(self) -> Silent:
        threading.Thread(target=self.serve, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self.listener.close()


def sockets_to(port: int) -> set[str]:
    """This process's open sockets whose far end is ``port`` (read from Linux's /proc)."""
    far = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as rows:
                next(rows)
                for row in rows:
                    fields = row.split()
                    if int(fields[2].rsplit(":", 1)[1], 16) == port and fields[9] != "0":
                        far.add(fields[9])
        except FileNotFoundError:
            continue
    mine = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            mine.add(target[len("socket:[") : -1])
    return far & mine


class Scripted(Mailbox):
    """A Mailbox that refuses ``refuse`` (address -> reply, changeable between tries), answers
    QUIT with ``quit_reply`` (None: never), waits ``delay`` seconds before each reply, refuses
    a wrong login with 535, and keeps in ``envelopes`` the recipients of each message it took."""

    def __init__(self, refuse=None, quit_reply="221 Bye", delay=0.0, **options):
        super().__init__(**options)
        self.refuse = dict(refuse or {})
        self.quit_reply, self.delay = quit_reply, delay
        self.envelopes: list[list[str]] = []

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        # Mailbox's answers a wrong login with silence (aiosmtpd's "handled"); a real server
        # says 535 at once.
        result = super().authenticate(server, session, envelope, mechanism, auth_data)
        return AuthResult(success=result.success, handled=False)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.reply.startswith("250"):
            self.envelopes.append(list(envelope.rcpt_tos))
        return await super().handle_DATA(server, session, envelope)

    async def handle_QUIT(self, server, session, envelope):
        if self.quit_reply is None:  # never answers: the client gives up
            await asyncio.sleep(60)
        return self.quit_reply or "221 Bye"

    def start(self) -> Scripted:
        if not self.delay:
            return super().start()
        self.controller = SlowController(self, self.delay, hostname=HOST, port=self.port)
        self.controller.start()
        self.controller.slow = True  # from now on: its own check of the server was quick
        return self


class SlowSMTP(SMTP):
    """aiosmtpd's server, ``delay`` seconds before each reply (a multi-line one as a whole)."""

    slow = True

    def __init__(self, handler, delay: float, **options):
        super().__init__(handler, **options)
        self.delay, self.continuing = delay, False

    async def push(self, status):
        text = status if isinstance(status, str) else status.decode("ascii", "replace")
        if not self.continuing and self.slow:
            await asyncio.sleep(self.delay)
        self.continuing = text[3:4] == "-"  # "250-SIZE": more lines of the same reply follow
        await super().push(status)


class SlowController(Controller):
    def __init__(self, handler, delay: float, **options):
        self.delay = delay
        super().__init__(handler, **options)

    slow = False

    def factory(self):
        server = SlowSMTP(self.handler, self.delay, **self.SMTP_kwargs)
        server.slow = self.slow
        return server
