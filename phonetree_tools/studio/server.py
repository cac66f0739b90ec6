"""``python phonetree.py studio``: the app and the studio's page on one local server.

One waitress server on 127.0.0.1 answers both: ``/`` and ``/studio/...`` are the studio's,
every other path is the app's, the very app ``serve`` runs. The studio plays the carrier against
that app over HTTP, through the same server.
"""

from __future__ import annotations

import os
import sys
import threading
import webbrowser
from urllib.parse import urlsplit

import waitress

from phonetree_engine import logs, server
from phonetree_tools import terminal
from phonetree_tools.studio.seams import config_of, pretend_clock
from phonetree_tools.studio.web import Studio

HOST = "127.0.0.1"  # this machine only: the page places calls and may send messages
DEFAULT_PORT = 8001
THREADS = 6  # a step holds one while the app answers its webhooks on others


def dispatcher(studio: Studio, app):
    """Send the studio's paths to the studio and every other to the app."""
    public_url = config_of(app).public_url
    prefix = urlsplit(public_url).path if public_url else ""
    tree = pretend_clock(app, terminal.mounted(app, prefix) if prefix else app)

    def dispatch(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/" or path.startswith("/studio/"):
            return studio.web(environ, start_response)
        return tree(environ, start_response)

    return dispatch


def run(load_app, port: int = DEFAULT_PORT, browser: bool = True, options=None) -> int:
    """Serve the app and the studio until interrupted; open the page unless ``browser`` is off."""
    app = load_app()
    studio = Studio(app, quiet="LOG_LEVEL" not in os.environ)
    # One pool serves the page and the app: the lanes that keep live webhooks apart from
    # deliveries are the Procfile server's, not waitress's.
    settings = {**(options or {}), "threads": THREADS}
    settings.pop("delivery_threads", None)
    try:
        served = waitress.create_server(dispatcher(studio, app), host=HOST, port=port, **settings)
    except OSError as error:
        sys.exit(f"phonetree: cannot listen on {HOST}:{port}: {error.strerror or error}")
    _, port = server.listening(served)[0]
    address = f"http://{HOST}:{port}/"
    studio.listening(address.rstrip("/"))
    logs.flush()
    print(f"phonetree studio: {address}", flush=True)
    if browser:
        threading.Thread(target=webbrowser.open, args=(address,), daemon=True).start()
    served.run()
    return 0
