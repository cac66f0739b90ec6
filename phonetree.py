"""phonetree: a stateless phone tree (IVR) for Twilio Programmable Voice, on Bottle.

Twilio posts a webhook, we answer with TwiML. Which state the call is in, and its context
(how many tries at a menu, digits the caller entered and confirmed), travel in the URLs the
TwiML points Twilio at, so the server keeps nothing between requests: any process, on any
replica, can serve any step of any call.

The tree itself is the table in ``states/``; this module turns it into routes:

    /voice                      the number's "A call comes in" webhook: enter the start state
    /state/<name>               enter a state
    /state/<name>/exit          what the caller did there (Gather, Dial, Record, Enqueue action)
    /state/<name>/<callback>    a state's other webhooks (Enqueue waitUrl, recording status)
    /status                     the number's "call status changes" webhook: log the call's end
    /fallback                   the number's "primary handler fails" webhook: no table needed
    /healthz                    for the platform's health checks; needs no signature

Run it as the Procfile says (signed, or refusing to start), or ``python phonetree.py`` to try
it on this machine (see ``--help``).
"""

from __future__ import annotations

import logging
import sys

import bottle

import states
from phonetree_engine import logs, server
from phonetree_engine.engine import Engine
from phonetree_engine.fallback import Fallback
from phonetree_engine.settings import Config, ConfigError, check_environ, log_level
from phonetree_engine.tree import MissingWords, TableError, event_line, state_url
from phonetree_engine.web import MAX_BODY, Webhooks
from states import reception

log = logging.getLogger("phonetree")

# Waitress's settings, the Procfile's too (a test keeps them equal).
SERVER_OPTIONS = {
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
    # from waitress's 4 for live webhooks. A delivery mostly waits on a socket, for 5 s at most
    # (delivery.TIMEOUT), and Twilio waits 15 s for the answer: 8 threads answer 16 callbacks
    # arriving at once in time even when the mail server never answers, and hold at most 8
    # connections to it (mail providers limit an account's concurrent connections). More
    # wait in the lane's queue and are served in turn; no live webhook waits for them.
    "delivery_threads": 8,
}


# The application #############################################################


def plain_error(error: bottle.HTTPError) -> str:
    """Answer errors in plain text: no HTML pages, no tracebacks."""
    bottle.response.content_type = "text/plain; charset=utf-8"
    return error.body if isinstance(error.body, str) and error.body else error.status_line


def healthy() -> str:
    """Tell the platform's health check whether to send calls here; no signature needed.

    503 once the process is stopping. Log lines dropped because stderr was stuck are reported
    here too, as they may not have reached the log itself.
    """
    bottle.response.content_type = "text/plain; charset=utf-8"
    dropped = logs.dropped()
    report = f"log-dropped lines={dropped['lines']} business={dropped['business']}\n"
    if server.stopping.is_set():
        bottle.response.status = 503
        return "stopping\n"
    return "ok\n" + (report if dropped["lines"] else "")


