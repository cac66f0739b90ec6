"""WSGI apps that answer with the name of the thread serving them, with and without lanes.

``app`` names its requests' lanes as phonetree's app does (``app.phonetree_lane``): ``/deliver``
may wait on a delivery, and does, for ``DELIVERY_SECONDS``; ``/broken`` makes the lane
function fail; ``/elsewhere`` names a lane the server does not have. ``plain`` names none.
"""

import logging
import threading
import time

DELIVERY_SECONDS = 3.0

# As an app that logs would: waitress's warnings, with the logger's name.
logging.basicConfig(format="%(levelname)s %(name)s %(message)s")


def lane(path: str) -> str:
    if path == "/broken":
        raise RuntimeError("a lane function with a bug")
    return {"/deliver": "deliveries", "/elsewhere": "elsewhere"}.get(path, "calls")


def plain(environ, start_response):
    """Answer with the serving thread's name."""
    name = threading.current_thread().name.encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(name)))])
    return [name]


def app(environ, start_response):
    """Answer with the serving thread's name; a delivery first waits as on a slow server."""
    if environ["PATH_INFO"] == "/deliver":
        time.sleep(DELIVERY_SECONDS)
    return plain(environ, start_response)


app.phonetree_lane = lane
