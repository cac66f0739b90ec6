"""``python phonetree.py`` for the office: the same commands, on the engine's own tree.

    python -m tests.engine.office_cli call --keys 3 --clock open

As ``phonetree.py`` does for the shipped tree, it hands ``phonetree_tools.cli.main`` the functions
that load and serve the app, and the Procfile's server options.
"""

from __future__ import annotations

import sys

from phonetree_engine import server, web
from phonetree_tools import cli
from tests.engine.trees import office


def load_app():
    return web.load_app(office.TREE)


def serving_app(local: bool = False):
    return web.serving_app(office.TREE, local)


SERVER_OPTIONS = server.OPTIONS  # the Procfile's (tests/project/test_docs.py keeps them equal)


def main(argv=None) -> int:
    return cli.main(load_app, serving_app, SERVER_OPTIONS, argv)


if __name__ == "__main__":
    sys.exit(main())