def make_app(
    config: Config | None = None, table=None, start=None, recovery=None, clock=None, context=None
):
    """Build the Bottle app for a table (default: the one in ``states``).

    ``context`` declares the names (``Slot``s) the tree's own handlers carry in its URLs.
    """
    config = config or Config.from_environ()
    engine = Engine(
        states.TABLE if table is None else table,
        start or states.START,
        recovery or states.RECOVERY,
        config,
        clock,
        states.CONTEXT if table is None else context,
    )
    try:
        last_resort = {lang: reception.last_resort(config, lang) for lang in config.languages}
        hooks = Webhooks(engine, config, last_resort)
    except MissingWords as error:
        raise TableError([f"what a caller hears when recovery fails: {error}"]) from None
    app = bottle.Bottle()
    app.config["phonetree.engine"] = engine
    app.config["phonetree.webhooks"] = hooks
    methods = ["GET", "POST"]
    app.route("/healthz", "GET", healthy)
    app.route("/voice", methods, hooks.route(hooks.start))
    app.route("/status", methods, hooks.route(hooks.ended, callback=True))
    fallback = Fallback(config, lambda **attrs: reception.ring(config, **attrs), hooks.xml)
    for path, step in fallback.routes().items():
        app.route(path, methods, hooks.route(step, callback=path == "/fallback/recorded"))
    for name, row in engine.table.items():
        app.route(state_url("", name), methods, hooks.route(hooks.entering(name)))
        if row.waits:
            route = hooks.route(hooks.leaving(name), private=engine.collects(name))
            app.route(state_url("", name, "exit"), methods, route)
        for part in row.callbacks:
            route = hooks.route(hooks.calling_back(name, part), callback=True)
            app.route(state_url("", name, part), methods, route)
    # A call still in flight when a deploy renamed its state lands here, and is recovered.
    app.route("/state/<name>", methods, hooks.route(hooks.unknown))
    app.route("/state/<name>/<part:path>", methods, hooks.route(hooks.unknown))
    app.default_error_handler = plain_error
    # The server gives requests that may wait on a delivery a lane of threads of their own.
    delivering = {
        state_url("", name, part) for name, row in engine.table.items() for part in row.callbacks
    }
    delivering.add("/fallback/recorded")
    app.phonetree_lane = lambda path: "deliveries" if path in delivering else "calls"
    return app


# Starting ####################################################################

UNSIGNED_REFUSED = (
    "neither TWILIO_AUTH_TOKEN nor TWILIO_SHARED_KEY is set, so anyone could drive this phone "
    "tree. Set one of them (Twilio Console: Account, API keys & tokens), or ALLOW_UNSIGNED=true "
    "to serve unsigned webhooks on a network you trust."
)


def load_app():
    """The app as configured by the environment; a bad setting or table stops start-up here."""
    try:
        check_environ(with_port=False)  # every bad variable at once, LOG_LEVEL among them
        logs.setup_logging(log, log_level())
        return make_app()
    except (ConfigError, TableError) as error:
        # One line per problem, each saying what it stops: an operator may grep for any of them.
        sys.exit("\n".join(f"phonetree: cannot start: {line}" for line in f"{error}".splitlines()))


def serving_app(local: bool = False):
    """The app for serving: signed, or unsigned only where allowed; says which, once.

    ``local`` (``python phonetree.py`` on a loopback address) may run unsigned; the Procfile's
    path needs a token or key, or ALLOW_UNSIGNED=true.
    """
    app = load_app()
    config = app.config["phonetree.engine"].config
    if not config.validates_signatures and not (local or config.allow_unsigned):
        sys.exit(f"phonetree: cannot start: {UNSIGNED_REFUSED}")
    log_mode(config)
    if not config.delivers:  # said by the server only: the offline commands deliver nothing
        log.info(
            "No SMTP_URL or NOTIFY_URL: voicemails are written to the log only, "
            "and nobody is sent them."
        )
    return app


def log_mode(config: Config) -> None:
    if not config.validates_signatures:
        log.warning(
            event_line("mode", signatures="unchecked")
            + ": webhook signatures are NOT checked; anyone who reaches this server can drive"
            " the phone tree. Set TWILIO_AUTH_TOKEN or TWILIO_SHARED_KEY to check them."
        )
        return
    keys = [name for name, value in (("TWILIO_AUTH_TOKEN", config.auth_token),
            ("TWILIO_SHARED_KEY", config.shared_key)) if value]  # fmt: skip
    if config.public_url:
        log.info(event_line("mode", signatures=",".join(keys), url=config.public_url))
        return
    log.warning(
        event_line("mode", signatures=",".join(keys), url="X-Forwarded-*")
        + ": the public URL is rebuilt from headers any client can send; set PUBLIC_URL in"
        " production."
    )


def __getattr__(name):
    """``phonetree:app``, as the Procfile serves it: built on first use, not on import."""
    if name != "app":
        raise AttributeError(f"module 'phonetree' has no attribute {name!r}")
    globals()["app"] = app = serving_app()
    return app


if __name__ == "__main__":
    from phonetree_tools.cli import main

    sys.exit(main(load_app, serving_app, SERVER_OPTIONS))
