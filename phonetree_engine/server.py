"""Serve a WSGI app with waitress, as ``waitress-serve`` does, and stop it losing no call.

    python -m phonetree_engine.server [waitress-serve's options] [--delivery-threads=N] module:app

The Procfile runs this. It takes waitress-serve's options and differs from it in these ways:

- it binds the port before it says "serving on", and a port in use is one line, not a traceback;
- it lifts the open-files limit to what ``--connection-limit`` needs;
- its loop does not go round while a worker thread sends an answer (see `Connection`), which
  cost waitress more CPU per request than a webhook's own work;
- an app that names each request's lane (``app.phonetree_lane(path)`` returning "calls" or
  "deliveries") gets a second pool of ``--delivery-threads`` worker threads for the requests
  that may wait on a delivery (a voicemail's callback, waiting on a mail server), so that live
  webhooks always find a free thread (see `Lanes`); any other app is served on one pool;
- waitress warns "Task queue depth is N" for every request that waits for a thread, so a burst
  of calls wrote as many warnings as webhooks; one comes through every ``QUEUE_NOTICE_SECONDS``
  instead (per lane), saying how many it stands for;
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
from waitress.task import ThreadedTaskDispatcher
from waitress.wasyncore import dispatcher

from phonetree_engine import logs

DRAIN_SECONDS = 7.0  # Twilio gives up on a webhook after 15 s; most take a millisecond
FLUSH_SECONDS = 1.5
SETTLE_SECONDS = 0.2  # a connection accepted just before the close gets to send its request
QUEUE_NOTICE_SECONDS = 10.0
ARRIVING_SECONDS = 3.0  # a request still arriving counts as in flight if bytes came this lately
DELIVERY_THREADS = 8  # the deliveries lane's threads when the command does not say

log = logging.getLogger("phonetree")

MAX_BODY = 64 * 1024  # the carriers' largest webhooks are a few KB; the app reads no more

# Waitress's settings for a phone line: the Procfile's (a test keeps them equal), and those of
# `serve` and of any tree's commands.
OPTIONS = {
    "max_request_body_size": MAX_BODY,
    # Behind a PaaS router or tunnel the public scheme and host arrive in these headers;
    # without trusting them waitress drops them, and every signature check fails.
    "trusted_proxy": "*",
    "trusted_proxy_headers": "x-forwarded-proto x-forwarded-host x-forwarded-port",
    # A connection costs waitress a socket and a few KB, not a thread: a request is read whole
    # before a thread serves it. So hold many: with waitress's 100, a hundred slow or idle
    # clients would keep every webhook waiting outside.
    "connection_limit": 1000,
    # poll() rather than select(), which cannot watch more than 1,024 sockets.
    "asyncore_use_poll": True,
    # Close a connection that has sent nothing for 20 s (waitress: 120 s, checked every 30 s):
    # Twilio gives up on a webhook after 15 s, so such a client is no caller.
    "channel_timeout": 20,
    "cleanup_interval": 5,
    # Connections the kernel holds while the loop is busy, e.g. a burst as a deploy moves
    # traffic over (Linux caps it at net.core.somaxconn).
    "backlog": 2048,
    # Threads for the requests that may wait on a delivery (a voicemail's callbacks), apart
    # from waitress's 4 for live webhooks: however long a mail server takes (12 s at most for a
    # whole delivery), no live webhook waits for it. 8 hold at most 8 connections to the mail
    # server (providers limit an account's concurrent connections); more callbacks wait in the
    # lane's queue and are served in turn, and the carrier retries any it gave up on.
    "delivery_threads": 8,
}


# Set once SIGTERM arrives: the health check fails from then on.
stopping = threading.Event()


def serve(app, **options) -> int:
    """Bind, say where, serve until SIGTERM, then drain and exit (see the module's docstring)."""
    delivery_threads = int(options.pop("delivery_threads", DELIVERY_THREADS))
    raise_open_files_limit(int(options.get("connection_limit", 100)))
    hold_queue_warnings(QUEUE_LOG)
    lanes = Lanes.for_app(app, int(options.get("threads", 4)), delivery_threads)
    try:
        server = waitress.create_server(app, _dispatcher=lanes, **options)
    except OSError as error:
        where = f"{options.get('host', '0.0.0.0')}:{options.get('port', 8080)}"
        sys.exit(f"phonetree: cannot listen on {where}: {error.strerror or error}")
    for listener in listeners(server):
        listener.channel_class = Connection
    logs.flush()  # what start-up logged comes before "serving on", which tells it is up
    for host, port in listening(server):
        print(f"phonetree: serving on http://{host}:{port}", file=sys.stderr, flush=True)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda signum, frame: start_stopping(server))
    server.run()
    return 0


def hold_queue_warnings(name: str) -> None:
    queue_log = logging.getLogger(name)
    if not any(isinstance(known, QueueDepthNotice) for known in queue_log.filters):
        queue_log.addFilter(QueueDepthNotice())


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
    return [(d.effective_host, d.effective_port) for d in listeners(server)]


def listeners(server) -> list[BaseWSGIServer]:
    return [d for d in socket_map(server).values() if isinstance(d, BaseWSGIServer)]


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


# The loop ####################################################################


