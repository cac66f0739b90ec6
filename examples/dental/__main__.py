"""``python -m examples.dental [serve|call|graph|check|report]``: the tools, on this tree."""

import sys
from functools import partial

from examples.dental import TREE
from phonetree_engine import web
from phonetree_tools.cli import main

# What waitress needs to serve Twilio: the largest body the app reads, and the public scheme
# and host a PaaS router or tunnel forwards (signatures are checked against them). The Procfile
# tunes waitress further for load; see its command line.
SERVER_OPTIONS = {
    "max_request_body_size": web.MAX_BODY,
    "trusted_proxy": "*",
    "trusted_proxy_headers": "x-forwarded-proto x-forwarded-host x-forwarded-port",
}

load, serving = partial(web.load_app, TREE), partial(web.serving_app, TREE)
sys.exit(main(load, serving, SERVER_OPTIONS, prog="python -m examples.dental"))
