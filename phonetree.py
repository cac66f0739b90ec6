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
    /healthz                    for the platform's health checks; needs no signature

Run it with ``python phonetree.py`` (see ``--help``) or as the Procfile says.
"""

from __future__ import annotations

import logging
import sys

import bottle

import states
from phonetree_engine.engine import Engine
from phonetree_engine.logs import setup_logging
from phonetree_engine.settings import Config, ConfigError, check_environ, log_level
from phonetree_engine.tree import MissingWords, TableError, state_url
from phonetree_engine.web import MAX_BODY, Webhooks
from states import reception

log = logging.getLogger("phonetree")

SERVER_OPTIONS = {
    "host": "0.0.0.0",
    "max_request_body_size": MAX_BODY,
    # Behind a PaaS router or tunnel the public scheme and host arrive in these headers;
    # without trusting them waitress drops them, and every signature check fails.
    "trusted_proxy": "*",
    "trusted_proxy_headers": "x-forwarded-proto x-forwarded-host x-forwarded-port",
}


# The application #############################################################


def plain_error(error: bottle.HTTPError) -> str:
    """Answer errors in plain text: no HTML pages, no tracebacks."""
    bottle.response.content_type = "text/plain; charset=utf-8"
    return error.body if isinstance(error.body, str) and error.body else error.status_line


def healthy() -> str:
    """Tell the platform's health check the process answers; no signature needed."""
    bottle.response.content_type = "text/plain; charset=utf-8"
    return "ok\n"


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
    if not config.validates_signatures:
        log.warning(
            "TWILIO_AUTH_TOKEN is not set: webhook signatures are NOT checked, and anyone "
            "can drive this phone tree. Set it (or TWILIO_SHARED_KEY) in production."
        )
    return app


def load_app():
    """The app as configured by the environment; a bad setting or table stops start-up here."""
    try:
        check_environ(with_port=False)  # every bad variable at once, LOG_LEVEL among them
        setup_logging(log, log_level())
        return make_app()
    except (ConfigError, TableError) as error:
        # One line per problem, each saying what it stops: an operator may grep for any of them.
        sys.exit("\n".join(f"phonetree: cannot start: {line}" for line in f"{error}".splitlines()))


def __getattr__(name):
    """``phonetree:app``, as the Procfile serves it: built on first use, not on import."""
    if name != "app":
        raise AttributeError(f"module 'phonetree' has no attribute {name!r}")
    globals()["app"] = app = load_app()
    return app


if __name__ == "__main__":
    from phonetree_tools.cli import main

    sys.exit(main(load_app, SERVER_OPTIONS))
