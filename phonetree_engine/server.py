"""Serve a WSGI app with waitress, as ``waitress-serve`` does, and stop it losing no call.

    python -m phonetree_engine.server [waitress-serve's options] module:app

The Procfile runs this. It takes waitress-serve's options and differs from it in four ways:

- it binds the port before it says "serving on", and a port in use is one line, not a traceback;
- it lifts the open-files limit to what ``--connection-limit`` needs;
- waitress warns "Task queue depth is N" for every request that waits for a thread, so a burst
  of calls wrote as many warnings as webhooks; one comes through every ``QUEUE_NOTICE_SECONDS``
  instead, saying how many it stands for;
- on SIGTERM, which a platform sends on every deploy, restart and scale-down, it stops the way
  a replica behind a router should: it closes its listening sockets at once (a new connection
  is refused, so the router or proxy tries another replica), answers ``/healthz`` with 503,
  waits for the webhooks in flight to be answered and sent (at most ``DRAIN_SECONDS``), writes
  its queued log lines (at most ``FLUSH_SECONDS``) and exits 0, well inside the grace period
  platforms give (Heroku: 30 s) and inside 10 s even when stderr is stuck.
"""

from __future__ import annotations

import getopt
import logging
import os
import pkgutil
import resource
import signal
import socket
import sys
import threading
import time

import waitress
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer
from waitress.wasyncore import dispatcher

from phonetree_engine import logs

DRAIN_SECONDS = 7.0  # Twilio gives up on a webhook after 15 s; most take a millisecond
FLUSH_SECONDS = 1.5
SETTLE_SECONDS = 0.2  # a connection accepted just before the close gets to send its request
QUEUE_NOTICE_SECONDS = 10.0
ARRIVING_SECONDS = 3.0  # a request still arriving counts as in flight if bytes came this lately

log = logging.getLogger("phonetree")

# Set once SIGTERM arrives: the health check fails from then on.
stopping = threading.Event()


def serve(app, **options) -> int:
    """Bind, say where, serve until SIGTERM, then drain and exit (see the module's docstring)."""
    raise_open_files_limit(int(options.get("connection_limit", 100)))
    queue_log = logging.getLogger("waitress.queue")
    if not any(isinstance(known, QueueDepthNotice) for known in queue_log.filters):
        queue_log.addFilter(QueueDepthNotice())
    try:
        server = waitress.create_server(app, **options)
    except OSError as error:
        where = f"{options.get('host', '0.0.0.0')}:{options.get('port', 8080)}"
        sys.exit(f"phonetree: cannot listen on {where}: {error.strerror or error}")
    logs.flush()  # what start-up logged comes before "serving on", which tells it is up
    for host, port in listening(server):
        print(f"phonetree: serving on http://{host}:{port}", file=sys.stderr, flush=True)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda signum, frame: start_stopping(server))
    server.run()
    return 0


class QueueDepthNotice(logging.Filter):
    """Lets waitress's "Task queue depth" warning through once every ``every`` seconds.

    The line let through tells how many it stands for, and the deepest queue among them.
    """

    def __init__(self, every: float = QUEUE_NOTICE_SECONDS, clock=time.monotonic):
        super().__init__()
        self.every, self.clock = every, clock
        self.next_at = 0.0  # when the next warning may come through
        self.held = 0  # warnings held back since the last one let through
        self.deepest = 0

    def filter(self, record) -> bool:
        depth = record.args[0] if isinstance(record.args, tuple) and record.args else 0
        now = self.clock()
        if now < self.next_at:
            self.held += 1
            self.deepest = max(self.deepest, depth)
            return False
        if self.held:
            record.msg += " (%d more since the last such line, the deepest %d)"
            record.args = (*record.args, self.held, max(self.deepest, depth))
        self.next_at, self.held, self.deepest = now + self.every, 0, 0
        return True


