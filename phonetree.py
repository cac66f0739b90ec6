"""phonetree: a stateless phone tree (IVR) for Twilio Programmable Voice, on Bottle.

The carrier posts a webhook, we answer with TwiML. Which state the call is in, and its context
(how many tries at a menu, digits the caller entered and confirmed), travel in the URLs the
TwiML points the carrier at, so the server keeps nothing between requests: any process, on any
replica, can serve any step of any call.

The tree is ``states/`` (``states.TREE``); the engine (``phonetree_engine``) makes it an app.
Run it as the Procfile says (signed, or refusing to start), or ``python phonetree.py`` to try
it on this machine (see ``--help``).
"""

from __future__ import annotations

import logging
import re
import sys
from pathlib import Path

from phonetree_engine import server, web

log = logging.getLogger("phonetree")

# Waitress's settings for a phone line, the Procfile's too (a test keeps them equal).
SERVER_OPTIONS = server.OPTIONS


# What Python says when states/__init__.py imports a module that is gone
MISSING_STATE = re.compile(
    r"cannot import name '(\w+)' from (?:partially initialized module )?'states'"
)


def tree():
    """The shipped tree; an error in ``states/`` is one line naming the file, not a traceback."""
    try:
        import states
    except Exception as error:  # any slip of a tree author's, said where it is
        sys.exit(f"phonetree: cannot start: {where(error)}: {explained(error)}")
    return states.TREE


def explained(error: Exception) -> str:
    """What went wrong, in the words that lead to the fix."""
    missing = MISSING_STATE.match(str(error))
    if missing and not (Path(__file__).with_name("states") / f"{missing[1]}.py").exists():
        # Python blames a circular import; the module is simply gone
        name = missing[1]
        return f"there is no states/{name}.py to import {name!r} from (a state removed?)"
    if isinstance(error, ImportError):
        return str(error)
    return f"{type(error).__name__}: {error}"


def where(error: BaseException) -> str:
    """The file and line under states/ (or the tree's module) where an import failed."""
    if isinstance(error, SyntaxError) and error.filename:  # raised before its module runs
        name = error.filename.replace("\\", "/")
        if "/states/" in name:
            return f"states/{name.rsplit('/states/', 1)[1]}:{error.lineno}"
    frame = error.__traceback__
    found = "states/"
    while frame is not None:
        name = frame.tb_frame.f_code.co_filename
        if "/states/" in name.replace("\\", "/"):
            found = (
                f"states/{name.replace(chr(92), '/').rsplit('/states/', 1)[1]}:{frame.tb_lineno}"
            )
        frame = frame.tb_next
    return found


def make_app(config=None, clock=None, delivery=None):
    """The shipped tree's app: ``config`` a Config, a mapping of variables, or None (the
    environment); ``clock`` a function returning an aware datetime."""
    return web.make_app(tree(), config, clock, delivery)


def load_app():
    return web.load_app(tree())


def serving_app(local: bool = False):
    return web.serving_app(tree(), local)


def __getattr__(name):
    """``phonetree:app``, as the Procfile serves it: built on first use, not on import."""
    if name != "app":
        raise AttributeError(f"module 'phonetree' has no attribute {name!r}")
    globals()["app"] = app = serving_app()
    return app


if __name__ == "__main__":
    from phonetree_tools.cli import main

    sys.exit(main(load_app, serving_app, SERVER_OPTIONS))