class Connection(HTTPChannel):
    """Waitress's connection, without its loop going round while a thread sends an answer.

    Waitress's loop asks a connection to be polled for writing whenever it holds output. A
    worker thread sends its answer itself, holding the output lock: meanwhile the socket is
    writable, poll returns at once, the loop cannot take the lock, and goes round again, over
    every connection, until the thread is done (4 to 7 turns per request under load). So while
    a request is served, the loop polls for writing only for output the thread left unsent
    because the socket was full, which it then sends as the client reads.
    """

    left_unsent = False  # the last send, by either thread, did not empty the output

    def _flush_some(self, do_close=True):
        try:
            return super()._flush_some(do_close)
        finally:
            # Set holding the lock, before a thread that could not send all wakes the loop.
            self.left_unsent = bool(self.total_outbufs_len)

    def writable(self):
        if self.requests and not (self.will_close or self.close_when_flushed):
            return self.left_unsent and bool(self.total_outbufs_len)
        return super().writable()


# Lanes #######################################################################

QUEUE_LOG = "waitress.queue"  # waitress's logger for its queue warning


class Lanes:
    """Waitress's task dispatcher with a pool of worker threads per lane.

    A request's lane is the app's word for its path (``lane_of(PATH_INFO)``): "deliveries" for
    one that may wait on a delivery, "calls" for the rest, and for anything else it says. A
    delivery may wait seconds on a mail server that does not answer; in a lane of its own it
    takes none of the threads live webhooks need. When every thread of a lane is busy, its
    requests wait in the lane's queue, first come first served, and nothing else waits for
    them; waitress's queue warning names the lane (``waitress.queue.deliveries``).
    ``lane_of`` runs on waitress's loop for every request: it must be a lookup, not work.
    """

    def __init__(self, lane_of, threads: dict[str, int]):
        self.lane_of = lane_of
        self.pools = {name: Pool(name, count) for name, count in threads.items()}

    @classmethod
    def for_app(cls, app, calls: int, deliveries: int) -> Lanes | None:
        """Two lanes for an app that names its requests' lanes; None (waitress's own) if not."""
        lane_of = getattr(app, "phonetree_lane", None)
        if lane_of is None or not deliveries:
            return None
        return cls(lane_of, {"calls": calls, "deliveries": deliveries})

    def lane(self, channel) -> str:
        request = channel.requests[0]
        try:
            lane = self.lane_of(path_info(request.path, channel.adj.url_prefix))
        except Exception:  # the app's mistake must not stop the loop: serve it as a call
            log.exception("phonetree_lane failed")
            lane = "calls"
        return lane if lane in self.pools else "calls"

    def add_task(self, channel) -> None:
        """Called by waitress's loop with a connection whose first request is to be served."""
        self.pools[self.lane(channel)].add_task(channel)

    def set_thread_count(self, count: int) -> None:
        self.pools["calls"].set_thread_count(count)

    def shutdown(self, cancel_pending: bool = True, timeout: float = 5) -> bool:
        return all([pool.shutdown(cancel_pending, timeout) for pool in self.pools.values()])


class Pool(ThreadedTaskDispatcher):
    """Waitress's pool of worker threads, for one lane: its threads and queue warning named."""

    def __init__(self, lane: str, threads: int):
        super().__init__()
        self.lane = lane
        if lane != "calls":  # the calls lane keeps waitress's names
            self.queue_logger = logging.getLogger(f"{QUEUE_LOG}.{lane}")
            hold_queue_warnings(self.queue_logger.name)  # a parent's filters miss it
        self.set_thread_count(threads)

    def start_new_thread(self, target, thread_no):
        name = "waitress" if self.lane == "calls" else f"waitress-{self.lane}"
        thread = threading.Thread(target=target, name=f"{name}-{thread_no}", args=(thread_no,))
        thread.daemon = True
        thread.start()


def path_info(path: str, url_prefix: str) -> str:
    """The PATH_INFO waitress gives the app for a request's path (as its WSGITask does)."""
    if path.startswith("/"):
        path = "/" + path.lstrip("/")
    if url_prefix and (path == url_prefix or path.startswith(url_prefix + "/")):
        path = path[len(url_prefix) :]
    return path


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
    listening_on = listeners(server)
    closed = threading.Event()

    def close_listeners():  # run by waitress's loop, which owns the map
        for listener in listening_on:
            accept_waiting(listener, connections)
            listener.accepting = False
            dispatcher.close(listener)  # not BaseWSGIServer.close: the loop keeps its trigger
        closed.set()

    listening_on[0].trigger.pull_trigger(close_listeners)
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


def parse_args(argv: list[str]) -> tuple[dict, list[str]]:
    """waitress-serve's options, and this server's own: ``--delivery-threads=N``."""
    own, rest = {}, []
    words = iter(argv)
    for word in words:
        name, given, value = word.partition("=")
        if name != "--delivery-threads":
            rest.append(word)
            continue
        value = value if given else next(words, "")
        if not value.isdigit():
            raise getopt.GetoptError(f"--delivery-threads takes a whole number, not {value!r}")
        own["delivery_threads"] = value
    options, targets = Adjustments.parse_args(rest)
    return {**options, **own}, targets


def main(argv: list[str] | None = None) -> int:
    """Parse the options and serve the app they name."""
    try:
        options, targets = parse_args(sys.argv[1:] if argv is None else argv)
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
