"""``python phonetree.py`` for the office: the same commands, on the engine's own tree.

    python -m tests.engine.office_cli call --keys 3 --clock open

As ``phonetree.py`` does for the shipped tree, it hands ``phonetree_tools.cli.main`` the functions
that load and serve the app, and the Procfile's server options.
"""

from __future__ import annotations

import shlex
import sys

from waitress.adjustments import Adjustments

from phonetree_engine import web
from phonetree_tools import cli
from tests.engine.trees import office
from tests.servers import procfile_command


def load_app():
    return web.load_app(office.TREE)


def serving_app(local: bool = False):
    return web.serving_app(office.TREE, local)


def procfile_options() -> dict:
    """The waitress options of the Procfile's command, its port left to the command line."""
    words = shlex.split(procfile_command())
    flags = words[words.index("phonetree_engine.server") + 1 : -1]
    options, _ = Adjustments.parse_args([f for f in flags if not f.startswith("--port=")])
    for own in ("help", "call"):  # waitress-serve's own flags, not the server's
        options.pop(own)
    return options


SERVER_OPTIONS = procfile_options()


def main(argv=None) -> int:
    return cli.main(load_app, serving_app, SERVER_OPTIONS, argv)


if __name__ == "__main__":
    sys.exit(main())