def listening(server) -> list[tuple[str, int]]:
    listeners = [d for d in socket_map(server).values() if isinstance(d, BaseWSGIServer)]
    return [(d.effective_host, d.effective_port) for d in listeners]


def socket_map(server) -> dict:
    """Waitress's map of sockets: its listeners and every open connection."""
    return server.map if hasattr(server, "map") else server._map


def raise_open_files_limit(connections: int) -> None:
    """Each connection is a file descriptor: let the process open what the limit allows."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + 256  # log, trigger, a backlog being accepted, the interpreter's own
    if soft != resource.RLIM_INFINITY and soft < wanted:
        limit = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))


# Stopping ####################################################################


def start_stopping(server) -> None:
    """SIGTERM's handler: the work is done on a thread, as the handler interrupts the loop."""
    if not stopping.is_set():
        stopping.set()
        threading.Thread(target=stop, args=(server,), name="stop", daemon=True).start()


def stop(server) -> None:
    """Stop accepting, finish the webhooks in flight, write the log, exit."""
    started = time.monotonic()
    connections = socket_map(server)
    listeners = [d for d in list(connections.values()) if isinstance(d, BaseWSGIServer)]
    closed = threading.Event()

    def close_listeners():  # run by waitress's loop, which owns the map
        for listener in listeners:
            accept_waiting(listener, connections)
            listener.accepting = False
            dispatcher.close(listener)  # not BaseWSGIServer.close: the loop keeps its trigger
        closed.set()

    listeners[0].trigger.pull_trigger(close_listeners)
    closed.wait(1.0)
    in_flight = wait_for_answers(connections, started + DRAIN_SECONDS)
    log.info(f"stopped in-flight={in_flight} ms={(time.monotonic() - started) * 1000:.0f}")
    logs.flush(FLUSH_SECONDS)
    os._exit(0)  # not sys.exit: a stuck stderr must not hold the interpreter's shutdown


def accept_waiting(listener, connections: dict) -> None:
    """Accept the connections the kernel holds for us: closing would reset them unanswered."""
    for _ in range(listener.adj.backlog):
        count = len(connections)
        listener.handle_accept()  # waitress's listening socket does not block
        if len(connections) == count:
            return


def wait_for_answers(connections: dict, deadline: float) -> int:
    """Wait until no connection has a request in progress; return how many still do."""
    time.sleep(SETTLE_SECONDS)
    while True:
        busy = sum(1 for channel in list(connections.values()) if in_progress(channel))
        if not busy or time.monotonic() > deadline:
            return busy
        time.sleep(0.05)


def in_progress(channel) -> bool:
    """A request received and not yet answered, or an answer not yet sent."""
    if not isinstance(channel, HTTPChannel):
        return False
    recent = time.time() - channel.last_activity < ARRIVING_SECONDS
    arriving = (channel.request is not None or unread(channel.socket)) and recent
    return bool(channel.requests or channel.total_outbufs_len or arriving)


def unread(sock) -> bool:
    """Bytes of a request wait in the kernel that waitress's loop has not read yet."""
    try:
        return bool(sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT))
    except OSError:  # nothing waiting (EAGAIN), or the socket is already closed
        return False


# The command #################################################################


def main(argv: list[str] | None = None) -> int:
    """Parse waitress-serve's options and serve the app they name."""
    try:
        options, targets = Adjustments.parse_args(sys.argv[1:] if argv is None else argv)
    except getopt.GetoptError as error:
        sys.exit(f"phonetree: {error}")
    asked = options.pop("help", False)
    if asked or len(targets) != 1:
        print(__doc__.split("\n\n")[1].strip(), file=sys.stdout if asked else sys.stderr)
        return 0 if asked else 2
    sys.path.insert(0, os.getcwd())
    app = pkgutil.resolve_name(targets[0])
    return serve(app() if options.pop("call", False) else app, **options)


if __name__ == "__main__":
    # Run the module's imported copy, so that ``stopping`` is the one the app reads.
    from phonetree_engine.server import main as run

    sys.exit(run())
