"""The web side of a tree: the routes the carrier calls, built from the tree by ``make_app``.

    /voice                      the number's "A call comes in" webhook: enter the start state
    /state/<name>               enter a state
    /state/<name>/exit          what the caller did there (Gather, Dial, Record, Enqueue action)
    /state/<name>/<webhook>     a state's other webhooks (a recording's status callback)
    /status                     the number's "call status changes" webhook: log the call's end
    /fallback                   the number's "primary handler fails" webhook: no table needed
    /healthz                    for the platform's health checks; needs no signature

``make_app(tree)`` takes a ``Tree`` and the settings, and reads nothing else; ``serving_app``
adds what serving needs (signed, or unsigned only where allowed; the mode said once).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping

import bottle

from phonetree_engine import carriers, logs, server
from phonetree_engine.call import state_url
from phonetree_engine.engine import Engine
from phonetree_engine.lines import event_line
from phonetree_engine.settings import Config, ConfigError, check_environ, log_level
from phonetree_engine.tree import TableError, Tree
from phonetree_engine.web.fallback import Fallback
from phonetree_engine.web.forms import MAX_BODY
from phonetree_engine.web.webhooks import WebhookHandler
from phonetree_engine.words import MissingWords

log = logging.getLogger("phonetree")

__all__ = ["MAX_BODY", "load_app", "make_app", "serving_app", "unsigned_refused"]


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


def configured(tree: Tree, config: Config | Mapping[str, str] | None) -> Config:
    """The settings for ``tree``: from the environment (None), from variables given as text
    (``{"OPENING_HOURS": "Mon-Fri 09:00-17:00"}``), or a Config completed with the tree's."""
    if config is None or isinstance(config, Mapping):
        return Config.from_environ(config, tree.settings, tree.defaults)
    unknown = config.unknown(tree.settings)
    if unknown:
        raise ConfigError(f"Config(): no setting {', '.join(name.upper() for name in unknown)}")
    return config.completed(tree.settings, tree.defaults)


def make_app(tree: Tree, config=None, clock=None, delivery=None) -> bottle.Bottle:
    """Build the Bottle app that answers the carrier for ``tree``.

    ``config`` is a ``Config``, a mapping of variables as text, or None for the environment;
    ``clock`` a function returning an aware datetime (tests call at any hour); ``delivery`` the
    channels messages go to (default: those the settings configure).
    """
    if not isinstance(tree, Tree):
        raise TableError([f"the app takes a Tree(...), not {type(tree).__name__}"])
    config = configured(tree, config)
    engine = Engine(tree, config, clock, delivery)
    try:
        hooks = WebhookHandler(engine)
        fallback = Fallback(engine, hooks.xml)
    except MissingWords as error:  # (the check names these first; a second guard)
        raise TableError([f"the tree's words: {error}"]) from None
    app = bottle.Bottle()
    app.config["phonetree.engine"] = engine
    app.config["phonetree.webhooks"] = hooks
    methods = ["GET", "POST"]
    app.route("/healthz", "GET", healthy)
    app.route("/voice", methods, hooks.route(hooks.start))
    app.route("/status", methods, hooks.route(hooks.ended, callback=True))
    for path, step in fallback.routes().items():
        app.route(path, methods, hooks.route(step, callback=path == "/fallback/recorded"))
    delivering = {"/fallback/recorded"}
    for name, row in engine.table.items():
        queued = name in engine.held
        app.route(state_url("", name), methods, hooks.route(hooks.entering(name), queued=queued))
        if row.waits:
            private = engine.collects(name)
            route = hooks.route(hooks.leaving(name), private=private, queued=queued)
            app.route(state_url("", name, "exit"), methods, route)
        for part in row.webhooks:
            route = hooks.route(hooks.answering(name, part), callback=True)
            app.route(state_url("", name, part), methods, route)
            delivering.add(state_url("", name, part))
    # A call still in flight when a deploy renamed its state lands here, and is recovered.
    app.route("/state/<name>", methods, hooks.route(hooks.unknown))
    app.route("/state/<name>/<part:path>", methods, hooks.route(hooks.unknown))
    app.default_error_handler = plain_error
    # Which requests may wait on a delivery: the server gives them threads of their own.
    app.phonetree_lane = lambda path: "deliveries" if path in delivering else "calls"
    return app


# Starting ####################################################################


def unsigned_refused(config: Config) -> str:
    """Why the Procfile's server will not start: the carrier's key is missing."""
    carrier = carriers.unsigned(config)
    keys = " or ".join(carrier.keys)
    return (
        f"PROVIDER={carrier.name} and {keys} is not set, so anyone could drive this phone tree. "
        f"Set it (see docs/carriers.md), or ALLOW_UNSIGNED=true to serve unsigned webhooks on a "
        f"network you trust."
    )


def load_app(tree: Tree):
    """The app as configured by the environment; a bad setting or tree stops start-up here."""
    try:
        # Every bad variable at once, the tree's defaults standing in for unset ones.
        check_environ(group=tree.settings, defaults=tree.defaults, with_port=False)
        logs.setup_logging(log, log_level())
        return make_app(tree)
    except (ConfigError, TableError) as error:
        # One line per problem, each saying what it stops: an operator may grep for any of them.
        sys.exit("\n".join(f"phonetree: cannot start: {line}" for line in f"{error}".splitlines()))


def serving_app(tree: Tree, local: bool = False):
    """The app for serving: signed, or unsigned only where allowed; says which, once.

    ``local`` (``python phonetree.py`` on a loopback address) may run unsigned; the Procfile's
    path needs a token or key, or ALLOW_UNSIGNED=true.
    """
    app = load_app(tree)
    engine = app.config["phonetree.engine"]
    config = engine.config
    if not config.validates_signatures and not (local or config.allow_unsigned):
        sys.exit(f"phonetree: cannot start: {unsigned_refused(config)}")
    log_mode(config)
    if not engine.seal_shared and not local:
        log.warning(
            "SECRET_KEY is not set and there is no signing key: the caller's number and entered"
            " digits are sealed in URLs with a key of this process alone, so another replica"
            " cannot read them. Set SECRET_KEY (the same on every replica)."
        )
    if not engine.setup.delivery.channels:  # said by the server only: offline commands send none
        log.info(
            "No SMTP_URL or NOTIFY_URL: voicemails are written to the log only, "
            "and nobody is sent them."
        )
    return app


def log_mode(config: Config) -> None:
    carrier = carriers.unsigned(config)
    if not config.validates_signatures:
        log.warning(
            event_line("mode", provider=carrier.name, signatures="unchecked")
            + ": webhook signatures are NOT checked; anyone who reaches this server can drive"
            f" the phone tree. Set {' or '.join(carrier.keys)} to check them."
        )
        return
    keys = [name for name in carrier.keys if getattr(config, name.lower())]
    mode = {"provider": carrier.name, "signatures": ",".join(keys)}
    if config.public_url:
        log.info(event_line("mode", **mode, url=config.public_url))
        return
    log.warning(
        event_line("mode", **mode, url="X-Forwarded-*")
        + ": the public URL is rebuilt from headers any client can send; set PUBLIC_URL in"
        " production."
    )
