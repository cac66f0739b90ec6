"""What phonetree is measured against: the least a Bottle app, and a WSGI app, can do.

``app`` is a Bottle app with the one route of the benchmarked step: it parses the same form
and answers a fixed TwiML document, the size of ours. ``bare`` is a WSGI callable answering
that document to anything: the floor set by the server and the interpreter.
Serve them the way the Procfile serves phonetree: its web command with ``bench.baseline:app``.
"""

import bottle

# phonetree's answer to the step (the business hours), byte for byte.
TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?><Response>'
    '<Gather action="/state/hours/exit" actionOnEmptyResult="true" numDigits="1">'
    '<Say language="en-US">We are open Mondays through Fridays from 9 AM to 6 PM.</Say>'
    "<Pause />"
    '<Say language="en-US">Press 1 to repeat this message or any other key to go back to the '
    "menu.</Say></Gather></Response>"
)
TWIML_BYTES = TWIML.encode()
CONTENT_TYPE = "text/xml; charset=utf-8"

app = bottle.Bottle()


@app.route("/state/menu/exit", "POST")
def menu_exit():
    """Parse the form, as any webhook must, and answer the fixed document."""
    bottle.request.forms.get("Digits", "")
    bottle.response.content_type = CONTENT_TYPE
    return TWIML


def bare(environ, start_response):
    """Answer the fixed document, without a framework."""
    headers = [("Content-Type", CONTENT_TYPE), ("Content-Length", str(len(TWIML_BYTES)))]
    start_response("200 OK", headers)
    return [TWIML_BYTES]
