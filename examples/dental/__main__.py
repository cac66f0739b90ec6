"""``python -m examples.dental [serve|call|graph|check|report]``: the tools, on this tree."""

import sys
from functools import partial

from examples.dental import TREE
from phonetree_engine import server, web
from phonetree_tools.cli import main

load, serving = partial(web.load_app, TREE), partial(web.serving_app, TREE)
sys.exit(main(load, serving, server.OPTIONS, prog="python -m examples.dental"))
